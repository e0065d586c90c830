package fsblob

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"arca"
	"arca/internal/blob"
)

// bufSize is the write buffer in front of the temp file: large enough that small writes from
// an HTTP body cost one write(2) per 128 KiB, small enough to keep per-upload memory modest.
// Writes of at least this size go to the file directly.
const bufSize = 128 << 10

// writer is the blob.Writer of a Store. Every byte is hashed as it is accepted, so Sums is
// exact at any time without flushing; only the file writes are buffered.
type writer struct {
	s    *Store
	f    *os.File
	buf  *bufio.Writer
	size int64

	sha256, sha1, md5 hash.Hash
	// md5Work feeds large writes to a goroutine that hashes MD5 while this one hashes SHA-256
	// and SHA-1 and writes the file: MD5 is the slowest of the three (no CPU instructions for
	// it), so the pass runs at MD5's speed instead of the sum of all three. Started lazily,
	// stopped by Commit/Cancel.
	md5Work chan []byte
	md5Done chan struct{}

	err    error // first write error; the writer is unusable after it
	closed bool  // f is closed
	done   bool  // committed or discarded; Cancel is then a no-op
}

var _ blob.Writer = (*writer)(nil)

func newWriter(s *Store, f *os.File) *writer {
	return &writer{
		s:      s,
		f:      f,
		buf:    bufio.NewWriterSize(f, bufSize),
		sha256: sha256.New(),
		sha1:   sha1.New(),
		md5:    md5.New(),
	}
}

// Write appends p to the blob. After a failed write, or after Commit or Cancel, it fails.
func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("fsblob: write after commit or cancel")
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.buf.Write(p)
	// Hashes never fail; hash exactly what the file accepted.
	if n >= parallelMin {
		w.startMD5()
		w.md5Work <- p[:n]
		w.sha256.Write(p[:n])
		w.sha1.Write(p[:n])
		<-w.md5Done // p is the caller's: done with it before returning
	} else {
		w.sha256.Write(p[:n])
		w.sha1.Write(p[:n])
		w.md5.Write(p[:n])
	}
	w.size += int64(n)
	if err != nil {
		w.err = fmt.Errorf("fsblob: write: %w", err)
		return n, w.err
	}
	return n, nil
}

// parallelMin is the write size from which MD5 is hashed on the worker goroutine; below it the
// hand-off costs more than it saves.
const parallelMin = 16 << 10

func (w *writer) startMD5() {
	if w.md5Work != nil {
		return
	}
	w.md5Work, w.md5Done = make(chan []byte), make(chan struct{})
	go func(h hash.Hash, work <-chan []byte, done chan<- struct{}) {
		for b := range work {
			h.Write(b)
			done <- struct{}{}
		}
	}(w.md5, w.md5Work, w.md5Done)
}

// stopMD5 ends the MD5 goroutine (no write is in flight: Write waits for its hash).
func (w *writer) stopMD5() {
	if w.md5Work != nil {
		close(w.md5Work)
		w.md5Work = nil
	}
}

// Size returns the number of bytes written so far.
func (w *writer) Size() int64 { return w.size }

// Sums returns the checksums of the bytes written so far.
func (w *writer) Sums() arca.Checksums {
	return arca.Checksums{
		SHA256: hex.EncodeToString(w.sha256.Sum(nil)),
		SHA1:   hex.EncodeToString(w.sha1.Sum(nil)),
		MD5:    hex.EncodeToString(w.md5.Sum(nil)),
	}
}

// Commit verifies want against the computed sums, fsyncs the temp file and renames it into
// its shard. On an error before the rename the temp file is removed and nothing becomes
// visible; such errors are arca.ErrChecksum for a mismatch and ctx.Err() (wrapped) when ctx is
// done. An error after the rename (fsync of the directory) may leave the blob visible but not
// durable: an unreferenced orphan that GC removes. A second Commit fails.
func (w *writer) Commit(ctx context.Context, want arca.Checksums) (blob.Info, error) {
	if w.done {
		return blob.Info{}, errors.New("fsblob: commit after commit or cancel")
	}
	w.stopMD5()
	info, err := w.commit(ctx, want)
	if err != nil {
		w.discard()
		return blob.Info{}, err
	}
	w.done = true
	return info, nil
}

