package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"arca"
	"arca/internal/meta"
	"arca/internal/notify"
)

// Principal is the caller of a request, as the Authenticator established it.
type Principal struct {
	Name      string // the user's name as stored; arca.Anonymous for anonymous callers
	Admin     bool
	Anonymous bool
	TokenID   string // the access token's id when the caller authenticated with a token
}

const (
	passwordCacheSize = 4096
	// passwordCacheTTL bounds how long a changed password keeps working on a node that was not
	// told (Invalidate) about the change.
	passwordCacheTTL = 5 * time.Minute
	accountCacheSize = 4096
	// accountCacheTTL bounds how long a token of a user disabled on another node keeps working.
	accountCacheTTL = 30 * time.Second
)

// HeaderAPIKey is the header in which JFrog clients send an API key or access token.
const HeaderAPIKey = "X-JFrog-Art-Api"

// Authenticator establishes the Principal of a request from its credentials. It is safe for
// concurrent use.
//
// Accepted credentials, in this order of precedence:
//   - Authorization: Basic user:password, or user:<access token> (the token's subject must be
//     user), or "anonymous:" with an empty password (anonymous, when anonymous access is on);
//   - Authorization: Bearer <access token>;
//   - X-JFrog-Art-Api: <access token> (Arca has no API keys; anything but a valid token fails).
//
// A request without credentials is the anonymous principal whether or not anonymous access is
// on: the Authorizer decides what it may do, and the server answers 401 to invite credentials.
// Credentials that are present but wrong always fail, even when anonymous access is on.
//
// A password is recognised as an access token when it has the shape of a JWT ("eyJ…", two
// dots); such a password can never be used as a password. Generated passwords never have it.
type Authenticator struct {
	users            meta.Users
	tokens           *TokenService
	anonymousEnabled func() bool
	now              func() time.Time

	passwords *ttlCache[[sha256.Size]byte, Principal] // sha256(name \0 password) → principal
	headers   *ttlCache[[sha256.Size]byte, Principal] // sha256(Basic credentials as sent) → principal
	accounts  *ttlCache[string, Principal]            // lower-case name → principal, for tokens
	checks    singleflight.Group                      // in-flight Basic checks, by header hash
	bus       notify.Bus                              // tells the other processes of changes (Watch)
}

// NewAuthenticator returns an Authenticator. tokens may be nil (no token is then accepted);
// anonymousEnabled is asked per request (nil: never); now is the clock of the caches (nil: the
// real time, read from the cheaper monotonic clock).
func NewAuthenticator(users meta.Users, tokens *TokenService, anonymousEnabled func() bool, now func() time.Time) *Authenticator {
	if anonymousEnabled == nil {
		anonymousEnabled = func() bool { return false }
	}
	cacheClock := now // nil: the caches' own, cheaper, monotonic clock
	if now == nil {
		now = time.Now
	}
	return &Authenticator{
		users:            users,
		tokens:           tokens,
		anonymousEnabled: anonymousEnabled,
		now:              now,
		passwords:        newTTLCache[[sha256.Size]byte, Principal](passwordCacheSize, passwordCacheTTL, cacheClock),
		headers:          newTTLCache[[sha256.Size]byte, Principal](passwordCacheSize, passwordCacheTTL, cacheClock),
		accounts:         newTTLCache[string, Principal](accountCacheSize, accountCacheTTL, cacheClock),
		bus:              notify.Local{},
	}
}

// Authenticate returns the caller of r. Wrong, malformed or unsupported credentials, unknown or
// disabled users, and invalid, expired or revoked tokens wrap arca.ErrUnauthorized; a failing
// metadata store is returned as is (a server error, not a 401).
//
// Successful password checks are cached for 5 minutes (keyed by a hash of name and password,
// never the password itself), so only the first request of a client pays for bcrypt; failures
// are never cached. A repeated Basic header is recognised by a hash of the header's credentials
// as sent, before any decoding. Call Invalidate when a user's password, status or role changes.
func (a *Authenticator) Authenticate(r *http.Request) (Principal, error) {
	ctx := r.Context()
	switch h := r.Header.Values("Authorization"); len(h) {
	case 0:
	case 1:
		scheme, cred, _ := strings.Cut(strings.TrimSpace(h[0]), " ")
		cred = strings.TrimSpace(cred)
		switch {
		case cred == "":
			return Principal{}, badCredentials("malformed Authorization header")
		case strings.EqualFold(scheme, "Basic"):
			return a.basic(ctx, cred)
		case strings.EqualFold(scheme, "Bearer"):
			return a.token(ctx, cred, "")
		default:
			return Principal{}, badCredentials("unsupported authorization scheme")
		}
	default:
		return Principal{}, badCredentials("more than one Authorization header")
	}
	if k := strings.TrimSpace(r.Header.Get(HeaderAPIKey)); k != "" {
		return a.token(ctx, k, "")
	}
	return Principal{Name: arca.Anonymous, Anonymous: true}, nil
}

// Invalidate forgets everything cached about the user name (any case), here and, through the
// Bus given to Watch, on the other processes sharing the database: call it when the user's
// password, admin flag or disabled flag changes, or the user is deleted.
func (a *Authenticator) Invalidate(name string) {
	a.forget(name)
	a.bus.Publish(context.Background(), notify.Users, name)
}

// forget drops what is cached about the user name ("": about every user).
func (a *Authenticator) forget(name string) {
	same := func(_ [sha256.Size]byte, p Principal) bool { return name == "" || strings.EqualFold(p.Name, name) }
	a.passwords.removeFunc(same)
	a.headers.removeFunc(same)
	if name == "" {
		a.accounts.removeFunc(func(string, Principal) bool { return true })
		return
	}
	a.accounts.remove(strings.ToLower(name))
}

