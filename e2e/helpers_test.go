// Package e2e holds end-to-end tests: each starts a real Arca (the same wiring as `arca serve`)
// on a loopback port with a fresh data directory and talks HTTP to it.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"arca/internal/app"
	"arca/internal/config"
	"arca/internal/s3test"
)

const adminPassword = "secret-admin-pw"

// server is a running Arca for one test.
type server struct {
	t    *testing.T
	app  *app.App
	base string // http://127.0.0.1:PORT/artifactory
	dir  string
	cfg  config.Config // as started
}

// start runs Arca with the given config tweaks.
func start(t *testing.T, tweak ...func(*config.Config)) *server {
	t.Helper()
	return startLogging(t, io.Discard, tweak...)
}

// startLogging is start with the server's log going to logOut.
func startLogging(t *testing.T, logOut io.Writer, tweak ...func(*config.Config)) *server {
	t.Helper()
	s := launch(t, logOut, tweak...)
	s.t = t
	return s
}

// launch starts Arca for a test or a benchmark and stops it when tb ends.
func launch(tb testing.TB, logOut io.Writer, tweak ...func(*config.Config)) *server {
	tb.Helper()
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.AdminPassword = adminPassword
	cfg.LogLevel = "warn"
	for _, f := range tweak {
		f(&cfg)
	}
	if metadataPG != nil && cfg.DB == "" {
		cfg.DB = dbOfDir.get(cfg.DataDir, func() string { return metadataPG.NewDB(tb) })
	}
	if blobsS3 != nil && cfg.Blobs == "" {
		cfg.Blobs = "s3://" + bucketOfDir.get(cfg.DataDir, blobsS3.NewBucket) + "/arca"
		cfg.S3 = s3Config()
	}
	a, err := app.Start(context.Background(), cfg, logOut)
	if err != nil {
		tb.Fatalf("starting arca: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
	})
	return &server{app: a, base: "http://" + a.Addr + "/artifactory", dir: cfg.DataDir, cfg: cfg}
}

// perDir remembers a value per data directory: under ARCA_TEST_METADATA / ARCA_TEST_BLOBS,
// the database and the bucket of a directory's servers, so that a test restarting a server on
// its directory finds its metadata and blobs again.
type perDir struct {
	mu sync.Mutex
	m  map[string]string
}

var dbOfDir, bucketOfDir perDir

// get returns the value of dir, made by mk the first time.
func (p *perDir) get(dir string, mk func() string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.m[dir]; ok {
		return v
	}
	if p.m == nil {
		p.m = map[string]string{}
	}
	p.m[dir] = mk()
	return p.m[dir]
}

// s3Config is the S3 configuration of the run's MinIO (ARCA_TEST_BLOBS=s3).
func s3Config() config.S3 {
	return config.S3{Endpoint: blobsS3.Endpoint, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey}
}

// startBench starts Arca for a benchmark with one local repository "bench".
func startBench(b *testing.B) *server {
	b.Helper()
	s := launch(b, io.Discard)
	r, _ := http.NewRequest("PUT", s.base+"/api/repositories/bench", strings.NewReader(`{"rclass":"local","packageType":"generic"}`))
	r.SetBasicAuth("admin", adminPassword)
	res, err := http.DefaultClient.Do(r)
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("creating the repository: %v %v", err, res)
	}
	res.Body.Close()
	return s
}

// req is one request: method, path under /artifactory, optional body and headers.
type req struct {
	method string
	path   string
	body   io.Reader
	header map[string]string
	user   string // "" = admin; "-" = anonymous; "name:pw" = that user
}

// resp is a finished response with its body read.
type resp struct {
	*http.Response
	body []byte
}

func (r resp) text() string { return string(r.body) }

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v\n%s", r.Request.URL, err, r.body)
	}
}

func (s *server) do(q req) resp {
	s.t.Helper()
	r, err := http.NewRequest(q.method, s.base+q.path, q.body)
	if err != nil {
		s.t.Fatal(err)
	}
	switch {
	case q.user == "":
		r.SetBasicAuth("admin", adminPassword)
	case q.user != "-":
		u, p, _ := strings.Cut(q.user, ":")
		r.SetBasicAuth(u, p)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		s.t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading body: %v", q.method, q.path, err)
	}
	return resp{res, b}
}

// must performs q and fails the test unless the status is want.
func (s *server) must(want int, q req) resp {
	s.t.Helper()
	r := s.do(q)
	if r.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d\n%s", q.method, q.path, r.StatusCode, want, r.body)
	}
	return r
}

func (s *server) get(path string) resp { s.t.Helper(); return s.do(req{method: "GET", path: path}) }

func (s *server) put(path string, body string, header ...string) resp {
	s.t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return s.do(req{method: "PUT", path: path, body: strings.NewReader(body), header: h})
}

// createRepo creates a repository from a JSON config and fails the test unless it is 200.
func (s *server) createRepo(key, cfg string) {
	s.t.Helper()
	s.must(200, req{method: "PUT", path: "/api/repositories/" + key, body: strings.NewReader(cfg),
		header: map[string]string{"Content-Type": "application/json"}})
}

func (s *server) local(key string) {
	s.t.Helper()
	s.createRepo(key, `{"key":"`+key+`","rclass":"local","packageType":"generic"}`)
}

// errorMessage extracts the first message of Artifactory's error body.
func errorMessage(t *testing.T, r resp) string {
	t.Helper()
	var e struct {
		Errors []struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	r.json(t, &e)
	if len(e.Errors) != 1 || e.Errors[0].Status != r.StatusCode {
		t.Fatalf("error body %s does not match status %d", r.body, r.StatusCode)
	}
	return e.Errors[0].Message
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSpace(b))
}
