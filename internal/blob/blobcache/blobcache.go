// Package blobcache is a blob.Store decorator that keeps the content of small blobs in memory.
//
// Blobs are immutable and addressed by their digest, so a cached copy can never be stale; only
// Delete drops an entry. Serving a small file from memory saves the open, seeks, sendfile and
// close that dominate the cost of a small download, and lets the server send headers and body
// in one write. Large blobs are passed through untouched (still an *os.File, for sendfile).
//
// The cached contents are an lru.Cache whose cost is the blob's size: the capacity bounds the
// bytes held, and the least recently served blobs leave first.
package blobcache

import (
	"context"
	"errors"
	"io"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/lru"
)

// Store wraps a blob.Store.
type Store struct {
	blob.Store
	maxBlob int64                      // blobs larger than this are never cached
	data    *lru.Cache[string, []byte] // digest → content, capacity bytes at most
}

var (
	_ blob.Store   = (*Store)(nil)
	_ blob.Toucher = (*Store)(nil)
)

// New caches blobs of at most maxBlob bytes, capacity bytes in all.
func New(inner blob.Store, maxBlob, capacity int64) *Store {
	return &Store{Store: inner, maxBlob: maxBlob, data: lru.New(lru.Options[string, []byte]{MaxCost: capacity,
		Cost: func(_ string, b []byte) int64 { return int64(len(b)) }})}
}

// Open implements blob.Reader: from memory when cached, else from the inner store, caching the
// content when the blob is small.
func (s *Store) Open(ctx context.Context, digest string) (blob.File, error) {
	if b, ok := s.data.Get(digest); ok {
		return blob.BytesFile(b), nil
	}
	if sr, ok := s.Store.(blob.SmallReader); ok {
		b, f, err := sr.ReadSmall(ctx, digest, s.maxBlob)
		if err != nil || f != nil {
			return f, err
		}
		s.data.Put(digest, b)
		return blob.BytesFile(b), nil
	}
	f, err := s.Store.Open(ctx, digest)
	if err != nil {
		return nil, err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, err
	}
	if size > s.maxBlob {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	defer f.Close()
	b := make([]byte, size)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	s.data.Put(digest, b)
	return blob.BytesFile(b), nil
}

// Delete implements blob.Collector and drops the cached copy.
func (s *Store) Delete(ctx context.Context, digest string) error {
	s.drop(digest)
	return s.Store.Delete(ctx, digest)
}

func (s *Store) drop(digest string) { s.data.Remove(digest) }

// Stats returns the hits and misses of Open on the cache since New (for metrics; a blob too
// large to cache counts as a miss).
func (s *Store) Stats() (hits, misses uint64) { return s.data.Stats() }

// Cached returns the number of cached blobs and their total size (an empty blob counts as one
// byte; for metrics and tests).
func (s *Store) Cached() (n int, size int64) { return s.data.Len(), s.data.Cost() }

// Touch forwards to the inner store's blob.Toucher; without one it checks existence.
func (s *Store) Touch(ctx context.Context, digest string) error {
	if t, ok := s.Store.(blob.Toucher); ok {
		return t.Touch(ctx, digest)
	}
	_, err := s.Store.Stat(ctx, digest)
	return err
}

// ageDeleter is the inner store's optional age-checked delete (used by garbage collection).
type ageDeleter interface {
	DeleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error)
}

// DeleteIfOlder forwards to the inner store's age-checked delete (without one: Stat, then Delete,
// which is not atomic) and drops the cached copy when the blob is deleted.
func (s *Store) DeleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error) {
	d, ok := s.Store.(ageDeleter)
	if !ok {
		info, err := s.Store.Stat(ctx, digest)
		if errors.Is(err, arca.ErrNotFound) {
			return false, nil
		}
		if err != nil || !info.ModTime.Before(cutoff) {
			return false, err
		}
		return true, s.Delete(ctx, digest)
	}
	deleted, err := d.DeleteIfOlder(ctx, digest, cutoff)
	if deleted {
		s.drop(digest)
	}
	return deleted, err
}
