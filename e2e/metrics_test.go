package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestMetrics: /metrics (and Artifactory's /api/v1/metrics) is for admins, in Prometheus's
// text format, and counts requests by class, repository and status, upstream fetches by
// remote, the caches' hits and misses; unknown repository names never become labels.
func TestMetrics(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.put("/libs/a.txt", "a")
	s.must(200, req{method: "GET", path: "/libs/a.txt"})
	s.must(200, req{method: "GET", path: "/libs/a.txt"})
	s.must(404, req{method: "GET", path: "/libs/missing.txt"})
	s.do(req{method: "GET", path: "/no-such-repo-" + strings.Repeat("x", 20) + "/f"})
	u := newUpstream(t)
	u.file("up.txt", "from upstream")
	s.createRepo("remote", remoteJSON(u.url(), ""))
	s.must(200, req{method: "GET", path: "/remote/up.txt"})

	s.must(401, req{method: "GET", path: "/api/v1/metrics", user: "-"})
	// The root path, outside /artifactory, where Prometheus looks by default.
	rootReq, _ := http.NewRequest("GET", strings.TrimSuffix(s.base, "/artifactory")+"/metrics", nil)
	rootReq.SetBasicAuth("admin", adminPassword)
	if res, err := http.DefaultClient.Do(rootReq); err != nil || res.StatusCode != 200 {
		t.Errorf("GET /metrics as admin: %v %v", err, res)
	} else {
		res.Body.Close()
	}
	body := s.must(200, req{method: "GET", path: "/api/v1/metrics"}).text()
	for _, want := range []string{
		`arca_http_requests_total{class="download",code="200",method="GET",repo="libs"} 2`,
		`arca_http_requests_total{class="download",code="404",method="GET",repo="libs"} 1`,
		`arca_http_requests_total{class="deploy",code="201",method="PUT",repo="libs"} 1`,
		`arca_http_requests_total{class="download",code="404",method="GET",repo="other"} 1`,
		`arca_upstream_fetches_total{remote="remote",result="fetched"} 1`,
		`arca_cache_hits_total{cache="items"}`,
		`arca_http_request_duration_seconds_bucket{class="download",le="0.001"}`,
		`arca_node_leader 1`,
		`go_sql_open_connections{db_name=`, // "writer" and "readers" on SQLite, "pool" on PostgreSQL
		`arca_db_operation_duration_seconds_count{kind="write",result="ok"}`,
		`arca_db_operation_duration_seconds_count{kind="get",result="not_found"}`,
		`arca_blob_operation_duration_seconds_count{op="commit",result="ok"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s\n%s", want, grepLines(body, "arca_http_requests_total"))
		}
	}
	if strings.Contains(body, "no-such-repo") {
		t.Error("an unknown repository name became a label value")
	}
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
