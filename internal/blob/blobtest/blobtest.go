// Package blobtest is the conformance suite for blob.Store implementations. Each
// implementation's test calls Run with a constructor for an empty store:
//
//	func TestConformance(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) blob.Store { return newEmptyStore(t) })
//	}
//
// The suite checks only the blob.Store contract; implementation details (temp files, sendfile,
// layout) belong in the implementation's own tests.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/blob"
)

// Known checksum vectors.
var (
	emptySums = arca.Checksums{
		SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		SHA1:   "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		MD5:    "d41d8cd98f00b204e9800998ecf8427e",
	}
	helloSums = arca.Checksums{
		SHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		SHA1:   "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
		MD5:    "5d41402abc4b2a76b9719d911017c592",
	}
)

// Run runs the conformance suite. newStore must return a new, empty store for each call; it is
// called once per subtest and may register cleanups on the t it is given.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"SumsWhileWriting", testSumsWhileWriting},
		{"Seek", testSeek},
		{"Dedupe", testDedupe},
		{"ChecksumMismatch", testChecksumMismatch},
		{"DeclaredChecksumsIgnoreCase", testDeclaredChecksumsIgnoreCase},
		{"Cancel", testCancel},
		{"CancelAfterCommit", testCancelAfterCommit},
		{"CommitCancelledContext", testCommitCancelledContext},
		{"NotFound", testNotFound},
		{"InvalidDigest", testInvalidDigest},
		{"Walk", testWalk},
		{"WalkStopsAtError", testWalkStopsAtError},
		{"Delete", testDelete},
		{"ConcurrentWriters", testConcurrentWriters},
		{"LargeBlobOddChunks", testLargeBlobOddChunks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// Put stores data in one write, committing with the given declared checksums, and fails the
// test on error. Exported for the tests of stores and of their users.
func Put(t testing.TB, s blob.Store, data []byte, want arca.Checksums) blob.Info {
	t.Helper()
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Cancel()
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	info, err := w.Commit(ctx, want)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return info
}

// Sums computes the checksums of data independently of any store.
func Sums(data []byte) arca.Checksums { return arca.ChecksumsOf(data) }

// readAll opens the blob and returns its content, failing the test on error.
func readAll(t *testing.T, s blob.Store, digest string) []byte {
	t.Helper()
	f, err := s.Open(context.Background(), digest)
	if err != nil {
		t.Fatalf("Open(%s): %v", digest, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", digest, err)
	}
	return b
}

// list returns the info of every blob Walk reports, sorted by digest, without ModTime.
func list(t *testing.T, s blob.Store) []blob.Info {
	t.Helper()
	var got []blob.Info
	err := s.Walk(context.Background(), func(i blob.Info) error {
		if i.ModTime.IsZero() {
			t.Errorf("Walk: %s has zero ModTime", i.Digest)
		}
		got = append(got, blob.Info{Digest: i.Digest, Size: i.Size})
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Digest < got[j].Digest })
	return got
}

// assertEmpty checks that no blob is visible, neither by Walk nor by Stat/Open of digest.
func assertEmpty(t *testing.T, s blob.Store, digest string) {
	t.Helper()
	if got := list(t, s); len(got) != 0 {
		t.Errorf("Walk lists %v, want nothing", got)
	}
	ctx := context.Background()
	if _, err := s.Stat(ctx, digest); !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("Stat(%s) error = %v, want arca.ErrNotFound", digest, err)
	}
	if f, err := s.Open(ctx, digest); !errors.Is(err, arca.ErrNotFound) {
		if err == nil {
			f.Close()
		}
		t.Errorf("Open(%s) error = %v, want arca.ErrNotFound", digest, err)
	}
}

func testRoundTrip(t *testing.T, s blob.Store) {
	tests := []struct {
		name string
		data []byte
		sums arca.Checksums
	}{
		{"empty", nil, emptySums},
		{"hello", []byte("hello"), helloSums},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := s.Create(ctx)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			defer w.Cancel()
			if _, err := w.Write(tt.data); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got, want := w.Size(), int64(len(tt.data)); got != want {
				t.Errorf("Size() = %d, want %d", got, want)
			}
			if diff := cmp.Diff(tt.sums, w.Sums()); diff != "" {
				t.Errorf("Sums() mismatch (-want +got):\n%s", diff)
			}
			info, err := w.Commit(ctx, tt.sums)
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if info.Digest != tt.sums.SHA256 || info.Size != int64(len(tt.data)) || info.ModTime.IsZero() {
				t.Errorf("Commit info = %+v, want digest %s, size %d, a ModTime", info, tt.sums.SHA256, len(tt.data))
			}
			st, err := s.Stat(ctx, tt.sums.SHA256)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			if !st.ModTime.Equal(info.ModTime) || st.Digest != info.Digest || st.Size != info.Size {
				t.Errorf("Stat = %+v, want %+v", st, info)
			}
			if got := readAll(t, s, tt.sums.SHA256); !bytes.Equal(got, tt.data) {
				t.Errorf("Open content = %q, want %q", got, tt.data)
			}
		})
	}
}

