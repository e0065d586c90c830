// Package s3blob is the blob.Store on an S3-compatible object store (AWS S3, MinIO, Ceph RGW,
// …), for Arca nodes that share their blobs.
//
// Layout in the bucket, under an optional key prefix:
//
//	sha256/ab/abcdef…   committed blobs, named like fsblob's files
//	tmp/<random>        multipart uploads in progress (and, after a crash, their leftovers)
//
// An upload streams: bytes are hashed (SHA-256, SHA-1, MD5) as they arrive and gathered into
// parts of PartSize. A blob that fits in one part is PUT under its digest at Commit, in one
// request. A larger one goes to a multipart upload under tmp/ as each part fills (one part in
// flight while the next fills, so memory stays at two parts whatever the size); Commit
// completes it and copies the object under its digest server-side. A blob is therefore never
// visible under its digest before its bytes are complete and verified, and a cancelled or
// failed upload aborts its multipart upload: no object is left. Leftovers of a crashed process
// (an incomplete multipart upload, a completed tmp/ object not yet copied) are removed by
// CleanTemp.
//
// # Garbage collection across nodes
//
// The bucket must have versioning enabled (New enables it, and refuses a bucket where it
// cannot be on). Every Commit writes a new version of its digest's key, even when the bytes
// are already stored, and Touch copies the object onto itself, which also writes a new version
// dated now. DeleteIfOlder, which the collector calls for a blob no item references, lists the
// key's versions and deletes by version ID only those last modified before its cutoff. So:
//
//   - an upload that commits the same bytes while a collection decides the blob is garbage
//     has written a version the collection does not delete (it is younger than the cutoff),
//     whichever node runs which, and in whatever order the requests reach the store;
//   - a version deleted by ID leaves no delete marker and frees its bytes;
//   - what remains is the grace period's own contract (package gc): the item row that
//     references a blob is inserted within the grace period after its Commit or Touch.
package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"arca"
	"arca/internal/blob"
)

const (
	blobDir = "sha256/"
	tmpDir  = "tmp/"
	// markerSuffix names the object beside a multipart upload's key that holds its upload
	// ID, so that CleanTemp can abort it.
	markerSuffix = ".upload"
	// DefaultPartSize is the size of the parts of a multipart upload: large enough that a
	// blob of S3's maximum of 10,000 parts is 80 GiB, small enough that two per upload in
	// memory are little.
	DefaultPartSize = 8 << 20
	minPartSize     = 5 << 20 // S3's minimum for every part but the last
)

// Config locates a bucket.
type Config struct {
	// Endpoint is the server's URL: https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:9000.
	Endpoint  string
	Region    string // "" lets the client discover it
	Bucket    string
	Prefix    string // key prefix of everything the store writes ("" or ending in "/")
	AccessKey string
	SecretKey string
	// PartSize is the multipart part size (0: DefaultPartSize; at least 5 MiB).
	PartSize int64
	// Transport carries the requests (nil: a default transport).
	Transport http.RoundTripper
}

// Store is a blob.Store on one bucket. It is safe for concurrent use, by any number of Stores
// in any number of processes on the same bucket and prefix.
type Store struct {
	c        *minio.Client
	core     minio.Core
	bucket   string
	prefix   string
	partSize int64
}

var (
	_ blob.Store   = (*Store)(nil)
	_ blob.Toucher = (*Store)(nil)
)

