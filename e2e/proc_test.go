package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"arca/internal/pgtest"
	"arca/internal/s3test"
)

// This file runs the real arca binary, for behaviour that lives in the process: the command
// line, signals, exit codes, the data directory lock between processes.

// stampedVersion is the version the test binary is stamped with, as release.sh stamps one.
const stampedVersion = "v0.0.0-e2e-stamped"

// binary is the arca binary, built once per test run (the first test that needs it pays).
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "arca-e2e-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "arca")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+stampedVersion, "-o", bin, "./cmd/arca")
	cmd.Dir = ".." // the module root; go test runs in the package directory
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/arca: %v\n%s", err, out)
	}
	return bin, nil
})

// metadataPG is the PostgreSQL cluster every in-process server of the run keeps its metadata
// in, when ARCA_TEST_METADATA=postgres; nil: SQLite in each server's data directory.
var metadataPG *pgtest.Server

// blobsS3 is the MinIO every in-process server of the run keeps its blobs in, a bucket per
// data directory, when ARCA_TEST_BLOBS=s3; nil: files in each server's data directory.
var blobsS3 *s3test.Server

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests runs the tests on the metadata and blob backends ARCA_TEST_METADATA and
// ARCA_TEST_BLOBS name and returns the exit code.
func runTests(m *testing.M) int {
	switch v := os.Getenv("ARCA_TEST_METADATA"); v {
	case "", "sqlite":
	case "postgres":
		pg, stop, err := pgtest.StartMain()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}()
		metadataPG = pg
	default:
		fmt.Fprintf(os.Stderr, "ARCA_TEST_METADATA=%q: want sqlite or postgres\n", v)
		return 2
	}
	switch v := os.Getenv("ARCA_TEST_BLOBS"); v {
	case "", "files":
	case "s3":
		srv, stop, err := s3test.StartMain()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer stop()
		blobsS3 = srv
	default:
		fmt.Fprintf(os.Stderr, "ARCA_TEST_BLOBS=%q: want files or s3\n", v)
		return 2
	}
	code := m.Run()
	if bin, err := binary(); err == nil && strings.Contains(bin, "arca-e2e-bin-") {
		os.RemoveAll(filepath.Dir(bin))
	}
	return code
}

func arcaBinary(t *testing.T) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// baseEnv is the test process's environment without ARCA_* variables, so that the developer's
// own settings never leak into a test.
func baseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ARCA_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// runArca runs the binary to completion and returns its exit code, stdout and stderr.
func runArca(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	bin := arcaBinary(t) // before the timeout starts: the first call builds
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	dieWithParent(cmd)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	}
	t.Fatalf("running arca %v: %v", args, err)
	return 0, "", ""
}

// proc is a running `arca serve`.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT/artifactory
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{} // closed when the process has exited
	exit   int           // its exit code, valid once done is closed
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+/artifactory)/`)

// serveArca starts `arca serve` on a free loopback port with dataDir and the extra arguments,
// and waits until it prints its URL. It kills the process when the test ends.
func serveArca(t *testing.T, env []string, dataDir string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, done: make(chan struct{})}
	p.cmd = exec.Command(arcaBinary(t), append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, args...)...)
	p.cmd.Env = env
	pr, pw := io.Pipe()
	p.cmd.Stdout = io.MultiWriter(&p.stdout, pw)
	p.cmd.Stderr = &p.stderr
	dieWithParent(p.cmd)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			p.exit = exit.ExitCode()
		} else if err != nil {
			p.exit = -1
		}
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("==== arca stdout ====\n%s==== arca stderr ====\n%s", p.stdout.String(), p.stderr.String())
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("arca serve exited (%d) before listening:\n%s", p.exit, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("arca serve did not print its URL within 30s")
	}
	return p
}

// signal sends sig to the server.
func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits for the process to exit, at most timeout, and returns its exit code.
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.exit
	case <-time.After(timeout):
		p.t.Fatalf("arca did not exit within %v", timeout)
		return 0
	}
}

// stop sends SIGTERM and fails the test unless the server exits with 0.
func (p *proc) stop() {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(30 * time.Second); code != 0 {
		p.t.Fatalf("arca exited with %d after SIGTERM", code)
	}
}

// request sends one request as user:password ("" user: anonymous) on a fresh connection.
func (p *proc) request(method, path, user, password string, body io.Reader) (*http.Response, error) {
	r, err := http.NewRequest(method, p.url+path, body)
	if err != nil {
		return nil, err
	}
	if user != "" {
		r.SetBasicAuth(user, password)
	}
	return (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(r)
}

// status sends a request and returns its status code, failing the test on a transport error.
func (p *proc) status(method, path, user, password string, body io.Reader) int {
	p.t.Helper()
	res, err := p.request(method, path, user, password, body)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
