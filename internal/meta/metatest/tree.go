package metatest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

// treeFiles returns a tree whose names probe ordering and prefix traps: "a-b.txt" and "a0/x" sort
// around "a/…" byte-wise, "a/b/c.txt" and "a/bc.txt" differ between (path, name) and full-path
// order.
func treeFiles() []string {
	return []string{"a/b/c.txt", "a/bc.txt", "a/b/d/e.txt", "a-b.txt", "a0/x", "z.txt"}
}

func buildTree(t *testing.T, st meta.Store, repo string) {
	t.Helper()
	for _, p := range treeFiles() {
		put(t, st, repo, p, "content of "+p, nil)
	}
}

func (h harness) list(t *testing.T) {
	ctx := context.Background()
	st := h.fresh(t)
	buildTree(t, st, "r1")
	for _, tc := range []struct {
		dir  string
		deep bool
		want []string
	}{
		{"", false, []string{"a", "a-b.txt", "a0", "z.txt"}},
		{"a", false, []string{"a/b", "a/bc.txt"}},
		{"a/b/d", false, []string{"a/b/d/e.txt"}},
		{"a", true, []string{"a/b", "a/b/c.txt", "a/b/d", "a/b/d/e.txt", "a/bc.txt"}},
		{"", true, []string{"a", "a-b.txt", "a/b", "a/b/c.txt", "a/b/d", "a/b/d/e.txt", "a/bc.txt", "a0", "a0/x", "z.txt"}},
	} {
		got, err := st.List(ctx, "r1", tc.dir, tc.deep)
		must(t, "List", err)
		if d := cmp.Diff(tc.want, paths(got)); d != "" {
			t.Errorf("List(%q, deep=%v) (-want +got):\n%s", tc.dir, tc.deep, d)
		}
		for _, it := range got {
			if it.Repo != "r1" {
				t.Errorf("List item %s has Repo %q", it.Path, it.Repo)
			}
		}
	}
	if got, err := st.List(ctx, "r2", "", true); err != nil || len(got) != 0 {
		t.Errorf("List(empty repo) = %v, %v; want nothing", paths(got), err)
	}
	_, err := st.List(ctx, "r1", "z.txt", false)
	wantErr(t, "List(file)", err, arca.ErrNotFound)
	_, err = st.List(ctx, "r1", "missing", true)
	wantErr(t, "List(missing)", err, arca.ErrNotFound)
	_, err = st.List(ctx, "nope", "", false)
	wantErr(t, "List(missing repo)", err, arca.ErrNotFound)
}

func (h harness) delete(t *testing.T) {
	ctx := context.Background()

	t.Run("File", func(t *testing.T) {
		st := h.fresh(t)
		buildTree(t, st, "r1")
		n, err := st.Delete(ctx, "r1", "a/bc.txt")
		must(t, "Delete", err)
		if n != 1 {
			t.Errorf("Delete(file) = %d, want 1", n)
		}
		_, err = st.GetItem(ctx, "r1", "a/bc.txt")
		wantErr(t, "GetItem(deleted)", err, arca.ErrNotFound)
		mustGet(t, st, "r1", "a") // parents stay
		_, err = st.Delete(ctx, "r1", "a/bc.txt")
		wantErr(t, "Delete(missing)", err, arca.ErrNotFound)
		_, err = st.Delete(ctx, "nope", "x")
		wantErr(t, "Delete(missing repo)", err, arca.ErrNotFound)
	})

	t.Run("FolderSubtree", func(t *testing.T) {
		st := h.fresh(t)
		buildTree(t, st, "r1")
		buildTree(t, st, "r2")
		must(t, "SetProps", st.SetProps(ctx, "r1", "a", arca.Properties{"k": {"v"}}, true))
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{{Repo: "r1", Path: "a/b/c.txt", By: "u", At: at(1)}}))

		n, err := st.Delete(ctx, "r1", "a")
		must(t, "Delete", err)
		if n != 6 { // a, a/b, a/b/c.txt, a/b/d, a/b/d/e.txt, a/bc.txt
			t.Errorf("Delete(folder) = %d, want 6", n)
		}
		got, err := st.List(ctx, "r1", "", true)
		must(t, "List", err)
		if d := cmp.Diff([]string{"a-b.txt", "a0", "a0/x", "z.txt"}, paths(got)); d != "" {
			t.Errorf("after Delete(a) (-want +got):\n%s", d)
		}
		if got, _ := st.List(ctx, "r2", "", true); len(got) != 10 {
			t.Errorf("Delete in r1 touched r2: %v", paths(got))
		}
		// Recreated paths start without the deleted rows' props and stats.
		put(t, st, "r1", "a/b/c.txt", "new", nil)
		for _, p := range []string{"a", "a/b/c.txt"} {
			props, err := st.GetProps(ctx, "r1", p)
			must(t, "GetProps", err)
			if len(props) != 0 {
				t.Errorf("%s: props survived Delete: %v", p, props)
			}
		}
		s, err := st.GetStats(ctx, "r1", "a/b/c.txt")
		must(t, "GetStats", err)
		if s != (arca.Stats{}) {
			t.Errorf("stats survived Delete: %+v", s)
		}
	})

	t.Run("Root", func(t *testing.T) {
		st := h.fresh(t)
		buildTree(t, st, "r1")
		buildTree(t, st, "r2")
		n, err := st.Delete(ctx, "r1", "")
		must(t, "Delete(root)", err)
		if n != 10 {
			t.Errorf("Delete(root) = %d, want 10", n)
		}
		if got, _ := st.List(ctx, "r1", "", true); len(got) != 0 {
			t.Errorf("after Delete(root): %v", paths(got))
		}
		mustGet(t, st, "r1", "") // the repository stays
		if got, _ := st.List(ctx, "r2", "", true); len(got) != 10 {
			t.Errorf("Delete(r1 root) touched r2: %v", paths(got))
		}
	})
}

