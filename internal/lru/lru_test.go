package lru_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca/internal/lru"
)

// run applies ops to c: "+k" puts k (value k, cost from the cost map, 1 when absent), "?k"
// gets k, "-k" removes k. It returns the results of the gets, "k" for a hit and "!k" for a miss.
func run(c *lru.Cache[string, string], ops string) []string {
	var got []string
	for _, op := range strings.Fields(ops) {
		k := op[1:]
		switch op[0] {
		case '+':
			c.Put(k, k)
		case '?':
			if v, ok := c.Get(k); ok {
				got = append(got, v)
			} else {
				got = append(got, "!"+k)
			}
		case '-':
			c.Remove(k)
		}
	}
	return got
}

func TestEvictionOrder(t *testing.T) {
	tests := []struct {
		name     string
		max      int64
		costs    map[string]int64
		ops      string
		wantGets []string
		wantKeys []string // most recent first
	}{
		{name: "fills without evicting", max: 3, ops: "+a +b +c", wantKeys: []string{"c", "b", "a"}},
		{name: "least recently put goes first", max: 3, ops: "+a +b +c +d", wantKeys: []string{"d", "c", "b"}},
		{name: "a get protects an entry", max: 3, ops: "+a +b +c ?a +d ?b", wantGets: []string{"a", "!b"}, wantKeys: []string{"d", "a", "c"}},
		{name: "a put of a stored key refreshes it", max: 3, ops: "+a +b +c +a +d", wantKeys: []string{"d", "a", "c"}},
		{name: "a miss changes nothing", max: 2, ops: "+a +b ?z +c", wantGets: []string{"!z"}, wantKeys: []string{"c", "b"}},
		{name: "remove frees room", max: 2, ops: "+a +b -a +c ?b", wantGets: []string{"b"}, wantKeys: []string{"b", "c"}},
		{name: "a costly entry evicts several", max: 5, costs: map[string]int64{"big": 4}, ops: "+a +b +c +d +big", wantKeys: []string{"big", "d"}},
		{name: "an entry over the budget is not stored", max: 3, costs: map[string]int64{"huge": 4}, ops: "+a +b +huge ?huge", wantGets: []string{"!huge"}, wantKeys: []string{"b", "a"}},
		{name: "zero costs count as one", max: 2, costs: map[string]int64{"a": 0, "b": 0, "c": -5}, ops: "+a +b +c", wantKeys: []string{"c", "b"}},
		{name: "a budget of zero stores nothing", max: 0, ops: "+a ?a", wantGets: []string{"!a"}, wantKeys: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := lru.New(lru.Options[string, string]{MaxCost: tt.max, Cost: func(k, _ string) int64 {
				if n, ok := tt.costs[k]; ok {
					return n
				}
				return 1
			}})
			got := run(c, tt.ops)
			if diff := cmp.Diff(tt.wantGets, got); diff != "" {
				t.Errorf("gets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantKeys, c.Keys()); diff != "" {
				t.Errorf("keys, most recent first (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOversizedPutRemovesTheOldValue(t *testing.T) {
	c := lru.New(lru.Options[string, []byte]{MaxCost: 10, Cost: func(_ string, v []byte) int64 { return int64(len(v)) }})
	if !c.Put("k", make([]byte, 5)) {
		t.Fatal("a value within the budget was not stored")
	}
	if c.Put("k", make([]byte, 11)) {
		t.Fatal("a value over the budget was stored")
	}
	if v, ok := c.Get("k"); ok {
		t.Fatalf("Get after an oversized Put = %d bytes, want the old value gone", len(v))
	}
	if c.Cost() != 0 || c.Len() != 0 {
		t.Errorf("cost %d, len %d; want 0, 0", c.Cost(), c.Len())
	}
}

// TestCostNeverExceedsBudget puts random keys of random costs and checks after every step that
// the accounted cost is the sum of the stored entries' costs and within the budget.
func TestCostNeverExceedsBudget(t *testing.T) {
	for _, budget := range []int64{1, 7, 100, 1000} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(budget)))
			c := lru.New(lru.Options[int, int64]{MaxCost: budget, Cost: func(_ int, v int64) int64 { return v }})
			for i := range 5000 {
				k := r.IntN(200)
				switch r.IntN(10) {
				case 0:
					c.Remove(k)
				case 1, 2:
					c.Get(k)
				default:
					c.Put(k, 1+r.Int64N(budget/3+2))
				}
				var sum int64
				for _, k := range c.Keys() {
					v, _ := c.Get(k)
					sum += v
				}
				if c.Cost() != sum || sum > budget {
					t.Fatalf("step %d: accounted cost %d, entries hold %d, budget %d", i, c.Cost(), sum, budget)
				}
			}
		})
	}
}

