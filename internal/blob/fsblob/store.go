// Package fsblob is the filesystem blob.Store, Arca's default.
//
// Layout under the root directory:
//
//	root/sha256/ab/abcdef…   committed blobs, sharded by the first two hex digits of the digest
//	root/tmp/blob-*          uploads in progress (and, after a crash, their leftovers)
//
// A blob becomes visible by rename(2) from tmp/ into its shard, after the file has been fsynced
// and its checksums verified, and the shard directory is fsynced after the rename. Both
// directories must therefore be on the same filesystem, which New guarantees by creating them
// under one root. Digests are validated with blob.ValidDigest before any path is built, so no
// caller-supplied string ever reaches the filesystem.
//
// A blob's modification time is its commit time. Garbage collection relies on it for its grace
// period, which is why committing bytes that are already stored refreshes the existing file's
// mtime instead of leaving it as it was.
package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"arca"
	"arca/internal/blob"
)

const (
	blobDirName = "sha256"
	tmpDirName  = "tmp"
	tmpPattern  = "blob-*"
	dirPerm     = 0o755
)

// Store is a blob.Store on a local filesystem. It is safe for concurrent use, also by several
// Stores (or processes) sharing one root, except that the guarantee of DeleteIfOlder (see there)
// holds only within one Store value.
type Store struct {
	root    string
	blobDir string
	tmpDir  string

	// mu orders "blob exists, refresh its mtime" in Commit against "blob is old, remove it" in
	// DeleteIfOlder, so garbage collection never deletes a blob that a commit has just
	// claimed. It is held only for a few metadata system calls.
	mu sync.Mutex

	// chunks recycles the writers' buffers (*chunk of chunkSize bytes), so that uploads do not
	// allocate a megabyte each.
	chunks sync.Pool
}

var _ blob.Store = (*Store)(nil)
var _ blob.Toucher = (*Store)(nil)

// New returns a Store rooted at root, creating root/sha256 and root/tmp if needed.
func New(root string) (*Store, error) {
	if root == "" {
		return nil, fmt.Errorf("fsblob: %w: empty root directory", arca.ErrInvalid)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	s := &Store{
		root:    abs,
		blobDir: filepath.Join(abs, blobDirName),
		tmpDir:  filepath.Join(abs, tmpDirName),
	}
	s.chunks.New = func() any { return &chunk{data: make([]byte, chunkSize)} }
	for _, d := range []string{s.blobDir, s.tmpDir} {
		if err := os.MkdirAll(d, dirPerm); err != nil {
			return nil, fmt.Errorf("fsblob: %w", err)
		}
	}
	return s, nil
}

func (s *Store) getChunk() *chunk { return s.chunks.Get().(*chunk) }

func (s *Store) putChunk(c *chunk) {
	c.n = 0
	s.chunks.Put(c)
}

// Root returns the absolute root directory of the store.
func (s *Store) Root() string { return s.root }

// Stat returns the blob's info. Invalid digest: arca.ErrInvalid; unknown digest: arca.ErrNotFound.
func (s *Store) Stat(ctx context.Context, digest string) (blob.Info, error) {
	p, err := s.path(digest)
	if err != nil {
		return blob.Info{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return blob.Info{}, notFound(digest, err)
	}
	return blob.Info{Digest: digest, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Open opens the blob for reading and returns the *os.File itself, so that net/http can serve
// it with sendfile. The caller closes it. Invalid digest: arca.ErrInvalid; unknown digest:
// arca.ErrNotFound. An open blob stays readable even if it is deleted meanwhile.
func (s *Store) Open(ctx context.Context, digest string) (blob.File, error) {
	p, err := s.path(digest)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(digest, err)
	}
	return f, nil
}

// Create starts a new blob in root/tmp. The caller must Commit or Cancel the writer; the
// writer is not safe for concurrent use.
func (s *Store) Create(ctx context.Context) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fsblob: create: %w", err)
	}
	f, err := os.CreateTemp(s.tmpDir, tmpPattern)
	if err != nil {
		return nil, fmt.Errorf("fsblob: create: %w", err)
	}
	return newWriter(s, f), nil
}

// Delete removes a blob. Unknown digest: nil. Invalid digest: arca.ErrInvalid. Readers that
// have the blob open keep reading it.
func (s *Store) Delete(ctx context.Context, digest string) error {
	p, err := s.path(digest)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: delete %s: %w", digest, err)
	}
	return nil
}

