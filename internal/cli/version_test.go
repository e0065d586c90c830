package cli

import (
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersionText(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"no build info", "", nil, "arca dev\n"},
		{"stamped, no build info", "v1.0.0", nil, "arca v1.0.0\n"},
		{"release build", "v1.2.0-3-gabc1234", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("CGO_ENABLED", "0", "GOOS", "linux", "GOARCH", "arm64", "vcs.revision", "abc1234def",
				"vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "true")},
			"arca v1.2.0-3-gabc1234\n  go        go1.26.8\n  platform  linux/arm64\n  revision  abc1234def (modified)\n" +
				"  time      2026-01-02T03:04:05Z\n  cgo       disabled (static binary)\n"},
		{"clean checkout, cgo", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("CGO_ENABLED", "1", "vcs.revision", "abc", "vcs.modified", "false")},
			"arca dev\n  go        go1.26.8\n  revision  abc\n  cgo       enabled\n"},
		{"go install arca@v2.0.0", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v2.0.0"}},
			"arca v2.0.0\n  go        go1.26.8\n"},
		{"stamp wins over module version", "v3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v2.0.0"}},
			"arca v3\n  go        go1.26.8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, versionText(tt.stamped, tt.bi)); diff != "" {
				t.Errorf("versionText (-want +got):\n%s", diff)
			}
		})
	}
}
