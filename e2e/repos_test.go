package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRepositoryLifecycle(t *testing.T) {
	s := start(t)
	s.createRepo("libs-local", `{"key":"libs-local","rclass":"local","packageType":"maven","description":"d","handleSnapshots":false,"maxUniqueSnapshots":5}`)
	s.createRepo("npm-remote", `{"key":"npm-remote","rclass":"remote","packageType":"npm","url":"http://127.0.0.1:9/npm","username":"u","password":"p4ss"}`)
	s.createRepo("all", `{"key":"all","rclass":"virtual","packageType":"maven","repositories":["libs-local"],"defaultDeploymentRepo":"libs-local"}`)

	var local map[string]any
	s.must(200, req{method: "GET", path: "/api/repositories/libs-local"}).json(t, &local)
	for k, want := range map[string]any{
		"key": "libs-local", "rclass": "local", "packageType": "maven", "description": "d",
		"handleSnapshots": false, "handleReleases": true, "maxUniqueSnapshots": float64(5),
		"includesPattern": "**/*", "excludesPattern": "", "repoLayoutRef": "maven-2-default",
		"snapshotVersionBehavior": "unique", "checksumPolicyType": "client-checksums", "blackedOut": false,
	} {
		if local[k] != want {
			t.Errorf("GET libs-local: %s = %#v, want %#v", k, local[k], want)
		}
	}

	var remote map[string]any
	s.must(200, req{method: "GET", path: "/api/repositories/npm-remote"}).json(t, &remote)
	if remote["password"] == "p4ss" {
		t.Error("remote password returned in clear")
	}
	for k, want := range map[string]any{"retrievalCachePeriodSecs": float64(7200), "missedRetrievalCachePeriodSecs": float64(1800),
		"url": "http://127.0.0.1:9/npm", "storeArtifactsLocally": true, "username": "u"} {
		if remote[k] != want {
			t.Errorf("GET npm-remote: %s = %#v, want %#v", k, remote[k], want)
		}
	}

	var list []map[string]string
	s.must(200, req{method: "GET", path: "/api/repositories?type=local"}).json(t, &list)
	if len(list) != 1 || list[0]["key"] != "libs-local" {
		t.Errorf("list type=local: %v", list)
	}
	s.must(200, req{method: "GET", path: "/api/repositories?packageType=npm"}).json(t, &list)
	if len(list) != 1 || list[0]["key"] != "npm-remote" || list[0]["url"] != "http://127.0.0.1:9/npm" {
		t.Errorf("list packageType=npm: %v", list)
	}

	// Partial update keeps other fields; package type is immutable.
	s.must(200, req{method: "POST", path: "/api/repositories/libs-local", body: strings.NewReader(`{"description":"new"}`)})
	s.must(200, req{method: "GET", path: "/api/repositories/libs-local"}).json(t, &local)
	if local["description"] != "new" || local["maxUniqueSnapshots"] != float64(5) {
		t.Errorf("after update: %v", local)
	}
	r := s.do(req{method: "POST", path: "/api/repositories/libs-local", body: strings.NewReader(`{"packageType":"npm"}`)})
	if r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "packageType") {
		t.Errorf("changing packageType: %d %s", r.StatusCode, r.body)
	}
	// Sending the redacted password back keeps the stored one.
	s.must(200, req{method: "POST", path: "/api/repositories/npm-remote", body: strings.NewReader(mustJSON(t, map[string]any{"password": remote["password"]}))})

	s.must(200, req{method: "DELETE", path: "/api/repositories/all"})
	s.must(400, req{method: "GET", path: "/api/repositories/all"})
	s.must(400, req{method: "HEAD", path: "/api/repositories/all"})
	// Artifactory answers a missing key on DELETE and an existing one on create with 400.
	if r := s.do(req{method: "DELETE", path: "/api/repositories/all"}); r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "does not exist") {
		t.Errorf("DELETE of a missing repository: %d %s", r.StatusCode, r.body)
	}
	r = s.do(req{method: "PUT", path: "/api/v2/repositories/batch", body: strings.NewReader(`[{"key":"libs-local","rclass":"local","packageType":"maven"}]`)})
	if r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "already exists") {
		t.Errorf("batch create of an existing repository: %d %s", r.StatusCode, r.body)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRepositoryKeyRules(t *testing.T) {
	s := start(t)
	s.local("taken")
	long := strings.Repeat("a", 65)
	tests := []struct{ key, rclass, msg string }{
		{"taken", "local", "already exists"},
		{"TAKEN", "local", "already exists"},
		{long, "local", "64"},
		{strings.Repeat("r", 59), "remote", "58"},
		{"1abc", "local", "digit"},
		{"a b", "local", ""},
		{"a:b", "local", ""},
		{"jfrog-logs", "local", "reserved"},
		{"JFROG-SYSTEM-RESERVED-x", "local", "jfrog-system-reserved"},
		{"my-cache", "local", "-cache"},
		{"My-CACHE", "local", "-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			body := `{"key":"` + tt.key + `","rclass":"` + tt.rclass + `","packageType":"generic","url":"http://127.0.0.1:9/"}`
			r := s.do(req{method: "PUT", path: "/api/repositories/" + tt.key, body: strings.NewReader(body)})
			if r.StatusCode != 400 {
				t.Fatalf("status %d, want 400: %s", r.StatusCode, r.body)
			}
			if msg := errorMessage(t, r); !strings.Contains(strings.ToLower(msg), strings.ToLower(tt.msg)) {
				t.Errorf("message %q does not name the rule %q", msg, tt.msg)
			}
		})
	}
	r := s.do(req{method: "PUT", path: "/api/repositories/nopkg", body: strings.NewReader(`{"key":"nopkg","rclass":"local"}`)})
	if r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "packageType") {
		t.Errorf("missing packageType: %d %s", r.StatusCode, r.body)
	}
}

