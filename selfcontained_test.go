package arca

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNothingPointsOutside: the repository's files (code, tests, scripts, docs) never send a
// reader to a document or path outside the repository — what a user or contributor needs is in
// the project's own docs.
func TestNothingPointsOutside(t *testing.T) {
	// The names are assembled, so that this file does not mention them itself.
	outside := []string{"/work/" + "shared", ".." + "/shared/"}
	for _, doc := range []string{"clients", "artifactory-api", "design", "protocols", "access", "federation"} {
		outside = append(outside, strings.ToUpper(doc)+".md")
	}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != "." && (strings.HasPrefix(name, ".") && name != ".ci" || name == "out" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range outside {
			if strings.Contains(string(b), s) {
				t.Errorf("%s mentions %q, which is outside the repository", p, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
