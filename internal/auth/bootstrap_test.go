package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"arca"
	"arca/internal/meta"
)

func TestEnsureAdminGenerated(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	file, created, err := EnsureAdmin(ctx, store, dir, "", now)
	if err != nil || !created {
		t.Fatalf("EnsureAdmin = %q, %v, %v", file, created, err)
	}
	if want := filepath.Join(dir, "admin.password"); file != want {
		t.Errorf("password file %q, want %q", file, want)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode %v, want 0600", mode)
	}
	b, _ := os.ReadFile(file)
	pw := strings.TrimSuffix(string(b), "\n")
	u, err := store.GetUser(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if !u.Admin || u.Disabled || !u.Created.Equal(now) || !CheckPassword(u.PasswordHash, pw) {
		t.Errorf("admin = %+v; the file's password matches: %v", u, CheckPassword(u.PasswordHash, pw))
	}
	if len(pw) != 24 {
		t.Errorf("generated password %q, want 24 characters", pw)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".admin.password-*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// Second start: untouched.
	file2, created, err := EnsureAdmin(ctx, store, dir, "other", now)
	if err != nil || created || file2 != "" {
		t.Errorf("second EnsureAdmin = %q, %v, %v; want \"\", false, nil", file2, created, err)
	}
	u2, _ := store.GetUser(ctx, "admin")
	if u2.PasswordHash != u.PasswordHash {
		t.Error("existing admin's password changed")
	}
	if b2, _ := os.ReadFile(file); string(b2) != string(b) {
		t.Error("password file changed")
	}
}

func TestEnsureAdminFromEnv(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	dir := t.TempDir()
	file, created, err := EnsureAdmin(ctx, store, dir, "from-env-pw", time.Now())
	if err != nil || !created || file != "" {
		t.Fatalf("EnsureAdmin = %q, %v, %v; want \"\", true, nil", file, created, err)
	}
	u, _ := store.GetUser(ctx, "admin")
	if !u.Admin || !CheckPassword(u.PasswordHash, "from-env-pw") {
		t.Errorf("admin = %+v, env password does not match", u)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written with an env password: %v", entries)
	}
}

// racingUsers reports no admin but loses the race to create one, as when another node wins.
type racingUsers struct{ *memStore }

func (racingUsers) GetUser(_ context.Context, name string) (arca.User, error) {
	return arca.User{}, arca.Errorf(arca.ErrNotFound, "user %q", name)
}

func (racingUsers) CreateUser(_ context.Context, u arca.User) error {
	return arca.Errorf(arca.ErrExists, "user %q", u.Name)
}

func TestEnsureAdminFailures(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("disk full")
	failing := newMemStore()
	failing.setFail(boom)

	tests := []struct {
		name        string
		store       meta.Users
		env         string
		wantCreated bool
		wantErr     error
	}{
		{"lost the race", racingUsers{newMemStore()}, "", false, nil},
		{"store fails", failing, "", false, boom},
		{"env password too long", newMemStore(), strings.Repeat("x", 73), false, arca.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file, created, err := EnsureAdmin(ctx, tt.store, dir, tt.env, time.Now())
			if created != tt.wantCreated || file != "" || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("EnsureAdmin = %q, %v, %v; want \"\", %v, %v", file, created, err, tt.wantCreated, tt.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}
