// Package itemcache is a meta.Store decorator that keeps recently read items in memory, so the
// download hot path does not query the database for every request.
//
// Invalidation is by repository generation: every write that can change items of a repository
// bumps that repository's generation after the write returns, and a cached item is valid only
// while the generation it was read under is current. A reader that raced a write stored its
// entry under the old generation, so at worst it causes a miss, never a stale hit.
//
// FindItems results (find.go) are cached the same way, under the generations of every
// repository queried, and "none" results too: a later write to any of those repositories, the
// creation of one among them included, changes their sum.
//
// Items and FindItems results are two lru.Caches of at most max entries each, every entry
// trusted for at most maxAge (its TTL); the resolved counters of recent key lists (find.go) are
// a third, without expiry. lru does the bounding, least-recently-used eviction and expiry;
// validity against writes is the generation stored in each entry and checked here on every
// hit, which lru knows nothing of. A "none" result is an ordinary entry holding an empty list.
//
// The cache is correct when every write goes through this process (the embedded SQLite
// deployment), or when it Watches a notify.Bus that carries the writes of the other processes
// sharing the database (several nodes on PostgreSQL); a lost notice is bounded by maxAge.
package itemcache

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"arca"
	"arca/internal/lru"
	"arca/internal/meta"
	"arca/internal/notify"
)

// Store wraps a meta.Store. Methods it does not override go straight to the inner store; the
// ones that change items are overridden to invalidate.
type Store struct {
	meta.Store

	entries  *lru.Cache[key, entry]
	finds    *lru.Cache[findKey, findEntry]       // FindItems results (find.go)
	sets     *lru.Cache[string, []*atomic.Uint64] // a key list's generation counters (find.go)
	gens     sync.Map                             // lower-case repo key → *atomic.Uint64; never deleted, so pointers stay valid
	bus      notify.Bus                           // tells the other processes of local writes (Watch)
	announce bool                                 // publish local writes on bus (Watch)
}

type key struct{ repo, path string }

type entry struct {
	item arca.Item
	gen  uint64
}

var (
	_ meta.Store       = (*Store)(nil)
	_ meta.Generations = (*Store)(nil)
	_ meta.SetFinder   = (*Store)(nil)
)

// New wraps inner with a cache of at most max items and at most max FindItems results, each
// trusted for at most maxAge.
func New(inner meta.Store, max int, maxAge time.Duration) *Store {
	return &Store{
		Store:   inner,
		entries: lru.New(lru.Options[key, entry]{MaxCost: int64(max), TTL: maxAge}),
		finds:   lru.New(lru.Options[findKey, findEntry]{MaxCost: int64(max), TTL: maxAge}),
		sets:    lru.New(lru.Options[string, []*atomic.Uint64]{MaxCost: int64(max)}),
		bus:     notify.Local{},
	}
}

// Generation implements meta.Generations: the number of writes to repo's items (key in any
// case) that have returned through this Store. Reading it costs one map load and no lock.
func (s *Store) Generation(repo string) uint64 { return s.gen(repo).Load() }

// GenerationSum returns the sum of the generations of repos. Generations only grow, so the sum
// changes whenever any listed repository changes: a sum read before reading items of those
// repositories and equal later proves none of them changed since.
func (s *Store) GenerationSum(repos []string) uint64 {
	var sum uint64
	for _, r := range repos {
		sum += s.gen(r).Load()
	}
	return sum
}

func (s *Store) gen(repo string) *atomic.Uint64 {
	k := strings.ToLower(repo)
	if g, ok := s.gens.Load(k); ok {
		return g.(*atomic.Uint64)
	}
	g, _ := s.gens.LoadOrStore(k, new(atomic.Uint64))
	return g.(*atomic.Uint64)
}

// invalidate makes every cached item of repo stale.
func (s *Store) invalidate(repo string) { s.gen(repo).Add(1) }

// changed follows a local write to repo's items: the cached ones go stale here, and the other
// processes on the database are told (unless the inner store tells them itself).
func (s *Store) changed(ctx context.Context, repo string) {
	s.invalidate(repo)
	if s.announce {
		s.bus.Publish(ctx, notify.Items, repo)
	}
}

