package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"arca"
	"arca/internal/aql"
	"arca/internal/meta"
)

// defaultOrder sorts search results when the query does not, and breaks ties when it does, so
// pages given by Offset/Limit never overlap.
const defaultOrder = "i.repo, i.path, i.name"

// Search runs q: SELECT … FROM items i WHERE <compiled criteria, which carry q.Type's filter>
// ORDER BY <q's sort, then repo, path, name> LIMIT/OFFSET, then, for the rows found, one query
// for properties (withProps: Row.Props non-nil, possibly empty) and two for statistics
// (withStats: Row.Stats non-nil, zero when never downloaded), all in one read transaction.
//
// The compiler's errors (arca.ErrInvalid) come back as they are. q.Limit < 0 means no limit
// (0 returns no rows). The statement binds only the compiled arguments, with the engine's own
// placeholders, so it is not rebound.
func (s *Store) Search(ctx context.Context, q *aql.Query, withProps, withStats bool) ([]meta.Row, error) {
	stmt, args, err := s.searchSQL(q)
	if err != nil {
		return nil, err
	}

	var out []meta.Row
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, stmt, args...)
		if err != nil {
			return fmt.Errorf("meta: search: %w", err)
		}
		var ids []int64
		for rows.Next() {
			id, it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("meta: search: %w", err)
			}
			ids = append(ids, id)
			out = append(out, meta.Row{Item: it})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("meta: search: %w", err)
		}
		if withProps && len(ids) > 0 {
			props, err := s.propsOf(ctx, tx, ids)
			if err != nil {
				return err
			}
			for i, id := range ids {
				out[i].Props = props[id]
				if out[i].Props == nil {
					out[i].Props = arca.Properties{}
				}
			}
		}
		if withStats && len(ids) > 0 {
			stats, err := s.statsOf(ctx, tx, ids)
			if err != nil {
				return err
			}
			for i, id := range ids {
				st := stats[id]
				out[i].Stats = &st
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// searchSQL is Search's statement for q and its arguments.
func (s *Store) searchSQL(q *aql.Query) (string, []any, error) {
	c, err := aql.Compile(q, s.d.AQL())
	if err != nil {
		return "", nil, err
	}
	where := c.Where
	if where == "" {
		where = "1=1"
	}
	order := defaultOrder
	if c.OrderBy != "" {
		order = c.OrderBy + ", " + defaultOrder
	}
	return "SELECT " + itemCols + " FROM items i WHERE " + where + " ORDER BY " + order + s.d.LimitOffset(q.Limit, q.Offset), c.Args, nil
}
