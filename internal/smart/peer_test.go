package smart

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ownID = "downstream-id"

// upstreamServer is a real HTTP server playing the upstream instance; routes maps
// "METHOD /path" (path without the query) to a handler. Every request is recorded.
type upstreamServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
}

func newUpstream(t *testing.T, routes map[string]http.HandlerFunc) *upstreamServer {
	t.Helper()
	u := &upstreamServer{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		u.mu.Lock()
		u.requests = append(u.requests, r.Clone(context.Background()))
		u.bodies = append(u.bodies, string(body))
		u.mu.Unlock()
		w.Header().Set("X-Artifactory-Id", "upstream-id")
		if h, ok := routes[r.Method+" "+r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstreamServer) peer(key string) Peer {
	p := NewPeer(u.Client(), u.URL+"/artifactory/"+key, ownID, "alice", "pw")
	return p
}

func (u *upstreamServer) recorded() ([]*http.Request, []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.requests...), append([]string(nil), u.bodies...)
}

func text(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func TestBase(t *testing.T) {
	tests := []struct {
		url, base, key string
	}{
		{"https://h:8443/artifactory/libs-release/", "https://h:8443/artifactory", "libs-release"},
		{"https://h/artifactory/libs-release", "https://h/artifactory", "libs-release"},
		{"https://h/artifactory/api/npm/npm-remote", "https://h/artifactory", "npm-remote"},
		{"http://h:8081/artifactory/a%20b?x=1", "http://h:8081/artifactory", "a b"},
		{"http://h/libs", "http://h/libs", "libs"},
		{"http://h/", "http://h", ""},
		{"http://h", "http://h", ""},
		{"not a url", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		base, key := Base(tt.url)
		if base != tt.base || key != tt.key {
			t.Errorf("Base(%q) = %q, %q; want %q, %q", tt.url, base, key, tt.base, tt.key)
		}
	}
}

// TestRequestsCarryIdentity checks that every request any component sends names this instance
// and carries the credentials.
func TestRequestsCarryIdentity(t *testing.T) {
	up := newUpstream(t, map[string]http.HandlerFunc{
		"GET /artifactory/api/system/version":                text(200, `{"version":"7.104.5"}`),
		"GET /artifactory/api/repositories/libs":             text(200, `{"rclass":"local"}`),
		"GET /artifactory/api/storage/libs/a.jar":            text(200, `{"properties":{"k":["v"]}}`),
		"HEAD /artifactory/libs/a.jar":                       text(200, ""),
		"GET /artifactory/libs/dir/":                         text(200, `<a href="x.jar">x.jar</a>`),
		"GET /artifactory/api/storage/libs/dir":              text(200, `{"children":[]}`),
		"PUT /artifactory/api/storage/statistics/libs-cache": text(200, ""),
	})
	p := up.peer("libs")
	ctx := context.Background()
	if _, err := p.Detect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.FetchProperties(ctx, "a.jar"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SourceExists(ctx, "a.jar"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ListHTML(ctx, "dir"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ListStorage(ctx, "dir"); err != nil {
		t.Fatal(err)
	}
	sp := NewStatsPusher(p, StatsOptions{})
	sp.Record(Event{RepoPath: "a.jar", By: "bob"})
	if err := sp.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	reqs, _ := up.recorded()
	if len(reqs) != 7 {
		t.Fatalf("%d requests, want 7", len(reqs))
	}
	for _, r := range reqs {
		user, pw, ok := r.BasicAuth()
		got := []string{r.Header.Get("X-Artifactory-Originated"), r.Header.Get("Origin-Artifactory"), user, pw}
		if diff := cmp.Diff([]string{ownID, ownID, "alice", "pw"}, got); diff != "" || !ok {
			t.Errorf("%s %s: identity (-want +got):\n%s", r.Method, r.URL, diff)
		}
	}
}

func TestNoCredentialsWhenNoneGiven(t *testing.T) {
	up := newUpstream(t, map[string]http.HandlerFunc{"HEAD /artifactory/libs/a.jar": text(200, "")})
	p := NewPeer(up.Client(), up.URL+"/artifactory/libs", ownID, "", "")
	if _, err := p.SourceExists(context.Background(), "a.jar"); err != nil {
		t.Fatal(err)
	}
	reqs, _ := up.recorded()
	if _, _, ok := reqs[0].BasicAuth(); ok {
		t.Error("Basic credentials sent without any configured")
	}
}
