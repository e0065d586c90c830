package auth

import (
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire ttl after they were stored. It is safe for
// concurrent use.
//
// It also solves the stale-fill race every read-through cache has: a reader that loads a value
// from the database while another goroutine invalidates it must not store the (now stale)
// value afterwards. Readers take gen() before loading and store with putIf(gen, …), which is a
// no-op when any invalidation happened in between.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu         sync.Mutex
	m          map[K]cacheEntry[V]
	generation uint64
}

type cacheEntry[V any] struct {
	v       V
	expires time.Time
}

func newTTLCache[K comparable, V any](max int, ttl time.Duration, now func() time.Time) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, now: now, m: make(map[K]cacheEntry[V])}
}

// get returns the live value stored under k.
func (c *ttlCache[K, V]) get(k K) (V, bool) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[k]
	if ok && !now.Before(e.expires) {
		delete(c.m, k)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		var zero V
		return zero, false
	}
	return e.v, true
}

// gen returns the invalidation generation, to pass to putIf.
func (c *ttlCache[K, V]) gen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generation
}

// putIf stores v under k unless an invalidation happened since gen was taken.
func (c *ttlCache[K, V]) putIf(gen uint64, k K, v V) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.generation {
		return
	}
	if _, exists := c.m[k]; !exists && len(c.m) >= c.max {
		c.evictLocked(now)
	}
	c.m[k] = cacheEntry[V]{v: v, expires: now.Add(c.ttl)}
}

// evictLocked makes room: expired entries go first; when every entry is live, an arbitrary
// eighth of them (Go's map order is randomised), so a full cache does not pay a sweep per insert.
func (c *ttlCache[K, V]) evictLocked(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	if len(c.m) < c.max {
		return
	}
	n := c.max/8 + 1
	for k := range c.m {
		if n == 0 {
			break
		}
		delete(c.m, k)
		n--
	}
}

// remove drops k and bumps the generation.
func (c *ttlCache[K, V]) remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	delete(c.m, k)
}

// removeFunc drops every entry for which drop returns true and bumps the generation.
func (c *ttlCache[K, V]) removeFunc(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	for k, e := range c.m {
		if drop(k, e.v) {
			delete(c.m, k)
		}
	}
}

// len reports the number of stored entries, live or not (for tests).
func (c *ttlCache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
