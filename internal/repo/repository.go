// Package repo implements repository classes on top of the metadata and blob stores, and the
// registry that holds the live set of repositories.
//
// Every class implements Repository, so REST and format handlers never need to know which class
// they serve. Local (and federated, whose mirroring comes later) store deployed content; remote
// repositories are read-through caches whose cache is the pseudo-repository "<key>-cache";
// virtual repositories resolve over their members (issue 3).
package repo

import (
	"context"
	"io"
	"net/http"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/repoconfig"
	"arca/internal/upstream"
)

// PutOptions describes one deploy.
type PutOptions struct {
	// Props become the item's properties (matrix parameters on deploy).
	Props arca.Properties
	// Want are the checksums the client declared; any non-empty one must match or the deploy
	// fails with arca.ErrChecksum and nothing is stored.
	Want arca.Checksums
	// ByChecksum deploys without a body, from a blob already stored under Want (checksum deploy);
	// an unknown blob is arca.ErrNotFound.
	ByChecksum bool
	// By is the deploying user.
	By string

	// inspected is the body already read for a format's deploy check.
	inspected io.Reader
}

// Repository is what every handler talks to.
type Repository interface {
	// Config returns the repository's configuration (immutable; replaced on update).
	Config() *repoconfig.Config
	// Stat returns the item at path ("" is the root folder). Missing or filtered: arca.ErrNotFound.
	Stat(ctx context.Context, path string) (arca.Item, error)
	// Open returns a file item and its content; the caller closes the file. A folder returns
	// the item and a nil file.
	Open(ctx context.Context, path string) (arca.Item, blob.File, error)
	// Put deploys a file. Remote repositories refuse with arca.ErrNotAllowed.
	Put(ctx context.Context, path string, body io.Reader, opt PutOptions) (arca.Item, error)
	// MakeFolder creates a folder (and its parents).
	MakeFolder(ctx context.Context, path, by string) (arca.Item, error)
	// Delete removes an item and its subtree; missing: arca.ErrNotFound.
	Delete(ctx context.Context, path string) error
	// List returns the children of a folder (all descendants when deep), filtered by the
	// repository's patterns.
	List(ctx context.Context, dir string, deep bool) ([]arca.Item, error)

	// DeployTarget is where a deploy of path goes: a local repository itself, a virtual's default
	// deployment repository (arca.ErrNotAllowed without one, arca.ErrForbidden when the
	// virtual's patterns refuse path); remotes and caches take none (arca.ErrNotAllowed).
	DeployTarget(path string) (Repository, error)
	// Forward sends a request that is not about a stored path to the repository's own upstream
	// (path relative to its URL, with query); the caller closes the answer's body. Repositories
	// without an upstream of their own answer arca.ErrNotAllowed.
	Forward(ctx context.Context, method, path string, body []byte, header http.Header) (*upstream.Response, error)
	// Members are a virtual's members the caller may read, each once, in resolution order; nil
	// for other classes.
	Members(ctx context.Context) []Repository
}

// Clock returns the current time; injected so tests control it.
type Clock func() time.Time
