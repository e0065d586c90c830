package e2e

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fakePackument is a minimal registry packument of name@version whose tarball has the given
// checksums and lives at tarballURL.
func fakePackument(name, version, tarballURL, shasum, integrity string) string {
	return fmt.Sprintf(`{"name":%q,"dist-tags":{"latest":%q},"time":{"created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",%q:"2026-01-01T00:00:00.000Z"},
		"versions":{%q:{"name":%q,"version":%q,"dist":{"tarball":%q,"shasum":%q,"integrity":%q}}}}`,
		name, version, version, version, name, version, tarballURL, shasum, integrity)
}

func fakeNpmSums(body string) (shasum, integrity string) {
	s1, s512 := sha1.Sum([]byte(body)), sha512.Sum512([]byte(body))
	return hex.EncodeToString(s1[:]), "sha512-" + base64.StdEncoding.EncodeToString(s512[:])
}

// TestNpmRemoteVerifiesTarballs checks that a remote npm repository rewrites tarball URLs to
// point through itself and stores only tarballs that match the packument's shasum and
// integrity, even when the upstream's own checksum headers agree with the bad bytes.
func TestNpmRemoteVerifiesTarballs(t *testing.T) {
	s := start(t)
	up := newUpstream(t)
	good, bad := "good tarball bytes", "tampered tarball bytes"
	sha, integ := fakeNpmSums(good)
	up.file("ok", fakePackument("ok", "1.0.0", "https://elsewhere.example/ok/-/ok-1.0.0.tgz", sha, integ))
	up.file("ok/-/ok-1.0.0.tgz", good)
	up.file("evil", fakePackument("evil", "1.0.0", up.url()+"/evil/-/evil-1.0.0.tgz", sha, integ))
	up.file("evil/-/evil-1.0.0.tgz", bad) // correct X-Checksum headers for the bad bytes
	s.createRepo("npm-remote", `{"rclass":"remote","packageType":"npm","url":"`+up.url()+`"}`)

	var doc struct {
		Versions map[string]struct {
			Dist struct{ Tarball string } `json:"dist"`
		} `json:"versions"`
	}
	s.must(200, req{method: "GET", path: "/api/npm/npm-remote/ok"}).json(t, &doc)
	want := s.base + "/api/npm/npm-remote/ok/-/ok-1.0.0.tgz"
	if got := doc.Versions["1.0.0"].Dist.Tarball; got != want {
		t.Errorf("tarball URL = %q, want %q (through the remote)", got, want)
	}
	var manifest struct {
		Version string
		Dist    struct{ Tarball string } `json:"dist"`
	}
	s.must(200, req{method: "GET", path: "/api/npm/npm-remote/ok/latest"}).json(t, &manifest)
	if manifest.Version != "1.0.0" || manifest.Dist.Tarball != want {
		t.Errorf("GET ok/latest = %s %s, want 1.0.0 %s", manifest.Version, manifest.Dist.Tarball, want)
	}
	if r := s.must(200, req{method: "GET", path: "/api/npm/npm-remote/ok/-/ok-1.0.0.tgz"}); r.text() != good {
		t.Errorf("tarball = %q, want %q", r.text(), good)
	}
	s.must(200, req{method: "GET", path: "/api/storage/npm-remote-cache/ok/-/ok-1.0.0.tgz"})

	s.must(200, req{method: "GET", path: "/api/npm/npm-remote/evil"})
	if ok, body := fetchBroken(t, s.base+"/api/npm/npm-remote/evil/-/evil-1.0.0.tgz"); ok {
		t.Errorf("a tarball that does not match its packument was served whole: %q", body)
	}
	if r := s.get("/api/storage/npm-remote-cache/evil/-/evil-1.0.0.tgz"); r.StatusCode != 404 {
		t.Errorf("tampered tarball cached: storage GET = %d, want 404", r.StatusCode)
	}
	if r := s.do(req{method: "PUT", path: "/api/npm/npm-remote/ok", body: strings.NewReader(`{}`)}); r.StatusCode != 405 {
		t.Errorf("publish to a remote = %d, want 405\n%s", r.StatusCode, r.body)
	} else if !strings.Contains(r.text(), `"error":`) {
		t.Errorf("npm error body lacks npm's \"error\" field: %s", r.body)
	}
}

// fetchBroken GETs url as admin and reports whether the response arrived complete with 200.
func fetchBroken(t *testing.T, url string) (complete bool, body string) {
	t.Helper()
	r, _ := http.NewRequest("GET", url, nil)
	r.SetBasicAuth("admin", adminPassword)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return false, ""
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return err == nil && res.StatusCode == 200, string(b)
}

