package e2e

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"testing"

	"arca/internal/format/formattest"
)

// TestFormatConformance runs the format conformance suite (internal/format/formattest) for
// every registered format: a new format proves itself by adding its entry to formatFixtures.
func TestFormatConformance(t *testing.T) {
	env := formattest.Env{Start: func(t *testing.T) formattest.Instance {
		s := launch(t, io.Discard)
		return formattest.Instance{Base: s.base, User: "admin", Password: adminPassword}
	}}
	for _, f := range formatFixtures() {
		t.Run(f.PackageType, func(t *testing.T) {
			t.Parallel()
			formattest.Run(t, env, f)
		})
	}
}

func formatFixtures() []formattest.Fixture {
	plainURL := func(base, repo string) string { return base + "/" + repo }
	traversal := []formattest.Bad{
		{Name: "dot-dot segments", Method: "PUT", Path: "/{repo}/a/%2e%2e/%2e%2e/x", Body: "x"},
		{Name: "encoded slash with dot-dot", Method: "PUT", Path: "/{repo}/a/..%2fb", Body: "x"},
		{Name: "NUL in a name", Method: "PUT", Path: "/{repo}/a/%00b", Body: "x"},
		{Name: "traversal on download", Method: "GET", Path: "/{repo}/%2e%2e/%2e%2e/etc/passwd"},
	}
	return []formattest.Fixture{
		{
			PackageType: "generic",
			Deploy: func(c *formattest.Client, repo, pkg, v string, content []byte) error {
				return expect(c.Do("PUT", "/"+repo+"/"+pkg+"/"+v+"/"+pkg+"-"+v+".bin", content), http.StatusCreated)
			},
			ContentPath: func(repo, pkg, v string) string {
				return "/" + repo + "/" + pkg + "/" + v + "/" + pkg + "-" + v + ".bin"
			},
			StoragePath: func(pkg, v string) string { return pkg + "/" + v + "/" + pkg + "-" + v + ".bin" },
			Bad:         traversal,
			IsError:     formattest.ArtifactoryError,
			UpstreamURL: plainURL,
			// Anyone can claim a name on a public generic server.
			GuardDefault: true,
		},
		{
			PackageType: "maven",
			Deploy:      deployMaven,
			ContentPath: func(repo, pkg, v string) string {
				return "/" + repo + "/org/conf/" + pkg + "/" + v + "/" + pkg + "-" + v + ".jar"
			},
			StoragePath:  func(pkg, v string) string { return "org/conf/" + pkg + "/" + v + "/" + pkg + "-" + v + ".jar" },
			MetadataPath: func(repo, pkg string) string { return "/" + repo + "/org/conf/" + pkg + "/maven-metadata.xml" },
			Versions:     mavenVersions,
			Bad: append(traversal[:len(traversal):len(traversal)],
				formattest.Bad{Name: "POM of other coordinates", Method: "PUT", Path: "/{repo}/org/conf/app/1.0/app-1.0.pom", Body: pom("org.evil", "app", "1.0")},
				formattest.Bad{Name: "dot-dot in a group", Method: "PUT", Path: "/{repo}/org/%2e%2e/app/1.0/app-1.0.jar", Body: "x"}),
			IsError:     formattest.ArtifactoryError,
			UpstreamURL: plainURL,
			// Maven Central verifies groupId ownership: a remote's newer releases stay visible.
			GuardDefault: false,
		},
		{
			PackageType: "npm",
			Deploy:      publishNpm,
			ContentPath: func(repo, pkg, v string) string {
				return "/api/npm/" + repo + "/" + pkg + "/-/" + pkg + "-" + v + ".tgz"
			},
			StoragePath:  func(pkg, v string) string { return pkg + "/-/" + pkg + "-" + v + ".tgz" },
			MetadataPath: func(repo, pkg string) string { return "/api/npm/" + repo + "/" + pkg },
			Versions:     npmVersions,
			Bad: []formattest.Bad{
				{Name: "dot-dot name", Method: "PUT", Path: "/api/npm/{repo}/%2e%2e", Body: `{}`},
				{Name: "traversal in a name", Method: "PUT", Path: "/api/npm/{repo}/..%2f..%2fx", Body: `{}`},
				{Name: "scope with dot-dot", Method: "PUT", Path: "/api/npm/{repo}/@s%2f%2e%2e", Body: `{}`},
				{Name: "space in a name", Method: "PUT", Path: "/api/npm/{repo}/bad%20name", Body: `{}`},
				{Name: "upper-case new package", Method: "PUT", Path: "/api/npm/{repo}/UPPER", Body: publishDoc("UPPER", "1.0.0", []byte("x"))},
				{Name: "non-canonical version", Method: "PUT", Path: "/api/npm/{repo}/ok", Body: publishDoc("ok", "1.0", []byte("x"))},
				{Name: "traversal on download", Method: "GET", Path: "/api/npm/{repo}/%2e%2e%2f%2e%2e%2fetc"},
			},
			IsError: func(body []byte) bool {
				var doc struct {
					Error string `json:"error"`
				}
				return formattest.ArtifactoryError(body) && json.Unmarshal(body, &doc) == nil && doc.Error != ""
			},
			UpstreamURL:  func(base, repo string) string { return base + "/api/npm/" + repo },
			GuardDefault: true,
		},
	}
}