// DeleteIfOlder removes the blob only if its modification time is before cutoff, and reports
// whether it did. Unknown digest: false, nil. Invalid digest: arca.ErrInvalid.
//
// Garbage collection uses it instead of Delete: a Commit of the same bytes in this Store
// refreshes the mtime under the same lock, so a blob claimed by an upload after GC decided to
// delete it survives. (Across processes sharing a root the check and the removal are not
// atomic; the grace period is then the only protection.)
func (s *Store) DeleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error) {
	p, err := s.path(digest)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("fsblob: delete %s: %w", digest, err)
	}
	if !fi.ModTime().Before(cutoff) {
		return false, nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("fsblob: delete %s: %w", digest, err)
	}
	return true, nil
}

// Touch renews the blob's modification time, restarting garbage collection's grace period for a
// blob about to be referenced again without a new Commit (a checksum deploy). It takes the same
// lock as DeleteIfOlder, so after Touch returns nil the blob survives the next collection.
// Unknown digest: arca.ErrNotFound.
func (s *Store) Touch(ctx context.Context, digest string) error {
	p, err := s.path(digest)
	if err != nil {
		return err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Chtimes(p, now, now); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return arca.Errorf(arca.ErrNotFound, "blob %s does not exist", digest)
		}
		return fmt.Errorf("fsblob: touch %s: %w", digest, err)
	}
	return nil
}

// Walk calls fn for every committed blob, shard by shard, stopping at fn's first error (which
// it returns unchanged) or when ctx is done. Files in root/tmp and stray files whose names are
// not digests are skipped. Blobs committed or deleted during the walk may or may not be seen.
func (s *Store) Walk(ctx context.Context, fn func(blob.Info) error) error {
	shards, err := os.ReadDir(s.blobDir)
	if err != nil {
		return fmt.Errorf("fsblob: walk: %w", err)
	}
	for _, shard := range shards {
		if !shard.IsDir() || !validShard(shard.Name()) {
			continue
		}
		if err := s.walkShard(ctx, shard.Name(), fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) walkShard(ctx context.Context, shard string, fn func(blob.Info) error) error {
	entries, err := os.ReadDir(filepath.Join(s.blobDir, shard))
	if err != nil {
		return fmt.Errorf("fsblob: walk: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("fsblob: walk: %w", err)
		}
		name := e.Name()
		if !e.Type().IsRegular() || !blob.ValidDigest(name) || name[:2] != shard {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted since ReadDir
		}
		if err != nil {
			return fmt.Errorf("fsblob: walk: %w", err)
		}
		if err := fn(blob.Info{Digest: name, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// CleanTemp removes files in root/tmp last modified more than olderThan ago, and returns how
// many it removed. They are uploads abandoned by a crash; call it at startup, or periodically
// with an olderThan well above the longest upload, since an upload in progress also lives there.
func (s *Store) CleanTemp(ctx context.Context, olderThan time.Duration) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(s.tmpDir)
	if err != nil {
		return 0, fmt.Errorf("fsblob: clean temp: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	n := 0
	var errs []error
	for _, e := range entries {
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // committed or cancelled since ReadDir
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if fi.IsDir() || !fi.ModTime().Before(cutoff) {
			continue
		}
		switch err := os.Remove(filepath.Join(s.tmpDir, e.Name())); {
		case err == nil:
			n++
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("fsblob: clean temp: %w", err)
	}
	return n, nil
}

// path returns the file name of a blob, or arca.ErrInvalid if digest is not a valid digest.
// It is the only place that turns a digest into a path.
func (s *Store) path(digest string) (string, error) {
	if !blob.ValidDigest(digest) {
		return "", arca.Errorf(arca.ErrInvalid, "invalid blob digest %q: want 64 lower-case hex characters", digest)
	}
	return filepath.Join(s.blobDir, digest[:2], digest), nil
}

func validShard(name string) bool {
	if len(name) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		c := name[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// notFound maps a missing file to arca.ErrNotFound and wraps other errors as they are.
func notFound(digest string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: blob %s: %w", digest, arca.ErrNotFound)
	}
	return fmt.Errorf("fsblob: blob %s: %w", digest, err)
}

// syncDir fsyncs a directory, making the creation or rename of its entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
