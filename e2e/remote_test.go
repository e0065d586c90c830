package e2e

import (
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRemoteFetchCacheAndViews(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	const p, body = "org/app/1.0/app.txt", "remote content"
	u.file(p, body)
	s.createRepo("r", remoteJSON(u.url(), ""))

	// A miss is fetched, stored and served with the upstream's checksums.
	r := fetchOK(t, s, "/r/"+p, body)
	want := sumsOf(body)
	if r.header.Get("X-Checksum-Sha256") != want.sha256 || r.header.Get("X-Checksum-Sha1") != want.sha1 {
		t.Errorf("checksum headers %v, want %+v", r.header, want)
	}
	if n := u.count("GET", p); n != 1 {
		t.Fatalf("upstream GETs after the first download = %d, want 1", n)
	}
	// Now it is cached: neither the remote nor its cache asks the upstream.
	fetchOK(t, s, "/r/"+p, body)
	waitCached(t, s, "/r-cache/"+p, body)
	if n := u.count("", p); n != 1 {
		t.Errorf("upstream requests after cached downloads = %d, want 1", n)
	}
	// The cache view never goes upstream, even for a path the upstream has.
	u.file("other.txt", "other")
	expectStatus(t, s, "/r-cache/other.txt", 404)
	if n := u.count("", "other.txt"); n != 0 {
		t.Errorf("GET of the cache view went upstream %d times", n)
	}

	// Storage API on the cache.
	var info struct {
		Repo, Path, RemoteURL string
		Checksums             struct{ Sha1, Sha256, Md5 string }
	}
	s.must(200, req{method: "GET", path: "/api/storage/r-cache/" + p}).json(t, &info)
	if info.Repo != "r-cache" || info.Path != "/"+p || info.Checksums.Sha256 != want.sha256 ||
		info.Checksums.Sha1 != want.sha1 || info.Checksums.Md5 != want.md5 {
		t.Errorf("storage info of the cached file: %+v", info)
	}
	if info.RemoteURL != u.url()+"/"+p {
		t.Errorf("storage info remoteUrl = %q, want %q (caches carry remoteUrl, as in Artifactory)", info.RemoteURL, u.url()+"/"+p)
	}
	var list struct{ Files []struct{ URI string } }
	s.must(200, req{method: "GET", path: "/api/storage/r-cache/org?list&deep=1"}).json(t, &list)
	if len(list.Files) != 1 || list.Files[0].URI != "/app/1.0/app.txt" {
		t.Errorf("storage list of the cache: %+v", list.Files)
	}
	// Browsing the cache.
	listing := s.must(200, req{method: "GET", path: "/r-cache/org/app/1.0/"}).text()
	if !strings.Contains(listing, `<a href="app.txt">app.txt</a>`) {
		t.Errorf("cache listing lacks the file:\n%s", listing)
	}
	// AQL names the cache.
	aql := s.must(200, req{method: "POST", path: "/api/search/aql",
		body: strings.NewReader(`items.find({"repo":"r-cache","name":"app.txt"}).include("repo","path","name")`)}).text()
	if !strings.Contains(aql, `"repo":"r-cache"`) || !strings.Contains(aql, `"path":"org/app/1.0"`) {
		t.Errorf("AQL on the cache: %s", aql)
	}

	// Deploys into the remote or its cache are refused clearly.
	for _, path := range []string{"/r/new.txt", "/r-cache/new.txt", "/r/" + p, "/r/newdir/"} {
		r := s.do(req{method: "PUT", path: path, body: strings.NewReader("x")})
		if r.StatusCode != 405 {
			t.Errorf("PUT %s: status %d, want 405: %s", path, r.StatusCode, r.body)
			continue
		}
		if msg := errorMessage(t, r); !strings.Contains(msg, "remote") {
			t.Errorf("PUT %s: message %q does not say the repository is a remote", path, msg)
		}
	}
	fetchOK(t, s, "/r/"+p, body) // the refused overwrite left the cached copy alone

	// Deleting from the cache works, and the next GET of the remote fetches again.
	s.must(204, req{method: "DELETE", path: "/r-cache/" + p})
	expectStatus(t, s, "/r-cache/"+p, 404)
	u.file(p, "remote content v2")
	fetchOK(t, s, "/r/"+p, "remote content v2")
	if n := u.count("GET", p); n != 2 {
		t.Errorf("upstream GETs after deleting the cached copy = %d, want 2", n)
	}
	waitCached(t, s, "/r-cache/"+p, "remote content v2")
}

// TestRemoteStreamsWhileStoring: the client gets the first half of the body while the upstream
// is still holding back the second half, for a small and a large body.
func TestRemoteStreamsWhileStoring(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	s.createRepo("r", remoteJSON(u.url(), `,"socketTimeoutMillis":5000`))
	for _, size := range []int{2_000, 20_001, 256 << 10} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			t.Parallel()
			p := "stream/" + strconv.Itoa(size) + ".bin"
			body := strings.Repeat("0123456789abcdef", size/16+1)[:size]
			half := len(body) / 2
			// The server may hold back one byte until it knows the body is complete (so that a
			// body failing verification can still be cut short); the rest must reach the client.
			const heldBack = 1
			release := make(chan struct{})
			var releasedByTimer atomic.Bool
			u.handle(p, func(w http.ResponseWriter, r *http.Request) {
				serveHeaders(w, body)
				io.WriteString(w, body[:half])
				flush(w)
				select {
				case <-release:
				case <-time.After(2 * time.Second):
					releasedByTimer.Store(true)
				case <-r.Context().Done():
					return
				}
				io.WriteString(w, body[half:])
			})

			hr, _ := http.NewRequest("GET", s.base+"/r/"+p, nil)
			hr.SetBasicAuth("admin", adminPassword)
			res, err := (&http.Client{Timeout: 8 * time.Second}).Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			got := make([]byte, 0, len(body))
			buf := make([]byte, 32<<10)
			var rerr error
			for len(got) < half-heldBack && rerr == nil {
				var n int
				n, rerr = res.Body.Read(buf)
				got = append(got, buf[:n]...)
			}
			firstHalfEarly := !releasedByTimer.Load()
			close(release)
			if rerr == nil {
				var rest []byte
				rest, rerr = io.ReadAll(res.Body)
				got = append(got, rest...)
			} else if rerr == io.EOF {
				rerr = nil
			}
			if rerr != nil || string(got) != body {
				t.Fatalf("whole body: %d bytes (want %d), err %v", len(got), len(body), rerr)
			}
			if !firstHalfEarly {
				t.Errorf("the client did not get the first %d bytes until the upstream sent the rest: the body is not streamed as it arrives", half-heldBack)
			}
			waitCached(t, s, "/r-cache/"+p, body)
			if n := u.count("GET", p); n != 1 {
				t.Errorf("upstream GETs = %d, want 1", n)
			}
		})
	}
}

