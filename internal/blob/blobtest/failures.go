package blobtest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"arca"
	"arca/internal/blob"
)

// Tests of the ways an ingest can end without a visible blob, and of lookups that must fail.

func testChecksumMismatch(t *testing.T, s blob.Store) {
	wrong := strings.Repeat("0", 64)
	tests := []struct {
		name string
		want arca.Checksums
		kind string // the checksum the error must name
	}{
		{"sha256", arca.Checksums{SHA256: wrong}, "sha256"},
		{"sha1", arca.Checksums{SHA1: wrong[:40]}, "sha1"},
		{"md5", arca.Checksums{MD5: wrong[:32]}, "md5"},
		{"md5 with right others", arca.Checksums{SHA256: helloSums.SHA256, SHA1: helloSums.SHA1, MD5: wrong[:32]}, "md5"},
		{"truncated sha1", arca.Checksums{SHA1: helloSums.SHA1[:39]}, "sha1"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := s.Create(ctx)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			defer w.Cancel()
			if _, err := w.Write([]byte("hello")); err != nil {
				t.Fatalf("Write: %v", err)
			}
			_, err = w.Commit(ctx, tt.want)
			if !errors.Is(err, arca.ErrChecksum) {
				t.Fatalf("Commit error = %v, want arca.ErrChecksum", err)
			}
			// The message names the checksum that differed.
			if !strings.Contains(err.Error(), tt.kind) {
				t.Errorf("Commit error %q does not name %s", err, tt.kind)
			}
			if err := w.Cancel(); err != nil {
				t.Errorf("Cancel after failed Commit: %v", err)
			}
			assertEmpty(t, s, helloSums.SHA256)
		})
	}
}

func testDeclaredChecksumsIgnoreCase(t *testing.T, s blob.Store) {
	upper := arca.Checksums{
		SHA256: strings.ToUpper(helloSums.SHA256),
		SHA1:   strings.ToUpper(helloSums.SHA1),
		MD5:    strings.ToUpper(helloSums.MD5),
	}
	info := Put(t, s, []byte("hello"), upper)
	if info.Digest != helloSums.SHA256 {
		t.Errorf("Digest = %q, want lower-case %q", info.Digest, helloSums.SHA256)
	}
}

func testCancel(t *testing.T, s blob.Store) {
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	for i := range 2 {
		if err := w.Cancel(); err != nil {
			t.Errorf("Cancel #%d: %v", i+1, err)
		}
	}
	assertEmpty(t, s, helloSums.SHA256)
	if _, err := w.Commit(ctx, arca.Checksums{}); err == nil {
		t.Errorf("Commit after Cancel succeeded")
	}
	assertEmpty(t, s, helloSums.SHA256)
}

func testCancelAfterCommit(t *testing.T, s blob.Store) {
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if _, err := w.Commit(ctx, helloSums); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	for i := range 2 {
		if err := w.Cancel(); err != nil {
			t.Errorf("Cancel #%d after Commit: %v", i+1, err)
		}
	}
	if got := readAll(t, s, helloSums.SHA256); string(got) != "hello" {
		t.Errorf("content after Cancel = %q, want %q", got, "hello")
	}
}

func testCommitCancelledContext(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w.Cancel()
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	cancel()
	if _, err := w.Commit(ctx, helloSums); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit error = %v, want context.Canceled", err)
	}
	assertEmpty(t, s, helloSums.SHA256)
}

func testNotFound(t *testing.T, s blob.Store) {
	Put(t, s, []byte("hello"), helloSums)
	assertNotFound(t, s, emptySums.SHA256)
}

func assertNotFound(t *testing.T, s blob.Store, digest string) {
	t.Helper()
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

func testInvalidDigest(t *testing.T, s blob.Store) {
	// A stored blob, so that a store which forgot to validate could find something.
	Put(t, s, []byte("hello"), helloSums)
	valid := helloSums.SHA256
	tests := []struct {
		name   string
		digest string
	}{
		{"empty", ""},
		{"upper case", strings.ToUpper(valid)},
		{"short", valid[:63]},
		{"long", valid + "0"},
		{"sha1 length", helloSums.SHA1},
		{"dot dot", "../x"},
		{"dot dot padded", "../" + valid[3:]},
		{"slash", valid[:2] + "/" + valid[3:]},
		{"backslash", valid[:2] + `\` + valid[3:]},
		{"shard path", valid[:2] + "/" + valid},
		{"non hex", "g" + valid[1:]},
		{"prefixed", "sha256:" + valid},
		{"NUL", valid[:63] + "\x00"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Stat(ctx, tt.digest); !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("Stat error = %v, want arca.ErrInvalid", err)
			}
			if f, err := s.Open(ctx, tt.digest); !errors.Is(err, arca.ErrInvalid) {
				if err == nil {
					f.Close()
				}
				t.Errorf("Open error = %v, want arca.ErrInvalid", err)
			}
			if err := s.Delete(ctx, tt.digest); !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("Delete error = %v, want arca.ErrInvalid", err)
			}
		})
	}
	if _, err := s.Stat(ctx, valid); err != nil {
		t.Errorf("Stat(%s) after invalid deletes: %v", valid, err)
	}
}
