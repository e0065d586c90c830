package npm

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

var (
	t1 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 = time.Date(2024, 6, 7, 8, 9, 10, 0, time.UTC)
)

const (
	stamp1 = "2024-01-02T03:04:05.000Z"
	stamp2 = "2024-06-07T08:09:10.000Z"
)

// tgz is a tarball's bytes and their digests, computed independently of the package.
type tgz struct {
	data                    []byte
	sha1, sha512, integrity string
}

func newTgz(content string) tgz {
	s1, s512 := sha1.Sum([]byte(content)), sha512.Sum512([]byte(content))
	return tgz{[]byte(content), hex.EncodeToString(s1[:]), hex.EncodeToString(s512[:]),
		"sha512-" + base64.StdEncoding.EncodeToString(s512[:])}
}

// contentOf is the tarball content the publish bodies of these tests carry for a version.
func contentOf(name, version string) tgz { return newTgz("tarball of " + name + "@" + version) }

// publishBody is the body `npm publish` sends (libnpmpublish's shape): the versions' manifests
// with their dist and the tarballs as attachments named "<name>-<version>.tgz", the last
// version tagged tag.
func publishBody(name, tag string, versions ...string) map[string]any {
	vs, atts := map[string]any{}, map[string]any{}
	for _, v := range versions {
		tb := contentOf(name, v)
		vs[v] = map[string]any{"name": name, "version": v, "description": "the package",
			"dist": map[string]any{"shasum": tb.sha1, "integrity": tb.integrity,
				"tarball": "http://localhost:8080/npm/" + strings.Replace(name, "/", "%2f", 1) + "/-/" + name + "-" + v + ".tgz"}}
		atts[name+"-"+v+".tgz"] = map[string]any{"content_type": "application/octet-stream",
			"data": base64.StdEncoding.EncodeToString(tb.data), "length": len(tb.data)}
	}
	return map[string]any{"_id": name, "name": name, "description": "the package", "readme": "# readme",
		"access": "public", "dist-tags": map[string]any{tag: versions[len(versions)-1]}, "versions": vs, "_attachments": atts}
}