// serveHeaders writes a 200 with body's length and checksums, without the body.
func serveHeaders(w http.ResponseWriter, body string) {
	h := w.Header()
	s := sumsOf(body)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Checksum-Sha1", s.sha1)
	h.Set("X-Checksum-Sha256", s.sha256)
	w.WriteHeader(200)
}

func TestRemoteConcurrentMissesFetchOnce(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	body := strings.Repeat("concurrent bytes ", 64<<10) // ~1 MiB
	// The upstream answers slowly enough that every client request arrives during the fetch.
	u.handle("c.bin", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		serveFile(body, nil)(w, r)
	})
	s.createRepo("r", remoteJSON(u.url(), `,"socketTimeoutMillis":3000`))

	const n = 50
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = call(s, "GET", "/r/c.bin", nil) })
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil || r.status != 200 || string(r.body) != body {
			t.Errorf("client %d: status %d, err %v, %d bytes (want %d)", i, r.status, r.err, len(r.body), len(body))
		}
	}
	if c := u.count("", "c.bin"); c != 1 {
		t.Errorf("%d concurrent GETs caused %d upstream requests, want 1", n, c)
	}
}

// TestRemoteConcurrentMissesOfACorruptBody: clients waiting for a fetch that fails
// verification get failures, never the wrong body, and nothing is stored.
func TestRemoteConcurrentMissesOfACorruptBody(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	body := strings.Repeat("corrupt ", 8<<10)
	u.handle("bad.bin", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		serveFile(body, func(h http.Header) { h.Set("X-Checksum-Sha256", sumsOf("something else").sha256) })(w, r)
	})
	s.createRepo("r", remoteJSON(u.url(), `,"socketTimeoutMillis":3000,"missedRetrievalCachePeriodSecs":0`))

	const n = 10
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = call(s, "GET", "/r/bad.bin", nil) })
	}
	wg.Wait()
	for i, r := range results {
		complete := r.err == nil && r.status == 200 && len(r.body) == len(body)
		if complete || (r.err == nil && r.status != 502) {
			t.Errorf("client %d: status %d, err %v, %d bytes: want a 502 or an aborted response", i, r.status, r.err, len(r.body))
		}
	}
	expectNotStored(t, s, "/r-cache/bad.bin")
	u.file("bad.bin", body)
	fetchOK(t, s, "/r/bad.bin", body)
}

