package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"

	"arca"
)

// FindItems runs one query for any number of repositories, so a virtual repository with a
// hundred members pays one index walk per member inside the database, not one round trip.
//
// The statement text depends on the number of keys; to keep the set of statements small and
// prepared, the key list is padded to the next power of two by repeating a key (a duplicate in
// an IN list matches nothing more) and the statement of that size is prepared once, lazily.
// Lists above maxPreparedKeys run as a one-off query with exactly their placeholders.

// findBuckets is the number of prepared sizes per statement kind: 1, 2, 4, … maxPreparedKeys.
const findBuckets = 11

// maxPreparedKeys is the largest (padded) key count with a prepared statement.
const maxPreparedKeys = 1 << (findBuckets - 1)

// findItemsSQL selects the items at (path, name) in the listed repositories. INDEXED BY keeps
// SQLite on the unique (repo, path, name) index, one probe per key, even when the planner
// would rather scan items_name for a name common to many repositories (maven-metadata.xml).
func (s *Store) findItemsSQL(n int) string {
	return "SELECT " + itemCols + " FROM " + s.d.ItemsByKey("i") +
		" WHERE i.path = ? AND i.name = ? AND i.repo IN (" + placeholders(n) + ")"
}

// findRootsSQL selects the repositories among the listed keys, for the root path.
func findRootsSQL(n int) string {
	return "SELECT key, created FROM repos WHERE key IN (" + placeholders(n) + ")"
}

// FindItems returns the item at exactly path in each of repos that has one (keys matched
// exactly as stored), in no particular order, with one query: on the items' unique (repo, path,
// name) index, or for the root ("") on the repositories' primary key, each listed repository
// that exists being reported as GetItem reports its root. None: a nil slice and a nil error.
func (s *Store) FindItems(ctx context.Context, repos []string, path string) ([]arca.Item, error) {
	if len(repos) == 0 {
		return nil, nil
	}
	root := path == ""
	n := len(repos)
	var stmt *sql.Stmt
	if n <= maxPreparedKeys {
		n = 1 << bits.Len(uint(n-1)) // the next power of two
		var err error
		if stmt, err = s.findStmt(ctx, root, n); err != nil {
			return nil, err
		}
	}
	args := make([]any, 0, n+2)
	if !root {
		dir, name := splitPath(path)
		args = append(args, dir, name)
	}
	for _, r := range repos {
		args = append(args, r)
	}
	for range n - len(repos) {
		args = append(args, repos[0])
	}

	var rows *sql.Rows
	var err error
	switch {
	case stmt != nil:
		rows, err = stmt.QueryContext(ctx, args...)
	case root:
		rows, err = s.query(ctx, s.r, findRootsSQL(n), args...)
	default:
		rows, err = s.query(ctx, s.r, s.findItemsSQL(n), args...)
	}
	if err != nil {
		return nil, fmt.Errorf("meta: find %q in %d repositories: %w", path, len(repos), err)
	}
	defer rows.Close()
	var out []arca.Item
	for rows.Next() {
		var it arca.Item
		if root {
			var created int64
			if err := rows.Scan(&it.Repo, &created); err != nil {
				return nil, fmt.Errorf("meta: find %q: scan: %w", path, err)
			}
			t := fromMs(created)
			it.Folder, it.Created, it.Modified, it.Updated = true, t, t, t
		} else if _, it, err = scanItem(rows); err != nil {
			return nil, fmt.Errorf("meta: find %q: scan: %w", path, err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: find %q in %d repositories: %w", path, len(repos), err)
	}
	return out, nil
}

// findStmt returns the prepared FindItems statement for n keys (a power of two ≤
// maxPreparedKeys), for the root or for items, preparing it on first use. Two goroutines may
// race to prepare the same statement; the loser closes its copy.
func (s *Store) findStmt(ctx context.Context, root bool, n int) (*sql.Stmt, error) {
	kind := 0
	if root {
		kind = 1
	}
	slot := &s.finds[kind][bits.TrailingZeros(uint(n))]
	if st := slot.Load(); st != nil {
		return st, nil
	}
	q := findRootsSQL(n)
	if !root {
		q = s.findItemsSQL(n)
	}
	st, err := s.r.PrepareContext(ctx, s.d.Rebind(q))
	if err != nil {
		return nil, fmt.Errorf("meta: prepare find (%d keys): %w", n, err)
	}
	if !slot.CompareAndSwap(nil, st) {
		_ = st.Close()
		return slot.Load(), nil
	}
	return st, nil
}
