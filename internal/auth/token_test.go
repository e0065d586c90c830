package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestIssue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	iss, err := f.tokens.Issue(ctx, "alice", "member-of-groups:*", time.Hour, true)
	if err != nil {
		t.Fatal(err)
	}
	if iss.TokenType != "Bearer" || iss.ExpiresIn != 3600 || iss.Scope != "member-of-groups:*" || iss.RefreshToken == "" {
		t.Errorf("Issued = %+v", iss)
	}
	// The JSON shape of Artifactory's answer.
	b, err := json.Marshal(iss)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	json.Unmarshal(b, &fields)
	for _, k := range []string{"access_token", "refresh_token", "expires_in", "scope", "token_type"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("JSON %s lacks %q", b, k)
		}
	}

	c := jfrogPayload(t, iss.AccessToken)
	rec, err := f.store.GetToken(ctx, c.Jti)
	if err != nil {
		t.Fatalf("no record under jti: %v", err)
	}
	now := f.clock.now()
	want := arca.Token{
		ID: c.Jti, Subject: "alice", Scope: "member-of-groups:*",
		Hash: hashHex(iss.AccessToken), RefreshHash: hashHex(iss.RefreshToken),
		Created: now, Expires: now.Add(time.Hour),
	}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}

	// Not refreshable: no refresh token, no refresh hash; expiresIn 0: no exp, no Expires.
	iss, err = f.tokens.Issue(ctx, "alice", "s", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	c = jfrogPayload(t, iss.AccessToken)
	rec, _ = f.store.GetToken(ctx, c.Jti)
	if iss.RefreshToken != "" || rec.RefreshHash != "" || c.Exp != 0 || !rec.Expires.IsZero() || iss.ExpiresIn != 0 {
		t.Errorf("non-expiring, non-refreshable: Issued %+v, claims %+v, record %+v", iss, c, rec)
	}
	if b, _ := json.Marshal(iss); strings.Contains(string(b), "refresh_token") {
		t.Errorf("JSON %s has refresh_token", b)
	}
	f.clock.advance(100 * 365 * 24 * time.Hour)
	if _, err := f.tokens.Verify(ctx, iss.AccessToken); err != nil {
		t.Errorf("non-expiring token after 100 years: %v", err)
	}
}

func TestIssueInvalid(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name      string
		subject   string
		expiresIn time.Duration
	}{
		{"empty subject", "", time.Hour},
		{"slash in subject", "a/b", time.Hour},
		{"negative expiry", "alice", -time.Second},
		{"sub-second expiry", "alice", time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.tokens.Issue(context.Background(), tt.subject, "", tt.expiresIn, false)
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("Issue error = %v, want ErrInvalid", err)
			}
		})
	}
}

// flipFirst changes the first character of s (to another base64url character).
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// tamper returns token with part i replaced by edit(part).
func tamper(token string, i int, edit func(string) string) string {
	parts := strings.Split(token, ".")
	parts[i] = edit(parts[i])
	return strings.Join(parts, ".")
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	issue := func(sub string, d time.Duration) string {
		t.Helper()
		iss, err := f.tokens.Issue(ctx, sub, "member-of-groups:*", d, false)
		if err != nil {
			t.Fatal(err)
		}
		return iss.AccessToken
	}
	good := issue("alice", time.Hour)
	short := issue("alice", time.Minute)
	revoked := issue("alice", time.Hour)
	if err := f.tokens.Revoke(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	// A token signed with another instance's key.
	other, err := NewTokens(newMemStore(), newMemStore(), testInstance, f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Issue(ctx, "alice", "", time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	// A validly signed token whose record is missing.
	orphan := issue("alice", time.Hour)
	f.store.mu.Lock()
	delete(f.store.tokens, jfrogPayload(t, orphan).Jti)
	f.store.mu.Unlock()
	dropCached(f.tokens, jfrogPayload(t, orphan).Jti)

	forged := tamper(good, 1, func(p string) string {
		raw, _ := base64.RawURLEncoding.DecodeString(p)
		return base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "alice", "root", 1)))
	})
	f.clock.advance(2 * time.Minute) // short has expired

	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"valid", good, true},
		{"expired", short, false},
		{"revoked", revoked, false},
		{"foreign key", foreign.AccessToken, false},
		{"no record", orphan, false},
		{"payload changed", forged, false},
		{"signature changed", tamper(good, 2, func(s string) string { return strings.Repeat("A", len(s)) }), false},
		{"signature removed", tamper(good, 2, func(string) string { return "" }), false},
		{"alg none", tamper(good, 0, func(string) string {
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		}), false},
		{"two parts", good[:strings.LastIndexByte(good, '.')], false},
		{"four parts", good + ".x", false},
		{"empty", "", false},
		{"garbage", "not a token", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := f.tokens.Verify(ctx, tt.token)
			if tt.ok {
				if err != nil || rec.Subject != "alice" {
					t.Errorf("Verify = %+v, %v; want alice's record", rec, err)
				}
				return
			}
			if !errors.Is(err, arca.ErrUnauthorized) {
				t.Errorf("Verify error = %v, want ErrUnauthorized", err)
			}
		})
	}
}

