package repoconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func mustParse(t *testing.T, key, body string) *Config {
	t.Helper()
	c, err := Parse(key, []byte(body))
	if err != nil {
		t.Fatalf("Parse(%q, %s): %v", key, body, err)
	}
	return c
}

// getJSON returns the GET form decoded, for comparisons that ignore formatting.
func getJSON(t *testing.T, c *Config) map[string]any {
	t.Helper()
	b, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GET form is not JSON: %v\n%s", err, b)
	}
	return m
}

// TestGoldenGET compares the full GET form of one configuration per class with testdata.
// Run with -update to rewrite the files, then review the diff.
func TestGoldenGET(t *testing.T) {
	tests := []struct {
		name, key, body string
	}{
		{"local-maven", "libs-release-local", `{
			"rclass": "local", "packageType": "Maven", "description": "in-house libraries",
			"handleSnapshots": "false", "maxUniqueSnapshots": "5", "snapshotVersionBehavior": "NON-UNIQUE",
			"xrayIndex": true, "propertySets": "artifactory, build",
			"customHttpHeaders": {"nested": [1, 2.50, "x<y"]}, "dockerApiVersion": "V1"}`},
		{"remote-npm", "npm-remote", `{
			"key": "npm-remote", "rclass": "REMOTE", "packageType": "npm",
			"url": "https://registry.npmjs.org", "username": "bob", "password": "s3cret",
			"retrievalCachePeriodSecs": "600", "offline": false,
			"contentSynchronisation": {"enabled": true, "statistics": {"enabled": true}},
			"externalDependenciesEnabled": false}`},
		{"virtual-generic", "generic-virtual", `{
			"rclass": "virtual", "packageType": "generic",
			"repositories": ["generic-local", "generic-remote"], "defaultDeploymentRepo": "generic-local",
			"includesPattern": "org/**, com/**", "notes": null}`},
		{"federated-generic", "fed", `{
			"rclass": "federated", "packageType": "generic",
			"members": [{"url": "http://a.example/artifactory/fed"},
			            {"url": "https://b.example/artifactory/fed", "enabled": "false"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.key, tt.body)
			b, err := c.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			file := filepath.Join("testdata", tt.name+".json")
			if *update {
				if err := os.WriteFile(file, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("GET form (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDefaultsPerPackageType checks that package-specific defaults appear exactly for their types.
func TestDefaultsPerPackageType(t *testing.T) {
	tests := []struct {
		class, pkgType string
		url            string
		want           map[string]any // field → effective value; nil value means "absent"
	}{
		{"local", "generic", "", map[string]any{"repoLayoutRef": "simple-default", "handleReleases": nil,
			"snapshotVersionBehavior": nil, "dockerApiVersion": nil, "includesPattern": "**/*", "excludesPattern": ""}},
		{"local", "gradle", "", map[string]any{"repoLayoutRef": "gradle-default", "handleReleases": true,
			"handleSnapshots": true, "maxUniqueSnapshots": 0.0, "checksumPolicyType": "client-checksums"}},
		{"local", "ivy", "", map[string]any{"repoLayoutRef": "ivy-default", "snapshotVersionBehavior": "unique"}},
		{"local", "sbt", "", map[string]any{"repoLayoutRef": "sbt-default", "suppressPomConsistencyChecks": false}},
		{"local", "docker", "", map[string]any{"repoLayoutRef": "simple-default", "maxUniqueTags": 0.0,
			"dockerApiVersion": "V2", "handleReleases": nil}},
		{"local", "debian", "", map[string]any{"debianTrivialLayout": false, "yumRootDepth": nil}},
		{"local", "rpm", "", map[string]any{"yumRootDepth": 0.0, "calculateYumMetadata": false, "enableFileListsIndexing": false}},
		{"local", "yum", "", map[string]any{"yumRootDepth": 0.0}},
		{"local", "npm", "", map[string]any{"repoLayoutRef": "npm-default", "blackedOut": false, "propertySets": []any{}}},
		{"local", "nuget", "", map[string]any{"repoLayoutRef": "nuget-default"}},
		{"local", "bower", "", map[string]any{"repoLayoutRef": "bower-default"}},
		{"local", "go", "", map[string]any{"repoLayoutRef": "go-default"}},
		{"local", "composer", "", map[string]any{"repoLayoutRef": "composer-default"}},
		{"local", "conan", "", map[string]any{"repoLayoutRef": "conan-default"}},
		{"local", "puppet", "", map[string]any{"repoLayoutRef": "puppet-default"}},
		{"local", "cargo", "", map[string]any{"repoLayoutRef": "cargo-default"}},
		{"local", "pypi", "", map[string]any{"repoLayoutRef": "simple-default", "members": nil, "url": nil}},
		{"remote", "vcs", "https://github.com", map[string]any{"repoLayoutRef": "vcs-default", "vcsType": "GIT",
			"vcsGitProvider": "GITHUB"}},
		{"remote", "maven", "https://repo1.maven.org/maven2", map[string]any{"remoteRepoChecksumPolicyType": "generate-if-absent",
			"fetchJarsEagerly": false, "rejectInvalidJars": false, "handleSnapshots": true,
			"snapshotVersionBehavior": nil, "checksumPolicyType": nil}},
		{"remote", "nuget", "https://www.nuget.org", map[string]any{"feedContextPath": "api/v2",
			"downloadContextPath": "api/v2/package", "remoteRepoChecksumPolicyType": nil}},
		{"remote", "pypi", "https://pypi.org", map[string]any{"pyPIRepositorySuffix": "simple",
			"storeArtifactsLocally": true, "blockMismatchingMimeTypes": true, "socketTimeoutMillis": 15000.0,
			"missedRetrievalCachePeriodSecs": 1800.0, "assumedOfflinePeriodSecs": 300.0,
			"metadataRetrievalTimeoutSecs": 60.0, "unusedArtifactsCleanupPeriodHours": 0.0, "password": ""}},
		{"virtual", "maven", "", map[string]any{"pomRepositoryReferencesCleanupPolicy": "discard_active_reference",
			"forceMavenAuthentication": false, "virtualRetrievalCachePeriodSecs": nil, "repositories": []any{}}},
		{"virtual", "npm", "", map[string]any{"virtualRetrievalCachePeriodSecs": 7200.0,
			"pomRepositoryReferencesCleanupPolicy": nil, "artifactoryRequestsCanRetrieveRemoteArtifacts": false}},
		{"virtual", "helm", "", map[string]any{"virtualRetrievalCachePeriodSecs": 7200.0, "blackedOut": nil}},
		{"federated", "maven", "", map[string]any{"members": []any{}, "handleReleases": true,
			"snapshotVersionBehavior": "unique", "url": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.class+"-"+tt.pkgType, func(t *testing.T) {
			body := map[string]any{"rclass": tt.class, "packageType": tt.pkgType}
			if tt.url != "" {
				body["url"] = tt.url
			}
			b, _ := json.Marshal(body)
			got := getJSON(t, mustParse(t, "repo", string(b)))
			sub := map[string]any{}
			for name := range tt.want {
				sub[name] = got[name]
			}
			if diff := cmp.Diff(tt.want, sub); diff != "" {
				t.Errorf("effective fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseProblems checks that every problem is reported at once, each naming its field.
func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		key  string
		body string
		want []string // each must appear in the one error message
	}{
		{"packageType required", "r", `{"rclass":"local"}`, []string{"packageType is required"}},
		{"packageType empty", "r", `{"rclass":"local","packageType":""}`, []string{"packageType is required"}},
		{"packageType unknown", "r", `{"rclass":"local","packageType":"cobol"}`, []string{`packageType: "cobol" is not a known package type`}},
		{"rclass required", "r", `{"packageType":"generic"}`, []string{"rclass is required"}},
		{"rclass unknown", "r", `{"rclass":"distribution","packageType":"generic"}`, []string{`rclass: "distribution" is not one of`}},
		{"rclass not a string", "r", `{"rclass":1,"packageType":"generic"}`, []string{"rclass: must be a string, got the number 1"}},
		{"not an object", "r", `[1]`, []string{"not valid JSON"}},
		{"null body", "r", `null`, []string{"must be a JSON object"}},
		{"bad JSON", "r", `{"rclass":`, []string{"not valid JSON"}},
		{"key mismatch", "a", `{"key":"b","rclass":"local","packageType":"generic"}`, []string{`key: "b" in the body does not match "a" in the URL`}},
		{"key missing everywhere", "", `{"rclass":"local","packageType":"generic"}`, []string{"key is required"}},
		{"key invalid", "1-cache", `{"rclass":"local","packageType":"generic"}`, []string{"key: repository key", "must not begin with a digit", `"-cache"`}},
		{"remote key limit", strings.Repeat("r", 59), `{"rclass":"remote","packageType":"generic","url":"http://x"}`, []string{"the limit is 58"}},
		{"remote url required", "r", `{"rclass":"remote","packageType":"generic"}`, []string{"url is required for a remote repository"}},
		{"remote url scheme", "r", `{"rclass":"remote","packageType":"generic","url":"ftp://x/y"}`, []string{`url: "ftp://x/y" is not an absolute http(s) URL`}},
		{"remote url relative", "r", `{"rclass":"remote","packageType":"generic","url":"/x"}`, []string{"url: "}},
		{"remote url empty", "r", `{"rclass":"remote","packageType":"generic","url":""}`, []string{"url: must be an absolute http(s) URL"}},
		{"all at once", "r", `{"rclass":"remote","packageType":"maven","url":"x","offline":"maybe",
			"socketTimeoutMillis":-1,"retrievalCachePeriodSecs":1.5,"propertySets":[1],
			"remoteRepoChecksumPolicyType":"sometimes","includesPattern":"a/../b","contentSynchronisation":{"foo":true}}`,
			[]string{"url: ", `offline: must be a boolean, got "maybe"`, "socketTimeoutMillis: must not be negative",
				`retrievalCachePeriodSecs: must be a non-negative integer, got "1.5"`, "propertySets: element 0 must be a string",
				`remoteRepoChecksumPolicyType: "sometimes" is not one of generate-if-absent, fail, ignore-and-generate, pass-thru`,
				`includesPattern: invalid include pattern "a/../b"`, "contentSynchronisation: foo is not a known field"}},
		{"int too large", "r", `{"rclass":"local","packageType":"maven","maxUniqueSnapshots":99999999999}`, []string{"maxUniqueSnapshots: must be at most 2147483647"}},
		{"int exponent", "r", `{"rclass":"local","packageType":"maven","maxUniqueSnapshots":1e3}`, []string{"maxUniqueSnapshots: must be a non-negative integer"}},
		{"int string junk", "r", `{"rclass":"local","packageType":"maven","maxUniqueSnapshots":"five"}`, []string{`maxUniqueSnapshots: must be a non-negative integer, got "five"`}},
		{"int bool", "r", `{"rclass":"local","packageType":"maven","maxUniqueSnapshots":true}`, []string{"maxUniqueSnapshots: must be a non-negative integer, got a boolean"}},
		{"bool number", "r", `{"rclass":"local","packageType":"generic","blackedOut":1}`, []string{"blackedOut: must be a boolean, got the number 1"}},
		{"string not string", "r", `{"rclass":"local","packageType":"generic","description":false}`, []string{"description: must be a string"}},
		{"snapshotVersionBehavior", "r", `{"rclass":"local","packageType":"maven","snapshotVersionBehavior":"latest"}`, []string{`snapshotVersionBehavior: "latest" is not one of unique, non-unique, deployer`}},
		{"checksumPolicyType", "r", `{"rclass":"local","packageType":"maven","checksumPolicyType":"none"}`, []string{`checksumPolicyType: "none" is not one of client-checksums, server-generated-checksums`}},
		{"pomRepositoryReferencesCleanupPolicy", "r", `{"rclass":"virtual","packageType":"maven","pomRepositoryReferencesCleanupPolicy":"all"}`, []string{`pomRepositoryReferencesCleanupPolicy: "all" is not one of discard_active_reference, discard_any_reference, nothing`}},
		{"dockerApiVersion", "r", `{"rclass":"local","packageType":"docker","dockerApiVersion":"V3"}`, []string{`dockerApiVersion: "V3" is not one of V1, V2`}},
		{"excludesPattern", "r", `{"rclass":"local","packageType":"generic","excludesPattern":"a\\b"}`, []string{`excludesPattern: invalid exclude pattern "a\\b"`}},
		{"virtual repositories keys", "v", `{"rclass":"virtual","packageType":"generic","repositories":["ok","bad key",""]}`, []string{`repositories: repository key "bad key" contains ' '`, "must not be empty"}},
		{"virtual repositories type", "v", `{"rclass":"virtual","packageType":"generic","repositories":{"a":1}}`, []string{"repositories: must be an array of strings, got an object"}},
		{"virtual self", "v", `{"rclass":"virtual","packageType":"generic","repositories":["a","V"]}`, []string{"repositories: a virtual repository cannot include itself"}},
		{"virtual defaultDeploymentRepo", "v", `{"rclass":"virtual","packageType":"generic","defaultDeploymentRepo":"a/b"}`, []string{"defaultDeploymentRepo: repository key \"a/b\" contains '/'"}},
		{"members shape", "f", `{"rclass":"federated","packageType":"generic","members":[{"enabled":true},{"url":"gopher://x"},{"url":"http://x","enabled":"no"},{"url":"http://x","extra":1},3]}`,
			[]string{"members: element 0 url is required", `element 1 url "gopher://x" is not an absolute http(s) URL`,
				`element 2 enabled must be a boolean, got "no"`, `element 3 has an unknown field "extra"`, "element 4 must be an object"}},
		{"members not array", "f", `{"rclass":"federated","packageType":"generic","members":"http://x"}`, []string{"members: must be an array"}},
		{"contentSynchronisation string", "r", `{"rclass":"remote","packageType":"generic","url":"http://x","contentSynchronisation":"true,false"}`, []string{"contentSynchronisation: must be an object or four comma-separated booleans"}},
		{"contentSynchronisation nested", "r", `{"rclass":"remote","packageType":"generic","url":"http://x","contentSynchronisation":{"statistics":true,"source":{"enabled":true}}}`,
			[]string{"contentSynchronisation: source has an unknown field \"enabled\"", "statistics must be an object"}},
		{"placeholder password on create", "r", `{"rclass":"remote","packageType":"generic","url":"http://x","password":"***redacted***"}`, []string{"password: \"***redacted***\" is the placeholder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.key, []byte(tt.body))
			if err == nil {
				t.Fatalf("Parse succeeded, want an error; GET form %v", getJSON(t, c))
			}
			if !errors.Is(err, arca.ErrInvalid) || arca.HTTPStatus(err) != 400 {
				t.Errorf("error %v is not arca.ErrInvalid (400)", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestPackageTypeRequiredMessage(t *testing.T) {
	_, err := Parse("r", []byte(`{"rclass":"local"}`))
	if err == nil || err.Error() != "packageType is required" {
		t.Errorf("Parse without packageType = %v, want exactly %q", err, "packageType is required")
	}
}

// TestCoercions checks that accepted alternative encodings are normalised.
func TestCoercions(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		field string
		want  any
	}{
		{"bool true string", `"handleReleases":"true"`, "handleReleases", true},
		{"bool false string any case", `"handleReleases":" FALSE "`, "handleReleases", false},
		{"bool json", `"blackedOut":true`, "blackedOut", true},
		{"int string", `"maxUniqueSnapshots":"7"`, "maxUniqueSnapshots", 7.0},
		{"int string spaces", `"maxUniqueSnapshots":" 7 "`, "maxUniqueSnapshots", 7.0},
		{"int json", `"maxUniqueSnapshots":12`, "maxUniqueSnapshots", 12.0},
		{"strings from comma string", `"propertySets":" a, b ,,c"`, "propertySets", []any{"a", "b", "c"}},
		{"strings from empty string", `"propertySets":""`, "propertySets", []any{}},
		{"enum any case", `"snapshotVersionBehavior":"Deployer"`, "snapshotVersionBehavior", "deployer"},
		{"enum canonical upper", `"checksumPolicyType":"SERVER-GENERATED-CHECKSUMS"`, "checksumPolicyType", "server-generated-checksums"},
		{"null is absent", `"description":null`, "description", ""},
		{"null keeps default", `"handleReleases":null`, "handleReleases", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, "libs", `{"rclass":"local","packageType":"maven",`+tt.body+`}`)
			if diff := cmp.Diff(tt.want, getJSON(t, c)[tt.field]); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.field, diff)
			}
		})
	}
}

func TestContentSyncCoercion(t *testing.T) {
	for _, body := range []string{
		`"true,true,false,true"`,
		`" TRUE , true, false ,true"`,
		`{"enabled":true,"statistics":{"enabled":true},"properties":null,"source":{"originAbsenceDetection":"true"}}`,
	} {
		c := mustParse(t, "r", `{"rclass":"remote","packageType":"generic","url":"http://x","contentSynchronisation":`+body+`}`)
		want := map[string]any{"enabled": true, "statistics": map[string]any{"enabled": true},
			"properties": map[string]any{"enabled": false}, "source": map[string]any{"originAbsenceDetection": true}}
		if diff := cmp.Diff(want, getJSON(t, c)["contentSynchronisation"]); diff != "" {
			t.Errorf("contentSynchronisation %s (-want +got):\n%s", body, diff)
		}
	}
}

func TestKeyFromURLOrBody(t *testing.T) {
	tests := []struct {
		name, urlKey, body, want string
	}{
		{"URL only", "a", `{"rclass":"local","packageType":"generic"}`, "a"},
		{"both agree", "a", `{"key":"a","rclass":"local","packageType":"generic"}`, "a"},
		{"body only (batch)", "", `{"key":"b","rclass":"local","packageType":"generic"}`, "b"},
		{"null body key", "a", `{"key":null,"rclass":"local","packageType":"generic"}`, "a"},
		{"empty body key", "a", `{"key":"","rclass":"local","packageType":"generic"}`, "a"},
	}
	for _, tt := range tests {
		c := mustParse(t, tt.urlKey, tt.body)
		if c.Key() != tt.want || getJSON(t, c)["key"] != tt.want {
			t.Errorf("%s: key %q, GET key %v, want %q", tt.name, c.Key(), getJSON(t, c)["key"], tt.want)
		}
	}
}

func TestAccessors(t *testing.T) {
	type view struct {
		Key, Class, PackageType, Description, ProjectKey, Includes, Excludes string
		BlackedOut, HandleReleases, HandleSnapshots                          bool
		URL, Username, Password                                              string
		Offline, HardFail, StoreArtifactsLocally                             bool
		Periods                                                              [6]time.Duration
		Repositories                                                         []string
		DefaultDeploymentRepo                                                string
		CanRetrieveRemote                                                    bool
		Members                                                              []Member
	}
	get := func(c *Config) view {
		return view{c.Key(), c.Class(), c.PackageType(), c.Description(), c.ProjectKey(), c.Includes(), c.Excludes(),
			c.BlackedOut(), c.HandleReleases(), c.HandleSnapshots(), c.URL(), c.Username(), c.Password(),
			c.Offline(), c.HardFail(), c.StoreArtifactsLocally(),
			[6]time.Duration{c.SocketTimeout(), c.RetrievalCachePeriod(), c.MissedRetrievalCachePeriod(),
				c.AssumedOfflinePeriod(), c.MetadataRetrievalTimeout(), c.VirtualRetrievalCachePeriod()},
			c.Repositories(), c.DefaultDeploymentRepo(), c.ArtifactoryRequestsCanRetrieveRemoteArtifacts(), c.Members()}
	}
	tests := []struct {
		name, key, body string
		want            view
	}{
		{"remote", "npm-remote", `{"rclass":"remote","packageType":"NPM","url":"https://registry.npmjs.org",
			"username":"bob","password":"pw","offline":"true","missedRetrievalCachePeriodSecs":"10","projectKey":"p1"}`,
			view{Key: "npm-remote", Class: "remote", PackageType: "npm", ProjectKey: "p1", Includes: "**/*",
				HandleReleases: true, HandleSnapshots: true, URL: "https://registry.npmjs.org", Username: "bob", Password: "pw",
				Offline: true, StoreArtifactsLocally: true,
				Periods: [6]time.Duration{15 * time.Second, 2 * time.Hour, 10 * time.Second, 5 * time.Minute, time.Minute, 0}}},
		{"local maven", "libs", `{"rclass":"local","packageType":"maven","handleSnapshots":false,"blackedOut":true,
			"description":"d","excludesPattern":"**/*.tmp"}`,
			view{Key: "libs", Class: "local", PackageType: "maven", Description: "d", Includes: "**/*", Excludes: "**/*.tmp",
				BlackedOut: true, HandleReleases: true}},
		{"virtual npm", "npm", `{"rclass":"virtual","packageType":"npm","repositories":["a","b"],
			"defaultDeploymentRepo":"a","artifactoryRequestsCanRetrieveRemoteArtifacts":true}`,
			view{Key: "npm", Class: "virtual", PackageType: "npm", Includes: "**/*", HandleReleases: true, HandleSnapshots: true,
				Periods: [6]time.Duration{5: 2 * time.Hour}, Repositories: []string{"a", "b"}, DefaultDeploymentRepo: "a",
				CanRetrieveRemote: true}},
		{"federated", "fed", `{"rclass":"federated","packageType":"generic","members":[{"url":"http://a/artifactory/fed","enabled":false},{"url":"http://b/artifactory/fed"}]}`,
			view{Key: "fed", Class: "federated", PackageType: "generic", Includes: "**/*", HandleReleases: true, HandleSnapshots: true,
				Members: []Member{{URL: "http://a/artifactory/fed", Enabled: false}, {URL: "http://b/artifactory/fed", Enabled: true}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.key, tt.body)
			if diff := cmp.Diff(tt.want, get(c)); diff != "" {
				t.Errorf("accessors (-want +got):\n%s", diff)
			}
			if c.Filter() == nil {
				t.Error("Filter() is nil")
			}
		})
	}
}

func TestFilterFromPatterns(t *testing.T) {
	c := mustParse(t, "libs", `{"rclass":"local","packageType":"maven",
		"includesPattern":"org/apache/**,com/acme/**","excludesPattern":"com/acme/exp-project/**"}`)
	f := c.Filter()
	got := []bool{f.Allows("org/apache/maven/parent/1/1.pom"), f.Allows("com/acme/exp-project/core/1.1/san-1.1.jar"), f.IsDefault()}
	if diff := cmp.Diff([]bool{true, false, false}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !mustParse(t, "g", `{"rclass":"local","packageType":"generic"}`).Filter().IsDefault() {
		t.Error("default patterns do not give the default filter")
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		key, body, base string
		want            Summary
	}{
		{"libs", `{"rclass":"local","packageType":"maven","description":"d"}`, "http://h/artifactory/",
			Summary{Key: "libs", Type: "LOCAL", Description: "d", URL: "http://h/artifactory/libs", PackageType: "Maven"}},
		{"npm-remote", `{"rclass":"remote","packageType":"npm","url":"https://registry.npmjs.org"}`, "http://h/artifactory",
			Summary{Key: "npm-remote", Type: "REMOTE", URL: "https://registry.npmjs.org", PackageType: "Npm"}},
		{"v", `{"rclass":"virtual","packageType":"generic"}`, "",
			Summary{Key: "v", Type: "VIRTUAL", PackageType: "Generic"}},
		{"f", `{"rclass":"federated","packageType":"docker"}`, "http://h/artifactory",
			Summary{Key: "f", Type: "FEDERATED", URL: "http://h/artifactory/f", PackageType: "Docker"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, mustParse(t, tt.key, tt.body).Summary(tt.base)); diff != "" {
			t.Errorf("Summary of %s (-want +got):\n%s", tt.key, diff)
		}
	}
}
