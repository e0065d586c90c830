package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"modernc.org/sqlite"

	"arca/internal/aql"
)

// dialect is everything that differs between the database engines the store runs on. Queries
// are written once, with "?" placeholders and portable SQL (ON CONFLICT … DO UPDATE/NOTHING,
// RETURNING, lower() expression indexes, partial indexes), which SQLite ≥ 3.35 and PostgreSQL
// ≥ 9.5 both accept; the dialect covers what is left.
type dialect interface {
	// Rebind rewrites the "?" placeholders of query for the engine.
	Rebind(query string) string
	// IsUniqueViolation reports whether err is a unique or primary key constraint violation.
	IsUniqueViolation(err error) bool
	// AQL is the dialect the AQL compiler generates SQL for. Its placeholders are the engine's
	// native ones: Search binds only the compiled arguments, so the WHERE is never rebound.
	AQL() aql.Dialect
	// LimitOffset returns the LIMIT/OFFSET clause (with a leading space, or "") for limit
	// (< 0: none) and offset.
	LimitOffset(limit, offset int) string
	// Migrations holds the engine's numbered NNNN_name.sql files.
	Migrations() fs.FS
	// ItemsByKey returns the FROM clause naming the items table as alias, for a query that
	// must look rows up by the unique (repo, path, name) index and by no other.
	ItemsByKey(alias string) string
	// LockMigrations makes conn the only connection, across every process on the database,
	// that migrates until the returned unlock is called.
	LockMigrations(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// Retryable reports whether a write transaction that failed with err may succeed if
	// run again from the start (it lost a race with another transaction).
	Retryable(err error) bool
	// IsInvalidText reports whether err is the engine refusing a text value it cannot store
	// (PostgreSQL: invalid UTF-8 or NUL), which the store reports as arca.ErrInvalid.
	IsInvalidText(err error) bool
	// CloseSQL is a statement to run on the writer before closing it ("": none).
	CloseSQL() string
}

// sqliteDialect is the dialect of modernc.org/sqlite.
type sqliteDialect struct{}

func (sqliteDialect) Rebind(query string) string { return query }

// SQLite result codes (sqlite3.h): SQLITE_CONSTRAINT and its UNIQUE and PRIMARYKEY extended codes.
const (
	sqliteConstraint           = 19
	sqliteConstraintUnique     = sqliteConstraint | 8<<8
	sqliteConstraintPrimaryKey = sqliteConstraint | 6<<8
)

func (sqliteDialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
		return true
	case sqliteConstraint: // extended result codes off: fall back to the message
		return strings.Contains(e.Error(), "UNIQUE constraint failed")
	}
	return false
}

func (sqliteDialect) AQL() aql.Dialect { return aql.SQLiteDialect{} }

// LimitOffset: SQLite has no OFFSET without LIMIT; -1 is none.
func (sqliteDialect) LimitOffset(limit, offset int) string {
	return limitOffset(" LIMIT -1", limit, offset)
}

// limitOffset writes the clause of LimitOffset; unlimited precedes an OFFSET without a limit.
func limitOffset(unlimited string, limit, offset int) string {
	switch {
	case limit < 0 && offset <= 0:
		return ""
	case limit < 0:
		return unlimited + " OFFSET " + strconv.Itoa(offset)
	case offset <= 0:
		return " LIMIT " + strconv.Itoa(limit)
	}
	return " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(offset)
}

// ItemsByKey forces the index: without statistics SQLite may prefer items_name, one seek but
// then a row per repository holding that name, over one probe per listed repository.
func (sqliteDialect) ItemsByKey(alias string) string {
	return "items " + alias + " INDEXED BY items_repo_path_name"
}

// LockMigrations has nothing to do: the writer is one connection whose transactions begin
// IMMEDIATE, and the data directory's lock keeps other processes away.
func (sqliteDialect) LockMigrations(context.Context, *sql.Conn) (func(), error) {
	return func() {}, nil
}

// Retryable is false: the single writer never runs into another transaction of the process,
// and busy_timeout waits out other processes.
func (sqliteDialect) Retryable(error) bool { return false }

// IsInvalidText is false: SQLite stores any bytes in a TEXT column.
func (sqliteDialect) IsInvalidText(error) bool { return false }

// CloseSQL lets SQLite refresh its planner statistics.
func (sqliteDialect) CloseSQL() string { return "PRAGMA optimize" }

func (sqliteDialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations/sqlite")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// rebindDollar rewrites "?" placeholders to PostgreSQL's "$1", "$2", …, leaving "?" inside
// single-quoted literals, double-quoted identifiers and comments alone: the Rebind of the
// PostgreSQL dialect.
func rebindDollar(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case '-':
			if i+1 < len(query) && query[i+1] == '-' {
				j := strings.IndexByte(query[i:], '\n')
				if j < 0 {
					j = len(query) - i - 1
				}
				b.WriteString(query[i : i+j+1])
				i += j
				continue
			}
			b.WriteByte(c)
		case '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
