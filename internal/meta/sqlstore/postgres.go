package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"arca/internal/aql"
)

// postgresDialect is the dialect of PostgreSQL (≥ 13) through pgx.
type postgresDialect struct{}

func (postgresDialect) Rebind(query string) string { return rebindDollar(query) }

// PostgreSQL SQLSTATEs (Appendix A of its manual).
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgInvalidText          = "22021" // character_not_in_repertoire: invalid UTF-8, or NUL
	pgUntranslatable       = "22P05" // untranslatable_character
)

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func (postgresDialect) IsUniqueViolation(err error) bool { return pgCode(err) == pgUniqueViolation }

func (postgresDialect) AQL() aql.Dialect { return aql.PostgresDialect{} }

func (postgresDialect) LimitOffset(limit, offset int) string { return limitOffset("", limit, offset) }

func (postgresDialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations/postgres")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// ItemsByKey names the table alone: PostgreSQL's planner has statistics from the start
// (autovacuum's ANALYZE) and picks the unique index for an equality on all three columns.
func (postgresDialect) ItemsByKey(alias string) string { return "items " + alias }

// migrationLock is the key of the session-level advisory lock that serialises migrations
// across every node of a cluster ("arca" in ASCII).
const migrationLock = 0x61726361

// LockMigrations takes the advisory lock on conn, waiting for a node that holds it.
func (postgresDialect) LockMigrations(ctx context.Context, conn *sql.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return nil, fmt.Errorf("migrations: lock: %w", err)
	}
	return func() {
		// Should the unlock fail, the lock goes when the connection does: migrateLocked
		// closes the connection raw rather than returning it to the pool.
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLock)
	}, nil
}

// Retryable reports whether a write transaction failed only because it ran into another one
// (a deadlock, or a serialisation failure) and may succeed when run again.
func (postgresDialect) Retryable(err error) bool {
	switch pgCode(err) {
	case pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	return false
}

// CloseSQL is "": autovacuum keeps PostgreSQL's statistics.
func (postgresDialect) CloseSQL() string { return "" }

// IsInvalidText reports whether err is PostgreSQL refusing a text value (invalid UTF-8 or a
// NUL byte), which SQLite would have stored.
func (postgresDialect) IsInvalidText(err error) bool {
	switch pgCode(err) {
	case pgInvalidText, pgUntranslatable:
		return true
	}
	return false
}

// PostgresOption configures OpenPostgres.
type PostgresOption func(*pgOptions)

type pgOptions struct {
	maxConns int
}

// WithMaxConns sets the size of the connection pool (default 16, at least 2).
func WithMaxConns(n int) PostgresOption { return func(o *pgOptions) { o.maxConns = max(n, 2) } }

// OpenPostgres connects to the PostgreSQL database named by dsn (a postgres:// URL or a
// key=value connection string, as libpq and pgx read them) and brings its schema up to date.
// Several processes may open the same database at once: migrations run under an advisory lock,
// each in its own transaction, so exactly one process applies each.
//
// Reads and writes share one pool. Writes run at PostgreSQL's default isolation (READ
// COMMITTED) and every statement that could race another node is a single upsert; a write
// transaction that fails with a deadlock or a serialisation failure is run again (Store.write).
func OpenPostgres(ctx context.Context, dsn string, opts ...PostgresOption) (*Store, error) {
	o := pgOptions{maxConns: 16}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{w: db, r: db, d: postgresDialect{}, shared: true}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrateLocked(ctx, db, s.d); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: prepare: %w", err)
	}
	return s, nil
}

// lockPostgres takes the advisory lock of name on a connection of its own, after the process's
// own lock of that name (so that contenders within one process wait without holding
// connections). The connection goes with the release: closed, not pooled, so the lock cannot
// outlive it, and a process that dies releases its locks with its connections.
func (s *Store) lockPostgres(ctx context.Context, name string) (func(), error) {
	unlockLocal, err := s.locks.Lock(ctx, name)
	if err != nil {
		return nil, err
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		unlockLocal()
		return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	key := lockKey(name)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		discard(conn)
		unlockLocal()
		return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
		discard(conn)
		unlockLocal()
	}, nil
}

// lockKey is the advisory lock key of a name: 64 bits of its SHA-256 (names may hold any
// bytes, which PostgreSQL text may not).
func lockKey(name string) int64 {
	sum := sha256.Sum256([]byte(name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// discard closes conn for good rather than returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
