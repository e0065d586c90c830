// Command arca is a universal artifact repository manager, compatible with Artifactory's
// REST API and its clients.
//
//	arca serve      start the server (embedded SQLite + files under --data-dir)
//	arca version    print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"arca/internal/app"
	"arca/internal/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "arca", app.Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "arca: unknown command %q\n\n%s", cmd, usage)
	return 2
}

const usage = `Usage:
  arca serve [flags]   start the server (arca serve -h lists the flags)
  arca version         print the version
`

func serve(args []string, stdout, stderr io.Writer) int {
	cfg, err := config.Load("arca serve", args, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "arca: %v\n", err)
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	a, err := app.Start(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "arca: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Arca %s listening on http://%s/artifactory/\n", app.Version, a.Addr)
	if a.AdminPasswordFile != "" {
		fmt.Fprintf(stdout, "Created user 'admin'; its generated password is in %s\n", a.AdminPasswordFile)
	}
	select {
	case err := <-waitErr(a):
		if err != nil {
			fmt.Fprintf(stderr, "arca: %v\n", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	shutdownCtx, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	if err := a.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "arca: shutdown: %v\n", err)
		return 1
	}
	return 0
}

func waitErr(a *app.App) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- a.Wait() }()
	return ch
}
