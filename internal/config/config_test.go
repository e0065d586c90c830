package config

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(c Config) bool { return c.Listen == "127.0.0.1:8081" && c.DataDir != "" && !c.AnonymousAccess }, ""},
		{"env", nil, map[string]string{"ARCA_LISTEN": "0.0.0.0:9000", "ARCA_DATA_DIR": "/d", "ARCA_ANONYMOUS_ACCESS": "true", "ARCA_ADMIN_PASSWORD": "pw"},
			func(c Config) bool {
				return c.Listen == "0.0.0.0:9000" && c.DataDir == "/d" && c.AnonymousAccess && c.AdminPassword == "pw"
			}, ""},
		{"flags win over env", []string{"--listen", "127.0.0.1:1", "--data-dir=/f"}, map[string]string{"ARCA_LISTEN": "0.0.0.0:9000", "ARCA_DATA_DIR": "/d"},
			func(c Config) bool { return c.Listen == "127.0.0.1:1" && c.DataDir == "/f" }, ""},
		{"bad listen", []string{"--listen", "nope"}, nil, nil, "listen"},
		{"bad bool env", nil, map[string]string{"ARCA_ANONYMOUS_ACCESS": "perhaps"}, nil, "ARCA_ANONYMOUS_ACCESS"},
		{"bad base url", []string{"--base-url", "ftp://x"}, nil, nil, "base-url"},
		{"bad log level", []string{"--log-level", "loud"}, nil, nil, "log-level"},
		{"all problems at once", []string{"--listen", "x", "--log-level", "loud"}, nil, nil, "log-level"},
		{"stray argument", []string{"extra"}, nil, nil, "unexpected"},
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
