// Package formattest is the conformance suite every registered format passes against a running
// Arca: what a package format must guarantee whatever its protocol. A format proves itself by
// describing, in a Fixture, how its clients deploy, download and read metadata; Run then drives
// the real server over HTTP only, as those clients do:
//
//   - deploy → download round trip through a local repository;
//   - traversal and malformed names refused with a 4xx in the protocol's error shape, nothing
//     stored;
//   - a two-member virtual: both members' content served, their metadata merged;
//   - a remote repository over a second instance: a hit fetched once and then served from the
//     cache, a miss asked upstream once and then answered from the missed-retrieval cache;
//   - the dependency-confusion guard: the format's default, and the virtual's override both ways,
//     with every view of the virtual agreeing (download, metadata and its header, storage API
//     info and listing, AQL, the classic artifact search).
//
// The e2e package runs it for every format in one table (e2e/formats_test.go).
package formattest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Instance is a running Arca with an administrator's credentials.
type Instance struct {
	Base     string // http://host:port/artifactory
	User     string
	Password string
}

// Env is what the suite needs from its caller.
type Env struct {
	// Start runs a fresh Arca for t (stopped when t ends).
	Start func(t *testing.T) Instance
}

// Fixture describes one format for the suite. Paths are relative to Instance.Base and start
// with "/".
type Fixture struct {
	// PackageType is the format's package type.
	PackageType string
	// Deploy stores version of package pkg, whose main artifact is content, into repo (a local
	// repository, or a virtual with a default deployment repository) the way the format's
	// clients do.
	Deploy func(c *Client, repo, pkg, version string, content []byte) error
	// ContentPath is where a client downloads the main artifact of pkg@version from repo.
	ContentPath func(repo, pkg, version string) string
	// Versions reads pkg's metadata from repo as the format's clients do and returns the
	// versions it lists (status 404: no metadata). Nil for formats without metadata.
	Versions func(c *Client, repo, pkg string) ([]string, int, error)
	// Bad are requests (into a local repository named by Repo) the protocol must refuse.
	Bad []Bad
	// IsError reports whether a body is the protocol's error document.
	IsError func(body []byte) bool
	// UpstreamURL is the URL a remote repository of this format uses to proxy repo on the
	// instance at base.
	UpstreamURL func(base, repo string) string
	// StoragePath is where the main artifact of pkg@version is stored inside a repository (what
	// the storage API and AQL report).
	StoragePath func(pkg, version string) string
	// MetadataPath is where a client reads pkg's metadata in repo ("" for formats without).
	MetadataPath func(repo, pkg string) string
	// GuardDefault is the format's default for the dependency-confusion guard.
	GuardDefault bool
}

// Bad is a request that must be refused. Path may hold "{repo}" for the local repository's key.
type Bad struct {
	Name   string
	Method string
	Path   string
	Body   string
}

// Run runs the suite for f.
func Run(t *testing.T, env Env, f Fixture) {
	t.Run("RoundTrip", func(t *testing.T) { roundTrip(t, env, f) })
	t.Run("Refused", func(t *testing.T) { refused(t, env, f) })
	t.Run("VirtualMerge", func(t *testing.T) { virtualMerge(t, env, f) })
	t.Run("RemoteCachedOnce", func(t *testing.T) { remoteOnce(t, env, f) })
	t.Run("Guard", func(t *testing.T) { guard(t, env, f) })
}

// content is a package version's main artifact: distinct per package and version.
func content(pkg, version string) []byte {
	return []byte(strings.Repeat("conformance "+pkg+"@"+version+"\n", 40))
}

func roundTrip(t *testing.T, env Env, f Fixture) {
	c := NewClient(env.Start(t))
	c.CreateRepo(t, "conf-local", `{"rclass":"local","packageType":"`+f.PackageType+`"}`)
	want := content("roundtrip", "1.0.0")
	if err := f.Deploy(c, "conf-local", "roundtrip", "1.0.0", want); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	res := c.Do("GET", f.ContentPath("conf-local", "roundtrip", "1.0.0"), nil)
	if res.Status != http.StatusOK || !bytes.Equal(res.Body, want) {
		t.Fatalf("download: status %d, %d bytes; want 200 with the %d bytes deployed", res.Status, len(res.Body), len(want))
	}
	if f.Versions != nil {
		vs, status, err := f.Versions(c, "conf-local", "roundtrip")
		if err != nil || status != http.StatusOK || !slices.Equal(vs, []string{"1.0.0"}) {
			t.Errorf("metadata: versions %v, status %d, %v; want [1.0.0]", vs, status, err)
		}
	}
}

