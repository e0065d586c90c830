package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

func versionHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: arca version

Prints Arca's version, then how the binary was built: the Go version, the platform, the VCS
revision and time of the source (with "modified" when it had uncommitted changes) and whether
cgo was used.
`)
}

func version(_ context.Context, env Env, args []string) error {
	if len(args) == 1 && isHelp(args[0]) {
		versionHelp(env.Stdout)
		return nil
	}
	if len(args) > 0 {
		return &usageError{cmd: "version", err: fmt.Errorf("version: unexpected arguments: %s", strings.Join(args, " "))}
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(env.Stdout, versionText(env.Version, bi))
	return nil
}

// Version is the version Arca reports: stamped (-ldflags "-X main.version=…") when not empty,
// else the main module's version from the build information (set by `go install
// arca@version`), else "dev".
func Version(stamped string, bi *debug.BuildInfo) string {
	switch {
	case stamped != "":
		return stamped
	case bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)":
		return bi.Main.Version
	}
	return "dev"
}

// versionText is `arca version`'s output for the stamped version and build information bi
// (nil: none available).
func versionText(stamped string, bi *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "arca %s\n", Version(stamped, bi))
	if bi == nil {
		return b.String()
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-9s %s\n", k, v)
		}
	}
	platform := settings["GOOS"]
	if platform != "" && settings["GOARCH"] != "" {
		platform += "/" + settings["GOARCH"]
	}
	line("go", bi.GoVersion)
	line("platform", platform)
	rev := settings["vcs.revision"]
	if rev != "" && settings["vcs.modified"] == "true" {
		rev += " (modified)"
	}
	line("revision", rev)
	line("time", settings["vcs.time"])
	switch settings["CGO_ENABLED"] {
	case "0":
		line("cgo", "disabled (static binary)")
	case "1":
		line("cgo", "enabled")
	}
	return b.String()
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}