// New connects to the bucket cfg names, creating it when missing, and makes sure versioning is
// enabled on it (see the package comment for why it must be).
func New(ctx context.Context, cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, arca.Errorf(arca.ErrInvalid, "s3blob: endpoint %q: want http(s)://host[:port]", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, arca.Errorf(arca.ErrInvalid, "s3blob: no bucket")
	}
	if cfg.Prefix != "" && !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	part := cfg.PartSize
	if part == 0 {
		part = DefaultPartSize
	}
	if part < minPartSize {
		return nil, arca.Errorf(arca.ErrInvalid, "s3blob: part size %d is below S3's minimum of 5 MiB", part)
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    u.Scheme == "https",
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	s := &Store{c: c, core: minio.Core{Client: c}, bucket: cfg.Bucket, prefix: cfg.Prefix, partSize: part}
	exists, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3blob: bucket %s: %w", cfg.Bucket, err)
	}
	if !exists {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil && !isCode(err, "BucketAlreadyOwnedByYou") {
			return nil, fmt.Errorf("s3blob: create bucket %s: %w", cfg.Bucket, err)
		}
	}
	if err := s.ensureVersioning(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ensureVersioning turns versioning on unless it is, and fails when it will not stay on.
func (s *Store) ensureVersioning(ctx context.Context) error {
	v, err := s.c.GetBucketVersioning(ctx, s.bucket)
	if err == nil && v.Enabled() {
		return nil
	}
	if err := s.c.EnableVersioning(ctx, s.bucket); err != nil {
		return fmt.Errorf("s3blob: bucket %s needs versioning (safe garbage collection across nodes), and enabling it failed: %w", s.bucket, err)
	}
	if v, err = s.c.GetBucketVersioning(ctx, s.bucket); err != nil || !v.Enabled() {
		return fmt.Errorf("s3blob: bucket %s needs versioning (safe garbage collection across nodes), and it did not stay on (%v)", s.bucket, err)
	}
	return nil
}

// key returns the object key of a blob, or arca.ErrInvalid if digest is not a valid digest. It
// is the only place that turns a digest into a key.
func (s *Store) key(digest string) (string, error) {
	if !blob.ValidDigest(digest) {
		return "", arca.Errorf(arca.ErrInvalid, "invalid blob digest %q: want 64 lower-case hex characters", digest)
	}
	return s.prefix + blobDir + digest[:2] + "/" + digest, nil
}

// Stat returns the blob's info. Invalid digest: arca.ErrInvalid; unknown digest: arca.ErrNotFound.
func (s *Store) Stat(ctx context.Context, digest string) (blob.Info, error) {
	k, err := s.key(digest)
	if err != nil {
		return blob.Info{}, err
	}
	oi, err := s.c.StatObject(ctx, s.bucket, k, minio.StatObjectOptions{})
	if err != nil {
		return blob.Info{}, s.notFound(digest, err)
	}
	return blob.Info{Digest: digest, Size: oi.Size, ModTime: oi.LastModified}, nil
}

// Open opens the blob for reading: Read, Seek and ReadAt issue ranged GETs of the version
// current at Open, so a Range request reads only its bytes. The caller closes it. Invalid
// digest: arca.ErrInvalid; unknown digest: arca.ErrNotFound.
func (s *Store) Open(ctx context.Context, digest string) (blob.File, error) {
	k, err := s.key(digest)
	if err != nil {
		return nil, err
	}
	oi, err := s.c.StatObject(ctx, s.bucket, k, minio.StatObjectOptions{})
	if err != nil {
		return nil, s.notFound(digest, err)
	}
	// Pinning the version keeps a file consistent if the key is written again meanwhile
	// (the same bytes, by definition, but the first version may then be collected).
	obj, err := s.c.GetObject(ctx, s.bucket, k, minio.GetObjectOptions{VersionID: oi.VersionID})
	if err != nil {
		return nil, s.notFound(digest, err)
	}
	return &file{Object: obj, size: oi.Size}, nil
}

// file is an open blob. Seek to the end needs the size, which Open already knows.
type file struct {
	*minio.Object
	size int64
	off  int64
}

func (f *file) Read(p []byte) (int, error) {
	n, err := f.Object.Read(p)
	f.off += int64(n)
	return n, err
}

func (f *file) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case 0:
		abs = offset
	case 1:
		abs = f.off + offset
	case 2:
		abs = f.size + offset
	default:
		return 0, errors.New("s3blob: seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("s3blob: seek: negative position")
	}
	if _, err := f.Object.Seek(abs, 0); err != nil {
		return 0, err
	}
	f.off = abs
	return abs, nil
}

// Create starts a new blob. The caller must Commit or Cancel the writer; the writer is not safe
// for concurrent use.
func (s *Store) Create(ctx context.Context) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("s3blob: create: %w", err)
	}
	return newWriter(s), nil
}

// Delete removes every version of a blob. Unknown digest: nil. Invalid digest: arca.ErrInvalid.
func (s *Store) Delete(ctx context.Context, digest string) error {
	_, err := s.deleteVersions(ctx, digest, time.Time{})
	return err
}

// DeleteIfOlder removes the versions of the blob last modified before cutoff and reports
// whether the blob is gone; a version written since (a Commit of the same bytes, a Touch)
// survives, whichever process wrote it (see the package comment). Unknown digest: false, nil.
// Invalid digest: arca.ErrInvalid.
func (s *Store) DeleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error) {
	if cutoff.IsZero() {
		return false, nil
	}
	return s.deleteVersions(ctx, digest, cutoff)
}

// deleteVersions deletes the versions of digest's key older than cutoff (all of them when
// cutoff is zero) and reports whether it deleted some and left none.
func (s *Store) deleteVersions(ctx context.Context, digest string, cutoff time.Time) (bool, error) {
	k, err := s.key(digest)
	if err != nil {
		return false, err
	}
	deleted, kept := 0, 0
	for v := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: k, WithVersions: true}) {
		if v.Err != nil {
			return false, fmt.Errorf("s3blob: delete %s: %w", digest, v.Err)
		}
		if v.Key != k {
			continue // a longer key with k as prefix: not ours
		}
		if !cutoff.IsZero() && !v.LastModified.Before(cutoff) {
			kept++
			continue
		}
		if err := s.c.RemoveObject(ctx, s.bucket, k, minio.RemoveObjectOptions{VersionID: v.VersionID}); err != nil && !isCode(err, "NoSuchVersion", "NoSuchKey") {
			return false, fmt.Errorf("s3blob: delete %s: %w", digest, err)
		}
		deleted++
	}
	return deleted > 0 && kept == 0, nil
}

