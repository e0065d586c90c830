package npm

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestMerge(t *testing.T) {
	// local has 1.0.0 (its own build) and 1.1.0; remote has another 1.0.0 and 2.0.0.
	const local = `{"_id":"foo","_rev":"3-x","name":"foo","description":"local","readme":"local readme",
		"dist-tags":{"latest":"1.1.0","beta":"1.1.0"},
		"versions":{"1.0.0":{"version":"1.0.0","from":"local"},"1.1.0":{"version":"1.1.0"}},
		"time":{"created":"2020-02-01T00:00:00.000Z","modified":"2020-03-01T00:00:00.000Z",
			"1.0.0":"2020-02-01T00:00:00.000Z","1.1.0":"2020-03-01T00:00:00.000Z"}}`
	const remote = `{"name":"foo","description":"remote","homepage":"https://foo.example",
		"dist-tags":{"latest":"2.0.0","beta":"2.0.0-beta.1","next":"2.0.0"},
		"versions":{"1.0.0":{"version":"1.0.0","from":"remote"},"2.0.0-beta.1":{"version":"2.0.0-beta.1"},"2.0.0":{"version":"2.0.0"}},
		"time":{"created":"2019-01-01T00:00:00.000Z","modified":"2021-01-01T00:00:00.000Z",
			"1.0.0":"2019-01-01T00:00:00.000Z","2.0.0-beta.1":"2020-12-01T00:00:00.000Z","2.0.0":"2021-01-01T00:00:00.000Z"}}`

	tests := []struct {
		name string
		docs []string
		want map[string]any
	}{
		{
			name: "union, first wins",
			docs: []string{local, remote},
			want: map[string]any{
				"_id": "foo", "name": "foo", "description": "local", "readme": "local readme", "homepage": "https://foo.example",
				"dist-tags": map[string]any{"latest": "2.0.0", "beta": "1.1.0", "next": "2.0.0"},
				"versions": map[string]any{
					"1.0.0":        map[string]any{"version": "1.0.0", "from": "local"},
					"1.1.0":        map[string]any{"version": "1.1.0"},
					"2.0.0-beta.1": map[string]any{"version": "2.0.0-beta.1"},
					"2.0.0":        map[string]any{"version": "2.0.0"},
				},
				"time": map[string]any{
					"created": "2019-01-01T00:00:00.000Z", "modified": "2021-01-01T00:00:00.000Z",
					"1.0.0": "2020-02-01T00:00:00.000Z", "1.1.0": "2020-03-01T00:00:00.000Z",
					"2.0.0-beta.1": "2020-12-01T00:00:00.000Z", "2.0.0": "2021-01-01T00:00:00.000Z",
				},
			},
		},
		{
			name: "other order",
			docs: []string{remote, local},
			want: map[string]any{
				"_id": "foo", "name": "foo", "description": "remote", "readme": "local readme", "homepage": "https://foo.example",
				"dist-tags": map[string]any{"latest": "2.0.0", "beta": "2.0.0-beta.1", "next": "2.0.0"},
				"versions": map[string]any{
					"1.0.0":        map[string]any{"version": "1.0.0", "from": "remote"},
					"1.1.0":        map[string]any{"version": "1.1.0"},
					"2.0.0-beta.1": map[string]any{"version": "2.0.0-beta.1"},
					"2.0.0":        map[string]any{"version": "2.0.0"},
				},
				"time": map[string]any{
					"created": "2019-01-01T00:00:00.000Z", "modified": "2021-01-01T00:00:00.000Z",
					"1.0.0": "2019-01-01T00:00:00.000Z", "1.1.0": "2020-03-01T00:00:00.000Z",
					"2.0.0-beta.1": "2020-12-01T00:00:00.000Z", "2.0.0": "2021-01-01T00:00:00.000Z",
				},
			},
		},
		{
			name: "latest by semver, not text",
			docs: []string{
				`{"name":"foo","dist-tags":{"latest":"1.9.0"},"versions":{"1.9.0":{}}}`,
				`{"name":"foo","dist-tags":{"latest":"1.10.0"},"versions":{"1.10.0":{}}}`,
			},
			want: map[string]any{
				"_id": "foo", "name": "foo", "dist-tags": map[string]any{"latest": "1.10.0"},
				"versions": map[string]any{"1.9.0": map[string]any{}, "1.10.0": map[string]any{}}, "time": map[string]any{},
			},
		},
		{
			name: "latest: a release beats a newer prerelease",
			docs: []string{
				`{"name":"foo","dist-tags":{"latest":"3.0.0-rc.1"},"versions":{"3.0.0-rc.1":{}}}`,
				`{"name":"foo","dist-tags":{"latest":"2.0.0"},"versions":{"2.0.0":{}}}`,
			},
			want: map[string]any{
				"_id": "foo", "name": "foo", "dist-tags": map[string]any{"latest": "2.0.0"},
				"versions": map[string]any{"3.0.0-rc.1": map[string]any{}, "2.0.0": map[string]any{}}, "time": map[string]any{},
			},
		},
		{
			name: "latest: only prereleases, the highest",
			docs: []string{
				`{"name":"foo","dist-tags":{"latest":"1.0.0-beta.2"},"versions":{"1.0.0-beta.2":{}}}`,
				`{"name":"foo","dist-tags":{"latest":"1.0.0-beta.11"},"versions":{"1.0.0-beta.11":{}}}`,
			},
			want: map[string]any{
				"_id": "foo", "name": "foo", "dist-tags": map[string]any{"latest": "1.0.0-beta.11"},
				"versions": map[string]any{"1.0.0-beta.2": map[string]any{}, "1.0.0-beta.11": map[string]any{}}, "time": map[string]any{},
			},
		},
		{
			name: "a member's latest naming a version it lacks is not a candidate",
			docs: []string{
				`{"name":"foo","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{}}}`,
				`{"name":"foo","dist-tags":{"latest":"9.0.0"},"versions":{"2.0.0":{}}}`,
			},
			want: map[string]any{
				"_id": "foo", "name": "foo", "dist-tags": map[string]any{"latest": "1.0.0"},
				"versions": map[string]any{"1.0.0": map[string]any{}, "2.0.0": map[string]any{}}, "time": map[string]any{},
			},
		},
		{
			name: "broken members skipped",
			docs: []string{
				`<html>502 Bad Gateway</html>`,
				`{"name":"foo","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{}},"time":{"modified":"2020-01-01T00:00:00.000Z"}}`,
				`{"name":"foo","versions":[]}`,
				`{"name":"foo","dist-tags":{"latest":"0.9.0"},"versions":{"0.9.0":{}},"time":{"created":"2018-01-01T00:00:00.000Z"}}`,
			},
			want: map[string]any{
				"_id": "foo", "name": "foo", "dist-tags": map[string]any{"latest": "1.0.0"},
				"versions": map[string]any{"1.0.0": map[string]any{}, "0.9.0": map[string]any{}},
				"time":     map[string]any{"created": "2018-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := make([][]byte, len(tt.docs))
			for i, d := range tt.docs {
				docs[i] = []byte(d)
			}
			out, mediaType, err := Format{}.Merge("foo/package.json", docs)
			if err != nil {
				t.Fatal(err)
			}
			if mediaType != "application/json" {
				t.Errorf("media type = %q, want application/json", mediaType)
			}
			if diff := cmp.Diff(tt.want, decode(t, out)); diff != "" {
				t.Errorf("Merge (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeNothingReadable(t *testing.T) {
	for _, docs := range [][][]byte{
		nil,
		{[]byte(`<html>`)},
		{[]byte(`not json`), []byte(`{"name":1}`)},
	} {
		if _, _, err := (Format{}).Merge("foo/package.json", docs); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("Merge(%q) = %v, want arca.ErrInvalid", docs, err)
		}
	}
}

// TestMergeBrokenLatest checks that a merged latest always names a version of the merge.
func TestMergeBrokenLatest(t *testing.T) {
	doc := `{"name":"foo","dist-tags":{"latest":"9.9.9"},"versions":{"1.0.0":{},"1.2.0":{}}}`
	out, _, err := (Format{}).Merge("foo/package.json", [][]byte{[]byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePackument(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.DistTags["latest"]; got != "1.2.0" {
		t.Errorf("latest = %q, want 1.2.0 (the tag named a version no member has)", got)
	}
}
