package npm

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// manyVersions returns a packument of n versions with manifests of npm's usual size (~1 KiB).
func manyVersions(name string, n int, tag string) *Packument {
	p := (*Packument)(nil).clone(name)
	for i := range n {
		v := fmt.Sprintf("1.%d.%d%s", i/100, i%100, tag)
		tb := contentOf(name, v)
		p.Versions[v] = marshal(map[string]any{"name": name, "version": v, "description": strings.Repeat("d", 200),
			"dependencies": map[string]string{"a": "^1.0.0", "b": "^2.0.0"}, "scripts": map[string]string{"test": "echo"},
			"_npmUser": map[string]string{"name": "admin"},
			"dist":     map[string]any{"shasum": tb.sha1, "integrity": tb.integrity, "tarball": TarballPath(name, TarballFile(name, v))}})
		p.Time[v] = stamp1
	}
	p.DistTags["latest"] = Latest(p.sortedVersions())
	p.Time["created"], p.Time["modified"] = stamp1, stamp1
	p.Extra["readme"] = json.RawMessage(`"# readme"`)
	return p
}

// BenchmarkMergeRender merges two members' packuments of 1,000 versions each and renders the
// result, as the first GET through a virtual after a member changed does.
func BenchmarkMergeRender(b *testing.B) {
	docs := [][]byte{manyVersions("big", 1000, "").Marshal(), manyVersions("big", 1000, "-b").Marshal()}
	b.ResetTimer()
	for range b.N {
		m, _, err := Format{}.Merge("big/package.json", docs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Render(m, "http://h/artifactory/api/npm/v", Rev(m), false); err != nil {
			b.Fatal(err)
		}
	}
}