func refused(t *testing.T, env Env, f Fixture) {
	c := NewClient(env.Start(t))
	c.CreateRepo(t, "conf-local", `{"rclass":"local","packageType":"`+f.PackageType+`"}`)
	before := c.Files(t, "conf-local")
	for _, b := range f.Bad {
		res := c.Do(b.Method, strings.ReplaceAll(b.Path, "{repo}", "conf-local"), []byte(b.Body))
		if res.Status < 400 || res.Status > 499 {
			t.Errorf("%s: %s %s answered %d, want a 4xx", b.Name, b.Method, b.Path, res.Status)
			continue
		}
		if !f.IsError(res.Body) {
			t.Errorf("%s: the %d body is not the protocol's error document: %s", b.Name, res.Status, trunc(res.Body))
		}
	}
	if after := c.Files(t, "conf-local"); !slices.Equal(before, after) {
		t.Errorf("refused requests changed the repository: before %v, after %v", before, after)
	}
}

func virtualMerge(t *testing.T, env Env, f Fixture) {
	c := NewClient(env.Start(t))
	typ := `"packageType":"` + f.PackageType + `"`
	c.CreateRepo(t, "conf-a", `{"rclass":"local",`+typ+`}`)
	c.CreateRepo(t, "conf-b", `{"rclass":"local",`+typ+`}`)
	c.CreateRepo(t, "conf-v", `{"rclass":"virtual",`+typ+`,"repositories":["conf-a","conf-b"]}`)
	for _, d := range []struct{ repo, version string }{{"conf-a", "1.0.0"}, {"conf-b", "2.0.0"}} {
		if err := f.Deploy(c, d.repo, "merged", d.version, content("merged", d.version)); err != nil {
			t.Fatalf("deploy %s to %s: %v", d.version, d.repo, err)
		}
	}
	for _, v := range []string{"1.0.0", "2.0.0"} {
		res := c.Do("GET", f.ContentPath("conf-v", "merged", v), nil)
		if res.Status != http.StatusOK || !bytes.Equal(res.Body, content("merged", v)) {
			t.Errorf("%s through the virtual: status %d, %d bytes", v, res.Status, len(res.Body))
		}
	}
	if f.Versions == nil {
		return
	}
	vs, status, err := f.Versions(c, "conf-v", "merged")
	slices.Sort(vs)
	if err != nil || status != http.StatusOK || !slices.Equal(vs, []string{"1.0.0", "2.0.0"}) {
		t.Errorf("merged metadata: versions %v, status %d, %v; want both members' [1.0.0 2.0.0]", vs, status, err)
	}
}

// upstream starts a second instance holding pkg's versions in a local repository "conf-up",
// behind a counting proxy, and returns the proxy.
func upstream(t *testing.T, env Env, f Fixture, pkg string, versions ...string) *Proxy {
	up := NewClient(env.Start(t))
	up.CreateRepo(t, "conf-up", `{"rclass":"local","packageType":"`+f.PackageType+`"}`)
	for _, v := range versions {
		if err := f.Deploy(up, "conf-up", pkg, v, content(pkg, v)); err != nil {
			t.Fatalf("deploy %s@%s upstream: %v", pkg, v, err)
		}
	}
	return NewProxy(t, up.Instance)
}

// remoteJSON is a remote repository of the fixture's type over the upstream instance behind p.
func remoteJSON(f Fixture, p *Proxy) string {
	return fmt.Sprintf(`{"rclass":"remote","packageType":%q,"url":%q,"username":%q,"password":%q,"missedRetrievalCachePeriodSecs":600}`,
		f.PackageType, f.UpstreamURL(p.Base, "conf-up"), p.User, p.Password)
}

func remoteOnce(t *testing.T, env Env, f Fixture) {
	proxy := upstream(t, env, f, "proxied", "1.0.0")
	c := NewClient(env.Start(t))
	c.CreateRepo(t, "conf-remote", remoteJSON(f, proxy))
	hit := f.ContentPath("conf-remote", "proxied", "1.0.0")
	for i := range 2 {
		res := c.Do("GET", hit, nil)
		if res.Status != http.StatusOK || !bytes.Equal(res.Body, content("proxied", "1.0.0")) {
			t.Fatalf("GET %d of the upstream's artifact: status %d, %d bytes", i+1, res.Status, len(res.Body))
		}
	}
	if n := proxy.Count(f.ContentPath("conf-up", "proxied", "1.0.0")); n != 1 {
		t.Errorf("two downloads through the remote reached the upstream %d times, want once (requests: %v)", n, proxy.Paths())
	}
	miss := f.ContentPath("conf-remote", "proxied", "9.9.9")
	for i := range 2 {
		if res := c.Do("GET", miss, nil); res.Status != http.StatusNotFound {
			t.Fatalf("GET %d of a missing artifact: status %d, want 404", i+1, res.Status)
		}
	}
	if n := proxy.Count(f.ContentPath("conf-up", "proxied", "9.9.9")); n != 1 {
		t.Errorf("two misses reached the upstream %d times, want once (requests: %v)", n, proxy.Paths())
	}
}

