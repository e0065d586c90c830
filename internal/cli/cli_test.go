package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// run runs args with the given environment and returns exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }, Version: "v1.2.3-test"})
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string // in stdout
	}{
		{nil, "Usage:\n  arca serve"},
		{[]string{"-h"}, "Usage:\n  arca serve"},
		{[]string{"--help"}, "Usage:\n  arca serve"},
		{[]string{"help"}, "Usage:\n  arca serve"},
		{[]string{"help", "serve"}, "Usage: arca serve [flags]"},
		{[]string{"serve", "--help"}, "Usage: arca serve [flags]"},
		{[]string{"serve", "-h"}, "Usage: arca serve [flags]"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "-help"}, "Usage: arca serve [flags]"},
		{[]string{"help", "admin"}, "Usage: arca admin reset-password"},
		{[]string{"admin"}, "Usage: arca admin reset-password"},
		{[]string{"admin", "--help"}, "Usage: arca admin reset-password"},
		{[]string{"admin", "reset-password", "-h"}, "Usage: arca admin reset-password"},
		{[]string{"help", "version"}, "Usage: arca version"},
		{[]string{"version", "--help"}, "Usage: arca version"},
		{[]string{"help", "help"}, "Usage: arca help"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, nil, tt.args...)
			if code != 0 || !strings.Contains(out, tt.want) || errOut != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0 and stdout containing %q", code, out, errOut, tt.want)
			}
		})
	}
}

// TestServeHelpListsSettings checks that `arca serve --help` is rendered from the settings table.
func TestServeHelpListsSettings(t *testing.T) {
	_, out, _ := run(t, nil, "serve", "--help")
	for _, want := range []string{"--listen", "ARCA_LISTEN", "127.0.0.1:8081", "--shutdown-timeout", "ARCA_SHUTDOWN_TIMEOUT", "30s",
		"ARCA_ADMIN_PASSWORD", "generated", "address to listen on"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve help lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want []string // in stderr
	}{
		{[]string{"bogus"}, nil, []string{`arca: unknown command "bogus"`, "Usage:\n  arca serve"}},
		{[]string{"help", "bogus"}, nil, []string{`unknown command "bogus"`, "Usage:"}},
		{[]string{"serve", "--bogus"}, nil, []string{"flag provided but not defined: -bogus", "arca help serve"}},
		{[]string{"serve", "--listen", "nope"}, nil, []string{"listen:", "arca help serve"}},
		{[]string{"serve"}, map[string]string{"ARCA_SHUTDOWN_TIMEOUT": "soon"}, []string{"ARCA_SHUTDOWN_TIMEOUT", "arca help serve"}},
		{[]string{"serve", "stray"}, nil, []string{"unexpected arguments: stray"}},
		{[]string{"version", "extra"}, nil, []string{"unexpected arguments: extra", "arca help version"}},
		{[]string{"admin", "bogus"}, nil, []string{`admin: unknown command "bogus"`, "arca help admin"}},
		{[]string{"admin", "reset-password", "--password="}, nil, []string{"--password must not be empty"}},
		{[]string{"admin", "reset-password", "--listen", "x"}, nil, []string{"not defined: -listen"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, tt.env, tt.args...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := run(t, nil, args...)
		if code != 0 || !strings.HasPrefix(out, "arca v1.2.3-test\n") || !strings.Contains(out, "  go        go1.") {
			t.Errorf("%q: exit %d, stdout %q", args, code, out)
		}
	}
}
