package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"arca"
	"arca/internal/meta"
	"arca/internal/notify"
)

// SettingJWTSecret is the settings key of the token signing key: 32 random bytes, hex-encoded,
// created on first start and shared by every node of the instance.
const SettingJWTSecret = "auth.jwt.secret"

const (
	tokenCacheSize = 8192
	// tokenCacheTTL bounds how long another node may accept a token revoked elsewhere.
	tokenCacheTTL = 30 * time.Second
)

// Issued is a newly issued access token, in the JSON shape of Artifactory's
// POST /api/security/token answer.
type Issued struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"` // seconds; 0: never expires
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"` // always "Bearer"
}

// TokenService issues, verifies, refreshes and revokes access tokens: HS256 JWTs shaped like
// Artifactory's, backed by a meta.Tokens record per token that holds only hashes of the secrets.
// It is safe for concurrent use.
type TokenService struct {
	tokens        meta.Tokens
	signer        *signer
	issuer        string // jfrt@<instance id>
	subjectPrefix string // jfrt@<instance id>/users/
	now           func() time.Time
	records       *ttlCache[[sha256.Size]byte, arca.Token] // sha256(token) → verified record
	bus           notify.Bus                               // tells the other processes of revocations
}

// NewTokens returns a TokenService for the instance. The signing key is read from settings
// (SettingJWTSecret), created there first when absent, so that all nodes and restarts share it;
// a stored value that is not at least 32 hex-encoded bytes is an error. now is the clock (nil:
// time.Now).
func NewTokens(tokens meta.Tokens, settings meta.Settings, instanceID string, now func() time.Time) (*TokenService, error) {
	if instanceID == "" || strings.ContainsAny(instanceID, "/@") {
		return nil, arca.Errorf(arca.ErrInvalid, "invalid instance id %q", instanceID)
	}
	if now == nil {
		now = time.Now
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("auth: signing key: %w", err)
	}
	// The constructor has no context: it runs once at startup, before any request exists.
	stored, err := settings.SetSettingIfAbsent(context.Background(), SettingJWTSecret, hex.EncodeToString(fresh))
	if err != nil {
		return nil, fmt.Errorf("auth: signing key: %w", err)
	}
	key, err := hex.DecodeString(stored)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("auth: setting %s is not a hex-encoded key of at least 32 bytes", SettingJWTSecret)
	}
	issuer := "jfrt@" + instanceID
	return &TokenService{
		tokens:        tokens,
		signer:        newSigner(key),
		issuer:        issuer,
		subjectPrefix: issuer + "/users/",
		now:           now,
		records:       newTTLCache[[sha256.Size]byte, arca.Token](tokenCacheSize, tokenCacheTTL, now),
		bus:           notify.Local{},
	}, nil
}

// Issue creates an access token for the user subject. scope is stored and reported verbatim
// (defaults such as "member-of-groups:*" are the caller's business). expiresIn is rounded down
// to whole seconds; 0 makes a non-expiring token, whose JWT has no exp claim (Artifactory does the
// same; JFrog's CLI always asks for an expiry for the tokens it refreshes itself, and never parses
// tokens given to it). With refreshable, the answer carries an opaque refresh token for Refresh.
// An empty subject, a subject containing '/' or a negative or sub-second expiresIn is
// arca.ErrInvalid.
func (s *TokenService) Issue(ctx context.Context, subject, scope string, expiresIn time.Duration, refreshable bool) (Issued, error) {
	if subject == "" || strings.ContainsRune(subject, '/') {
		return Issued{}, arca.Errorf(arca.ErrInvalid, "invalid token subject %q", subject)
	}
	secs := int64(expiresIn / time.Second)
	if expiresIn < 0 || (expiresIn > 0 && secs == 0) {
		return Issued{}, arca.Errorf(arca.ErrInvalid, "invalid token expiry %v", expiresIn)
	}
	jti, err := newTokenID()
	if err != nil {
		return Issued{}, err
	}
	iat := s.now().Unix()
	c := claims{Sub: s.subjectPrefix + subject, Scp: scope, Aud: "*@*", Iss: s.issuer, Iat: iat, Jti: jti}
	rec := arca.Token{ID: jti, Subject: subject, Scope: scope, Created: time.Unix(iat, 0).UTC()}
	if secs > 0 {
		c.Exp = iat + secs
		rec.Expires = time.Unix(c.Exp, 0).UTC()
	}
	access, err := s.signer.sign(c)
	if err != nil {
		return Issued{}, fmt.Errorf("auth: sign token: %w", err)
	}
	rec.Hash = hashHex(access)
	out := Issued{AccessToken: access, ExpiresIn: secs, Scope: scope, TokenType: "Bearer"}
	if refreshable {
		if out.RefreshToken, err = randomString(32); err != nil {
			return Issued{}, err
		}
		rec.RefreshHash = hashHex(out.RefreshToken)
	}
	gen := s.records.gen()
	if err := s.tokens.CreateToken(ctx, rec); err != nil {
		return Issued{}, fmt.Errorf("auth: store token: %w", err)
	}
	s.records.putIf(gen, sha256.Sum256([]byte(access)), rec) // a client uses a new token at once
	return out, nil
}

