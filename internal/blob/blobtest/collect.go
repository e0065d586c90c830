package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/blob"
)

// Tests of enumeration, deletion and ingest at scale.

func testWalk(t *testing.T, s blob.Store) {
	if diff := cmp.Diff([]blob.Info(nil), list(t, s)); diff != "" {
		t.Errorf("Walk on an empty store (-want +got):\n%s", diff)
	}
	var want []blob.Info
	for i := range 20 {
		data := []byte(fmt.Sprintf("blob %d", i))
		Put(t, s, data, arca.Checksums{})
		want = append(want, blob.Info{Digest: Sums(data).SHA256, Size: int64(len(data))})
	}
	// Neither a cancelled nor an unfinished writer shows up.
	ctx := context.Background()
	for _, cancel := range []bool{true, false} {
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		defer w.Cancel()
		if _, err := w.Write([]byte("not committed")); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if cancel {
			w.Cancel()
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Digest < want[j].Digest })
	if diff := cmp.Diff(want, list(t, s)); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}
}

func testWalkStopsAtError(t *testing.T, s blob.Store) {
	for i := range 3 {
		Put(t, s, []byte{byte(i)}, arca.Checksums{})
	}
	stop := errors.New("stop")
	calls := 0
	err := s.Walk(context.Background(), func(blob.Info) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Walk error = %v, want fn's error", err)
	}
	if calls != 1 {
		t.Errorf("fn called %d times, want 1", calls)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	hello := Put(t, s, []byte("hello"), helloSums)
	empty := Put(t, s, nil, emptySums)
	for i := range 2 { // the second time, the digest is unknown
		if err := s.Delete(ctx, hello.Digest); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	assertNotFound(t, s, hello.Digest)
	want := []blob.Info{{Digest: empty.Digest, Size: 0}}
	if diff := cmp.Diff(want, list(t, s)); diff != "" {
		t.Errorf("Walk after Delete (-want +got):\n%s", diff)
	}
	// A deleted blob can be stored again.
	Put(t, s, []byte("hello"), helloSums)
	if got := readAll(t, s, hello.Digest); string(got) != "hello" {
		t.Errorf("content = %q, want %q", got, "hello")
	}
}

func testConcurrentWriters(t *testing.T, s blob.Store) {
	const writers = 16
	shared := bytes.Repeat([]byte("shared content "), 10_000)
	contents := make([][]byte, writers)
	for i := range contents {
		if i%2 == 0 {
			contents[i] = shared
		} else {
			contents[i] = bytes.Repeat([]byte(fmt.Sprintf("writer %d ", i)), 5_000+i)
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i, data := range contents {
		wg.Go(func() {
			errs[i] = write(ctx, s, data, 4096)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	seen := map[string]bool{}
	var want []blob.Info
	for _, data := range contents {
		d := Sums(data).SHA256
		if !seen[d] {
			seen[d] = true
			want = append(want, blob.Info{Digest: d, Size: int64(len(data))})
		}
		if got := readAll(t, s, d); !bytes.Equal(got, data) {
			t.Errorf("content of %s differs from what was written", d)
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Digest < want[j].Digest })
	if diff := cmp.Diff(want, list(t, s)); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}
}

// write stores data in chunks of the given size, committing with its independently computed
// checksums. It returns errors instead of failing, for use from goroutines.
func write(ctx context.Context, s blob.Store, data []byte, chunk int) error {
	w, err := s.Create(ctx)
	if err != nil {
		return err
	}
	defer w.Cancel()
	for rest := data; len(rest) > 0; {
		n := min(chunk, len(rest))
		if _, err := w.Write(rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	_, err = w.Commit(ctx, Sums(data))
	return err
}

func testLargeBlobOddChunks(t *testing.T, s blob.Store) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5<<20+3)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	want := Sums(data)
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Cancel()
	sizes := []int{1, 7, 4093, 65537, 131071, 131072, 262147, 999_983}
	for rest, i := data, 0; len(rest) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(rest))
		if m, err := w.Write(rest[:n]); err != nil || m != n {
			t.Fatalf("Write(%d bytes) = %d, %v", n, m, err)
		}
		rest = rest[n:]
	}
	if got := w.Size(); got != int64(len(data)) {
		t.Errorf("Size() = %d, want %d", got, len(data))
	}
	if diff := cmp.Diff(want, w.Sums()); diff != "" {
		t.Errorf("Sums() (-want +got):\n%s", diff)
	}
	info, err := w.Commit(ctx, want)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if info.Digest != want.SHA256 || info.Size != int64(len(data)) {
		t.Errorf("Commit info = %+v, want digest %s, size %d", info, want.SHA256, len(data))
	}
	if got := readAll(t, s, want.SHA256); !bytes.Equal(got, data) {
		t.Errorf("content differs from what was written (got %d bytes, want %d)", len(got), len(data))
	}
}
