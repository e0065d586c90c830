package s3blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/minio/minio-go/v7"

	"arca"
	"arca/internal/blob"
)

// writer is the blob.Writer of a Store: the bytes are hashed as they are written and gathered
// into a part; a full part goes to the multipart upload (started at the first full part) on
// its own goroutine while the next part fills. At most one part is in flight, so an upload
// holds two parts of memory whatever its size. A failed part upload surfaces at the next
// Write or at Commit.
type writer struct {
	s    *Store
	size int64

	sha256, sha1, md5 hash.Hash
	cur               []byte // the part being filled (len is what it holds)

	tmpKey   string
	uploadID string // "" until the first full part
	parts    []minio.CompletePart
	inflight chan partResult // the part being uploaded; nil when none
	spare    []byte          // the buffer of the last part sent, reused when it comes back

	err  error // first error; the writer is unusable after it
	done bool  // committed or cancelled; Cancel is then a no-op
}

// partResult is the outcome of one part upload.
type partResult struct {
	part minio.CompletePart
	buf  []byte
	err  error
}

var _ blob.Writer = (*writer)(nil)

func newWriter(s *Store) *writer {
	return &writer{s: s, sha256: sha256.New(), sha1: sha1.New(), md5: md5.New()}
}

// Write appends p to the blob.
func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("s3blob: write after Commit or Cancel")
	}
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if w.cur == nil {
			w.cur = w.buffer()
		}
		k := copy(w.cur[len(w.cur):cap(w.cur)], p)
		w.hash(w.cur[len(w.cur) : len(w.cur)+k])
		w.cur = w.cur[:len(w.cur)+k]
		p, n, w.size = p[k:], n+k, w.size+int64(k)
		if int64(len(w.cur)) == w.s.partSize {
			if err := w.sendPart(context.Background()); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (w *writer) hash(b []byte) {
	w.sha256.Write(b)
	w.sha1.Write(b)
	w.md5.Write(b)
}

// buffer returns an empty part buffer: the spare one, or a new one.
func (w *writer) buffer() []byte {
	if b := w.spare; b != nil {
		w.spare = nil
		return b[:0]
	}
	return make([]byte, 0, w.s.partSize)
}

// sendPart starts the upload of the full part in cur, after the one in flight has finished.
func (w *writer) sendPart(ctx context.Context) error {
	if err := w.wait(); err != nil {
		return err
	}
	if w.uploadID == "" {
		w.tmpKey = w.s.prefix + tmpDir + randomName()
		id, err := w.s.core.NewMultipartUpload(ctx, w.s.bucket, w.tmpKey, minio.PutObjectOptions{})
		if err != nil {
			return w.fail(fmt.Errorf("s3blob: start upload: %w", err))
		}
		w.uploadID = id
		// The marker lets CleanTemp find the upload should this process die: not every
		// server lists multipart uploads by prefix (MinIO lists only those of one key).
		if _, err := w.s.c.PutObject(ctx, w.s.bucket, w.tmpKey+markerSuffix, strings.NewReader(id), int64(len(id)),
			minio.PutObjectOptions{DisableMultipart: true}); err != nil {
			return w.fail(fmt.Errorf("s3blob: start upload: %w", err))
		}
	}
	buf, num := w.cur, len(w.parts)+1
	w.cur = nil
	ch := make(chan partResult, 1)
	w.inflight = ch
	go func() {
		p, err := w.s.core.PutObjectPart(ctx, w.s.bucket, w.tmpKey, w.uploadID, num,
			bytes.NewReader(buf), int64(len(buf)), minio.PutObjectPartOptions{})
		ch <- partResult{minio.CompletePart{PartNumber: num, ETag: p.ETag}, buf, err}
	}()
	return nil
}

// wait waits for the part in flight, if any, and records it.
func (w *writer) wait() error {
	if w.inflight == nil {
		return w.err
	}
	r := <-w.inflight
	w.inflight = nil
	w.spare = r.buf
	if r.err != nil {
		return w.fail(fmt.Errorf("s3blob: upload part %d: %w", r.part.PartNumber, r.err))
	}
	w.parts = append(w.parts, r.part)
	return w.err
}

func (w *writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// Size is the number of bytes written so far.
func (w *writer) Size() int64 { return w.size }

// Sums returns the checksums of the bytes written so far.
func (w *writer) Sums() arca.Checksums {
	return blob.SumsOf(w.sha256, w.sha1, w.md5)
}

// Commit verifies the sums against want and writes the blob under its digest: a small blob in
// one PUT, a large one by completing its multipart upload and copying it server-side. Every
// Commit writes a new version, also of bytes already stored (see the package comment). On any
// failure nothing is visible and the upload is aborted.
func (w *writer) Commit(ctx context.Context, want arca.Checksums) (blob.Info, error) {
	if w.done {
		return blob.Info{}, errors.New("s3blob: Commit after Commit or Cancel")
	}
	if err := ctx.Err(); err != nil {
		w.Cancel()
		return blob.Info{}, fmt.Errorf("s3blob: commit: %w", err)
	}
	if err := w.wait(); err != nil {
		w.Cancel()
		return blob.Info{}, err
	}
	got := w.Sums()
	if err := blob.Verify(want, got); err != nil {
		w.Cancel()
		return blob.Info{}, err
	}
	key, err := w.s.key(got.SHA256)
	if err != nil {
		w.Cancel()
		return blob.Info{}, err
	}
	var info minio.UploadInfo
	if w.uploadID == "" {
		info, err = w.s.c.PutObject(ctx, w.s.bucket, key, bytes.NewReader(w.cur), int64(len(w.cur)),
			minio.PutObjectOptions{DisableMultipart: true, SendContentMd5: true})
	} else {
		info, err = w.completeAndCopy(ctx, key)
	}
	if err != nil {
		w.Cancel()
		return blob.Info{}, fmt.Errorf("s3blob: commit %s: %w", got.SHA256, err)
	}
	w.done, w.cur, w.spare = true, nil, nil
	// A PUT's answer has no Last-Modified: ask for the version just written, so that the
	// ModTime returned is the one Stat and Walk report.
	oi, err := w.s.c.StatObject(ctx, w.s.bucket, key, minio.StatObjectOptions{VersionID: info.VersionID})
	if err != nil {
		return blob.Info{}, fmt.Errorf("s3blob: commit %s: %w", got.SHA256, err)
	}
	return blob.Info{Digest: got.SHA256, Size: w.size, ModTime: oi.LastModified}, nil
}

// completeAndCopy sends the last part, completes the multipart upload under tmp/, copies the
// object to key and deletes the tmp/ object.
func (w *writer) completeAndCopy(ctx context.Context, key string) (minio.UploadInfo, error) {
	if len(w.cur) > 0 {
		if err := w.sendPart(ctx); err != nil {
			return minio.UploadInfo{}, err
		}
		if err := w.wait(); err != nil {
			return minio.UploadInfo{}, err
		}
	}
	if _, err := w.s.core.CompleteMultipartUpload(ctx, w.s.bucket, w.tmpKey, w.uploadID, w.parts, minio.PutObjectOptions{}); err != nil {
		return minio.UploadInfo{}, err
	}
	w.uploadID = "" // completed: Cancel now deletes the tmp/ object instead
	info, err := w.s.c.ComposeObject(ctx, minio.CopyDestOptions{Bucket: w.s.bucket, Object: key},
		minio.CopySrcOptions{Bucket: w.s.bucket, Object: w.tmpKey})
	if err != nil {
		return minio.UploadInfo{}, err
	}
	w.removeTmp(context.WithoutCancel(ctx))
	return info, nil
}

// removeTmp deletes every version of the tmp/ object and of its marker; a failure leaves them
// to CleanTemp.
func (w *writer) removeTmp(ctx context.Context) {
	w.s.removeAll(ctx, w.tmpKey)
	w.s.removeAll(ctx, w.tmpKey+markerSuffix)
	w.tmpKey = ""
}

// Cancel discards the upload: it waits for the part in flight and aborts the multipart
// upload, or removes the completed tmp/ object. Safe after Commit and more than once.
func (w *writer) Cancel() error {
	if w.done {
		return nil
	}
	w.done = true
	_ = w.wait()
	ctx := context.Background()
	var err error
	if w.uploadID != "" {
		if aerr := w.s.core.AbortMultipartUpload(ctx, w.s.bucket, w.tmpKey, w.uploadID); aerr != nil && !isCode(aerr, "NoSuchUpload") {
			err = fmt.Errorf("s3blob: abort upload: %w", aerr)
		}
		w.uploadID = ""
	}
	if w.tmpKey != "" && err == nil { // an upload not aborted keeps its marker for CleanTemp
		w.removeTmp(ctx)
	}
	w.cur, w.spare = nil, nil
	return err
}

// randomName returns 128 random bits in hex.
func randomName() string {
	var b [16]byte
	_, _ = io.ReadFull(rand.Reader, b[:])
	return hex.EncodeToString(b[:])
}
