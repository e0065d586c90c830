package repo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/lock"
	"arca/internal/lru"
	"arca/internal/repoconfig"
	"arca/internal/smart"
	"arca/internal/upstream"
)

// CacheSuffix names a remote repository's cache: "<remote>-cache".
const CacheSuffix = "-cache"

// Remote is a caching proxy of an upstream URL. Artifacts are fetched when a client asks and
// stored then; nothing is pre-fetched. Cached artifacts never expire; cached metadata (paths the
// format classifies as metadata) is revalidated after retrievalCachePeriodSecs. Fetching follows
// Artifactory's settings: offline, hardFail, missedRetrievalCachePeriodSecs (a negative cache of
// upstream 404s), assumedOfflinePeriodSecs (after a network failure the upstream is not tried),
// storeArtifactsLocally, socketTimeoutMillis, credentials and queryParams.
type Remote struct {
	cfg    *repoconfig.Config
	cache  *Local
	client *upstream.Client // nil when the URL is unusable: then nothing is fetched
	format format.Format
	now    Clock
	log    *slog.Logger

	flights sync.Map                    // path → *flight: the one upstream fetch of a missing path
	locks   lock.Locker                 // the cluster's lock of a path's fetch across nodes; nil: one process
	onFetch func(remote, result string) // Options.OnFetch; nil: none
	misses  *missCache
	smart   *smartRemote // nil unless contentSynchronisation is enabled
	// peer talks the Artifactory protocol to the upstream (folder listings, smart features).
	peer     smart.Peer
	hasLocal func(string) bool
	// offlineUntil is the Unix nanosecond time until which the upstream is assumed offline.
	offlineUntil atomic.Int64
}

var _ Repository = (*Remote)(nil)

// NewRemote returns a remote repository over its cache.
//
// hasLocal reports whether this instance has a local repository of a key (for the statistics
// push of smart remotes). Close stops the remote's background work.
func NewRemote(cfg *repoconfig.Config, cache *Local, f format.Format, instanceID string, hasLocal func(string) bool, now Clock, log *slog.Logger) *Remote {
	r := &Remote{cfg: cfg, cache: cache, format: f, now: now, log: log,
		misses: newMissCache(now)}
	c, err := upstream.New(upstream.Config{
		URL: cfg.URL(), Username: cfg.Username(), Password: cfg.Password(), QueryParams: cfg.QueryParams(),
		Timeout: cfg.SocketTimeout(), InstanceID: instanceID,
	})
	if err != nil {
		log.Warn("remote repository cannot fetch", "repo", cfg.Key(), "err", err)
	} else {
		r.client = c
		hc := &http.Client{Timeout: max(cfg.SocketTimeout(), time.Second) * 4}
		r.peer = smart.NewPeer(hc, cfg.URL(), instanceID, cfg.Username(), cfg.Password())
		r.peer.QueryParams = cfg.QueryParams()
	}
	r.hasLocal = hasLocal
	return r
}

// startSmart prepares the smart-remote features, pushing statistics every interval (default 1
// minute). Without it the remote has none.
func (r *Remote) startSmart(interval time.Duration) {
	if interval <= 0 {
		interval = time.Minute
	}
	r.smart = newSmartRemote(r, r.hasLocal, interval)
}

// UpstreamURL is the upstream URL of a repository path ("" when the remote has no usable URL).
func (r *Remote) UpstreamURL(p string) string {
	if r.client == nil {
		return ""
	}
	return r.client.URL(p)
}

// Close stops the remote's background work (the statistics push, which flushes once more).
func (r *Remote) Close() { r.smart.close() }

// Downloaded records a download served from the cache, for the statistics push of a smart
// remote.
func (r *Remote) Downloaded(p, by string, at time.Time) { r.smart.downloaded(p, by, at) }

// Cache returns the local store of cached artifacts ("<key>-cache").
func (r *Remote) Cache() *Local { return r.cache }

// Config implements Repository.
func (r *Remote) Config() *repoconfig.Config { return r.cfg }

// Stat implements Repository: the cached item, else the upstream's answer to a HEAD (nothing is
// stored), or, with bypassHeadRequests, a GET that caches the artifact.
func (r *Remote) Stat(ctx context.Context, p string) (arca.Item, error) {
	it, err := r.cache.Stat(ctx, p)
	if err == nil || !errors.Is(err, arca.ErrNotFound) || p == "" {
		return it, err
	}
	if err := r.mayFetch(p); err != nil {
		return arca.Item{}, err
	}
	if r.cfg.BypassHeadRequests() {
		it, f, err := r.Open(ctx, p)
		if f != nil {
			f.Close()
		}
		return it, err
	}
	res, err := r.client.Do(ctx, upstream.Request{Method: http.MethodHead, Path: r.upstreamPath(p), Originated: originated(ctx)})
	if err != nil {
		return arca.Item{}, r.fetchFailed(p, err)
	}
	res.Body.Close()
	return r.upstreamItem(p, res), nil
}

// Open implements Repository. A cached artifact is served from the cache; a miss is fetched
// once however many requests ask at the same time: the first streams the bytes to its client
// as they arrive while they are stored, the others wait and are served from the cache.
func (r *Remote) Open(ctx context.Context, p string) (arca.Item, blob.File, error) {
	it, f, err := r.cache.Open(ctx, p)
	if err == nil {
		if it.Folder || r.fresh(p, it) {
			r.maybeSync(it)
			return it, f, nil
		}
		return r.revalidate(ctx, p, it, f)
	}
	if !errors.Is(err, arca.ErrNotFound) || p == "" {
		return it, nil, err
	}
	if err := r.mayFetch(p); err != nil {
		return arca.Item{}, nil, err
	}
	return r.fetch(ctx, p)
}

