package fsblob

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"arca"
	"arca/internal/blob"
)

const (
	// chunkSize is the unit of an ingest: bytes are gathered into chunks of this size, and each
	// full chunk is hashed and written while the next one fills. Large enough that the hand-off
	// to the sinks costs nothing measurable, small enough that a chunk's pieces stay in cache
	// from one hash to the next (see fanout).
	chunkSize = 1 << 20
	// ringSize is the number of chunks an upload of more than one chunk circulates: one being
	// filled from the request while the sinks work on the others. It bounds an upload's
	// buffer memory to ringSize*chunkSize, whatever the blob's size.
	ringSize = 4
)

// writer is the blob.Writer of a Store.
//
// Bytes are gathered into a chunk. A blob that fits in one chunk is hashed and written at
// Commit: one write(2). When a chunk fills, the writer starts a fanout and hands it each chunk;
// with several CPUs MD5 is then computed on its own goroutine while this one reads, computes
// SHA-256 and SHA-1 and writes the file (see send). A sink's error (the file write's) surfaces
// at the next Write, ReadFrom, Sums or Commit.
type writer struct {
	s    *Store
	f    *os.File
	out  fileSink
	size int64

	sha256, sha1, md5 hash.Hash
	cur               *chunk  // the chunk being filled; nil when none
	fan               *fanout // nil until the first full chunk

	err    error // first write error; the writer is unusable after it
	closed bool  // f is closed
	done   bool  // committed or discarded; Cancel is then a no-op
}

var _ blob.Writer = (*writer)(nil)
var _ io.ReaderFrom = (*writer)(nil)

func newWriter(s *Store, f *os.File) *writer {
	return &writer{
		s:      s,
		f:      f,
		out:    fileSink{f: f},
		sha256: sha256.New(),
		sha1:   sha1.New(),
		md5:    md5.New(),
	}
}

// Write appends p to the blob. After a failed write, or after Commit or Cancel, it fails.
func (w *writer) Write(p []byte) (int, error) {
	var n int
	for len(p) > 0 {
		if err := w.ready(); err != nil {
			return n, err
		}
		k := copy(w.cur.data[w.cur.n:], p)
		w.cur.n += k
		w.size += int64(k)
		n += k
		p = p[k:]
		if w.cur.n == len(w.cur.data) {
			w.send()
		}
	}
	return n, nil
}

// ReadFrom appends everything r yields until io.EOF, reading straight into the chunks (so
// io.Copy from a request body makes chunk-sized reads and no extra copy). An error from r is
// returned as it is; the blob then holds the bytes read before it.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	for {
		if err := w.ready(); err != nil {
			return n, err
		}
		k, err := r.Read(w.cur.data[w.cur.n:])
		w.cur.n += k
		w.size += int64(k)
		n += int64(k)
		if w.cur.n == len(w.cur.data) {
			w.send()
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// ready makes sure w.cur is a chunk with room, and fails when the writer cannot take bytes.
func (w *writer) ready() error {
	if w.done {
		return errors.New("fsblob: write after commit or cancel")
	}
	if w.err == nil && w.fan != nil {
		if err := w.fan.errNow(); err != nil {
			w.err = fmt.Errorf("fsblob: write: %w", err)
		}
	}
	if w.err != nil {
		return w.err
	}
	if w.cur == nil {
		if w.fan != nil {
			w.cur = w.fan.get()
		} else {
			w.cur = w.s.getChunk()
		}
	}
	return nil
}

// send hands the current chunk on: to the fanout, started now if the chunk is full; inline
// (hashed and written on this goroutine) if the blob so far fits in this one chunk.
func (w *writer) send() {
	c := w.cur
	w.cur = nil
	if c == nil {
		return
	}
	if w.fan == nil && c.n < len(c.data) {
		w.inline(c)
		c.n = 0
		w.s.putChunk(c)
		return
	}
	if w.fan == nil {
		ring := make([]*chunk, 0, ringSize-1)
		for range ringSize - 1 {
			ring = append(ring, w.s.getChunk())
		}
		// c joins the ring: it is in circulation from now on. On one CPU everything runs
		// on this goroutine (see fanout for why); with more, MD5, the slowest of the three
		// hashes, gets its own, so the ingest runs at MD5's speed instead of the sum of all.
		inline := []func([]byte) error{hashSink(w.sha256), hashSink(w.sha1), w.out.write}
		var async []func([]byte) error
		if runtime.GOMAXPROCS(0) > 1 {
			async = append(async, hashSink(w.md5))
		} else {
			inline = append(inline, hashSink(w.md5))
		}
		w.fan = newFanout(ring, 1, inline, async...)
	}
	w.fan.put(c)
}

func (w *writer) inline(c *chunk) {
	b := c.data[:c.n]
	if len(b) == 0 || w.err != nil {
		return
	}
	w.sha256.Write(b)
	w.sha1.Write(b)
	w.md5.Write(b)
	if err := w.out.write(b); err != nil {
		w.err = fmt.Errorf("fsblob: write: %w", err)
	}
}

func hashSink(h hash.Hash) func([]byte) error {
	return func(b []byte) error {
		h.Write(b) // never fails
		return nil
	}
}

// drain hands on the partly filled chunk and waits until every byte accepted so far is hashed
// and written; it records a sink's error in w.err.
func (w *writer) drain() {
	w.send()
	if w.fan == nil {
		return
	}
	if err := w.fan.wait(); err != nil && w.err == nil {
		w.err = fmt.Errorf("fsblob: write: %w", err)
	}
}

// stop ends the fanout's goroutines, if any, and returns every chunk to the store's pool.
func (w *writer) stop() {
	if w.cur != nil {
		c := w.cur
		w.cur = nil
		if w.fan != nil {
			w.fan.release(c)
		} else {
			c.n = 0
			w.s.putChunk(c)
		}
	}
	if w.fan == nil {
		return
	}
	chunks, err := w.fan.close()
	w.fan = nil
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("fsblob: write: %w", err)
	}
	for _, c := range chunks {
		w.s.putChunk(c)
	}
}

// Size returns the number of bytes written so far.
func (w *writer) Size() int64 { return w.size }

// Sums returns the checksums of the bytes written so far. Before Commit it waits until they
// are all hashed (and, should a chunk still be filling, hands it on first).
func (w *writer) Sums() arca.Checksums {
	if !w.done {
		w.drain()
	}
	return blob.SumsOf(w.sha256, w.sha1, w.md5)
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
	w.send()
	w.stop()
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
	sums := w.Sums()
	if err := blob.Verify(want, sums); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	w.out.wait()
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
	w.stop()
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
