//go:build unix

package e2e

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"arca/internal/format/npm/npmtest"
)

// publishBody is the document npm publish sends (npmtest.PublishBody).
func publishBody(name, version, content string) string {
	return npmtest.PublishBody(name, version, content)
}

// npmPublish publishes name@version to repository key and fails the test unless it is 201.
func (s *server) npmPublish(t *testing.T, key, name, version string) {
	t.Helper()
	s.must(201, req{method: "PUT", path: "/api/npm/" + key + "/" + name, body: strings.NewReader(publishBody(name, version, "tgz of "+version)),
		header: map[string]string{"Content-Type": "application/json"}})
}

// TestNpmVersionRecords checks what the storage of a package as per-version records must keep:
// concurrent publishes of one package all land, a packument stored whole (before the records)
// is served and migrates on its first write, unpublish removes a version, and a virtual's
// merged packument follows a change in one member.
func TestNpmVersionRecords(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	s.createRepo("npm-local2", `{"rclass":"local","packageType":"npm"}`)
	s.createRepo("npm-virtual", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local","npm-local2"]}`)

	t.Run("concurrent publishes of one package", func(t *testing.T) {
		const n = 8
		var wg sync.WaitGroup
		status := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, _ := http.NewRequest("PUT", s.base+"/api/npm/npm-local/conc", strings.NewReader(publishBody("conc", fmt.Sprintf("1.0.%d", i), fmt.Sprint(i))))
				r.SetBasicAuth("admin", adminPassword)
				r.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(r)
				if err != nil {
					status[i] = err.Error()
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				status[i] = fmt.Sprint(res.StatusCode, " ", string(b))
			}()
		}
		wg.Wait()
		for i, st := range status {
			if !strings.HasPrefix(st, "201 ") {
				t.Errorf("publish of conc@1.0.%d: %s", i, st)
			}
		}
		p := s.packument(t, "npm-local", "conc")
		got := keys(p.Versions)
		slices.Sort(got)
		if want := []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7"}; !slices.Equal(got, want) {
			t.Errorf("versions after %d concurrent publishes = %v, want %v", n, got, want)
		}
		for v := range p.Versions {
			if p.Time[v] == "" {
				t.Errorf("conc@%s has no time", v)
			}
		}
	})

	t.Run("a packument stored whole migrates on its first write", func(t *testing.T) {
		tgz := []byte("old tarball")
		s1, s512 := sha1.Sum(tgz), sha512.Sum512(tgz)
		old := `{"_id":"legacy","name":"legacy","dist-tags":{"latest":"1.0.0"},"description":"stored whole",` +
			`"versions":{"1.0.0":{"name":"legacy","version":"1.0.0","dist":{"shasum":"` + hex.EncodeToString(s1[:]) +
			`","integrity":"sha512-` + base64.StdEncoding.EncodeToString(s512[:]) + `","tarball":"http://old/legacy/-/legacy-1.0.0.tgz"}}},` +
			`"time":{"created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","1.0.0":"2020-01-01T00:00:00.000Z"}}`
		s.must(201, req{method: "PUT", path: "/npm-local/legacy/package.json", body: strings.NewReader(old)})
		s.must(201, req{method: "PUT", path: "/npm-local/legacy/-/legacy-1.0.0.tgz", body: strings.NewReader(string(tgz))})
		s.checkPackument(t, "npm-local", "legacy", "1.0.0")
		s.must(404, req{method: "GET", path: "/npm-local/legacy/.npm/package.json"})

		s.npmPublish(t, "npm-local", "legacy", "1.1.0")
		p := s.checkPackument(t, "npm-local", "legacy", "1.1.0", "1.0.0")
		if p.Time["created"] != "2020-01-01T00:00:00.000Z" || p.Time["1.0.0"] != "2020-01-01T00:00:00.000Z" {
			t.Errorf("migrated times = %v, want created and 1.0.0 kept", p.Time)
		}
		s.must(200, req{method: "GET", path: "/npm-local/legacy/.npm/package.json"})
		s.must(200, req{method: "GET", path: "/npm-local/legacy/.npm/versions/1.0.0.json"})
		// The plain path serves the assembled packument.
		var whole struct {
			Versions map[string]json.RawMessage `json:"versions"`
		}
		s.must(200, req{method: "GET", path: "/npm-local/legacy/package.json"}).json(t, &whole)
		if got := keys(whole.Versions); len(got) != 2 {
			t.Errorf("plain GET of legacy/package.json: versions %v, want 1.0.0 and 1.1.0", got)
		}

		// A whole packument deployed over the records hides them until the next write, which
		// removes it.
		s.must(201, req{method: "PUT", path: "/npm-local/legacy/package.json", body: strings.NewReader(old)})
		s.checkPackument(t, "npm-local", "legacy", "1.0.0")
		s.npmPublish(t, "npm-local", "legacy", "1.2.0")
		s.checkPackument(t, "npm-local", "legacy", "1.2.0", "1.1.0", "1.0.0")
		s.must(200, req{method: "DELETE", path: "/api/npm/npm-local/legacy/-/legacy-1.2.0.tgz/-rev/1"})

		// Unpublish of one version (npm unpublish pkg@version ends with this DELETE).
		s.must(200, req{method: "DELETE", path: "/api/npm/npm-local/legacy/-/legacy-1.0.0.tgz/-rev/1"})
		s.checkPackument(t, "npm-local", "legacy", "1.1.0")
		s.must(404, req{method: "GET", path: "/npm-local/legacy/.npm/versions/1.0.0.json"})
		// The last version's unpublish removes the package.
		s.must(200, req{method: "DELETE", path: "/api/npm/npm-local/legacy/-/legacy-1.1.0.tgz/-rev/1"})
		s.must(404, req{method: "GET", path: "/api/npm/npm-local/legacy"})
	})

	t.Run("merged packument follows one member's change", func(t *testing.T) {
		s.npmPublish(t, "npm-local", "shared", "1.0.0")
		s.npmPublish(t, "npm-local2", "shared", "2.0.0")
		s.checkPackument(t, "npm-virtual", "shared", "2.0.0", "1.0.0")
		s.npmPublish(t, "npm-local2", "shared", "2.1.0")
		s.checkPackument(t, "npm-virtual", "shared", "2.1.0", "2.0.0", "1.0.0")
		// A dist-tag set in one member shows through the virtual.
		s.must(201, req{method: "PUT", path: "/api/npm/npm-local/-/package/shared/dist-tags/beta", body: strings.NewReader(`"1.0.0"`),
			header: map[string]string{"Content-Type": "application/json"}})
		if p := s.packument(t, "npm-virtual", "shared"); p.DistTags["beta"] != "1.0.0" || p.DistTags["latest"] != "2.1.0" {
			t.Errorf("merged dist-tags = %v, want beta 1.0.0 and latest 2.1.0", p.DistTags)
		}
		// Republishing an existing version is refused, whichever record layout holds it.
		r := s.do(req{method: "PUT", path: "/api/npm/npm-local2/shared", body: strings.NewReader(publishBody("shared", "2.0.0", "again")),
			header: map[string]string{"Content-Type": "application/json"}})
		if r.StatusCode != 403 && r.StatusCode != 409 {
			t.Errorf("republish of shared@2.0.0: status %d, want a refusal\n%s", r.StatusCode, r.body)
		}
	})
}
