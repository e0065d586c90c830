//go:build unix

package e2e

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// npmPackument is the part of a packument the tests read.
type npmPackument struct {
	Name     string            `json:"name"`
	DistTags map[string]string `json:"dist-tags"`
	Versions map[string]struct {
		Name         string            `json:"name"`
		Version      string            `json:"version"`
		Dependencies map[string]string `json:"dependencies"`
		Deprecated   string            `json:"deprecated"`
		Dist         struct {
			Tarball   string `json:"tarball"`
			Integrity string `json:"integrity"`
			Shasum    string `json:"shasum"`
		} `json:"dist"`
	} `json:"versions"`
	Time map[string]string `json:"time"`
}

// packument fetches name's packument from repository key as npm does, failing the test unless
// it is 200.
func (s *server) packument(t *testing.T, key, name string) npmPackument {
	t.Helper()
	r := npmServerFor(s, t).must(200, req{method: "GET", path: "/api/npm/" + key + "/" + strings.Replace(name, "/", "%2f", 1),
		header: map[string]string{"Accept": "application/json"}})
	var p npmPackument
	r.json(t, &p)
	return p
}

// checkPackument asserts that the packument of name in key has versions (latest the first) with
// the dist fields npm needs, tarballs served through key and matching their integrity, and a
// time map with created, modified and each version.
func (s *server) checkPackument(t *testing.T, key, name string, versions ...string) npmPackument {
	t.Helper()
	p := s.packument(t, key, name)
	if p.Name != name || p.DistTags["latest"] != versions[0] {
		t.Errorf("%s in %s: name %q dist-tags %v, want %s latest %s", name, key, p.Name, p.DistTags, name, versions[0])
	}
	for _, k := range []string{"created", "modified"} {
		if _, err := time.Parse(time.RFC3339, p.Time[k]); err != nil {
			t.Errorf("%s in %s: time.%s = %q: %v", name, key, k, p.Time[k], err)
		}
	}
	base := name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		base = name[i+1:]
	}
	for _, v := range versions {
		m, ok := p.Versions[v]
		if !ok {
			t.Errorf("%s in %s: no version %s among %v", name, key, v, keys(p.Versions))
			continue
		}
		if _, err := time.Parse(time.RFC3339, p.Time[v]); err != nil {
			t.Errorf("%s in %s: time[%s] = %q: %v", name, key, v, p.Time[v], err)
		}
		want := npmRegistry(s, key) + name + "/-/" + base + "-" + v + ".tgz"
		if m.Dist.Tarball != want {
			t.Errorf("%s@%s in %s: dist.tarball %q, want %q", name, v, key, m.Dist.Tarball, want)
			continue
		}
		tgz := npmServerFor(s, t).must(200, req{method: "GET", path: strings.TrimPrefix(m.Dist.Tarball, s.base)}).body
		s512, s1 := sha512.Sum512(tgz), sha1.Sum(tgz)
		if integrity := "sha512-" + base64.StdEncoding.EncodeToString(s512[:]); m.Dist.Integrity != integrity {
			t.Errorf("%s@%s in %s: dist.integrity %q, the tarball's is %q", name, v, key, m.Dist.Integrity, integrity)
		}
		if m.Dist.Shasum != hex.EncodeToString(s1[:]) {
			t.Errorf("%s@%s in %s: dist.shasum %q, the tarball's is %x", name, v, key, m.Dist.Shasum, s1)
		}
	}
	return p
}

func keys[V any](m map[string]V) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

var npmTarballGet = regexp.MustCompile(`method=GET path=(\S+\.tgz) status=\d+`)

// npmTarballGets lists the tarball downloads of a request log.
func npmTarballGets(log string) []string {
	var got []string
	for _, m := range npmTarballGet.FindAllStringSubmatch(log, -1) {
		got = append(got, m[1])
	}
	return got
}