func TestBatchRepositories(t *testing.T) {
	s := start(t)
	s.must(201, req{method: "PUT", path: "/api/v2/repositories/batch", body: strings.NewReader(
		`[{"key":"m1","rclass":"local","packageType":"maven","handleSnapshots":false,"maxUniqueSnapshots":5},{"key":"m2","rclass":"local","packageType":"npm"}]`)})
	s.must(200, req{method: "POST", path: "/api/v2/repositories/batch", body: strings.NewReader(`[{"key":"m2","description":"two"}]`)})
	var m2 map[string]any
	s.must(200, req{method: "GET", path: "/api/repositories/m2"}).json(t, &m2)
	if m2["description"] != "two" {
		t.Errorf("m2 = %v", m2)
	}
	// One bad entry refuses the whole batch.
	s.must(400, req{method: "PUT", path: "/api/v2/repositories/batch", body: strings.NewReader(
		`[{"key":"m3","rclass":"local","packageType":"maven"},{"key":"9bad","rclass":"local","packageType":"maven"}]`)})
	s.must(400, req{method: "GET", path: "/api/repositories/m3"})
}

// TestRepositoryFieldNames: a misspelt field is refused with Artifactory's 400 error document
// naming it (on create, update and batch), and nothing is created; Artifactory fields Arca does
// not implement, nested ones included, come back from GET exactly as sent, also after an update.
func TestRepositoryFieldNames(t *testing.T) {
	s := start(t)
	typo := `{"key":"typo","rclass":"local","packageType":"generic","includesPatern":"a/**"}`
	r := s.do(req{method: "PUT", path: "/api/repositories/typo", body: strings.NewReader(typo)})
	if r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "unknown repository field 'includesPatern'") {
		t.Errorf("create with a typo: %d %s", r.StatusCode, r.body)
	}
	s.must(400, req{method: "GET", path: "/api/repositories/typo"})

	headers := []any{map[string]any{"name": "X-Team", "value": "build"}}
	s.createRepo("gen-remote", mustJSON(t, map[string]any{
		"key": "gen-remote", "rclass": "remote", "packageType": "generic", "url": "http://127.0.0.1:9/",
		"propagateQueryParams": true, "customHttpHeaders": headers, "curated": false,
		"contentSynchronisation": map[string]any{"enabled": true, "statistics": map[string]any{"enabled": true}},
	}))
	r = s.do(req{method: "POST", path: "/api/repositories/gen-remote", body: strings.NewReader(`{"hardFial":true}`)})
	if r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "unknown repository field 'hardFial'") {
		t.Errorf("update with a typo: %d %s", r.StatusCode, r.body)
	}
	s.must(200, req{method: "POST", path: "/api/repositories/gen-remote", body: strings.NewReader(`{"retrieveSha256FromServer":true}`)})
	r = s.do(req{method: "POST", path: "/api/v2/repositories/batch", body: strings.NewReader(`[{"key":"gen-remote","ofline":true}]`)})
	if r.StatusCode != 400 || !strings.Contains(errorMessage(t, r), "unknown repository field 'ofline'") {
		t.Errorf("batch update with a typo: %d %s", r.StatusCode, r.body)
	}

	var got map[string]any
	s.must(200, req{method: "GET", path: "/api/repositories/gen-remote"}).json(t, &got)
	for k, want := range map[string]any{
		"propagateQueryParams": true, "retrieveSha256FromServer": true, "curated": false, "customHttpHeaders": headers,
		"offline": false, "hardFail": false,
		"contentSynchronisation": map[string]any{"enabled": true, "statistics": map[string]any{"enabled": true},
			"properties": map[string]any{"enabled": false}, "source": map[string]any{"originAbsenceDetection": false}},
	} {
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("GET gen-remote: %s = %#v, want %#v", k, got[k], want)
		}
	}
	if _, ok := got["hardFial"]; ok {
		t.Error("the refused field was stored")
	}
	// GET → POST of the whole document is accepted (what Terraform and JFrog CLI do).
	s.must(200, req{method: "POST", path: "/api/repositories/gen-remote", body: strings.NewReader(mustJSON(t, got))})
}
