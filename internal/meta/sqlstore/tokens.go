package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"arca"
)

const tokenCols = "id, subject, scope, hash, refresh_hash, created, expires, revoked"

// CreateToken stores a token record; Created defaults to now, a zero Expires means never. An
// existing ID is arca.ErrExists; an empty one arca.ErrInvalid.
func (s *Store) CreateToken(ctx context.Context, t arca.Token) error {
	if t.ID == "" {
		return arca.Errorf(arca.ErrInvalid, "token id is empty")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, "INSERT INTO tokens ("+tokenCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			t.ID, t.Subject, t.Scope, t.Hash, t.RefreshHash, ms(orNow(t.Created)), ms(t.Expires), boolInt(t.Revoked))
		if s.d.IsUniqueViolation(err) {
			return arca.Errorf(arca.ErrExists, "token %q already exists", t.ID)
		}
		if err != nil {
			return fmt.Errorf("meta: create token: %w", err)
		}
		return nil
	})
}

// GetToken returns the token with the given ID, revoked or not; missing: arca.ErrNotFound.
func (s *Store) GetToken(ctx context.Context, id string) (arca.Token, error) {
	return s.oneToken(ctx, "id = ?", id)
}

// GetTokenByRefresh returns the token whose refresh token hashes to refreshHash, revoked or not.
// Missing, or refreshHash "": arca.ErrNotFound.
func (s *Store) GetTokenByRefresh(ctx context.Context, refreshHash string) (arca.Token, error) {
	if refreshHash == "" {
		return arca.Token{}, notFound("token not found")
	}
	return s.oneToken(ctx, "refresh_hash = ? AND refresh_hash <> ''", refreshHash)
}

func (s *Store) oneToken(ctx context.Context, where string, arg any) (arca.Token, error) {
	t, err := scanToken(s.queryRow(ctx, s.r, "SELECT "+tokenCols+" FROM tokens WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return arca.Token{}, notFound("token not found")
	}
	if err != nil {
		return arca.Token{}, fmt.Errorf("meta: get token: %w", err)
	}
	return t, nil
}

// ListTokens returns the tokens of subject (every token when subject is ""), ordered by
// creation time then ID. Subjects match exactly.
func (s *Store) ListTokens(ctx context.Context, subject string) ([]arca.Token, error) {
	q, args := "SELECT "+tokenCols+" FROM tokens", []any{}
	if subject != "" {
		q, args = q+" WHERE subject = ?", append(args, subject)
	}
	rows, err := s.query(ctx, s.r, q+" ORDER BY created, id", args...)
	if err != nil {
		return nil, fmt.Errorf("meta: list tokens: %w", err)
	}
	defer rows.Close()
	var out []arca.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("meta: list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken marks the token revoked (again is fine); missing: arca.ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "UPDATE tokens SET revoked = 1 WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("meta: revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("token %q not found", id)
		}
		return nil
	})
}

func scanToken(sc scanner) (arca.Token, error) {
	var t arca.Token
	var created, expires, revoked int64
	if err := sc.Scan(&t.ID, &t.Subject, &t.Scope, &t.Hash, &t.RefreshHash, &created, &expires, &revoked); err != nil {
		return arca.Token{}, err
	}
	t.Created, t.Expires, t.Revoked = fromMs(created), fromMs(expires), revoked != 0
	return t, nil
}
