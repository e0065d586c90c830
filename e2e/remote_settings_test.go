package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRemoteSettingsDefaults(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.createRepo("r", `{"rclass":"remote","packageType":"generic","url":"http://127.0.0.1:9/files"}`)
	var cfg map[string]any
	s.must(200, req{method: "GET", path: "/api/repositories/r"}).json(t, &cfg)
	want := map[string]any{
		"retrievalCachePeriodSecs": 7200.0, "missedRetrievalCachePeriodSecs": 1800.0, "assumedOfflinePeriodSecs": 300.0,
		"socketTimeoutMillis": 15000.0, "storeArtifactsLocally": true, "hardFail": false, "offline": false,
		"blackedOut": false, "username": "", "queryParams": "",
	}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("%s = %v (%T), want %v", k, cfg[k], cfg[k], v)
		}
	}
}

// TestRemoteArtifactsNeverExpire: for the generic format nothing is metadata, so a cached
// artifact is served without asking the upstream even after retrievalCachePeriodSecs.
func TestRemoteArtifactsNeverExpire(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.file("a.txt", "cached")
	s.createRepo("r", remoteJSON(u.url(), `,"retrievalCachePeriodSecs":1`))
	fetchOK(t, s, "/r/a.txt", "cached")
	time.Sleep(1100 * time.Millisecond)
	u.file("a.txt", "changed upstream")
	fetchOK(t, s, "/r/a.txt", "cached")
	if r := call(s, "HEAD", "/r/a.txt", nil); r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
	if n := u.count("", "a.txt"); n != 1 {
		t.Errorf("upstream requests = %d, want 1 (artifacts never expire)", n)
	}
}

func TestRemoteMissedRetrievalCache(t *testing.T) {
	t.Parallel()
	s := start(t)
	tests := []struct {
		name   string
		period int // missedRetrievalCachePeriodSecs
	}{
		{"remembered for the period", 1},
		{"zero remembers nothing", 0},
	}
	for i, tt := range tests {
		key := fmt.Sprintf("r%d", i)
		u := newUpstream(t)
		s.createRepo(key, remoteJSON(u.url(), fmt.Sprintf(`,"missedRetrievalCachePeriodSecs":%d`, tt.period)))
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expectStatus(t, s, "/"+key+"/m.txt", 404)
			if n := u.count("GET", "m.txt"); n != 1 {
				t.Fatalf("upstream GETs after the first 404 = %d, want 1", n)
			}
			u.file("m.txt", "found later")
			if tt.period == 0 {
				fetchOK(t, s, "/"+key+"/m.txt", "found later")
				return
			}
			expectStatus(t, s, "/"+key+"/m.txt", 404)
			if r := call(s, "HEAD", "/"+key+"/m.txt", nil); r.status != 404 {
				t.Errorf("HEAD within the period: %d, want 404", r.status)
			}
			if n := u.count("", "m.txt"); n != 1 {
				t.Errorf("upstream requests within the miss period = %d, want 1", n)
			}
			time.Sleep(1100 * time.Millisecond)
			fetchOK(t, s, "/"+key+"/m.txt", "found later")
		})
	}
}

func TestRemoteOffline(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.file("a.txt", "cached before")
	u.file("b.txt", "never fetched")
	s.createRepo("r", remoteJSON(u.url(), ""))
	fetchOK(t, s, "/r/a.txt", "cached before")
	waitCached(t, s, "/r-cache/a.txt", "cached before")
	s.must(200, req{method: "POST", path: "/api/repositories/r", body: strings.NewReader(`{"offline":true}`)})

	fetchOK(t, s, "/r/a.txt", "cached before")
	expectStatus(t, s, "/r/b.txt", 404)
	if r := call(s, "HEAD", "/r/b.txt", nil); r.status != 404 {
		t.Errorf("HEAD of an uncached path offline: %d, want 404", r.status)
	}
	if n := u.count("", "b.txt"); n != 0 {
		t.Errorf("an offline remote asked the upstream %d times", n)
	}
	// Created offline: never goes upstream.
	s.createRepo("off", remoteJSON(u.url(), `,"offline":true`))
	expectStatus(t, s, "/off/b.txt", 404)
	if n := u.count("", "b.txt"); n != 0 {
		t.Errorf("an offline remote asked the upstream %d times", n)
	}
}

