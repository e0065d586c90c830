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

// BenchmarkRemergeAfterChange is the same first GET through a virtual with the format's caches,
// after one version was added to the second (local) member, whose assembly left its parsed form
// in the cache: only the new manifest is rendered.
func BenchmarkRemergeAfterChange(b *testing.B) {
	n := New(256 << 20)
	a, second := manyVersions("big", 1000, ""), manyVersions("big", 1000, "-b")
	docs := [][]byte{a.Marshal(), second.Marshal()}
	m, _, _ := n.Merge("big/package.json", docs)
	if _, err := n.render(m, "", "http://h/artifactory/api/npm/v", Rev(m), false); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		v := fmt.Sprintf("9.0.%d", i)
		second.Versions[v] = marshal(map[string]any{"name": "big", "version": v, "dist": map[string]any{"tarball": "x/-/big-" + v + ".tgz"}})
		docs[1] = second.Marshal()
		// What a local member's assembly leaves behind: the parsed form of its new document,
		// sharing the unchanged records' manifests.
		n.parsed.Put(sha256Hex(docs[1]), second.clone(second.Name))
		b.StartTimer()
		m, _, err := n.Merge("big/package.json", docs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := n.render(m, "", "http://h/artifactory/api/npm/v", Rev(m), false); err != nil {
			b.Fatal(err)
		}
	}
}