func (w *writer) commit(ctx context.Context, want arca.Checksums) (blob.Info, error) {
	if w.err != nil {
		return blob.Info{}, w.err
	}
	if err := w.buf.Flush(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	sums := w.Sums()
	if err := verify(want, sums); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	w.closed = true
	if err := w.f.Close(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	// fsync of a large file can take a while; the client may have gone meanwhile.
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	return w.s.publish(w.f.Name(), sums.SHA256, w.size)
}

// Cancel discards the blob and removes the temp file. After Commit, or a second time, it does
// nothing and returns nil.
func (w *writer) Cancel() error {
	if w.done {
		return nil
	}
	return w.discard()
}

// discard closes and removes the temp file and marks the writer done.
func (w *writer) discard() error {
	w.stopMD5()
	w.done = true
	var errs []error
	if !w.closed {
		w.closed = true
		errs = append(errs, w.f.Close())
	}
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("fsblob: cancel: %w", err)
	}
	return nil
}

// verify compares every declared (non-empty) checksum with the computed one, ignoring the case
// of the hex digits, and names each one that differs with both values.
func verify(want, got arca.Checksums) error {
	var bad []string
	for _, c := range []struct{ name, want, got string }{
		{"sha256", want.SHA256, got.SHA256},
		{"sha1", want.SHA1, got.SHA1},
		{"md5", want.MD5, got.MD5},
	} {
		if c.want != "" && !strings.EqualFold(c.want, c.got) {
			bad = append(bad, fmt.Sprintf("%s declared %q, computed %q", c.name, c.want, c.got))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return arca.Errorf(arca.ErrChecksum, "checksum mismatch: %s", strings.Join(bad, "; "))
}

// publish moves the fsynced, closed temp file tmp into place as blob digest and returns the
// blob's info. If the blob already exists with the same size, tmp is removed and the existing
// blob's mtime is refreshed instead: GC measures its grace period from the mtime, and the
// upload that called Commit is about to reference the blob.
func (s *Store) publish(tmp, digest string, size int64) (blob.Info, error) {
	dst, err := s.path(digest)
	if err != nil {
		return blob.Info{}, err
	}
	shardDir := filepath.Dir(dst)
	newShard := false
	switch err := os.Mkdir(shardDir, dirPerm); {
	case err == nil:
		newShard = true
	case !errors.Is(err, fs.ErrExist):
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	// The mtime is the commit time, not the time of the last write of a slow upload.
	now := time.Now()
	if err := os.Chtimes(tmp, now, now); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}

	s.mu.Lock()
	fi, renamed, err := s.claim(tmp, dst, size, now)
	s.mu.Unlock()
	if err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	if !renamed {
		if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
		}
	} else {
		if err := syncDir(shardDir); err != nil {
			return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
		}
		if newShard {
			if err := syncDir(s.blobDir); err != nil {
				return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
			}
		}
	}
	return blob.Info{Digest: digest, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// claim makes dst the committed blob: it refreshes the mtime of an existing dst of the right
// size, or renames tmp over it (a missing dst, or one whose size shows it is damaged). It
// reports whether tmp was renamed. The caller holds s.mu.
func (s *Store) claim(tmp, dst string, size int64, now time.Time) (fs.FileInfo, bool, error) {
	fi, err := os.Stat(dst)
	if err == nil && fi.Mode().IsRegular() && fi.Size() == size {
		if err := os.Chtimes(dst, now, now); err != nil {
			return nil, false, err
		}
		fi, err = os.Stat(dst)
		return fi, false, err
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return nil, false, err
	}
	fi, err = os.Stat(dst)
	return fi, true, err
}
