// Package restapi implements Artifactory's REST API and plain repository paths: repositories,
// deploy/download/delete, the storage API, searches and AQL, copy/move, security and system
// endpoints, following Artifactory's REST API documentation and the wire details JFrog's clients
// (JFrog CLI, jfrog-client-go, Terraform) depend on. Formats' native protocols are served through
// format.Host (formats.go).
//
// Handlers have the signature of Handler and return errors; the server renders them in one
// place. Handlers never write an error body themselves.
package restapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"arca"
	"arca/internal/auth"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/gc"
	"arca/internal/meta"
	"arca/internal/notify"
	"arca/internal/repo"
)

// Handler is an HTTP handler that returns its error instead of writing it.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Version is the Artifactory version Arca reports: 7.x, so that JFrog's clients enable their
// modern flows (batch repository APIs, the uploads/config probe, AQL .transitive()).
const Version = "7.104.5"

// API holds the dependencies of the REST handlers. Every field is required.
type API struct {
	Repos      *repo.Registry
	Meta       meta.Store
	Blobs      blob.Store
	Downloads  *repo.Downloads
	Authz      auth.Authorizer
	Authn      *auth.Authenticator
	Tokens     *auth.TokenService
	InstanceID string
	// NodeID is this process among the instance's nodes (recorded in the audit log).
	NodeID string
	// BaseURL is the configured external URL ("" to derive it from each request).
	BaseURL string
	// ArcaVersion is Arca's own version, reported in the revision field.
	ArcaVersion string
	// Switches are the settings that change at run time (anonymous access).
	Switches *Switches
	// Formats are the registered formats; their native protocols are served through Native.
	Formats *format.Registry
	// GC runs a blob garbage collection now, one at a time with the periodic ones.
	GC GarbageCollector
	// Bus tells the other processes sharing the database of changes to Switches (nil: none).
	Bus notify.Bus
	// Health reports whether the node can reach what it serves from; its error, shown to
	// anyone who pings, must name the failing part without details (nil: always healthy).
	Health func(ctx context.Context) error
	// Cluster reports the instance's nodes; Storage names the kinds of storage they share.
	Cluster Cluster
	Storage StorageKinds
	// MetricsHandler serves the Prometheus metrics (nil: none).
	MetricsHandler http.Handler
	Now            func() time.Time
	Log            *slog.Logger
}

// StorageKinds names the storage of the instance for the status: "sqlite" or "postgresql",
// "files" or "s3".
type StorageKinds struct{ Metadata, Blobs string }

// GarbageCollector runs a blob garbage collection (gc.Runner).
type GarbageCollector interface {
	Run(ctx context.Context) (gc.Result, error)
}

// RequestState is what the server learns about a request while handling it: its id, the
// principal authentication resolved, and whether another instance sent it. The server puts one
// in the context per request (under the repository layer's key: it is the repo.Caller too), so
// handlers, repositories and the logging middleware share it without deriving the context
// again.
type RequestState struct {
	// ID is the client's X-Request-Id; without one, RequestID derives an id from Prefix and Seq
	// (only when it is needed: logging or an error).
	ID        string
	Prefix    string
	Seq       uint64
	Principal auth.Principal
	// Authenticated reports that Principal was set by authentication.
	Authenticated bool
	// Originated are the instance ids of X-Artifactory-Originated and Origin-Artifactory.
	Originated []string
	// Authz decides CanRead.
	Authz auth.Authorizer
}

var _ repo.Caller = (*RequestState)(nil)

// RequestID returns the request's id.
func (st *RequestState) RequestID() string {
	if st.ID == "" && st.Seq != 0 {
		st.ID = st.Prefix + "-" + strconv.FormatUint(st.Seq, 36)
	}
	return st.ID
}

// CanRead implements repo.Caller.
func (st *RequestState) CanRead(ctx context.Context, repoKey, path string) bool {
	p := st.Principal
	if !st.Authenticated {
		p = auth.Principal{Name: arca.Anonymous, Anonymous: true}
	}
	return st.Authz == nil || st.Authz.Allowed(ctx, p, auth.Read, repoKey, path)
}

