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
// The cache is correct only when every write goes through this process (the embedded SQLite
// deployment). Several nodes sharing a PostgreSQL database must not use it, or must accept
// staleness bounded by MaxAge.
package itemcache

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"arca"
	"arca/internal/meta"
)

// Store wraps a meta.Store. Methods it does not override go straight to the inner store; the
// ones that change items are overridden to invalidate.
type Store struct {
	meta.Store
	max    int
	maxAge time.Duration
	now    func() time.Time

	mu      sync.RWMutex
	entries map[key]entry
	finds   map[findKey]findEntry // FindItems results (find.go)
	sets    map[string][]*atomic.Uint64
	gens    sync.Map // lower-case repo key → *atomic.Uint64; never deleted, so pointers stay valid
}

type key struct{ repo, path string }

type entry struct {
	item arca.Item
	gen  uint64
	at   time.Time
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
		Store: inner, max: max, maxAge: maxAge, now: time.Now,
		entries: make(map[key]entry),
		finds:   make(map[findKey]findEntry),
		sets:    make(map[string][]*atomic.Uint64),
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

// GetItem implements meta.Items from the cache when it can. Misses and errors are not cached.
func (s *Store) GetItem(ctx context.Context, repo, path string) (arca.Item, error) {
	g := s.gen(repo)
	cur := g.Load()
	k := key{repo, path}
	s.mu.RLock()
	e, ok := s.entries[k]
	s.mu.RUnlock()
	if ok && e.gen == cur && s.now().Sub(e.at) < s.maxAge {
		return e.item, nil
	}
	it, err := s.Store.GetItem(ctx, repo, path)
	if err != nil {
		return it, err
	}
	s.mu.Lock()
	if len(s.entries) >= s.max {
		evict(s.entries)
	}
	s.entries[k] = entry{item: it, gen: cur, at: s.now()}
	s.mu.Unlock()
	return it, nil
}

// Len returns the number of cached items, FindItems results aside (for metrics and tests).
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.entries)
}

// evict drops about a tenth of the entries of m (arbitrary ones: map iteration order is
// random). The caller holds mu.
func evict[K comparable, V any](m map[K]V) {
	n := len(m)/10 + 1
	for k := range m {
		delete(m, k)
		if n--; n == 0 {
			return
		}
	}
}

// CreateRepo implements meta.Repos. The new repository's root is an item (FindItems of "" may
// have cached its absence), so the key's generation moves.
func (s *Store) CreateRepo(ctx context.Context, r meta.RepoRecord) error {
	defer s.invalidate(r.Key)
	return s.Store.CreateRepo(ctx, r)
}

// DeleteRepo implements meta.Repos.
func (s *Store) DeleteRepo(ctx context.Context, key string) error {
	defer s.invalidate(key)
	return s.Store.DeleteRepo(ctx, key)
}

// PutFile implements meta.Items.
func (s *Store) PutFile(ctx context.Context, f arca.Item, opt meta.PutOptions) (arca.Item, error) {
	defer s.invalidate(f.Repo)
	return s.Store.PutFile(ctx, f, opt)
}

// MakeFolder implements meta.Items.
func (s *Store) MakeFolder(ctx context.Context, repo, path, by string, at time.Time) (arca.Item, error) {
	defer s.invalidate(repo)
	return s.Store.MakeFolder(ctx, repo, path, by, at)
}

// Delete implements meta.Items.
func (s *Store) Delete(ctx context.Context, repo, path string) (int, error) {
	defer s.invalidate(repo)
	return s.Store.Delete(ctx, repo, path)
}

// Copy implements meta.Items.
func (s *Store) Copy(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error) {
	defer s.invalidate(dstRepo)
	return s.Store.Copy(ctx, srcRepo, srcPath, dstRepo, dstPath, by, at)
}

// Move implements meta.Items.
func (s *Store) Move(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error) {
	defer s.invalidate(srcRepo)
	defer s.invalidate(dstRepo)
	return s.Store.Move(ctx, srcRepo, srcPath, dstRepo, dstPath, by, at)
}
