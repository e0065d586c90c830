package auth

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkAuthenticateBasicCached is the steady state of a client using Basic auth: the password
// check is a cache hit (no bcrypt, no store query).
func BenchmarkAuthenticateBasicCached(b *testing.B) {
	f := newFixture(b)
	r := httptest.NewRequest("GET", "/artifactory/libs/a.jar", nil)
	r.Header.Set("Authorization", basicAuth("alice", "alice-pw"))
	if _, err := f.auth.Authenticate(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.auth.Authenticate(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if n := f.store.getUser.Load(); n != 1 {
		b.Errorf("%d user lookups, want 1", n)
	}
}

// BenchmarkAuthenticateBearer is the steady state of a client using an access token: signature
// check and claims parsing per request, token record and user from the caches.
func BenchmarkAuthenticateBearer(b *testing.B) {
	f := newFixture(b)
	iss, err := f.tokens.Issue(context.Background(), "alice", "member-of-groups:*", time.Hour, true)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/artifactory/libs/a.jar", nil)
	r.Header.Set("Authorization", "Bearer "+iss.AccessToken)
	if _, err := f.auth.Authenticate(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.auth.Authenticate(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if n := f.store.getToken.Load(); n != 0 {
		b.Errorf("%d token lookups, want 0", n)
	}
}

// BenchmarkAuthenticateBasicUncached is the price the caches avoid: one bcrypt per request.
func BenchmarkAuthenticateBasicUncached(b *testing.B) {
	f := newFixture(b)
	u, _ := f.store.GetUser(context.Background(), "alice")
	h, err := HashPassword("alice-pw") // the production cost, unlike the fixture's
	if err != nil {
		b.Fatal(err)
	}
	u.PasswordHash = h
	f.store.UpdateUser(context.Background(), u)
	r := httptest.NewRequest("GET", "/artifactory/libs/a.jar", nil)
	r.Header.Set("Authorization", basicAuth("alice", "alice-pw"))
	for b.Loop() {
		f.auth.Invalidate("alice")
		if _, err := f.auth.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
