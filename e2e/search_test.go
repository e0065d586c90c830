package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// aqlNames runs an AQL query and returns "repo/path/name" of each row, sorted.
func aqlNames(t *testing.T, s *server, q string) []string {
	t.Helper()
	var res struct {
		Results []struct{ Repo, Path, Name, Type string }
		Range   struct{ Total int }
	}
	s.must(200, req{method: "POST", path: "/api/search/aql", body: strings.NewReader(q)}).json(t, &res)
	var out []string
	for _, r := range res.Results {
		out = append(out, r.Repo+"/"+r.Path+"/"+r.Name)
	}
	sort.Strings(out)
	if res.Range.Total != len(res.Results) {
		t.Errorf("range.total %d != %d results", res.Range.Total, len(res.Results))
	}
	return out
}

func searchFixture(t *testing.T) *server {
	s := start(t)
	s.local("libs")
	s.local("other")
	s.put("/libs/org/acme/a.jar;a=1", "a")
	s.put("/libs/org/acme/big.jar;a=1;b=x", "bigger")
	s.put("/libs/org/acme/sub/c.jar;a=2", "c")
	s.put("/libs/root.txt", "r")
	s.put("/other/org/acme/d.jar", "d")
	return s
}

func TestAQLAsTheCLISendsIt(t *testing.T) {
	s := searchFixture(t)
	tests := []struct{ name, q, want string }{
		{"pattern recursive",
			`items.find({"path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs","path":"org/acme","name":{"$match":"*.jar"}}]},{"$and":[{"repo":"libs","path":{"$match":"org/acme/*"},"name":{"$match":"*.jar"}}]}]}).include("name","repo","path","actual_md5","actual_sha1","sha256","size","type","modified","created","property")`,
			"[libs/org/acme/a.jar libs/org/acme/big.jar libs/org/acme/sub/c.jar]"},
		{"root files",
			`items.find({"$or":[{"$and":[{"repo":"libs","path":{"$match":"*"},"name":{"$match":"*"}}]}]})`,
			"[libs/./root.txt libs/org/acme/a.jar libs/org/acme/big.jar libs/org/acme/sub/c.jar]"},
		{"props and exclusions with duplicate $or keys",
			`items.find({"$and":[{"@a":"1"}],"path":{"$ne":"."},"$or":[{"path":{"$nmatch":"*"},"name":{"$nmatch":"*big*"}}],"$or":[{"$and":[{"repo":"libs","path":{"$match":"org/*"},"name":{"$match":"*.jar"}}]}]})`,
			"[libs/org/acme/a.jar]"},
		{"exclude-props", `items.find({"repo":"libs","$or":[{"@b":{"$ne":"x"}}],"name":{"$match":"*.jar"}})`,
			"[libs/org/acme/a.jar libs/org/acme/sub/c.jar]"},
		{"or of sibling keys", `items.find({"$or":[{"repo":"other","name":"root.txt"}]})`,
			"[libs/./root.txt other/org/acme/d.jar]"},
		{"folders", `items.find({"repo":"libs","type":"folder"})`,
			"[libs/./org libs/org/acme libs/org/acme/sub]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(aqlNames(t, s, tt.q)); got != tt.want {
				t.Errorf("got %s\nwant %s", got, tt.want)
			}
		})
	}
	r := s.do(req{method: "POST", path: "/api/search/aql", body: strings.NewReader(`items.find({"repo":`)})
	if r.StatusCode != 400 {
		t.Errorf("malformed AQL: %d %s", r.StatusCode, r.body)
	}
	errorMessage(t, r)
}