// mayFetch reports why p may not be fetched now: offline, no usable URL, a remembered miss, or
// the upstream assumed offline after a network failure.
func (r *Remote) mayFetch(p string) error {
	switch {
	case r.cfg.Offline() || r.client == nil:
		return notFoundIn(r.cfg.Key(), p)
	case r.missed(p):
		return arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s' (the upstream did not have it recently)", r.cfg.Key(), p)
	}
	if until := r.offlineUntil.Load(); until > r.now().UnixNano() {
		return arca.Errorf(arca.ErrGatewayTimeout,
			"remote repository '%s' is assumed offline until %s after a network failure", r.cfg.Key(), time.Unix(0, until).UTC().Format(time.RFC3339))
	}
	return nil
}

// fresh reports whether a cached item may be served without asking the upstream: artifacts
// always, metadata for retrievalCachePeriodSecs after it was last fetched or revalidated.
func (r *Remote) fresh(p string, it arca.Item) bool {
	if r.format.Classify(p).Kind != format.Metadata || r.cfg.Offline() || r.client == nil {
		return true
	}
	return r.now().Sub(it.Updated) < r.cfg.RetrievalCachePeriod()
}

// fetchFailed records what an upstream failure means for later requests and turns it into the
// client's error: 404 (remembered for missedRetrievalCachePeriodSecs), 502, or 504.
func (r *Remote) fetchFailed(p string, err error) error {
	switch {
	case errors.Is(err, arca.ErrNotFound):
		if d := r.cfg.MissedRetrievalCachePeriod(); d > 0 {
			r.misses.PutTTL(p, struct{}{}, d)
		}
		return notFoundIn(r.cfg.Key(), p)
	case errors.Is(err, upstream.ErrUnreachable), errors.Is(err, upstream.ErrTimeout):
		if d := r.cfg.AssumedOfflinePeriod(); d > 0 {
			r.offlineUntil.Store(r.now().Add(d).UnixNano())
		}
		r.log.Warn("remote repository upstream failed", "repo", r.cfg.Key(), "path", p, "err", err)
		if errors.Is(err, upstream.ErrTimeout) {
			return arca.Errorf(arca.ErrGatewayTimeout, "remote repository '%s': %v", r.cfg.Key(), err)
		}
		return arca.Errorf(arca.ErrBadGateway, "remote repository '%s': %v", r.cfg.Key(), err)
	case errors.Is(err, context.Canceled):
		return err
	}
	r.log.Warn("remote repository upstream failed", "repo", r.cfg.Key(), "path", p, "err", err)
	return arca.Errorf(arca.ErrBadGateway, "remote repository '%s': %v", r.cfg.Key(), err)
}

// upstreamItem describes an upstream answer as an item of the cache.
func (r *Remote) upstreamItem(p string, res *upstream.Response) arca.Item {
	now := r.now()
	modified := now
	if t, err := http.ParseTime(res.Header.Get("Last-Modified")); err == nil {
		modified = t
	}
	return arca.Item{Repo: r.cache.Key(), Path: p, Size: res.Size, MimeType: MimeType(p),
		Checksums: res.Checksums, Original: res.Checksums, Created: now, Modified: modified, Updated: now}
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

// List implements Repository: the cached children, and with listRemoteFolderItems also the
// upstream's (one level; a deep listing covers the cache only).
func (r *Remote) List(ctx context.Context, dir string, deep bool) ([]arca.Item, error) {
	cached, err := r.cache.List(ctx, dir, deep)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return nil, err
	}
	if deep || !r.cfg.ListRemoteFolderItems() || r.cfg.Offline() {
		return cached, err
	}
	return r.listUpstream(ctx, dir, cached)
}

// CacheRepo is the "<remote>-cache" view: reads and deletes of the cache, never an upstream
// request, and no deploys.
type CacheRepo struct {
	*Local
	remote *Remote
}

// Remote returns the remote repository the cache belongs to.
func (c *CacheRepo) Remote() *Remote { return c.remote }

// Put implements Repository: refused, like on the remote itself.
func (c *CacheRepo) Put(context.Context, string, io.Reader, PutOptions) (arca.Item, error) {
	return arca.Item{}, c.remote.readOnly()
}

// MakeFolder implements Repository: refused.
func (c *CacheRepo) MakeFolder(context.Context, string, string) (arca.Item, error) {
	return arca.Item{}, c.remote.readOnly()
}

// missCache remembers upstream 404s, each for the remote's missedRetrievalCachePeriodSecs. It
// holds at most maxMisses paths, the most recently used: the rest are only asked again.
type missCache = lru.Cache[string, struct{}]

const maxMisses = 100_000

func newMissCache(now Clock) *missCache {
	return lru.New(lru.Options[string, struct{}]{MaxCost: maxMisses, Now: now})
}

// missed reports whether the upstream answered 404 for p within the miss period.
func (r *Remote) missed(p string) bool {
	_, ok := r.misses.Get(p)
	return ok
}

// originated returns the instance ids the incoming request carried.
func originated(ctx context.Context) []string {
	if c, ok := CallerFrom(ctx).(interface{ Origins() []string }); ok {
		return c.Origins()
	}
	return nil
}
