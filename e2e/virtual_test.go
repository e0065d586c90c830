package e2e

import (
	"fmt"
	"strings"
	"testing"

	"arca/internal/config"
)

func TestVirtualOverHTTP(t *testing.T) {
	s := start(t)
	s.local("l1")
	s.local("l2")
	s.createRepo("r1", `{"rclass":"remote","packageType":"generic","url":"http://127.0.0.1:9/r1"}`)
	s.createRepo("nested", `{"rclass":"virtual","packageType":"generic","repositories":["r1","l2"]}`)
	s.createRepo("v", `{"rclass":"virtual","packageType":"generic","repositories":["r1","nested","l1"],"defaultDeploymentRepo":"l1"}`)

	var res struct {
		Members []struct {
			Key, Class string
			Via        []string
		}
		Warnings []string
	}
	s.must(200, req{method: "GET", path: "/api/repositories/v/resolution"}).json(t, &res)
	var order []string
	for _, m := range res.Members {
		order = append(order, m.Key+":"+m.Class)
	}
	if got := strings.Join(order, " "); got != "l2:local l1:local r1-cache:remote-cache r1:remote" {
		t.Errorf("resolution = %s", got)
	}
	if len(res.Members) > 0 && fmt.Sprint(res.Members[0].Via) != "[nested]" {
		t.Errorf("l2 reached via %v, want [nested]", res.Members[0].Via)
	}

	// Deploy through the virtual lands in the default deployment repository.
	s.must(201, req{method: "PUT", path: "/v/app/1.0/app.txt;team=core", body: strings.NewReader("via virtual")})
	s.must(200, req{method: "GET", path: "/l1/app/1.0/app.txt"})
	s.put("/l2/app/1.0/app.txt", "l2 wins")
	if got := s.must(200, req{method: "GET", path: "/v/app/1.0/app.txt"}).text(); got != "l2 wins" {
		t.Errorf("GET through the virtual = %q, want l2's copy (l2 comes first)", got)
	}
	// Storage API and properties through the virtual reach the resolved item.
	var p struct{ Properties map[string][]string }
	s.put("/l1/only/l1.txt;k=v", "x")
	s.must(200, req{method: "GET", path: "/api/storage/v/only/l1.txt?properties"}).json(t, &p)
	if fmt.Sprint(p.Properties) != "map[k:[v]]" {
		t.Errorf("properties through the virtual: %v", p.Properties)
	}
	// Listing shows the union.
	listing := s.must(200, req{method: "GET", path: "/v/"}).text()
	for _, want := range []string{`<a href="app/">app/</a>`, `<a href="only/">only/</a>`} {
		if !strings.Contains(listing, want) {
			t.Errorf("virtual listing lacks %s:\n%s", want, listing)
		}
	}
	// AQL on the virtual searches its members and names the virtual.
	r := s.must(200, req{method: "POST", path: "/api/search/aql", body: strings.NewReader(`items.find({"repo":"v","name":"app.txt"}).include("repo","path","name")`)})
	if !strings.Contains(r.text(), `"repo":"l1"`) || !strings.Contains(r.text(), `"repo":"l2"`) || !strings.Contains(r.text(), `"virtual_repos":["v"]`) {
		t.Errorf("AQL on the virtual: %s", r.body)
	}
	// A request that already went through this instance is a loop.
	id := s.must(200, req{method: "GET", path: "/api/system/service_id"}).text()
	r = s.must(404, req{method: "GET", path: "/v/app/1.0/app.txt", header: map[string]string{"X-Artifactory-Originated": "other," + strings.TrimPrefix(id, "jfrt@")}})
	if !strings.Contains(errorMessage(t, r), "Recursive call detected") {
		t.Errorf("recursive call: %s", r.body)
	}
	s.must(200, req{method: "GET", path: "/v/app/1.0/app.txt", header: map[string]string{"X-Artifactory-Originated": "some-other-instance"}})
}

