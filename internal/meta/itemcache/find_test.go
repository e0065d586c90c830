package itemcache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"arca"
	"arca/internal/meta"
	"arca/internal/meta/itemcache"
)

// findCounter counts FindItems calls that reach the database.
type findCounter struct {
	meta.Store
	finds int
}

func (c *findCounter) FindItems(ctx context.Context, repos []string, path string) ([]arca.Item, error) {
	c.finds++
	return c.Store.FindItems(ctx, repos, path)
}

// findFixture is a cache over a counting store with local repositories a, b and c.
type findFixture struct {
	t     *testing.T
	inner *findCounter
	s     *itemcache.Store
}

func newFindFixture(t *testing.T, max int) *findFixture {
	t.Helper()
	f := &findFixture{t: t, inner: &findCounter{Store: open(t)}}
	f.s = itemcache.New(f.inner, max, time.Minute)
	for _, k := range []string{"a", "b", "c"} {
		if err := f.s.CreateRepo(context.Background(), meta.RepoRecord{Key: k, Class: "local", PackageType: "generic"}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *findFixture) put(repo, path string) {
	f.t.Helper()
	if _, err := f.s.PutFile(context.Background(), arca.Item{Repo: repo, Path: path, Checksums: arca.Checksums{SHA256: "1"}}, meta.PutOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

// find runs FindItems and checks the number of items and of database reads so far.
func (f *findFixture) find(repos []string, path string, wantItems, wantReads int) {
	f.t.Helper()
	items, err := f.s.FindItems(context.Background(), repos, path)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(items) != wantItems || f.inner.finds != wantReads {
		f.t.Fatalf("FindItems(%q, %q): %d items after %d database reads, want %d after %d", repos, path, len(items), f.inner.finds, wantItems, wantReads)
	}
}

func TestFindHits(t *testing.T) {
	f := newFindFixture(t, 1000)
	f.put("b", "x/y")
	abc := []string{"a", "b", "c"}
	f.find(abc, "x/y", 1, 1)
	f.find(abc, "x/y", 1, 1) // cached
	f.find([]string{"a", "b", "c"}, "x/y", 1, 1)
	f.find([]string{"c", "b", "a"}, "x/y", 1, 2) // another list: another entry
	f.find(abc, "x", 1, 3)                       // another path
	f.find(abc, "x/y", 1, 3)

	// Through a prepared set: the same entries.
	set := meta.NewRepoSet(abc)
	for range 2 {
		items, err := meta.FindItemsIn(context.Background(), f.s, set, "x/y")
		if err != nil || len(items) != 1 || f.inner.finds != 3 {
			t.Fatalf("FindItemsIn = %+v, %v after %d reads; want 1 item, cached", items, err, f.inner.finds)
		}
	}

	// The caller owns what it gets: changing it does not change the cache.
	items, _ := f.s.FindItems(context.Background(), abc, "x/y")
	items[0].Path = "changed"
	f.find(abc, "x/y", 1, 3)
	if again, _ := f.s.FindItems(context.Background(), abc, "x/y"); again[0].Path != "x/y" {
		t.Errorf("cached item modified through a returned slice: %+v", again[0])
	}
}

// TestFindInvalidation: a write to any listed repository, and only to those, makes the result
// stale; so does the creation of a listed repository.
func TestFindInvalidation(t *testing.T) {
	f := newFindFixture(t, 1000)
	f.put("b", "x/y")
	abd := []string{"a", "b", "d"}
	reads := 0
	f.find(abd, "x/y", 1, reads+1)
	reads++

	f.put("c", "other") // not listed
	f.find(abd, "x/y", 1, reads)

	for i, write := range []func(){
		func() { f.put("a", "unrelated/path") },
		func() { f.put("b", "x/y") },
		func() { f.put("a", "x/y") },
		func() {
			if _, err := f.s.Delete(context.Background(), "a", "x/y"); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			if err := f.s.CreateRepo(context.Background(), meta.RepoRecord{Key: "D", Class: "local", PackageType: "generic"}); err != nil {
				t.Fatal(err)
			}
		},
	} {
		write()
		reads++
		want := 1
		if i == 2 {
			want = 2
		}
		f.find(abd, "x/y", want, reads) // read again, correctly
		f.find(abd, "x/y", want, reads) // and cached again
	}
}

// TestFindNoneCached: a result with no items is cached, and a PutFile into one of the listed
// repositories makes it stale.
func TestFindNoneCached(t *testing.T) {
	f := newFindFixture(t, 1000)
	abc := []string{"a", "b", "c"}
	f.find(abc, "p/q", 0, 1)
	f.find(abc, "p/q", 0, 1)
	f.put("c", "p/q")
	f.find(abc, "p/q", 1, 2)
	f.find(abc, "p/q", 1, 2)

	// The root of a repository created after a "none".
	f.find([]string{"new"}, "", 0, 3)
	f.find([]string{"new"}, "", 0, 3)
	if err := f.s.CreateRepo(context.Background(), meta.RepoRecord{Key: "new", Class: "local", PackageType: "generic"}); err != nil {
		t.Fatal(err)
	}
	f.find([]string{"new"}, "", 1, 4)
}

func TestFindErrorsNotCached(t *testing.T) {
	f := newFindFixture(t, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.s.FindItems(ctx, []string{"a"}, "x"); err == nil {
		t.Fatal("FindItems with a cancelled context succeeded")
	}
	f.find([]string{"a"}, "x", 0, 2)
}

func TestFindBounded(t *testing.T) {
	f := newFindFixture(t, 10)
	for i := range 50 {
		f.find([]string{"a", "b"}, fmt.Sprint("p", i), 0, i+1)
		if n := f.s.FindLen(); n > 10 {
			t.Fatalf("cache holds %d results, limit 10", n)
		}
	}
}

func TestGenerations(t *testing.T) {
	f := newFindFixture(t, 10)
	var g meta.Generations = f.s
	a0, b0, sum0 := g.Generation("a"), g.Generation("B"), f.s.GenerationSum([]string{"a", "b", "c"})
	f.put("b", "x")
	if g.Generation("a") != a0 || g.Generation("b") <= b0 {
		t.Errorf("after a write to b: generations a %d→%d, b %d→%d", a0, g.Generation("a"), b0, g.Generation("b"))
	}
	if sum := f.s.GenerationSum([]string{"a", "b", "c"}); sum == sum0 {
		t.Errorf("GenerationSum unchanged after a write to a listed repository")
	}
}

// BenchmarkFindItemsHit100 is the cached lookup of a virtual repository with 100 members, the
// hit in the last; compare BenchmarkGetItemHit, a direct download's cached lookup.
func BenchmarkFindItemsHit100(b *testing.B) {
	ctx := context.Background()
	s := itemcache.New(open(b), 10000, time.Hour)
	var repos []string
	for i := range 100 {
		k := fmt.Sprintf("libs-member-%02d", i)
		if err := s.CreateRepo(ctx, meta.RepoRecord{Key: k, Class: "local", PackageType: "maven"}); err != nil {
			b.Fatal(err)
		}
		repos = append(repos, k)
	}
	const p = "org/example/mod/1.0/mod-1.0.jar"
	if _, err := s.PutFile(ctx, arca.Item{Repo: repos[99], Path: p, Checksums: arca.Checksums{SHA256: "1"}}, meta.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	check := func(items []arca.Item, err error) {
		if err != nil || len(items) != 1 || items[0].Repo != repos[99] {
			b.Fatal(items, err)
		}
	}
	b.Run("Keys", func(b *testing.B) {
		for b.Loop() {
			check(s.FindItems(ctx, repos, p))
		}
	})
	b.Run("RepoSet", func(b *testing.B) {
		set := meta.NewRepoSet(repos)
		for b.Loop() {
			check(meta.FindItemsIn(ctx, s, set, p))
		}
	})
	b.Run("RepoSetParallel", func(b *testing.B) {
		set := meta.NewRepoSet(repos)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				check(meta.FindItemsIn(ctx, s, set, p))
			}
		})
	})
}

// BenchmarkGetItemHit is a direct download's cached lookup.
func BenchmarkGetItemHit(b *testing.B) {
	ctx := context.Background()
	s := itemcache.New(open(b), 10000, time.Hour)
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "libs", Class: "local", PackageType: "maven"}); err != nil {
		b.Fatal(err)
	}
	const p = "org/example/mod/1.0/mod-1.0.jar"
	if _, err := s.PutFile(ctx, arca.Item{Repo: "libs", Path: p, Checksums: arca.Checksums{SHA256: "1"}}, meta.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.GetItem(ctx, "libs", p); err != nil {
			b.Fatal(err)
		}
	}
}
