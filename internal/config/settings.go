package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Setting is one setting of `arca serve`: a flag and the environment variable behind it. Settings
// is the one table the parser (Load), the defaults (Default), `arca serve --help` (Usage) and
// README's Configuration section (checked by a test) are all made from.
type Setting struct {
	// Flag is the flag's name without dashes; "" for a setting read from the environment only
	// (a secret, kept out of process listings).
	Flag string
	// Env is the environment variable.
	Env string
	// Default is the default value, in the syntax of the flag (parsed by Default).
	Default string
	// Shown, when not empty, is how the default is documented instead of Default: for defaults
	// that are decided at run time ("from the request", "generated").
	Shown string
	// Usage says what the setting does: one line, no final period.
	Usage string
	// field returns the flag.Value that parses into c's field.
	field func(c *Config) flag.Value
}

// ShownDefault is the default as documented: Shown, else Default.
func (s Setting) ShownDefault() string {
	if s.Shown != "" {
		return s.Shown
	}
	return s.Default
}

// Settings returns the table of every setting, in the order they are documented.
func Settings() []Setting {
	return []Setting{
		{Flag: "listen", Env: "ARCA_LISTEN", Default: "127.0.0.1:8081",
			Usage: "address to listen on",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.Listen) }},
		{Flag: "data-dir", Env: "ARCA_DATA_DIR", Default: "~/.arca",
			Usage: "SQLite database (arca.db), blobs (blobs/) and the lock (arca.lock) of one running Arca",
			field: func(c *Config) flag.Value { return (*pathValue)(&c.DataDir) }},
		{Flag: "db", Env: "ARCA_DB", Shown: "SQLite in the data directory",
			Usage: "metadata database: a PostgreSQL URL (postgres://user:password@host:5432/arca?sslmode=require), which every node of a cluster shares; empty: SQLite (arca.db) in the data directory",
			field: func(c *Config) flag.Value { return (*dbValue)(&c.DB) }},
		{Flag: "blobs", Env: "ARCA_BLOBS", Shown: "blobs/ in the data directory",
			Usage: "blob store: s3://bucket/prefix for an S3-compatible object store, or a directory (shared storage such as NFS: the same path on every node)",
			field: func(c *Config) flag.Value { return (*blobsValue)(&c.Blobs) }},
		{Flag: "s3-endpoint", Env: "ARCA_S3_ENDPOINT", Default: "https://s3.amazonaws.com",
			Usage: "URL of the S3-compatible server of an s3:// blob store (MinIO: http://host:9000)",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.S3.Endpoint) }},
		{Flag: "s3-region", Env: "ARCA_S3_REGION", Shown: "discovered",
			Usage: "region of the s3:// bucket",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.S3.Region) }},
		{Env: "ARCA_S3_ACCESS_KEY", Shown: "AWS_ACCESS_KEY_ID",
			Usage: "access key of the s3:// blob store",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.S3.AccessKey) }},
		{Env: "ARCA_S3_SECRET_KEY", Shown: "AWS_SECRET_ACCESS_KEY",
			Usage: "secret key of the s3:// blob store",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.S3.SecretKey) }},
		{Flag: "base-url", Env: "ARCA_BASE_URL", Shown: "from the request",
			Usage: "external URL used in links (downloadUri, …)",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.BaseURL) }},
		{Flag: "anonymous-access", Env: "ARCA_ANONYMOUS_ACCESS", Default: "false",
			Usage: "let unauthenticated requests read",
			field: func(c *Config) flag.Value { return (*boolValue)(&c.AnonymousAccess) }},
		{Flag: "log-level", Env: "ARCA_LOG_LEVEL", Default: "info",
			Usage: "debug, info, warn or error",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.LogLevel) }},
		{Flag: "log-requests", Env: "ARCA_LOG_REQUESTS", Default: "false",
			Usage: "one log line per request",
			field: func(c *Config) flag.Value { return (*boolValue)(&c.LogRequests) }},
		{Flag: "global-virtual", Env: "ARCA_GLOBAL_VIRTUAL", Default: "false",
			Usage: "serve repo, a virtual over every local and remote repository",
			field: func(c *Config) flag.Value { return (*boolValue)(&c.GlobalVirtual) }},
		{Flag: "statistics-push-interval", Env: "ARCA_STATISTICS_PUSH_INTERVAL", Default: "1m",
			Usage: "how often smart remotes push download statistics upstream",
			field: func(c *Config) flag.Value { return (*durationValue)(&c.StatisticsPushInterval) }},
		{Flag: "virtual-metadata-cache", Env: "ARCA_VIRTUAL_METADATA_CACHE", Default: "64MiB",
			Usage: "memory for metadata merged by virtual repositories (npm packuments, maven-metadata.xml); 0 keeps none",
			field: func(c *Config) flag.Value { return &c.VirtualMetadataCache }},
		{Flag: "shutdown-timeout", Env: "ARCA_SHUTDOWN_TIMEOUT", Default: "30s",
			Usage: "on SIGTERM or SIGINT, how long in-flight requests may finish before their connections are closed",
			field: func(c *Config) flag.Value { return (*durationValue)(&c.ShutdownTimeout) }},
		{Flag: "gc-percent", Env: "ARCA_GC_PERCENT", Shown: "400, or GOGC when set",
			Usage: "garbage collector target (Go's GOGC): new heap, in percent of the live heap, that starts a collection; off: never",
			field: func(c *Config) flag.Value { return (*gcPercentValue)(&c.GCPercent) }},
		{Flag: "memory-limit", Env: "ARCA_MEMORY_LIMIT", Shown: "¼ of the memory (RAM or cgroup limit), or GOMEMLIMIT when set",
			Usage: "soft limit of the Go heap (Go's GOMEMLIMIT): near it the collector runs more often; 0: none",
			field: func(c *Config) flag.Value { return (*memoryLimitValue)(&c.MemoryLimit) }},
		{Env: "ARCA_ADMIN_PASSWORD", Shown: "generated",
			Usage: "password of the admin user created on first start",
			field: func(c *Config) flag.Value { return (*stringValue)(&c.AdminPassword) }},
	}
}

