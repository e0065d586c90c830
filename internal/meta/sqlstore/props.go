package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"arca"
)

// Properties are rows of props, one per value; props.id keeps the order of insertion. A key
// given with no values is stored as one empty value, so it survives (as [""]) and AQL can match
// it: Artifactory's "key=" means exactly that.
//
// The repository root has no row and so no properties of its own: GetProps reports none, the
// non-recursive setters refuse it (arca.ErrInvalid), and the recursive ones apply to every item
// of the repository.

// propsBatch is how many values one INSERT carries (3 parameters each, well below SQLite's
// 32766 and PostgreSQL's 65535 parameter limits).
const propsBatch = 500

// checkProps rejects empty keys.
func checkProps(p arca.Properties) error {
	for k := range p {
		if k == "" {
			return arca.Errorf(arca.ErrInvalid, "empty property key")
		}
	}
	return nil
}

// GetProps returns the properties of an item, an empty non-nil map when it has none (the root
// always). Missing item or repository: arca.ErrNotFound.
func (s *Store) GetProps(ctx context.Context, repo, path string) (arca.Properties, error) {
	out := arca.Properties{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		id, _, err := s.lookupOrRoot(ctx, tx, repo, path)
		if err != nil || id == 0 {
			return err
		}
		m, err := s.propsOf(ctx, tx, []int64{id})
		if p := m[id]; p != nil {
			out = p
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetProps replaces the values of each key of props (other keys are kept) on the item and, when
// recursive, on every item below it.
func (s *Store) SetProps(ctx context.Context, repo, path string, props arca.Properties, recursive bool) error {
	if err := checkProps(props); err != nil {
		return err
	}
	keys := props.Keys()
	return s.onTargets(ctx, repo, path, recursive, func(tx *sql.Tx, where string, args []any) error {
		if err := s.deleteKeys(ctx, tx, where, args, keys); err != nil {
			return err
		}
		for _, k := range keys {
			vs := props[k]
			if len(vs) == 0 {
				vs = []string{""}
			}
			for _, v := range vs {
				if _, err := s.exec(ctx, tx, "INSERT INTO props (item_id, k, v) SELECT id, ?, ? FROM items WHERE "+where,
					append([]any{k, v}, args...)...); err != nil {
					return fmt.Errorf("meta: set props %s/%s: %w", repo, path, err)
				}
			}
		}
		return nil
	})
}

// DeleteProps removes the given keys from the item and, when recursive, from every item below
// it. Keys the items do not have are ignored.
func (s *Store) DeleteProps(ctx context.Context, repo, path string, keys []string, recursive bool) error {
	return s.onTargets(ctx, repo, path, recursive, func(tx *sql.Tx, where string, args []any) error {
		return s.deleteKeys(ctx, tx, where, args, keys)
	})
}

// ReplaceProps replaces all properties of one item (nil or empty: removes them all).
func (s *Store) ReplaceProps(ctx context.Context, repo, path string, props arca.Properties) error {
	if err := checkProps(props); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		id, _, err := s.lookupOrRoot(ctx, tx, repo, path)
		if err != nil {
			return err
		}
		if id == 0 {
			return arca.Errorf(arca.ErrInvalid, "%s: the repository root has no properties", repo)
		}
		return s.replacePropsTx(ctx, tx, id, props)
	})
}

// onTargets runs fn in a write transaction with a condition (unaliased columns of items)
// selecting the item at path and, when recursive, its subtree.
func (s *Store) onTargets(ctx context.Context, repo, path string, recursive bool, fn func(tx *sql.Tx, where string, args []any) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		id, it, err := s.lookupOrRoot(ctx, tx, repo, path)
		if err != nil {
			return err
		}
		switch {
		case id == 0 && !recursive:
			return arca.Errorf(arca.ErrInvalid, "%s: the repository root has no properties", repo)
		case id == 0:
			return fn(tx, "repo = ?", []any{repo})
		case recursive && it.Folder:
			where, args := descendants("", repo, path)
			return fn(tx, "id = ? OR ("+where+")", append([]any{id}, args...))
		}
		return fn(tx, "id = ?", []any{id})
	})
}

// deleteKeys removes keys from the items matching where.
func (s *Store) deleteKeys(ctx context.Context, tx *sql.Tx, where string, args []any, keys []string) error {
	for len(keys) > 0 {
		batch := keys[:min(len(keys), propsBatch)]
		keys = keys[len(batch):]
		a := make([]any, 0, len(batch)+len(args))
		for _, k := range batch {
			a = append(a, k)
		}
		a = append(a, args...)
		if _, err := s.exec(ctx, tx, "DELETE FROM props WHERE k IN ("+placeholders(len(batch))+
			") AND item_id IN (SELECT id FROM items WHERE "+where+")", a...); err != nil {
			return fmt.Errorf("meta: delete props: %w", err)
		}
	}
	return nil
}

// replacePropsTx replaces all properties of item id by props, in key order.
func (s *Store) replacePropsTx(ctx context.Context, tx *sql.Tx, id int64, props arca.Properties) error {
	if _, err := s.exec(ctx, tx, "DELETE FROM props WHERE item_id = ?", id); err != nil {
		return fmt.Errorf("meta: replace props: %w", err)
	}
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := "INSERT INTO props (item_id, k, v) VALUES " + repeatJoin("(?, ?, ?)", len(args)/3)
		_, err := s.exec(ctx, tx, q, args...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("meta: replace props: %w", err)
		}
		return nil
	}
	for _, k := range props.Keys() {
		vs := props[k]
		if len(vs) == 0 {
			vs = []string{""}
		}
		for _, v := range vs {
			args = append(args, id, k, v)
			if len(args) == 3*propsBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// copyPropsTx replaces all properties of item dst by those of item src.
func (s *Store) copyPropsTx(ctx context.Context, tx *sql.Tx, src, dst int64) error {
	if _, err := s.exec(ctx, tx, "DELETE FROM props WHERE item_id = ?", dst); err != nil {
		return fmt.Errorf("meta: copy props: %w", err)
	}
	if _, err := s.exec(ctx, tx, "INSERT INTO props (item_id, k, v) SELECT ?, k, v FROM props WHERE item_id = ? ORDER BY id", dst, src); err != nil {
		return fmt.Errorf("meta: copy props: %w", err)
	}
	return nil
}

// propsOf returns the properties of the given items; items without any are absent from the map.
func (s *Store) propsOf(ctx context.Context, db querier, ids []int64) (map[int64]arca.Properties, error) {
	out := map[int64]arca.Properties{}
	err := inBatches(ids, func(batch []any) error {
		rows, err := s.query(ctx, db, "SELECT item_id, k, v FROM props WHERE item_id IN ("+placeholders(len(batch))+") ORDER BY id", batch...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				return err
			}
			p := out[id]
			if p == nil {
				p = arca.Properties{}
				out[id] = p
			}
			p[k] = append(p[k], v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("meta: props: %w", err)
	}
	return out, nil
}

// inBatches calls fn with the ids in slices of at most propsBatch, as query arguments.
func inBatches(ids []int64, fn func(batch []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), propsBatch)
		batch := make([]any, n)
		for i, id := range ids[:n] {
			batch[i] = id
		}
		ids = ids[n:]
		if err := fn(batch); err != nil {
			return err
		}
	}
	return nil
}

// repeatJoin returns n copies of s joined by ", ".
func repeatJoin(s string, n int) string {
	if n <= 0 {
		return ""
	}
	b := make([]byte, 0, n*(len(s)+2))
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, s...)
	}
	return string(b)
}
