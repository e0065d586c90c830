package repo

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"arca"
)

// upstreamServer serves files from a map, counting requests; sums controls X-Checksum-Sha1.
type upstreamServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string]string
	sums  map[string]string // path → declared sha1 (default: the true one)
	gets  atomic.Int64
	gate  chan struct{} // when set, GET waits on it after the headers
}

func newUpstream(t *testing.T) *upstreamServer {
	u := &upstreamServer{files: map[string]string{}, sums: map[string]string{}}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			u.gets.Add(1)
		}
		u.mu.Lock()
		body, ok := u.files[strings.TrimPrefix(r.URL.Path, "/files/")]
		sum, declared := u.sums[strings.TrimPrefix(r.URL.Path, "/files/")]
		gate := u.gate
		u.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if !declared {
			s := sha1.Sum([]byte(body))
			sum = hex.EncodeToString(s[:])
		}
		w.Header().Set("X-Checksum-Sha1", sum)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		half := len(body) / 2
		io.WriteString(w, body[:half])
		w.(http.Flusher).Flush()
		if gate != nil {
			<-gate
		}
		io.WriteString(w, body[half:])
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstreamServer) set(p, body string) {
	u.mu.Lock()
	u.files[p] = body
	u.mu.Unlock()
}

func readAll(t *testing.T, f io.ReadCloser) (string, error) {
	t.Helper()
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

func TestRemoteFetchesOnceAndStores(t *testing.T) {
	f := newFixture(t)
	up := newUpstream(t)
	f.remote("r", "generic")
	f.update("r", `{"url":"`+up.URL+`/files"}`)
	body := strings.Repeat("artifact ", 1000)
	up.set("a/b.bin", body)
	up.gate = make(chan struct{})
	rem, _ := f.reg.Get("r")

	it, file, err := rem.Open(f.ctx, "a/b.bin")
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent requests wait for the one fetch in progress.
	var wg sync.WaitGroup
	results := make(chan string, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ff, err := rem.Open(f.ctx, "a/b.bin")
			if err != nil {
				results <- "error: " + err.Error()
				return
			}
			s, _ := readAll(t, ff)
			results <- s
		}()
	}
	// The leader receives the first half before the upstream sent the rest.
	first := make([]byte, len(body)/2-1)
	if _, err := io.ReadFull(file, first); err != nil {
		t.Fatalf("reading the streamed first half: %v", err)
	}
	close(up.gate)
	rest, err := readAll(t, file)
	if err != nil || string(first)+rest != body {
		t.Fatalf("leader got %d bytes, %v", len(first)+len(rest), err)
	}
	wg.Wait()
	close(results)
	for r := range results {
		if r != body {
			t.Fatalf("a waiting request got %.40q", r)
		}
	}
	if n := up.gets.Load(); n != 1 {
		t.Errorf("upstream GETs = %d, want 1", n)
	}
	if it.Repo != "r-cache" {
		t.Errorf("item repo %q", it.Repo)
	}
	f.mustRead("r-cache", "a/b.bin", body, "r-cache")
}

