package npm

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNativeMergeRenderMatchesUncached checks that the caches of Native change nothing served:
// after each change of a member, Native's merge and render give the bytes Format.Merge and
// Render give from scratch, full and abbreviated.
func TestNativeMergeRenderMatchesUncached(t *testing.T) {
	n := New(64 << 20)
	a, b := manyVersions("pkg", 30, ""), manyVersions("pkg", 30, "-b")
	b.Extra["description"] = json.RawMessage(`"<b> & \u2028 é"`)
	const base = "http://h/artifactory/api/npm/v"
	edits := []func(){
		func() {},
		func() { b.Versions["9.0.0"] = marshal(map[string]any{"name": "pkg", "version": "9.0.0"}) }, // no dist: rebuilt
		func() { b.DistTags["beta"] = "9.0.0" },
		func() { delete(a.Versions, "1.0.5") },
		func() { a.Versions["1.0.6"] = json.RawMessage(`{"name":"pkg","version":"1.0.6","deprecated":"no"}`) }, // changed manifest
		func() { b.Versions["9.0.1"] = json.RawMessage(`[1]`) },                                                // malformed: left out
	}
	for i, edit := range edits {
		edit()
		docs := [][]byte{a.Marshal(), b.Marshal()}
		want, _, err := Format{}.Merge("pkg/package.json", docs)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := n.Merge("pkg/package.json", docs)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("edit %d: merged document (-uncached +cached):\n%s", i, diff)
		}
		for _, abbreviated := range []bool{false, true} {
			want, err := Render(want, base, Rev(want), abbreviated)
			if err != nil {
				t.Fatal(err)
			}
			got, err := n.render(got, "", base, Rev(got), abbreviated)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Fatalf("edit %d, abbreviated %v: rendered (-uncached +cached):\n%s", i, abbreviated, diff)
			}
		}
	}
}

// TestMarshalMatchesEncodingJSON checks the hand-written encoder against encoding/json's output
// for the same maps (sorted keys, no HTML escaping, compact).
func TestMarshalMatchesEncodingJSON(t *testing.T) {
	p := manyVersions("@s/x", 5, "")
	p.Extra["description"] = json.RawMessage(`"a \"quoted\" <tag> & \\ é \u2028"`)
	p.Extra["maintainers"] = json.RawMessage(`[{"name":"a"}]`)
	p.Extra["versions"] = json.RawMessage(`"ignored: the versions win"`)
	p.DistTags["tag\"x"] = "1.0.0"
	p.Time["é"] = "t\n"
	doc := map[string]any{}
	for k, v := range p.Extra {
		doc[k] = v
	}
	doc["_id"], doc["name"], doc["dist-tags"], doc["versions"], doc["time"] = p.Name, p.Name, p.DistTags, p.Versions, p.Time
	if diff := cmp.Diff(string(marshal(doc)), string(p.Marshal())); diff != "" {
		t.Errorf("Marshal (-encoding/json +Marshal):\n%s", diff)
	}
}
