package metatest

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

// listPage checks Items.ListPage: every page of List's result in List's order, filters, and
// the errors.
func (h harness) listPage(t *testing.T) {
	ctx := context.Background()
	st := h.fresh(t)
	buildTree(t, st, "r1")

	// Paging through with every limit yields exactly List's result, in its order.
	for _, tc := range []struct {
		dir  string
		deep bool
	}{{"", false}, {"a", false}, {"", true}, {"a", true}, {"a/b", true}} {
		all, err := st.List(ctx, "r1", tc.dir, tc.deep)
		must(t, "List", err)
		for _, limit := range []int{1, 2, 3, len(all), len(all) + 1} {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(all)+1 {
					t.Fatalf("ListPage(%q, deep=%v, limit %d) does not end", tc.dir, tc.deep, limit)
				}
				page, err := st.ListPage(ctx, "r1", tc.dir, meta.ListOptions{Deep: tc.deep, After: after, Limit: limit})
				must(t, "ListPage", err)
				if len(page) > limit {
					t.Fatalf("ListPage(limit %d) returned %d items", limit, len(page))
				}
				got = append(got, paths(page)...)
				if len(page) < limit {
					break
				}
				after = page[len(page)-1].Path
			}
			if d := cmp.Diff(paths(all), got); d != "" {
				t.Errorf("pages of ListPage(%q, deep=%v, limit %d) (-List +pages):\n%s", tc.dir, tc.deep, limit, d)
			}
		}
		page, err := st.ListPage(ctx, "r1", tc.dir, meta.ListOptions{Deep: tc.deep})
		must(t, "ListPage", err)
		if d := cmp.Diff(paths(all), paths(page)); d != "" {
			t.Errorf("ListPage(%q, deep=%v) without a limit (-List +ListPage):\n%s", tc.dir, tc.deep, d)
		}
	}

	for _, tc := range []struct {
		name string
		dir  string
		opt  meta.ListOptions
		want []string
	}{
		// After need not name an item: the page starts where it would sort.
		{"after a missing child", "", meta.ListOptions{After: "a-a"}, []string{"a-b.txt", "a0", "z.txt"}},
		{"after a path below a child", "", meta.ListOptions{After: "a/zz"}, []string{"a0", "z.txt"}}, // "a-b.txt" < "a/zz"
		{"after everything", "a", meta.ListOptions{After: "b"}, nil},
		{"before everything", "a", meta.ListOptions{After: "0"}, []string{"a/b", "a/bc.txt"}},
		{"deep after a missing path", "", meta.ListOptions{Deep: true, After: "a/b/c"}, []string{"a/b/c.txt", "a/b/d", "a/b/d/e.txt", "a/bc.txt", "a0", "a0/x", "z.txt"}},
		{"deep files only", "a", meta.ListOptions{Deep: true, FilesOnly: true}, []string{"a/b/c.txt", "a/b/d/e.txt", "a/bc.txt"}},
		{"children files only", "", meta.ListOptions{FilesOnly: true}, []string{"a-b.txt", "z.txt"}},
		{"deep max depth 1", "a", meta.ListOptions{Deep: true, MaxDepth: 1}, []string{"a/b", "a/bc.txt"}},
		{"deep max depth 2 files", "a", meta.ListOptions{Deep: true, MaxDepth: 2, FilesOnly: true}, []string{"a/b/c.txt", "a/bc.txt"}},
		{"root max depth 1", "", meta.ListOptions{Deep: true, MaxDepth: 1, Limit: 2}, []string{"a", "a-b.txt"}},
		{"files only with a limit", "", meta.ListOptions{Deep: true, FilesOnly: true, After: "a/b/c.txt", Limit: 2}, []string{"a/b/d/e.txt", "a/bc.txt"}},
	} {
		got, err := st.ListPage(ctx, "r1", tc.dir, tc.opt)
		must(t, "ListPage "+tc.name, err)
		if d := cmp.Diff(tc.want, paths(got), cmp.Transformer("nil", func(s []string) []string {
			if len(s) == 0 {
				return nil
			}
			return s
		})); d != "" {
			t.Errorf("%s: ListPage(%q, %+v) (-want +got):\n%s", tc.name, tc.dir, tc.opt, d)
		}
	}
	_, err := st.ListPage(ctx, "r1", "z.txt", meta.ListOptions{Limit: 1})
	wantErr(t, "ListPage(file)", err, arca.ErrNotFound)
	_, err = st.ListPage(ctx, "r1", "missing", meta.ListOptions{Deep: true})
	wantErr(t, "ListPage(missing)", err, arca.ErrNotFound)
	_, err = st.ListPage(ctx, "nope", "", meta.ListOptions{})
	wantErr(t, "ListPage(missing repo)", err, arca.ErrNotFound)
}