func guard(t *testing.T, env Env, f Fixture) {
	proxy := upstream(t, env, f, "claimed", "1.0.0", "2.0.0")
	c := NewClient(env.Start(t))
	typ := `"packageType":"` + f.PackageType + `"`
	c.CreateRepo(t, "conf-local", `{"rclass":"local",`+typ+`}`)
	c.CreateRepo(t, "conf-remote", remoteJSON(f, proxy))
	if err := f.Deploy(c, "conf-local", "claimed", "1.0.0", content("claimed", "1.0.0")); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	// The remote's 2.0.0 in its cache: what listings and searches could show.
	if res := c.Do("GET", f.ContentPath("conf-remote", "claimed", "2.0.0"), nil); res.Status != http.StatusOK {
		t.Fatalf("caching 2.0.0 through the remote: %d %s", res.Status, trunc(res.Body))
	}
	for _, tc := range []struct {
		name, setting string
		on            bool
	}{
		{"default", "", f.GuardDefault},
		{"on", `,"dependencyConfusionGuard":true`, true},
		{"off", `,"dependencyConfusionGuard":false`, false},
	} {
		key := "conf-v-" + tc.name
		c.CreateRepo(t, key, `{"rclass":"virtual",`+typ+`,"repositories":["conf-local","conf-remote"]`+tc.setting+`}`)
		res := c.Do("GET", f.ContentPath(key, "claimed", "2.0.0"), nil)
		if tc.on && res.Status != http.StatusNotFound {
			t.Errorf("%s (guard on): the remote's 2.0.0 of a locally held package answered %d, want 404", tc.name, res.Status)
		}
		if !tc.on && (res.Status != http.StatusOK || !bytes.Equal(res.Body, content("claimed", "2.0.0"))) {
			t.Errorf("%s (guard off): the remote's 2.0.0 answered %d, want 200 with its content", tc.name, res.Status)
		}
		guardViews(t, c, f, key, tc.name, tc.on)
		if f.Versions == nil {
			continue
		}
		vs, status, err := f.Versions(c, key, "claimed")
		slices.Sort(vs)
		want := []string{"1.0.0", "2.0.0"}
		if tc.on {
			want = []string{"1.0.0"}
		}
		if err != nil || status != http.StatusOK || !slices.Equal(vs, want) {
			t.Errorf("%s: metadata lists %v (status %d, %v), want %v", tc.name, vs, status, err, want)
		}
		if f.MetadataPath != nil {
			h := c.Do("GET", f.MetadataPath(key, "claimed"), nil).Header.Get("X-Arca-Dependency-Guard")
			if tc.on != (h != "") {
				t.Errorf("%s: metadata header X-Arca-Dependency-Guard = %q, want it set: %v", tc.name, h, tc.on)
			}
		}
	}
}

// guardViews checks that the storage API, AQL and the classic search through virtual key show
// the remote's cached claimed@2.0.0 exactly when the guard is off.
func guardViews(t *testing.T, c *Client, f Fixture, key, name string, on bool) {
	t.Helper()
	file := f.StoragePath("claimed", "2.0.0")
	base := file[strings.LastIndexByte(file, '/')+1:]
	if listed := slices.Contains(c.Files(t, key), "/"+file); listed == on {
		t.Errorf("%s: the storage API's deep list shows %s: %v, want %v", name, file, listed, !on)
	}
	if st := c.Do("GET", "/api/storage/"+key+"/"+file, nil).Status; (st == http.StatusNotFound) != on {
		t.Errorf("%s: the storage API's info of %s answered %d (guard on: %v)", name, file, st, on)
	}
	aql := fmt.Sprintf(`items.find({"repo":%q,"name":%q})`, key, base)
	res := c.DoHeader("POST", "/api/search/aql", []byte(aql), http.Header{"Content-Type": {"text/plain"}})
	var doc struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(res.Body, &doc); res.Status != http.StatusOK || err != nil {
		t.Fatalf("%s: AQL answered %d: %s", name, res.Status, trunc(res.Body))
	}
	if found := len(doc.Results) > 0; found == on {
		t.Errorf("%s: AQL finds %s: %v, want %v", name, base, found, !on)
	}
	res = c.Do("GET", "/api/search/artifact?name="+base+"&repos="+key, nil)
	doc.Results = nil
	if err := json.Unmarshal(res.Body, &doc); res.Status != http.StatusOK || err != nil {
		t.Fatalf("%s: artifact search answered %d: %s", name, res.Status, trunc(res.Body))
	}
	if found := len(doc.Results) > 0; found == on {
		t.Errorf("%s: the artifact search finds %s: %v, want %v", name, base, found, !on)
	}
}

func trunc(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// ArtifactoryError reports Artifactory's error document: {"errors":[{"status":…,"message":…}]}.
func ArtifactoryError(body []byte) bool {
	var doc struct {
		Errors []struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	return json.Unmarshal(body, &doc) == nil && len(doc.Errors) == 1 && doc.Errors[0].Status >= 400 && doc.Errors[0].Message != ""
}
