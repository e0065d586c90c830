// Package cli is Arca's command line: `arca serve`, `arca admin …`, `arca version` and
// `arca help`. cmd/arca only hands it the process's arguments, streams and environment.
//
// Exit codes: 0 success (help included), 1 a command that failed, 2 a command line that is
// wrong (unknown command or flag, invalid setting). Commands return errors; Run renders them in
// one place.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Env is what a command may use of its process.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Version is the version stamped into the binary (-ldflags "-X main.version=…"); "" when
	// not stamped.
	Version string
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	help    func(w io.Writer)
	run     func(ctx context.Context, env Env, args []string) error
}

// commands is the table of subcommands, in the order of the usage text.
func commands() []command {
	return []command{
		{"serve", "[flags]", "start the server", serveHelp, serve},
		{"admin", "reset-password [flags]", "set the admin password while the server is stopped", adminHelp, admin},
		{"version", "", "print the version and build information", versionHelp, version},
		{"help", "[command]", "print the help of a command", helpHelp, nil}, // run: see dispatch
	}
}

// Run runs the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	err := dispatch(ctx, env, args)
	var uerr *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &uerr):
		fmt.Fprintf(env.Stderr, "arca: %v\n", uerr.err)
		if uerr.usage != nil {
			fmt.Fprintln(env.Stderr)
			uerr.usage(env.Stderr)
		} else {
			fmt.Fprintf(env.Stderr, "Run 'arca help %s' for usage.\n", uerr.cmd)
		}
		return 2
	default:
		fmt.Fprintf(env.Stderr, "arca: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		usage(env.Stdout)
		return nil
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		usage(env.Stdout)
		return nil
	case "-version", "--version":
		name = "version"
	case "help":
		return help(env, rest)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, rest)
		}
	}
	return &usageError{err: fmt.Errorf("unknown command %q", name), usage: usage}
}

// help prints the help of the command named in args, or the overview.
func help(env Env, args []string) error {
	if len(args) == 0 {
		usage(env.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			c.help(env.Stdout)
			return nil
		}
	}
	return &usageError{err: fmt.Errorf("no help for unknown command %q", strings.Join(args, " ")), usage: usage}
}

// usageError is a wrong command line: exit 2, with the usage or a pointer to the command's help.
type usageError struct {
	cmd   string          // the command whose help to point to, when usage is nil
	usage func(io.Writer) // printed after the message; nil: point to `arca help cmd`
	err   error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usage(w io.Writer) {
	fmt.Fprint(w, `Arca, a universal artifact repository manager with Artifactory's repository model and REST API.

Usage:
`)
	cmds := commands()
	width := 0
	for _, c := range cmds {
		width = max(width, len(synopsis(c)))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, synopsis(c), c.summary)
	}
	fmt.Fprint(w, `
Run 'arca help serve' for the server's flags and environment variables.
`)
}

func synopsis(c command) string {
	return strings.TrimSpace("arca " + c.name + " " + c.args)
}

func helpHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: arca help [command]

Prints the help of command, or the list of commands.
`)
}
