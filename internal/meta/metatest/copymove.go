package metatest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

// subtree builds r1's folder "src" with properties on the folder and its files, and downloads.
func subtree(t *testing.T, st meta.Store) {
	t.Helper()
	ctx := context.Background()
	put(t, st, "r1", "src/a.txt", "A", arca.Properties{"f": {"a"}})
	put(t, st, "r1", "src/sub/b.txt", "B", arca.Properties{"f": {"b1", "b2"}})
	_, err := st.MakeFolder(ctx, "r1", "src/empty", "alice", at(0))
	must(t, "MakeFolder", err)
	must(t, "SetProps", st.SetProps(ctx, "r1", "src", arca.Properties{"folder": {"yes"}}, false))
	must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{
		{Repo: "r1", Path: "src/a.txt", By: "u", At: at(1)},
		{Repo: "r1", Path: "src/a.txt", By: "v", At: at(2)},
	}))
	must(t, "AddRemoteDownloads", st.AddRemoteDownloads(ctx, "r1", "src/a.txt", "edge", 4, at(3), "w"))
}

// relProps returns rel path → properties of every item below dir (and dir itself as ".").
func relProps(t *testing.T, st meta.Store, repo, dir string) map[string]arca.Properties {
	t.Helper()
	ctx := context.Background()
	items, err := st.List(ctx, repo, dir, true)
	must(t, "List", err)
	out := map[string]arca.Properties{}
	p, err := st.GetProps(ctx, repo, dir)
	must(t, "GetProps", err)
	out["."] = p
	for _, it := range items {
		p, err := st.GetProps(ctx, repo, it.Path)
		must(t, "GetProps", err)
		out[it.Path[len(dir)+1:]] = p
	}
	return out
}

