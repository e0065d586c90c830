package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBinaryHelpAndExitCodes(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // substring; "" = must be empty
		stderr string // substring; "" = must be empty
	}{
		{nil, 0, "Usage:\n  arca serve", ""},
		{[]string{"--help"}, 0, "Usage:\n  arca serve", ""},
		{[]string{"-h"}, 0, "Usage:\n  arca serve", ""},
		{[]string{"help"}, 0, "Usage:\n  arca serve", ""},
		{[]string{"help", "serve"}, 0, "ARCA_SHUTDOWN_TIMEOUT", ""},
		{[]string{"serve", "--help"}, 0, "ARCA_SHUTDOWN_TIMEOUT", ""},
		{[]string{"bogus"}, 2, "", "unknown command \"bogus\"\n\nArca"},
		{[]string{"serve", "--bogus"}, 2, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runArca(t, baseEnv(), tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			for _, c := range []struct{ name, got, want string }{{"stdout", out, tt.stdout}, {"stderr", errOut, tt.stderr}} {
				if c.want == "" && c.got != "" || !strings.Contains(c.got, c.want) {
					t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
				}
			}
		})
	}
}

// TestBinaryVersionStamped checks that a build stamped like release.sh's reports the stamp,
// both in `arca version` and in the API.
func TestBinaryVersionStamped(t *testing.T) {
	code, out, _ := runArca(t, baseEnv(), "version")
	if code != 0 || !strings.HasPrefix(out, "arca "+stampedVersion+"\n") {
		t.Fatalf("arca version: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"  go        go1.", "  platform  ", "cgo       disabled (static binary)"} {
		if !strings.Contains(out, want) {
			t.Errorf("arca version lacks %q:\n%s", want, out)
		}
	}

	p := serveArca(t, baseEnv("ARCA_ADMIN_PASSWORD="+adminPassword), t.TempDir())
	if !strings.Contains(p.stdout.String(), "Arca "+stampedVersion+" listening on") {
		t.Errorf("start line: %q", p.stdout.String())
	}
	res, err := p.request("GET", "/api/system/version", "admin", adminPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v struct{ Revision string }
	json.NewDecoder(res.Body).Decode(&v)
	if v.Revision != "arca-"+stampedVersion {
		t.Errorf("revision %q, want arca-%s", v.Revision, stampedVersion)
	}
	p.stop()
}

// TestBinarySecondServeOnDataDirFails: a second server on a data directory in use exits at once,
// naming the directory and the PID that holds it; the first keeps serving.
func TestBinarySecondServeOnDataDirFails(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv("ARCA_ADMIN_PASSWORD=" + adminPassword)
	first := serveArca(t, env, dir)

	began := time.Now()
	code, out, errOut := runArca(t, env, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("the second server took %v to give up", took)
	}
	if code != 1 || strings.Contains(out, "listening") {
		t.Errorf("second serve: exit %d, stdout %q; want 1 and no listener", code, out)
	}
	for _, want := range []string{dir, "pid " + strconv.Itoa(first.cmd.Process.Pid), "in use"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("second serve's stderr %q does not name %q", errOut, want)
		}
	}
	if s := first.status("GET", "/api/system/ping", "", "", nil); s != http.StatusOK {
		t.Errorf("first server's ping after the second's attempt: %d", s)
	}
	first.stop()

	// Once the first has stopped the directory is free again.
	serveArca(t, env, dir).stop()
}

// TestBinaryResetPassword: a generated admin password is announced with how to use it; a
// stopped server's admin password can be reset from the command line, never while it runs.
func TestBinaryResetPassword(t *testing.T) {
	dir := t.TempDir()
	first := serveArca(t, baseEnv(), dir)
	file := filepath.Join(dir, "admin.password")
	out := first.stdout.String()
	for _, want := range []string{"generated password is in " + file, `export ARCA_ADMIN_PASSWORD="$(cat ` + file + `)"`} {
		if !strings.Contains(out, want) {
			t.Errorf("start output %q lacks %q", out, want)
		}
	}
	// The log is copied from the process's stderr by a goroutine of its own: it may trail
	// the stdout line serveArca waited for.
	for i := 0; i < 100 && !strings.Contains(first.stderr.String(), "created user admin with a generated password"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(first.stderr.String(), "created user admin with a generated password") {
		t.Errorf("log lacks the generated password's line:\n%s", first.stderr.String())
	}
	generated := readFile(t, file)
	if s := first.status("GET", "/api/security/users/admin", "admin", generated, nil); s != http.StatusOK {
		t.Fatalf("login with the generated password: %d", s)
	}

	code, _, errOut := runArca(t, baseEnv(), "admin", "reset-password", "--data-dir", dir, "--password", "while-running")
	if code != 1 || !strings.Contains(errOut, "refusing while Arca runs") || !strings.Contains(errOut, "pid "+strconv.Itoa(first.cmd.Process.Pid)) {
		t.Errorf("reset while running: exit %d, stderr %q", code, errOut)
	}
	first.stop()

	code, out, errOut = runArca(t, baseEnv("ARCA_DATA_DIR="+dir), "admin", "reset-password", "--password", "brand-new-pw")
	if code != 0 {
		t.Fatalf("reset: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the stale admin.password survived the reset: %v", err)
	}

	second := serveArca(t, baseEnv(), dir)
	if s := second.status("GET", "/api/security/users/admin", "admin", "brand-new-pw", nil); s != http.StatusOK {
		t.Errorf("login with the new password: %d", s)
	}
	if s := second.status("GET", "/api/security/users/admin", "admin", generated, nil); s != http.StatusUnauthorized {
		t.Errorf("login with the old password: %d, want 401", s)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a restart after the reset generated a password again: %v", err)
	}
	second.stop()

	// Without a password, reset generates one into admin.password.
	code, out, _ = runArca(t, baseEnv(), "admin", "reset-password", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, file) {
		t.Fatalf("generating reset: exit %d, stdout %q", code, out)
	}
	third := serveArca(t, baseEnv(), dir)
	if s := third.status("GET", "/api/security/users/admin", "admin", readFile(t, file), nil); s != http.StatusOK {
		t.Errorf("login with the password reset generated: %d", s)
	}
	third.stop()
}

// drain reads and discards a response body, for tests that only need the status.
func drain(res *http.Response) { io.Copy(io.Discard, res.Body); res.Body.Close() }
