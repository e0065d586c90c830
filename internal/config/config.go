// Package config is Arca's typed configuration: defaults, then ARCA_* environment variables,
// then command-line flags (each flag has an environment equivalent).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the server's configuration.
type Config struct {
	Listen          string // ARCA_LISTEN, --listen
	DataDir         string // ARCA_DATA_DIR, --data-dir
	BaseURL         string // ARCA_BASE_URL, --base-url: externally visible URL of /artifactory's parent
	AnonymousAccess bool   // ARCA_ANONYMOUS_ACCESS, --anonymous-access
	LogLevel        string // ARCA_LOG_LEVEL, --log-level: debug, info, warn, error
	LogRequests     bool   // ARCA_LOG_REQUESTS, --log-requests: one line per request
	// GlobalVirtual (ARCA_GLOBAL_VIRTUAL, --global-virtual) serves "repo", a virtual repository
	// over every local and remote repository. Off by default, as on Artifactory.
	GlobalVirtual bool
	// StatisticsPushInterval (ARCA_STATISTICS_PUSH_INTERVAL, --statistics-push-interval) is how
	// often smart remotes push the downloads served from their cache upstream.
	StatisticsPushInterval time.Duration
	// VirtualMetadataCache (ARCA_VIRTUAL_METADATA_CACHE, --virtual-metadata-cache) is the memory
	// budget of the metadata documents merged by virtual repositories (npm packuments, Maven
	// metadata) kept for reuse, all virtuals together; 0 keeps none.
	VirtualMetadataCache ByteSize
	// AdminPassword (ARCA_ADMIN_PASSWORD only, never a flag, so it stays out of process
	// listings) is the first admin's password; empty: generate one.
	AdminPassword string
}

// Default returns the built-in defaults: everything embedded, nothing to set up.
func Default() Config {
	return Config{Listen: "127.0.0.1:8081", DataDir: defaultDataDir(), LogLevel: "info", StatisticsPushInterval: time.Minute,
		VirtualMetadataCache: 64 << 20}
}

func defaultDataDir() string {
	if d, err := os.UserHomeDir(); err == nil && d != "" {
		return filepath.Join(d, ".arca")
	}
	return ".arca"
}

// Load builds the configuration from defaults, the environment (getenv) and args (the
// subcommand's flags). It returns every problem found, joined.
func Load(name string, args []string, getenv func(string) string) (Config, error) {
	c := Default()
	var errs []error
	str := func(dst *string, env string) {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	boolean := func(dst *bool, env string) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a boolean", env, v))
				return
			}
			*dst = b
		}
	}
	str(&c.Listen, "ARCA_LISTEN")
	str(&c.DataDir, "ARCA_DATA_DIR")
	str(&c.BaseURL, "ARCA_BASE_URL")
	boolean(&c.AnonymousAccess, "ARCA_ANONYMOUS_ACCESS")
	str(&c.LogLevel, "ARCA_LOG_LEVEL")
	boolean(&c.LogRequests, "ARCA_LOG_REQUESTS")
	boolean(&c.GlobalVirtual, "ARCA_GLOBAL_VIRTUAL")
	if v := getenv("ARCA_STATISTICS_PUSH_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ARCA_STATISTICS_PUSH_INTERVAL: %q is not a duration", v))
		} else {
			c.StatisticsPushInterval = d
		}
	}
	if v := getenv("ARCA_VIRTUAL_METADATA_CACHE"); v != "" {
		if err := c.VirtualMetadataCache.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("ARCA_VIRTUAL_METADATA_CACHE: %v", err))
		}
	}
	c.AdminPassword = getenv("ARCA_ADMIN_PASSWORD")

	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to listen on (ARCA_LISTEN)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for the database and blobs (ARCA_DATA_DIR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "externally visible base URL, e.g. https://repo.example.com (ARCA_BASE_URL)")
	fs.BoolVar(&c.AnonymousAccess, "anonymous-access", c.AnonymousAccess, "let unauthenticated requests read (ARCA_ANONYMOUS_ACCESS)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (ARCA_LOG_LEVEL)")
	fs.BoolVar(&c.LogRequests, "log-requests", c.LogRequests, "log one line per request (ARCA_LOG_REQUESTS)")
	fs.DurationVar(&c.StatisticsPushInterval, "statistics-push-interval", c.StatisticsPushInterval, "how often smart remotes push download statistics upstream (ARCA_STATISTICS_PUSH_INTERVAL)")
	fs.BoolVar(&c.GlobalVirtual, "global-virtual", c.GlobalVirtual, "serve the global virtual repository 'repo' over all local and remote repositories (ARCA_GLOBAL_VIRTUAL)")
	fs.Var(&c.VirtualMetadataCache, "virtual-metadata-cache", "memory for metadata merged by virtual repositories, e.g. 64MiB; 0 keeps none (ARCA_VIRTUAL_METADATA_CACHE)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
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
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	return errors.Join(errs...)
}
