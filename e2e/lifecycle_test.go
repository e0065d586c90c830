package e2e

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"arca/internal/app"
	"arca/internal/config"
	"arca/internal/dirlock"
)

// TestFailedStartWritesNoAdminPassword: a start that fails (here: the port is taken) creates
// neither admin.password nor the admin, so the next good start generates a password that works.
func TestFailedStartWritesNoAdminPassword(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Listen, cfg.DataDir, cfg.AdminPassword = taken.Addr().String(), dir, ""
	if a, err := app.Start(context.Background(), cfg, io.Discard); err == nil {
		a.Shutdown(context.Background())
		t.Fatal("Start on a port in use succeeded")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*admin.password*")); len(left) != 0 {
		t.Fatalf("a failed start left %v", left)
	}

	var log syncBuffer
	s := startLogging(t, &log, func(c *config.Config) { c.DataDir, c.AdminPassword, c.LogLevel = dir, "", "info" })
	file := filepath.Join(dir, "admin.password")
	if s.app.AdminPasswordFile != file {
		t.Fatalf("AdminPasswordFile = %q, want %q (the failed start must not have created the admin)", s.app.AdminPasswordFile, file)
	}
	s.must(200, req{method: "GET", path: "/api/security/users/admin", user: "admin:" + readFile(t, file)})
	if want := `export ARCA_ADMIN_PASSWORD=\"$(cat ` + file + `)\"`; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
}

// TestAdminPasswordEnvMismatchWarns: ARCA_ADMIN_PASSWORD only applies on first start; when it
// later differs from the admin's password, the start warns instead of silently ignoring it.
func TestAdminPasswordEnvMismatchWarns(t *testing.T) {
	dir := t.TempDir()
	first := start(t, func(c *config.Config) { c.DataDir = dir })
	if err := first.app.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	const warning = "ARCA_ADMIN_PASSWORD is set but is not the password of the existing user admin"
	for _, tt := range []struct {
		env  string
		warn bool
	}{{"a-different-pw", true}, {adminPassword, false}, {"", false}} {
		var log syncBuffer
		s := startLogging(t, &log, func(c *config.Config) { c.DataDir, c.AdminPassword = dir, tt.env })
		if got := strings.Contains(log.String(), warning); got != tt.warn {
			t.Errorf("ARCA_ADMIN_PASSWORD=%q: warned %v, want %v; log:\n%s", tt.env, got, tt.warn, log.String())
		}
		s.must(200, req{method: "GET", path: "/api/security/users/admin"}) // the old password still works
		s.must(401, req{method: "GET", path: "/api/security/users/admin", user: "admin:a-different-pw"})
		if err := s.app.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSecondStartOnDataDirFails: in one process too, a second Start on a data directory in use
// fails with the holder named, and the directory is free again once the first has shut down.
func TestSecondStartOnDataDirFails(t *testing.T) {
	dir := t.TempDir()
	first := start(t, func(c *config.Config) { c.DataDir = dir })
	cfg := config.Default()
	cfg.Listen, cfg.DataDir, cfg.AdminPassword = "127.0.0.1:0", dir, adminPassword
	_, err := app.Start(context.Background(), cfg, io.Discard)
	var held *dirlock.HeldError
	if !errors.As(err, &held) || held.PID != os.Getpid() || held.Dir != dir {
		t.Fatalf("second Start = %v, want a *dirlock.HeldError naming %s and pid %d", err, dir, os.Getpid())
	}
	first.get("/api/system/ping") // still serving
	if err := first.app.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	start(t, func(c *config.Config) { c.DataDir = dir })
}
