//go:build unix

package e2e

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"arca/internal/config"
)

// TestNpmManagement drives npm 11's management commands against a local npm repository: view,
// dist-tag, deprecate, unpublish, whoami, ping, search, audit, republishing and login. Each
// subtest works on its own packages, at once.
func TestNpmManagement(t *testing.T) {
	t.Parallel()
	npm := npmTool(t, "npm")
	var log syncBuffer
	s := startLogging(t, &log, func(c *config.Config) { c.LogRequests = true; c.LogLevel = "info" })
	dumpLogOnFailure(t, "Arca", &log)
	s.createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	reg := npmRegistry(s, "npm-local")
	token := npmToken(t, s, "admin")
	rc := npmrc(reg, "_authToken="+token)

	// The fixtures, published at once: one package per subtest.
	start := time.Now()
	type fixture struct{ name, version string }
	var fixtures []fixture
	for _, name := range []string{"mgmt-view", "mgmt-tags", "mgmt-deprecate", "mgmt-unpublish"} {
		fixtures = append(fixtures, fixture{name, "1.0.0"})
	}
	fixtures = append(fixtures, fixture{"@acme/mgmt-scoped", "1.0.0"})
	var pubs []func() (string, error)
	var what []string
	for _, f := range fixtures {
		w := newNpmWork(t, rc)
		dir := npmPackage(t, filepath.Join(w.dir, "pkg"), f.name, f.version)
		pubs = append(pubs, func() (string, error) { return w.try(dir, npm, "publish") })
		what = append(what, "npm publish "+f.name+"@"+f.version)
	}
	parallel(t, what, pubs...)
	// Second versions, again at once (a different package each).
	pubs, what = nil, nil
	for _, name := range []string{"mgmt-view", "mgmt-tags", "mgmt-deprecate", "mgmt-unpublish"} {
		w := newNpmWork(t, rc)
		dir := npmPackage(t, filepath.Join(w.dir, "pkg"), name, "1.1.0")
		pubs = append(pubs, func() (string, error) { return w.try(dir, npm, "publish") })
		what = append(what, "npm publish "+name+"@1.1.0")
	}
	parallel(t, what, pubs...)
	t.Logf("npm publish ×9: %v", time.Since(start).Round(time.Millisecond))

	t.Run("view and republish", func(t *testing.T) {
		t.Parallel()
		w := newNpmWork(t, rc)
		var v struct {
			Name     string            `json:"name"`
			Version  string            `json:"version"`
			Versions []string          `json:"versions"`
			DistTags map[string]string `json:"dist-tags"`
			Time     map[string]string `json:"time"`
			Dist     struct{ Tarball, Integrity, Shasum string }
		}
		out := w.stdout(t, "", npm, "view", "mgmt-view", "--json")
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("npm view mgmt-view --json: %v\n%s", err, out)
		}
		if v.Name != "mgmt-view" || v.Version != "1.1.0" || fmt.Sprint(v.Versions) != "[1.0.0 1.1.0]" || v.DistTags["latest"] != "1.1.0" ||
			v.Dist.Tarball != reg+"mgmt-view/-/mgmt-view-1.1.0.tgz" || !strings.HasPrefix(v.Dist.Integrity, "sha512-") || len(v.Dist.Shasum) != 40 ||
			v.Time["1.0.0"] == "" || v.Time["1.1.0"] == "" || v.Time["created"] == "" || v.Time["modified"] == "" {
			t.Errorf("npm view mgmt-view --json:\n%s", out)
		}
		npmServerFor(s, t).checkPackument(t, "npm-local", "mgmt-view", "1.1.0", "1.0.0")
		npmServerFor(s, t).checkPackument(t, "npm-local", "@acme/mgmt-scoped", "1.0.0")
		if got := strings.TrimSpace(w.stdout(t, "", npm, "view", "@acme/mgmt-scoped", "version")); got != "1.0.0" {
			t.Errorf("npm view @acme/mgmt-scoped version = %q", got)
		}

		// Publishing an existing version again fails, and leaves it as it was: npm refuses
		// when the packument lists the version, the server (409) when npm's PUT gets there.
		dir := npmPackage(t, filepath.Join(w.dir, "again"), "mgmt-view", "1.1.0")
		writeFile(t, filepath.Join(dir, "index.js"), "module.exports = 'changed';\n")
		if out := w.fails(t, dir, npm, "publish"); !strings.Contains(out, "409") && !strings.Contains(out, "cannot publish over") {
			t.Errorf("npm publish of an existing version: want a refusal, got:\n%s", out)
		}
		w.run(t, dir, npm, "pack", "--pack-destination", w.dir)
		doc := npmPublishDocument(t, filepath.Join(dir, "package.json"), filepath.Join(w.dir, "mgmt-view-1.1.0.tgz"))
		if r := npmServerFor(s, t).do(req{method: "PUT", path: "/api/npm/npm-local/mgmt-view", body: strings.NewReader(doc),
			header: map[string]string{"Content-Type": "application/json"}}); r.StatusCode != 409 {
			t.Errorf("PUT of npm's publish document for the existing mgmt-view@1.1.0: status %d, want 409\n%s", r.StatusCode, r.body)
		}
		if out := w.stdout(t, "", npm, "view", "mgmt-view", "dist.integrity"); strings.TrimSpace(out) != v.Dist.Integrity {
			t.Errorf("after the failed republish, dist.integrity = %q, want %q", out, v.Dist.Integrity)
		}
	})

	t.Run("dist-tag", func(t *testing.T) {
		t.Parallel()
		w := newNpmWork(t, rc)
		w.run(t, "", npm, "dist-tag", "add", "mgmt-tags@1.0.0", "stable")
		if out := w.stdout(t, "", npm, "dist-tag", "ls", "mgmt-tags"); !strings.Contains(out, "latest: 1.1.0") || !strings.Contains(out, "stable: 1.0.0") {
			t.Errorf("npm dist-tag ls after add:\n%s", out)
		}
		w.freshCache()
		if got := strings.TrimSpace(w.stdout(t, "", npm, "view", "mgmt-tags@stable", "version")); got != "1.0.0" {
			t.Errorf("npm view mgmt-tags@stable version = %q, want 1.0.0", got)
		}
		w.run(t, "", npm, "dist-tag", "rm", "mgmt-tags", "stable")
		if out := w.stdout(t, "", npm, "dist-tag", "ls", "mgmt-tags"); strings.Contains(out, "stable") || !strings.Contains(out, "latest: 1.1.0") {
			t.Errorf("npm dist-tag ls after rm:\n%s", out)
		}
		if p := npmServerFor(s, t).packument(t, "npm-local", "mgmt-tags"); len(p.DistTags) != 1 || p.DistTags["latest"] != "1.1.0" {
			t.Errorf("mgmt-tags dist-tags after rm: %v", p.DistTags)
		}
	})

	t.Run("deprecate", func(t *testing.T) {
		t.Parallel()
		w := newNpmWork(t, rc)
		w.run(t, "", npm, "deprecate", "mgmt-deprecate@1.0.0", "use 1.1.0")
		w.freshCache()
		if got := strings.TrimSpace(w.stdout(t, "", npm, "view", "mgmt-deprecate@1.0.0", "deprecated")); got != "use 1.1.0" {
			t.Errorf("npm view mgmt-deprecate@1.0.0 deprecated = %q, want \"use 1.1.0\"", got)
		}
		p := npmServerFor(s, t).packument(t, "npm-local", "mgmt-deprecate")
		if p.Versions["1.0.0"].Deprecated != "use 1.1.0" || p.Versions["1.1.0"].Deprecated != "" {
			t.Errorf("packument after deprecate: 1.0.0 %q 1.1.0 %q", p.Versions["1.0.0"].Deprecated, p.Versions["1.1.0"].Deprecated)
		}
		// Both versions and their tarballs are still there.
		npmServerFor(s, t).checkPackument(t, "npm-local", "mgmt-deprecate", "1.1.0", "1.0.0")
		// An empty message undeprecates.
		w.run(t, "", npm, "deprecate", "mgmt-deprecate@1.0.0", "")
		if p := npmServerFor(s, t).packument(t, "npm-local", "mgmt-deprecate"); p.Versions["1.0.0"].Deprecated != "" {
			t.Errorf("1.0.0 still deprecated after an empty message: %q", p.Versions["1.0.0"].Deprecated)
		}
	})

	t.Run("unpublish", func(t *testing.T) {
		t.Parallel()
		w := newNpmWork(t, rc)
		w.run(t, "", npm, "unpublish", "mgmt-unpublish@1.0.0")
		w.freshCache()
		out := w.stdout(t, "", npm, "view", "mgmt-unpublish", "versions", "--json")
		var versions []string
		if json.Unmarshal([]byte(out), &versions) != nil || fmt.Sprint(versions) != "[1.1.0]" {
			t.Errorf("npm view mgmt-unpublish versions --json after unpublishing 1.0.0 = %s, want [\"1.1.0\"]", out)
		}
		sv := npmServerFor(s, t)
		sv.must(404, req{method: "GET", path: "/api/npm/npm-local/mgmt-unpublish/-/mgmt-unpublish-1.0.0.tgz"})
		sv.must(200, req{method: "GET", path: "/api/npm/npm-local/mgmt-unpublish/-/mgmt-unpublish-1.1.0.tgz"})
		w.run(t, "", npm, "unpublish", "mgmt-unpublish", "--force")
		w.freshCache()
		if out := w.fails(t, "", npm, "view", "mgmt-unpublish"); !strings.Contains(out, "E404") {
			t.Errorf("npm view after unpublish --force: want E404, got:\n%s", out)
		}
		sv.must(404, req{method: "GET", path: "/api/npm/npm-local/mgmt-unpublish"})
		sv.must(404, req{method: "GET", path: "/api/npm/npm-local/mgmt-unpublish/-/mgmt-unpublish-1.1.0.tgz"})
	})

	t.Run("whoami ping search", func(t *testing.T) {
		t.Parallel()
		w := newNpmWork(t, rc)
		if got := strings.TrimSpace(w.stdout(t, "", npm, "whoami")); got != "admin" {
			t.Errorf("npm whoami = %q, want admin", got)
		}
		if out := w.run(t, "", npm, "ping"); !strings.Contains(out, "PONG") {
			t.Errorf("npm ping:\n%s", out)
		}
		out := w.stdout(t, "", npm, "search", "mgmt", "--json")
		var found []struct{ Name, Version string }
		if err := json.Unmarshal([]byte(out), &found); err != nil {
			t.Fatalf("npm search mgmt --json: %v\n%s", err, out)
		}
		var names []string
		for _, f := range found {
			names = append(names, f.Name)
		}
		if !slices.Contains(names, "mgmt-view") || !slices.Contains(names, "@acme/mgmt-scoped") {
			t.Errorf("npm search mgmt found %v, want mgmt-view and @acme/mgmt-scoped among them", names)
		}
	})

	t.Run("audit", func(t *testing.T) {
		t.Parallel()
		w := newNpmWork(t, rc)
		dir := filepath.Join(w.dir, "project")
		writeFile(t, filepath.Join(dir, "package.json"), `{"name":"audited","version":"1.0.0","private":true,"dependencies":{"mgmt-view":"^1.0.0"}}`+"\n")
		w.run(t, dir, npm, "install")
		npmMustExist(t, "npm install", dir, "node_modules/mgmt-view/index.js")
		if out := w.run(t, dir, npm, "audit"); !strings.Contains(out, "found 0 vulnerabilities") {
			t.Errorf("npm audit:\n%s", out)
		}
	})

	t.Run("login", func(t *testing.T) {
		t.Parallel()
		npmServerFor(s, t).must(201, req{method: "PUT", path: "/api/security/users/npm-dev",
			body: strings.NewReader(`{"name":"npm-dev","email":"dev@example.com","password":"Dev-passw0rd"}`)})
		// Basic credentials in the npmrc identify the user.
		basic := newNpmWork(t, npmrc(reg, "_auth="+encodeBase64("npm-dev:Dev-passw0rd")))
		if got := strings.TrimSpace(basic.stdout(t, "", npm, "whoami")); got != "npm-dev" {
			t.Errorf("npm whoami with _auth = %q, want npm-dev", got)
		}
		// npm login: the web flow is not offered (POST /-/v1/login is 404), so npm prompts
		// for the password and logs in with the CouchDB flow; it stores the token it gets.
		w := newNpmWork(t, "registry="+reg+"\n")
		out := w.interact(t, map[string]string{"Username:": "npm-dev", "Password:": "Dev-passw0rd", "Email: (this IS public)": "dev@example.com"},
			npm, "login", "--registry", reg)
		if !strings.Contains(out, "Logged in") {
			t.Errorf("npm login did not log in:\n%s", out)
		}
		if cfg := readFile(t, w.npmrc); !strings.Contains(cfg, npmAuthKey(reg)+":_authToken=") {
			t.Errorf("npm login stored no token for %s in the npmrc:\n%s\nlogin transcript:\n%s", reg, cfg, out)
		}
		if got := strings.TrimSpace(w.stdout(t, "", npm, "whoami")); got != "npm-dev" {
			t.Errorf("npm whoami after npm login = %q, want npm-dev", got)
		}
	})
}

// npmPublishDocument is the document npm publish PUTs for the package.json and its tarball
// (the npm registry API): the manifest with its dist, the latest tag and the tarball attached.
func npmPublishDocument(t *testing.T, packageJSON, tgz string) string {
	t.Helper()
	var manifest map[string]any
	if err := json.Unmarshal(readBytes(t, packageJSON), &manifest); err != nil {
		t.Fatal(err)
	}
	data := readBytes(t, tgz)
	s512, s1 := sha512.Sum512(data), sha1.Sum(data)
	name, version := manifest["name"].(string), manifest["version"].(string)
	file := filepath.Base(tgz)
	manifest["_id"] = name + "@" + version
	manifest["dist"] = map[string]any{"shasum": hex.EncodeToString(s1[:]), "integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
		"tarball": "http://registry.invalid/" + name + "/-/" + file}
	doc, _ := json.Marshal(map[string]any{"_id": name, "name": name, "dist-tags": map[string]string{"latest": version},
		"versions": map[string]any{version: manifest}, "access": nil,
		"_attachments": map[string]any{file: map[string]any{"content_type": "application/octet-stream",
			"data": base64.StdEncoding.EncodeToString(data), "length": len(data)}}})
	return string(doc)
}
