package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"arca/internal/app"
	"arca/internal/auth"
	"arca/internal/config"
	"arca/internal/dirlock"
)

func adminHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: arca admin reset-password [--data-dir DIR] [--db URL] [--password PASSWORD]

Sets the password of the user admin directly in the database of DIR (or the PostgreSQL database
URL), for when nobody can log in as admin. The user is created if missing, and made an enabled
administrator. Arca must be stopped: the command refuses while a server uses DIR.

The new password is --password if given, else ARCA_ADMIN_PASSWORD if set, else a generated one
written to DIR/admin.password (mode 0600). Other users can see --password in process listings;
prefer ARCA_ADMIN_PASSWORD.

  --data-dir DIR         data directory (ARCA_DATA_DIR, default ~/.arca)
  --db URL               PostgreSQL metadata database (ARCA_DB, default SQLite in DIR)
  --password PASSWORD    the new password
`)
}

// admin runs `arca admin <subcommand>`.
func admin(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		adminHelp(env.Stdout)
		return nil
	}
	if args[0] != "reset-password" {
		return &usageError{cmd: "admin", err: fmt.Errorf("admin: unknown command %q", args[0])}
	}
	return resetPassword(ctx, env, args[1:])
}

// resetArgs are the parsed arguments of `arca admin reset-password`.
type resetArgs struct {
	dataDir  string
	db       string // the PostgreSQL URL, or "" for SQLite in dataDir
	password string
	source   string // where password came from: "--password", "ARCA_ADMIN_PASSWORD" or "" (generate)
}

// parseResetArgs parses reset-password's command line; flag.ErrHelp when it asks for help.
func parseResetArgs(args []string, getenv func(string) string) (resetArgs, error) {
	c := config.Default()
	fs := flag.NewFlagSet("arca admin reset-password", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	envErr := config.Bind(fs, &c, getenv, "data-dir", "db")
	var r resetArgs
	fs.StringVar(&r.password, "password", "", "the new password")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return r, err
		}
		return r, errors.Join(envErr, err)
	}
	if envErr != nil {
		return r, envErr
	}
	if fs.NArg() > 0 {
		return r, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	r.dataDir, r.db = c.DataDir, c.DB
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "password" })
	switch {
	case set && r.password == "":
		return r, errors.New("--password must not be empty (omit it to generate a password)")
	case set:
		r.source = "--password"
	case getenv("ARCA_ADMIN_PASSWORD") != "":
		r.password, r.source = getenv("ARCA_ADMIN_PASSWORD"), "ARCA_ADMIN_PASSWORD"
	}
	return r, nil
}

func resetPassword(ctx context.Context, env Env, args []string) error {
	r, err := parseResetArgs(args, env.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		adminHelp(env.Stdout)
		return nil
	}
	if err != nil {
		return &usageError{cmd: "admin", err: fmt.Errorf("admin reset-password: %w", err)}
	}
	if r.db == "" {
		if _, err := os.Stat(filepath.Join(r.dataDir, "arca.db")); err != nil {
			return fmt.Errorf("admin reset-password: no Arca database in %s (%v); is --data-dir right?", r.dataDir, err)
		}
	}
	lock, err := dirlock.Acquire(r.dataDir)
	if held := (*dirlock.HeldError)(nil); errors.As(err, &held) {
		return fmt.Errorf("admin reset-password: refusing while Arca runs: %w; stop it first, or change the password through the REST API (PUT /artifactory/api/security/users/admin)", err)
	}
	if err != nil {
		return fmt.Errorf("admin reset-password: %w", err)
	}
	defer lock.Release()
	store, err := app.OpenMetadata(ctx, config.Config{DataDir: r.dataDir, DB: r.db})
	if err != nil {
		return fmt.Errorf("admin reset-password: %w", err)
	}
	defer store.Close()
	file, err := auth.ResetAdminPassword(ctx, store, r.dataDir, r.password, time.Now())
	if err != nil {
		return fmt.Errorf("admin reset-password: %w", err)
	}
	if file != "" {
		fmt.Fprintf(env.Stdout, "The password of user 'admin' in %s is reset to a generated one, written to %s. To use it:\n  %s\n",
			r.dataDir, file, app.AdminPasswordHint(file))
	} else {
		fmt.Fprintf(env.Stdout, "The password of user 'admin' in %s is reset to the one from %s.\n", r.dataDir, r.source)
	}
	return store.Close()
}
