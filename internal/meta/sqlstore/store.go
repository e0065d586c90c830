// Package sqlstore implements meta.Store on database/sql.
//
// SQLite (modernc.org/sqlite, pure Go) is the default engine: one writer connection whose
// transactions start with BEGIN IMMEDIATE, so writers queue inside the process instead of
// failing with SQLITE_BUSY, and a separate pool of query-only readers that WAL lets run
// alongside the writer. PostgreSQL (pgx, postgres.go) runs every query here too, on one pool
// shared by any number of processes; what differs between the engines is confined to the
// dialect (dialect.go, postgres.go) and the migration files.
//
// Writes go through Store.write (one transaction on the writer); plain reads go to the read pool
// and see everything committed before they started.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"arca"
	"arca/internal/lock"
	"arca/internal/meta"
)

var _ meta.Store = (*Store)(nil)

// Store is the SQL metadata store. It is safe for concurrent use.
type Store struct {
	w *sql.DB // the single writer connection
	r *sql.DB // the query-only read pool
	d dialect

	getItem *sql.Stmt // the download hot path's lookup, prepared once on the read pool

	// finds holds FindItems' statements on the read pool, [items, root][log2 of the key count],
	// each prepared on first use (find.go).
	finds [2][findBuckets]atomic.Pointer[sql.Stmt]

	locks  lock.Keyed // the process's named locks (Lock)
	shared bool       // other processes may open the database (PostgreSQL): Lock takes advisory locks too

	observe      func(kind string, took time.Duration, err error)         // Observe's hook; nil: none
	itemsChanged func(ctx context.Context, tx *sql.Tx, repo string) error // OnItemsChanged's hook; nil: none
}

// Observe makes the store report the duration of every write transaction ("write", each
// attempt), read transaction ("read") and item lookup ("get") to fn, for metrics. Call it
// before the store is used concurrently.
func (s *Store) Observe(fn func(kind string, took time.Duration, err error)) { s.observe = fn }

// timed reports a statement or transaction begun at start to the Observe hook.
func (s *Store) timed(kind string, start time.Time, err error) {
	if s.observe != nil {
		s.observe(kind, time.Since(start), err)
	}
}

var _ lock.Locker = (*Store)(nil)

// Lock implements lock.Locker: within the process on SQLite (only this process opens the
// database), across every process sharing the database on PostgreSQL.
func (s *Store) Lock(ctx context.Context, name string) (func(), error) {
	if s.shared {
		return s.lockPostgres(ctx, name)
	}
	return s.locks.Lock(ctx, name)
}

// Option configures OpenSQLite.
type Option func(*options)

type options struct {
	readConns   int
	busyTimeout time.Duration
	noOptimize  bool // tests that install planner statistics of their own
}

// WithReadConns sets the size of the read pool (default 8, at least 1).
func WithReadConns(n int) Option { return func(o *options) { o.readConns = max(n, 1) } }

// WithBusyTimeout sets how long a connection waits for a lock held by another process before
// failing with SQLITE_BUSY (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// OpenSQLite opens (creating it when missing) the SQLite database at path and brings its schema
// up to date. path is a file name; it must not contain "?" and cannot be ":memory:", because the
// writer and the readers are separate connections to one file.
//
// The database runs in WAL mode with synchronous=FULL, so a committed transaction survives a
// crash or power loss, and with foreign keys enforced.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{readConns: 8, busyTimeout: 10 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" || strings.Contains(path, "?") || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, arca.Errorf(arca.ErrInvalid, "sqlite: unsupported database path %q", path)
	}
	busy := strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	common := "_pragma=busy_timeout(" + busy + ")&_pragma=foreign_keys(1)"

	w, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w, d: sqliteDialect{}}
	if err := w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrateLocked(ctx, w, s.d); err != nil {
		s.Close()
		return nil, err
	}
	// Give the planner statistics for every table that lacks them or whose size changed a lot
	// (0x10000: all tables, not only those this connection used). SQLite bounds the sampling
	// (analysis_limit), so this costs milliseconds on a database of millions of items; without
	// statistics the planner may walk a repository's whole index for a lookup by name.
	if !o.noOptimize {
		if _, err := w.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: optimize: %w", err)
		}
	}

	// Readers map the file (reads without a syscall per page; up to 2 GiB, SQLite's default
	// ceiling, so that the indexes of millions of items stay mapped) and keep a larger page
	// cache.
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=mmap_size(2147418112)&_pragma=cache_size(-8000)&_query_only=1")
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	r.SetMaxOpenConns(o.readConns)
	r.SetMaxIdleConns(o.readConns)
	r.SetConnMaxIdleTime(0)
	s.r = r
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: prepare: %w", err)
	}
	return s, nil
}

