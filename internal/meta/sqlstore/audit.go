package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"arca"
	"arca/internal/meta"
)

var _ meta.Audit = (*Store)(nil)

// AddAudit implements meta.Audit.
func (s *Store) AddAudit(ctx context.Context, e meta.AuditEvent) (int64, error) {
	if e.Action == "" {
		return 0, arca.Errorf(arca.ErrInvalid, "an audit event needs an action")
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return s.queryRow(ctx, tx, `INSERT INTO audit (at, node, actor, address, action, target, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			ms(orNow(e.At)), e.Node, e.User, e.Address, e.Action, e.Target, e.Detail).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("meta: add audit event: %w", err)
	}
	return id, nil
}

// AuditEvents implements meta.Audit.
func (s *Store) AuditEvents(ctx context.Context, since time.Time, after int64, limit int) ([]meta.AuditEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.query(ctx, s.r, `SELECT id, at, node, actor, address, action, target, detail FROM audit
		WHERE id > ? AND at >= ? ORDER BY id`+s.d.LimitOffset(limit, 0), after, ms(since))
	if err != nil {
		return nil, fmt.Errorf("meta: audit events: %w", err)
	}
	defer rows.Close()
	var out []meta.AuditEvent
	for rows.Next() {
		var e meta.AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Node, &e.User, &e.Address, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("meta: audit events: %w", err)
		}
		e.At = fromMs(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: audit events: %w", err)
	}
	return out, nil
}
