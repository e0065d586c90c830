package fsblob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/blob"
	"arca/internal/blob/fsblob"
)

// Tests of the ingest path around chunk boundaries: a blob of one chunk or less is hashed and
// written on Commit, a larger one through the fanout (with MD5 on its own goroutine when
// GOMAXPROCS > 1).

const chunk = fsblob.ChunkSize

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// oddReader hands out its bytes in reads of varying, odd sizes, like a socket.
type oddReader struct {
	b []byte
	i int
}

func (r *oddReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	r.i++
	n := min(len(p), len(r.b), 1+(r.i*7919)%(300<<10))
	copy(p, r.b[:n])
	r.b = r.b[n:]
	return n, nil
}

// withProcs runs the test body with GOMAXPROCS set to n.
func withProcs(t *testing.T, n int) {
	old := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

func TestIngestSizes(t *testing.T) {
	sizes := []int{0, 1, chunk - 1, chunk, chunk + 1, 2*chunk + chunk/2 + 3, 9*chunk + 17}
	ways := []struct {
		name string
		copy func(w blob.Writer, data []byte) error
	}{
		{"Write 32KiB", func(w blob.Writer, data []byte) error {
			for len(data) > 0 {
				k := min(len(data), 32<<10)
				if _, err := w.Write(data[:k]); err != nil {
					return err
				}
				data = data[k:]
			}
			return nil
		}},
		{"one Write", func(w blob.Writer, data []byte) error {
			_, err := w.Write(data)
			return err
		}},
		{"io.Copy (ReadFrom)", func(w blob.Writer, data []byte) error {
			n, err := io.Copy(w, &oddReader{b: data})
			if err == nil && n != int64(len(data)) {
				err = fmt.Errorf("io.Copy copied %d bytes, want %d", n, len(data))
			}
			return err
		}},
	}
	ctx := context.Background()
	for _, procs := range []int{1, 2} {
		for _, way := range ways {
			for _, size := range sizes {
				t.Run(fmt.Sprintf("procs%d/%s/%d", procs, way.name, size), func(t *testing.T) {
					withProcs(t, procs)
					s := newStore(t)
					data := randomBytes(size)
					want := arca.ChecksumsOf(data)
					w, err := s.Create(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer w.Cancel()
					if err := way.copy(w, data); err != nil {
						t.Fatal(err)
					}
					if w.Size() != int64(size) {
						t.Errorf("Size = %d, want %d", w.Size(), size)
					}
					info, err := w.Commit(ctx, want)
					if err != nil {
						t.Fatalf("Commit: %v", err)
					}
					if info.Digest != want.SHA256 || info.Size != int64(size) {
						t.Errorf("Commit = %+v, want digest %s size %d", info, want.SHA256, size)
					}
					if diff := cmp.Diff(want, w.Sums()); diff != "" {
						t.Errorf("Sums after Commit (-want +got):\n%s", diff)
					}
					if got := read(t, s, want.SHA256); !bytes.Equal(got, data) {
						t.Errorf("stored content differs (%d bytes, want %d)", len(got), size)
					}
					if tmp := tempFiles(t, s); len(tmp) != 0 {
						t.Errorf("temp files left: %v", tmp)
					}
				})
			}
		}
	}
}

func TestIngestSumsMidStream(t *testing.T) {
	for _, procs := range []int{1, 2} {
		t.Run(fmt.Sprint("procs", procs), func(t *testing.T) {
			withProcs(t, procs)
			s := newStore(t)
			ctx := context.Background()
			data := randomBytes(3*chunk + 5)
			w, err := s.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Cancel()
			// Sums in the middle of a chunk, after the fanout started: the later chunks start
			// at an offset that is not a multiple of the chunk size.
			cut := chunk + chunk/3
			if _, err := w.Write(data[:cut]); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(arca.ChecksumsOf(data[:cut]), w.Sums()); diff != "" {
				t.Errorf("Sums mid-stream (-want +got):\n%s", diff)
			}
			if _, err := io.Copy(w, bytes.NewReader(data[cut:])); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Commit(ctx, arca.ChecksumsOf(data)); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if got := read(t, s, arca.ChecksumsOf(data).SHA256); !bytes.Equal(got, data) {
				t.Errorf("stored content differs")
			}
		})
	}
}

// failingReader yields n bytes, then fails.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestIngestReaderFailsMidway(t *testing.T) {
	boom := errors.New("connection reset by peer")
	for _, procs := range []int{1, 2} {
		for _, n := range []int{0, 1, chunk, 2*chunk + 100} {
			t.Run(fmt.Sprintf("procs%d/%d", procs, n), func(t *testing.T) {
				withProcs(t, procs)
				s := newStore(t)
				ctx := context.Background()
				w, err := s.Create(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.Copy(w, &failingReader{r: bytes.NewReader(randomBytes(n)), err: boom})
				if !errors.Is(err, boom) || got != int64(n) {
					t.Errorf("io.Copy = %d, %v; want %d, %v", got, err, n, boom)
				}
				if err := w.Cancel(); err != nil {
					t.Errorf("Cancel: %v", err)
				}
				assertNoBlobs(t, s)
			})
		}
	}
}

func TestIngestMismatchLeavesNothing(t *testing.T) {
	for _, procs := range []int{1, 2} {
		t.Run(fmt.Sprint("procs", procs), func(t *testing.T) {
			withProcs(t, procs)
			s := newStore(t)
			ctx := context.Background()
			data := randomBytes(3*chunk + 1)
			w, err := s.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Cancel()
			if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			wrong := arca.ChecksumsOf(data)
			wrong.SHA1 = arca.ChecksumsOf([]byte("other")).SHA1
			if _, err := w.Commit(ctx, wrong); !errors.Is(err, arca.ErrChecksum) {
				t.Fatalf("Commit = %v, want arca.ErrChecksum", err)
			}
			assertNoBlobs(t, s)
		})
	}
}

func read(t *testing.T, s *fsblob.Store, digest string) []byte {
	t.Helper()
	f, err := s.Open(context.Background(), digest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertNoBlobs(t *testing.T, s *fsblob.Store) {
	t.Helper()
	var n int
	if err := s.Walk(context.Background(), func(blob.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d blob(s) stored, want none", n)
	}
	if tmp := tempFiles(t, s); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

// A blob past the background-fsync step (64 MiB) commits with its content intact, and a
// cancelled one leaves nothing, whichever way the background fsync is at the time.
func TestIngestPastSyncStep(t *testing.T) {
	data := randomBytes(64<<20 + 3*chunk + 11)
	for _, procs := range []int{1, 2} {
		t.Run(fmt.Sprint("procs", procs), func(t *testing.T) {
			withProcs(t, procs)
			s := newStore(t)
			ctx := context.Background()
			w, err := s.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Cancel()
			if _, err := io.Copy(w, &oddReader{b: data}); err != nil {
				t.Fatal(err)
			}
			want := arca.ChecksumsOf(data)
			if _, err := w.Commit(ctx, want); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if got := read(t, s, want.SHA256); !bytes.Equal(got, data) {
				t.Errorf("stored content differs")
			}

			w, err = s.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, bytes.NewReader(data[:64<<20+1])); err != nil {
				t.Fatal(err)
			}
			if err := w.Cancel(); err != nil {
				t.Errorf("Cancel: %v", err)
			}
			if tmp := tempFiles(t, s); len(tmp) != 0 {
				t.Errorf("temp files left: %v", tmp)
			}
		})
	}
}
