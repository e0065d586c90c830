package metatest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

func (h harness) itemsTests(t *testing.T) {
	ctx := context.Background()

	t.Run("Root", func(t *testing.T) {
		st := h.fresh(t)
		it, err := st.GetItem(ctx, "r1", "")
		must(t, "GetItem(root)", err)
		if !it.Folder || it.Path != "" || it.Repo != "r1" {
			t.Errorf("root = %+v, want a folder with Path \"\" in r1", it)
		}
		_, err = st.GetItem(ctx, "nope", "")
		wantErr(t, "GetItem(root of missing repo)", err, arca.ErrNotFound)
		_, err = st.GetItem(ctx, "r1", "missing")
		wantErr(t, "GetItem(missing)", err, arca.ErrNotFound)
	})

	t.Run("PutFileRoundTrip", func(t *testing.T) {
		st := h.fresh(t)
		f := file("r1", "a/b/c.jar", "hello")
		f.Original = arca.Checksums{SHA1: "declared-sha1"}
		f.Modified, f.ModifiedBy, f.Updated = at(2), "bob", at(3)
		got, err := st.PutFile(ctx, f, meta.PutOptions{Props: arca.Properties{"k": {"v1", "v2"}}})
		must(t, "PutFile", err)
		want := f
		// Undeclared original checksums are the actual ones.
		want.Original = arca.Checksums{SHA256: f.Checksums.SHA256, SHA1: "declared-sha1", MD5: f.Checksums.MD5}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("PutFile returned (-want +got):\n%s", d)
		}
		if d := cmp.Diff(want, mustGet(t, st, "r1", "a/b/c.jar")); d != "" {
			t.Errorf("GetItem (-want +got):\n%s", d)
		}
		if got.Name() != "c.jar" || got.Dir() != "a/b" {
			t.Errorf("Name/Dir = %q/%q", got.Name(), got.Dir())
		}
		p, err := st.GetProps(ctx, "r1", "a/b/c.jar")
		must(t, "GetProps", err)
		if d := cmp.Diff(arca.Properties{"k": {"v1", "v2"}}, p); d != "" {
			t.Errorf("props (-want +got):\n%s", d)
		}
	})

	t.Run("PutFileImpliesFolders", func(t *testing.T) {
		st := h.fresh(t)
		f := file("r1", "a/b/c.txt", "x")
		f.CreatedBy, f.Created = "carol", at(5)
		_, err := st.PutFile(ctx, f, meta.PutOptions{})
		must(t, "PutFile", err)
		for _, p := range []string{"a", "a/b"} {
			it := mustGet(t, st, "r1", p)
			if !it.Folder || it.Size != 0 || it.Checksums != (arca.Checksums{}) {
				t.Errorf("%s = %+v, want an empty folder", p, it)
			}
			if it.CreatedBy != "carol" {
				t.Errorf("%s CreatedBy = %q, want the file's creator", p, it.CreatedBy)
			}
		}
		// A second file reuses the folders.
		put(t, st, "r1", "a/b/d.txt", "y", nil)
		l, err := st.List(ctx, "r1", "", true)
		must(t, "List", err)
		if d := cmp.Diff([]string{"a", "a/b", "a/b/c.txt", "a/b/d.txt"}, paths(l)); d != "" {
			t.Errorf("List deep (-want +got):\n%s", d)
		}
	})

	t.Run("PutFileReplace", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f.bin", "one", arca.Properties{"a": {"1"}})
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{{Repo: "r1", Path: "f.bin", By: "u", At: at(1)}}))

		f := file("r1", "f.bin", "second")
		f.Created, f.CreatedBy = at(10), "bob"
		f.Modified, f.ModifiedBy, f.Updated = at(10), "bob", at(10)
		got, err := st.PutFile(ctx, f, meta.PutOptions{Props: arca.Properties{"b": {"2"}}})
		must(t, "PutFile(replace)", err)
		want := f
		want.Original = f.Checksums
		want.Created, want.CreatedBy = at(0), "alice" // kept from the first deploy
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("replaced item (-want +got):\n%s", d)
		}
		if d := cmp.Diff(want, mustGet(t, st, "r1", "f.bin")); d != "" {
			t.Errorf("GetItem after replace (-want +got):\n%s", d)
		}
		p, err := st.GetProps(ctx, "r1", "f.bin")
		must(t, "GetProps", err)
		if d := cmp.Diff(arca.Properties{"b": {"2"}}, p); d != "" {
			t.Errorf("props after replace (-want +got):\n%s", d)
		}
		// nil Props: none.
		put(t, st, "r1", "f.bin", "third", nil)
		p, err = st.GetProps(ctx, "r1", "f.bin")
		must(t, "GetProps", err)
		if len(p) != 0 {
			t.Errorf("props after replace with nil Props = %v, want none", p)
		}
	})

	t.Run("PutFileConflicts", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "a/file", "x", nil)
		_, err := st.PutFile(ctx, file("r1", "a/file/child", "y"), meta.PutOptions{})
		wantErr(t, "PutFile under a file", err, arca.ErrConflict)
		_, err = st.PutFile(ctx, file("r1", "a/file/deeper/child", "y"), meta.PutOptions{})
		wantErr(t, "PutFile deep under a file", err, arca.ErrConflict)
		_, err = st.PutFile(ctx, file("r1", "a", "y"), meta.PutOptions{})
		wantErr(t, "PutFile onto a folder", err, arca.ErrConflict)
		_, err = st.PutFile(ctx, file("r1", "", "y"), meta.PutOptions{})
		wantErr(t, "PutFile onto the root", err, arca.ErrConflict)
		if it := mustGet(t, st, "r1", "a"); !it.Folder {
			t.Errorf("folder a became %+v", it)
		}
		if it := mustGet(t, st, "r1", "a/file"); it.Folder || it.Checksums != sums("x") {
			t.Errorf("a/file changed: %+v", it)
		}
		if _, err := st.GetItem(ctx, "r1", "a/file/deeper"); err == nil {
			t.Errorf("a failed PutFile left a folder behind")
		}
		_, err = st.PutFile(ctx, file("nope", "a", "y"), meta.PutOptions{})
		wantErr(t, "PutFile into a missing repo", err, arca.ErrNotFound)
	})

	t.Run("MakeFolder", func(t *testing.T) {
		st := h.fresh(t)
		f, err := st.MakeFolder(ctx, "r1", "x/y", "dave", at(7))
		must(t, "MakeFolder", err)
		want := arca.Item{Repo: "r1", Path: "x/y", Folder: true, Created: at(7), CreatedBy: "dave", Modified: at(7), ModifiedBy: "dave", Updated: at(7)}
		if d := cmp.Diff(want, f); d != "" {
			t.Errorf("MakeFolder (-want +got):\n%s", d)
		}
		if it := mustGet(t, st, "r1", "x"); !it.Folder || it.CreatedBy != "dave" {
			t.Errorf("parent x = %+v", it)
		}
		again, err := st.MakeFolder(ctx, "r1", "x/y", "erin", at(9))
		must(t, "MakeFolder(existing)", err)
		if d := cmp.Diff(want, again); d != "" {
			t.Errorf("MakeFolder(existing) must return it as is (-want +got):\n%s", d)
		}
		put(t, st, "r1", "x/f", "z", nil)
		_, err = st.MakeFolder(ctx, "r1", "x/f", "dave", at(9))
		wantErr(t, "MakeFolder on a file", err, arca.ErrConflict)
		_, err = st.MakeFolder(ctx, "r1", "x/f/g", "dave", at(9))
		wantErr(t, "MakeFolder under a file", err, arca.ErrConflict)
		root, err := st.MakeFolder(ctx, "r1", "", "dave", at(9))
		must(t, "MakeFolder(root)", err)
		if !root.Folder || root.Path != "" {
			t.Errorf("MakeFolder(root) = %+v", root)
		}
		l, err := st.List(ctx, "r1", "", false)
		must(t, "List", err)
		if d := cmp.Diff([]string{"x"}, paths(l)); d != "" {
			t.Errorf("root children (-want +got):\n%s", d)
		}
		_, err = st.MakeFolder(ctx, "nope", "x", "dave", at(9))
		wantErr(t, "MakeFolder in a missing repo", err, arca.ErrNotFound)
	})
}
