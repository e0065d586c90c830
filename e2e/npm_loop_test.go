package e2e

import (
	"strings"
	"testing"
)

// TestNpmLoopGuard: the npm package API refuses a request that already passed through this
// instance, as every plain repository path does (two instances proxying each other would
// otherwise bounce a packument request between them).
func TestNpmLoopGuard(t *testing.T) {
	s := start(t)
	s.must(200, req{method: "PUT", path: "/api/repositories/npm-local", body: strings.NewReader(`{"rclass":"local","packageType":"npm"}`)})
	s.must(201, req{method: "PUT", path: "/api/npm/npm-local/looped", body: strings.NewReader(publishDoc("looped", "1.0.0", []byte("tarball")))})
	id := strings.TrimPrefix(s.must(200, req{method: "GET", path: "/api/system/service_id"}).text(), "jfrt@")
	for _, p := range []string{"/api/npm/npm-local/looped", "/api/npm/npm-local/looped/-/looped-1.0.0.tgz"} {
		r := s.must(404, req{method: "GET", path: p, header: map[string]string{"X-Artifactory-Originated": "other," + id}})
		if !strings.Contains(errorMessage(t, r), "Recursive call detected") {
			t.Errorf("GET %s from this instance itself: %s", p, r.body)
		}
		s.must(200, req{method: "GET", path: p, header: map[string]string{"X-Artifactory-Originated": "some-other-instance"}})
	}
}
