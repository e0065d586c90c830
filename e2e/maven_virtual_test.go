package e2e

import (
	"regexp"
	"strings"
	"testing"
)

const pomWithRepositories = `<?xml version="1.0" encoding="UTF-8"?>
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>lib</artifactId>
  <version>1.0</version>
  <repositories>
    <repository><id>elsewhere</id><url>https://repo.example.com/</url></repository>
  </repositories>
</project>
`

func TestMavenVirtualCleansPOMsAndChecksHTTPRules(t *testing.T) {
	s := start(t)
	s.createRepo("mvn-local", `{"rclass":"local","packageType":"maven"}`)
	s.createRepo("mvn-releases", `{"rclass":"local","packageType":"maven","handleSnapshots":false}`)
	s.createRepo("mvn", `{"rclass":"virtual","packageType":"maven","repositories":["mvn-local"]}`)
	s.createRepo("mvn-keep", `{"rclass":"virtual","packageType":"maven","repositories":["mvn-local"],"pomRepositoryReferencesCleanupPolicy":"nothing"}`)
	const pom = "/com/acme/lib/1.0/lib-1.0.pom"
	s.must(201, req{method: "PUT", path: "/mvn-local" + pom, body: strings.NewReader(pomWithRepositories)})

	direct := s.must(200, req{method: "GET", path: "/mvn-local" + pom}).text()
	cleaned := s.must(200, req{method: "GET", path: "/mvn" + pom}).text()
	kept := s.must(200, req{method: "GET", path: "/mvn-keep" + pom}).text()
	if direct != pomWithRepositories || kept != pomWithRepositories {
		t.Errorf("the POM changed outside the cleaning virtual")
	}
	if strings.Contains(cleaned, "<repositories>") || !strings.Contains(cleaned, "<artifactId>lib</artifactId>") {
		t.Errorf("POM through the virtual:\n%s", cleaned)
	}
	_, sha1, _ := sums([]byte(cleaned))
	if got := s.must(200, req{method: "GET", path: "/mvn" + pom + ".sha1"}).text(); got != sha1 {
		t.Errorf("sha1 through the virtual = %s, want the cleaned POM's %s", got, sha1)
	}

	// Arca maintains maven-metadata.xml; a client's copy is accepted but not served.
	meta := s.must(200, req{method: "GET", path: "/mvn-local/com/acme/lib/maven-metadata.xml"}).text()
	if !strings.Contains(meta, "<version>1.0</version>") || !strings.Contains(meta, "<release>1.0</release>") {
		t.Errorf("computed metadata:\n%s", meta)
	}
	s.must(201, req{method: "PUT", path: "/mvn-local/com/acme/lib/maven-metadata.xml", body: strings.NewReader("<metadata>bogus</metadata>")})
	// (The upload makes Arca compute the document again: only lastUpdated may differ.)
	stamp := regexp.MustCompile(`<lastUpdated>\d+</lastUpdated>`)
	if got := s.must(200, req{method: "GET", path: "/mvn-local/com/acme/lib/maven-metadata.xml"}).text(); stamp.ReplaceAllString(got, "") != stamp.ReplaceAllString(meta, "") {
		t.Errorf("a client's metadata upload replaced the computed one:\n%s", got)
	}

	// Rules of Maven deploys.
	tests := []struct {
		name, path, body string
		status           int
		msg              string
	}{
		{"POM coordinates", "/mvn-local/com/acme/other/1.0/other-1.0.pom", pomWithRepositories, 409, "does not match"},
		{"snapshot into releases", "/mvn-releases/com/acme/lib/1.1-SNAPSHOT/lib-1.1-20261121.052921-1.jar", "x", 409, "handleSnapshots"},
		{"wrong client checksum", "/mvn-local" + pom + ".sha1", strings.Repeat("0", 40), 409, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(req{method: "PUT", path: tt.path, body: strings.NewReader(tt.body)})
			if r.StatusCode != tt.status || !strings.Contains(errorMessage(t, r), tt.msg) {
				t.Errorf("status %d, want %d with %q: %s", r.StatusCode, tt.status, tt.msg, r.body)
			}
		})
	}
	// mvn uploads checksums of its own metadata copy, which is not served: acknowledged.
	s.must(201, req{method: "PUT", path: "/mvn-local/com/acme/lib/maven-metadata.xml.sha1", body: strings.NewReader(strings.Repeat("0", 40))})
	_, rightSHA1, _ := sums([]byte(pomWithRepositories))
	s.must(201, req{method: "PUT", path: "/mvn-local" + pom + ".sha1", body: strings.NewReader(rightSHA1)})
}