func obj(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawJSON compares json.RawMessage by value, not by spelling.
var rawJSON = cmp.Transformer("json", func(r json.RawMessage) any {
	var v any
	if err := json.Unmarshal(r, &v); err != nil {
		return "invalid JSON: " + string(r)
	}
	return v
})

func wantTarball(name, version, file string) Tarball {
	tb := contentOf(name, version)
	return Tarball{Version: version, File: file, Data: tb.data, SHA1: tb.sha1, SHA512: tb.sha512}
}

func TestPublishNew(t *testing.T) {
	tests := []struct {
		name, pkg, file string
		mutate          func(body map[string]any)
	}{
		{"unscoped", "foo", "foo-1.0.0.tgz", nil},
		{"scoped, npm's attachment key", "@scope/x", "x-1.0.0.tgz", nil},
		{"scoped, attachment named by file", "@scope/x", "x-1.0.0.tgz", func(b map[string]any) {
			atts := obj(b, "_attachments")
			atts["x-1.0.0.tgz"] = atts["@scope/x-1.0.0.tgz"]
			delete(atts, "@scope/x-1.0.0.tgz")
		}},
		{"no dist.tarball", "foo", "foo-1.0.0.tgz", func(b map[string]any) {
			delete(obj(b, "versions", "1.0.0", "dist"), "tarball")
		}},
		{"no dist at all", "foo", "foo-1.0.0.tgz", func(b map[string]any) {
			delete(obj(b, "versions", "1.0.0"), "dist")
		}},
		{"the only attachment, whatever its name", "foo", "foo-1.0.0.tgz", func(b map[string]any) {
			atts := obj(b, "_attachments")
			atts["package.tgz"] = atts["foo-1.0.0.tgz"]
			delete(atts, "foo-1.0.0.tgz")
		}},
		{"upper-case shasum, no length", "foo", "foo-1.0.0.tgz", func(b map[string]any) {
			d := obj(b, "versions", "1.0.0", "dist")
			d["shasum"] = strings.ToUpper(d["shasum"].(string))
			delete(obj(b, "_attachments", "foo-1.0.0.tgz"), "length")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := publishBody(tt.pkg, "latest", "1.0.0")
			if tt.mutate != nil {
				tt.mutate(body)
			}
			next, tarballs, err := Publish(nil, tt.pkg, encode(t, body), "alice", t1)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Tarball{wantTarball(tt.pkg, "1.0.0", tt.file)}, tarballs); diff != "" {
				t.Errorf("tarballs (-want +got):\n%s", diff)
			}
			tb := contentOf(tt.pkg, "1.0.0")
			want := &Packument{
				Name:     tt.pkg,
				DistTags: map[string]string{"latest": "1.0.0"},
				Versions: map[string]json.RawMessage{"1.0.0": encode(t, map[string]any{
					"name": tt.pkg, "version": "1.0.0", "description": "the package", "_npmUser": map[string]any{"name": "alice"},
					"dist": map[string]any{"shasum": tb.sha1, "integrity": tb.integrity, "tarball": TarballPath(tt.pkg, tt.file)},
				})},
				Time: map[string]string{"created": stamp1, "modified": stamp1, "1.0.0": stamp1},
				Extra: map[string]json.RawMessage{"description": json.RawMessage(`"the package"`), "readme": json.RawMessage(`"# readme"`),
					"maintainers": json.RawMessage(`[{"name":"alice"}]`)},
			}
			if diff := cmp.Diff(want, next, rawJSON); diff != "" {
				t.Errorf("packument (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishExisting(t *testing.T) {
	cur, _, err := Publish(nil, "foo", encode(t, publishBody("foo", "latest", "1.0.0")), "alice", t1)
	if err != nil {
		t.Fatal(err)
	}
	before := cur.Marshal()
	body := publishBody("foo", "latest", "1.1.0", "1.2.0-rc.1")
	obj(body, "dist-tags")["latest"] = "1.1.0"
	obj(body, "dist-tags")["next"] = "1.2.0-rc.1"
	obj(body, "dist-tags")["stable"] = "1.0.0" // an earlier version may be tagged too
	body["description"] = "newer"
	next, tarballs, err := Publish(cur, "foo", encode(t, body), "bob", t2)
	if err != nil {
		t.Fatal(err)
	}
	if string(cur.Marshal()) != string(before) {
		t.Errorf("Publish changed the current packument:\n%s\nnow\n%s", before, cur.Marshal())
	}
	wantTarballs := []Tarball{wantTarball("foo", "1.1.0", "foo-1.1.0.tgz"), wantTarball("foo", "1.2.0-rc.1", "foo-1.2.0-rc.1.tgz")}
	if diff := cmp.Diff(wantTarballs, tarballs); diff != "" {
		t.Errorf("tarballs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"latest": "1.1.0", "next": "1.2.0-rc.1", "stable": "1.0.0"}, next.DistTags); diff != "" {
		t.Errorf("dist-tags (-want +got):\n%s", diff)
	}
	wantTime := map[string]string{"created": stamp1, "modified": stamp2, "1.0.0": stamp1, "1.1.0": stamp2, "1.2.0-rc.1": stamp2}
	if diff := cmp.Diff(wantTime, next.Time); diff != "" {
		t.Errorf("time (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(cur.Versions["1.0.0"], next.Versions["1.0.0"], rawJSON); diff != "" {
		t.Errorf("existing version changed (-want +got):\n%s", diff)
	}
	var m struct {
		NPMUser struct{ Name string } `json:"_npmUser"`
	}
	if err := json.Unmarshal(next.Versions["1.1.0"], &m); err != nil || m.NPMUser.Name != "bob" {
		t.Errorf("1.1.0 _npmUser = %q (%v), want bob", m.NPMUser.Name, err)
	}
	wantExtra := map[string]json.RawMessage{"description": json.RawMessage(`"newer"`), "readme": json.RawMessage(`"# readme"`),
		"maintainers": json.RawMessage(`[{"name":"alice"}]`)}
	if diff := cmp.Diff(wantExtra, next.Extra, rawJSON); diff != "" {
		t.Errorf("top-level fields (-want +got):\n%s", diff)
	}
}

// TestPublishManyVersions publishes several versions of a scoped package at once: each finds
// its attachment by npm's key, and the tarballs come in semver order.
func TestPublishManyVersions(t *testing.T) {
	versions := []string{"1.1.0", "1.1.1", "1.10.0", "1.2.0-rc.1", "1.9.0"}
	next, tarballs, err := Publish(nil, "@scope/x", encode(t, publishBody("@scope/x", "latest", versions...)), "", t1)
	if err != nil {
		t.Fatal(err)
	}
	var want []Tarball
	for _, v := range []string{"1.1.0", "1.1.1", "1.2.0-rc.1", "1.9.0", "1.10.0"} {
		want = append(want, wantTarball("@scope/x", v, "x-"+v+".tgz"))
	}
	if diff := cmp.Diff(want, tarballs); diff != "" {
		t.Errorf("tarballs (-want +got):\n%s", diff)
	}
	if len(next.Versions) != len(versions) {
		t.Errorf("versions: %d, want %d", len(next.Versions), len(versions))
	}
}

func TestPublishTags(t *testing.T) {
	cur, _, err := Publish(nil, "foo", encode(t, publishBody("foo", "latest", "1.0.0")), "", t1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cur     *Packument
		tag     string
		version string
		want    map[string]string
	}{
		{"new package, only beta: latest too", nil, "beta", "1.0.0-beta.1", map[string]string{"beta": "1.0.0-beta.1", "latest": "1.0.0-beta.1"}},
		{"existing package, next: latest kept", cur, "next", "2.0.0-rc.1", map[string]string{"latest": "1.0.0", "next": "2.0.0-rc.1"}},
		{"existing package, latest moved", cur, "latest", "1.1.0", map[string]string{"latest": "1.1.0"}},
		{"latest may go back", cur, "latest", "0.9.0", map[string]string{"latest": "0.9.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, _, err := Publish(tt.cur, "foo", encode(t, publishBody("foo", tt.tag, tt.version)), "", t2)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, next.DistTags); diff != "" {
				t.Errorf("dist-tags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishErrors(t *testing.T) {
	cur, _, err := Publish(nil, "foo", encode(t, publishBody("foo", "latest", "1.0.0")), "alice", t1)
	if err != nil {
		t.Fatal(err)
	}
	other := newTgz("something else")
	tests := []struct {
		name     string
		version  string // the published version, 1.1.0 when empty
		mutate   func(b map[string]any)
		raw      string // the body, when not built
		wantKind error
	}{
		{name: "republish", version: "1.0.0", wantKind: arca.ErrConflict},
		{name: "republish spelled v1.0.0", version: "v1.0.0", wantKind: arca.ErrInvalid},
		{name: "republish with build metadata", version: "1.0.0+b", wantKind: arca.ErrInvalid},
		{name: "republish among new versions", mutate: func(b map[string]any) {
			obj(b, "versions")["1.0.0"] = obj(publishBody("foo", "latest", "1.0.0"), "versions", "1.0.0")
		}, wantKind: arca.ErrConflict},
		{name: "shasum mismatch", mutate: func(b map[string]any) {
			obj(b, "versions", "1.1.0", "dist")["shasum"] = other.sha1
		}, wantKind: arca.ErrChecksum},
		{name: "integrity mismatch", mutate: func(b map[string]any) {
			obj(b, "versions", "1.1.0", "dist")["integrity"] = other.integrity
		}, wantKind: arca.ErrChecksum},
		{name: "length mismatch", mutate: func(b map[string]any) {
			obj(b, "_attachments", "foo-1.1.0.tgz")["length"] = 3
		}, wantKind: arca.ErrInvalid},
		{name: "bad base64", mutate: func(b map[string]any) {
			obj(b, "_attachments", "foo-1.1.0.tgz")["data"] = "%%% not base64"
		}, wantKind: arca.ErrInvalid},
		{name: "no attachment", mutate: func(b map[string]any) { delete(b, "_attachments") }, wantKind: arca.ErrInvalid},
		{name: "attachment of another version", mutate: func(b map[string]any) {
			two := publishBody("foo", "latest", "1.1.0", "1.2.0")
			delete(obj(two, "_attachments"), "foo-1.1.0.tgz")
			b["versions"], b["_attachments"] = two["versions"], two["_attachments"]
		}, wantKind: arca.ErrInvalid},
		{name: "document names another package", mutate: func(b map[string]any) { b["name"] = "bar" }, wantKind: arca.ErrInvalid},
		{name: "manifest names another package", mutate: func(b map[string]any) {
			obj(b, "versions", "1.1.0")["name"] = "bar"
		}, wantKind: arca.ErrInvalid},
		{name: "manifest names another version", mutate: func(b map[string]any) {
			obj(b, "versions", "1.1.0")["version"] = "1.1.1"
		}, wantKind: arca.ErrInvalid},
		{name: "invalid version", version: "1.0", wantKind: arca.ErrInvalid},
		{name: "malformed manifest", mutate: func(b map[string]any) { obj(b, "versions")["1.1.0"] = "x" }, wantKind: arca.ErrInvalid},
		{name: "no versions", mutate: func(b map[string]any) {
			b["versions"], b["dist-tags"] = map[string]any{}, map[string]any{}
		}, wantKind: arca.ErrInvalid},
		{name: "dist-tag names a missing version", mutate: func(b map[string]any) {
			obj(b, "dist-tags")["beta"] = "3.0.0"
		}, wantKind: arca.ErrInvalid},
		{name: "dist-tag looks like a version", mutate: func(b map[string]any) {
			obj(b, "dist-tags")["1.1.0"] = "1.1.0"
		}, wantKind: arca.ErrInvalid},
		{name: "dist-tags of the wrong shape", mutate: func(b map[string]any) { b["dist-tags"] = "latest" }, wantKind: arca.ErrInvalid},
		{name: "malformed body", raw: `{"name":"foo","versions":`, wantKind: arca.ErrInvalid},
		{name: "versions of the wrong shape", raw: `{"name":"foo","versions":["1.0.0"]}`, wantKind: arca.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := tt.version
			if version == "" {
				version = "1.1.0"
			}
			b := []byte(tt.raw)
			if tt.raw == "" {
				body := publishBody("foo", "latest", version)
				if tt.mutate != nil {
					tt.mutate(body)
				}
				b = encode(t, body)
			}
			next, tarballs, err := Publish(cur, "foo", b, "bob", t2)
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("Publish = %v, want %v", err, tt.wantKind)
			}
			if next != nil || tarballs != nil {
				t.Errorf("Publish returned %v, %v with its error", next, tarballs)
			}
		})
	}
}

func TestIsPublish(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"name":"foo","_attachments":{"foo-1.0.0.tgz":{"data":""}}}`, true},
		{`{"name":"foo","versions":{"1.0.0":{}}}`, false},
		{`{"name":"foo","_attachments":{}}`, false},
		{`{"name":"foo","_attachments":null}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := IsPublish([]byte(tt.body)); got != tt.want {
			t.Errorf("IsPublish(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

func TestUpdate(t *testing.T) {
	v100 := `"1.0.0":{"name":"foo","version":"1.0.0","dist":{"shasum":"a"}}`
	v110 := `"1.1.0":{"name":"foo","version":"1.1.0","deprecated":"too old"}`
	beta := `"2.0.0-beta.1":{"name":"foo","version":"2.0.0-beta.1"}`
	tags := `"dist-tags":{"latest":"1.1.0","beta":"2.0.0-beta.1","old":"1.0.0"}`
	tests := []struct {
		name        string
		body        string
		want        *Packument
		wantRemoved []string
	}{
		{"deprecate, other manifest changes ignored",
			`{"name":"foo",` + tags + `,"readme":"changed","versions":{` +
				`"1.0.0":{"name":"foo","version":"1.0.0","deprecated":"use 1.1","description":"sneaky","dist":{"shasum":"b"}},` + v110 + `,` + beta + `}}`,
			edited(func(p *Packument) {
				p.Versions["1.0.0"] = json.RawMessage(`{"name":"foo","version":"1.0.0","deprecated":"use 1.1","dist":{"shasum":"a"}}`)
			}), nil},
		{"undeprecate with an empty message",
			`{` + tags + `,"versions":{` + v100 + `,"1.1.0":{"deprecated":""},` + beta + `}}`,
			edited(func(p *Packument) { p.Versions["1.1.0"] = json.RawMessage(`{"name":"foo","version":"1.1.0"}`) }), nil},
		{"no dist-tags in the body: kept",
			`{"name":"foo","versions":{` + v100 + `,` + v110 + `,` + beta + `}}`,
			edited(func(p *Packument) {}), nil},
		{"dist-tags are the body's",
			`{"dist-tags":{"latest":"1.0.0","next":"2.0.0-beta.1"},"versions":{` + v100 + `,` + v110 + `,` + beta + `}}`,
			edited(func(p *Packument) { p.DistTags = map[string]string{"latest": "1.0.0", "next": "2.0.0-beta.1"} }), nil},
		{"unpublish latest: latest re-chosen among releases",
			`{"name":"foo",` + tags + `,"versions":{` + v100 + `,` + beta + `}}`,
			edited(func(p *Packument) {
				delete(p.Versions, "1.1.0")
				delete(p.Time, "1.1.0")
				p.DistTags["latest"] = "1.0.0"
			}), []string{"1.1.0"}},
		{"unpublish two: their tags dropped",
			`{"name":"foo",` + tags + `,"versions":{` + v110 + `}}`,
			edited(func(p *Packument) {
				delete(p.Versions, "1.0.0")
				delete(p.Versions, "2.0.0-beta.1")
				delete(p.Time, "1.0.0")
				delete(p.Time, "2.0.0-beta.1")
				p.DistTags = map[string]string{"latest": "1.1.0"}
			}), []string{"1.0.0", "2.0.0-beta.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := stored()
			next, removed, err := Update(cur, []byte(tt.body), t2)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, next, rawJSON); diff != "" {
				t.Errorf("packument (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRemoved, removed); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(stored(), cur, rawJSON); diff != "" {
				t.Errorf("Update changed the current packument (-want +got):\n%s", diff)
			}
		})
	}
	for _, body := range []string{
		`{"name":"foo","versions":{` + v100 + `,"9.9.9":{}}}`, // new versions come with a publish
		`{"name":"bar","versions":{` + v100 + `}}`,
		`{"name":"foo","versions":`,
	} {
		if _, _, err := Update(stored(), []byte(body), t2); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("Update(%s) = %v, want arca.ErrInvalid", body, err)
		}
	}
}

// TestPublishTarballNames checks that the stored file name is npm pack's whatever the client's
// dist.tarball says, so one version can never overwrite another's tarball, and that the
// publisher recorded is the authenticated user, not the one the client claims.
func TestPublishTarballNames(t *testing.T) {
	cur, _, err := Publish(nil, "foo", encode(t, publishBody("foo", "latest", "1.0.0")), "alice", t1)
	if err != nil {
		t.Fatal(err)
	}
	body := publishBody("foo", "latest", "1.0.1")
	obj(body, "versions", "1.0.1", "dist")["tarball"] = "http://x/foo/-/foo-1.0.0.tgz"
	obj(body, "versions", "1.0.1")["_npmUser"] = map[string]any{"name": "mallory"}
	atts := obj(body, "_attachments")
	atts["foo-1.0.0.tgz"] = atts["foo-1.0.1.tgz"]
	delete(atts, "foo-1.0.1.tgz")
	next, tarballs, err := Publish(cur, "foo", encode(t, body), "bob", t2)
	if err != nil {
		t.Fatal(err)
	}
	if len(tarballs) != 1 || tarballs[0].File != "foo-1.0.1.tgz" {
		t.Fatalf("tarballs = %+v, want one stored as foo-1.0.1.tgz", tarballs)
	}
	if a, b := next.TarballOf("1.0.0"), next.TarballOf("1.0.1"); a == b {
		t.Errorf("versions 1.0.0 and 1.0.1 share the tarball file %q", a)
	}
	var m struct {
		NPMUser struct{ Name string } `json:"_npmUser"`
	}
	if err := json.Unmarshal(next.Versions["1.0.1"], &m); err != nil || m.NPMUser.Name != "bob" {
		t.Errorf("_npmUser = %q (%v), want the publisher bob", m.NPMUser.Name, err)
	}
}

func TestUpdateRefusesBadTags(t *testing.T) {
	cur, _, err := Publish(nil, "foo", encode(t, publishBody("foo", "latest", "1.0.0")), "alice", t1)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"name":"foo","dist-tags":{"latest":"1.0.0","1.0.0":"1.0.0"},"versions":{"1.0.0":{}}}`
	if _, _, err := Update(cur, []byte(body), t2); !errors.Is(err, arca.ErrInvalid) {
		t.Errorf("Update with the dist-tag \"1.0.0\" = %v, want arca.ErrInvalid", err)
	}
}