// bulk checks the optional meta.BulkItems and meta.BatchReferencer.
func (h harness) bulk(t *testing.T) {
	ctx := context.Background()
	st := h.fresh(t)
	t.Run("PutFiles", func(t *testing.T) {
		b, ok := st.(meta.BulkItems)
		if !ok {
			t.Skip("the store does not implement meta.BulkItems")
		}
		var files []meta.FilePut
		for i := range 5 {
			files = append(files, meta.FilePut{Item: file("r1", fmt.Sprintf("d%d/e/f%d.txt", i%2, i), fmt.Sprint(i)),
				Props: arca.Properties{"n": {fmt.Sprint(i)}}})
		}
		files = append(files, meta.FilePut{Item: file("r2", "x.txt", "x")})
		must(t, "PutFiles", b.PutFiles(ctx, files))
		for _, f := range files {
			got := mustGet(t, st, f.Item.Repo, f.Item.Path)
			if got.Checksums != f.Item.Checksums || got.CreatedBy != "alice" {
				t.Errorf("%s/%s stored as %+v", f.Item.Repo, f.Item.Path, got)
			}
			props, err := st.GetProps(ctx, f.Item.Repo, f.Item.Path)
			must(t, "GetProps", err)
			if want := f.Props; len(want) > 0 && !cmp.Equal(want, props) || len(want) == 0 && len(props) != 0 {
				t.Errorf("%s/%s props %v, want %v", f.Item.Repo, f.Item.Path, props, want)
			}
		}
		if !mustGet(t, st, "r1", "d1/e").Folder || !mustGet(t, st, "r1", "d0").Folder {
			t.Error("PutFiles did not create the parent folders")
		}

		// One bad file rolls the whole batch back.
		bad := []meta.FilePut{{Item: file("r1", "new/ok.txt", "ok")}, {Item: file("r1", "d0/e/f0.txt/under", "no")}}
		wantErr(t, "PutFiles under a file", b.PutFiles(ctx, bad), arca.ErrConflict)
		if _, err := st.GetItem(ctx, "r1", "new/ok.txt"); err == nil {
			t.Error("a failed PutFiles kept the files before the failing one")
		}
		wantErr(t, "PutFiles to a missing repo", b.PutFiles(ctx, []meta.FilePut{{Item: file("nope", "a.txt", "a")}}), arca.ErrNotFound)
		wantErr(t, "PutFiles without sha256", b.PutFiles(ctx, []meta.FilePut{{Item: arca.Item{Repo: "r1", Path: "s.txt"}}}), arca.ErrInvalid)
	})
	t.Run("BlobsReferenced", func(t *testing.T) {
		b, ok := st.(meta.BatchReferencer)
		if !ok {
			t.Skip("the store does not implement meta.BatchReferencer")
		}
		put(t, st, "r1", "ref/a.txt", "ref-a", nil)
		put(t, st, "r2", "ref/b.txt", "ref-b", nil)
		a, bb, none := sums("ref-a").SHA256, sums("ref-b").SHA256, sums("unreferenced").SHA256
		got, err := b.BlobsReferenced(ctx, []string{a, none, bb, a})
		must(t, "BlobsReferenced", err)
		if want := map[string]bool{a: true, bb: true}; !cmp.Equal(want, got) {
			t.Errorf("BlobsReferenced = %v, want %v", got, want)
		}
		got, err = b.BlobsReferenced(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("BlobsReferenced(nil) = %v, %v; want empty", got, err)
		}
		many := make([]string, 0, 1200)
		for i := range 1199 {
			many = append(many, sums(fmt.Sprint("none", i)).SHA256)
		}
		got, err = b.BlobsReferenced(ctx, append(many, bb))
		must(t, "BlobsReferenced(many)", err)
		if len(got) != 1 || !got[bb] {
			t.Errorf("BlobsReferenced(1200 digests) = %v, want only %s", got, bb)
		}
	})
}
