package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// GetSetting returns the value stored under key; missing: arca.ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.queryRow(ctx, s.r, "SELECT v FROM settings WHERE k = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("setting %q not found", key)
	}
	if err != nil {
		return "", fmt.Errorf("meta: get setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores value under key, replacing any previous value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, "INSERT INTO settings (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", key, value); err != nil {
			return fmt.Errorf("meta: set setting %s: %w", key, err)
		}
		return nil
	})
}

// SetSettingIfAbsent stores value under key unless the key exists, and returns the value stored
// afterwards: concurrent callers (in any process) all get the value of the first to commit.
func (s *Store) SetSettingIfAbsent(ctx context.Context, key, value string) (string, error) {
	var v string
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, "INSERT INTO settings (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", key, value); err != nil {
			return err
		}
		return s.queryRow(ctx, tx, "SELECT v FROM settings WHERE k = ?", key).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("meta: set setting %s: %w", key, err)
	}
	return v, nil
}
