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

// Bootstrap is what EnsureAdmin found or did.
type Bootstrap struct {
	// Created is true when this call created the admin.
	Created bool
	// PasswordFile is the file holding the generated password; "" unless Created with a
	// generated password.
	PasswordFile string
	// EnvPasswordIgnored is true when the admin already existed and envPassword (not empty) is
	// not its password: ARCA_ADMIN_PASSWORD only applies on first start, and a caller should say
	// so rather than let the operator believe it took effect.
	EnvPasswordIgnored bool
}

// EnsureAdmin creates the administrator account on first start; an existing "admin" is left
// untouched (no file written). The password is envPassword when it is not empty
// (ARCA_ADMIN_PASSWORD, say), else a generated one written to <dataDir>/admin.password with mode
// 0600. There is no built-in default password.
//
// The generated password is written and synced to a temporary file in dataDir before the user is
// created, and renamed into place only once the user exists: a crash in between leaves the
// password readable in ".admin.password-*", never an admin nobody can log in as, and when another
// process creates the admin concurrently, the loser neither overwrites the winner's file nor
// reports Created.
//
// Callers that can still fail to start should call EnsureAdmin last, so that a failed start
// leaves no admin.password behind.
func EnsureAdmin(ctx context.Context, users meta.Users, dataDir, envPassword string, now time.Time) (Bootstrap, error) {
	u, err := users.GetUser(ctx, AdminName)
	if err == nil {
		ignored := envPassword != "" && !CheckPassword(u.PasswordHash, envPassword)
		return Bootstrap{EnvPasswordIgnored: ignored}, nil
	}
	if !errors.Is(err, arca.ErrNotFound) {
		return Bootstrap{}, fmt.Errorf("auth: look up admin: %w", err)
	}
	pw, hash, err := newPassword(envPassword)
	if err != nil {
		return Bootstrap{}, err
	}
	var file *pendingFile
	if envPassword == "" {
		if file, err = stagePassword(dataDir, pw); err != nil {
			return Bootstrap{}, err
		}
		defer file.discard()
	}
	err = users.CreateUser(ctx, arca.User{Name: AdminName, PasswordHash: hash, Admin: true, Created: now})
	if errors.Is(err, arca.ErrExists) {
		return Bootstrap{}, nil
	}
	if err != nil {
		return Bootstrap{}, fmt.Errorf("auth: create admin: %w", err)
	}
	if file == nil {
		return Bootstrap{Created: true}, nil
	}
	name, err := file.commit()
	return Bootstrap{Created: true, PasswordFile: name}, err
}

// ResetAdminPassword sets the password of "admin", for an operator locked out: the account is
// created if missing, made an administrator and enabled. The password is password when it is not
// empty, else a generated one written to <dataDir>/admin.password (mode 0600, replacing the
// file), whose name is returned. With a given password, a stale admin.password is removed so it
// cannot mislead. The caller must hold the data directory (no server running on it).
func ResetAdminPassword(ctx context.Context, users meta.Users, dataDir, password string, now time.Time) (passwordFile string, err error) {
	pw, hash, err := newPassword(password)
	if err != nil {
		return "", err
	}
	var file *pendingFile
	if password == "" {
		if file, err = stagePassword(dataDir, pw); err != nil {
			return "", err
		}
		defer file.discard()
	}
	u, err := users.GetUser(ctx, AdminName)
	switch {
	case errors.Is(err, arca.ErrNotFound):
		err = users.CreateUser(ctx, arca.User{Name: AdminName, PasswordHash: hash, Admin: true, Created: now})
	case err == nil:
		u.PasswordHash, u.Admin, u.Disabled = hash, true, false
		err = users.UpdateUser(ctx, u)
	}
	if err != nil {
		return "", fmt.Errorf("auth: reset admin password: %w", err)
	}
	if file == nil {
		if err := os.Remove(filepath.Join(dataDir, AdminPasswordFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("auth: removing the stale %s: %w", AdminPasswordFile, err)
		}
		return "", nil
	}
	return file.commit()
}

// newPassword returns given, or a generated password when given is empty, with its hash.
func newPassword(given string) (pw, hash string, err error) {
	pw = given
	if pw == "" {
		if pw, err = GeneratePassword(); err != nil {
			return "", "", err
		}
	}
	hash, err = HashPassword(pw)
	if err != nil {
		return "", "", fmt.Errorf("auth: admin password: %w", err)
	}
	return pw, hash, nil
}

// pendingFile is a password written to a temporary file, waiting to be renamed into place.
type pendingFile struct {
	dir, tmp  string
	committed bool
}

// stagePassword writes pw to a temporary file in dir, readable by the owner only and synced.
func stagePassword(dir, pw string) (*pendingFile, error) {
	tmp, err := writeTemp(dir, []byte(pw+"\n"))
	if err != nil {
		return nil, fmt.Errorf("auth: write admin password: %w", err)
	}
	return &pendingFile{dir: dir, tmp: tmp}, nil
}

// commit renames the file to <dir>/admin.password and returns that name. When the rename fails
// the password is still in the temporary file, whose name is returned with the error.
func (p *pendingFile) commit() (string, error) {
	p.committed = true
	name := filepath.Join(p.dir, AdminPasswordFile)
	if err := os.Rename(p.tmp, name); err != nil {
		return p.tmp, fmt.Errorf("auth: admin password is in %s: %w", p.tmp, err)
	}
	syncDir(p.dir)
	return name, nil
}

// discard removes the temporary file unless it was committed.
func (p *pendingFile) discard() {
	if !p.committed {
		os.Remove(p.tmp)
	}
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
