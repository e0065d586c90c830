package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"arca"
)

// User names are unique case-insensitively (a unique index on lower(name)); every lookup finds
// a name in any case and reports it as created.

const userCols = "name, email, password_hash, admin, disabled, created"

// CreateUser stores a new account; Created defaults to now. A name that exists in any case is
// arca.ErrExists; an empty name arca.ErrInvalid.
func (s *Store) CreateUser(ctx context.Context, u arca.User) error {
	if u.Name == "" {
		return arca.Errorf(arca.ErrInvalid, "user name is empty")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, "INSERT INTO users ("+userCols+") VALUES (?, ?, ?, ?, ?, ?)",
			u.Name, u.Email, u.PasswordHash, boolInt(u.Admin), boolInt(u.Disabled), ms(orNow(u.Created)))
		if s.d.IsUniqueViolation(err) {
			return arca.Errorf(arca.ErrExists, "user %q already exists", u.Name)
		}
		if err != nil {
			return fmt.Errorf("meta: create user %s: %w", u.Name, err)
		}
		return nil
	})
}

// UpdateUser replaces Email, PasswordHash, Admin and Disabled; Name and Created stay. Unknown
// name: arca.ErrNotFound.
func (s *Store) UpdateUser(ctx context.Context, u arca.User) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "UPDATE users SET email = ?, password_hash = ?, admin = ?, disabled = ? WHERE lower(name) = lower(?)",
			u.Email, u.PasswordHash, boolInt(u.Admin), boolInt(u.Disabled), u.Name)
		if err != nil {
			return fmt.Errorf("meta: update user %s: %w", u.Name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("user %q not found", u.Name)
		}
		return nil
	})
}

// GetUser returns the account; missing: arca.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, name string) (arca.User, error) {
	u, err := scanUser(s.queryRow(ctx, s.r, "SELECT "+userCols+" FROM users WHERE lower(name) = lower(?)", name))
	if errors.Is(err, sql.ErrNoRows) {
		return arca.User{}, notFound("user %q not found", name)
	}
	if err != nil {
		return arca.User{}, fmt.Errorf("meta: get user %s: %w", name, err)
	}
	return u, nil
}

// ListUsers returns all accounts ordered by name, ignoring case.
func (s *Store) ListUsers(ctx context.Context) ([]arca.User, error) {
	rows, err := s.query(ctx, s.r, "SELECT "+userCols+" FROM users ORDER BY lower(name), name")
	if err != nil {
		return nil, fmt.Errorf("meta: list users: %w", err)
	}
	defer rows.Close()
	var out []arca.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("meta: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: list users: %w", err)
	}
	return out, nil
}

// DeleteUser removes the account (its tokens stay; revoking them is the auth layer's call).
// Missing: arca.ErrNotFound.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "DELETE FROM users WHERE lower(name) = lower(?)", name)
		if err != nil {
			return fmt.Errorf("meta: delete user %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("user %q not found", name)
		}
		return nil
	})
}

func scanUser(sc scanner) (arca.User, error) {
	var u arca.User
	var admin, disabled, created int64
	if err := sc.Scan(&u.Name, &u.Email, &u.PasswordHash, &admin, &disabled, &created); err != nil {
		return arca.User{}, err
	}
	u.Admin, u.Disabled, u.Created = admin != 0, disabled != 0, fromMs(created)
	return u, nil
}
