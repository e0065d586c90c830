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
