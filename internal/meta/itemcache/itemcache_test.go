package itemcache_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"arca"
	"arca/internal/meta"
	"arca/internal/meta/itemcache"
	"arca/internal/meta/metatest"
	"arca/internal/meta/sqlstore"
)

func open(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance holds the cached store to every contract of meta.Store: a stale read after
// any write would fail one of the suite's read-after-write checks.
func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store { return itemcache.New(open(t), 1000, time.Minute) })
}

// countingStore counts GetItem calls that reach the database.
type countingStore struct {
	meta.Store
	gets int
}

func (c *countingStore) GetItem(ctx context.Context, repo, path string) (arca.Item, error) {
	c.gets++
	return c.Store.GetItem(ctx, repo, path)
}

func TestHitsAndInvalidation(t *testing.T) {
	ctx := context.Background()
	inner := &countingStore{Store: open(t)}
	s := itemcache.New(inner, 1000, time.Minute)
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "r", Class: "local", PackageType: "generic", Config: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	put := func(p, sha string) {
		t.Helper()
		f := arca.Item{Repo: "r", Path: p, Size: 1, Checksums: arca.Checksums{SHA256: sha}}
		if _, err := s.PutFile(ctx, f, meta.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(p string) arca.Item {
		t.Helper()
		it, err := s.GetItem(ctx, "r", p)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	put("a/x", "11")
	get("a/x")
	get("a/x")
	if inner.gets != 1 {
		t.Fatalf("database reads = %d, want 1 (second read cached)", inner.gets)
	}
	put("a/x", "22")
	if got := get("a/x").Checksums.SHA256; got != "22" {
		t.Fatalf("after overwrite: sha256 %q, want 22", got)
	}
	if _, err := s.Move(ctx, "r", "a", "r", "b", "u", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetItem(ctx, "r", "a/x"); !errors.Is(err, arca.ErrNotFound) {
		t.Fatalf("after move: %v, want ErrNotFound", err)
	}
	if _, err := s.Delete(ctx, "r", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetItem(ctx, "r", "b/x"); !errors.Is(err, arca.ErrNotFound) {
		t.Fatalf("after delete: %v, want ErrNotFound", err)
	}
}

func TestBounded(t *testing.T) {
	ctx := context.Background()
	inner := &countingStore{Store: open(t)}
	s := itemcache.New(inner, 10, time.Minute)
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "r", Class: "local", PackageType: "generic", Config: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		p := string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := s.PutFile(ctx, arca.Item{Repo: "r", Path: p, Checksums: arca.Checksums{SHA256: "1"}}, meta.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetItem(ctx, "r", p); err != nil {
			t.Fatal(err)
		}
		if n := s.Len(); n > 10 {
			t.Fatalf("cache holds %d items, limit 10", n)
		}
	}
	// Every later PutFile made "aa" stale (same repository), so it is read again, correctly.
	before := inner.gets
	if it, err := s.GetItem(ctx, "r", "aa"); err != nil || it.Path != "aa" {
		t.Fatalf("GetItem(aa) = %+v, %v", it, err)
	}
	if inner.gets != before+1 {
		t.Errorf("stale item not read from the database")
	}
}