// clock is a settable clock for TTL tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestTTL(t *testing.T) {
	tests := []struct {
		name    string
		ttl     time.Duration // the cache's default
		perKey  time.Duration // PutTTL's, when not zero
		elapsed time.Duration
		want    bool
	}{
		{name: "live before the ttl", ttl: time.Minute, elapsed: time.Minute - time.Nanosecond, want: true},
		{name: "expired at the ttl", ttl: time.Minute, elapsed: time.Minute, want: false},
		{name: "no ttl never expires", elapsed: 1000 * time.Hour, want: true},
		{name: "a per-entry ttl wins", ttl: time.Hour, perKey: time.Second, elapsed: 2 * time.Second, want: false},
		{name: "a per-entry ttl may be longer", ttl: time.Second, perKey: time.Hour, elapsed: time.Minute, want: true},
		{name: "a negative per-entry ttl never expires", ttl: time.Second, perKey: -1, elapsed: time.Hour, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Unix(1_700_000_000, 0)}
			c := lru.New(lru.Options[string, int]{MaxCost: 10, TTL: tt.ttl, Now: clk.now})
			if tt.perKey != 0 {
				c.PutTTL("k", 1, tt.perKey)
			} else {
				c.Put("k", 1)
			}
			clk.advance(tt.elapsed)
			if _, ok := c.Get("k"); ok != tt.want {
				t.Fatalf("Get after %v = %v, want %v", tt.elapsed, ok, tt.want)
			}
			if !tt.want && c.Len() != 0 {
				t.Errorf("an expired entry met by Get is still stored (len %d)", c.Len())
			}
		})
	}
}

func TestExpiredEntriesStillCountUntilDropped(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	c := lru.New(lru.Options[string, int]{MaxCost: 2, TTL: time.Second, Now: clk.now})
	c.Put("a", 1)
	c.Put("b", 1)
	clk.advance(time.Hour)
	c.Put("c", 1) // evicts a, the least recently used
	if diff := cmp.Diff([]string{"c", "b"}, c.Keys()); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if _, ok := c.Get("b"); ok {
		t.Error("an expired entry was returned")
	}
	if c.Cost() != 1 {
		t.Errorf("cost %d, want 1", c.Cost())
	}
}

func TestRemoveFuncAndClear(t *testing.T) {
	c := lru.New(lru.Options[int, int]{MaxCost: 100})
	for i := range 10 {
		c.Put(i, i)
	}
	if n := c.RemoveFunc(func(k, _ int) bool { return k%2 == 0 }); n != 5 {
		t.Errorf("RemoveFunc dropped %d, want 5", n)
	}
	if diff := cmp.Diff([]int{9, 7, 5, 3, 1}, c.Keys()); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	c.Clear()
	if c.Len() != 0 || c.Cost() != 0 || len(c.Keys()) != 0 {
		t.Errorf("after Clear: len %d, cost %d", c.Len(), c.Cost())
	}
	c.Put(1, 1)
	if v, ok := c.Get(1); !ok || v != 1 {
		t.Errorf("Get after Clear and Put = %v, %v", v, ok)
	}
}

// TestConcurrentUse is meant for -race: goroutines put, get and remove overlapping keys; the
// bound must hold throughout and a hit must return the value stored under its key.
func TestConcurrentUse(t *testing.T) {
	const budget = 64
	c := lru.New(lru.Options[int, int]{MaxCost: budget, TTL: time.Millisecond,
		Cost: func(k, _ int) int64 { return int64(k%4 + 1) }})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 2))
			for range 20000 {
				k := r.IntN(100)
				switch r.IntN(8) {
				case 0:
					c.Remove(k)
				case 1:
					c.RemoveFunc(func(k2, _ int) bool { return k2 == k })
				case 2, 3, 4:
					if v, ok := c.Get(k); ok && v != k*10 {
						t.Errorf("Get(%d) = %d, want %d", k, v, k*10)
						return
					}
				default:
					c.Put(k, k*10)
				}
				if n := c.Cost(); n > budget {
					t.Errorf("cost %d over budget %d", n, budget)
					return
				}
			}
		}()
	}
	wg.Wait()
	var sum int64
	for _, k := range c.Keys() {
		sum += int64(k%4 + 1)
	}
	if sum != c.Cost() {
		t.Errorf("accounted cost %d, entries hold %d", c.Cost(), sum)
	}
}

func BenchmarkGetHit(b *testing.B) {
	c := lru.New(lru.Options[int, int]{MaxCost: 1 << 16})
	for i := range 1 << 16 {
		c.Put(i, i)
	}
	b.ResetTimer()
	for i := range b.N {
		c.Get(i & (1<<16 - 1))
	}
}

func BenchmarkPutEvicting(b *testing.B) {
	c := lru.New(lru.Options[int, int]{MaxCost: 1 << 10})
	for i := range b.N {
		c.Put(i, i)
	}
}

func TestStats(t *testing.T) {
	now := time.Unix(0, 0)
	c := lru.New(lru.Options[string, int]{MaxCost: 10, TTL: time.Second, Now: func() time.Time { return now }})
	c.Put("a", 1)
	c.Get("a") // hit
	c.Get("b") // miss: absent
	now = now.Add(2 * time.Second)
	c.Get("a") // miss: expired
	if h, m := c.Stats(); h != 1 || m != 2 {
		t.Errorf("Stats = %d hits, %d misses; want 1, 2", h, m)
	}
}
