// Package dirlock keeps two Arca processes from using one data directory at once: the server
// and `arca admin` take an exclusive lock on <dir>/arca.lock for as long as they use the
// directory, and write their PID into it so that the loser can say who holds it.
//
// The lock is an flock(2) on an open file, so the kernel releases it when the holder exits,
// however it exits: a stale arca.lock left by a crash never blocks a restart. The file itself is
// never removed (removing it would let a third process lock a new file while the second still
// holds the old one).
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file's name in the data directory.
const FileName = "arca.lock"

// HeldError is returned by Acquire when another process holds the lock.
type HeldError struct {
	Dir string
	PID int // 0 when the holder's PID could not be read
}

func (e *HeldError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "another process (pid " + strconv.Itoa(e.PID) + ")"
	}
	return fmt.Sprintf("the data directory %s is in use by %s; only one Arca can use a data directory at a time", e.Dir, who)
}

// Lock is a held lock.
type Lock struct {
	f *os.File
}

// Acquire takes the lock of dir without waiting. When another process (or another Lock in this
// process) holds it, the error is a *HeldError naming the holder's PID. dir must exist.
func Acquire(dir string) (*Lock, error) {
	name := filepath.Join(dir, FileName)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dirlock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errHeld) {
			return nil, &HeldError{Dir: dir, PID: readPID(name)}
		}
		return nil, fmt.Errorf("dirlock: locking %s: %w", name, err)
	}
	if err := writePID(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("dirlock: writing %s: %w", name, err)
	}
	return &Lock{f: f}, nil
}

// Release unlocks. Calling it again does nothing.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return err
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// readPID reads the holder's PID; 0 when the file is empty (the holder is between truncating and
// writing it) or unreadable.
func readPID(name string) int {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}
