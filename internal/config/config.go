// Package config is Arca's typed configuration: defaults, then ARCA_* environment variables,
// then command-line flags. Every setting is one row of the Settings table, from which the flags,
// the defaults and `arca serve --help` are made.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is the server's configuration. The comments name each field's row in Settings.
type Config struct {
	Listen  string // --listen
	DataDir string // --data-dir
	// DB (--db) is the metadata database: "" is SQLite (arca.db) in DataDir, otherwise a
	// PostgreSQL URL (postgres:// or postgresql://), which several nodes may share.
	DB string
	// Blobs (--blobs) is the blob store: "" is blobs/ in DataDir, "s3://bucket[/prefix]" an
	// S3-compatible bucket (S3 below), anything else a directory, which nodes may share.
	Blobs string
	// S3 locates and authenticates the bucket of an s3:// blob store.
	S3              S3
	BaseURL         string // --base-url: externally visible URL of /artifactory's parent
	AnonymousAccess bool   // --anonymous-access
	LogLevel        string // --log-level: debug, info, warn, error
	LogRequests     bool   // --log-requests: one line per request
	// GlobalVirtual (--global-virtual) serves "repo", a virtual repository over every local and
	// remote repository. Off by default, as on Artifactory.
	GlobalVirtual bool
	// StatisticsPushInterval (--statistics-push-interval) is how often smart remotes push the
	// downloads served from their cache upstream.
	StatisticsPushInterval time.Duration
	// VirtualMetadataCache (--virtual-metadata-cache) is the memory budget of the metadata
	// documents merged by virtual repositories (npm packuments, Maven metadata) kept for reuse,
	// all virtuals together; 0 keeps none.
	VirtualMetadataCache ByteSize
	// ShutdownTimeout (--shutdown-timeout) bounds how long a stopping server waits for
	// in-flight requests.
	ShutdownTimeout time.Duration
	// GCPercent (--gc-percent) is the garbage collector's target (Go's GOGC); -1 is off, 0
	// unset: the runtime's GOGC when the environment sets it, else DefaultGCPercent.
	GCPercent int
	// MemoryLimit (--memory-limit) is the Go heap's soft limit (Go's GOMEMLIMIT); 0 is none,
	// -1 unset: GOMEMLIMIT when the environment sets it, else a quarter of the memory.
	MemoryLimit ByteSize
	// AdminPassword (ARCA_ADMIN_PASSWORD only, never a flag, so it stays out of process
	// listings) is the first admin's password; empty: generate one.
	AdminPassword string

	// Version is the running build's version, reported by the API and in logs. It is not a
	// setting: the command line fills it in from the build; "" reads as "dev".
	Version string
}

// S3 is the server and the credentials of an s3:// blob store. The keys are read from the
// environment only (never flags, which process listings show).
type S3 struct {
	Endpoint  string // --s3-endpoint
	Region    string // --s3-region; "" discovers it
	AccessKey string // ARCA_S3_ACCESS_KEY, else AWS_ACCESS_KEY_ID
	SecretKey string // ARCA_S3_SECRET_KEY, else AWS_SECRET_ACCESS_KEY
}

// Default returns the built-in defaults (each Setting's Default): everything embedded, nothing
// to set up.
func Default() Config {
	c := Config{MemoryLimit: -1}
	for _, s := range Settings() {
		if err := s.field(&c).Set(s.Default); err != nil && s.Default != "" {
			panic(fmt.Sprintf("config: default of %s: %v", s.Env, err)) // a bug in the table
		}
	}
	return c
}

// Load builds the configuration from defaults, the environment (getenv) and args (the
// subcommand's flags). It returns every problem found, joined; flag.ErrHelp (alone) when args ask
// for help.
func Load(name string, args []string, getenv func(string) string) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the caller reports errors and prints Usage
	var errs []error
	if err := Bind(fs, &c, getenv); err != nil {
		errs = append(errs, err)
	}
	// The AWS tools' variables stand in for S3 keys that Arca's own do not set.
	if c.S3.AccessKey == "" {
		c.S3.AccessKey = getenv("AWS_ACCESS_KEY_ID")
	}
	if c.S3.SecretKey == "" {
		c.S3.SecretKey = getenv("AWS_SECRET_ACCESS_KEY")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, flag.ErrHelp
		}
		return c, errors.Join(append(errs, err)...)
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// Bind sets c's fields from the environment variables of the settings whose flags are named
// (every setting when none is named) and registers those flags on fs, so that parsing fs then
// lets flags win. A command with flags of its own (arca admin) binds the settings it shares with
// the server this way. It returns the environment's problems, joined; it panics on a name that
// is no setting's flag (a bug in the caller).
func Bind(fs *flag.FlagSet, c *Config, getenv func(string) string, flags ...string) error {
	var errs []error
	for _, s := range pick(flags) {
		if v := getenv(s.Env); v != "" {
			if err := s.field(c).Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.Env, err))
			}
		}
		if s.Flag != "" {
			fs.Var(s.field(c), s.Flag, s.Usage)
		}
	}
	return errors.Join(errs...)
}

// pick returns the settings with the named flags, in the order named; all settings for none.
func pick(flags []string) []Setting {
	all := Settings()
	if len(flags) == 0 {
		return all
	}
	var out []Setting
	for _, f := range flags {
		found := false
		for _, s := range all {
			if s.Flag == f {
				out, found = append(out, s), true
			}
		}
		if !found {
			panic("config: no setting has the flag " + f)
		}
	}
	return out
}

// Validate returns every problem of c, joined; nil when c is usable.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen: %q is not host:port: %v", c.Listen, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data-dir: must not be empty"))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base-url: %q is not an http(s) URL", c.BaseURL))
		}
	}
	if c.StatisticsPushInterval <= 0 {
		errs = append(errs, fmt.Errorf("statistics-push-interval: must be positive, got %v", c.StatisticsPushInterval))
	}
	if c.VirtualMetadataCache < 0 {
		errs = append(errs, fmt.Errorf("virtual-metadata-cache: must not be negative, got %d", c.VirtualMetadataCache))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("shutdown-timeout: must not be negative, got %v", c.ShutdownTimeout))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	return errors.Join(errs...)
}