// TestNpmVirtualRoutingAndAudit checks scope routing with an exclude pattern on a remote
// member, the dependency-confusion guard on packuments, and audit forwarding.
func TestNpmVirtualRoutingAndAudit(t *testing.T) {
	s := start(t)
	up := newUpstream(t)
	body := "scoped"
	sha, integ := fakeNpmSums(body)
	up.file("@acme/x", fakePackument("@acme/x", "9.0.0", up.url()+"/@acme/x/-/x-9.0.0.tgz", sha, integ))
	up.file("@acme/x/-/x-9.0.0.tgz", body)
	up.file("lib", fakePackument("lib", "2.0.0", up.url()+"/lib/-/lib-2.0.0.tgz", sha, integ))
	up.handle("-/npm/v1/security/advisories/bulk", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Encoding") != "gzip" {
			http.Error(w, "want a gzip POST", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"lib":[{"id":1,"severity":"high","vulnerable_versions":"<3.0.0"}]}`)
	})
	s.createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	s.createRepo("npm-remote", `{"rclass":"remote","packageType":"npm","url":"`+up.url()+`"}`)
	s.createRepo("npm-remote-public", `{"rclass":"remote","packageType":"npm","url":"`+up.url()+`","excludesPattern":"@acme/**"}`)
	s.createRepo("npm-all", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local","npm-remote"]}`)
	s.createRepo("npm-routed", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local","npm-remote-public"]}`)

	s.must(200, req{method: "GET", path: "/api/npm/npm-all/@acme%2fx"})
	s.must(200, req{method: "GET", path: "/api/npm/npm-all/@acme/x/-/x-9.0.0.tgz"})
	if r := s.get("/api/npm/npm-routed/@acme%2fx"); r.StatusCode != 404 {
		t.Errorf("@acme/x through a virtual whose remote excludes @acme/** = %d, want 404", r.StatusCode)
	}
	s.must(200, req{method: "GET", path: "/api/npm/npm-routed/lib"})

	// Publishing lib locally hides the remote's lib in the merged packument (the guard).
	npmPublishRaw(t, s, "npm-local", "lib", "1.0.0", "local lib")
	var doc struct {
		DistTags map[string]string          `json:"dist-tags"`
		Versions map[string]json.RawMessage `json:"versions"`
	}
	s.must(200, req{method: "GET", path: "/api/npm/npm-all/lib"}).json(t, &doc)
	if _, remote := doc.Versions["2.0.0"]; remote || doc.DistTags["latest"] != "1.0.0" {
		t.Errorf("guarded merge: versions %v, dist-tags %v; want only the local 1.0.0", mapKeys(doc.Versions), doc.DistTags)
	}

	gz := gzipBytes(t, `{"lib":["1.0.0"]}`)
	audit := func(repo string) resp {
		return s.must(200, req{method: "POST", path: "/api/npm/" + repo + "/-/npm/v1/security/advisories/bulk", body: strings.NewReader(string(gz)),
			header: map[string]string{"Content-Encoding": "gzip", "Content-Type": "application/json"}})
	}
	if r := audit("npm-local"); strings.TrimSpace(r.text()) != "{}" {
		t.Errorf("local audit = %s, want {}", r.body)
	}
	for _, repo := range []string{"npm-remote", "npm-all"} {
		if r := audit(repo); !strings.Contains(r.text(), `"severity":"high"`) {
			t.Errorf("%s audit = %s, want the upstream's advisory", repo, r.body)
		}
	}
}

// npmPublishRaw publishes name@version with a tarball holding content, as npm publish's body.
func npmPublishRaw(t *testing.T, s *server, repo, name, version, content string) {
	t.Helper()
	sha, integ := fakeNpmSums(content)
	file := name[strings.LastIndex(name, "/")+1:] + "-" + version + ".tgz"
	body := fmt.Sprintf(`{"_id":%q,"name":%q,"dist-tags":{"latest":%q},"versions":{%q:{"name":%q,"version":%q,"dist":{"shasum":%q,"integrity":%q,"tarball":"http://x/%s"}}},
		"_attachments":{%q:{"content_type":"application/octet-stream","data":%q,"length":%d}}}`,
		name, name, version, version, name, version, sha, integ, file, file, base64.StdEncoding.EncodeToString([]byte(content)), len(content))
	s.must(201, req{method: "PUT", path: "/api/npm/" + repo + "/" + strings.Replace(name, "/", "%2f", 1), body: strings.NewReader(body),
		header: map[string]string{"Content-Type": "application/json"}})
}

func gzipBytes(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
