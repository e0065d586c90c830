package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"arca/internal/meta"
	"arca/internal/meta/metatest"
)

// open returns a store on a fresh database in t's temporary directory, closed when t ends.
func open(t testing.TB) *Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store { return open(t) })
}
