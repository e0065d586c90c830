package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigArtifact deploys size random bytes to a new local repository "big" and returns them.
func bigArtifact(t *testing.T, p *proc, size int) []byte {
	t.Helper()
	if s := p.status("PUT", "/api/repositories/big", "admin", adminPassword,
		strings.NewReader(`{"rclass":"local","packageType":"generic"}`)); s != http.StatusOK {
		t.Fatalf("creating the repository: %d", s)
	}
	data := make([]byte, size)
	rand.Read(data)
	if s := p.status("PUT", "/big/large.bin", "admin", adminPassword, bytes.NewReader(data)); s != http.StatusCreated {
		t.Fatalf("deploying: %d", s)
	}
	return data
}

// slowDownload starts a GET of /big/large.bin and returns its body once the first chunk has
// arrived, so the request is in flight on the server.
func slowDownload(t *testing.T, p *proc) (io.ReadCloser, []byte) {
	t.Helper()
	res, err := p.request("GET", "/big/large.bin", "admin", adminPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: %s", res.Status)
	}
	first := make([]byte, 64<<10)
	if _, err := io.ReadFull(res.Body, first); err != nil {
		t.Fatal(err)
	}
	return res.Body, first
}

// TestShutdownDrainsInFlightDownload: after SIGTERM the server accepts no new connections, but a
// download in flight (read by a slow client) completes, and the server then exits cleanly.
func TestShutdownDrainsInFlightDownload(t *testing.T) {
	p := serveArca(t, baseEnv("ARCA_ADMIN_PASSWORD="+adminPassword), t.TempDir(), "--shutdown-timeout", "30s")
	// Larger than the kernel's socket buffers on loopback, so the server is still writing.
	data := bigArtifact(t, p, 48<<20)
	body, got := slowDownload(t, p)
	defer body.Close()

	p.signal(syscall.SIGTERM)
	addr := strings.TrimPrefix(strings.TrimSuffix(p.url, "/artifactory"), "http://")
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break // the listener is closed
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-p.done:
		t.Fatal("the server exited with a download in flight")
	default:
	}

	// A throttled client: 1 MiB every 20 ms, about a second for the rest.
	buf := make([]byte, 1<<20)
	for {
		n, err := io.ReadFull(body, buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) != len(data) || sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("downloaded %d bytes (want %d), equal: %v", len(got), len(data), bytes.Equal(got, data))
	}
	if code := p.wait(30 * time.Second); code != 0 {
		t.Errorf("exit %d after draining, want 0", code)
	}
	log := p.stderr.String()
	for _, want := range []string{"shutting down", "shutdown complete", "drained=true", "took="} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// TestShutdownTimeoutClosesSlowDownload: a download that outlives --shutdown-timeout is cut
// off, the log says the drain timed out, and the process exits with 1 soon after the timeout.
func TestShutdownTimeoutClosesSlowDownload(t *testing.T) {
	p := serveArca(t, baseEnv("ARCA_ADMIN_PASSWORD="+adminPassword), t.TempDir(), "--shutdown-timeout", "300ms")
	bigArtifact(t, p, 48<<20)
	body, _ := slowDownload(t, p) // and never read again until the server has gone
	defer body.Close()

	began := time.Now()
	p.signal(syscall.SIGTERM)
	code := p.wait(20 * time.Second)
	if took := time.Since(began); took < 300*time.Millisecond || took > 10*time.Second {
		t.Errorf("exited %v after SIGTERM, want soon after the 300ms timeout", took)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 (requests were cut off)", code)
	}
	if n, err := io.Copy(io.Discard, body); err == nil && n >= 48<<20-64<<10 {
		t.Errorf("the download completed (%d more bytes) although the drain timed out", n)
	}
	log := p.stderr.String()
	for _, want := range []string{"did not finish in time", "shutdown complete", "drained=false"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}
