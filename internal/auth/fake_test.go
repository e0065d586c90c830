package auth

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"arca"
	"arca/internal/meta"
)

// memStore is an in-memory meta.Users, meta.Tokens and meta.Settings, with call counters so
// tests can tell cache hits from store queries.
type memStore struct {
	mu       sync.Mutex
	users    map[string]arca.User // lower-case name
	tokens   map[string]arca.Token
	settings map[string]string

	getUser, getToken atomic.Int64
	fail              error         // returned by every method when set
	userDelay         time.Duration // GetUser takes this long (a slow database)
}

var (
	_ meta.Users    = (*memStore)(nil)
	_ meta.Tokens   = (*memStore)(nil)
	_ meta.Settings = (*memStore)(nil)
)

func newMemStore() *memStore {
	return &memStore{users: map[string]arca.User{}, tokens: map[string]arca.Token{}, settings: map[string]string{}}
}

func (m *memStore) CreateUser(_ context.Context, u arca.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	k := strings.ToLower(u.Name)
	if _, ok := m.users[k]; ok {
		return arca.Errorf(arca.ErrExists, "user %q exists", u.Name)
	}
	m.users[k] = u
	return nil
}

func (m *memStore) UpdateUser(_ context.Context, u arca.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := strings.ToLower(u.Name)
	if _, ok := m.users[k]; !ok {
		return arca.Errorf(arca.ErrNotFound, "user %q", u.Name)
	}
	m.users[k] = u
	return nil
}

func (m *memStore) GetUser(_ context.Context, name string) (arca.User, error) {
	m.getUser.Add(1)
	time.Sleep(m.userDelay)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return arca.User{}, m.fail
	}
	u, ok := m.users[strings.ToLower(name)]
	if !ok {
		return arca.User{}, arca.Errorf(arca.ErrNotFound, "user %q", name)
	}
	return u, nil
}

func (m *memStore) ListUsers(context.Context) ([]arca.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []arca.User
	for _, u := range m.users {
		out = append(out, u)
	}
	return out, nil
}

func (m *memStore) DeleteUser(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users, strings.ToLower(name))
	return nil
}

func (m *memStore) CreateToken(_ context.Context, t arca.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if _, ok := m.tokens[t.ID]; ok {
		return arca.Errorf(arca.ErrExists, "token %q", t.ID)
	}
	m.tokens[t.ID] = t
	return nil
}

func (m *memStore) GetToken(_ context.Context, id string) (arca.Token, error) {
	m.getToken.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return arca.Token{}, m.fail
	}
	t, ok := m.tokens[id]
	if !ok {
		return arca.Token{}, arca.Errorf(arca.ErrNotFound, "token %q", id)
	}
	return t, nil
}

func (m *memStore) GetTokenByRefresh(_ context.Context, h string) (arca.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return arca.Token{}, m.fail
	}
	for _, t := range m.tokens {
		if t.RefreshHash != "" && t.RefreshHash == h {
			return t, nil
		}
	}
	return arca.Token{}, arca.Errorf(arca.ErrNotFound, "token")
}

func (m *memStore) ListTokens(_ context.Context, subject string) ([]arca.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []arca.Token
	for _, t := range m.tokens {
		if subject == "" || t.Subject == subject {
			out = append(out, t)
		}
	}
	return out, nil
}

func (m *memStore) RevokeToken(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	t, ok := m.tokens[id]
	if !ok {
		return arca.Errorf(arca.ErrNotFound, "token %q", id)
	}
	t.Revoked = true
	m.tokens[id] = t
	return nil
}

// setRevoked revokes behind the TokenService's back, as another node would.
func (m *memStore) setRevoked(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tokens[id]
	t.Revoked = true
	m.tokens[id] = t
}

func (m *memStore) GetSetting(_ context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.settings[key]
	if !ok {
		return "", arca.Errorf(arca.ErrNotFound, "setting %q", key)
	}
	return v, nil
}

func (m *memStore) SetSetting(_ context.Context, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings[key] = value
	return nil
}

func (m *memStore) SetSettingIfAbsent(_ context.Context, key, value string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return "", m.fail
	}
	if v, ok := m.settings[key]; ok {
		return v, nil
	}
	m.settings[key] = value
	return value, nil
}

func (m *memStore) setFail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a store, a clock, a TokenService and an Authenticator wired together, with users
// alice (password "alice-pw"), root (admin, "root-pw") and mallory (disabled, "mallory-pw").
type fixture struct {
	store  *memStore
	clock  *clock
	tokens *TokenService
	auth   *Authenticator
	anon   atomic.Bool
}

const testInstance = "01abcdef"

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{store: newMemStore(), clock: newClock()}
	var err error
	f.tokens, err = NewTokens(f.store, f.store, testInstance, f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	f.auth = NewAuthenticator(f.store, f.tokens, f.anon.Load, f.clock.now)
	for _, u := range []arca.User{
		{Name: "alice", PasswordHash: mustHash(t, "alice-pw")},
		{Name: "root", PasswordHash: mustHash(t, "root-pw"), Admin: true},
		{Name: "mallory", PasswordHash: mustHash(t, "mallory-pw"), Disabled: true},
	} {
		if err := f.store.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// mustHash hashes at bcrypt's minimum cost to keep tests fast; CheckPassword accepts any cost.
func mustHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}
