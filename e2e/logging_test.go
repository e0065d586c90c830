package e2e

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"arca/internal/config"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestLogNamesTheUser(t *testing.T) {
	var log syncBuffer
	s := startLogging(t, &log, func(c *config.Config) { c.LogRequests = true; c.LogLevel = "info" })
	s.local("libs")
	s.put("/libs/a.txt", "a")
	s.must(401, req{method: "GET", path: "/libs/a.txt", user: "-"})
	var deploy, anon string
	for _, line := range strings.Split(log.String(), "\n") {
		switch {
		case strings.Contains(line, "method=PUT path=/artifactory/libs/a.txt"):
			deploy = line
		case strings.Contains(line, "method=GET path=/artifactory/libs/a.txt"):
			anon = line
		}
	}
	if !strings.Contains(deploy, "status=201") || !strings.Contains(deploy, "user=admin") {
		t.Errorf("deploy log line: %q", deploy)
	}
	if !strings.Contains(anon, "status=401") || !strings.Contains(anon, "user=anonymous") {
		t.Errorf("anonymous log line: %q", anon)
	}
}

// startPair starts two instances that log every request: b, the upstream, first, then a. Their
// request logs, returned too, are printed when the test fails.
func startPair(t *testing.T) (a, b *server, logA, logB *syncBuffer) {
	t.Helper()
	logged := func(c *config.Config) { c.LogRequests = true; c.LogLevel = "info" }
	logA, logB = &syncBuffer{}, &syncBuffer{}
	b = startLogging(t, logB, logged)
	a = startLogging(t, logA, logged)
	dumpLogOnFailure(t, "Arca B (upstream)", logB)
	dumpLogOnFailure(t, "Arca A", logA)
	return a, b, logA, logB
}

// dumpLogOnFailure prints the server's request log when the test failed.
func dumpLogOnFailure(t *testing.T, name string, log *syncBuffer) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("==== %s request log ====\n%s", name, log.String())
		}
	})
}