// expect turns an unexpected status into an error.
func expect(res formattest.Result, status int) error {
	if res.Status != status {
		return fmt.Errorf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	return nil
}

func pom(g, a, v string) string {
	return `<project><modelVersion>4.0.0</modelVersion><groupId>` + g + `</groupId><artifactId>` + a +
		`</artifactId><version>` + v + `</version></project>`
}

// deployMaven deploys org.conf:pkg:v as mvn deploy does: the jar, then the POM.
func deployMaven(c *formattest.Client, repo, pkg, v string, content []byte) error {
	dir := "/" + repo + "/org/conf/" + pkg + "/" + v + "/" + pkg + "-" + v
	if err := expect(c.Do("PUT", dir+".jar", content), http.StatusCreated); err != nil {
		return err
	}
	return expect(c.Do("PUT", dir+".pom", []byte(pom("org.conf", pkg, v))), http.StatusCreated)
}

func mavenVersions(c *formattest.Client, repo, pkg string) ([]string, int, error) {
	res := c.Do("GET", "/"+repo+"/org/conf/"+pkg+"/maven-metadata.xml", nil)
	if res.Status != http.StatusOK {
		return nil, res.Status, nil
	}
	var md struct {
		Versions []string `xml:"versioning>versions>version"`
	}
	err := xml.Unmarshal(res.Body, &md)
	return md.Versions, res.Status, err
}

// publishDoc is the body npm publish sends for one version.
func publishDoc(name, v string, tarball []byte) string {
	file := name + "-" + v + ".tgz"
	sum := sha1.Sum(tarball)
	doc := map[string]any{
		"_id": name, "name": name, "dist-tags": map[string]string{"latest": v},
		"versions": map[string]any{v: map[string]any{
			"name": name, "version": v,
			"dist": map[string]string{"tarball": "http://localhost/" + name + "/-/" + file, "shasum": hex.EncodeToString(sum[:])},
		}},
		"_attachments": map[string]any{file: map[string]any{
			"content_type": "application/octet-stream", "data": base64.StdEncoding.EncodeToString(tarball), "length": len(tarball),
		}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

func publishNpm(c *formattest.Client, repo, pkg, v string, content []byte) error {
	return expect(c.Do("PUT", "/api/npm/"+repo+"/"+pkg, []byte(publishDoc(pkg, v, content))), http.StatusCreated)
}

func npmVersions(c *formattest.Client, repo, pkg string) ([]string, int, error) {
	res := c.Do("GET", "/api/npm/"+repo+"/"+pkg, nil)
	if res.Status != http.StatusOK {
		return nil, res.Status, nil
	}
	var doc struct {
		Versions map[string]json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		return nil, res.Status, err
	}
	var out []string
	for v := range doc.Versions {
		out = append(out, v)
	}
	return out, res.Status, nil
}
