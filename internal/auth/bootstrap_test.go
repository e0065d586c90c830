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

// readPassword reads a password file written by EnsureAdmin or ResetAdminPassword, checking its
// mode and that no temporary file is left next to it.
func readPassword(t *testing.T, file string) string {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode %v, want 0600", mode)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".admin.password-*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	b, _ := os.ReadFile(file)
	return strings.TrimSuffix(string(b), "\n")
}

func TestEnsureAdminGenerated(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	b, err := EnsureAdmin(ctx, store, dir, "", now)
	if err != nil || !b.Created || b.EnvPasswordIgnored {
		t.Fatalf("EnsureAdmin = %+v, %v", b, err)
	}
	if want := filepath.Join(dir, "admin.password"); b.PasswordFile != want {
		t.Errorf("password file %q, want %q", b.PasswordFile, want)
	}
	pw := readPassword(t, b.PasswordFile)
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
	before, _ := os.ReadFile(b.PasswordFile)

	// Later starts: untouched; a different ARCA_ADMIN_PASSWORD is reported as ignored, the
	// right one or none is not.
	for _, tt := range []struct {
		env         string
		wantIgnored bool
	}{{"other", true}, {pw, false}, {"", false}} {
		b2, err := EnsureAdmin(ctx, store, dir, tt.env, now)
		if err != nil || b2 != (Bootstrap{EnvPasswordIgnored: tt.wantIgnored}) {
			t.Errorf("EnsureAdmin(env %q) = %+v, %v; want only EnvPasswordIgnored=%v", tt.env, b2, err, tt.wantIgnored)
		}
	}
	u2, _ := store.GetUser(ctx, "admin")
	if u2.PasswordHash != u.PasswordHash {
		t.Error("existing admin's password changed")
	}
	if after, _ := os.ReadFile(b.PasswordFile); string(after) != string(before) {
		t.Error("password file changed")
	}
}

func TestEnsureAdminFromEnv(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	dir := t.TempDir()
	b, err := EnsureAdmin(ctx, store, dir, "from-env-pw", time.Now())
	if err != nil || b != (Bootstrap{Created: true}) {
		t.Fatalf("EnsureAdmin = %+v, %v; want Created only", b, err)
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
		name    string
		store   meta.Users
		env     string
		wantErr error
	}{
		{"lost the race", racingUsers{newMemStore()}, "", nil},
		{"store fails", failing, "", boom},
		{"env password too long", newMemStore(), strings.Repeat("x", 73), arca.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			b, err := EnsureAdmin(ctx, tt.store, dir, tt.env, time.Now())
			if b != (Bootstrap{}) || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("EnsureAdmin = %+v, %v; want nothing done, %v", b, err, tt.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

func TestResetAdminPassword(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	existing := func() *memStore {
		s := newMemStore()
		h, _ := HashPassword("old-pw")
		s.CreateUser(ctx, arca.User{Name: "admin", Email: "a@example.com", PasswordHash: h, Disabled: true, Created: now.Add(-time.Hour)})
		return s
	}
	tests := []struct {
		name      string
		store     *memStore
		password  string
		staleFile bool
	}{
		{"given password, existing admin", existing(), "new-pw", true},
		{"generated, existing admin", existing(), "", true},
		{"given password, no admin", newMemStore(), "new-pw", false},
		{"generated, no admin", newMemStore(), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			stale := filepath.Join(dir, AdminPasswordFile)
			if tt.staleFile {
				os.WriteFile(stale, []byte("old-pw\n"), 0o600)
			}
			file, err := ResetAdminPassword(ctx, tt.store, dir, tt.password, now)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.password
			if tt.password == "" {
				if file != stale {
					t.Fatalf("password file %q, want %q", file, stale)
				}
				want = readPassword(t, file)
				if want == "old-pw" || len(want) != 24 {
					t.Errorf("generated password %q", want)
				}
			} else {
				if file != "" {
					t.Errorf("password file %q with a given password", file)
				}
				if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("stale %s still there: %v", AdminPasswordFile, err)
				}
			}
			u, err := tt.store.GetUser(ctx, "admin")
			if err != nil {
				t.Fatal(err)
			}
			if !CheckPassword(u.PasswordHash, want) || CheckPassword(u.PasswordHash, "old-pw") {
				t.Errorf("admin's password is not the new one")
			}
			if !u.Admin || u.Disabled {
				t.Errorf("admin = %+v, want an enabled administrator", u)
			}
			if tt.staleFile && (u.Email != "a@example.com" || !u.Created.Equal(now.Add(-time.Hour))) {
				t.Errorf("admin's other fields changed: %+v", u)
			}
		})
	}
}

func TestResetAdminPasswordFailures(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("disk full")
	failing := newMemStore()
	failing.setFail(boom)
	for _, tt := range []struct {
		name     string
		store    meta.Users
		password string
		wantErr  error
	}{
		{"store fails", failing, "", boom},
		{"password too long", newMemStore(), strings.Repeat("x", 73), arca.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file, err := ResetAdminPassword(ctx, tt.store, dir, tt.password, time.Now())
			if file != "" || !errors.Is(err, tt.wantErr) {
				t.Errorf("ResetAdminPassword = %q, %v; want \"\", %v", file, err, tt.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}
