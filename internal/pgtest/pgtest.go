// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb into a temporary
// directory, a postmaster on a free loopback port, a fresh database per caller, everything
// removed when the test that started it ends.
//
// The server binaries (initdb, pg_ctl, postgres) must be on PATH. Without them Start skips the
// test, unless the CI environment variable is set, when it fails it: CI must not go green on
// a suite that did not run. PostgreSQL refuses to run as root, so as root the cluster runs as
// the unprivileged user "nobody" (through runuser), in a directory that user owns.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create databases

	"arca/internal/testnet"
)

// Server is a running throwaway cluster. Its methods are safe for concurrent use.
type Server struct {
	dir  string // owns data/, the socket and the log
	port int
	as   []string // the command prefix that runs a binary as the cluster's owner
	dbs  atomic.Int64

	mu      sync.Mutex
	stopped bool
}

// Start starts a cluster for t and stops it (and removes its files) when t ends. It skips t
// when the PostgreSQL binaries are missing and CI is unset, and fails it otherwise.
func Start(t testing.TB) *Server {
	t.Helper()
	if err := missing(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pgtest: %v, and CI is set: PostgreSQL tests must run", err)
		}
		t.Skipf("pgtest: %v: skipping the PostgreSQL tests", err)
	}
	s, err := start()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return s
}

// Stop stops the cluster now (a test of what happens when the database goes away) and removes
// its files; the cleanup of Start then has nothing left to do.
func (s *Server) Stop() error { return s.stop() }

// StartMain starts a cluster for a whole test binary (from TestMain, which has no t); the
// caller must call stop when the tests are done. Missing binaries are an error here.
func StartMain() (s *Server, stop func() error, err error) {
	if err := missing(); err != nil {
		return nil, nil, fmt.Errorf("pgtest: %w", err)
	}
	if s, err = start(); err != nil {
		return nil, nil, fmt.Errorf("pgtest: %w", err)
	}
	return s, s.stop, nil
}

// missing reports the first server binary that is not on PATH.
func missing() error {
	for _, bin := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s is not on PATH", bin)
		}
	}
	return nil
}

func start() (*Server, error) {
	dir, err := os.MkdirTemp("", "arca-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	if os.Geteuid() == 0 {
		if s.as, err = asNobody(dir); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if s.port, err = testnet.FreePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// Durability is not what these tests are about: fsync off keeps them fast.
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", dir, s.port)
	if out, err := s.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return s, nil
}

// asNobody hands dir to the user nobody and returns the prefix that runs commands as it.
func asNobody(dir string) ([]string, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the user nobody: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return nil, fmt.Errorf("running as root needs runuser: %w", err)
	}
	return []string{runuser, "-u", "nobody", "--"}, nil
}

// run runs a PostgreSQL binary as the cluster's owner and returns its combined output.
func (s *Server) run(bin string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, err
	}
	argv := append(append(append([]string{}, s.as...), path), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

func (s *Server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	out, err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	if rmErr := os.RemoveAll(s.dir); err == nil && rmErr != nil {
		err = rmErr
	}
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// DSN returns the URL of database db on the cluster, as the superuser.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// NewDB creates a new, empty database and returns its DSN; it is dropped when t ends (a
// failing drop is logged: the cluster goes anyway).
func (s *Server) NewDB(t testing.TB) string {
	t.Helper()
	name := "t" + strconv.FormatInt(s.dbs.Add(1), 10)
	if _, err := s.CreateDB(context.Background(), name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		s.mu.Lock()
		stopped := s.stopped
		s.mu.Unlock()
		if stopped {
			return // the database went with the cluster
		}
		if err := s.exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.DSN(name)
}

// CreateDB creates the database name (letters, digits and _ only) and returns its DSN; the
// caller drops it, or lets it go with the cluster.
func (s *Server) CreateDB(ctx context.Context, name string) (string, error) {
	if err := s.exec(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.DSN(name), nil
}

// exec runs one statement on the maintenance database.
func (s *Server) exec(ctx context.Context, stmt string) error {
	db, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = db.ExecContext(ctx, stmt)
	return err
}
