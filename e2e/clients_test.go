package e2e

import (
	"os"
	"sync"
	"testing"
)

// The end-to-end tests drive real clients (mvn, npm, pnpm, yarn, bun). Where one is missing the
// test is skipped — unless CI is set, where that is a failure, since .ci/run installs them all.
// Every test that looks for a client reports what it found to the file named by
// ARCA_CLIENT_REPORT, one "client<TAB>ran" or "client<TAB>skipped: why" line per lookup, so that
// test.sh can say which client suites ran and which were skipped.

var reportMu sync.Mutex

// reportClient appends one line to the client report, when there is one.
func reportClient(client, status string) {
	path := os.Getenv("ARCA_CLIENT_REPORT")
	if path == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(client + "\t" + status + "\n")
}

// clientFound reports that a test runs with client.
func clientFound(client string) { reportClient(client, "ran") }

// clientMissing reports client missing and skips t, or fails it when CI is set.
func clientMissing(t *testing.T, client, msg string) {
	t.Helper()
	reportClient(client, "skipped: "+msg)
	if os.Getenv("CI") == "" {
		t.Skip(msg)
	}
	t.Fatal(msg + " (CI is set: this is a failure, not a skip)")
}
