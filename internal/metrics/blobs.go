package metrics

import (
	"context"
	"errors"
	"io"
	"time"

	"arca"
	"arca/internal/blob"
)

// Blobs wraps a blob store so that its operations are timed into m
// (arca_blob_operation_duration_seconds by op and result). The wrapper offers every optional
// capability callers look for (blob.SmallReader, blob.Toucher, blob.TempCleaner and the
// age-checked delete of garbage collection), passing each to the inner store when it has it
// and doing what callers would do without it otherwise.
func Blobs(inner blob.Store, m *Metrics) *TimedBlobs { return &TimedBlobs{inner: inner, m: m} }

// TimedBlobs is the wrapper Blobs returns.
type TimedBlobs struct {
	inner blob.Store
	m     *Metrics
}

var (
	_ blob.Store       = (*TimedBlobs)(nil)
	_ blob.SmallReader = (*TimedBlobs)(nil)
	_ blob.Toucher     = (*TimedBlobs)(nil)
	_ blob.TempCleaner = (*TimedBlobs)(nil)
)

// observe times op: a not-found answer is a result of its own, not an error.
func (t *TimedBlobs) observe(op string, start time.Time, err error) {
	result := "ok"
	switch {
	case errors.Is(err, arca.ErrNotFound):
		result = "not_found"
	case err != nil:
		result = "error"
	}
	t.m.blobOps.WithLabelValues(op, result).Observe(time.Since(start).Seconds())
}

func (t *TimedBlobs) Stat(ctx context.Context, digest string) (blob.Info, error) {
	start := time.Now()
	info, err := t.inner.Stat(ctx, digest)
	t.observe("stat", start, err)
	return info, err
}

func (t *TimedBlobs) Open(ctx context.Context, digest string) (blob.File, error) {
	start := time.Now()
	f, err := t.inner.Open(ctx, digest)
	t.observe("open", start, err)
	return f, err
}

// ReadSmall implements blob.SmallReader: the inner store's, or Open and a read of the whole
// blob when it is small enough.
func (t *TimedBlobs) ReadSmall(ctx context.Context, digest string, max int64) ([]byte, blob.File, error) {
	start := time.Now()
	b, f, err := t.readSmall(ctx, digest, max)
	t.observe("open", start, err)
	return b, f, err
}

func (t *TimedBlobs) readSmall(ctx context.Context, digest string, max int64) ([]byte, blob.File, error) {
	if sr, ok := t.inner.(blob.SmallReader); ok {
		return sr.ReadSmall(ctx, digest, max)
	}
	f, err := t.inner.Open(ctx, digest)
	if err != nil {
		return nil, nil, err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if size > max {
		return nil, f, nil
	}
	defer f.Close()
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, err
	}
	return b, nil, nil
}

func (t *TimedBlobs) Create(ctx context.Context) (blob.Writer, error) {
	w, err := t.inner.Create(ctx)
	if err != nil {
		return nil, err
	}
	return &timedWriter{Writer: w, t: t}, nil
}

// timedWriter times Commit, where a store makes the blob durable and visible.
type timedWriter struct {
	blob.Writer
	t *TimedBlobs
}

func (w *timedWriter) Commit(ctx context.Context, want arca.Checksums) (blob.Info, error) {
	start := time.Now()
	info, err := w.Writer.Commit(ctx, want)
	w.t.observe("commit", start, err)
	return info, err
}

// ReadFrom keeps the inner writer's io.ReaderFrom, when it has one, reachable.
func (w *timedWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := w.Writer.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{w.Writer}, r)
}

func (t *TimedBlobs) Delete(ctx context.Context, digest string) error {
	start := time.Now()
	err := t.inner.Delete(ctx, digest)
	t.observe("delete", start, err)
	return err
}

func (t *TimedBlobs) Walk(ctx context.Context, fn func(blob.Info) error) error {
	return t.inner.Walk(ctx, fn)
}

// Touch implements blob.Toucher: the inner store's, or a check that the blob exists.
func (t *TimedBlobs) Touch(ctx context.Context, digest string) error {
	start := time.Now()
	var err error
	if to, ok := t.inner.(blob.Toucher); ok {
		err = to.Touch(ctx, digest)
	} else {
		_, err = t.inner.Stat(ctx, digest)
	}
	t.observe("touch", start, err)
	return err
}

// DeleteIfOlder is garbage collection's age-checked delete: the inner store's, or a Stat and a
// Delete (not atomic) when it has none.
func (t *TimedBlobs) DeleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error) {
	start := time.Now()
	deleted, err := t.deleteIfOlder(ctx, digest, cutoff)
	t.observe("delete", start, err)
	return deleted, err
}

func (t *TimedBlobs) deleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error) {
	if d, ok := t.inner.(interface {
		DeleteIfOlder(context.Context, string, time.Time) (bool, error)
	}); ok {
		return d.DeleteIfOlder(ctx, digest, cutoff)
	}
	info, err := t.inner.Stat(ctx, digest)
	if errors.Is(err, arca.ErrNotFound) {
		return false, nil
	}
	if err != nil || !info.ModTime.Before(cutoff) {
		return false, err
	}
	return true, t.inner.Delete(ctx, digest)
}

// CleanTemp implements blob.TempCleaner: the inner store's, or nothing to clean.
func (t *TimedBlobs) CleanTemp(ctx context.Context, olderThan time.Duration) (int, error) {
	if c, ok := t.inner.(blob.TempCleaner); ok {
		return c.CleanTemp(ctx, olderThan)
	}
	return 0, nil
}
