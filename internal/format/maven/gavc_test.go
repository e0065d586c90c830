package maven

import "testing"

func TestGAVCPatterns(t *testing.T) {
	tests := []struct{ g, a, v, c, path, name string }{
		{"org.acme", "core", "1.0", "", "org/acme/core/1.0", "core-1.0*"},
		{"org.acme", "core", "", "sources", "org/acme/core/*", "core-*-sources.*"},
		{"", "core", "", "", "*/core/*", "core-*"},
		{"org.acme", "", "", "", "org/acme/*/*", "*-*"},
		{"org.acme", "core", "1.0-SNAPSHOT", "", "org/acme/core/1.0-SNAPSHOT", "core-1.0-*"},
		{"org.acme", "core", "1.0-SNAPSHOT", "sources", "org/acme/core/1.0-SNAPSHOT", "core-1.0-*-sources.*"},
		{"org.acme", "core", "1.0-20261121.052921-3", "", "org/acme/core/1.0-SNAPSHOT", "core-1.0-20261121.052921-3*"},
	}
	for _, tt := range tests {
		p, n := GAVCPatterns(tt.g, tt.a, tt.v, tt.c)
		if p != tt.path || n != tt.name {
			t.Errorf("GAVCPatterns(%q,%q,%q,%q) = %q, %q; want %q, %q", tt.g, tt.a, tt.v, tt.c, p, n, tt.path, tt.name)
		}
	}
}