func TestMavenMaxUniqueSnapshots(t *testing.T) {
	s := start(t)
	s.createRepo("snaps", `{"rclass":"local","packageType":"maven","maxUniqueSnapshots":2}`)
	dir := "/snaps/com/acme/app/1.0-SNAPSHOT/"
	for _, build := range []string{"20261121.010000-1", "20261121.020000-2", "20261121.030000-3"} {
		s.must(201, req{method: "PUT", path: dir + "app-1.0-" + build + ".jar", body: strings.NewReader(build)})
	}
	s.must(404, req{method: "GET", path: dir + "app-1.0-20261121.010000-1.jar"})
	s.must(200, req{method: "GET", path: dir + "app-1.0-20261121.020000-2.jar"})
	meta := s.must(200, req{method: "GET", path: dir + "maven-metadata.xml"}).text()
	if !strings.Contains(meta, "<timestamp>20261121.030000</timestamp>") || !strings.Contains(meta, "<buildNumber>3</buildNumber>") {
		t.Errorf("snapshot metadata after pruning:\n%s", meta)
	}
}

func TestMavenSnapshotVersionBehavior(t *testing.T) {
	s := start(t)
	s.createRepo("uniq", `{"rclass":"local","packageType":"maven"}`) // unique by default
	s.createRepo("plain", `{"rclass":"local","packageType":"maven","snapshotVersionBehavior":"non-unique"}`)
	s.createRepo("asis", `{"rclass":"local","packageType":"maven","snapshotVersionBehavior":"deployer"}`)
	dir := "/com/acme/app/1.0-SNAPSHOT/"
	pom := `<project><modelVersion>4.0.0</modelVersion><groupId>com.acme</groupId><artifactId>app</artifactId><version>1.0-SNAPSHOT</version></project>`
	deployed := func(repo, name, body string) string {
		t.Helper()
		var info struct{ Path string }
		s.must(201, req{method: "PUT", path: "/" + repo + dir + name, body: strings.NewReader(body)}).json(t, &info)
		return info.Path
	}

	// A client sending non-unique names: the files of one deploy share a build, its checksums
	// follow the renamed files, and the next deploy starts a new build.
	jar := deployed("uniq", "app-1.0-SNAPSHOT.jar", "jar v1")
	if !strings.HasSuffix(jar, "-1.jar") || strings.Contains(jar, "SNAPSHOT.jar") {
		t.Fatalf("unique: the jar was stored at %s", jar)
	}
	pomAt := deployed("uniq", "app-1.0-SNAPSHOT.pom", pom)
	if strings.TrimSuffix(pomAt, ".pom") != strings.TrimSuffix(jar, ".jar") {
		t.Errorf("the pom %s did not join the jar's build %s", pomAt, jar)
	}
	_, jarSHA1, _ := sums([]byte("jar v1"))
	s.must(201, req{method: "PUT", path: "/uniq" + dir + "app-1.0-SNAPSHOT.jar.sha1", body: strings.NewReader(jarSHA1)})
	s.must(409, req{method: "PUT", path: "/uniq" + dir + "app-1.0-SNAPSHOT.jar.sha1", body: strings.NewReader(strings.Repeat("0", 40))})
	second := deployed("uniq", "app-1.0-SNAPSHOT.jar", "jar v2")
	if !strings.HasSuffix(second, "-2.jar") {
		t.Errorf("the second deploy was stored at %s, want build 2", second)
	}
	meta := s.must(200, req{method: "GET", path: "/uniq" + dir + "maven-metadata.xml"}).text()
	if !strings.Contains(meta, "<buildNumber>2</buildNumber>") {
		t.Errorf("snapshot metadata:\n%s", meta)
	}

	// non-unique: a unique name is stored under the SNAPSHOT name, overwritten by each deploy.
	if got := deployed("plain", "app-1.0-20261121.052921-1.jar", "a"); got != dir+"app-1.0-SNAPSHOT.jar" {
		t.Errorf("non-unique: stored at %s", got)
	}
	deployed("plain", "app-1.0-20261121.060000-2.jar", "b")
	if got := s.must(200, req{method: "GET", path: "/plain" + dir + "app-1.0-SNAPSHOT.jar"}).text(); got != "b" {
		t.Errorf("non-unique: %q", got)
	}
	// deployer: as sent.
	if got := deployed("asis", "app-1.0-SNAPSHOT.jar", "c"); got != dir+"app-1.0-SNAPSHOT.jar" {
		t.Errorf("deployer: stored at %s", got)
	}
}
