package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func basicAuth(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	token := func(sub string, d time.Duration) (string, string) {
		t.Helper()
		iss, err := f.tokens.Issue(ctx, sub, "member-of-groups:*", d, false)
		if err != nil {
			t.Fatal(err)
		}
		return iss.AccessToken, jfrogPayload(t, iss.AccessToken).Jti
	}
	aliceTok, aliceID := token("alice", time.Hour)
	rootTok, rootID := token("root", time.Hour)
	malloryTok, _ := token("mallory", time.Hour) // disabled user
	ghostTok, _ := token("ghost", time.Hour)     // no such user
	expiredTok, _ := token("alice", time.Minute)
	revokedTok, _ := token("alice", time.Hour)
	if err := f.tokens.Revoke(ctx, revokedTok); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(2 * time.Minute)
	tampered := tamper(aliceTok, 2, flipFirst)

	anonymous := Principal{Name: arca.Anonymous, Anonymous: true}
	alice := Principal{Name: "alice"}
	tests := []struct {
		name    string
		headers map[string][]string
		anon    bool
		want    Principal // ignored when wantErr
		wantErr bool
	}{
		{name: "no credentials", want: anonymous},
		{name: "no credentials, anonymous on", anon: true, want: anonymous},
		{name: "basic", headers: hdr("Authorization", basicAuth("alice", "alice-pw")), want: alice},
		{name: "basic, other case of name", headers: hdr("Authorization", basicAuth("ALICE", "alice-pw")), want: alice},
		{name: "basic, scheme in lower case", headers: hdr("Authorization", "basic "+base64.StdEncoding.EncodeToString([]byte("alice:alice-pw"))), want: alice},
		{name: "basic, unpadded", headers: hdr("Authorization", "Basic "+base64.RawStdEncoding.EncodeToString([]byte("alice:alice-pw"))), want: alice},
		{name: "basic admin", headers: hdr("Authorization", basicAuth("root", "root-pw")), want: Principal{Name: "root", Admin: true}},
		{name: "wrong password", headers: hdr("Authorization", basicAuth("alice", "nope")), wantErr: true},
		{name: "wrong password, anonymous on", anon: true, headers: hdr("Authorization", basicAuth("alice", "nope")), wantErr: true},
		{name: "empty password", headers: hdr("Authorization", basicAuth("alice", "")), wantErr: true},
		{name: "unknown user", headers: hdr("Authorization", basicAuth("ghost", "alice-pw")), wantErr: true},
		{name: "disabled user", headers: hdr("Authorization", basicAuth("mallory", "mallory-pw")), wantErr: true},
		{name: "basic not base64", headers: hdr("Authorization", "Basic !!!"), wantErr: true},
		{name: "basic without colon", headers: hdr("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("alice"))), wantErr: true},
		{name: "basic empty user", headers: hdr("Authorization", basicAuth("", "alice-pw")), wantErr: true},
		{name: "basic without credentials", headers: hdr("Authorization", "Basic"), wantErr: true},
		{name: "unsupported scheme", headers: hdr("Authorization", "Digest username=alice"), wantErr: true},
		{name: "two Authorization headers", headers: map[string][]string{"Authorization": {basicAuth("alice", "alice-pw"), basicAuth("root", "root-pw")}}, wantErr: true},
		{name: "anonymous basic, anonymous off", headers: hdr("Authorization", basicAuth("anonymous", "")), wantErr: true},
		{name: "anonymous basic, anonymous on", anon: true, headers: hdr("Authorization", basicAuth("anonymous", "")), want: anonymous},
		{name: "token as password", headers: hdr("Authorization", basicAuth("alice", aliceTok)), want: Principal{Name: "alice", TokenID: aliceID}},
		{name: "token as password, wrong user", headers: hdr("Authorization", basicAuth("root", aliceTok)), wantErr: true},
		{name: "expired token as password", headers: hdr("Authorization", basicAuth("alice", expiredTok)), wantErr: true},
		{name: "bearer", headers: hdr("Authorization", "Bearer "+aliceTok), want: Principal{Name: "alice", TokenID: aliceID}},
		{name: "bearer admin", headers: hdr("Authorization", "Bearer "+rootTok), want: Principal{Name: "root", Admin: true, TokenID: rootID}},
		{name: "bearer expired", headers: hdr("Authorization", "Bearer "+expiredTok), wantErr: true},
		{name: "bearer revoked", headers: hdr("Authorization", "Bearer "+revokedTok), wantErr: true},
		{name: "bearer tampered signature", headers: hdr("Authorization", "Bearer "+tampered), wantErr: true},
		{name: "bearer garbage", headers: hdr("Authorization", "Bearer abc"), wantErr: true},
		{name: "bearer disabled user", headers: hdr("Authorization", "Bearer "+malloryTok), wantErr: true},
		{name: "bearer deleted user", headers: hdr("Authorization", "Bearer "+ghostTok), wantErr: true},
		{name: "api header token", headers: hdr(HeaderAPIKey, aliceTok), want: Principal{Name: "alice", TokenID: aliceID}},
		{name: "api header password", headers: hdr(HeaderAPIKey, "alice-pw"), wantErr: true},
		{name: "api header garbage, anonymous on", anon: true, headers: hdr(HeaderAPIKey, "AKCp8abc"), wantErr: true},
		{name: "Authorization wins over api header", headers: map[string][]string{"Authorization": {basicAuth("root", "root-pw")}, HeaderAPIKey: {aliceTok}}, want: Principal{Name: "root", Admin: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.anon.Store(tt.anon)
			r := httptest.NewRequest("GET", "/artifactory/api/system/ping", nil)
			for k, vs := range tt.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			got, err := f.auth.Authenticate(r)
			if tt.wantErr {
				if !errors.Is(err, arca.ErrUnauthorized) {
					t.Errorf("Authenticate = %+v, %v; want ErrUnauthorized", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func hdr(k, v string) map[string][]string { return map[string][]string{k: {v}} }

func authBasic(f *fixture, user, pw string) (Principal, error) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", basicAuth(user, pw))
	return f.auth.Authenticate(r)
}

func TestPasswordCache(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	if _, err := authBasic(f, "alice", "alice-pw"); err != nil {
		t.Fatal(err)
	}
	before := f.store.getUser.Load()
	for range 10 {
		if _, err := authBasic(f, "alice", "alice-pw"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.store.getUser.Load() - before; n != 0 {
		t.Errorf("10 cached authentications cost %d user lookups, want 0", n)
	}

	// Failures are not cached as success, and a wrong password never hits the cache.
	before = f.store.getUser.Load()
	for range 3 {
		if _, err := authBasic(f, "alice", "wrong"); !errors.Is(err, arca.ErrUnauthorized) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if n := f.store.getUser.Load() - before; n != 3 {
		t.Errorf("3 failed authentications cost %d lookups, want 3", n)
	}

	// A password change takes effect at once after Invalidate.
	u, _ := f.store.GetUser(ctx, "alice")
	u.PasswordHash = mustHash(t, "new-pw")
	f.store.UpdateUser(ctx, u)
	if _, err := authBasic(f, "alice", "alice-pw"); err != nil {
		t.Errorf("old password before Invalidate (cached): %v", err)
	}
	f.auth.Invalidate("ALICE") // any case
	if _, err := authBasic(f, "alice", "alice-pw"); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("old password after Invalidate: %v, want ErrUnauthorized", err)
	}
	if _, err := authBasic(f, "alice", "new-pw"); err != nil {
		t.Errorf("new password: %v", err)
	}

	// Entries expire after the TTL even without Invalidate (changes made on other nodes).
	u.PasswordHash = mustHash(t, "newer-pw")
	f.store.UpdateUser(ctx, u)
	f.clock.advance(passwordCacheTTL)
	if _, err := authBasic(f, "alice", "new-pw"); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("stale password after the TTL: %v, want ErrUnauthorized", err)
	}

	// Disabling takes effect after Invalidate, for passwords and tokens alike.
	iss, _ := f.tokens.Issue(ctx, "alice", "", time.Hour, false)
	bearer := httptest.NewRequest("GET", "/", nil)
	bearer.Header.Set("Authorization", "Bearer "+iss.AccessToken)
	if _, err := authBasic(f, "alice", "newer-pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.Authenticate(bearer); err != nil {
		t.Fatal(err)
	}
	u, _ = f.store.GetUser(ctx, "alice")
	u.Disabled = true
	f.store.UpdateUser(ctx, u)
	f.auth.Invalidate("alice")
	if _, err := authBasic(f, "alice", "newer-pw"); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("disabled user, password: %v, want ErrUnauthorized", err)
	}
	if _, err := f.auth.Authenticate(bearer); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("disabled user, token: %v, want ErrUnauthorized", err)
	}

	// Invalidate of one user keeps the others cached.
	if _, err := authBasic(f, "root", "root-pw"); err != nil {
		t.Fatal(err)
	}
	f.auth.Invalidate("alice")
	before = f.store.getUser.Load()
	authBasic(f, "root", "root-pw")
	if n := f.store.getUser.Load() - before; n != 0 {
		t.Errorf("Invalidate(alice) dropped root's entry")
	}
}

func TestAuthenticateStoreFailure(t *testing.T) {
	f := newFixture(t)
	boom := errors.New("database is locked")
	f.store.setFail(boom)
	_, err := authBasic(f, "alice", "alice-pw")
	if !errors.Is(err, boom) || errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("Authenticate with failing store = %v, want the store's error", err)
	}
}

func TestAuthenticateWithoutTokens(t *testing.T) {
	f := newFixture(t)
	iss, _ := f.tokens.Issue(context.Background(), "alice", "", time.Hour, false)
	a := NewAuthenticator(f.store, nil, nil, nil)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+iss.AccessToken)
	if _, err := a.Authenticate(r); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("token with nil TokenService: %v, want ErrUnauthorized", err)
	}
}

// TestAuthenticateConcurrent exercises the caches from many goroutines (run with -race).
func TestAuthenticateConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	iss, err := f.tokens.Issue(ctx, "alice", "", time.Hour, true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				r := httptest.NewRequest("GET", "/", nil)
				if (g+i)%2 == 0 {
					r.Header.Set("Authorization", basicAuth("alice", "alice-pw"))
				} else {
					r.Header.Set("Authorization", "Bearer "+iss.AccessToken)
				}
				if _, err := f.auth.Authenticate(r); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					f.auth.Invalidate("alice")
					f.clock.advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	if err := f.tokens.Revoke(ctx, iss.AccessToken); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+iss.AccessToken)
	if _, err := f.auth.Authenticate(r); !errors.Is(err, arca.ErrUnauthorized) {
		t.Errorf("revoked token after concurrent use: %v, want ErrUnauthorized", err)
	}
}

// Many connections opened at once with the same, not yet checked, credentials cost one
// password check between them (bcrypt is slow on purpose), and all of them get in.
func TestConcurrentFirstBasicChecksShareOne(t *testing.T) {
	f := newFixture(t)
	f.store.userDelay = 50 * time.Millisecond // every request arrives while the first is checked
	r := httptest.NewRequest("GET", "/artifactory/libs/a.jar", nil)
	r.Header.Set("Authorization", basicAuth("alice", "alice-pw"))
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p, err := f.auth.Authenticate(r)
			if err == nil && p.Name != "alice" {
				err = fmt.Errorf("principal %q", p.Name)
			}
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.store.getUser.Load(); n != 1 {
		t.Errorf("%d user lookups (password checks) for 32 concurrent identical first requests, want 1", n)
	}
}