func TestRemoteBlackedOut(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.file("a.txt", "a")
	u.file("b.txt", "b")
	s.createRepo("r", remoteJSON(u.url(), ""))
	fetchOK(t, s, "/r/a.txt", "a")
	waitCached(t, s, "/r-cache/a.txt", "a")
	s.must(200, req{method: "POST", path: "/api/repositories/r", body: strings.NewReader(`{"blackedOut":true}`)})
	for _, p := range []string{"/r/a.txt", "/r/b.txt", "/r-cache/a.txt"} {
		for _, method := range []string{"GET", "HEAD"} {
			r := call(s, method, p, nil)
			if r.status != 403 {
				t.Errorf("%s %s on a blacked-out remote: %d, want 403", method, p, r.status)
			}
			if method == "GET" && !strings.Contains(string(r.body), "blacked out") {
				t.Errorf("GET %s: body %q does not say why", p, r.body)
			}
		}
	}
	if n := u.count("", "b.txt"); n != 0 {
		t.Errorf("a blacked-out remote asked the upstream %d times", n)
	}
}

// TestRemoteHardFail: for a generic artifact that is not cached, an upstream failure is a 502
// either way (hardFail only decides whether stale cached metadata may be served).
func TestRemoteHardFail(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.handle("e.txt", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	s.createRepo("hard", remoteJSON(u.url(), `,"hardFail":true`))
	s.createRepo("soft", remoteJSON(u.url(), `,"hardFail":false`))
	for _, key := range []string{"hard", "soft"} {
		expectStatus(t, s, "/"+key+"/e.txt", 502)
		expectNotStored(t, s, "/"+key+"-cache/e.txt")
	}
	var cfg struct{ HardFail bool }
	s.must(200, req{method: "GET", path: "/api/repositories/hard"}).json(t, &cfg)
	if !cfg.HardFail {
		t.Error("hardFail not echoed")
	}
}

// TestRemoteAssumedOffline: after a network failure the upstream is not tried for
// assumedOfflinePeriodSecs, even when it is back.
func TestRemoteAssumedOffline(t *testing.T) {
	t.Parallel()
	s := start(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // connection refused from now on
	s.createRepo("r", remoteJSON("http://"+addr+"/files", ""))
	s.createRepo("cached", remoteJSON("http://"+addr+"/files", ""))

	failedAt := time.Now()
	r := call(s, "GET", "/r/a.txt", nil)
	if r.err != nil || r.status != 502 {
		t.Fatalf("GET with the upstream down: %d %v %s; want 502", r.status, r.err, r.body)
	}
	u := newUpstreamOn(t, addr)
	u.file("a.txt", "back again")
	r = call(s, "GET", "/r/a.txt", nil)
	if r.status == 200 || u.count("", "a.txt") != 0 {
		t.Errorf("within the offline period: status %d, upstream requests %d; want a failure without asking", r.status, u.count("", "a.txt"))
	}
	if r.status != 404 && r.status != 502 && r.status != 503 && r.status != 504 {
		t.Errorf("within the offline period: status %d", r.status)
	}
	if r := call(s, "HEAD", "/r/a.txt", nil); r.status == 200 {
		t.Errorf("HEAD within the offline period: %d", r.status)
	}
	if n := u.count("", "a.txt"); n != 0 {
		t.Errorf("the upstream was asked %d times within the offline period", n)
	}
	// The offline period is per remote: another remote of the same URL is not affected.
	fetchOK(t, s, "/cached/a.txt", "back again")
	time.Sleep(time.Until(failedAt.Add(1100 * time.Millisecond)))
	fetchOK(t, s, "/r/a.txt", "back again")
	if n := u.count("GET", "a.txt"); n != 2 {
		t.Errorf("upstream GETs = %d, want 2", n)
	}
}

func TestRemoteSocketTimeout(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.handle("no-headers.txt", func(w http.ResponseWriter, r *http.Request) { u.block(r) })
	body := strings.Repeat("stall ", 10_000)
	u.handle("stall.txt", func(w http.ResponseWriter, r *http.Request) {
		serveHeaders(w, body)
		io.WriteString(w, body[:len(body)/2])
		flush(w)
		u.block(r)
	})
	s.createRepo("h", remoteJSON(u.url(), ""))
	s.createRepo("b", remoteJSON(u.url(), ""))

	t.Run("no headers", func(t *testing.T) {
		t0 := time.Now()
		r := call(s, "GET", "/h/no-headers.txt", nil)
		if d := time.Since(t0); r.status != 504 || d > 2*time.Second {
			t.Errorf("status %d after %v, want 504 within about 500ms: %s", r.status, d, r.body)
		}
		expectNotStored(t, s, "/h-cache/no-headers.txt")
	})
	t.Run("stalled body", func(t *testing.T) {
		t0 := time.Now()
		r := call(s, "GET", "/b/stall.txt", nil)
		d := time.Since(t0)
		if r.err == nil && r.status == 200 {
			t.Errorf("a stalled body looked complete: %d bytes", len(r.body))
		}
		if r.err == nil && r.status != 504 && r.status != 502 {
			t.Errorf("status %d, want an aborted response (or a 504)", r.status)
		}
		if d > 3*time.Second {
			t.Errorf("took %v, want about the socket timeout", d)
		}
		expectNotStored(t, s, "/b-cache/stall.txt")
		u.file("stall.txt", body)
		fetchOK(t, s, "/b/stall.txt", body)
	})
}

func TestRemoteStoreArtifactsLocallyFalse(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.file("p.txt", "passed through")
	s.createRepo("r", remoteJSON(u.url(), `,"storeArtifactsLocally":false`))

	for i := 1; i <= 3; i++ {
		r := fetchOK(t, s, "/r/p.txt", "passed through")
		if r.header.Get("X-Checksum-Sha1") != sumsOf("passed through").sha1 {
			t.Errorf("checksum header: %v", r.header)
		}
		if n := u.count("GET", "p.txt"); n != i {
			t.Errorf("after %d requests, %d upstream GETs", i, n)
		}
	}
	expectNotStored(t, s, "/r-cache/p.txt")
	s.must(404, req{method: "GET", path: "/api/storage/r-cache/p.txt"})
	aql := s.must(200, req{method: "POST", path: "/api/search/aql",
		body: strings.NewReader(`items.find({"repo":"r-cache"})`)}).text()
	var res struct{ Results []json.RawMessage }
	if err := json.Unmarshal([]byte(aql), &res); err != nil || len(res.Results) != 0 {
		t.Errorf("AQL on the pass-through cache: %s", aql)
	}
}

// TestRemoteStoreArtifactsLocallyFalseConcurrent: with nothing stored, every concurrent
// request is served from its own upstream request.
func TestRemoteStoreArtifactsLocallyFalseConcurrent(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	body := "passed through concurrently"
	u.handle("p.txt", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		serveFile(body, nil)(w, r)
	})
	s.createRepo("r", remoteJSON(u.url(), `,"storeArtifactsLocally":false,"socketTimeoutMillis":3000`))
	const n = 10
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = call(s, "GET", "/r/p.txt", nil) })
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil || r.status != 200 || string(r.body) != body {
			t.Errorf("client %d: status %d, err %v, body %q", i, r.status, r.err, trunc(r.body))
		}
	}
	expectStatus(t, s, "/r-cache/p.txt", 404)
}
