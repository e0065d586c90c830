package npm

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// leftPad is a scoped package whose latest (1.1.0) differs from its older version in
// description and keywords.
const leftPad = `{"name":"@acme/left-pad","dist-tags":{"latest":"1.1.0"},"time":{"modified":"2024-01-01T00:00:00.000Z"},
	"versions":{
		"1.0.0":{"name":"@acme/left-pad","version":"1.0.0","description":"an obsolete thing","keywords":["legacy"]},
		"1.1.0":{"name":"@acme/left-pad","version":"1.1.0","description":"Pads strings on the LEFT","keywords":["String","padding"],
			"homepage":"https://left-pad.example","_npmUser":{"name":"bob","email":"bob@example.com"}},
		"2.0.0-rc.1":{"name":"@acme/left-pad","version":"2.0.0-rc.1","description":"unreleased"}}}`

func TestSearchMatch(t *testing.T) {
	tests := []struct {
		text      string
		wantOK    bool
		wantScore float64
	}{
		{"", true, 0},
		{"@acme/left-pad", true, 1},        // the exact name
		{"left-pad", true, 0.5},            // part of the name
		{"LEFT PAD", true, 1},              // case-insensitive, each word scores
		{"@acme/left-pad left", true, 1.5}, // exact and partial
		{"strings", true, 0.1},             // in the description
		{"padding", true, 0.1},             // in the keywords
		{"keywords:string", true, 0},       // keyword qualifier, case-insensitive
		{"keywords:padding left", true, 0.5},
		{"scope:acme", true, 0},
		{"scope:@acme", true, 0},
		{"author:bob maintainer:x not:unstable is:insecure", true, 0}, // other qualifiers ignored
		{"right", false, 0},
		{"left right", false, 0}, // every word must match
		{"obsolete", false, 0},   // only the latest version's description counts
		{"unreleased", false, 0},
		{"keywords:legacy", false, 0},
		{"keywords:pad", false, 0}, // keywords match whole
		{"scope:other", false, 0},
		{"scope:unscoped", false, 0},
	}
	for _, tt := range tests {
		got, ok := Search([]byte(leftPad), tt.text)
		if ok != tt.wantOK {
			t.Errorf("Search(%q) ok = %v, want %v", tt.text, ok, tt.wantOK)
			continue
		}
		if ok && (got.SearchScore != tt.wantScore || got.Score.Final != tt.wantScore) {
			t.Errorf("Search(%q) score = %v (final %v), want %v", tt.text, got.SearchScore, got.Score.Final, tt.wantScore)
		}
		if !ok && !cmp.Equal(got, SearchResult{}) {
			t.Errorf("Search(%q) = %+v with ok false, want the zero result", tt.text, got)
		}
	}
}

func TestSearchResult(t *testing.T) {
	got, ok := Search([]byte(leftPad), "left")
	if !ok {
		t.Fatal("no match")
	}
	want := SearchResult{
		Package: SearchPackage{
			Name: "@acme/left-pad", Scope: "acme", Version: "1.1.0", Description: "Pads strings on the LEFT",
			Keywords: []string{"String", "padding"}, Date: "2024-01-01T00:00:00.000Z",
			Links:       map[string]string{"homepage": "https://left-pad.example"},
			Publisher:   &SearchUser{Username: "bob", Email: "bob@example.com"},
			Maintainers: []SearchUser{},
		},
		Score:       SearchScore{Final: 0.5, Detail: map[string]float64{"quality": 0, "popularity": 0, "maintenance": 0}},
		SearchScore: 0.5,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Search (-want +got):\n%s", diff)
	}
}

func TestSearchPackageFields(t *testing.T) {
	tests := []struct {
		name            string
		doc             string
		wantVersion     string
		wantScope       string
		wantKeywords    []string
		wantMaintainers int
	}{
		{"no keywords nor maintainers: empty, not null",
			`{"name":"foo","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{}}}`, "1.0.0", "unscoped", []string{}, 0},
		{"keywords as a string",
			`{"name":"foo","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"keywords":"a, b c"}}}`, "1.0.0", "unscoped", []string{"a", "b", "c"}, 0},
		{"keywords of a wrong type",
			`{"name":"foo","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"keywords":7}}}`, "1.0.0", "unscoped", []string{}, 0},
		{"maintainers of the manifest",
			`{"name":"foo","maintainers":[{"name":"a"}],"versions":{"1.0.0":{"maintainers":[{"name":"x"},{"name":"y"}]}}}`, "1.0.0", "unscoped", []string{}, 2},
		{"maintainers of the packument",
			`{"name":"foo","maintainers":[{"name":"a"}],"versions":{"1.0.0":{}}}`, "1.0.0", "unscoped", []string{}, 1},
		{"no latest tag: the highest release",
			`{"name":"@s/n","versions":{"1.0.0":{},"1.10.0":{},"1.9.0":{},"2.0.0-rc.1":{}}}`, "1.10.0", "s", []string{}, 0},
		{"latest naming a missing version",
			`{"name":"@s/n","dist-tags":{"latest":"9.0.0"},"versions":{"1.0.0":{},"2.0.0-rc.1":{}}}`, "1.0.0", "s", []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Search([]byte(tt.doc), "")
			if !ok {
				t.Fatal("no match")
			}
			if got.Package.Version != tt.wantVersion || got.Package.Scope != tt.wantScope {
				t.Errorf("version, scope = %q, %q; want %q, %q", got.Package.Version, got.Package.Scope, tt.wantVersion, tt.wantScope)
			}
			if diff := cmp.Diff(tt.wantKeywords, got.Package.Keywords); diff != "" {
				t.Errorf("keywords (-want +got):\n%s", diff)
			}
			if got.Package.Maintainers == nil || len(got.Package.Maintainers) != tt.wantMaintainers {
				t.Errorf("maintainers = %#v, want %d (never nil)", got.Package.Maintainers, tt.wantMaintainers)
			}
			for _, m := range got.Package.Maintainers {
				if m.Username == "" { // npm's search output reads username (a registry's "name")
					t.Errorf("maintainer %+v has no username", m)
				}
			}
			if got.Package.Publisher != nil {
				t.Errorf("publisher = %+v, want none", got.Package.Publisher)
			}
			// npm's search output maps over keywords and maintainers: they must be arrays.
			var wire struct {
				Package map[string]json.RawMessage `json:"package"`
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &wire); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"keywords", "maintainers"} {
				if v := string(wire.Package[k]); len(v) == 0 || v[0] != '[' {
					t.Errorf("%s encodes as %q, want an array", k, v)
				}
			}
		})
	}
}

func TestSearchNoMatch(t *testing.T) {
	for _, doc := range []string{
		`not json`,
		`{"name":"foo"}`,
		`{"name":"foo","versions":{}}`,
	} {
		if got, ok := Search([]byte(doc), ""); ok || !cmp.Equal(got, SearchResult{}) {
			t.Errorf("Search(%s) = %+v, %v; want no match", doc, got, ok)
		}
	}
}
