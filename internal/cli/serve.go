package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"arca/internal/app"
	"arca/internal/config"
)

func serveHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: arca serve [flags]

Starts Arca on --listen with its data in --data-dir. Only one Arca can use a data directory at a
time. On SIGTERM or SIGINT it accepts no more connections and lets in-flight requests finish for
up to --shutdown-timeout; a second signal stops it at once.

On first start Arca creates the user admin with the password ARCA_ADMIN_PASSWORD, or generates
one into <data-dir>/admin.password and prints how to use it.

Every flag has an environment variable; a flag wins over its variable.

`)
	config.Usage(w)
}

// serve runs the server until a signal asks it to stop, or it fails.
func serve(ctx context.Context, env Env, args []string) error {
	cfg, err := config.Load("arca serve", args, env.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		serveHelp(env.Stdout)
		return nil
	}
	if err != nil {
		return &usageError{cmd: "serve", err: err}
	}
	bi, _ := debug.ReadBuildInfo()
	cfg.Version = Version(env.Version, bi)

	gcFor(cfg, env.Getenv, totalMemory).apply()

	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	a, err := app.Start(ctx, cfg, env.Stderr)
	if err != nil {
		return err
	}
	if a.AdminPasswordFile != "" {
		fmt.Fprintf(env.Stdout, "Created user 'admin'; its generated password is in %s. To use it:\n  %s\n",
			a.AdminPasswordFile, app.AdminPasswordHint(a.AdminPasswordFile))
	}
	// The last line of a start: whoever waits for it may use everything announced above.
	fmt.Fprintf(env.Stdout, "Arca %s listening on http://%s/artifactory/\n", cfg.Version, a.Addr)
	var serveErr error
	select {
	case serveErr = <-waitErr(a):
	case <-ctx.Done():
		stopSignals() // from now on a second signal kills the process at once
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := errors.Join(serveErr, a.Shutdown(shutdownCtx)); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func waitErr(a *app.App) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- a.Wait() }()
	return ch
}
