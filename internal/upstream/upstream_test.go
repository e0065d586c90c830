package upstream

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"arca"
)

func TestRequestsCarryWhatUpstreamsNeed(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("X-Checksum-Sha1", strings.Repeat("a", 40))
		w.Header().Set("X-Checksum-Md5", "not-hex-of-the-right-length")
		io.WriteString(w, "body")
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL + "/repo/", Username: "u", Password: "p", QueryParams: "a=1&b=2", InstanceID: "me", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(context.Background(), Request{Path: "dir/file name.txt", Originated: []string{"other"}, LastModified: "Sat, 21 Nov 2026 05:00:00 GMT"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	user, pass, _ := got.BasicAuth()
	checks := []struct{ what, got, want string }{
		{"path", got.URL.Path, "/repo/dir/file name.txt"},
		{"query", got.URL.RawQuery, "a=1&b=2"},
		{"basic auth", user + ":" + pass, "u:p"},
		{"X-Artifactory-Originated", got.Header.Get("X-Artifactory-Originated"), "other,me"},
		{"Origin-Artifactory", got.Header.Get("Origin-Artifactory"), "me"},
		{"If-Modified-Since", got.Header.Get("If-Modified-Since"), "Sat, 21 Nov 2026 05:00:00 GMT"},
		{"Accept-Encoding", got.Header.Get("Accept-Encoding"), ""},
		{"body", string(b), "body"},
		{"declared sha1", res.Checksums.SHA1, strings.Repeat("a", 40)},
		{"malformed md5 ignored", res.Checksums.MD5, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestFailuresAreClassified(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, arca.ErrNotFound},
		{"410", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) }, arca.ErrNotFound},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, ErrUnavailable},
		{"429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }, ErrUnavailable},
		{"slow headers", func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }, ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c, _ := New(Config{URL: srv.URL, InstanceID: "me", Timeout: 100 * time.Millisecond})
			_, err := c.Do(context.Background(), Request{Path: "f"})
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
	// Connection refused: unreachable.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c, _ := New(Config{URL: "http://" + addr, InstanceID: "me", Timeout: time.Second})
	if _, err := c.Do(context.Background(), Request{Path: "f"}); !errors.Is(err, ErrUnreachable) {
		t.Errorf("refused: %v, want ErrUnreachable", err)
	}
}

func TestStalledBodyTimesOutButASlowReaderDoesNot(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "01234")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/stall" {
			<-release
		}
		io.WriteString(w, "56789")
	}))
	defer srv.Close()
	defer close(release)
	c, _ := New(Config{URL: srv.URL, InstanceID: "me", Timeout: 150 * time.Millisecond})

	res, err := c.Do(context.Background(), Request{Path: "stall"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(res.Body)
	res.Body.Close()
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("stalled body: %v, want ErrTimeout", err)
	}

	// A consumer slower than the timeout is not the upstream's fault.
	res, err = c.Do(context.Background(), Request{Path: "steady"})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 5)
	for i := 0; i < 2; i++ {
		time.Sleep(300 * time.Millisecond)
		if _, err := io.ReadFull(res.Body, buf); err != nil {
			t.Fatalf("slow reader, read %d: %v", i, err)
		}
	}
}

func TestInvalidURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/", "not a url", "http://"} {
		if _, err := New(Config{URL: u}); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("New(%q) = %v, want ErrInvalid", u, err)
		}
	}
}

func TestAFolderIsNotAnArtifact(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repo/dir":
			http.Redirect(w, r, "/repo/dir/", http.StatusFound)
		case "/repo/dir/":
			io.WriteString(w, `<a href="f">f</a>`)
		case "/repo/moved":
			http.Redirect(w, r, "/repo/elsewhere", http.StatusMovedPermanently)
		case "/repo/elsewhere":
			io.WriteString(w, "artifact")
		}
	}))
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL + "/repo", InstanceID: "me", Timeout: time.Second})
	if _, err := c.Do(context.Background(), Request{Path: "dir"}); !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("a folder redirect: %v, want ErrNotFound", err)
	}
	res, err := c.Do(context.Background(), Request{Path: "moved"})
	if err != nil {
		t.Fatalf("other redirects are followed: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "artifact" {
		t.Errorf("followed redirect body %q", b)
	}
}
