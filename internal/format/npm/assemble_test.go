package npm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

// memParts is a repository's stored items in memory, counting the files opened.
type memParts struct {
	files  map[string][]byte
	opened []string
}

func (m *memParts) item(p string) arca.Item {
	b := m.files[p]
	return arca.Item{Path: p, Size: int64(len(b)), Checksums: arca.ChecksumsOf(b)}
}

func (m *memParts) Stat(_ context.Context, p string) (arca.Item, error) {
	if _, ok := m.files[p]; !ok {
		return arca.Item{}, arca.ErrNotFound
	}
	return m.item(p), nil
}

func (m *memParts) Open(ctx context.Context, p string) (arca.Item, io.ReadCloser, error) {
	it, err := m.Stat(ctx, p)
	if err != nil {
		return it, nil, err
	}
	m.opened = append(m.opened, p)
	return it, io.NopCloser(bytes.NewReader(m.files[p])), nil
}

func (m *memParts) Read(ctx context.Context, it arca.Item) (io.ReadCloser, error) {
	_, f, err := m.Open(ctx, it.Path)
	return f, err
}

func (m *memParts) List(_ context.Context, dir string, deep bool) ([]arca.Item, error) {
	var out []arca.Item
	for p := range m.files {
		if rest, ok := strings.CutPrefix(p, dir+"/"); ok && (deep || !strings.Contains(rest, "/")) {
			out = append(out, m.item(p))
		}
	}
	if out == nil {
		return nil, arca.ErrNotFound
	}
	return out, nil
}

// store writes p's records as savePackage would.
func (m *memParts) store(p *Packument) {
	for k := range m.files {
		if strings.HasPrefix(k, versionsDir(p.Name)+"/") {
			if _, ok := p.Versions[strings.TrimSuffix(k[len(versionsDir(p.Name))+1:], ".json")]; !ok {
				delete(m.files, k)
			}
		}
	}
	for v, man := range p.Versions {
		vp, _ := versionPath(p.Name, v)
		m.files[vp] = marshal(versionRecord{Version: v, Time: p.Time[v], Manifest: man})
	}
	m.files[recordPath(p.Name)] = p.record()
}

// TestAssemble checks that a package stored as records is served as the packument stored whole
// would be, that a rebuild after a change reads only the records that changed, and that a
// package without records is not found.
func TestAssemble(t *testing.T) {
	ctx := context.Background()
	n := New(64 << 20)
	parts := &memParts{files: map[string][]byte{}}
	p := manyVersions("@s/pkg", 20, "")
	parts.store(p)

	check := func(what string, wantOpened int) {
		t.Helper()
		parts.opened = nil
		it, doc, err := n.Assemble(ctx, parts, "npm-local", DocPath(p.Name))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if diff := cmp.Diff(string(p.Marshal()), string(doc)); diff != "" {
			t.Errorf("%s: assembled (-stored whole +assembled):\n%s", what, diff)
		}
		if it.Size != int64(len(doc)) || it.Checksums != arca.ChecksumsOf(doc) || it.Path != DocPath(p.Name) {
			t.Errorf("%s: item %+v does not describe the document", what, it)
		}
		if len(parts.opened) != wantOpened {
			t.Errorf("%s: opened %d files %v, want %d", what, len(parts.opened), parts.opened, wantOpened)
		}
	}
	check("first assembly", 21) // the package record and 20 version records
	check("unchanged", 0)
	p.Versions["2.0.0"] = marshal(map[string]any{"name": p.Name, "version": "2.0.0"})
	p.Time["2.0.0"], p.Time["modified"], p.DistTags["latest"] = stamp2, stamp2, "2.0.0"
	parts.store(p)
	check("one version added", 2) // the package record and the new version's
	delete(p.Versions, "1.0.3")
	delete(p.Time, "1.0.3")
	p.Time["modified"] = "2025-01-01T00:00:00.000Z"
	parts.store(p)
	check("one version removed", 1)

	opened := slices.Clone(parts.opened)
	if _, _, err := n.Assemble(ctx, parts, "npm-local", DocPath("other")); !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("a package without records: %v, want ErrNotFound (opened %v)", err, opened)
	}
}
