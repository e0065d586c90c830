package acceptance

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Flow "ping": GET /api/system/ping → 200 text/plain "OK".
func TestPing(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	body, err := c.Ping()
	if err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if got := strings.TrimSpace(string(body)); got != "OK" {
		t.Errorf("Ping body = %q, want OK", body)
	}
	pings := c.rec.find(http.MethodGet, pathIs("api/system/ping"))
	if len(pings) != 1 {
		t.Fatalf("want one GET api/system/ping, got:%s", c.rec.dump())
	}
	if ct := pings[0].RespHeader.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("ping Content-Type = %q, want text/plain", ct)
	}
	// Every response names the instance; smart remotes compare it with their own.
	if id := pings[0].RespHeader.Get("X-Artifactory-Id"); id == "" {
		t.Errorf("ping response has no X-Artifactory-Id header")
	}
}

// Flow "version": GET /api/system/version → {"version":"7.x.y",...}. The clients compare it as a
// semantic version to enable features, so it must parse and be at least 7.
func TestSystemVersion(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	v, err := c.GetVersion()
	if err != nil {
		t.Fatalf("GetVersion: %v", err)
	}
	parts, ok := parseVersion(v)
	if !ok {
		t.Fatalf("version %q is not MAJOR.MINOR.PATCH", v)
	}
	if parts[0] < 7 {
		t.Errorf("version %q: major %d, want >= 7", v, parts[0])
	}

	// The full document, as Artifactory shapes it.
	var doc struct {
		Version  string   `json:"version"`
		Revision string   `json:"revision"`
		Addons   []string `json:"addons"`
		License  string   `json:"license"`
	}
	getJSON(t, "api/system/version", &doc)
	if doc.Version != v {
		t.Errorf("api/system/version version = %q, client saw %q", doc.Version, v)
	}
}

// parseVersion parses "MAJOR.MINOR.PATCH" (a suffix after '-' is ignored).
func parseVersion(v string) ([3]int, bool) {
	var out [3]int
	core, _, _ := strings.Cut(strings.TrimSpace(v), "-")
	fields := strings.Split(core, ".")
	if len(fields) != 3 {
		return out, false
	}
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return out, false
		}
		out[i] = n
	}
	return out, true
}

// Errors are JSON {"errors":[{"status":N,"message":"…"}]}; a missing repository's configuration
// is 400, not 404.
func TestErrorShapeMissingRepository(t *testing.T) {
	t.Parallel()
	key := uniqueKey(t, "missing")
	resp, body := rawRequest(t, http.MethodGet, "api/repositories/"+key, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET api/repositories/%s: status %d, want 400; body %s", key, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var doc struct {
		Errors []struct {
			Status  *int    `json:"status"`
			Message *string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	if len(doc.Errors) != 1 {
		t.Fatalf("body %s: want exactly one entry in errors", body)
	}
	e := doc.Errors[0]
	if e.Status == nil || *e.Status != http.StatusBadRequest {
		t.Errorf("body %s: errors[0].status is not 400", body)
	}
	if e.Message == nil || strings.TrimSpace(*e.Message) == "" {
		t.Errorf("body %s: errors[0].message is missing or empty", body)
	}
}