// Origins returns the instance ids the request came through (for X-Artifactory-Originated).
func (st *RequestState) Origins() []string { return st.Originated }

// FromInstance implements repo.Caller.
func (st *RequestState) FromInstance() bool { return len(st.Originated) > 0 }

// OriginatedIDs splits the instance ids of the X-Artifactory-Originated and Origin-Artifactory
// headers (comma-separated, possibly repeated).
func OriginatedIDs(h http.Header) []string {
	var ids []string
	for _, k := range []string{"X-Artifactory-Originated", "Origin-Artifactory"} {
		for _, v := range h[k] {
			for id := range strings.SplitSeq(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// WithState returns ctx carrying st.
func WithState(ctx context.Context, st *RequestState) context.Context {
	return repo.WithCaller(ctx, st)
}

// StateFrom returns the request's state (a fresh, empty one when there is none).
func StateFrom(ctx context.Context) *RequestState {
	if st, ok := repo.CallerFrom(ctx).(*RequestState); ok {
		return st
	}
	return &RequestState{}
}

// PrincipalFrom returns the principal the server authenticated (anonymous when none).
func PrincipalFrom(ctx context.Context) auth.Principal {
	if st, ok := repo.CallerFrom(ctx).(*RequestState); ok && st.Authenticated {
		return st.Principal
	}
	return auth.Principal{Name: arca.Anonymous, Anonymous: true}
}

// authorize checks that the caller may perform action on repo/path. An anonymous caller who
// may not gets arca.ErrUnauthorized (so clients send credentials), an authenticated one
// arca.ErrForbidden.
func (a *API) authorize(r *http.Request, action auth.Action, repoKey, path string) error {
	p := PrincipalFrom(r.Context())
	if a.Authz.Allowed(r.Context(), p, action, repoKey, path) {
		return nil
	}
	if p.Anonymous {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	return arca.Errorf(arca.ErrForbidden, "user '%s' may not %s in '%s'", p.Name, action, repoKey)
}

// resolve parses the repository path after prefix, finds the repository and checks that the
// caller may perform action there: the common start of every item handler.
func (a *API) resolve(r *http.Request, prefix string, action auth.Action) (repo.Repository, repoPath, error) {
	rp, err := parseRepoPath(r, prefix)
	if err != nil {
		return nil, rp, err
	}
	if a.recursive(r) {
		return nil, rp, arca.Errorf(arca.ErrNotFound, "Recursive call detected")
	}
	rep, err := a.Repos.Get(rp.Repo)
	if err != nil {
		return nil, rp, err
	}
	if err := a.authorize(r, action, rp.Repo, rp.Path); err != nil {
		return nil, rp, err
	}
	return rep, rp, nil
}

// recursive reports a request that already passed through this instance: its originated
// headers name this instance's id, so answering would loop between instances.
func (a *API) recursive(r *http.Request) bool {
	for _, id := range StateFrom(r.Context()).Originated {
		if id == a.InstanceID {
			return true
		}
	}
	return false
}

// requireAdmin checks the Manage permission.
func (a *API) requireAdmin(r *http.Request) error { return a.authorize(r, auth.Manage, "", "") }

// canRead reports whether the caller may read repo/path (for filtering search results).
func (a *API) canRead(r *http.Request, repoKey, path string) bool {
	return a.Authz.Allowed(r.Context(), PrincipalFrom(r.Context()), auth.Read, repoKey, path)
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeText writes a plain-text body.
func writeText(w http.ResponseWriter, status int, s string) error {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, err := w.Write([]byte(s))
	return err
}

// isoTime formats t as Artifactory does: ISO-8601 UTC with milliseconds.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// decodeJSON decodes a request body into v, as arca.ErrInvalid on malformed input.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<20))
	if err := dec.Decode(v); err != nil {
		return arca.Errorf(arca.ErrInvalid, "malformed JSON body: %v", err)
	}
	return nil
}
