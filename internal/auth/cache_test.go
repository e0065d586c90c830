package auth

import (
	"testing"
	"time"
)

func TestTTLCache(t *testing.T) {
	c := newClock()
	cache := newTTLCache[string, int](4, time.Minute, c.now)

	cache.putIf(cache.gen(), "a", 1)
	if v, ok := cache.get("a"); !ok || v != 1 {
		t.Fatalf("get(a) = %v, %v; want 1, true", v, ok)
	}
	c.advance(time.Minute)
	if _, ok := cache.get("a"); ok {
		t.Fatal("get(a) after ttl: hit")
	}

	// A fill that started before an invalidation is dropped.
	gen := cache.gen()
	cache.remove("b")
	cache.putIf(gen, "b", 2)
	if _, ok := cache.get("b"); ok {
		t.Fatal("stale fill after remove was stored")
	}
	gen = cache.gen()
	cache.removeFunc(func(string, int) bool { return false })
	cache.putIf(gen, "b", 2)
	if _, ok := cache.get("b"); ok {
		t.Fatal("stale fill after removeFunc was stored")
	}

	// The size is bounded.
	for i := range 100 {
		cache.putIf(cache.gen(), string(rune('a'+i)), i)
		if n := cache.len(); n > 4 {
			t.Fatalf("len = %d after %d puts, want ≤ 4", n, i+1)
		}
	}

	// removeFunc drops what it selects.
	cache = newTTLCache[string, int](8, time.Minute, c.now)
	for i, k := range []string{"x1", "x2", "y1"} {
		cache.putIf(cache.gen(), k, i)
	}
	cache.removeFunc(func(k string, _ int) bool { return k[0] == 'x' })
	if _, ok := cache.get("x1"); ok {
		t.Error("x1 survived removeFunc")
	}
	if _, ok := cache.get("y1"); !ok {
		t.Error("y1 dropped by removeFunc")
	}
}