// prepare prepares the statements the store keeps, on the read pool.
func (s *Store) prepare(ctx context.Context) (err error) {
	s.getItem, err = s.r.PrepareContext(ctx, s.d.Rebind(selectItem+" WHERE i.repo = ? AND i.path = ? AND i.name = ?"))
	return err
}

// Close releases the connections. The store must not be used afterwards.
func (s *Store) Close() error {
	var errs []error
	if s.getItem != nil {
		errs = append(errs, s.getItem.Close())
	}
	for i := range s.finds {
		for j := range s.finds[i] {
			if st := s.finds[i][j].Swap(nil); st != nil {
				errs = append(errs, st.Close())
			}
		}
	}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		if q := s.d.CloseSQL(); q != "" {
			_, _ = s.w.Exec(q) // cheap upkeep, harmless if it fails
		}
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query on the read pool (and, on SQLite, the
// writer's connection).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("meta: ping: %w", err)
	}
	if s.w != s.r {
		if err := s.w.PingContext(ctx); err != nil {
			return fmt.Errorf("meta: ping: %w", err)
		}
	}
	return nil
}

// Pools returns the connection pools, for their statistics: the writer and the readers on
// SQLite, the one shared pool (twice) on PostgreSQL.
func (s *Store) Pools() (writer, readers *sql.DB) { return s.w, s.r }

// querier is what *sql.DB and *sql.Tx have in common, so helpers serve reads and transactions.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// maxWriteAttempts bounds how often write runs a transaction that keeps losing races.
const maxWriteAttempts = 5

// write runs fn in one transaction on the writer and commits it when fn returns nil. fn must use
// only tx (SQLite's writer has a single connection) and must be safe to run again: a
// transaction that lost a race with another one (the dialect's Retryable) is rolled back and
// run again, a few times. A text value the engine cannot store is arca.ErrInvalid.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil || attempt == maxWriteAttempts || !s.d.Retryable(err) || ctx.Err() != nil {
			return s.classify(err)
		}
		time.Sleep(time.Duration(attempt) * time.Millisecond)
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	start := time.Now()
	defer func() { s.timed("write", start, err) }()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("meta: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("meta: commit: %w", err)
	}
	return nil
}

// OnItemsChanged makes every write that changes the items of a repository call fn for each
// such repository inside its transaction, before the commit (on PostgreSQL, a NOTIFY there is
// delivered with the commit and only with it, so no crash can separate a change from its
// notice). Call it before the store is used concurrently.
func (s *Store) OnItemsChanged(fn func(ctx context.Context, tx *sql.Tx, repo string) error) {
	s.itemsChanged = fn
}

// writeItems is write for a change of the items of repos: the OnItemsChanged hook runs in the
// transaction, once per distinct repository.
func (s *Store) writeItems(ctx context.Context, repos []string, fn func(tx *sql.Tx) error) error {
	if s.itemsChanged == nil {
		return s.write(ctx, fn)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range repos {
			if k := strings.ToLower(r); !seen[k] {
				seen[k] = true
				if err := s.itemsChanged(ctx, tx, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// classify maps the engine's refusal of a text value to arca.ErrInvalid; other errors pass.
func (s *Store) classify(err error) error {
	if err != nil && s.d.IsInvalidText(err) {
		return arca.Errorf(arca.ErrInvalid, "a name or value is not valid UTF-8 text: %v", err)
	}
	return err
}

// read runs fn in one read-only transaction on the read pool, for reads that need a consistent
// snapshot across several statements.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	start := time.Now()
	defer func() { s.timed("read", start, err) }()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("meta: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// exec, query and queryRow rebind q for the dialect.
func (s *Store) exec(ctx context.Context, db querier, q string, args ...any) (sql.Result, error) {
	return db.ExecContext(ctx, s.d.Rebind(q), args...)
}

func (s *Store) query(ctx context.Context, db querier, q string, args ...any) (*sql.Rows, error) {
	return db.QueryContext(ctx, s.d.Rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, db querier, q string, args ...any) *sql.Row {
	return db.QueryRowContext(ctx, s.d.Rebind(q), args...)
}

// ms converts a time to Unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMs is the inverse of ms, in UTC.
func fromMs(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// orNow returns t, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholders returns "?, ?, …" with n placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// notFound wraps arca.ErrNotFound with a message naming what was missing.
func notFound(format string, args ...any) error {
	return arca.Errorf(arca.ErrNotFound, format, args...)
}
