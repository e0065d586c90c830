package itemcache

import (
	"context"
	"slices"
	"sync/atomic"

	"arca"
	"arca/internal/meta"
)

// A FindItems result is cached under (the ID of its key list, path) with the generation
// counters of those keys and their sum read before the inner query. It is valid while the sum
// is unchanged: counters only grow, so an equal sum means no listed repository changed, and a
// write that raced the query bumps its counter after returning, so it can only cause a miss.
// Results that found nothing are cached as well: their validity rests on the same counters.
//
// A hit costs one map lookup, one atomic load per listed repository and a copy of the (short)
// result. With a prepared meta.RepoSet (FindItemsIn) the key list is not even re-encoded.

// findKey identifies a FindItems result: meta.RepoSetID of the keys, and the path.
type findKey struct{ set, path string }

type findEntry struct {
	items []arca.Item
	gens  []*atomic.Uint64 // the counters of the listed keys, shared by every path of the set
	sum   uint64           // their sum before the query
}

// FindItems implements meta.Items from the cache when it can; errors are not cached. Each call
// encodes repos into a map key (meta.RepoSetID); FindItemsIn saves that.
func (s *Store) FindItems(ctx context.Context, repos []string, path string) ([]arca.Item, error) {
	if len(repos) == 0 {
		return nil, nil
	}
	k := findKey{meta.RepoSetID(repos), path}
	if items, ok := s.findHit(k); ok {
		return items, nil
	}
	return s.findMiss(ctx, k, repos)
}

// FindItemsIn implements meta.SetFinder: FindItems with the key list encoded once, when set
// was built, which is the cheap way to look up a virtual repository's members.
func (s *Store) FindItemsIn(ctx context.Context, set meta.RepoSet, path string) ([]arca.Item, error) {
	if set.Len() == 0 {
		return nil, nil
	}
	k := findKey{set.ID(), path}
	if items, ok := s.findHit(k); ok {
		return items, nil
	}
	return s.findMiss(ctx, k, set.Keys())
}

// findHit returns a copy of the cached result under k when it is still valid.
func (s *Store) findHit(k findKey) ([]arca.Item, bool) {
	e, ok := s.finds.Get(k)
	if !ok || sum(e.gens) != e.sum {
		return nil, false
	}
	return slices.Clone(e.items), true
}

// findMiss queries the inner store for k and caches the result.
func (s *Store) findMiss(ctx context.Context, k findKey, repos []string) ([]arca.Item, error) {
	gens := s.setGens(k.set, repos)
	before := sum(gens) // before the query: see the top of this file
	items, err := s.Store.FindItems(ctx, repos, k.path)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Memo = new(arca.Memo) // shared by every hit on this entry
	}
	s.finds.Put(k, findEntry{items: items, gens: gens, sum: before})
	return slices.Clone(items), nil
}

// setGens returns the generation counters of repos, whose ID is id, resolving them once per
// key list. The counters live as long as the Store, so the list stays valid; only the memory
// is bounded, by dropping lists like entries.
func (s *Store) setGens(id string, repos []string) []*atomic.Uint64 {
	if gens, ok := s.sets.Get(id); ok {
		return gens
	}
	gens := make([]*atomic.Uint64, len(repos))
	for i, r := range repos {
		gens[i] = s.gen(r)
	}
	s.sets.Put(id, gens)
	return gens
}

// sum adds the current values of gens.
func sum(gens []*atomic.Uint64) uint64 {
	var n uint64
	for _, g := range gens {
		n += g.Load()
	}
	return n
}

// FindLen returns the number of cached FindItems results (for metrics and tests).
func (s *Store) FindLen() int { return s.finds.Len() }
