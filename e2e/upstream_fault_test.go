package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestUpstreamFaults: whatever the upstream does wrong, nothing corrupt is stored, the client
// sees a clear failure (a 502/504 when known before the response starts, an aborted response
// when detected at the end of a streamed body), and a later GET with a correct upstream fetches
// and stores the right bytes.
func TestUpstreamFaults(t *testing.T) {
	t.Parallel()
	s := start(t)
	body := strings.Repeat("fault-injection ", 4096) // 64 KiB
	wrong := sumsOf("not the body")
	const (
		aborted = -1 // the response started (200) but must not complete
		ok      = 200
	)
	tests := []struct {
		name    string
		handler func(u *fakeUpstream) http.HandlerFunc
		want    int // a status, or aborted
	}{
		{"500", func(*fakeUpstream) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "internal", 500) }
		}, 502},
		{"503", func(*fakeUpstream) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "unavailable", 503) }
		}, 502},
		{"429", func(*fakeUpstream) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", 429)
			}
		}, 502},
		{"401", func(*fakeUpstream) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "who are you", 401) }
		}, 502},
		{"connection reset before headers", func(*fakeUpstream) http.HandlerFunc { return hijackAndWrite("") }, 502},
		{"garbage instead of HTTP", func(*fakeUpstream) http.HandlerFunc { return hijackAndWrite("NOT HTTP\r\n\r\n") }, 502},
		{"truncated body then close", func(*fakeUpstream) http.HandlerFunc { return hijackAndWrite(truncatedResponse(body)) }, aborted},
		{"wrong sha1 header", func(*fakeUpstream) http.HandlerFunc {
			return serveFile(body, func(h http.Header) { h.Set("X-Checksum-Sha1", wrong.sha1) })
		}, aborted},
		{"wrong sha256 header", func(*fakeUpstream) http.HandlerFunc {
			return serveFile(body, func(h http.Header) { h.Set("X-Checksum-Sha256", wrong.sha256) })
		}, aborted},
		{"wrong md5 header", func(*fakeUpstream) http.HandlerFunc {
			return serveFile(body, func(h http.Header) { h.Set("X-Checksum-Md5", wrong.md5) })
		}, aborted},
		{"wrong sha256, no Content-Length", func(*fakeUpstream) http.HandlerFunc {
			return serveFile(body, func(h http.Header) {
				h.Del("Content-Length")
				h.Set("X-Checksum-Sha256", wrong.sha256)
			})
		}, aborted},
		{"wrong sha1 only (no sha256 declared)", func(*fakeUpstream) http.HandlerFunc {
			return serveFile(body, func(h http.Header) {
				h.Del("X-Checksum-Sha256")
				h.Del("X-Checksum-Md5")
				h.Set("X-Checksum-Sha1", wrong.sha1)
			})
		}, aborted},
		{"a one-byte body with a wrong checksum", func(*fakeUpstream) http.HandlerFunc {
			return serveFile("x", func(h http.Header) { h.Set("X-Checksum-Sha256", wrong.sha256) })
		}, aborted},
		{"stall mid-body", func(u *fakeUpstream) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				serveHeaders(w, body)
				io.WriteString(w, body[:len(body)/3])
				flush(w)
				u.block(r)
			}
		}, aborted},
		{"slow but steady body", func(*fakeUpstream) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				serveHeaders(w, body)
				for i := range 5 { // 5 drips, 150ms apart: each wait is under the 500ms socket timeout
					io.WriteString(w, body[i*len(body)/5:(i+1)*len(body)/5])
					flush(w)
					time.Sleep(150 * time.Millisecond)
				}
			}
		}, ok},
	}
	for i, tt := range tests {
		key := fmt.Sprintf("f%d", i)
		u := newUpstream(t)
		// assumedOfflinePeriodSecs 0: a network failure must not keep the remote from the
		// second, correct fetch; missedRetrievalCachePeriodSecs 0 likewise.
		s.createRepo(key, remoteJSON(u.url(), `,"assumedOfflinePeriodSecs":0,"missedRetrievalCachePeriodSecs":0`))
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const p = "x/fault.bin"
			u.handle(p, tt.handler(u))
			t0 := time.Now()
			r := call(s, "GET", "/"+key+"/"+p, nil)
			if d := time.Since(t0); d > 3*time.Second {
				t.Errorf("the failure took %v", d)
			}
			switch tt.want {
			case ok:
				if r.err != nil || r.status != 200 || string(r.body) != body {
					t.Fatalf("status %d, err %v, %d bytes", r.status, r.err, len(r.body))
				}
				waitCached(t, s, "/"+key+"-cache/"+p, body)
				return
			case aborted:
				if r.err == nil {
					t.Errorf("status %d with a complete-looking %d-byte body (err nil); want an aborted response", r.status, len(r.body))
				}
			default:
				if r.err != nil || r.status != tt.want {
					t.Errorf("status %d, err %v, body %q; want %d", r.status, r.err, trunc(r.body), tt.want)
				} else if strings.TrimSpace(r.message(t)) == "" {
					t.Errorf("empty error message")
				}
			}
			// Nothing was stored.
			expectNotStored(t, s, "/"+key+"-cache/"+p)
			if r := call(s, "HEAD", "/"+key+"-cache/"+p, nil); r.status != 404 {
				t.Errorf("HEAD of the cache after the fault: %d", r.status)
			}
			// A correct upstream is fetched again, and that copy is stored.
			u.file(p, body)
			fetchOK(t, s, "/"+key+"/"+p, body)
			waitCached(t, s, "/"+key+"-cache/"+p, body)
		})
	}
}

// TestUpstream404Then200: an upstream 404 is a 404 (no stored item); once the upstream has
// the file, it is fetched.
func TestUpstream404Then200(t *testing.T) {
	t.Parallel()
	s := start(t)
	u := newUpstream(t)
	s.createRepo("r", remoteJSON(u.url(), `,"missedRetrievalCachePeriodSecs":0`))
	r := expectStatus(t, s, "/r/later.txt", 404)
	if msg := r.message(t); msg == "" {
		t.Error("404 without a message")
	}
	expectStatus(t, s, "/r-cache/later.txt", 404)
	u.file("later.txt", "now here")
	fetchOK(t, s, "/r/later.txt", "now here")
	if n := u.count("GET", "later.txt"); n != 2 {
		t.Errorf("upstream GETs = %d, want 2", n)
	}
}