func TestVirtualConfigurationRules(t *testing.T) {
	s := start(t)
	s.local("l1")
	s.createRepo("m1", `{"rclass":"local","packageType":"maven"}`)
	s.createRepo("v1", `{"rclass":"virtual","packageType":"generic","repositories":["l1"]}`)
	s.createRepo("v2", `{"rclass":"virtual","packageType":"generic","repositories":["v1"]}`)
	tests := []struct{ name, method, key, body, msg string }{
		{"cycle on update", "POST", "v1", `{"repositories":["l1","v2"]}`, "v1 → v2 → v1"},
		{"self", "POST", "v1", `{"repositories":["v1"]}`, "v1"},
		{"missing member", "PUT", "v3", `{"rclass":"virtual","packageType":"generic","repositories":["nope"]}`, "nope"},
		{"other package type", "PUT", "mv", `{"rclass":"virtual","packageType":"npm","repositories":["m1"]}`, "maven"},
		{"default not a member", "PUT", "v4", `{"rclass":"virtual","packageType":"generic","repositories":["l1"],"defaultDeploymentRepo":"m1"}`, "m1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(req{method: tt.method, path: "/api/repositories/" + tt.key, body: strings.NewReader(tt.body)})
			if r.StatusCode != 400 {
				t.Fatalf("status %d, want 400: %s", r.StatusCode, r.body)
			}
			if msg := errorMessage(t, r); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not name %q", msg, tt.msg)
			}
		})
	}
	// A generic virtual may aggregate repositories of any type.
	s.createRepo("any", `{"rclass":"virtual","packageType":"generic","repositories":["m1","l1"]}`)
	// Without a default deployment repository, deploys are refused clearly.
	r := s.do(req{method: "PUT", path: "/v1/x.txt", body: strings.NewReader("x")})
	if r.StatusCode != 405 || !strings.Contains(errorMessage(t, r), "defaultDeploymentRepo") {
		t.Errorf("deploy without default: %d %s", r.StatusCode, r.body)
	}
	// A deleted member leaves a warning on the virtual, not a failure.
	s.must(200, req{method: "DELETE", path: "/api/repositories/l1"})
	var cfg struct{ Warnings []string }
	s.must(200, req{method: "GET", path: "/api/repositories/v1"}).json(t, &cfg)
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "l1") {
		t.Errorf("warnings after deleting a member: %v", cfg.Warnings)
	}
	s.must(404, req{method: "GET", path: "/v2/x.txt"})
}

func TestGlobalVirtualRepository(t *testing.T) {
	off := start(t)
	off.must(404, req{method: "GET", path: "/repo/x.txt"})

	s := start(t, func(c *config.Config) { c.GlobalVirtual = true })
	s.local("a")
	s.createRepo("m", `{"rclass":"local","packageType":"maven"}`)
	s.put("/a/x.txt", "from a")
	s.put("/m/org/y.pom", "from m")
	if got := s.must(200, req{method: "GET", path: "/repo/x.txt"}).text(); got != "from a" {
		t.Errorf("repo/x.txt = %q", got)
	}
	if got := s.must(200, req{method: "GET", path: "/repo/org/y.pom"}).text(); got != "from m" {
		t.Errorf("repo/org/y.pom = %q", got)
	}
	r := s.do(req{method: "PUT", path: "/api/repositories/repo", body: strings.NewReader(`{"rclass":"local","packageType":"generic"}`)})
	if r.StatusCode != 400 {
		t.Errorf("creating 'repo' with the global virtual on: %d %s", r.StatusCode, r.body)
	}
	var list []map[string]string
	s.must(200, req{method: "GET", path: "/api/repositories"}).json(t, &list)
	for _, e := range list {
		if e["key"] == "repo" {
			t.Errorf("the global virtual is listed: %v", list)
		}
	}
}

func TestAQLPagingOnAVirtualCountsOnlyVisibleRows(t *testing.T) {
	s := start(t)
	s.local("l")
	s.createRepo("v", `{"rclass":"virtual","packageType":"generic","repositories":["l"],"excludesPattern":"h/**"}`)
	for _, p := range []string{"h/a.txt", "p/b.txt", "q/c.txt", "s/d.txt"} {
		s.put("/l/"+p, p)
	}
	got := aqlNames(t, s, `items.find({"repo":"v"}).include("repo","path","name").sort({"$asc":["name"]}).offset(1).limit(2)`)
	if fmt.Sprint(got) != "[l/q/c.txt l/s/d.txt]" {
		t.Errorf("page = %v, want the 2nd and 3rd visible rows", got)
	}
}