func TestRemoteRefusesWrongChecksumAndRemembersMisses(t *testing.T) {
	f := newFixture(t)
	up := newUpstream(t)
	f.remote("r", "generic")
	f.update("r", `{"url":"`+up.URL+`/files","missedRetrievalCachePeriodSecs":60}`)
	up.set("bad.bin", "corrupted content")
	up.sums["bad.bin"] = strings.Repeat("0", 40)
	rem, _ := f.reg.Get("r")
	_, file, err := rem.Open(f.ctx, "bad.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, file)
	if err == nil || !errors.Is(err, arca.ErrUnavailable) {
		t.Fatalf("reading a body with a wrong checksum: %q, %v; want a failure", got, err)
	}
	if len(got) == len("corrupted content") {
		t.Errorf("the client received the whole body before the checksum failed")
	}
	f.mustMiss(f.ctx, "r-cache", "bad.bin")

	f.mustMiss(f.ctx, "r", "missing.bin")
	up.set("missing.bin", "now here")
	before := up.gets.Load()
	f.mustMiss(f.ctx, "r", "missing.bin")
	if up.gets.Load() != before {
		t.Errorf("a remembered miss went upstream")
	}
}

func TestRemoteCacheNeverGoesUpstream(t *testing.T) {
	f := newFixture(t)
	up := newUpstream(t)
	f.remote("r", "generic")
	f.update("r", `{"url":"`+up.URL+`/files"}`)
	up.set("x.bin", "x")
	f.mustMiss(f.ctx, "r-cache", "x.bin")
	if up.gets.Load() != 0 {
		t.Errorf("reading the cache went upstream")
	}
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	got, _, err := f.read(ctx, "r", "x.bin")
	if err != nil || got != "x" {
		t.Fatalf("remote read: %q, %v", got, err)
	}
}

func TestCleanupOfUnusedCachedArtifacts(t *testing.T) {
	f := newFixture(t)
	up := newUpstream(t)
	f.remote("r", "generic")
	f.update("r", `{"url":"`+up.URL+`/files","unusedArtifactsCleanupPeriodHours":2}`)
	f.remote("keep", "generic") // no cleanup period: never cleaned
	up.set("old.bin", "old")
	up.set("used.bin", "used")
	for _, p := range []string{"old.bin", "used.bin"} {
		if got, _, err := f.read(f.ctx, "r", p); err != nil || got == "" {
			t.Fatalf("fetching %s: %q, %v", p, got, err)
		}
	}
	f.put("keep-cache", "ancient.bin", "a")
	waitStored(t, f, "r-cache", "used.bin")
	f.clock = f.clock.Add(90 * time.Minute)
	if err := f.reg.meta.AddDownloads(f.ctx, []arca.Download{{Repo: "r-cache", Path: "used.bin", By: "u", At: f.clock}}); err != nil {
		t.Fatal(err)
	}
	f.clock = f.clock.Add(90 * time.Minute) // old.bin: 3 h unused; used.bin: downloaded 1.5 h ago
	n, err := f.reg.CleanupUnused(f.ctx)
	if err != nil || n != 1 {
		t.Fatalf("CleanupUnused = %d, %v; want 1 removed", n, err)
	}
	f.mustMiss(f.ctx, "r-cache", "old.bin")
	f.mustRead("r-cache", "used.bin", "used", "r-cache")
	f.mustRead("keep-cache", "ancient.bin", "a", "keep-cache")
}

// waitStored waits until a fetched artifact has been stored (storing finishes in the background
// after the client received the verified body).
func waitStored(t *testing.T, f *fixture, key, p string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if _, _, err := f.read(f.ctx, key, p); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s/%s was not stored", key, p)
}

// statusUpstream serves one metadata document with Last-Modified, honours If-Modified-Since,
// and can be switched to fail.
type statusUpstream struct {
	*httptest.Server
	mu       sync.Mutex
	body     string
	modified time.Time
	fail     int // status to answer instead, when non-zero
	gets     atomic.Int64
	cond     atomic.Int64 // conditional requests
}

func newStatusUpstream(t *testing.T, body string) *statusUpstream {
	u := &statusUpstream{body: body, modified: time.Unix(1_600_000_000, 0)}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.gets.Add(1)
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.fail != 0 {
			w.WriteHeader(u.fail)
			return
		}
		if ims := r.Header.Get("If-Modified-Since"); ims != "" {
			u.cond.Add(1)
			if t, err := http.ParseTime(ims); err == nil && !u.modified.After(t) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("Last-Modified", u.modified.UTC().Format(http.TimeFormat))
		io.WriteString(w, u.body)
	}))
	t.Cleanup(u.Close)
	return u
}

