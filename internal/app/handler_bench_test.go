package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"arca/internal/config"
)

// discardWriter is the least a ResponseWriter can be: it keeps the header map across requests
// (cleared each time, as net/http gives every response a fresh one) and drops the body.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkHandlerDownload measures Arca's own work for an authenticated 1 KiB download, with
// net/http taken out: the handler chain (request state, headers, authentication from the
// credential cache, routing, repository lookup, item and blob caches, statistics) called
// directly. bench/download.sh measures the same request over the network, net/http included.
func BenchmarkHandlerDownload(b *testing.B) {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = b.TempDir()
	cfg.AdminPassword = "bench-password"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := Start(ctx, cfg, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	h := a.srv.Handler
	do := func(method, path string, body []byte) int {
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r.SetBasicAuth("admin", cfg.AdminPassword)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if c := do("PUT", "/artifactory/api/repositories/bench", []byte(`{"rclass":"local","packageType":"generic"}`)); c != 200 {
		b.Fatalf("create repository: %d", c)
	}
	if c := do("PUT", "/artifactory/bench/f/1k.bin", bytes.Repeat([]byte("x"), 1024)); c != 201 {
		b.Fatalf("deploy: %d", c)
	}
	r := httptest.NewRequest("GET", "/artifactory/bench/f/1k.bin", nil)
	r.SetBasicAuth("admin", cfg.AdminPassword)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	if w.status != 200 {
		b.Fatalf("GET: %d", w.status)
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}