func (h harness) checksums(t *testing.T) {
	ctx := context.Background()
	st := h.fresh(t)
	put(t, st, "r1", "one/same.bin", "same", nil)
	put(t, st, "r2", "two/same.bin", "same", nil)
	put(t, st, "r1", "other.bin", "other", nil)
	s := sums("same")
	for _, tc := range []struct {
		kind, value string
		repos       []string
		want        []string
	}{
		{"sha256", s.SHA256, nil, []string{"r1/one/same.bin", "r2/two/same.bin"}},
		{"sha1", s.SHA1, nil, []string{"r1/one/same.bin", "r2/two/same.bin"}},
		{"md5", s.MD5, nil, []string{"r1/one/same.bin", "r2/two/same.bin"}},
		{"sha256", s.SHA256, []string{"r2"}, []string{"r2/two/same.bin"}},
		{"sha256", s.SHA256, []string{"r2", "r1"}, []string{"r1/one/same.bin", "r2/two/same.bin"}},
		{"sha1", sums("nothing").SHA1, nil, nil},
	} {
		items, err := st.FindByChecksum(ctx, tc.kind, tc.value, tc.repos)
		must(t, "FindByChecksum", err)
		var got []string
		for _, it := range items {
			if it.Folder {
				t.Errorf("FindByChecksum returned folder %s", it.Path)
			}
			got = append(got, it.Repo+"/"+it.Path)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("FindByChecksum(%s, %v) (-want +got):\n%s", tc.kind, tc.repos, d)
		}
	}
	_, err := st.FindByChecksum(ctx, "sha512", s.SHA256, nil)
	wantErr(t, "FindByChecksum(unknown kind)", err, arca.ErrInvalid)

	for _, tc := range []struct {
		sha  string
		want bool
	}{{s.SHA256, true}, {sums("other").SHA256, true}, {sums("nothing").SHA256, false}} {
		got, err := st.BlobReferenced(ctx, tc.sha)
		must(t, "BlobReferenced", err)
		if got != tc.want {
			t.Errorf("BlobReferenced(%s) = %v, want %v", tc.sha, got, tc.want)
		}
	}
	_, err = st.Delete(ctx, "r1", "one")
	must(t, "Delete", err)
	if ok, _ := st.BlobReferenced(ctx, s.SHA256); !ok {
		t.Errorf("blob still referenced from r2 reported unreferenced")
	}
	_, err = st.Delete(ctx, "r2", "two/same.bin")
	must(t, "Delete", err)
	if ok, _ := st.BlobReferenced(ctx, s.SHA256); ok {
		t.Errorf("BlobReferenced after deleting every reference = true")
	}
}