// Watch makes the Authenticator (and its TokenService) follow the changes of users and tokens
// made by the other processes sharing the database, and tell them of its own. Call it before
// serving; without it other processes' changes show once the caches' entries expire.
func (a *Authenticator) Watch(bus notify.Bus) {
	a.bus = bus
	bus.Subscribe(notify.Users, a.forget)
	if a.tokens != nil {
		a.tokens.watch(bus)
	}
}

// basic authenticates Basic credentials (cred is the base64 text after "Basic "). A password
// check that succeeded is remembered under the hash of cred itself, so that a client repeating
// its header costs one hash and one lookup.
func (a *Authenticator) basic(ctx context.Context, cred string) (Principal, error) {
	key := sha256.Sum256([]byte(cred))
	if p, ok := a.headers.get(key); ok {
		return p, nil
	}
	// Concurrent first requests with the same header (a build opening many connections at
	// once) share one check: bcrypt is slow on purpose.
	v, err, _ := a.checks.Do(string(key[:]), func() (any, error) {
		gen := a.headers.gen()
		p, viaPassword, err := a.decodeBasic(context.WithoutCancel(ctx), cred) // shared: one caller leaving must not fail the others
		if err == nil && viaPassword {
			a.headers.putIf(gen, key, p)
		}
		return p, err
	})
	p, _ := v.(Principal)
	return p, err
}

// decodeBasic authenticates Basic credentials the long way; viaPassword reports whether they
// were a user name and password (the only kind basic remembers: a token's validity is checked
// on every request).
func (a *Authenticator) decodeBasic(ctx context.Context, cred string) (p Principal, viaPassword bool, err error) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(cred); err != nil {
			return Principal{}, false, badCredentials("malformed Basic credentials")
		}
	}
	name, pw, ok := strings.Cut(string(raw), ":")
	switch {
	case !ok || name == "":
		return Principal{}, false, badCredentials("malformed Basic credentials")
	case name == arca.Anonymous && pw == "":
		if !a.anonymousEnabled() {
			return Principal{}, false, badCredentials("anonymous access is disabled")
		}
		return Principal{Name: arca.Anonymous, Anonymous: true}, false, nil
	case looksLikeJWT(pw):
		p, err := a.token(ctx, pw, name)
		return p, false, err
	}
	p, err = a.password(ctx, name, pw)
	return p, true, err
}

// Login checks a user name and password (npm's legacy login sends them in a body, not a
// header). Wrong credentials are arca.ErrUnauthorized.
func (a *Authenticator) Login(ctx context.Context, name, pw string) (Principal, error) {
	return a.password(ctx, name, pw)
}

func (a *Authenticator) password(ctx context.Context, name, pw string) (Principal, error) {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(pw))
	var key [sha256.Size]byte
	h.Sum(key[:0])
	if p, ok := a.passwords.get(key); ok {
		return p, nil
	}
	gen := a.passwords.gen()
	u, err := a.users.GetUser(ctx, name)
	if errors.Is(err, arca.ErrNotFound) {
		CheckPassword(dummyHash, pw) // same cost as a wrong password: do not reveal user names
		return Principal{}, badCredentials("")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: load user: %w", err)
	}
	if !CheckPassword(u.PasswordHash, pw) {
		return Principal{}, badCredentials("")
	}
	if u.Disabled { // checked after the password, so guessing does not reveal the status
		return Principal{}, badCredentials("user is disabled")
	}
	p := Principal{Name: u.Name, Admin: u.Admin}
	a.passwords.putIf(gen, key, p)
	return p, nil
}

// token authenticates with an access token; user, when not empty, must be its subject.
func (a *Authenticator) token(ctx context.Context, tok, user string) (Principal, error) {
	if a.tokens == nil {
		return Principal{}, badCredentials("access tokens are not accepted")
	}
	rec, err := a.tokens.Verify(ctx, tok)
	if err != nil {
		return Principal{}, err
	}
	if user != "" && !strings.EqualFold(user, rec.Subject) {
		return Principal{}, badCredentials("token does not belong to user")
	}
	p, err := a.account(ctx, rec.Subject)
	if err != nil {
		return Principal{}, err
	}
	p.TokenID = rec.ID
	return p, nil
}

// account returns the principal of an enabled user, cached briefly.
func (a *Authenticator) account(ctx context.Context, name string) (Principal, error) {
	key := strings.ToLower(name)
	if p, ok := a.accounts.get(key); ok {
		return p, nil
	}
	gen := a.accounts.gen()
	u, err := a.users.GetUser(ctx, name)
	if errors.Is(err, arca.ErrNotFound) {
		return Principal{}, badCredentials("")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: load user: %w", err)
	}
	if u.Disabled {
		return Principal{}, badCredentials("user is disabled")
	}
	p := Principal{Name: u.Name, Admin: u.Admin}
	a.accounts.putIf(gen, key, p)
	return p, nil
}

// looksLikeJWT reports whether s has the shape of a compact JWT whose header is a JSON object.
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}

// badCredentials is the authentication failure; the client sees Artifactory's "Bad credentials"
// (plus the reason, when telling it reveals nothing an attacker could use).
func badCredentials(why string) error {
	if why == "" {
		return arca.Errorf(arca.ErrUnauthorized, "Bad credentials")
	}
	return arca.Errorf(arca.ErrUnauthorized, "Bad credentials: %s", why)
}
