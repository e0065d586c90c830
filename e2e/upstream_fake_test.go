package e2e

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeUpstream is an upstream for remote repositories: an httptest.Server serving files under
// /files/ from per-path handlers (unknown paths answer 404), recording every request.
type fakeUpstream struct {
	srv *httptest.Server
	// quit is closed when the test ends, releasing handlers that block on purpose.
	quit chan struct{}

	mu     sync.Mutex
	routes map[string]http.HandlerFunc // path under /files/ → handler
	reqs   []upstreamReq
}

// upstreamReq is one request the upstream received.
type upstreamReq struct {
	Method, Path, RawQuery string
	Header                 http.Header
}

func newUpstream(t *testing.T) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{quit: make(chan struct{}), routes: map[string]http.HandlerFunc{}}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(func() {
		close(u.quit)
		u.srv.Close()
	})
	return u
}

// newUpstreamOn is newUpstream listening on addr (to come back on the port of a closed one).
func newUpstreamOn(t *testing.T, addr string) *fakeUpstream {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	u := &fakeUpstream{quit: make(chan struct{}), routes: map[string]http.HandlerFunc{}}
	u.srv = httptest.NewUnstartedServer(http.HandlerFunc(u.serve))
	u.srv.Listener.Close()
	u.srv.Listener = l
	u.srv.Start()
	t.Cleanup(func() {
		close(u.quit)
		u.srv.Close()
	})
	return u
}

// url is the remote repository URL of this upstream.
func (u *fakeUpstream) url() string { return u.srv.URL + "/files" }

func (u *fakeUpstream) serve(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/files/")
	u.mu.Lock()
	u.reqs = append(u.reqs, upstreamReq{Method: r.Method, Path: p, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
	h := u.routes[p]
	u.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// handle sets (or, with nil, removes) the handler of a path under /files/.
func (u *fakeUpstream) handle(p string, h http.HandlerFunc) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if h == nil {
		delete(u.routes, p)
		return
	}
	u.routes[p] = h
}

// file serves body at p with correct checksum headers.
func (u *fakeUpstream) file(p, body string) { u.handle(p, serveFile(body, nil)) }

// count is the number of requests with method for p so far ("" = any method).
func (u *fakeUpstream) count(method, p string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, r := range u.reqs {
		if r.Path == p && (method == "" || r.Method == method) {
			n++
		}
	}
	return n
}

// requests returns the requests for p so far.
func (u *fakeUpstream) requests(p string) []upstreamReq {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []upstreamReq
	for _, r := range u.reqs {
		if r.Path == p {
			out = append(out, r)
		}
	}
	return out
}

// digests are the hex checksums of a body.
type digests struct{ sha1, sha256, md5 string }

func sumsOf(body string) digests {
	s1 := sha1.Sum([]byte(body))
	s2 := sha256.Sum256([]byte(body))
	m := md5.Sum([]byte(body))
	return digests{hex.EncodeToString(s1[:]), hex.EncodeToString(s2[:]), hex.EncodeToString(m[:])}
}

// serveFile answers with body, its Content-Length and its checksum headers; edit may change
// the headers before they are sent (a wrong checksum, no length).
func serveFile(body string, edit func(http.Header)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		s := sumsOf(body)
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("X-Checksum-Sha1", s.sha1)
		h.Set("X-Checksum-Sha256", s.sha256)
		h.Set("X-Checksum-Md5", s.md5)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		if edit != nil {
			edit(h)
		}
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			io.WriteString(w, body)
		}
	}
}

// hijackAndWrite takes over the connection, writes raw (may be empty) and closes it: a
// connection reset or a truncated response.
func hijackAndWrite(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if raw != "" {
			buf.WriteString(raw)
			buf.Flush()
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, not an orderly close
		}
		c.Close()
	}
}