// Watch makes the cache follow the writes of the other processes sharing the database, through
// bus: a notice for a repository makes its cached items stale, a reset all of them. announce
// has the cache publish its own writes after they return; pass false when the inner store
// publishes them inside their transactions (sqlstore.OnItemsChanged), which no crash can
// separate from the commit. Call it before serving; without it (or with notify.Local) the cache
// is right only when every write goes through this process.
func (s *Store) Watch(bus notify.Bus, announce bool) {
	s.bus, s.announce = bus, announce
	bus.Subscribe(notify.Items, func(repo string) {
		if repo != "" {
			s.invalidate(repo)
			return
		}
		s.gens.Range(func(_, g any) bool {
			g.(*atomic.Uint64).Add(1)
			return true
		})
	})
}

// GetItem implements meta.Items from the cache when it can. Misses and errors are not cached.
func (s *Store) GetItem(ctx context.Context, repo, path string) (arca.Item, error) {
	g := s.gen(repo)
	cur := g.Load()
	k := key{repo, path}
	if e, ok := s.entries.Get(k); ok && e.gen == cur {
		return e.item, nil
	}
	it, err := s.Store.GetItem(ctx, repo, path)
	if err != nil {
		return it, err
	}
	it.Memo = new(arca.Memo) // shared by every hit on this entry (this version of the item)
	s.entries.Put(k, entry{item: it, gen: cur})
	return it, nil
}

// Stats returns the hits and misses of GetItem on the cache since New (for metrics).
func (s *Store) Stats() (hits, misses uint64) { return s.entries.Stats() }

// Len returns the number of cached items, FindItems results aside (for metrics and tests).
func (s *Store) Len() int { return s.entries.Len() }

// CreateRepo implements meta.Repos. The new repository's root is an item (FindItems of "" may
// have cached its absence), so the key's generation moves.
func (s *Store) CreateRepo(ctx context.Context, r meta.RepoRecord) error {
	defer s.changed(ctx, r.Key)
	return s.Store.CreateRepo(ctx, r)
}

// DeleteRepo implements meta.Repos.
func (s *Store) DeleteRepo(ctx context.Context, key string) error {
	defer s.changed(ctx, key)
	return s.Store.DeleteRepo(ctx, key)
}

// PutFile implements meta.Items.
func (s *Store) PutFile(ctx context.Context, f arca.Item, opt meta.PutOptions) (arca.Item, error) {
	defer s.changed(ctx, f.Repo)
	return s.Store.PutFile(ctx, f, opt)
}

// MakeFolder implements meta.Items.
func (s *Store) MakeFolder(ctx context.Context, repo, path, by string, at time.Time) (arca.Item, error) {
	defer s.changed(ctx, repo)
	return s.Store.MakeFolder(ctx, repo, path, by, at)
}

// Delete implements meta.Items.
func (s *Store) Delete(ctx context.Context, repo, path string) (int, error) {
	defer s.changed(ctx, repo)
	return s.Store.Delete(ctx, repo, path)
}

// Copy implements meta.Items.
func (s *Store) Copy(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error) {
	defer s.changed(ctx, dstRepo)
	return s.Store.Copy(ctx, srcRepo, srcPath, dstRepo, dstPath, by, at)
}

// Move implements meta.Items.
func (s *Store) Move(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error) {
	defer s.changed(ctx, srcRepo)
	defer s.changed(ctx, dstRepo)
	return s.Store.Move(ctx, srcRepo, srcPath, dstRepo, dstPath, by, at)
}

// BlobsReferenced implements meta.BatchReferencer: the inner store's answer when it has one,
// else one BlobReferenced per digest. Nothing is cached.
func (s *Store) BlobsReferenced(ctx context.Context, sha256s []string) (map[string]bool, error) {
	if b, ok := s.Store.(meta.BatchReferencer); ok {
		return b.BlobsReferenced(ctx, sha256s)
	}
	out := map[string]bool{}
	for _, d := range sha256s {
		used, err := s.Store.BlobReferenced(ctx, d)
		if err != nil {
			return nil, err
		}
		if used {
			out[d] = true
		}
	}
	return out, nil
}
