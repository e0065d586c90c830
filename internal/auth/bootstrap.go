package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"arca"
	"arca/internal/meta"
)

// AdminName is the name of the administrator account created on first start.
const AdminName = "admin"

// AdminPasswordFile is the file, in the data directory, that receives a generated admin password.
const AdminPasswordFile = "admin.password"

// EnsureAdmin creates the administrator account on first start; an existing "admin" is left
// untouched (created false, no file written). The password is envPassword when it is not empty
// (ARCA_ADMIN_PASSWORD, say), else a generated one written to <dataDir>/admin.password with mode
// 0600, whose path is returned for the caller to print. There is no built-in default password.
//
// The generated password is written and synced to a temporary file in dataDir before the user is
// created, and renamed into place only once the user exists: a crash in between leaves the
// password readable in ".admin.password-*", never an admin nobody can log in as, and when another
// node sharing dataDir creates the admin concurrently, the loser neither overwrites the winner's
// file nor reports created (it returns "", false, nil).
func EnsureAdmin(ctx context.Context, users meta.Users, dataDir, envPassword string, now time.Time) (passwordFile string, created bool, err error) {
	_, err = users.GetUser(ctx, AdminName)
	if err == nil {
		return "", false, nil
	}
	if !errors.Is(err, arca.ErrNotFound) {
		return "", false, fmt.Errorf("auth: look up admin: %w", err)
	}
	pw := envPassword
	if pw == "" {
		if pw, err = GeneratePassword(); err != nil {
			return "", false, err
		}
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return "", false, fmt.Errorf("auth: admin password: %w", err)
	}
	var tmp string
	if envPassword == "" {
		if tmp, err = writeTemp(dataDir, []byte(pw+"\n")); err != nil {
			return "", false, fmt.Errorf("auth: write admin password: %w", err)
		}
		defer func() {
			if !created {
				os.Remove(tmp)
			}
		}()
	}
	err = users.CreateUser(ctx, arca.User{Name: AdminName, PasswordHash: hash, Admin: true, Created: now})
	if errors.Is(err, arca.ErrExists) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("auth: create admin: %w", err)
	}
	if tmp == "" {
		return "", true, nil
	}
	passwordFile = filepath.Join(dataDir, AdminPasswordFile)
	if err := os.Rename(tmp, passwordFile); err != nil {
		// The admin exists; its password is still in tmp, so say where it is.
		return tmp, true, fmt.Errorf("auth: admin password is in %s: %w", tmp, err)
	}
	syncDir(dataDir)
	return passwordFile, true, nil
}

// writeTemp writes data to a new file in dir, readable by the owner only, synced to disk, and
// returns its name.
func writeTemp(dir string, data []byte) (name string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "."+AdminPasswordFile+"-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil { // CreateTemp uses 0600 already; keep it explicit
		return "", err
	}
	if _, err = f.Write(data); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes a rename in dir durable; best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
