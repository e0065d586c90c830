package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"arca/internal/meta"
)

var _ meta.Cluster = (*Store)(nil)

// Heartbeat implements meta.Cluster.
func (s *Store) Heartbeat(ctx context.Context, n meta.Node) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO nodes (id, address, version, started, heartbeat) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET address = excluded.address, version = excluded.version,
				started = excluded.started, heartbeat = excluded.heartbeat`,
			n.ID, n.Address, n.Version, ms(n.Started), ms(n.Heartbeat))
		if err != nil {
			return fmt.Errorf("meta: heartbeat: %w", err)
		}
		return nil
	})
}

// Nodes implements meta.Cluster.
func (s *Store) Nodes(ctx context.Context, since time.Time) ([]meta.Node, error) {
	rows, err := s.query(ctx, s.r, "SELECT id, address, version, started, heartbeat FROM nodes WHERE heartbeat >= ? ORDER BY id", ms(since))
	if err != nil {
		return nil, fmt.Errorf("meta: nodes: %w", err)
	}
	defer rows.Close()
	var out []meta.Node
	for rows.Next() {
		var n meta.Node
		var started, beat int64
		if err := rows.Scan(&n.ID, &n.Address, &n.Version, &started, &beat); err != nil {
			return nil, fmt.Errorf("meta: nodes: %w", err)
		}
		n.Started, n.Heartbeat = fromMs(started), fromMs(beat)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: nodes: %w", err)
	}
	return out, nil
}

// RemoveNode implements meta.Cluster.
func (s *Store) RemoveNode(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, "DELETE FROM nodes WHERE id = ?", id); err != nil {
			return fmt.Errorf("meta: remove node: %w", err)
		}
		return nil
	})
}

// AcquireLease implements meta.Cluster in one upsert: the row is taken over only when it is
// holder's or expired, which the WHERE of the DO UPDATE decides atomically on both engines.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error) {
	var got string
	err := s.write(ctx, func(tx *sql.Tx) error {
		return s.queryRow(ctx, tx, `INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
			WHERE leases.holder = excluded.holder OR leases.expires < ?
			RETURNING holder`, name, holder, ms(until), ms(now)).Scan(&got)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // held by another, and not expired
	}
	if err != nil {
		return false, fmt.Errorf("meta: acquire lease %s: %w", name, err)
	}
	return got == holder, nil
}

// ReleaseLease implements meta.Cluster.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder); err != nil {
			return fmt.Errorf("meta: release lease %s: %w", name, err)
		}
		return nil
	})
}

// Lease implements meta.Cluster.
func (s *Store) Lease(ctx context.Context, name string) (string, time.Time, error) {
	var holder string
	var exp int64
	err := s.queryRow(ctx, s.r, "SELECT holder, expires FROM leases WHERE name = ?", name).Scan(&holder, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("meta: lease %s: %w", name, err)
	}
	return holder, fromMs(exp), nil
}
