package s3blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"arca"
	"arca/internal/blob"
	"arca/internal/blob/blobtest"
	"arca/internal/gc"
	"arca/internal/s3test"
)

var _ gc.AgeDeleter = (*Store)(nil)

// newStore returns a store on a new bucket of srv, with the smallest part size S3 allows so
// that multipart uploads are exercised by megabytes.
func newStore(t testing.TB, srv *s3test.Server) *Store {
	t.Helper()
	s, err := New(context.Background(), Config{Endpoint: srv.Endpoint, Bucket: srv.NewBucket(),
		AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, PartSize: minPartSize})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	blobtest.Run(t, func(t *testing.T) blob.Store { return newStore(t, srv) })
}

// keys lists every object version and incomplete upload in the store's bucket.
func keys(t *testing.T, s *Store) (objects []string, uploads int) {
	t.Helper()
	ctx := context.Background()
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		objects = append(objects, o.Key)
	}
	for u := range s.c.ListIncompleteUploads(ctx, s.bucket, "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		uploads++
	}
	return objects, uploads
}

// TestMultipartLeavesNoTrace: a blob of several parts lands under its digest only, with the
// right bytes (read back whole and by range); a cancelled one and one failing its checksum
// leave no object and no incomplete upload.
func TestMultipartLeavesNoTrace(t *testing.T) {
	srv := s3test.Start(t)
	s := newStore(t, srv)
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*minPartSize+12345)/16)
	info := blobtest.Put(t, s, data, blobtest.Sums(data))
	if objs, ups := keys(t, s); len(objs) != 1 || ups != 0 {
		t.Fatalf("after a committed multipart blob: objects %v, %d incomplete uploads; want its key only", objs, ups)
	}
	f, err := s.Open(ctx, info.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if end, err := f.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
		t.Fatalf("Seek(0, end) = %d, %v; want %d", end, err, len(data))
	}
	off := int64(2*minPartSize - 7)
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 100)
	if _, err := io.ReadFull(f, got); err != nil || !bytes.Equal(got, data[off:off+100]) {
		t.Fatalf("ranged read across a part boundary: %v, bytes equal %v", err, bytes.Equal(got, data[off:off+100]))
	}

	for _, tc := range []struct {
		name string
		end  func(w blob.Writer) error
	}{
		{"cancelled", func(w blob.Writer) error { return w.Cancel() }},
		{"checksum mismatch", func(w blob.Writer) error {
			_, err := w.Commit(ctx, arca.Checksums{SHA1: "0000000000000000000000000000000000000000"})
			if !errors.Is(err, arca.ErrChecksum) {
				t.Errorf("Commit with a wrong sha1 = %v, want arca.ErrChecksum", err)
			}
			return nil
		}},
	} {
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(append(data, tc.name...)); err != nil {
			t.Fatal(err)
		}
		if err := tc.end(w); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if objs, ups := keys(t, s); len(objs) != 1 || ups != 0 {
			t.Errorf("after a %s upload: objects %v, %d incomplete uploads; want the first blob's key only", tc.name, objs, ups)
		}
	}
}

// TestDeleteIfOlderKeepsNewVersion is the collection protocol of the package comment: a
// Commit (or Touch) of a blob after the collector's cutoff writes a version DeleteIfOlder
// leaves, so the blob stays readable; without one, DeleteIfOlder removes every version.
func TestDeleteIfOlderKeepsNewVersion(t *testing.T) {
	srv := s3test.Start(t)
	s := newStore(t, srv)
	ctx := context.Background()
	data := []byte("claimed again while the collector decides")
	info := blobtest.Put(t, s, data, blobtest.Sums(data))
	time.Sleep(1100 * time.Millisecond) // S3 dates versions to the second at best
	cutoff := time.Now()
	time.Sleep(1100 * time.Millisecond)
	for _, claim := range []struct {
		name string
		fn   func() error
	}{
		{"commit", func() error { blobtest.Put(t, s, data, blobtest.Sums(data)); return nil }},
		{"touch", func() error { return s.Touch(ctx, info.Digest) }},
	} {
		if err := claim.fn(); err != nil {
			t.Fatalf("%s: %v", claim.name, err)
		}
		gone, err := s.DeleteIfOlder(ctx, info.Digest, cutoff)
		if err != nil || gone {
			t.Fatalf("after a %s: DeleteIfOlder = %v, %v; want the blob kept", claim.name, gone, err)
		}
		if _, err := s.Stat(ctx, info.Digest); err != nil {
			t.Fatalf("after a %s and a collection: Stat: %v", claim.name, err)
		}
	}
	gone, err := s.DeleteIfOlder(ctx, info.Digest, time.Now().Add(time.Hour))
	if err != nil || !gone {
		t.Fatalf("DeleteIfOlder(an hour from now) = %v, %v; want it gone", gone, err)
	}
	if objs, ups := keys(t, s); len(objs) != 0 || ups != 0 {
		t.Errorf("after the blob was collected: objects %v, %d uploads; want none (no delete markers)", objs, ups)
	}
	if err := s.Touch(ctx, info.Digest); !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("Touch of a collected blob = %v, want arca.ErrNotFound", err)
	}
}

// TestCleanTemp: what a crashed upload leaves (an incomplete multipart upload, a completed but
// never copied tmp/ object) goes; committed blobs stay.
func TestCleanTemp(t *testing.T) {
	srv := s3test.Start(t)
	s := newStore(t, srv)
	ctx := context.Background()
	kept := blobtest.Put(t, s, []byte("kept"), blobtest.Sums([]byte("kept")))
	// A crash in the middle of a multipart upload: the writer has sent a part, then nothing.
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, minPartSize)); err != nil {
		t.Fatal(err)
	}
	if err := w.(*writer).wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.PutObject(ctx, s.bucket, s.prefix+tmpDir+"crashed-copy", bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CleanTemp(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("CleanTemp(1h) = %d, %v; want nothing removed (too young)", n, err)
	}
	if _, ups := keys(t, s); ups == 0 {
		t.Log("this server does not list multipart uploads by prefix: only the marker finds it")
	}
	if n, err := s.CleanTemp(ctx, -time.Minute); err != nil || n < 2 {
		t.Fatalf("CleanTemp = %d, %v; want the upload's marker and the object removed", n, err)
	}
	var parts int
	for u := range s.c.ListIncompleteUploads(ctx, s.bucket, w.(*writer).tmpKey, true) {
		if u.Err == nil {
			parts++
		}
	}
	if parts != 0 {
		t.Errorf("the crashed multipart upload is still there after CleanTemp")
	}
	if objs, ups := keys(t, s); len(objs) != 1 || ups != 0 {
		t.Errorf("after CleanTemp: objects %v, %d uploads; want the committed blob only", objs, ups)
	}
	if _, err := s.Stat(ctx, kept.Digest); err != nil {
		t.Errorf("committed blob: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Endpoint: "127.0.0.1:9000", Bucket: "b"},
		{Endpoint: "http://127.0.0.1:9000"},
		{Endpoint: "http://127.0.0.1:9000", Bucket: "b", PartSize: 1 << 20},
	} {
		if _, err := New(context.Background(), cfg); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("New(%+v) = %v, want arca.ErrInvalid", cfg, err)
		}
	}
}
