package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	home, _ := os.UserHomeDir()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.Listen == "127.0.0.1:8081" && c.DataDir == filepath.Join(home, ".arca") && !c.AnonymousAccess &&
				c.LogLevel == "info" && c.StatisticsPushInterval == time.Minute && c.ShutdownTimeout == 30*time.Second &&
				c.BaseURL == "" && c.AdminPassword == ""
		}, ""},
		{"env", nil, map[string]string{"ARCA_LISTEN": "0.0.0.0:9000", "ARCA_DATA_DIR": "/d", "ARCA_ANONYMOUS_ACCESS": "true",
			"ARCA_ADMIN_PASSWORD": "pw", "ARCA_SHUTDOWN_TIMEOUT": "5s", "ARCA_STATISTICS_PUSH_INTERVAL": "2m"},
			func(c Config) bool {
				return c.Listen == "0.0.0.0:9000" && c.DataDir == "/d" && c.AnonymousAccess && c.AdminPassword == "pw" &&
					c.ShutdownTimeout == 5*time.Second && c.StatisticsPushInterval == 2*time.Minute
			}, ""},
		{"flags win over env", []string{"--listen", "127.0.0.1:1", "--data-dir=/f", "--shutdown-timeout=1m"},
			map[string]string{"ARCA_LISTEN": "0.0.0.0:9000", "ARCA_DATA_DIR": "/d", "ARCA_SHUTDOWN_TIMEOUT": "5s"},
			func(c Config) bool {
				return c.Listen == "127.0.0.1:1" && c.DataDir == "/f" && c.ShutdownTimeout == time.Minute
			}, ""},
		{"bool flag without value", []string{"-anonymous-access", "--log-requests"}, nil,
			func(c Config) bool { return c.AnonymousAccess && c.LogRequests }, ""},
		{"bool flag set false over env", []string{"--anonymous-access=false"}, map[string]string{"ARCA_ANONYMOUS_ACCESS": "1"},
			func(c Config) bool { return !c.AnonymousAccess }, ""},
		{"tilde in data dir", []string{"--data-dir=~/arca-data"}, nil,
			func(c Config) bool { return c.DataDir == filepath.Join(home, "arca-data") }, ""},
		{"zero shutdown timeout closes at once", []string{"--shutdown-timeout=0s"}, nil,
			func(c Config) bool { return c.ShutdownTimeout == 0 }, ""},
		{"bad listen", []string{"--listen", "nope"}, nil, nil, "listen"},
		{"bad bool env", nil, map[string]string{"ARCA_ANONYMOUS_ACCESS": "perhaps"}, nil, `ARCA_ANONYMOUS_ACCESS: "perhaps" is not a boolean`},
		{"bad duration env", nil, map[string]string{"ARCA_SHUTDOWN_TIMEOUT": "soon"}, nil, `ARCA_SHUTDOWN_TIMEOUT: "soon" is not a duration`},
		{"bad duration flag", []string{"--shutdown-timeout", "soon"}, nil, nil, "-shutdown-timeout"},
		{"negative shutdown timeout", []string{"--shutdown-timeout=-1s"}, nil, nil, "shutdown-timeout: must not be negative"},
		{"bad base url", []string{"--base-url", "ftp://x"}, nil, nil, "base-url"},
		{"bad log level", []string{"--log-level", "loud"}, nil, nil, "log-level"},
		{"all problems at once", []string{"--listen", "x", "--log-level", "loud"}, nil, nil, "listen"},
		{"env and flag problems at once", []string{"--nope"}, map[string]string{"ARCA_LOG_REQUESTS": "x"}, nil, "ARCA_LOG_REQUESTS"},
		{"unknown flag", []string{"--nope"}, nil, nil, "flag provided but not defined: -nope"},
		{"no admin password flag", []string{"--admin-password", "x"}, nil, nil, "not defined"},
		{"stray argument", []string{"extra"}, nil, nil, "unexpected"},
		{"virtual metadata cache default", nil, nil, func(c Config) bool { return c.VirtualMetadataCache == 64<<20 }, ""},
		{"virtual metadata cache env", nil, map[string]string{"ARCA_VIRTUAL_METADATA_CACHE": "16MiB"},
			func(c Config) bool { return c.VirtualMetadataCache == 16<<20 }, ""},
		{"virtual metadata cache flag wins", []string{"--virtual-metadata-cache=0"}, map[string]string{"ARCA_VIRTUAL_METADATA_CACHE": "16MiB"},
			func(c Config) bool { return c.VirtualMetadataCache == 0 }, ""},
		{"bad virtual metadata cache env", nil, map[string]string{"ARCA_VIRTUAL_METADATA_CACHE": "lots"}, nil, "ARCA_VIRTUAL_METADATA_CACHE"},
		{"bad virtual metadata cache flag", []string{"--virtual-metadata-cache", "-1"}, nil, nil, "virtual-metadata-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("test", tt.args, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("config = %+v", c)
			}
		})
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "65536", want: 65536},
		{in: "100B", want: 100},
		{in: "512KiB", want: 512 << 10},
		{in: "64MiB", want: 64 << 20},
		{in: " 2 GiB ", want: 2 << 30},
		{in: "", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "64MB", wantErr: true}, // decimal units are ambiguous: refused
		{in: "MiB", wantErr: true},
		{in: "9999999999GiB", wantErr: true}, // overflows int64
	}
	for _, tt := range tests {
		got, err := ParseByteSize(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestLoadAllProblemsJoined(t *testing.T) {
	_, err := Load("test", []string{"--listen", "x", "--log-level", "loud"}, func(string) string { return "" })
	for _, want := range []string{"listen:", "log-level:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	for _, tt := range []struct {
		in   ByteSize
		want string
	}{{0, "0"}, {1000, "1000"}, {1024, "1KiB"}, {64 << 20, "64MiB"}, {3 << 30, "3GiB"}, {1536, "1536"}} {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestLoadHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"--listen", "127.0.0.1:1", "--help"}} {
		_, err := Load("test", args, func(string) string { return "" })
		if !errors.Is(err, flag.ErrHelp) || err != flag.ErrHelp {
			t.Errorf("Load(%q) error = %v, want flag.ErrHelp alone", args, err)
		}
	}
}

// TestSettingsTable checks the table itself: unique names, every default parses, and every
// setting reaches a field of Config (setting it changes Default()).
func TestSettingsTable(t *testing.T) {
	flags, envs := map[string]bool{}, map[string]bool{}
	for _, s := range Settings() {
		if s.Flag != "" && flags[s.Flag] || envs[s.Env] {
			t.Errorf("%s/%s: duplicate", s.Flag, s.Env)
		}
		flags[s.Flag], envs[s.Env] = true, true
		if !strings.HasPrefix(s.Env, "ARCA_") {
			t.Errorf("%s: environment variable without ARCA_ prefix", s.Env)
		}
		if s.Flag != "" && "ARCA_"+strings.ToUpper(strings.ReplaceAll(s.Flag, "-", "_")) != s.Env {
			t.Errorf("flag %s has environment variable %s, want the flag's name", s.Flag, s.Env)
		}
		if s.Usage == "" || strings.HasSuffix(s.Usage, ".") {
			t.Errorf("%s: usage %q must be one line without a final period", s.Env, s.Usage)
		}
		if s.Default == "" && s.Shown == "" {
			t.Errorf("%s: an empty default needs Shown", s.Env)
		}
		probe := Default()
		v := s.field(&probe)
		var other string
		switch v.(type) {
		case *boolValue:
			other = "true"
		case *durationValue:
			other = "17s"
		case *ByteSize, *memoryLimitValue:
			other = "1KiB"
		case *gcPercentValue:
			other = "250"
		case *dbValue:
			other = "postgres://probe/db"
		default:
			other = "/probe"
		}
		if err := v.Set(other); err != nil {
			t.Fatal(err)
		}
		if probe == Default() {
			t.Errorf("%s: setting it leaves Config unchanged", s.Env)
		}
	}
}

func TestBindSome(t *testing.T) {
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	getenv := func(k string) string {
		return map[string]string{"ARCA_DATA_DIR": "/env", "ARCA_LISTEN": "0.0.0.0:1"}[k]
	}
	if err := Bind(fs, &c, getenv, "data-dir"); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/env" || c.Listen != Default().Listen {
		t.Errorf("after Bind: data-dir %q, listen %q; want only data-dir from the environment", c.DataDir, c.Listen)
	}
	if fs.Lookup("listen") != nil || fs.Lookup("data-dir") == nil {
		t.Error("Bind registered other flags than data-dir")
	}
	if err := fs.Parse([]string{"--data-dir", "/flag"}); err != nil || c.DataDir != "/flag" {
		t.Errorf("after Parse: %q, %v", c.DataDir, err)
	}
}