// TestNpmEndToEnd drives npm 11, pnpm, yarn 4 and bun (docs/development.md) against two Arca
// instances: B holds npm-local with a small dependency tree; A has npm-local, npm-remote (→ B)
// and npm-virtual over both. Packages are published through A's virtual (plain, scoped and
// under the beta tag); fresh projects install a tree whose transitive dependencies come from B.
// A second virtual, whose remote excludes @acme/**, does not serve B's scoped package.
func TestNpmEndToEnd(t *testing.T) {
	t.Parallel()
	npm := npmTool(t, "npm")
	npmTool(t, "node")
	a, b, _, logB := startPair(t)

	b.createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	a.createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	remote := `{"rclass":"remote","packageType":"npm","url":"` + b.base + `/api/npm/npm-local","username":"admin","password":"` + adminPassword + `"`
	a.createRepo("npm-remote", remote+`}`)
	a.createRepo("npm-remote-public", remote+`,"excludesPattern":"@acme/**"}`)
	a.createRepo("npm-virtual", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local","npm-remote"],"defaultDeploymentRepo":"npm-local"}`)
	a.createRepo("npm-public", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local","npm-remote-public"]}`)
	tokenA, tokenB := npmToken(t, a, "admin"), npmToken(t, b, "admin")
	virtual := npmRegistry(a, "npm-virtual")

	// 1. B: dep-a → dep-b, and @acme/upstream-only, published by npm at once.
	start := time.Now()
	upstream := npmRegistry(b, "npm-local")
	var pubs []func() (string, error)
	var what []string
	for _, p := range [][]string{{"dep-b", "1.0.0"}, {"dep-a", "1.0.0", "dep-b@^1.0.0"}, {"@acme/upstream-only", "1.0.0"}} {
		w := newNpmWork(t, npmrc(upstream, "_authToken="+tokenB))
		dir := npmPackage(t, filepath.Join(w.dir, "pkg"), p[0], p[1], p[2:]...)
		pubs = append(pubs, func() (string, error) { return w.try(dir, npm, "publish") })
		what = append(what, "npm publish "+p[0]+" to B")
	}
	parallel(t, what, pubs...)
	t.Logf("npm publish ×3 to B: %v", time.Since(start).Round(time.Millisecond))
	b.checkPackument(t, "npm-local", "dep-a", "1.0.0")
	b.checkPackument(t, "npm-local", "@acme/upstream-only", "1.0.0")

	// 2. A, through the virtual: app-lib 1.0.0 (→ dep-a, on B) and @acme/x (→ app-lib), then
	// app-lib 2.0.0-beta.1 under the beta tag.
	start = time.Now()
	pubA := newNpmWork(t, npmrc(virtual, "_authToken="+tokenA))
	pubX := newNpmWork(t, npmrc(virtual, "_authToken="+tokenA))
	lib1 := npmPackage(t, filepath.Join(pubA.dir, "app-lib-1"), "app-lib", "1.0.0", "dep-a@^1.0.0")
	x := npmPackage(t, filepath.Join(pubX.dir, "x"), "@acme/x", "1.0.0", "app-lib@^1.0.0")
	parallel(t, []string{"npm publish app-lib 1.0.0 to A's virtual", "npm publish @acme/x to A's virtual"},
		func() (string, error) { return pubA.try(lib1, npm, "publish") },
		func() (string, error) { return pubX.try(x, npm, "publish") })
	lib2 := npmPackage(t, filepath.Join(pubA.dir, "app-lib-2"), "app-lib", "2.0.0-beta.1", "dep-a@^1.0.0")
	pubA.run(t, lib2, npm, "publish", "--tag", "beta")
	t.Logf("npm publish ×3 to A's virtual: %v", time.Since(start).Round(time.Millisecond))

	// They landed in npm-local; the virtual serves them, and B's packages, with its own URLs.
	p := a.checkPackument(t, "npm-local", "app-lib", "1.0.0", "2.0.0-beta.1")
	if p.DistTags["beta"] != "2.0.0-beta.1" {
		t.Errorf("app-lib dist-tags %v, want beta 2.0.0-beta.1", p.DistTags)
	}
	a.checkPackument(t, "npm-local", "@acme/x", "1.0.0")
	a.checkPackument(t, "npm-virtual", "app-lib", "1.0.0", "2.0.0-beta.1")
	a.checkPackument(t, "npm-virtual", "@acme/x", "1.0.0")
	a.checkPackument(t, "npm-virtual", "dep-a", "1.0.0")
	if got := pubA.stdout(t, "", npm, "view", "app-lib@beta", "version"); strings.TrimSpace(got) != "2.0.0-beta.1" {
		t.Errorf("npm view app-lib@beta version through the virtual = %q, want 2.0.0-beta.1", got)
	}
	a.must(404, req{method: "GET", path: "/api/npm/npm-local/dep-a"})

	// 3. npm install in a fresh project with a fresh cache: the tree comes through A's virtual,
	// dep-a and dep-b from B.
	consumer := func(dir string) string {
		writeFile(t, filepath.Join(dir, "package.json"),
			`{"name":"consumer","version":"1.0.0","private":true,"dependencies":{"@acme/x":"^1.0.0","app-lib":"^1.0.0"}}`+"\n")
		return dir
	}
	const wantTree = "@acme/x@1.0.0(app-lib@1.0.0(dep-a@1.0.0(dep-b@1.0.0)))"
	installed := []string{"node_modules/@acme/x/index.js", "node_modules/app-lib/index.js", "node_modules/dep-a/package.json", "node_modules/dep-b/index.js"}
	start = time.Now()
	wi := newNpmWork(t, npmrc(virtual, "_authToken="+tokenA))
	proj := consumer(filepath.Join(wi.dir, "project"))
	wi.run(t, proj, npm, "install")
	t.Logf("npm install: %v", time.Since(start).Round(time.Millisecond))
	npmMustExist(t, "npm install", proj, installed...)
	if got := npmRequire(t, wi, proj, "@acme/x"); got != wantTree {
		t.Errorf("after npm install, require(\"@acme/x\") = %s, want %s", got, wantTree)
	}
	lock := readBytes(t, filepath.Join(proj, "package-lock.json"))
	checkNpmLock(t, lock, virtual, map[string]string{"node_modules/@acme/x": "1.0.0", "node_modules/app-lib": "1.0.0",
		"node_modules/dep-a": "1.0.0", "node_modules/dep-b": "1.0.0"})
	// B's tarballs are now cached by A's remote.
	a.must(200, req{method: "GET", path: "/api/npm/npm-remote/dep-b/-/dep-b-1.0.0.tgz"})

	// 4. At once, each with empty caches: npm ci from that lockfile, pnpm, yarn 4 and bun, and
	// the scope-routing checks. The tarballs come from A's caches: B serves none.
	fromB := npmTarballGets(logB.String())
	if !slices.Contains(fromB, "/artifactory/api/npm/npm-local/dep-b/-/dep-b-1.0.0.tgz") {
		t.Errorf("B's request log shows no download of dep-b's tarball: %v", fromB)
	}
	before := len(fromB)
	start = time.Now()
	t.Run("clients", func(t *testing.T) {
		t.Run("npm ci", func(t *testing.T) {
			t.Parallel()
			w := newNpmWork(t, npmrc(virtual, "_authToken="+tokenA))
			dir := consumer(filepath.Join(w.dir, "project"))
			writeFile(t, filepath.Join(dir, "package-lock.json"), string(lock))
			w.run(t, dir, npm, "ci")
			npmMustExist(t, "npm ci", dir, installed...)
			if got := npmRequire(t, w, dir, "@acme/x"); got != wantTree {
				t.Errorf("after npm ci, require(\"@acme/x\") = %s, want %s", got, wantTree)
			}
		})
		t.Run("pnpm", func(t *testing.T) {
			t.Parallel()
			pnpm := npmTool(t, "pnpm")
			// pnpm gets Basic credentials (_auth) rather than a token.
			rc := npmrc(virtual, "_auth="+encodeBase64("admin:"+adminPassword))
			w := newNpmWork(t, rc)
			dir := consumer(filepath.Join(w.dir, "project"))
			writeFile(t, filepath.Join(dir, ".npmrc"), rc)
			writeFile(t, filepath.Join(dir, "pnpm-workspace.yaml"), "minimumReleaseAge: 0\n")
			w.run(t, dir, pnpm, "install", "--store-dir", filepath.Join(w.dir, "pnpm-store"), "--no-frozen-lockfile", "--reporter", "append-only")
			npmMustExist(t, "pnpm install", dir, "node_modules/@acme/x/index.js", "node_modules/app-lib/index.js",
				"node_modules/.pnpm/dep-b@1.0.0/node_modules/dep-b/index.js", "pnpm-lock.yaml")
			if got := npmRequire(t, w, dir, "@acme/x"); got != wantTree {
				t.Errorf("after pnpm install, require(\"@acme/x\") = %s, want %s", got, wantTree)
			}
			if l := readFile(t, filepath.Join(dir, "pnpm-lock.yaml")); !strings.Contains(l, "dep-b@1.0.0") {
				t.Errorf("pnpm-lock.yaml lacks dep-b@1.0.0:\n%s", l)
			}
		})
		t.Run("yarn", func(t *testing.T) {
			t.Parallel()
			yarn := npmTool(t, "yarn")
			w := newNpmWork(t, "")
			dir := consumer(filepath.Join(w.dir, "project"))
			writeFile(t, filepath.Join(dir, ".yarnrc.yml"), `npmRegistryServer: "`+strings.TrimSuffix(virtual, "/")+`"
npmAuthToken: "`+tokenA+`"
npmAlwaysAuth: true
unsafeHttpWhitelist: ["127.0.0.1"]
enableTelemetry: false
enableGlobalCache: false
npmMinimalAgeGate: 0
nodeLinker: node-modules
`)
			writeFile(t, filepath.Join(dir, "yarn.lock"), "")
			w.run(t, dir, yarn, "install", "--no-immutable")
			npmMustExist(t, "yarn install", dir, installed...)
			if got := npmRequire(t, w, dir, "@acme/x"); got != wantTree {
				t.Errorf("after yarn install, require(\"@acme/x\") = %s, want %s", got, wantTree)
			}
			if l := readFile(t, filepath.Join(dir, "yarn.lock")); !strings.Contains(l, "dep-b@npm:1.0.0") || !strings.Contains(l, "checksum:") {
				t.Errorf("yarn.lock lacks dep-b@npm:1.0.0 or checksums:\n%s", l)
			}
		})
		t.Run("bun", func(t *testing.T) {
			t.Parallel()
			bun := npmTool(t, "bun")
			rc := npmrc(virtual, "_authToken="+tokenA)
			w := newNpmWork(t, rc)
			dir := consumer(filepath.Join(w.dir, "project"))
			writeFile(t, filepath.Join(dir, ".npmrc"), rc)
			writeFile(t, filepath.Join(dir, "bunfig.toml"), "[install]\nregistry = { url = \""+virtual+"\", token = \""+tokenA+"\" }\n")
			w.run(t, dir, bun, "install", "--no-progress")
			npmMustExist(t, "bun install", dir, installed...)
			if got := npmRequire(t, w, dir, "@acme/x"); got != wantTree {
				t.Errorf("after bun install, require(\"@acme/x\") = %s, want %s", got, wantTree)
			}
		})
		t.Run("scope routing", func(t *testing.T) {
			t.Parallel()
			npmScopeRouting(t, a, npm, tokenA)
		})
	})
	t.Logf("npm ci, pnpm, yarn, bun and scope routing at once: %v", time.Since(start).Round(time.Millisecond))
	if got := npmTarballGets(logB.String())[before:]; len(got) > 0 {
		t.Errorf("B served tarballs again although A's remote had cached them: %v", got)
	}
}

// checkNpmLock asserts that package-lock.json has the packages at the versions of want, each
// resolved through registry with an integrity.
func checkNpmLock(t *testing.T, lock []byte, registry string, want map[string]string) {
	t.Helper()
	var l struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Version   string `json:"version"`
			Resolved  string `json:"resolved"`
			Integrity string `json:"integrity"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(lock, &l); err != nil {
		t.Fatalf("package-lock.json: %v\n%s", err, lock)
	}
	for path, v := range want {
		p, ok := l.Packages[path]
		if !ok {
			t.Errorf("package-lock.json has no %s:\n%s", path, lock)
			continue
		}
		name := strings.TrimPrefix(path, "node_modules/")
		base := name[strings.LastIndex(name, "/")+1:]
		if wantURL := registry + name + "/-/" + base + "-" + v + ".tgz"; p.Version != v || p.Resolved != wantURL || !strings.HasPrefix(p.Integrity, "sha512-") {
			t.Errorf("package-lock.json %s: version %q resolved %q integrity %q; want %s %s sha512-…", path, p.Version, p.Resolved, p.Integrity, v, wantURL)
		}
	}
	if len(l.Packages) != len(want)+1 {
		t.Errorf("package-lock.json lists %v, want the root and %v", keys(l.Packages), keys(want))
	}
}

// npmScopeRouting: npm-public's remote member excludes @acme/**, so @acme/upstream-only (only on
// B) is not found through it, while npm-virtual serves it; npm-public still serves B's unscoped
// packages and the local @acme/x.
func npmScopeRouting(t *testing.T, a *server, npm, token string) {
	public, virtual := npmRegistry(a, "npm-public"), npmRegistry(a, "npm-virtual")
	w := newNpmWork(t, npmrc(public, "_authToken="+token, npmAuthKey(virtual)+":_authToken="+token))
	if got := strings.TrimSpace(w.stdout(t, "", npm, "view", "@acme/upstream-only", "version", "--registry", virtual)); got != "1.0.0" {
		t.Errorf("npm view @acme/upstream-only version through npm-virtual = %q, want 1.0.0", got)
	}
	for _, name := range []string{"dep-a", "@acme/x"} {
		if got := strings.TrimSpace(w.stdout(t, "", npm, "view", name, "version")); got != "1.0.0" {
			t.Errorf("npm view %s version through npm-public = %q, want 1.0.0", name, got)
		}
	}
	if out := w.fails(t, "", npm, "view", "@acme/upstream-only"); !strings.Contains(out, "E404") {
		t.Errorf("npm view @acme/upstream-only through npm-public: want E404, got:\n%s", out)
	}
	dir := filepath.Join(w.dir, "project")
	writeFile(t, filepath.Join(dir, "package.json"), `{"name":"scoped","version":"1.0.0","private":true}`+"\n")
	w.freshCache()
	if out := w.fails(t, dir, npm, "install", "@acme/upstream-only@1.0.0"); !strings.Contains(out, "E404") {
		t.Errorf("npm install @acme/upstream-only through npm-public: want E404, got:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules/@acme/upstream-only")); err == nil {
		t.Errorf("@acme/upstream-only was installed through npm-public")
	}
	s := npmServerFor(a, t)
	s.must(404, req{method: "GET", path: "/api/npm/npm-public/@acme%2fupstream-only"})
	s.must(404, req{method: "GET", path: "/api/npm/npm-public/@acme/upstream-only/-/upstream-only-1.0.0.tgz"})
}