func TestVerifyCache(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	iss, err := f.tokens.Issue(ctx, "alice", "", time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	jti := jfrogPayload(t, iss.AccessToken).Jti
	for range 10 {
		if _, err := f.tokens.Verify(ctx, iss.AccessToken); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.store.getToken.Load(); n != 0 {
		t.Errorf("10 verifications of a fresh token cost %d store queries, want 0", n)
	}

	// Revoked on another node: still accepted here until the cache entry expires.
	f.store.setRevoked(jti)
	if _, err := f.tokens.Verify(ctx, iss.AccessToken); err != nil {
		t.Errorf("within the cache TTL: %v", err)
	}
	f.clock.advance(tokenCacheTTL)
	if _, err := f.tokens.Verify(ctx, iss.AccessToken); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("after the cache TTL: %v, want ErrUnauthorized", err)
	}

	// A failing store is not an authentication failure.
	iss2, _ := f.tokens.Issue(ctx, "alice", "", time.Hour, false)
	dropCached(f.tokens, jfrogPayload(t, iss2.AccessToken).Jti)
	boom := errors.New("disk on fire")
	f.store.setFail(boom)
	if _, err := f.tokens.Verify(ctx, iss2.AccessToken); !errors.Is(err, boom) || errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("Verify with failing store = %v, want the store's error", err)
	}
}

func TestRevoke(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	issue := func() (string, string) {
		iss, err := f.tokens.Issue(ctx, "alice", "", time.Hour, false)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens.Verify(ctx, iss.AccessToken) // warm the cache
		return iss.AccessToken, jfrogPayload(t, iss.AccessToken).Jti
	}
	byToken, _ := issue()
	byIDTok, byID := issue()
	otherStore := newMemStore()
	other, _ := NewTokens(otherStore, otherStore, testInstance, f.clock.now)
	foreign, _ := other.Issue(ctx, "alice", "", time.Hour, false)

	tests := []struct {
		name    string
		arg     string
		wantErr error
		dead    string // token that must stop verifying
	}{
		{"by token", byToken, nil, byToken},
		{"by id", byID, nil, byIDTok},
		{"again", byID, nil, byIDTok},
		{"unknown id", "00000000-0000-4000-8000-000000000000", arca.ErrNotFound, ""},
		{"foreign token", foreign.AccessToken, arca.ErrNotFound, ""},
		{"tampered token", tamper(byToken, 2, flipFirst), arca.ErrNotFound, ""},
		{"empty", "", arca.ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.tokens.Revoke(ctx, tt.arg)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Revoke error = %v, want %v", err, tt.wantErr)
			}
			if tt.dead != "" {
				if _, err := f.tokens.Verify(ctx, tt.dead); !errors.Is(err, arca.ErrUnauthorized) {
					t.Errorf("Verify after Revoke = %v, want ErrUnauthorized", err)
				}
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.tokens.Issue(ctx, "alice", "member-of-groups:*", time.Hour, true)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(2 * time.Hour) // an expired access token may still be refreshed

	second, err := f.tokens.Refresh(ctx, first.RefreshToken, first.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.ExpiresIn != 3600 || second.Scope != first.Scope || second.RefreshToken == "" ||
		second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Errorf("refreshed = %+v, from %+v", second, first)
	}
	rec, err := f.tokens.Verify(ctx, second.AccessToken)
	if err != nil || rec.Subject != "alice" {
		t.Fatalf("Verify(refreshed) = %+v, %v", rec, err)
	}
	old, _ := f.store.GetToken(ctx, jfrogPayload(t, first.AccessToken).Jti)
	if !old.Revoked {
		t.Error("the old token was not revoked")
	}

	third, err := f.tokens.Refresh(ctx, second.RefreshToken, "") // access token optional
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.Verify(ctx, second.AccessToken); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("Verify(superseded, cached) = %v, want ErrUnauthorized", err)
	}

	plain, _ := f.tokens.Issue(ctx, "alice", "", time.Hour, false)
	tests := []struct {
		name           string
		refresh, token string
		wantErr        error
	}{
		{"used refresh token", first.RefreshToken, "", arca.ErrUnauthorized},
		{"unknown refresh token", "nope", "", arca.ErrUnauthorized},
		{"mismatched access token", third.RefreshToken, plain.AccessToken, arca.ErrUnauthorized},
		{"empty refresh token", "", third.AccessToken, arca.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.tokens.Refresh(ctx, tt.refresh, tt.token)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Refresh error = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := f.tokens.Verify(ctx, third.AccessToken); err != nil {
		t.Errorf("a rejected refresh affected the live token: %v", err)
	}
}

func TestNewTokensKey(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	a, err := NewTokens(store, store, testInstance, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A second node (or a restart) on the same store shares the key.
	b, err := NewTokens(store, store, testInstance, nil)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := a.Issue(ctx, "alice", "", time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(ctx, iss.AccessToken); err != nil {
		t.Errorf("second service rejects the first's token: %v", err)
	}
	if v := store.settings[SettingJWTSecret]; len(v) != 64 {
		t.Errorf("stored secret %q, want 64 hex digits", v)
	}

	tests := []struct {
		name, instance, secret string
	}{
		{"empty instance id", "", ""},
		{"slash in instance id", "a/b", ""},
		{"secret not hex", testInstance, "zz"},
		{"secret too short", testInstance, "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newMemStore()
			if tt.secret != "" {
				s.settings[SettingJWTSecret] = tt.secret
			}
			if _, err := NewTokens(s, s, tt.instance, nil); err == nil {
				t.Error("NewTokens succeeded")
			}
		})
	}
}

// dropCached forgets the cached record of token id, as if the cache entry had expired.
func dropCached(s *TokenService, id string) {
	s.records.removeFunc(func(_ [sha256.Size]byte, rec arca.Token) bool { return rec.ID == id })
}
