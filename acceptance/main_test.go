package acceptance

import (
	"bytes"
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
	"testing"
	"time"

	"github.com/jfrog/jfrog-client-go/utils/io/fileutils"
	"github.com/jfrog/jfrog-client-go/utils/log"
)

const (
	adminUser     = "admin"
	adminPassword = "secret"
)

// baseURL is the running server's Artifactory URL, always ending in "/artifactory/".
var baseURL string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain is TestMain's body; it returns instead of exiting so that its deferred cleanup (stopping
// the server, removing temporary directories) runs on every path.
func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "arca-acceptance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	if err := isolateClient(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}

	bin := filepath.Join(tmp, "arca")
	if err := buildServer(bin); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}

	srv, err := startServer(bin, filepath.Join(tmp, "data"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		if srv != nil {
			srv.stop()
			fmt.Fprintf(os.Stderr, "server output:\n%s\n", srv.output())
		}
		return 1
	}
	defer func() {
		if err := srv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "acceptance: stopping the server:", err)
		}
	}()
	baseURL = srv.url

	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- server output (last 200 lines) ---\n%s\n", tail(srv.output(), 200))
	}
	return code
}

// isolateClient keeps every file jfrog-client-go writes (its home, temporary search results)
// under tmp, and quiets its log unless ARCA_ACCEPTANCE_LOG asks for more.
func isolateClient(tmp string) error {
	for name, dir := range map[string]string{
		"JFROG_CLI_HOME_DIR": filepath.Join(tmp, "jfrog-home"),
		"JFROG_CLI_TEMP_DIR": filepath.Join(tmp, "jfrog-tmp"),
	} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		os.Setenv(name, dir)
	}
	os.Setenv("JFROG_CLI_REPORT_USAGE", "false")
	os.Setenv("JFROG_CLI_AVOID_NEW_VERSION_WARNING", "true")
	os.Setenv("CI", "true")
	fileutils.SetTempDirBase(os.Getenv("JFROG_CLI_TEMP_DIR"))

	level := log.ERROR
	switch strings.ToUpper(os.Getenv("ARCA_ACCEPTANCE_LOG")) {
	case "DEBUG":
		level = log.DEBUG
	case "INFO":
		level = log.INFO
	case "WARN":
		level = log.WARN
	}
	log.SetLogger(log.NewLogger(level, os.Stderr))
	return nil
}

// buildServer compiles the main module's ./cmd/arca into bin. The main module is the parent of
// this module's directory (go test runs with the package directory as its working directory).
func buildServer(bin string) error {
	root, err := filepath.Abs("..")
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/arca")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building the server in %s: %v\n%s", root, err, out)
	}
	return nil
}

// server is a running Arca process.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
	err  error         // the process's exit error, valid once done is closed

	mu    sync.Mutex
	out   bytes.Buffer // stdout and stderr, interleaved
	found bool         // the URL has been sent on urls
	urls  chan string
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+/artifactory/)`)

// startServer starts bin on a free port with an empty data directory and waits until it answers
// ping. On error the returned server, if not nil, has been started and must still be stopped.
func startServer(bin, dataDir string) (*server, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	s := &server{done: make(chan struct{}), urls: make(chan string, 1)}
	s.cmd = exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
	s.cmd.Env = append(os.Environ(), "ARCA_ADMIN_PASSWORD="+adminPassword)
	s.cmd.Stdout = &lockedWriter{s}
	s.cmd.Stderr = &lockedWriter{s}
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()

	select {
	case s.url = <-s.urls:
	case <-s.done:
		return s, fmt.Errorf("the server exited before listening: %v", s.err)
	case <-time.After(60 * time.Second):
		return s, errors.New("the server did not print its URL within 60s")
	}

	if err := waitForPing(s.url, 30*time.Second); err != nil {
		return s, err
	}
	return s, nil
}

func waitForPing(base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"api/system/ping", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("ping: %s: %s", resp.Status, body)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server did not answer ping within %s: %v", timeout, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop asks the server to shut down (SIGINT) and kills it if it has not exited after 15s.
func (s *server) stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.done:
		return nil // already exited
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		return nil
	case <-time.After(15 * time.Second):
	}
	if err := s.cmd.Process.Kill(); err != nil {
		return err
	}
	<-s.done
	return errors.New("the server ignored SIGINT for 15s and was killed")
}

func (s *server) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.Write(p)
	if !s.found {
		if m := listeningRE.FindStringSubmatch(s.out.String()); m != nil {
			s.found = true
			s.urls <- m[1]
		}
	}
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

type lockedWriter struct{ s *server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.write(p)
	return len(p), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
