// Package lru is Arca's one in-memory cache type: bounded by a cost budget, evicting the least
// recently used entry first, with an optional expiry per entry, safe for concurrent use.
//
// Every cache in Arca that keeps values in memory (authentication, item metadata, small blobs,
// merged virtual metadata, rendered packuments, remote misses) is a Cache, so each one has a
// stated bound and the same eviction order. Validity rules a caller needs beyond expiry (a
// generation a value was read under, the checksum of the document it was derived from) stay
// with the caller, in the value it stores.
package lru

import (
	"sync"
	"time"
)

// Options configure a Cache.
type Options[K comparable, V any] struct {
	// MaxCost is the budget: the sum of the costs of the stored entries never exceeds it. A
	// budget below 1 stores nothing (a disabled cache).
	MaxCost int64
	// Cost returns the cost of an entry, typically its size in bytes. It is called once per
	// Put, without the cache's lock held, and must not call the cache. Costs below 1 count as
	// 1, so MaxCost bounds the number of entries too. Nil counts every entry as 1, making
	// MaxCost an entry count.
	Cost func(K, V) int64
	// TTL is how long an entry stored by Put stays live; 0 (or less): until evicted or
	// removed. PutTTL sets it per entry.
	TTL time.Duration
	// Now is the clock that expiry is measured with; nil: time.Now.
	Now func() time.Time
}

// Cache maps keys to values under a cost budget. Get and Put are O(1): a map finds the entry
// and an intrusive list keeps the use order, most recent first. When a Put would exceed the
// budget, the least recently used entries are evicted until the new entry fits. An expired entry
// is never returned; it is dropped when Get meets it, or when it reaches the end of the use
// order, so until then it still counts against the budget.
//
// All methods are safe for concurrent use; each takes one mutex (Get too, since it reorders).
// The zero Cache is not usable: create one with New.
type Cache[K comparable, V any] struct {
	maxCost int64
	cost    func(K, V) int64
	ttl     time.Duration
	now     func() time.Time // nil: the monotonic clock (see clock)
	epoch   time.Time        // expiry times are durations since epoch

	mu    sync.Mutex
	items map[K]*entry[K, V]
	root  entry[K, V] // sentinel of the use list: root.next is the most recent, root.prev the least
	used  int64       // sum of the stored entries' costs

	hits, misses uint64 // Gets that found a live entry, and the others (Stats)
}

type entry[K comparable, V any] struct {
	key        K
	val        V
	cost       int64
	expires    time.Duration // since the cache's epoch; 0: never
	prev, next *entry[K, V]
}

// New returns an empty cache configured by o.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	c := &Cache[K, V]{maxCost: o.MaxCost, cost: o.Cost, ttl: o.TTL, now: o.Now, items: make(map[K]*entry[K, V])}
	if c.now == nil {
		c.epoch = time.Now()
	} else {
		c.epoch = c.now()
	}
	c.root.next, c.root.prev = &c.root, &c.root
	return c
}

// Get returns the live value stored under k and marks it most recently used. An expired entry
// is removed and reported absent.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		c.misses++
		var zero V
		return zero, false
	}
	if c.expired(e) {
		c.removeLocked(e)
		c.misses++
		var zero V
		return zero, false
	}
	c.moveToFront(e)
	c.hits++
	return e.val, true
}

// Stats returns how many Gets found a live entry and how many did not, since New.
func (c *Cache[K, V]) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// Put stores v under k with the cache's TTL; see PutTTL.
func (c *Cache[K, V]) Put(k K, v V) bool { return c.PutTTL(k, v, c.ttl) }

// PutTTL stores v under k, replacing any entry under k, live for ttl (0 or less: until evicted
// or removed), and marks it most recently used. Least recently used entries are evicted until
// it fits the budget. An entry that costs more than the whole budget is not stored, and the
// entry it would have replaced is removed all the same, so a Get never returns a value older
// than the last Put. PutTTL reports whether v was stored.
func (c *Cache[K, V]) PutTTL(k K, v V, ttl time.Duration) bool {
	cost := int64(1)
	if c.cost != nil {
		cost = max(c.cost(k, v), 1)
	}
	var expires time.Duration
	if ttl > 0 {
		expires = max(c.clock()+ttl, 1)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.items[k]; ok {
		c.removeLocked(old)
	}
	if cost > c.maxCost {
		return false
	}
	for c.used+cost > c.maxCost {
		c.removeLocked(c.root.prev)
	}
	e := &entry[K, V]{key: k, val: v, cost: cost, expires: expires}
	c.items[k] = e
	c.used += cost
	c.pushFront(e)
	return true
}

// Remove drops the entry under k and reports whether there was one (expired or not).
func (c *Cache[K, V]) Remove(k K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if ok {
		c.removeLocked(e)
	}
	return ok
}

// RemoveFunc drops every entry for which drop returns true and returns how many it dropped.
// It visits every entry (O(n)) with the lock held, so drop must be quick and must not call the
// cache.
func (c *Cache[K, V]) RemoveFunc(drop func(K, V) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for e := c.root.next; e != &c.root; {
		next := e.next
		if drop(e.key, e.val) {
			c.removeLocked(e)
			n++
		}
		e = next
	}
	return n
}

// Clear drops every entry.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.items)
	c.root.next, c.root.prev = &c.root, &c.root
	c.used = 0
}

// Len returns the number of stored entries, expired ones not yet dropped included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Cost returns the sum of the stored entries' costs; it never exceeds the budget.
func (c *Cache[K, V]) Cost() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// MaxCost returns the budget the cache was created with.
func (c *Cache[K, V]) MaxCost() int64 { return c.maxCost }

// Keys returns the stored keys from the most to the least recently used (for tests and
// diagnostics; O(n)).
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]K, 0, len(c.items))
	for e := c.root.next; e != &c.root; e = e.next {
		keys = append(keys, e.key)
	}
	return keys
}

// clock is the time since the cache's epoch: with the default clock one read of the monotonic
// clock (time.Since), about half the cost of time.Now, on every Get of a cache with expiry.
func (c *Cache[K, V]) clock() time.Duration {
	if c.now == nil {
		return time.Since(c.epoch)
	}
	return c.now().Sub(c.epoch)
}

func (c *Cache[K, V]) expired(e *entry[K, V]) bool {
	return e.expires != 0 && c.clock() >= e.expires
}

func (c *Cache[K, V]) removeLocked(e *entry[K, V]) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	delete(c.items, e.key)
	c.used -= e.cost
}

func (c *Cache[K, V]) pushFront(e *entry[K, V]) {
	e.prev, e.next = &c.root, c.root.next
	c.root.next.prev = e
	c.root.next = e
}

func (c *Cache[K, V]) moveToFront(e *entry[K, V]) {
	if c.root.next == e {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	c.pushFront(e)
}