func TestAQLRowsAndModifiers(t *testing.T) {
	s := searchFixture(t)
	r := s.must(200, req{method: "POST", path: "/api/search/aql", body: strings.NewReader(
		`items.find({"repo":"libs","name":{"$match":"*.jar"}}).include("name","size","property").sort({"$desc":["name"]}).offset(1).limit(1)`)})
	want := `{"results":[{"name":"big.jar","size":6,"properties":[{"key":"a","value":"1"},{"key":"b","value":"x"}]}],"range":{"start_pos":1,"end_pos":2,"total":1,"limit":1}}`
	if got := strings.TrimSpace(r.text()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestClassicSearches(t *testing.T) {
	s := searchFixture(t)
	uris := func(path string) string {
		var res struct{ Results []struct{ URI string } }
		s.must(200, req{method: "GET", path: path}).json(t, &res)
		var out []string
		for _, r := range res.Results {
			out = append(out, strings.TrimPrefix(r.URI, s.base+"/api/storage/"))
		}
		sort.Strings(out)
		return fmt.Sprint(out)
	}
	_, s1, _ := sums([]byte("c"))
	for path, want := range map[string]string{
		"/api/search/artifact?name=big":               "[libs/org/acme/big.jar]",
		"/api/search/artifact?name=*.jar&repos=other": "[other/org/acme/d.jar]",
		"/api/search/checksum?sha1=" + s1:             "[libs/org/acme/sub/c.jar]",
		"/api/search/prop?a=1,2&repos=libs":           "[libs/org/acme/a.jar libs/org/acme/big.jar libs/org/acme/sub/c.jar]",
		"/api/search/prop?a=1&b=x":                    "[libs/org/acme/big.jar]",
	} {
		if got := uris(path); got != want {
			t.Errorf("%s = %s, want %s", path, got, want)
		}
	}
	s.must(400, req{method: "GET", path: "/api/search/artifact?name=**"})
}

func TestGAVCSearch(t *testing.T) {
	s := start(t)
	s.createRepo("mvn", `{"key":"mvn","rclass":"local","packageType":"maven"}`)
	s.put("/mvn/org/acme/core/1.0/core-1.0.jar", "j")
	s.put("/mvn/org/acme/core/1.0/core-1.0-sources.jar", "s")
	s.put("/mvn/org/acme/core/1.0/core-1.0.jar.sha1", "x")
	s.put("/mvn/org/acme/core/2.0/core-2.0.pom", "p")
	var res struct{ Results []struct{ URI string } }
	s.must(200, req{method: "GET", path: "/api/search/gavc?g=org.acme&a=core&v=1.0"}).json(t, &res)
	if len(res.Results) != 2 {
		t.Errorf("gavc v=1.0: %v", res.Results)
	}
	res.Results = nil
	s.must(200, req{method: "GET", path: "/api/search/gavc?g=org.acme&a=core&c=sources"}).json(t, &res)
	if len(res.Results) != 1 || !strings.HasSuffix(res.Results[0].URI, "core-1.0-sources.jar") {
		t.Errorf("gavc c=sources: %v", res.Results)
	}
}

func TestPropertiesAPI(t *testing.T) {
	s := searchFixture(t)
	s.must(204, req{method: "PUT", path: "/api/storage/libs/org/acme?properties=c=3;d=x%2Cy;e=1%5C%2C2&recursive=1"})
	var p struct{ Properties map[string][]string }
	s.must(200, req{method: "GET", path: "/api/storage/libs/org/acme/sub/c.jar?properties"}).json(t, &p)
	if fmt.Sprint(p.Properties) != "map[a:[2] c:[3] d:[x y] e:[1,2]]" {
		t.Errorf("after recursive set: %v", p.Properties)
	}
	p.Properties = nil
	s.must(200, req{method: "GET", path: "/api/storage/libs/org/acme/a.jar?properties=a,d"}).json(t, &p)
	if fmt.Sprint(p.Properties) != "map[a:[1] d:[x y]]" {
		t.Errorf("selected keys: %v", p.Properties)
	}
	s.must(204, req{method: "DELETE", path: "/api/storage/libs/org/acme/a.jar?properties=c,d&recursive=0"})
	p.Properties = nil
	s.must(200, req{method: "GET", path: "/api/storage/libs/org/acme/a.jar?properties"}).json(t, &p)
	if fmt.Sprint(p.Properties) != "map[a:[1] e:[1,2]]" {
		t.Errorf("after delete: %v", p.Properties)
	}
	r := s.must(404, req{method: "GET", path: "/api/storage/libs/root.txt?properties"})
	if !strings.Contains(errorMessage(t, r), "No properties could be found") {
		t.Errorf("no properties: %s", r.body)
	}
	s.must(404, req{method: "PUT", path: "/api/storage/libs/missing.txt?properties=a=1"})
}

func TestCopyAndMove(t *testing.T) {
	s := searchFixture(t)
	s.must(200, req{method: "POST", path: "/api/copy/libs/org/acme/a.jar?to=other/copied/a2.jar&dry=1"})
	s.must(404, req{method: "GET", path: "/other/copied/a2.jar"})
	s.must(200, req{method: "POST", path: "/api/copy/libs/org/acme/a.jar?to=other%2Fcopied%2Fa2.jar"})
	if s.must(200, req{method: "GET", path: "/other/copied/a2.jar"}).text() != "a" {
		t.Error("copied content differs")
	}
	var p struct{ Properties map[string][]string }
	s.must(200, req{method: "GET", path: "/api/storage/other/copied/a2.jar?properties"}).json(t, &p)
	if fmt.Sprint(p.Properties) != "map[a:[1]]" {
		t.Errorf("copied properties: %v", p.Properties)
	}
	// Moving a folder to a "/"-ended target puts it underneath, with its subtree.
	s.must(200, req{method: "POST", path: "/api/move/libs/org/acme?to=/other/moved/"})
	s.must(404, req{method: "GET", path: "/libs/org/acme/sub/c.jar"})
	if s.must(200, req{method: "GET", path: "/other/moved/acme/sub/c.jar"}).text() != "c" {
		t.Error("moved content differs")
	}
	s.must(404, req{method: "POST", path: "/api/copy/libs/nope.jar?to=other/x.jar"})
}