// Verify checks an access token: its structure and signature (constant-time), its expiry, and
// its record (it exists, is not revoked, and belongs to exactly this token string). Every
// rejection wraps arca.ErrUnauthorized; a failing store is returned as is.
//
// Verified records are cached for up to 30 seconds under the sha256 of the token string, so a
// client's repeated requests cost neither a store query nor the signature check and claims
// parsing again: a hit means these exact bytes passed every check before, and only expiry and
// revocation can have changed. Revoke on this TokenService takes effect at once; a revocation
// through another node within the cache TTL.
func (s *TokenService) Verify(ctx context.Context, token string) (arca.Token, error) {
	sum := sha256.Sum256([]byte(token))
	now := s.now()
	rec, ok := s.records.get(sum)
	if !ok {
		gen := s.records.gen()
		var err error
		if rec, err = s.verifyUncached(ctx, token, sum, now); err != nil {
			return arca.Token{}, err
		}
		s.records.putIf(gen, sum, rec)
	}
	switch {
	case rec.Revoked:
		return arca.Token{}, tokenFailed("revoked")
	case !rec.Expires.IsZero() && !now.Before(rec.Expires):
		return arca.Token{}, tokenFailed("expired")
	}
	return rec, nil
}

// verifyUncached checks the signature and claims of token and loads its record; the caller
// checks revocation and the record's expiry.
func (s *TokenService) verifyUncached(ctx context.Context, token string, sum [sha256.Size]byte, now time.Time) (arca.Token, error) {
	c, err := s.signer.parse(token)
	if err != nil {
		return arca.Token{}, tokenFailed(err.Error())
	}
	user, ok := strings.CutPrefix(c.Sub, s.subjectPrefix)
	if !ok || user == "" || c.Jti == "" {
		return arca.Token{}, tokenFailed("unknown subject")
	}
	if c.Exp != 0 && now.Unix() >= c.Exp {
		return arca.Token{}, tokenFailed("expired")
	}
	rec, err := s.tokens.GetToken(ctx, c.Jti)
	if errors.Is(err, arca.ErrNotFound) {
		return arca.Token{}, tokenFailed("unknown token")
	}
	if err != nil {
		return arca.Token{}, fmt.Errorf("auth: load token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hex.EncodeToString(sum[:]))) != 1 ||
		!strings.EqualFold(rec.Subject, user) {
		return arca.Token{}, tokenFailed("unknown token")
	}
	return rec, nil
}

// Refresh exchanges a refresh token for a new access token (Artifactory's
// grant_type=refresh_token): the old token is revoked and a new refreshable one is issued with
// the same subject, scope and lifetime. accessToken, when given, must be the token the refresh
// token was issued with (it may have expired); it may be empty, since the refresh token alone is
// an unguessable secret. An empty refreshToken is arca.ErrInvalid; an unknown, used or revoked
// one, or a mismatching accessToken, is arca.ErrUnauthorized.
//
// The old token is revoked before the new one is issued, so a failure leaves the client without
// a token rather than with two. Two concurrent refreshes with the same refresh token can both
// succeed: meta.Tokens has no compare-and-revoke.
func (s *TokenService) Refresh(ctx context.Context, refreshToken, accessToken string) (Issued, error) {
	if refreshToken == "" {
		return Issued{}, arca.Errorf(arca.ErrInvalid, "refresh_token is required")
	}
	rec, err := s.tokens.GetTokenByRefresh(ctx, hashHex(refreshToken))
	if errors.Is(err, arca.ErrNotFound) {
		return Issued{}, arca.Errorf(arca.ErrUnauthorized, "invalid refresh token")
	}
	if err != nil {
		return Issued{}, fmt.Errorf("auth: load token: %w", err)
	}
	if rec.Revoked || rec.RefreshHash == "" {
		return Issued{}, arca.Errorf(arca.ErrUnauthorized, "invalid refresh token")
	}
	if accessToken != "" && subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hashHex(accessToken))) != 1 {
		return Issued{}, arca.Errorf(arca.ErrUnauthorized, "access token does not match the refresh token")
	}
	var lifetime time.Duration
	if !rec.Expires.IsZero() {
		lifetime = rec.Expires.Sub(rec.Created)
	}
	if err := s.revokeID(ctx, rec.ID); err != nil {
		return Issued{}, err
	}
	return s.Issue(ctx, rec.Subject, rec.Scope, lifetime, true)
}