// The flag.Value types of the settings. Their Set errors name the value, not the setting: the
// caller adds the flag or variable name.

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

// pathValue is a directory; a leading "~/" is the user's home directory (a shell expands it in
// `--data-dir ~/x` but not in `--data-dir=~/x` or an environment file).
type pathValue string

func (v *pathValue) String() string { return string(*v) }
func (v *pathValue) Set(s string) error {
	if s == "~" || strings.HasPrefix(s, "~/") {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			home = "." // no home: relative to the working directory
		}
		s = filepath.Join(home, strings.TrimPrefix(s, "~"))
	}
	*v = pathValue(s)
	return nil
}

// dbValue is "" or a PostgreSQL URL. Its errors never repeat the value: it may hold a password.
type dbValue string

func (v *dbValue) String() string { return string(*v) }
func (v *dbValue) Set(s string) error {
	scheme, _, ok := strings.Cut(s, "://")
	if s != "" && (!ok || (scheme != "postgres" && scheme != "postgresql")) {
		return errors.New("the database must be empty (SQLite) or a postgres:// URL")
	}
	*v = dbValue(s)
	return nil
}

// blobsValue is "", a directory (a leading "~/" is the home directory, as for pathValue) or an
// s3:// URL naming a bucket.
type blobsValue string

func (v *blobsValue) String() string { return string(*v) }
func (v *blobsValue) Set(s string) error {
	if rest, ok := strings.CutPrefix(s, "s3://"); ok {
		if bucket, _, _ := strings.Cut(rest, "/"); bucket == "" {
			return errors.New("an s3:// blob store needs a bucket: s3://bucket/prefix")
		}
		*v = blobsValue(s)
		return nil
	}
	if strings.Contains(s, "://") {
		return errors.New("the blob store must be a directory or an s3:// URL")
	}
	return (*pathValue)(v).Set(s)
}

type boolValue bool

func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not a boolean", s)
	}
	*v = boolValue(b)
	return nil
}

// gcPercentValue is a GOGC value: a percentage (at least 1) or "off" (-1). 0 means unset.
type gcPercentValue int

func (v *gcPercentValue) String() string {
	switch *v {
	case 0:
		return ""
	case -1:
		return "off"
	}
	return strconv.Itoa(int(*v))
}
func (v *gcPercentValue) Set(s string) error {
	if strings.EqualFold(s, "off") {
		*v = -1
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a percentage (a whole number of at least 1) or off", s)
	}
	*v = gcPercentValue(n)
	return nil
}

// memoryLimitValue is a ByteSize where an explicit 0 (no limit) differs from unset (-1).
type memoryLimitValue ByteSize

func (v *memoryLimitValue) String() string {
	if *v < 0 {
		return ""
	}
	return ByteSize(*v).String()
}
func (v *memoryLimitValue) Set(s string) error { return (*ByteSize)(v).Set(s) }

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (such as 30s or 1m)", s)
	}
	*v = durationValue(d)
	return nil
}
