// Command arca is a universal artifact repository manager, compatible with Artifactory's
// REST API and its clients. Run `arca help` for its commands; internal/cli implements them.
package main

import (
	"context"
	"os"

	"arca/internal/cli"
)

// version is stamped by the release build: go build -ldflags "-X main.version=…" (release.sh).
var version string

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], cli.Env{
		Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Version: version,
	}))
}