// Revoke revokes a token given either as the token string or as its id (jti). Revoking a
// revoked token is not an error. A token string that this service did not sign, or an unknown
// id, is arca.ErrNotFound; an empty argument is arca.ErrInvalid. The token stops verifying on
// this TokenService at once.
func (s *TokenService) Revoke(ctx context.Context, tokenOrID string) error {
	if tokenOrID == "" {
		return arca.Errorf(arca.ErrInvalid, "token or token id is required")
	}
	id := tokenOrID
	if strings.IndexByte(tokenOrID, '.') >= 0 { // ids are UUIDs; tokens are JWTs
		c, err := s.signer.parse(tokenOrID)
		if err != nil {
			return arca.Errorf(arca.ErrNotFound, "token not found")
		}
		rec, err := s.tokens.GetToken(ctx, c.Jti)
		if errors.Is(err, arca.ErrNotFound) ||
			(err == nil && subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hashHex(tokenOrID))) != 1) {
			return arca.Errorf(arca.ErrNotFound, "token not found")
		}
		if err != nil {
			return fmt.Errorf("auth: load token: %w", err)
		}
		id = rec.ID
	}
	return s.revokeID(ctx, id)
}

func (s *TokenService) revokeID(ctx context.Context, id string) error {
	// Drop the cached record even when the store fails: the next Verify asks the store.
	defer s.forget(id)
	defer s.bus.Publish(ctx, notify.Tokens, id)
	if err := s.tokens.RevokeToken(ctx, id); err != nil {
		if errors.Is(err, arca.ErrNotFound) {
			return arca.Errorf(arca.ErrNotFound, "token %q not found", id)
		}
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}

// forget drops the cached record of the token id ("": of every token).
func (s *TokenService) forget(id string) {
	s.records.removeFunc(func(_ [sha256.Size]byte, rec arca.Token) bool { return id == "" || rec.ID == id })
}

// watch makes the service drop the records of tokens other processes revoke, and tell them of
// its own revocations (Authenticator.Watch calls it).
func (s *TokenService) watch(bus notify.Bus) {
	s.bus = bus
	bus.Subscribe(notify.Tokens, s.forget)
}

// tokenFailed is the error for a rejected token, worded like Artifactory's.
func tokenFailed(why string) error {
	return arca.Errorf(arca.ErrUnauthorized, "Token failed verification: %s", why)
}

// hashHex is the hex sha256 of s: how token records store token and refresh-token strings.
func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// newTokenID returns a random (version 4) UUID, the form Artifactory uses for jti.
func newTokenID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: token id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
