package blobcache_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"arca"
	"arca/internal/blob"
	"arca/internal/blob/blobcache"
	"arca/internal/blob/blobtest"
	"arca/internal/blob/fsblob"
)

func newFS(t *testing.T) *fsblob.Store {
	t.Helper()
	s, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformance holds the cached store to the blob.Store contract, with a cache small enough
// that the suite's blobs go through both paths (cached and passed through) and evictions.
func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return blobcache.New(newFS(t), 1024, 4096) })
}

func TestSmallFromMemoryLargeFromDisk(t *testing.T) {
	inner := newFS(t)
	s := blobcache.New(inner, 16, 1<<20)
	ctx := t.Context()
	small := blobtest.Put(t, s, []byte("small blob"), arca.Checksums{})
	large := blobtest.Put(t, s, bytes.Repeat([]byte("L"), 100), arca.Checksums{})

	f, err := s.Open(ctx, small.Digest)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	// The small blob is now served from memory even if the file disappears underneath.
	if err := os.Remove(filepath.Join(inner.Root(), "sha256", small.Digest[:2], small.Digest)); err != nil {
		t.Fatal(err)
	}
	f, err = s.Open(ctx, small.Digest)
	if err != nil {
		t.Fatalf("cached open: %v", err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "small blob" {
		t.Fatalf("cached content %q", b)
	}
	if n, size := s.Cached(); n != 1 || size != int64(len("small blob")) {
		t.Errorf("Cached() = %d, %d", n, size)
	}

	lf, err := s.Open(ctx, large.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if _, ok := lf.(*os.File); !ok {
		t.Errorf("large blob opened as %T, want *os.File (sendfile)", lf)
	}
	if b, _ := io.ReadAll(lf); len(b) != 100 {
		t.Errorf("large blob read %d bytes after the size probe", len(b))
	}

	if err := s.Delete(ctx, small.Digest); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Cached(); n != 0 {
		t.Errorf("Delete left %d cached blobs", n)
	}
}

// TestCapacityKeepsRecentlyServed opens more small blobs than the capacity holds: the cached
// bytes stay within it and a blob served again and again stays cached.
func TestCapacityKeepsRecentlyServed(t *testing.T) {
	inner := newFS(t)
	s := blobcache.New(inner, 100, 250)
	ctx := t.Context()
	open := func(digest string) {
		t.Helper()
		f, err := s.Open(ctx, digest)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	hot := blobtest.Put(t, s, bytes.Repeat([]byte("h"), 100), arca.Checksums{})
	for i := range 10 {
		open(hot.Digest)
		b := blobtest.Put(t, s, bytes.Repeat([]byte{byte('a' + i)}, 100), arca.Checksums{})
		open(b.Digest)
		if _, size := s.Cached(); size > 250 {
			t.Fatalf("cached %d bytes, capacity 250", size)
		}
	}
	if err := os.Remove(filepath.Join(inner.Root(), "sha256", hot.Digest[:2], hot.Digest)); err != nil {
		t.Fatal(err)
	}
	open(hot.Digest) // from memory, or this fails: the file is gone
	if n, size := s.Cached(); n != 2 || size != 200 {
		t.Errorf("Cached() = %d, %d; want the hot blob and the last one", n, size)
	}
}