// Touch writes a new version of the blob dated now (a server-side copy onto itself),
// restarting garbage collection's grace period for a blob about to be referenced again without
// a new Commit. Unknown digest: arca.ErrNotFound.
func (s *Store) Touch(ctx context.Context, digest string) error {
	k, err := s.key(digest)
	if err != nil {
		return err
	}
	_, err = s.c.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: k, ReplaceMetadata: true, UserMetadata: map[string]string{"Touched": time.Now().UTC().Format(time.RFC3339Nano)}},
		minio.CopySrcOptions{Bucket: s.bucket, Object: k})
	if err != nil {
		return s.notFound(digest, err)
	}
	return nil
}

// Walk calls fn for every committed blob (its current version), stopping at fn's first error
// (which it returns unchanged) or when ctx is done. Keys that are not blobs are skipped.
func (s *Store) Walk(ctx context.Context, fn func(blob.Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + blobDir, Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("s3blob: walk: %w", o.Err)
		}
		rest := strings.TrimPrefix(o.Key, s.prefix+blobDir)
		shard, digest, ok := strings.Cut(rest, "/")
		if !ok || !blob.ValidDigest(digest) || digest[:2] != shard {
			continue
		}
		if err := fn(blob.Info{Digest: digest, Size: o.Size, ModTime: o.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// CleanTemp removes what uploads abandoned by a crash left under tmp/ more than olderThan
// ago: multipart uploads (aborted, found through their markers, and through the server's
// listing of uploads where it has one) and objects never copied (every version). It returns
// how many uploads and objects it removed. Call it at startup, or periodically with an
// olderThan well above the longest upload.
func (s *Store) CleanTemp(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	n := 0
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + tmpDir, Recursive: true}) {
		if o.Err != nil {
			return n, fmt.Errorf("s3blob: clean temp: %w", o.Err)
		}
		if !o.LastModified.Before(cutoff) {
			continue
		}
		if upload, ok := strings.CutSuffix(o.Key, markerSuffix); ok {
			if err := s.abortMarked(ctx, upload, o.Key); err != nil {
				return n, fmt.Errorf("s3blob: clean temp: %w", err)
			}
		}
		s.removeAll(ctx, o.Key)
		n++
	}
	for u := range s.c.ListIncompleteUploads(ctx, s.bucket, s.prefix+tmpDir, true) {
		if u.Err != nil {
			return n, fmt.Errorf("s3blob: clean temp: %w", u.Err)
		}
		if u.Initiated.Before(cutoff) {
			if err := s.core.AbortMultipartUpload(ctx, s.bucket, u.Key, u.UploadID); err != nil && !isCode(err, "NoSuchUpload") {
				return n, fmt.Errorf("s3blob: clean temp: %w", err)
			}
			n++
		}
	}
	return n, nil
}

// abortMarked aborts the multipart upload of key whose ID the marker object holds.
func (s *Store) abortMarked(ctx context.Context, key, marker string) error {
	obj, err := s.c.GetObject(ctx, s.bucket, marker, minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer obj.Close()
	id, err := io.ReadAll(io.LimitReader(obj, 4096))
	if isCode(err, "NoSuchKey") {
		return nil // removed meanwhile: the upload ended
	}
	if err != nil {
		return err
	}
	if err := s.core.AbortMultipartUpload(ctx, s.bucket, key, string(id)); err != nil && !isCode(err, "NoSuchUpload") {
		return err
	}
	return nil
}

// removeAll deletes every version of key, ignoring failures (what is left, CleanTemp retries).
func (s *Store) removeAll(ctx context.Context, key string) {
	for v := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if v.Err != nil || v.Key != key {
			continue
		}
		_ = s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{VersionID: v.VersionID})
	}
}

// notFound maps a missing key to arca.ErrNotFound and wraps other errors as they are.
func (s *Store) notFound(digest string, err error) error {
	if isCode(err, "NoSuchKey", "NotFound") || minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
		return fmt.Errorf("s3blob: blob %s: %w", digest, arca.ErrNotFound)
	}
	return fmt.Errorf("s3blob: blob %s: %w", digest, err)
}

// isCode reports whether err is an S3 error response with one of the codes.
func isCode(err error, codes ...string) bool {
	if err == nil {
		return false
	}
	code := minio.ToErrorResponse(err).Code
	for _, c := range codes {
		if code == c {
			return true
		}
	}
	return false
}
