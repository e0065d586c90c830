package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"arca/internal/meta"
	"arca/internal/meta/metatest"
	"arca/internal/pgtest"
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

// TestConformancePostgres runs the suite on a real PostgreSQL: a throwaway cluster, a new
// database per store.
func TestConformancePostgres(t *testing.T) {
	pg := pgtest.Start(t)
	metatest.Run(t, func(t *testing.T) meta.Store { return openPostgres(t, pg) })
}

// openPostgres returns a store on a new database of pg, closed when t ends.
func openPostgres(t testing.TB, pg *pgtest.Server) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), pg.NewDB(t))
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