func (h harness) copyMove(t *testing.T) {
	ctx := context.Background()
	wantTree := map[string]arca.Properties{
		".":         {"folder": {"yes"}},
		"a.txt":     {"f": {"a"}},
		"empty":     {},
		"sub":       {},
		"sub/b.txt": {"f": {"b1", "b2"}},
	}

	t.Run("CopyFile", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		n, err := st.Copy(ctx, "r1", "src/a.txt", "r2", "x/y/a2.txt", "bob", at(20))
		must(t, "Copy", err)
		if n != 1 {
			t.Errorf("Copy(file) = %d, want 1", n)
		}
		src, dst := mustGet(t, st, "r1", "src/a.txt"), mustGet(t, st, "r2", "x/y/a2.txt")
		if dst.Checksums != src.Checksums || dst.Size != src.Size || dst.Folder {
			t.Errorf("copy = %+v, source %+v", dst, src)
		}
		if it := mustGet(t, st, "r2", "x/y"); !it.Folder {
			t.Errorf("destination parent not a folder: %+v", it)
		}
		p, err := st.GetProps(ctx, "r2", "x/y/a2.txt")
		must(t, "GetProps", err)
		if d := cmp.Diff(arca.Properties{"f": {"a"}}, p); d != "" {
			t.Errorf("copied props (-want +got):\n%s", d)
		}
		s, err := st.GetStats(ctx, "r2", "x/y/a2.txt")
		must(t, "GetStats", err)
		if s != (arca.Stats{}) {
			t.Errorf("Copy copied statistics: %+v", s)
		}
		if s, _ := st.GetStats(ctx, "r1", "src/a.txt"); s.DownloadCount != 2 {
			t.Errorf("source stats changed by Copy: %+v", s)
		}
	})

	t.Run("CopyFolderAcrossRepos", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		n, err := st.Copy(ctx, "r1", "src", "r2", "deep/dst", "bob", at(20))
		must(t, "Copy", err)
		if n != 5 {
			t.Errorf("Copy(folder) = %d, want 5", n)
		}
		if d := cmp.Diff(wantTree, relProps(t, st, "r2", "deep/dst")); d != "" {
			t.Errorf("copied tree (-want +got):\n%s", d)
		}
		if d := cmp.Diff(wantTree, relProps(t, st, "r1", "src")); d != "" {
			t.Errorf("source tree after Copy (-want +got):\n%s", d)
		}
	})

	t.Run("CopyReplacesFiles", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		put(t, st, "r2", "dst/a.txt", "old", arca.Properties{"old": {"1"}})
		put(t, st, "r2", "dst/keep.txt", "keep", nil)
		_, err := st.Copy(ctx, "r1", "src", "r2", "dst", "bob", at(20))
		must(t, "Copy", err)
		if it := mustGet(t, st, "r2", "dst/a.txt"); it.Checksums != sums("A") {
			t.Errorf("existing file not replaced: %+v", it)
		}
		p, _ := st.GetProps(ctx, "r2", "dst/a.txt")
		if d := cmp.Diff(arca.Properties{"f": {"a"}}, p); d != "" {
			t.Errorf("replaced file's props (-want +got):\n%s", d)
		}
		mustGet(t, st, "r2", "dst/keep.txt") // folders merge
	})

	t.Run("CopyErrors", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		put(t, st, "r2", "file", "f", nil)
		for _, tc := range []struct {
			what                     string
			srcRepo, src, dstRepo, d string
			want                     error
		}{
			{"folder into itself", "r1", "src", "r1", "src/sub/x", arca.ErrInvalid},
			{"folder onto itself", "r1", "src", "r1", "src", arca.ErrInvalid},
			{"file onto itself", "r1", "src/a.txt", "r1", "src/a.txt", arca.ErrInvalid},
			{"missing source", "r1", "nope", "r2", "x", arca.ErrNotFound},
			{"missing source repo", "nope", "src", "r2", "x", arca.ErrNotFound},
			{"missing destination repo", "r1", "src", "nope", "x", arca.ErrNotFound},
			{"under a file", "r1", "src/a.txt", "r2", "file/a.txt", arca.ErrConflict},
			{"file onto folder", "r1", "src/a.txt", "r1", "src/sub", arca.ErrConflict},
			{"folder onto file", "r1", "src", "r2", "file", arca.ErrConflict},
		} {
			_, err := st.Copy(ctx, tc.srcRepo, tc.src, tc.dstRepo, tc.d, "bob", at(20))
			wantErr(t, "Copy "+tc.what, err, tc.want)
			_, err = st.Move(ctx, tc.srcRepo, tc.src, tc.dstRepo, tc.d, "bob", at(20))
			wantErr(t, "Move "+tc.what, err, tc.want)
		}
		// Failed moves changed nothing.
		if d := cmp.Diff(wantTree, relProps(t, st, "r1", "src")); d != "" {
			t.Errorf("source tree after failed moves (-want +got):\n%s", d)
		}
	})

	t.Run("MoveFile", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		before := mustGet(t, st, "r1", "src/a.txt")
		n, err := st.Move(ctx, "r1", "src/a.txt", "r2", "moved/a.txt", "bob", at(20))
		must(t, "Move", err)
		if n != 1 {
			t.Errorf("Move(file) = %d, want 1", n)
		}
		_, err = st.GetItem(ctx, "r1", "src/a.txt")
		wantErr(t, "GetItem(moved source)", err, arca.ErrNotFound)
		after := mustGet(t, st, "r2", "moved/a.txt")
		if after.Checksums != before.Checksums {
			t.Errorf("moved item %+v, was %+v", after, before)
		}
		p, _ := st.GetProps(ctx, "r2", "moved/a.txt")
		if d := cmp.Diff(arca.Properties{"f": {"a"}}, p); d != "" {
			t.Errorf("moved props (-want +got):\n%s", d)
		}
		s, err := st.GetStats(ctx, "r2", "moved/a.txt")
		must(t, "GetStats", err)
		want := arca.Stats{DownloadCount: 2, LastDownloaded: at(2), LastDownloadedBy: "v", RemoteDownloadCount: 4, RemoteLastDownloaded: at(3), RemoteLastDownloadedBy: "w"}
		if d := cmp.Diff(want, s); d != "" {
			t.Errorf("moved stats (-want +got):\n%s", d)
		}
	})

	t.Run("MoveFolderAcrossRepos", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		n, err := st.Move(ctx, "r1", "src", "r2", "dst", "bob", at(20))
		must(t, "Move", err)
		if n != 5 {
			t.Errorf("Move(folder) = %d, want 5", n)
		}
		_, err = st.GetItem(ctx, "r1", "src")
		wantErr(t, "GetItem(moved folder)", err, arca.ErrNotFound)
		if got, _ := st.List(ctx, "r1", "", true); len(got) != 0 {
			t.Errorf("source repo after Move: %v", paths(got))
		}
		if d := cmp.Diff(wantTree, relProps(t, st, "r2", "dst")); d != "" {
			t.Errorf("moved tree (-want +got):\n%s", d)
		}
		s, _ := st.GetStats(ctx, "r2", "dst/a.txt")
		if s.DownloadCount != 2 || s.RemoteDownloadCount != 4 {
			t.Errorf("stats did not move along: %+v", s)
		}
	})

	t.Run("MoveWithinRepo", func(t *testing.T) {
		st := h.fresh(t)
		subtree(t, st)
		_, err := st.Move(ctx, "r1", "src", "r1", "other/place", "bob", at(20))
		must(t, "Move", err)
		got, err := st.List(ctx, "r1", "", true)
		must(t, "List", err)
		want := []string{"other", "other/place", "other/place/a.txt", "other/place/empty", "other/place/sub", "other/place/sub/b.txt"}
		if d := cmp.Diff(want, paths(got)); d != "" {
			t.Errorf("after Move (-want +got):\n%s", d)
		}
	})
}
