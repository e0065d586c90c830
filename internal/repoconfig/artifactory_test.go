package repoconfig

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

// TestVerbatimFieldsEchoed: Artifactory fields Arca does not implement, and Arca's fields sent
// to a class they do not apply to, are kept exactly as sent (nested values, number text, HTML
// characters), and survive storage.
func TestVerbatimFieldsEchoed(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]string // field → its JSON in the GET form
	}{
		{"Artifactory fields", `{"rclass":"remote","packageType":"generic","url":"http://x",
			"customHttpHeaders": [{"name": "X-A", "value": "<&>"}, {"n": [1, 2.50, null]}],
			"propagateQueryParams": "yes", "retrieveSha256FromServer": 123456789012345678901234567890}`,
			map[string]string{
				"customHttpHeaders":        `[{"name":"X-A","value":"<&>"},{"n":[1,2.50,null]}]`,
				"propagateQueryParams":     `"yes"`,
				"retrieveSha256FromServer": "123456789012345678901234567890",
			}},
		{"legacy GET flags", `{"rclass":"local","packageType":"cocoapods","enableCocoaPodsSupport":true,
			"enabledChefSupport":false,"keyPairRef":"pair"}`,
			map[string]string{"enableCocoaPodsSupport": "true", "enabledChefSupport": "false", "keyPairRef": `"pair"`}},
		{"fields of another class", `{"rclass":"local","packageType":"generic",
			"url": "not validated for a local", "repositories": 5, "members": {"x": 1}}`,
			map[string]string{"url": `"not validated for a local"`, "repositories": "5", "members": `{"x":1}`}},
		{"virtual helm namespaces", `{"rclass":"virtual","packageType":"helm","useNamespaces":true}`,
			map[string]string{"useNamespaces": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, "r", tt.body)
			l, err := Load(c.StoredJSON())
			if err != nil {
				t.Fatalf("Load(StoredJSON): %v", err)
			}
			for _, cfg := range []*Config{c, l} {
				b, _ := cfg.MarshalJSON()
				var m map[string]json.RawMessage
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for name := range tt.want {
					got[name] = string(m[name])
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("echoed fields (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestUnknownFieldsRefused: a name neither Arca nor Artifactory defines is a 400-class error
// naming it, with a suggestion when a known name is close; every such name is listed, after
// none of the other problems is lost.
func TestUnknownFieldsRefused(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"typo", `{"rclass":"local","packageType":"generic","includesPatern":"**/*"}`,
			"unknown repository field 'includesPatern' (did you mean 'includesPattern'?)"},
		{"wrong case", `{"rclass":"local","packageType":"generic","XrayIndex":true}`,
			"unknown repository field 'XrayIndex' (did you mean 'xrayIndex'?)"},
		{"typo of an Artifactory field", `{"rclass":"virtual","packageType":"helm","useNamespace":true}`,
			"unknown repository field 'useNamespace' (did you mean 'useNamespaces'?)"},
		{"nothing close", `{"rclass":"local","packageType":"generic","terraformOnly":{"a":1}}`,
			"unknown repository field 'terraformOnly'"},
		{"null is still a name", `{"rclass":"local","packageType":"generic","descripton":null}`,
			"unknown repository field 'descripton' (did you mean 'description'?)"},
		{"several, with other problems", `{"rclass":"local","packageType":"generic","zz":1,"aa":2,"blackedOut":"maybe"}`,
			`unknown repository field 'aa'; unknown repository field 'zz'; blackedOut: must be a boolean, got "maybe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("r", []byte(tt.body))
			if err == nil {
				t.Fatalf("Parse succeeded: %v", getJSON(t, c))
			}
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("error %v does not wrap arca.ErrInvalid", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n %q\nwant\n %q", err, tt.want)
			}
		})
	}
}

// TestLegacyUnknownFieldsLoad: a configuration stored before unknown names were refused still
// loads, round-trips GET → POST, and an update may remove the field with null.
func TestLegacyUnknownFieldsLoad(t *testing.T) {
	stored := `{"key":"old","rclass":"local","packageType":"generic","legacyField":{"a":[1]}}`
	c, err := Load([]byte(stored))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	get, _ := c.MarshalJSON()
	u, err := c.Update(get)
	if err != nil {
		t.Fatalf("Update(own GET form): %v", err)
	}
	if got := getJSON(t, u)["legacyField"]; !cmp.Equal(got, map[string]any{"a": []any{1.0}}) {
		t.Errorf("legacyField after GET → POST = %v", got)
	}
	u, err = c.Update([]byte(`{"legacyField":null}`))
	if err != nil {
		t.Fatalf("Update(null): %v", err)
	}
	if _, ok := getJSON(t, u)["legacyField"]; ok {
		t.Errorf("legacyField still present after a null update")
	}
	if _, err := c.Update([]byte(`{"otherLegacy":1}`)); err == nil {
		t.Errorf("Update accepted a new unknown field")
	}
}

// TestFieldTablesDisjoint: a field is either implemented (knownFields, validated) or kept
// verbatim (artifactoryFields), never both, and the verbatim list has no duplicates.
func TestFieldTablesDisjoint(t *testing.T) {
	known := knownFields()
	seen := map[string]bool{}
	for _, name := range artifactoryFields() {
		if _, ok := known[name]; ok {
			t.Errorf("%q is in both knownFields and artifactoryFields", name)
		}
		if seen[name] {
			t.Errorf("%q is listed twice in artifactoryFields", name)
		}
		seen[name] = true
		if name == "key" || name == "rclass" || name == "packageType" {
			t.Errorf("identity field %q in artifactoryFields", name)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "ab", 2},
		{"includespatern", "includespattern", 1},
		{"hardfial", "hardfail", 2},
		{"offline", "offline", 0},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
