package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The tests look into a server's blob store as the store keeps it: files under the data
// directory's blobs/, or keys of the bucket of an s3:// store (ARCA_TEST_BLOBS=s3).

// bucket returns a client of s's bucket and the key prefix, or ok false for a files store.
func (s *server) bucket(t *testing.T) (c *minio.Client, bucket, prefix string, ok bool) {
	t.Helper()
	rest, isS3 := strings.CutPrefix(s.cfg.Blobs, "s3://")
	if !isS3 {
		return nil, "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" {
		prefix += "/"
	}
	c, err := minio.New(strings.TrimPrefix(s.cfg.S3.Endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(s.cfg.S3.AccessKey, s.cfg.S3.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c, bucket, prefix, true
}

// tempUploads lists what uploads keep in s's blob store until they commit: files in
// blobs/tmp, or the tmp/ objects and multipart uploads of the bucket.
func (s *server) tempUploads(t *testing.T) []string {
	t.Helper()
	c, bucket, prefix, ok := s.bucket(t)
	if !ok {
		entries, err := os.ReadDir(filepath.Join(s.dir, "blobs", "tmp"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	ctx := context.Background()
	var names []string
	for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix + "tmp/", Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		names = append(names, o.Key)
	}
	for u := range c.ListIncompleteUploads(ctx, bucket, "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		names = append(names, "upload of "+u.Key)
	}
	return names
}

// blobStored reports whether the blob with this hex sha256 is in s's blob store.
func (s *server) blobStored(t *testing.T, digest string) bool {
	t.Helper()
	c, bucket, prefix, ok := s.bucket(t)
	if !ok {
		_, err := os.Stat(filepath.Join(s.dir, "blobs", "sha256", digest[:2], digest))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	_, err := c.StatObject(context.Background(), bucket, prefix+"sha256/"+digest[:2]+"/"+digest, minio.StatObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
		t.Fatal(err)
	}
	return err == nil
}

// filesOnly skips t when s keeps its blobs in S3: the test sets file times or reads files.
func (s *server) filesOnly(t *testing.T, why string) {
	t.Helper()
	if _, _, _, ok := s.bucket(t); ok {
		t.Skipf("the blobs are in S3, and this test %s", why)
	}
}