// truncatedResponse is a raw HTTP response declaring the whole body but carrying only half.
func truncatedResponse(body string) string {
	s := sumsOf(body)
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Checksum-Sha1: %s\r\nX-Checksum-Sha256: %s\r\n\r\n",
		len(body), s.sha1, s.sha256)
	b.WriteString(body[:len(body)/2])
	return b.String()
}

// result is a finished response, or the error of a broken one. A body cut short is in body
// with the read error in err.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// call sends one request to Arca as admin (safe from any goroutine; failures are returned).
func call(s *server, method, path string, header map[string]string) result {
	r, err := http.NewRequest(method, s.base+path, nil)
	if err != nil {
		return result{err: err}
	}
	r.SetBasicAuth("admin", adminPassword)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 8 * time.Second}
	res, err := c.Do(r)
	if err != nil {
		return result{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return result{status: res.StatusCode, header: res.Header, body: b, err: err}
}

// message is the first message of Artifactory's error body, whose status must match.
func (r result) message(t *testing.T) string {
	t.Helper()
	var e struct {
		Errors []struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || len(e.Errors) != 1 || e.Errors[0].Status != r.status {
		t.Errorf("error body %q is not Artifactory's {\"errors\":[{status %d, message}]}", r.body, r.status)
		return ""
	}
	return e.Errors[0].Message
}

// fetchOK fails the test unless GET path answers 200 with want, read completely.
func fetchOK(t *testing.T, s *server, path, want string) result {
	t.Helper()
	r := call(s, "GET", path, nil)
	if r.err != nil || r.status != 200 || string(r.body) != want {
		t.Fatalf("GET %s: status %d, err %v, body %q; want 200 %q", path, r.status, r.err, trunc(r.body), trunc([]byte(want)))
	}
	return r
}

// waitCached waits (up to 2 s) until GET path (a "-cache" path) answers 200 with want: a
// fetched artifact is recorded in the cache just after its response ends (see
// TestRemoteCacheVisibleWhenResponseEnds for the strict expectation).
func waitCached(t *testing.T, s *server, path, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		r := call(s, "GET", path, nil)
		if r.err == nil && r.status == 200 && string(r.body) == want {
			return
		}
		if time.Now().After(deadline) || (r.status != 404 && r.status != 0) {
			t.Fatalf("GET %s: status %d, err %v, body %q; want 200 %q", path, r.status, r.err, trunc(r.body), trunc([]byte(want)))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expectNotStored fails the test unless path (a "-cache" path) is still 404 a moment later:
// nothing is recorded, not even by a background store.
func expectNotStored(t *testing.T, s *server, path string) {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	expectStatus(t, s, path, 404)
}

// expectStatus fails the test unless GET path answers status (with its body read completely).
func expectStatus(t *testing.T, s *server, path string, status int) result {
	t.Helper()
	r := call(s, "GET", path, nil)
	if r.err != nil || r.status != status {
		t.Fatalf("GET %s: status %d, err %v, body %q; want %d", path, r.status, r.err, trunc(r.body), status)
	}
	return r
}

func trunc(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}

// remoteJSON is a generic remote's configuration over url with short timeouts; extra are more
// JSON members (",\"offline\":true").
func remoteJSON(url, extra string) string {
	return `{"rclass":"remote","packageType":"generic","url":"` + url +
		`","socketTimeoutMillis":500,"missedRetrievalCachePeriodSecs":1,"assumedOfflinePeriodSecs":1` + extra + `}`
}

// instanceID is this Arca's id: the text of /api/system/service_id after "jfrt@".
func instanceID(t *testing.T, s *server) string {
	t.Helper()
	id := s.must(200, req{method: "GET", path: "/api/system/service_id"}).text()
	return strings.TrimPrefix(strings.TrimSpace(id), "jfrt@")
}

// block waits for the test's end or the request's cancellation (an upstream that stalls).
func (u *fakeUpstream) block(r *http.Request) {
	select {
	case <-u.quit:
	case <-r.Context().Done():
	}
}

// flush flushes w (to put the bytes so far on the wire).
func flush(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }
