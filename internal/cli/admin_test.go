package cli

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"arca/internal/auth"
	"arca/internal/dirlock"
	"arca/internal/meta/sqlstore"
)

func TestParseResetArgs(t *testing.T) {
	home, _ := os.UserHomeDir()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    resetArgs
		wantErr string
	}{
		{"defaults: generate", nil, nil, resetArgs{dataDir: filepath.Join(home, ".arca")}, ""},
		{"data dir from env", nil, map[string]string{"ARCA_DATA_DIR": "/env"}, resetArgs{dataDir: "/env"}, ""},
		{"flag wins", []string{"--data-dir", "/flag"}, map[string]string{"ARCA_DATA_DIR": "/env"}, resetArgs{dataDir: "/flag"}, ""},
		{"password from env", []string{"--data-dir=/d"}, map[string]string{"ARCA_ADMIN_PASSWORD": "envpw"},
			resetArgs{dataDir: "/d", password: "envpw", source: "ARCA_ADMIN_PASSWORD"}, ""},
		{"password flag wins", []string{"--data-dir=/d", "--password", "flagpw"}, map[string]string{"ARCA_ADMIN_PASSWORD": "envpw"},
			resetArgs{dataDir: "/d", password: "flagpw", source: "--password"}, ""},
		{"database from env", []string{"--data-dir=/d"}, map[string]string{"ARCA_DB": "postgres://h/arca"},
			resetArgs{dataDir: "/d", db: "postgres://h/arca"}, ""},
		{"database flag", []string{"--data-dir=/d", "--db", "postgresql://h/arca"}, nil, resetArgs{dataDir: "/d", db: "postgresql://h/arca"}, ""},
		{"not a database URL", []string{"--db", "mysql://h/arca"}, nil, resetArgs{}, "postgres:// URL"},
		{"empty password flag", []string{"--password="}, nil, resetArgs{}, "must not be empty"},
		{"stray argument", []string{"x"}, nil, resetArgs{}, "unexpected arguments: x"},
		{"unknown flag", []string{"--listen=x"}, nil, resetArgs{}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseResetArgs(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseResetArgs = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if _, err := parseResetArgs([]string{"--help"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v, want flag.ErrHelp", err)
	}
}

// newDataDir returns a data directory holding an Arca database with an admin whose password is pw.
func newDataDir(t *testing.T, pw string) string {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := auth.EnsureAdmin(context.Background(), s, dir, pw, time.Now()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// adminMatches reports whether pw is the password of admin in dir's database.
func adminMatches(t *testing.T, dir, pw string) bool {
	t.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.GetUser(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	return auth.CheckPassword(u.PasswordHash, pw)
}

func TestResetPassword(t *testing.T) {
	t.Run("given", func(t *testing.T) {
		dir := newDataDir(t, "old-pw")
		code, out, errOut := run(t, nil, "admin", "reset-password", "--data-dir", dir, "--password", "new-pw")
		if code != 0 || !strings.Contains(out, "reset to the one from --password") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if !adminMatches(t, dir, "new-pw") || adminMatches(t, dir, "old-pw") {
			t.Error("the password is not the new one")
		}
	})
	t.Run("from env", func(t *testing.T) {
		dir := newDataDir(t, "old-pw")
		code, out, errOut := run(t, map[string]string{"ARCA_DATA_DIR": dir, "ARCA_ADMIN_PASSWORD": "env-pw"}, "admin", "reset-password")
		if code != 0 || !strings.Contains(out, "ARCA_ADMIN_PASSWORD") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if !adminMatches(t, dir, "env-pw") {
			t.Error("the password is not ARCA_ADMIN_PASSWORD")
		}
	})
	t.Run("generated", func(t *testing.T) {
		dir := newDataDir(t, "old-pw")
		code, out, errOut := run(t, nil, "admin", "reset-password", "--data-dir", dir)
		file := filepath.Join(dir, auth.AdminPasswordFile)
		if code != 0 || !strings.Contains(out, file) || !strings.Contains(out, "export ARCA_ADMIN_PASSWORD=\"$(cat "+file+")\"") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if pw := strings.TrimSpace(string(b)); !adminMatches(t, dir, pw) {
			t.Errorf("the password in %s is not admin's", file)
		}
	})
}

func TestResetPasswordRefuses(t *testing.T) {
	t.Run("server running", func(t *testing.T) {
		dir := newDataDir(t, "old-pw")
		lock, err := dirlock.Acquire(dir) // as a running server does
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := run(t, nil, "admin", "reset-password", "--data-dir", dir, "--password", "new-pw")
		lock.Release()
		if code != 1 || out != "" {
			t.Errorf("exit %d, stdout %q; want 1, nothing", code, out)
		}
		for _, want := range []string{"refusing while Arca runs", dir, "pid " + strconv.Itoa(os.Getpid()), "stop it first"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr %q lacks %q", errOut, want)
			}
		}
		if !adminMatches(t, dir, "old-pw") {
			t.Error("the password changed although the server holds the directory")
		}
	})
	t.Run("no database", func(t *testing.T) {
		dir := t.TempDir()
		code, _, errOut := run(t, nil, "admin", "reset-password", "--data-dir", dir, "--password", "new-pw")
		if code != 1 || !strings.Contains(errOut, "no Arca database in "+dir) {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("files created in a directory without Arca: %v", entries)
		}
	})
}