func TestRemoteRevalidatesExpiredMetadata(t *testing.T) {
	f := newFixture(t)
	up := newStatusUpstream(t, "a=1")
	// The test format (registered for npm) treats *.index paths as metadata.
	f.remote("r", "npm")
	f.update("r", `{"url":"`+up.URL+`/files","retrievalCachePeriodSecs":60}`)
	f.remote("strict", "npm")
	f.update("strict", `{"url":"`+up.URL+`/files","retrievalCachePeriodSecs":60,"hardFail":true}`)

	f.mustRead("r", "pkg/pkg.index", "a=1", "r-cache")
	f.mustRead("r", "pkg/pkg.index", "a=1", "r-cache")
	if n := up.gets.Load(); n != 1 {
		t.Fatalf("fresh metadata went upstream: %d requests", n)
	}
	// Expired and unchanged: a conditional request, answered 304, renews the cached copy.
	f.clock = f.clock.Add(2 * time.Minute)
	f.mustRead("r", "pkg/pkg.index", "a=1", "r-cache")
	if up.cond.Load() != 1 || up.gets.Load() != 2 {
		t.Fatalf("revalidation: %d conditional of %d requests", up.cond.Load(), up.gets.Load())
	}
	f.mustRead("r", "pkg/pkg.index", "a=1", "r-cache")
	if up.gets.Load() != 2 {
		t.Errorf("a renewed copy went upstream again")
	}
	// Expired and changed: the new document replaces the cached one.
	up.mu.Lock()
	up.body, up.modified = "a=2", up.modified.Add(time.Hour)
	up.mu.Unlock()
	f.clock = f.clock.Add(2 * time.Minute)
	f.mustRead("r", "pkg/pkg.index", "a=2", "r-cache")
	f.mustRead("r-cache", "pkg/pkg.index", "a=2", "r-cache")

	// Expired and the upstream fails: the stale copy is served with a Warning…
	f.mustRead("strict", "pkg/pkg.index", "a=2", "strict-cache")
	up.mu.Lock()
	up.fail = http.StatusServiceUnavailable
	up.mu.Unlock()
	f.clock = f.clock.Add(2 * time.Minute)
	rep, _ := f.reg.Get("r")
	_, file, err := rep.Open(f.ctx, "pkg/pkg.index")
	if err != nil {
		t.Fatalf("stale copy not served: %v", err)
	}
	w, ok := file.(interface{ Warning() string })
	body, _ := readAll(t, file)
	if body != "a=2" || !ok || !strings.Contains(w.Warning(), "Stale") {
		t.Errorf("stale copy: %q, warning %v", body, ok)
	}
	// …unless hardFail.
	strict, _ := f.reg.Get("strict")
	if _, _, err := strict.Open(f.ctx, "pkg/pkg.index"); !errors.Is(err, arca.ErrUnavailable) {
		t.Errorf("hardFail: %v, want the upstream's failure", err)
	}
}

func TestRemoteBypassHeadRequests(t *testing.T) {
	f := newFixture(t)
	up := newUpstream(t)
	up.set("f.bin", "content")
	f.remote("head", "generic")
	f.update("head", `{"url":"`+up.URL+`/files"}`)
	f.remote("bypass", "generic")
	f.update("bypass", `{"url":"`+up.URL+`/files","bypassHeadRequests":true}`)
	h, _ := f.reg.Get("head")
	if it, err := h.Stat(f.ctx, "f.bin"); err != nil || it.Size != int64(len("content")) {
		t.Fatalf("HEAD through the remote: %+v, %v", it, err)
	}
	if up.gets.Load() != 0 {
		t.Errorf("a HEAD sent a GET upstream")
	}
	f.mustMiss(f.ctx, "head-cache", "f.bin") // a HEAD stores nothing
	b, _ := f.reg.Get("bypass")
	if _, err := b.Stat(f.ctx, "f.bin"); err != nil {
		t.Fatal(err)
	}
	if up.gets.Load() != 1 {
		t.Errorf("bypassHeadRequests: %d upstream GETs, want 1", up.gets.Load())
	}
	waitStored(t, f, "bypass-cache", "f.bin")
}

func TestRemoteVerifiesAgainstChecksumCompanions(t *testing.T) {
	f := newFixture(t)
	files := map[string]string{
		"com/acme/good/1.0/good-1.0.jar":      "good jar",
		"com/acme/good/1.0/good-1.0.jar.sha1": "",
		"com/acme/bad/1.0/bad-1.0.jar":        "tampered jar",
		"com/acme/bad/1.0/bad-1.0.jar.sha1":   strings.Repeat("1", 40) + "  bad-1.0.jar",
	}
	s1 := sha1.Sum([]byte("good jar"))
	files["com/acme/good/1.0/good-1.0.jar.sha1"] = hex.EncodeToString(s1[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[strings.TrimPrefix(r.URL.Path, "/m2/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body) // a plain Maven repository: no X-Checksum headers
	}))
	defer srv.Close()
	f.create("m2", `{"rclass":"remote","packageType":"maven","url":"`+srv.URL+`/m2"}`)
	f.mustRead("m2", "com/acme/good/1.0/good-1.0.jar", "good jar", "m2-cache")
	rem, _ := f.reg.Get("m2")
	_, file, err := rem.Open(f.ctx, "com/acme/bad/1.0/bad-1.0.jar")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(t, file); err == nil {
		t.Fatalf("a body contradicting its .sha1 was served whole: %q", got)
	}
	f.mustMiss(f.ctx, "m2-cache", "com/acme/bad/1.0/bad-1.0.jar")
}
