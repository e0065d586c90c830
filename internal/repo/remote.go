package repo

import (
	"context"
	"io"

	"arca"
	"arca/internal/blob"
	"arca/internal/repoconfig"
)

// CacheSuffix names a remote repository's cache: "<remote>-cache".
const CacheSuffix = "-cache"

// Remote is a caching proxy of an upstream URL. Until the upstream fetcher lands (issue 4) it
// serves what its cache holds; deploys are refused because remotes are read-through caches.
type Remote struct {
	cfg   *repoconfig.Config
	cache *Local
}

var _ Repository = (*Remote)(nil)

// NewRemote returns a remote repository over its cache.
func NewRemote(cfg *repoconfig.Config, cache *Local) *Remote { return &Remote{cfg: cfg, cache: cache} }

// Cache returns the local store of cached artifacts ("<key>-cache").
func (r *Remote) Cache() *Local { return r.cache }

// Config implements Repository.
func (r *Remote) Config() *repoconfig.Config { return r.cfg }

// Stat implements Repository.
func (r *Remote) Stat(ctx context.Context, p string) (arca.Item, error) { return r.cache.Stat(ctx, p) }

// Open implements Repository.
func (r *Remote) Open(ctx context.Context, p string) (arca.Item, blob.File, error) {
	return r.cache.Open(ctx, p)
}

// Put implements Repository: always refused.
func (r *Remote) Put(context.Context, string, io.Reader, PutOptions) (arca.Item, error) {
	return arca.Item{}, r.readOnly()
}

// MakeFolder implements Repository: always refused.
func (r *Remote) MakeFolder(context.Context, string, string) (arca.Item, error) {
	return arca.Item{}, r.readOnly()
}

func (r *Remote) readOnly() error {
	return arca.Errorf(arca.ErrNotAllowed,
		"repository '%s' is a remote repository: it is a read-through cache of %s and does not accept deploys",
		r.cfg.Key(), r.cfg.URL())
}

// Delete implements Repository: removes cached items.
func (r *Remote) Delete(ctx context.Context, p string) error { return r.cache.Delete(ctx, p) }

// List implements Repository.
func (r *Remote) List(ctx context.Context, dir string, deep bool) ([]arca.Item, error) {
	return r.cache.List(ctx, dir, deep)
}

// CacheRepo is the "<remote>-cache" view: reads and deletes of the cache, never an upstream
// request, and no deploys.
type CacheRepo struct {
	*Local
	remote *Remote
}

// Put implements Repository: refused, like on the remote itself.
func (c *CacheRepo) Put(context.Context, string, io.Reader, PutOptions) (arca.Item, error) {
	return arca.Item{}, c.remote.readOnly()
}

// MakeFolder implements Repository: refused.
func (c *CacheRepo) MakeFolder(context.Context, string, string) (arca.Item, error) {
	return arca.Item{}, c.remote.readOnly()
}
