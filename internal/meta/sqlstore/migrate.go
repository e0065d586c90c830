package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema migrations of every engine, one directory per engine.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the NNNN_name.sql files of fsys, ordered by version. Versions must be
// unique and positive; other files are ignored.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %s: name must be NNNN_name.sql", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrationConn is what *sql.DB and *sql.Conn have in common for migrating.
type migrationConn interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// migrateLocked runs migrate on one connection of db under the dialect's migration lock, so
// that of several processes opening one database at once exactly one applies each migration
// and the others wait for it. The connection is closed afterwards, not returned to the pool,
// so no lock can outlive it.
func migrateLocked(ctx context.Context, db *sql.DB, d dialect) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer discard(conn)
	unlock, err := d.LockMigrations(ctx, conn)
	if err != nil {
		return err
	}
	defer unlock()
	return migrate(ctx, conn, d)
}

// migrate applies the dialect's migrations that db has not seen yet, each in its own
// transaction together with its schema_migrations row, so a failed migration leaves no trace
// and running migrate again is harmless; run concurrently by several processes, it needs the
// dialect's lock (migrateLocked). A database that has a version this binary does not know is
// refused rather than guessed at.
func migrate(ctx context.Context, db migrationConn, d dialect) error {
	ms, err := loadMigrations(d.Migrations())
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name    TEXT    NOT NULL,
		applied BIGINT  NOT NULL)`); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
	}
	var newest int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&newest); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if newest > 0 && !known[newest] {
		return fmt.Errorf("migrations: database schema version %d is newer than this binary supports", newest)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, db, d, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db migrationConn, d dialect, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, d.Rebind("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version).Scan(&n); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrations: %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, d.Rebind("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)"),
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("migrations: %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrations: %s: %w", m.name, err)
	}
	return nil
}
