package npm

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

// decode parses a JSON document into generic values for comparison.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return m
}

func TestParsePackument(t *testing.T) {
	doc := `{"_id":"foo","_rev":"7-abc","_attachments":{},"name":"foo","description":"d",
		"dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"foo","version":"1.0.0"}},
		"time":{"created":"2020-01-01T00:00:00.000Z","1.0.0":"2020-01-01T00:00:00.000Z","unpublished":{"time":"x"}}}`
	got, err := ParsePackument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := &Packument{
		Name:     "foo",
		DistTags: map[string]string{"latest": "1.0.0"},
		Versions: map[string]json.RawMessage{"1.0.0": json.RawMessage(`{"name":"foo","version":"1.0.0"}`)},
		Time:     map[string]string{"created": "2020-01-01T00:00:00.000Z", "1.0.0": "2020-01-01T00:00:00.000Z"},
		Extra:    map[string]json.RawMessage{"description": json.RawMessage(`"d"`)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParsePackument (-want +got):\n%s", diff)
	}
}

func TestParsePackumentNulls(t *testing.T) {
	got, err := ParsePackument([]byte(`{"name":"foo","dist-tags":null,"versions":null,"time":null}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Packument{Name: "foo", DistTags: map[string]string{}, Versions: map[string]json.RawMessage{},
		Time: map[string]string{}, Extra: map[string]json.RawMessage{}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParsePackument (-want +got):\n%s", diff)
	}
}

func TestParsePackumentInvalid(t *testing.T) {
	for _, doc := range []string{
		``,
		`<html>502 Bad Gateway</html>`,
		`[]`,
		`"foo"`,
		`{"name":1}`,
		`{"name":"foo","versions":[]}`,
		`{"name":"foo","dist-tags":{"latest":1}}`,
		`{"name":"foo","time":"2020"}`,
	} {
		if _, err := ParsePackument([]byte(doc)); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("ParsePackument(%q) = %v, want arca.ErrInvalid", doc, err)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	p := &Packument{
		Name:     "@acme/x",
		DistTags: map[string]string{"latest": "1.0.0"},
		Versions: map[string]json.RawMessage{"1.0.0": json.RawMessage(`{"name":"@acme/x","version":"1.0.0","description":"<b>&</b>"}`)},
		Time:     map[string]string{"modified": "2020-01-01T00:00:00.000Z"},
		Extra:    map[string]json.RawMessage{"readme": json.RawMessage(`"# x"`)},
	}
	b := p.Marshal()
	want := map[string]any{
		"_id": "@acme/x", "name": "@acme/x", "readme": "# x",
		"dist-tags": map[string]any{"latest": "1.0.0"},
		"versions":  map[string]any{"1.0.0": map[string]any{"name": "@acme/x", "version": "1.0.0", "description": "<b>&</b>"}},
		"time":      map[string]any{"modified": "2020-01-01T00:00:00.000Z"},
	}
	if diff := cmp.Diff(want, decode(t, b)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	if regexp.MustCompile(`\\u003c|\\u0026`).Match(b) {
		t.Errorf("Marshal escaped HTML: %s", b)
	}
	back, err := ParsePackument(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("ParsePackument(Marshal()) (-want +got):\n%s", diff)
	}
}

const base = "https://arca.example/api/npm/npm-local"

func TestRenderTarballs(t *testing.T) {
	tests := []struct {
		name, pkg, version string
		dist               string // the stored manifest's "dist" ("" for none)
		want               string
	}{
		{"npmjs absolute", "foo", "1.0.0", `{"tarball":"https://registry.npmjs.org/foo/-/foo-1.0.0.tgz"}`, base + "/foo/-/foo-1.0.0.tgz"},
		{"npmjs scoped", "@s/n", "1.0.0", `{"tarball":"https://registry.npmjs.org/@s/n/-/n-1.0.0.tgz"}`, base + "/@s/n/-/n-1.0.0.tgz"},
		{"artifactory scoped", "@s/n", "1.0.0", `{"tarball":"https://art.example/api/npm/r/@s/n/-/@s/n-1.0.0.tgz"}`, base + "/@s/n/-/n-1.0.0.tgz"},
		{"relative path", "foo", "1.0.0", `{"tarball":"foo/-/foo-1.0.0.tgz"}`, base + "/foo/-/foo-1.0.0.tgz"},
		{"custom file name kept", "foo", "1.0.0", `{"tarball":"http://old.example/foo/-/foo-custom-build.tgz"}`, base + "/foo/-/foo-custom-build.tgz"},
		{"bare file name", "@s/n", "2.0.0", `{"tarball":"n-2.0.0.tgz"}`, base + "/@s/n/-/n-2.0.0.tgz"},
		{"trailing slash", "foo", "1.0.0", `{"tarball":"https://r.example/foo/-/foo-1.0.0.tgz/"}`, base + "/foo/-/foo-1.0.0.tgz"},
		{"no dist", "foo", "1.2.3", ``, base + "/foo/-/foo-1.2.3.tgz"},
		{"no dist scoped", "@s/n", "1.2.3-rc.1", ``, base + "/@s/n/-/n-1.2.3-rc.1.tgz"},
		{"dist without tarball", "foo", "1.0.0", `{"shasum":"abc"}`, base + "/foo/-/foo-1.0.0.tgz"},
		{"empty tarball", "foo", "1.0.0", `{"tarball":""}`, base + "/foo/-/foo-1.0.0.tgz"},
		{"not a .tgz", "foo", "1.0.0", `{"tarball":"https://r.example/foo/download"}`, base + "/foo/-/foo-1.0.0.tgz"},
		{"malformed dist", "foo", "1.0.0", `"nope"`, base + "/foo/-/foo-1.0.0.tgz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := fmt.Sprintf(`{"name":%q,"version":%q}`, tt.pkg, tt.version)
			if tt.dist != "" {
				manifest = fmt.Sprintf(`{"name":%q,"version":%q,"dist":%s}`, tt.pkg, tt.version, tt.dist)
			}
			doc := fmt.Sprintf(`{"name":%q,"versions":{%q:%s}}`, tt.pkg, tt.version, manifest)
			for _, abbreviated := range []bool{false, true} {
				out, err := Render([]byte(doc), base, "", abbreviated)
				if err != nil {
					t.Fatal(err)
				}
				var got struct {
					Versions map[string]struct {
						Dist dist `json:"dist"`
					} `json:"versions"`
				}
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("Render output %s: %v", out, err)
				}
				if g := got.Versions[tt.version].Dist.Tarball; g != tt.want {
					t.Errorf("Render(abbreviated=%v): tarball = %q, want %q", abbreviated, g, tt.want)
				}
			}
		})
	}
}

// renderDoc has a manifest with install and non-install fields, a malformed manifest, and
// top-level fields of all kinds.
const renderDoc = `{"_id":"foo","_rev":"9-stored","_attachments":{"x":{}},"name":"foo",
	"description":"the foo","readme":"# foo","maintainers":[{"name":"alice"}],"x-custom":{"n":1},
	"dist-tags":{"latest":"1.0.0"},
	"time":{"created":"2020-01-01T00:00:00.000Z","modified":"2021-02-03T04:05:06.000Z","1.0.0":"2020-01-01T00:00:00.000Z"},
	"versions":{
		"1.0.0":{"name":"foo","version":"1.0.0","description":"the foo","readme":"long","scripts":{"test":"t"},
			"dependencies":{"a":"^1.0.0"},"peerDependencies":{"p":"*"},"bin":{"foo":"cli.js"},"engines":{"node":">=18"},
			"deprecated":"use bar","license":"MIT","_hasShrinkwrap":false,"hasInstallScript":true,"os":["linux"],"cpu":["x64"],
			"dist":{"tarball":"https://registry.npmjs.org/foo/-/foo-1.0.0.tgz","shasum":"s1","integrity":"sha512-i","fileCount":3}},
		"0.0.1":"broken",
		"0.0.2":null
	}}`

func TestRenderFull(t *testing.T) {
	for _, rev := range []string{"", "1-abc"} {
		out, err := Render([]byte(renderDoc), base, rev, false)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"_id": "foo", "name": "foo", "description": "the foo", "readme": "# foo",
			"maintainers": []any{map[string]any{"name": "alice"}}, "x-custom": map[string]any{"n": float64(1)},
			"dist-tags": map[string]any{"latest": "1.0.0"},
			"time":      map[string]any{"created": "2020-01-01T00:00:00.000Z", "modified": "2021-02-03T04:05:06.000Z", "1.0.0": "2020-01-01T00:00:00.000Z"},
			"versions": map[string]any{"1.0.0": map[string]any{
				"name": "foo", "version": "1.0.0", "description": "the foo", "readme": "long", "scripts": map[string]any{"test": "t"},
				"dependencies": map[string]any{"a": "^1.0.0"}, "peerDependencies": map[string]any{"p": "*"},
				"bin": map[string]any{"foo": "cli.js"}, "engines": map[string]any{"node": ">=18"}, "deprecated": "use bar",
				"license": "MIT", "_hasShrinkwrap": false, "hasInstallScript": true, "os": []any{"linux"}, "cpu": []any{"x64"},
				"dist": map[string]any{"tarball": base + "/foo/-/foo-1.0.0.tgz", "shasum": "s1", "integrity": "sha512-i", "fileCount": float64(3)},
			}},
		}
		if rev != "" {
			want["_rev"] = rev
		}
		if diff := cmp.Diff(want, decode(t, out)); diff != "" {
			t.Errorf("Render(rev=%q) (-want +got):\n%s", rev, diff)
		}
	}
}

func TestRenderAbbreviated(t *testing.T) {
	out, err := Render([]byte(renderDoc), base, "1-abc", true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name": "foo", "modified": "2021-02-03T04:05:06.000Z",
		"dist-tags": map[string]any{"latest": "1.0.0"},
		"versions": map[string]any{"1.0.0": map[string]any{
			"name": "foo", "version": "1.0.0", "dependencies": map[string]any{"a": "^1.0.0"},
			"peerDependencies": map[string]any{"p": "*"}, "bin": map[string]any{"foo": "cli.js"},
			"engines": map[string]any{"node": ">=18"}, "deprecated": "use bar", "license": "MIT",
			"_hasShrinkwrap": false, "hasInstallScript": true, "os": []any{"linux"}, "cpu": []any{"x64"},
			"dist": map[string]any{"tarball": base + "/foo/-/foo-1.0.0.tgz", "shasum": "s1", "integrity": "sha512-i", "fileCount": float64(3)},
		}},
	}
	if diff := cmp.Diff(want, decode(t, out)); diff != "" {
		t.Errorf("Render abbreviated (-want +got):\n%s", diff)
	}

	// Without a modified time, the abbreviated form has no "modified".
	out, err = Render([]byte(`{"name":"foo","versions":{}}`), base, "", true)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]any{"name": "foo", "dist-tags": map[string]any{}, "versions": map[string]any{}}
	if diff := cmp.Diff(want, decode(t, out)); diff != "" {
		t.Errorf("Render abbreviated, no time (-want +got):\n%s", diff)
	}
}

func TestRenderInvalid(t *testing.T) {
	if _, err := Render([]byte(`not json`), base, "", false); !errors.Is(err, arca.ErrInvalid) {
		t.Errorf("Render(not json) = %v, want arca.ErrInvalid", err)
	}
}

func TestRev(t *testing.T) {
	a, b := Rev([]byte(`{"name":"a"}`)), Rev([]byte(`{"name":"b"}`))
	if !regexp.MustCompile(`^1-[0-9a-f]{16}$`).MatchString(a) {
		t.Errorf("Rev = %q, want 1-<16 hex>", a)
	}
	if a == b {
		t.Errorf("Rev of different documents are both %q", a)
	}
	if again := Rev([]byte(`{"name":"a"}`)); again != a {
		t.Errorf("Rev not deterministic: %q then %q", a, again)
	}
}

func TestFormatTime(t *testing.T) {
	in := time.Date(2024, 3, 4, 6, 7, 8, 9_000_000, time.FixedZone("x", 2*3600))
	if got, want := FormatTime(in), "2024-03-04T04:07:08.009Z"; got != want {
		t.Errorf("FormatTime = %q, want %q", got, want)
	}
}

func TestIntegrity(t *testing.T) {
	sum := sha512.Sum512([]byte("hello"))
	hexSum := hex.EncodeToString(sum[:])
	const b64 = "m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw=="
	if got := Integrity(hexSum); got != "sha512-"+b64 {
		t.Errorf("Integrity(%s) = %q, want sha512-%s", hexSum, got, b64)
	}
	tests := []struct {
		name, integrity, want string
	}{
		{"sha512", "sha512-" + b64, hexSum},
		{"round trip", Integrity(hexSum), hexSum},
		{"among others", "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00= sha512-" + b64, hexSum},
		{"with options", "sha512-" + b64 + "?foo", hexSum},
		{"sha1 only", "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=", ""},
		{"empty", "", ""},
		{"bad base64", "sha512-!!!", ""},
		{"wrong length", "sha512-qvTGHdzF6KLavt4PO0gs2a6pQ00=", ""},
	}
	for _, tt := range tests {
		if got := IntegritySHA512(tt.integrity); got != tt.want {
			t.Errorf("%s: IntegritySHA512(%q) = %q, want %q", tt.name, tt.integrity, got, tt.want)
		}
	}
	if got := Integrity("not hex"); got != "" {
		t.Errorf(`Integrity("not hex") = %q, want ""`, got)
	}
}

// stored is a package with a release, a deprecated release and a prerelease, all tagged: the
// starting point of the Update, RemoveVersion and dist-tag tests.
func stored() *Packument {
	return &Packument{
		Name:     "foo",
		DistTags: map[string]string{"latest": "1.1.0", "beta": "2.0.0-beta.1", "old": "1.0.0"},
		Versions: map[string]json.RawMessage{
			"1.0.0":        json.RawMessage(`{"name":"foo","version":"1.0.0","dist":{"shasum":"a"}}`),
			"1.1.0":        json.RawMessage(`{"name":"foo","version":"1.1.0","deprecated":"too old"}`),
			"2.0.0-beta.1": json.RawMessage(`{"name":"foo","version":"2.0.0-beta.1"}`),
		},
		Time:  map[string]string{"created": stamp1, "modified": stamp1, "1.0.0": stamp1, "1.1.0": stamp1, "2.0.0-beta.1": stamp1},
		Extra: map[string]json.RawMessage{"readme": json.RawMessage(`"r"`)},
	}
}

// edited is stored() changed by edit, modified at stamp2.
func edited(edit func(p *Packument)) *Packument {
	p := stored()
	p.Time["modified"] = stamp2
	edit(p)
	return p
}

func TestRemoveVersion(t *testing.T) {
	tests := []struct {
		version string
		want    *Packument
	}{
		{"1.1.0", edited(func(p *Packument) {
			delete(p.Versions, "1.1.0")
			delete(p.Time, "1.1.0")
			p.DistTags["latest"] = "1.0.0"
		})},
		{"1.0.0", edited(func(p *Packument) {
			delete(p.Versions, "1.0.0")
			delete(p.Time, "1.0.0")
			delete(p.DistTags, "old")
		})},
	}
	for _, tt := range tests {
		cur := stored()
		next, ok := RemoveVersion(cur, tt.version, t2)
		if !ok {
			t.Fatalf("RemoveVersion(%s): not ok", tt.version)
		}
		if diff := cmp.Diff(tt.want, next, rawJSON); diff != "" {
			t.Errorf("RemoveVersion(%s) (-want +got):\n%s", tt.version, diff)
		}
		if diff := cmp.Diff(stored(), cur, rawJSON); diff != "" {
			t.Errorf("RemoveVersion(%s) changed the current packument (-want +got):\n%s", tt.version, diff)
		}
	}
	if next, ok := RemoveVersion(stored(), "3.0.0", t2); ok || !cmp.Equal(stored(), next, rawJSON) {
		t.Errorf("RemoveVersion(missing) = %v, %v; want the packument unchanged, false", next, ok)
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		name     string
		op       func(*Packument) (*Packument, error)
		want     *Packument
		wantKind error
	}{
		{"set new tag", func(p *Packument) (*Packument, error) { return SetTag(p, "next", "2.0.0-beta.1", t2) },
			edited(func(p *Packument) { p.DistTags["next"] = "2.0.0-beta.1" }), nil},
		{"move latest", func(p *Packument) (*Packument, error) { return SetTag(p, "latest", "1.0.0", t2) },
			edited(func(p *Packument) { p.DistTags["latest"] = "1.0.0" }), nil},
		{"set invalid tag", func(p *Packument) (*Packument, error) { return SetTag(p, "1.0.0", "1.0.0", t2) }, nil, arca.ErrInvalid},
		{"set to missing version", func(p *Packument) (*Packument, error) { return SetTag(p, "next", "3.0.0", t2) }, nil, arca.ErrNotFound},
		{"delete tag", func(p *Packument) (*Packument, error) { return DeleteTag(p, "beta", t2) },
			edited(func(p *Packument) { delete(p.DistTags, "beta") }), nil},
		{"delete latest", func(p *Packument) (*Packument, error) { return DeleteTag(p, "latest", t2) }, nil, arca.ErrInvalid},
		{"delete missing tag", func(p *Packument) (*Packument, error) { return DeleteTag(p, "next", t2) }, nil, arca.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := stored()
			next, err := tt.op(cur)
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("error = %v, want %v", err, tt.wantKind)
			}
			if diff := cmp.Diff(tt.want, next, rawJSON); diff != "" {
				t.Errorf("packument (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(stored(), cur, rawJSON); diff != "" {
				t.Errorf("the current packument changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderVersion(t *testing.T) {
	doc := []byte(`{"name":"@s/n","dist-tags":{"latest":"1.0.0","next":"2.0.0"},
		"versions":{"1.0.0":{"version":"1.0.0","dist":{"shasum":"ab","tarball":"http://old/@s/n/-/@s/n-1.0.0.tgz"}},"2.0.0":{"version":"2.0.0"}}}`)
	tests := []struct{ want, version, tarball string }{
		{"1.0.0", "1.0.0", "http://h/r/@s/n/-/n-1.0.0.tgz"},
		{"latest", "1.0.0", "http://h/r/@s/n/-/n-1.0.0.tgz"},
		{"next", "2.0.0", "http://h/r/@s/n/-/n-2.0.0.tgz"},
	}
	for _, tt := range tests {
		m, err := RenderVersion(doc, "http://h/r", tt.want)
		if err != nil {
			t.Fatalf("RenderVersion(%q): %v", tt.want, err)
		}
		var got struct {
			Version string
			Dist    struct{ Tarball, Shasum string }
		}
		if err := json.Unmarshal(m, &got); err != nil {
			t.Fatal(err)
		}
		if got.Version != tt.version || got.Dist.Tarball != tt.tarball {
			t.Errorf("RenderVersion(%q) = %s %s, want %s %s", tt.want, got.Version, got.Dist.Tarball, tt.version, tt.tarball)
		}
	}
	if _, err := RenderVersion(doc, "http://h/r", "3.0.0"); !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("RenderVersion(3.0.0) = %v, want arca.ErrNotFound", err)
	}
}