func TestRemoteHeadDoesNotStore(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	const p, body = "h/file.txt", "head me"
	u.file(p, body)
	s.createRepo("r", remoteJSON(u.url(), ""))

	r := call(s, "HEAD", "/r/"+p, nil)
	if r.err != nil || r.status != 200 {
		t.Fatalf("HEAD: %d %v", r.status, r.err)
	}
	if r.header.Get("Content-Length") != strconv.Itoa(len(body)) || r.header.Get("X-Checksum-Sha1") != sumsOf(body).sha1 {
		t.Errorf("HEAD headers: %v", r.header)
	}
	if h, g := u.count("HEAD", p), u.count("GET", p); h != 1 || g != 0 {
		t.Errorf("upstream HEADs %d, GETs %d; want 1 and 0", h, g)
	}
	expectStatus(t, s, "/r-cache/"+p, 404)
	if r := call(s, "HEAD", "/r-cache/"+p, nil); r.status != 404 {
		t.Errorf("HEAD of the cache after a remote HEAD: %d, want 404", r.status)
	}
	fetchOK(t, s, "/r/"+p, body)
	if g := u.count("GET", p); g != 1 {
		t.Errorf("upstream GETs after the GET = %d, want 1", g)
	}
	// A HEAD of a now-cached path is answered from the cache.
	waitCached(t, s, "/r-cache/"+p, body)
	if r := call(s, "HEAD", "/r/"+p, nil); r.status != 200 || u.count("HEAD", p) != 1 {
		t.Errorf("HEAD of the cached path: %d, upstream HEADs %d", r.status, u.count("HEAD", p))
	}
	// A HEAD of a path the upstream does not have.
	if r := call(s, "HEAD", "/r/h/none.txt", nil); r.status != 404 {
		t.Errorf("HEAD of a missing path: %d, want 404", r.status)
	}
}

func TestRemoteThroughVirtual(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.file("v/a.txt", "through the virtual")
	s.local("l")
	s.createRepo("r", remoteJSON(u.url(), ""))
	s.createRepo("v", `{"rclass":"virtual","packageType":"generic","repositories":["l","r"]}`)

	fetchOK(t, s, "/v/v/a.txt", "through the virtual")
	waitCached(t, s, "/r-cache/v/a.txt", "through the virtual")
	fetchOK(t, s, "/v/v/a.txt", "through the virtual")
	if n := u.count("GET", "v/a.txt"); n != 1 {
		t.Errorf("upstream GETs = %d, want 1", n)
	}
	expectStatus(t, s, "/v/v/none.txt", 404)
}

func TestRemoteUpstreamRequestHeaders(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	u.file("a.txt", "a")
	u.file("b.txt", "b")
	s.createRepo("r", remoteJSON(u.url(), `,"username":"up-user","password":"up-pw","queryParams":"a=1&b=two"`))
	id := instanceID(t, s)

	fetchOK(t, s, "/r/a.txt", "a")
	r := call(s, "GET", "/r/b.txt", map[string]string{"X-Artifactory-Originated": "other"})
	if r.err != nil || r.status != 200 {
		t.Fatalf("GET with X-Artifactory-Originated: %d %v %s", r.status, r.err, r.body)
	}
	for _, tt := range []struct{ path, originated string }{{"a.txt", id}, {"b.txt", "other," + id}} {
		reqs := u.requests(tt.path)
		if len(reqs) != 1 {
			t.Fatalf("%s: %d upstream requests", tt.path, len(reqs))
		}
		h := reqs[0].Header
		if got := h.Get("X-Artifactory-Originated"); got != tt.originated {
			t.Errorf("%s: X-Artifactory-Originated %q, want %q", tt.path, got, tt.originated)
		}
		if got := h.Get("Origin-Artifactory"); got != id {
			t.Errorf("%s: Origin-Artifactory %q, want %q", tt.path, got, id)
		}
		if got, want := h.Get("Authorization"), "Basic "+base64.StdEncoding.EncodeToString([]byte("up-user:up-pw")); got != want {
			t.Errorf("%s: Authorization %q, want %q", tt.path, got, want)
		}
		if got := reqs[0].RawQuery; got != "a=1&b=two" {
			t.Errorf("%s: query %q, want a=1&b=two", tt.path, got)
		}
	}
	// The password is never echoed.
	cfg := s.must(200, req{method: "GET", path: "/api/repositories/r"}).text()
	if strings.Contains(cfg, "up-pw") {
		t.Errorf("the remote's password is echoed: %s", cfg)
	}
}

// TestRemoteCacheVisibleWhenResponseEnds: once a client has the whole body of a fetched
// artifact, the artifact is in the cache: a GET of "{remote}-cache", the storage API and AQL
// find it (read-your-writes for a client that downloads and then inspects the cache).
func TestRemoteCacheVisibleWhenResponseEnds(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	s.createRepo("r", remoteJSON(u.url(), ""))
	misses := 0
	const n = 20
	for i := range n {
		p := "vis/" + strconv.Itoa(i) + ".txt"
		u.file(p, "visible "+p)
		fetchOK(t, s, "/r/"+p, "visible "+p)
		if r := call(s, "GET", "/r-cache/"+p, nil); r.status != 200 {
			misses++
		}
	}
	if misses > 0 {
		t.Errorf("%d of %d artifacts were not in the cache right after their download completed", misses, n)
	}
}
