package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"arca"
	"arca/internal/meta"
	"arca/internal/pgtest"
)

// TestPostgresConcurrentOpen: nodes starting at once on a new database migrate it exactly once
// between them (without the lock, concurrent CREATE TABLEs fail), and all of them open.
func TestPostgresConcurrentOpen(t *testing.T) {
	pg := pgtest.Start(t)
	dsn := pg.NewDB(t)
	const nodes = 6
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	stores := make([]*Store, nodes)
	for i := range nodes {
		wg.Go(func() { stores[i], errs[i] = OpenPostgres(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: OpenPostgres: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	ms, err := loadMigrations(postgresDialect{}.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	var rows, distinct int
	if err := stores[0].r.QueryRow("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || distinct != len(ms) {
		t.Errorf("schema_migrations has %d rows (%d versions), want %d, one each", rows, distinct, len(ms))
	}
}

// TestPostgresInvalidText: text PostgreSQL cannot store (invalid UTF-8, NUL) is arca.ErrInvalid
// on a write, not an internal error, and a read for such a path finds nothing.
func TestPostgresInvalidText(t *testing.T) {
	s := openPostgres(t, pgtest.Start(t))
	ctx := context.Background()
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "r1", Class: "local", PackageType: "generic"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"bad\xff.jar", "nul\x00.jar", "dir\xff/in.jar"} {
		f := arca.Item{Repo: "r1", Path: p, Size: 1, Checksums: arca.Checksums{SHA256: "00"}}
		if _, err := s.PutFile(ctx, f, meta.PutOptions{}); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("PutFile(%q) = %v, want arca.ErrInvalid", p, err)
		}
		if _, err := s.GetItem(ctx, "r1", p); !errors.Is(err, arca.ErrNotFound) {
			t.Errorf("GetItem(%q) = %v, want arca.ErrNotFound", p, err)
		}
	}
	var n int
	if err := s.r.QueryRow("SELECT COUNT(*) FROM items").Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d items stored after refused writes, want 0", n)
	}
}

// TestPostgresLock: the lock of a name is held by one process at a time across stores on one
// database (two nodes), other names do not wait, and a holder that goes away releases it.
func TestPostgresLock(t *testing.T) {
	pg := pgtest.Start(t)
	dsn := pg.NewDB(t)
	open := func() *Store {
		s, err := OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(), open()
	defer b.Close()
	ctx := context.Background()
	unlock, err := a.Lock(ctx, "npm-local\x00left-pad")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(short, "npm-local\x00left-pad"); err == nil {
		t.Fatal("node b took a lock node a holds")
	}
	other, err := b.Lock(ctx, "npm-local\x00right-pad")
	if err != nil {
		t.Fatalf("another name: %v", err)
	}
	other()
	unlock()
	again, err := b.Lock(ctx, "npm-local\x00left-pad")
	if err != nil {
		t.Fatalf("after a released it: %v", err)
	}
	again()

	// A holder that dies: its connections close, and the lock with them.
	if _, err := a.Lock(ctx, "held by the dead"); err != nil {
		t.Fatal(err)
	}
	a.Close() // what a killed process's connections do; the lock's own connection is closed below
	var n int
	if err := b.r.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE '%pg_advisory_lock%' AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	waited, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	unlockDead, err := b.Lock(waited, "held by the dead")
	if err != nil {
		t.Fatalf("the lock of a holder whose connection died: %v", err)
	}
	unlockDead()
}
