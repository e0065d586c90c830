package auth

import (
	"sync"
	"time"

	"arca/internal/lru"
)

// ttlCache is a read-through cache of at most max entries (least recently used out first), each
// live for ttl after it was stored: an lru.Cache with the guard every read-through cache needs
// against the stale-fill race. It is safe for concurrent use.
//
// A reader that loads a value from the database while another goroutine invalidates it must
// not store the (now stale) value afterwards. Readers take gen() before loading and store with
// putIf(gen, …), which is a no-op when any invalidation happened in between.
type ttlCache[K comparable, V any] struct {
	entries *lru.Cache[K, V]

	// mu orders invalidations against fills: remove and removeFunc bump generation and drop
	// entries under it, and putIf checks generation and stores under it, so no fill taken
	// before an invalidation lands after it.
	mu         sync.Mutex
	generation uint64
}

func newTTLCache[K comparable, V any](max int, ttl time.Duration, now func() time.Time) *ttlCache[K, V] {
	return &ttlCache[K, V]{entries: lru.New(lru.Options[K, V]{MaxCost: int64(max), TTL: ttl, Now: now})}
}

// get returns the live value stored under k.
func (c *ttlCache[K, V]) get(k K) (V, bool) { return c.entries.Get(k) }

// gen returns the invalidation generation, to pass to putIf.
func (c *ttlCache[K, V]) gen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generation
}

// putIf stores v under k unless an invalidation happened since gen was taken.
func (c *ttlCache[K, V]) putIf(gen uint64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.generation {
		c.entries.Put(k, v)
	}
}

// remove drops k and bumps the generation.
func (c *ttlCache[K, V]) remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.entries.Remove(k)
}

// removeFunc drops every entry for which drop returns true and bumps the generation.
func (c *ttlCache[K, V]) removeFunc(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.entries.RemoveFunc(drop)
}

// len reports the number of stored entries, live or not (for tests).
func (c *ttlCache[K, V]) len() int { return c.entries.Len() }
