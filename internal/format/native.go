package format

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"arca"
)

// This file is the boundary between Arca's engines and a format's native protocol (npm's registry
// API, later OCI's /v2/, PyPI's simple index, the Go module proxy). A format that speaks one
// implements Native; the server mounts it at /artifactory/api/<Name()>/{repo}/{path...} and hands
// it the resolved repository through the Repository interface below, whatever its class. Routes
// outside that prefix are declared by implementing Router. Nothing outside the format's package
// knows its wire details, and the format knows nothing of the repository classes: what it needs
// of them is a capability of Repository (DeployTarget, Forward, Members).

// Action is what a caller asks to do, for Host.Authorize.
type Action int

// The actions, as Artifactory's permissions name them.
const (
	Read   Action = iota // download, list, search
	Deploy               // upload, publish, tag
	Delete               // delete, unpublish, overwrite
)

// PutOptions describes one deploy through Repository.Put.
type PutOptions struct {
	// Props become the item's properties.
	Props arca.Properties
	// Want are checksums the content must have (empty fields are not checked); a mismatch is
	// arca.ErrChecksum and nothing is stored.
	Want arca.Checksums
	// By is the deploying user.
	By string
}

// Response is an upstream's answer to Repository.Forward. The caller closes Body.
type Response struct {
	Status int
	Header http.Header
	Body   io.ReadCloser
}

// Repository is a resolved repository — local, remote, virtual or a remote's cache — as a
// format's protocol handler sees it. Content paths are storage paths inside the repository, as
// the format lays them out (never starting with "/"; the engines reject "..", "." and empty
// segments before anything is read).
type Repository interface {
	// Key is the repository's key as configured.
	Key() string
	// Settings is the repository's configuration, for the format's own fields.
	Settings() Settings
	// Stat returns the item at p (missing, hidden by patterns or by the
	// dependency-confusion guard: arca.ErrNotFound).
	Stat(ctx context.Context, p string) (arca.Item, error)
	// Open returns the item at p and its content, which the caller closes; a folder comes
	// with a nil reader. A remote fetches a missing file from its upstream; a virtual resolves
	// content in resolution order and merges metadata through the format's Merger.
	Open(ctx context.Context, p string) (arca.Item, io.ReadCloser, error)
	// Put stores a file (arca.ErrNotAllowed where the class does not take deploys).
	Put(ctx context.Context, p string, body io.Reader, opt PutOptions) (arca.Item, error)
	// Delete removes an item and its subtree (missing: arca.ErrNotFound).
	Delete(ctx context.Context, p string) error
	// List returns the items under folder dir (every descendant when deep), filtered as
	// downloads are; a missing folder is arca.ErrNotFound.
	List(ctx context.Context, dir string, deep bool) ([]arca.Item, error)
	// DeployTarget is where a deploy of p to this repository goes: a local repository
	// itself, a virtual's default deployment repository (arca.ErrNotAllowed without one,
	// arca.ErrForbidden when the virtual's patterns refuse p). Remote repositories and caches
	// take no deploys: arca.ErrNotAllowed.
	DeployTarget(p string) (Repository, error)
	// Forward sends a request that is not about a stored path (a search, an audit) to this
	// repository's own upstream, at path (with query) relative to the upstream URL, and
	// returns its answer. Repositories without an upstream of their own (local, virtual)
	// answer arca.ErrNotAllowed; an unreachable or failing upstream is another error.
	Forward(ctx context.Context, method, path string, body []byte, header http.Header) (*Response, error)
	// Members are a virtual repository's members the caller may read, in resolution order
	// (nested virtuals flattened); nil for the other classes.
	Members(ctx context.Context) []Repository
}

// Host is what the server offers a format's protocol handler: the parts of a request's life
// that are the same for every format.
type Host interface {
	// Resolve finds the repository key names (arca.ErrNotFound), after refusing a request
	// that already passed through this instance (a loop between instances: arca.ErrNotFound).
	Resolve(r *http.Request, key string) (Repository, error)
	// Authorize returns nil when the caller may perform a on repoKey/p; else
	// arca.ErrUnauthorized for an anonymous caller (so clients send credentials) or
	// arca.ErrForbidden.
	Authorize(r *http.Request, a Action, repoKey, p string) error
	// User is the authenticated caller's name (ok false: anonymous).
	User(r *http.Request) (name string, ok bool)
	// Login checks a user's password and returns the user's name as stored
	// (arca.ErrUnauthorized on a bad password or an unknown user).
	Login(ctx context.Context, user, password string) (string, error)
	// IssueToken creates a non-expiring access token for user and returns it.
	IssueToken(ctx context.Context, user string) (string, error)
	// ServeFile answers a GET or HEAD of file p of repo as a plain download: Artifactory's
	// headers, Range and conditional requests, sendfile, download statistics. A missing file
	// is arca.ErrNotFound.
	ServeFile(w http.ResponseWriter, r *http.Request, repo Repository, p string) error
	// BaseURL is the external URL of /artifactory (no trailing slash) for this request.
	BaseURL(r *http.Request) string
	// Now is the clock.
	Now() time.Time
	// Log is the server's logger.
	Log() *slog.Logger
}

// Native is implemented by formats with a native client protocol. The server mounts it at
// /artifactory/api/<Name()>/{repo}/{path...} for GET, HEAD, PUT, POST and DELETE, resolves the
// repository (which has this format's package type), and calls ServeNative with the unescaped
// rest of the path. An error it returns is rendered by the server (through the format's
// ErrorWriter when it has one); ServeNative writes nothing after returning one.
type Native interface {
	Format
	ServeNative(w http.ResponseWriter, r *http.Request, h Host, repo Repository, sub string) error
}

// ErrorWriter is implemented by formats whose clients read errors in a shape of their own
// (npm's {"error": …}, OCI's {"errors":[{"code": …}]}). The server has set the status code's
// headers it owns (WWW-Authenticate on 401) and calls WriteError instead of writing
// Artifactory's error document; it writes the status line and the body.
type ErrorWriter interface {
	WriteError(w http.ResponseWriter, r *http.Request, status int, message string)
}

// Route is a route a format serves outside its package API prefix.
type Route struct {
	// Pattern is a net/http.ServeMux pattern with a method ("GET /v2/{path...}").
	Pattern string
	// Serve handles a request; it finds its repository through Host.Resolve.
	Serve func(w http.ResponseWriter, r *http.Request, h Host) error
}

// Router is implemented by formats whose clients need routes outside
// /artifactory/api/<type>/<repo>/ (OCI's /v2/, Go's and PyPI's conventions). The server mounts
// every route of every registered format; two formats declaring the same pattern is a
// start-up error.
type Router interface {
	Routes() []Route
}
