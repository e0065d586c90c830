package fsblob_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/blob/blobtest"
	"arca/internal/blob/fsblob"
)

func newStore(t testing.TB) *fsblob.Store {
	t.Helper()
	s, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return newStore(t) })
}

// tempFiles returns the names of the files in root/tmp.
func tempFiles(t *testing.T, s *fsblob.Store) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.Root(), "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestNoTempFilesLeft(t *testing.T) {
	hello := []byte("hello")
	tests := []struct {
		name string
		end  func(ctx context.Context, w blob.Writer) error
	}{
		{"commit", func(ctx context.Context, w blob.Writer) error {
			_, err := w.Commit(ctx, arca.Checksums{})
			return err
		}},
		{"commit existing", func(ctx context.Context, w blob.Writer) error {
			_, err := w.Commit(ctx, arca.Checksums{})
			return err
		}},
		{"cancel", func(ctx context.Context, w blob.Writer) error { return w.Cancel() }},
		{"mismatch", func(ctx context.Context, w blob.Writer) error {
			if _, err := w.Commit(ctx, arca.Checksums{MD5: "00"}); !errors.Is(err, arca.ErrChecksum) {
				return err
			}
			return nil
		}},
		{"cancelled context", func(_ context.Context, w blob.Writer) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := w.Commit(ctx, arca.Checksums{}); !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		}},
	}
	s := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := s.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := tempFiles(t, s); len(got) != 1 {
				t.Errorf("temp files while writing = %v, want one", got)
			}
			if _, err := w.Write(hello); err != nil {
				t.Fatal(err)
			}
			if err := tt.end(ctx, w); err != nil {
				t.Fatal(err)
			}
			if got := tempFiles(t, s); len(got) != 0 {
				t.Errorf("temp files left: %v", got)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	s := newStore(t)
	info := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	p := filepath.Join(s.Root(), "sha256", info.Digest[:2], info.Digest)
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "hello" {
		t.Errorf("ReadFile(%s) = %q, %v; want %q", p, b, err, "hello")
	}
}

func TestOpenReturnsOSFile(t *testing.T) {
	s := newStore(t)
	info := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	f, err := s.Open(context.Background(), info.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.(*os.File); !ok {
		t.Errorf("Open returned %T, want *os.File (for sendfile)", f)
	}
}

func TestCommitExistingRefreshesModTime(t *testing.T) {
	s := newStore(t)
	info := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	p := filepath.Join(s.Root(), "sha256", info.Digest[:2], info.Digest)
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	again := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	st, err := s.Stat(context.Background(), info.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if st.ModTime.Before(before) || !again.ModTime.Equal(st.ModTime) {
		t.Errorf("ModTime after re-commit = %v (Commit said %v), want after %v", st.ModTime, again.ModTime, before)
	}
}

func TestCommitRepairsDamagedBlob(t *testing.T) {
	s := newStore(t)
	info := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	p := filepath.Join(s.Root(), "sha256", info.Digest[:2], info.Digest)
	if err := os.WriteFile(p, []byte("hel"), 0o600); err != nil {
		t.Fatal(err)
	}
	blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	if b, err := os.ReadFile(p); err != nil || string(b) != "hello" {
		t.Errorf("blob after re-commit = %q, %v; want %q", b, err, "hello")
	}
}

func TestDeleteIfOlder(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	tests := []struct {
		name        string
		cutoff      time.Time
		wantDeleted bool
	}{
		{"young", now.Add(-time.Hour), false},
		{"old", now.Add(time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			info := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
			deleted, err := s.DeleteIfOlder(ctx, info.Digest, tt.cutoff)
			if err != nil || deleted != tt.wantDeleted {
				t.Fatalf("DeleteIfOlder = %v, %v; want %v, nil", deleted, err, tt.wantDeleted)
			}
			_, err = s.Stat(ctx, info.Digest)
			if gone := errors.Is(err, arca.ErrNotFound); gone != tt.wantDeleted {
				t.Errorf("after DeleteIfOlder, Stat error = %v", err)
			}
			// Unknown (now or always) digest: not an error.
			if deleted, err := s.DeleteIfOlder(ctx, info.Digest, tt.cutoff); err != nil || deleted {
				t.Errorf("second DeleteIfOlder = %v, %v", deleted, err)
			}
		})
	}
	if _, err := newStore(t).DeleteIfOlder(ctx, "../x", now); !errors.Is(err, arca.ErrInvalid) {
		t.Errorf("DeleteIfOlder(invalid) error = %v, want arca.ErrInvalid", err)
	}
}

func TestCleanTemp(t *testing.T) {
	s := newStore(t)
	tmp := filepath.Join(s.Root(), "tmp")
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{"blob-crashed1", "blob-crashed2"} {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// An upload in progress is young and must survive.
	w, err := s.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}

	n, err := s.CleanTemp(context.Background(), time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("CleanTemp = %d, %v; want 2, nil", n, err)
	}
	if got := tempFiles(t, s); len(got) != 1 {
		t.Errorf("temp files after CleanTemp = %v, want only the upload in progress", got)
	}
	if _, err := w.Commit(context.Background(), arca.Checksums{}); err != nil {
		t.Errorf("Commit after CleanTemp: %v", err)
	}
}

func TestWalkSkipsStrayFiles(t *testing.T) {
	s := newStore(t)
	info := blobtest.Put(t, s, []byte("hello"), arca.Checksums{})
	stray := []string{
		filepath.Join(s.Root(), "sha256", "README"),
		filepath.Join(s.Root(), "sha256", info.Digest[:2], "notadigest"),
		filepath.Join(s.Root(), "sha256", "00", info.Digest), // wrong shard
	}
	for _, p := range stray {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := s.Walk(context.Background(), func(i blob.Info) error {
		got = append(got, i.Digest)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != info.Digest {
		t.Errorf("Walk = %v, want [%s]", got, info.Digest)
	}
}

func TestNewRejectsEmptyRoot(t *testing.T) {
	if _, err := fsblob.New(""); !errors.Is(err, arca.ErrInvalid) {
		t.Errorf("New(\"\") error = %v, want arca.ErrInvalid", err)
	}
}

func TestTouchRenewsGracePeriod(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	info := blobtest.Put(t, s, []byte("touched"), arca.Checksums{})
	p := filepath.Join(s.Root(), "sha256", info.Digest[:2], info.Digest)
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(ctx, info.Digest); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.DeleteIfOlder(ctx, info.Digest, time.Now().Add(-time.Hour))
	if err != nil || deleted {
		t.Fatalf("DeleteIfOlder after Touch = %v, %v; want kept", deleted, err)
	}
	missing := strings.Repeat("a", 64)
	if err := s.Touch(ctx, missing); !errors.Is(err, arca.ErrNotFound) {
		t.Fatalf("Touch(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.Touch(ctx, "../x"); !errors.Is(err, arca.ErrInvalid) {
		t.Fatalf("Touch(invalid) = %v, want ErrInvalid", err)
	}
}
