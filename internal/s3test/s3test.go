// Package s3test runs a throwaway MinIO server, a real S3-compatible object store, for tests:
// a data directory in a temporary directory, a free loopback port, a fresh bucket per caller,
// everything removed when the test that started it ends.
//
// The server binary is $ARCA_MINIO, else minio on PATH. Without one Start skips the test,
// unless the CI environment variable is set, when it fails it: CI must not go green on a
// suite that did not run.
package s3test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"arca/internal/testnet"
)

// Credentials of the server's root user.
const (
	AccessKey = "arca-test"
	SecretKey = "arca-test-secret"
)

// Server is a running MinIO. Its methods are safe for concurrent use.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	buckets  atomic.Int64
}

// Binary returns the MinIO binary to run, or an error saying why there is none.
func Binary() (string, error) {
	if p := os.Getenv("ARCA_MINIO"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ARCA_MINIO=%s: %w", p, err)
		}
		return p, nil
	}
	p, err := exec.LookPath("minio")
	if err != nil {
		return "", fmt.Errorf("no MinIO: set ARCA_MINIO or put minio on PATH (go install github.com/minio/minio@…)")
	}
	return p, nil
}

// Start starts a server for t and stops it when t ends. It skips t when there is no MinIO and
// CI is unset, and fails it otherwise.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := Binary(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("s3test: %v, and CI is set: S3 tests must run", err)
		}
		t.Skipf("s3test: %v: skipping the S3 tests", err)
	}
	s, stop, err := StartMain()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// StartMain starts a server for a whole test binary (from TestMain, which has no t); the
// caller must call stop when the tests are done. A missing binary is an error here.
func StartMain() (s *Server, stop func(), err error) {
	bin, err := Binary()
	if err != nil {
		return nil, nil, fmt.Errorf("s3test: %w", err)
	}
	dir, err := os.MkdirTemp("", "arca-minio-")
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*Server, func(), error) {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("s3test: %w", err)
	}
	port, err := testnet.FreePort()
	if err != nil {
		return fail(err)
	}
	console, err := testnet.FreePort()
	if err != nil {
		return fail(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:"+strconv.Itoa(console), filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+AccessKey, "MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=on")
	logName := filepath.Join(dir, "minio.log")
	log, err := os.Create(logName)
	if err != nil {
		return fail(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fail(fmt.Errorf("starting %s: %w", bin, err))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
		log.Close()
		os.RemoveAll(dir)
	}
	s = &Server{Endpoint: "http://" + addr}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if ready(s.Endpoint) {
			return s, stop, nil
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(logName)
			log.Close()
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("s3test: minio exited: %v\n%s", err, out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logName)
			stop()
			return nil, nil, fmt.Errorf("s3test: minio not ready after 60 s\n%s", out)
		}
	}
}

// ready reports whether the server at endpoint serves S3 requests: its health endpoints answer
// before the object layer has started, when S3 requests still get 503 "Server not initialized".
func ready(endpoint string) bool {
	res, err := http.Get(endpoint + "/minio/health/cluster")
	if err != nil {
		return false
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false
	}
	res, err = http.Get(endpoint + "/") // an anonymous ListBuckets: 403 once initialized
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode != http.StatusServiceUnavailable
}

// NewBucket returns the name of a bucket no other caller got (it is not created: the store
// under test does that).
func (s *Server) NewBucket() string {
	return "arca-test-" + strconv.FormatInt(s.buckets.Add(1), 10)
}
