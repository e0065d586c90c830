package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStorageGC: POST /api/system/storage/gc deletes the blobs no item references once they
// are older than the grace period, keeps referenced and young ones, and is for admins only.
func TestStorageGC(t *testing.T) {
	s := start(t)
	s.filesOnly(t, "ages blobs by setting their files' times (s3blob's tests cover its age-checked delete)")
	s.local("libs")
	blobPath := func(content string) string {
		sum := sha256.Sum256([]byte(content))
		d := hex.EncodeToString(sum[:])
		return filepath.Join(s.dir, "blobs", "sha256", d[:2], d)
	}
	age := func(content string) {
		old := time.Now().Add(-48 * time.Hour)
		if err := os.Chtimes(blobPath(content), old, old); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"kept", "deleted old", "deleted young"} {
		s.must(201, req{method: "PUT", path: "/libs/" + strings.ReplaceAll(c, " ", "-"), body: strings.NewReader(c)})
	}
	s.must(204, req{method: "DELETE", path: "/libs/deleted-old"})
	s.must(204, req{method: "DELETE", path: "/libs/deleted-young"})
	age("kept")
	age("deleted old")

	s.must(401, req{method: "POST", path: "/api/system/storage/gc", user: "-"})
	r := s.must(200, req{method: "POST", path: "/api/system/storage/gc"})
	if !strings.Contains(r.text(), "3 blobs scanned, 1 deleted, 11 bytes freed") {
		t.Errorf("gc answered %q", r.text())
	}
	if _, err := os.Stat(blobPath("deleted old")); !os.IsNotExist(err) {
		t.Errorf("the old unreferenced blob is still there (%v)", err)
	}
	for _, c := range []string{"kept", "deleted young"} {
		if _, err := os.Stat(blobPath(c)); err != nil {
			t.Errorf("blob %q: %v", c, err)
		}
	}
	if got := s.must(200, req{method: "GET", path: "/libs/kept"}).text(); got != "kept" {
		t.Errorf("GET after gc = %q", got)
	}
}
