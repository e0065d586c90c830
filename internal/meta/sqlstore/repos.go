package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"arca"
	"arca/internal/meta"
)

// Repository keys are unique case-insensitively (a unique index on lower(key)); GetRepo,
// UpdateRepo and DeleteRepo find a key in any case and report the key as created. Items are
// stored under the key exactly as created: the methods of meta.Items expect that spelling.
// lower() folds ASCII only in SQLite, which is all repository keys allow.

const repoCols = "key, class, package_type, config, created"

// CreateRepo stores a new repository; Created defaults to now. A key that exists in any case is
// arca.ErrExists; an empty key is arca.ErrInvalid.
func (s *Store) CreateRepo(ctx context.Context, r meta.RepoRecord) error {
	if r.Key == "" {
		return arca.Errorf(arca.ErrInvalid, "repository key is empty")
	}
	if r.Config == nil {
		r.Config = []byte{}
	}
	return s.writeItems(ctx, []string{r.Key}, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, "INSERT INTO repos ("+repoCols+") VALUES (?, ?, ?, ?, ?)",
			r.Key, r.Class, r.PackageType, r.Config, ms(orNow(r.Created)))
		if s.d.IsUniqueViolation(err) {
			return arca.Errorf(arca.ErrExists, "repository %q already exists", r.Key)
		}
		if err != nil {
			return fmt.Errorf("meta: create repo %s: %w", r.Key, err)
		}
		return nil
	})
}

// UpdateRepo replaces Class, PackageType and Config; Key and Created stay. Unknown key:
// arca.ErrNotFound.
func (s *Store) UpdateRepo(ctx context.Context, r meta.RepoRecord) error {
	if r.Config == nil {
		r.Config = []byte{}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "UPDATE repos SET class = ?, package_type = ?, config = ? WHERE lower(key) = lower(?)",
			r.Class, r.PackageType, r.Config, r.Key)
		if err != nil {
			return fmt.Errorf("meta: update repo %s: %w", r.Key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("repository %q not found", r.Key)
		}
		return nil
	})
}

// GetRepo returns the repository with key in any case; missing: arca.ErrNotFound.
func (s *Store) GetRepo(ctx context.Context, key string) (meta.RepoRecord, error) {
	r, err := scanRepo(s.queryRow(ctx, s.r, "SELECT "+repoCols+" FROM repos WHERE lower(key) = lower(?)", key))
	if errors.Is(err, sql.ErrNoRows) {
		return meta.RepoRecord{}, notFound("repository %q not found", key)
	}
	if err != nil {
		return meta.RepoRecord{}, fmt.Errorf("meta: get repo %s: %w", key, err)
	}
	return r, nil
}

// ListRepos returns all repositories ordered by key, ignoring case.
func (s *Store) ListRepos(ctx context.Context) ([]meta.RepoRecord, error) {
	rows, err := s.query(ctx, s.r, "SELECT "+repoCols+" FROM repos ORDER BY lower(key), key")
	if err != nil {
		return nil, fmt.Errorf("meta: list repos: %w", err)
	}
	defer rows.Close()
	var out []meta.RepoRecord
	for rows.Next() {
		r, err := scanRepo(rows)
		if err != nil {
			return nil, fmt.Errorf("meta: list repos: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: list repos: %w", err)
	}
	return out, nil
}

// DeleteRepo removes the repository; its items go with it (ON DELETE CASCADE), and their
// properties and statistics with them. Missing: arca.ErrNotFound.
func (s *Store) DeleteRepo(ctx context.Context, key string) error {
	return s.writeItems(ctx, []string{key}, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "DELETE FROM repos WHERE lower(key) = lower(?)", key)
		if err != nil {
			return fmt.Errorf("meta: delete repo %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("repository %q not found", key)
		}
		return nil
	})
}

// repoCreated returns the creation time of the repository with exactly this key, or
// arca.ErrNotFound.
func (s *Store) repoCreated(ctx context.Context, db querier, key string) (int64, error) {
	var created int64
	err := s.queryRow(ctx, db, "SELECT created FROM repos WHERE key = ?", key).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("repository %q not found", key)
	}
	if err != nil {
		return 0, fmt.Errorf("meta: repo %s: %w", key, err)
	}
	return created, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRepo(sc scanner) (meta.RepoRecord, error) {
	var r meta.RepoRecord
	var created int64
	if err := sc.Scan(&r.Key, &r.Class, &r.PackageType, &r.Config, &created); err != nil {
		return meta.RepoRecord{}, err
	}
	r.Created = fromMs(created)
	return r, nil
}