func testSumsWhileWriting(t *testing.T, s blob.Store) {
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Cancel()
	if diff := cmp.Diff(emptySums, w.Sums()); diff != "" {
		t.Errorf("Sums() before writing (-want +got):\n%s", diff)
	}
	for _, part := range []string{"he", "l", "lo"} {
		if _, err := io.WriteString(w, part); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if diff := cmp.Diff(helloSums, w.Sums()); diff != "" {
		t.Errorf("Sums() after writing (-want +got):\n%s", diff)
	}
	if _, err := w.Commit(ctx, arca.Checksums{}); err != nil {
		t.Fatalf("Commit without declared sums: %v", err)
	}
}

func testSeek(t *testing.T, s blob.Store) {
	data := []byte("0123456789abcdefghij")
	info := Put(t, s, data, arca.Checksums{})
	f, err := s.Open(context.Background(), info.Digest)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	size := int64(len(data))
	tests := []struct {
		name   string
		offset int64
		whence int
		pos    int64
		rest   string
	}{
		{"middle", 10, io.SeekStart, 10, "abcdefghij"},
		{"relative", -5, io.SeekCurrent, 15, "fghij"}, // from the end of the previous read
		{"from end", -3, io.SeekEnd, size - 3, "hij"},
		{"end", 0, io.SeekEnd, size, ""},
		{"start", 0, io.SeekStart, 0, string(data)},
	}
	for _, tt := range tests {
		pos, err := f.Seek(tt.offset, tt.whence)
		if err != nil || pos != tt.pos {
			t.Fatalf("%s: Seek(%d, %d) = %d, %v; want %d", tt.name, tt.offset, tt.whence, pos, err, tt.pos)
		}
		rest, err := io.ReadAll(f)
		if err != nil {
			t.Fatalf("%s: read: %v", tt.name, err)
		}
		if string(rest) != tt.rest {
			t.Errorf("%s: read %q, want %q", tt.name, rest, tt.rest)
		}
	}
}

func testDedupe(t *testing.T, s blob.Store) {
	first := Put(t, s, []byte("hello"), helloSums)
	second := Put(t, s, []byte("hello"), helloSums)
	if first.Digest != second.Digest || first.Size != second.Size {
		t.Errorf("second commit = %+v, want digest and size of %+v", second, first)
	}
	if second.ModTime.Before(first.ModTime) {
		t.Errorf("second commit ModTime %v is before the first %v", second.ModTime, first.ModTime)
	}
	want := []blob.Info{{Digest: helloSums.SHA256, Size: 5}}
	if diff := cmp.Diff(want, list(t, s)); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}
	if got := readAll(t, s, helloSums.SHA256); string(got) != "hello" {
		t.Errorf("content = %q, want %q", got, "hello")
	}
}
