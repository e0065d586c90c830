package metatest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

func (h harness) stats(t *testing.T) {
	ctx := context.Background()

	t.Run("Zero", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f", "x", nil)
		s, err := st.GetStats(ctx, "r1", "f")
		must(t, "GetStats", err)
		if s != (arca.Stats{}) {
			t.Errorf("GetStats(never downloaded) = %+v", s)
		}
		_, err = st.GetStats(ctx, "r1", "missing")
		wantErr(t, "GetStats(missing)", err, arca.ErrNotFound)
		must(t, "AddDownloads(nil)", st.AddDownloads(ctx, nil))
	})

	t.Run("Batch", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f1", "x", nil)
		put(t, st, "r1", "d/f2", "y", nil)
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{
			{Repo: "r1", Path: "f1", By: "b", At: at(5)},
			{Repo: "r1", Path: "f1", By: "a", At: at(9)}, // the latest, though not last in the batch
			{Repo: "r1", Path: "gone", By: "a", At: at(9)},
			{Repo: "r1", Path: "d/f2", By: "c", At: at(4)},
			{Repo: "nope", Path: "f1", By: "a", At: at(9)},
			{Repo: "r1", Path: "f1", By: "c", At: at(7)},
		}))
		check := func(p string, want arca.Stats) {
			t.Helper()
			s, err := st.GetStats(ctx, "r1", p)
			must(t, "GetStats", err)
			if d := cmp.Diff(want, s); d != "" {
				t.Errorf("GetStats(%s) (-want +got):\n%s", p, d)
			}
		}
		check("f1", arca.Stats{DownloadCount: 3, LastDownloaded: at(9), LastDownloadedBy: "a"})
		check("d/f2", arca.Stats{DownloadCount: 1, LastDownloaded: at(4), LastDownloadedBy: "c"})
		// A later batch adds up; an older download does not move Last* back.
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{
			{Repo: "r1", Path: "f1", By: "old", At: at(1)},
			{Repo: "r1", Path: "d/f2", By: "new", At: at(8)},
		}))
		check("f1", arca.Stats{DownloadCount: 4, LastDownloaded: at(9), LastDownloadedBy: "a"})
		check("d/f2", arca.Stats{DownloadCount: 2, LastDownloaded: at(8), LastDownloadedBy: "new"})
		// A record with a Count stands for that many downloads (0 and 1 for one).
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{
			{Repo: "r1", Path: "f1", By: "many", At: at(10), Count: 40},
			{Repo: "r1", Path: "f1", By: "one", At: at(2), Count: 1},
			{Repo: "r1", Path: "d/f2", By: "zero", At: at(3), Count: 0},
		}))
		check("f1", arca.Stats{DownloadCount: 45, LastDownloaded: at(10), LastDownloadedBy: "many"})
		check("d/f2", arca.Stats{DownloadCount: 3, LastDownloaded: at(8), LastDownloadedBy: "new"})
	})

	t.Run("UnusedFiles", func(t *testing.T) {
		st := h.fresh(t)
		old := file("r1", "old/never.bin", "a") // created at(0), never downloaded
		mustPut := func(it arca.Item) {
			t.Helper()
			if _, err := st.PutFile(ctx, it, meta.PutOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		mustPut(old)
		used := file("r1", "old/used.bin", "b")
		mustPut(used)
		fresh := file("r1", "fresh.bin", "c")
		fresh.Created, fresh.Modified, fresh.Updated = at(100), at(100), at(100)
		mustPut(fresh)
		put(t, st, "r2", "other.bin", "d", nil)
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{{Repo: "r1", Path: "old/used.bin", By: "u", At: at(60)}}))
		paths := func(before time.Time, limit int) []string {
			t.Helper()
			items, err := st.UnusedFiles(ctx, "r1", before, limit)
			must(t, "UnusedFiles", err)
			var out []string
			for _, it := range items {
				out = append(out, it.Path)
			}
			return out
		}
		if d := cmp.Diff([]string{"old/never.bin"}, paths(at(50), 10)); d != "" {
			t.Errorf("UnusedFiles(before 50) (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"old/never.bin", "old/used.bin"}, paths(at(70), 10)); d != "" {
			t.Errorf("UnusedFiles(before 70), oldest use first (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"old/never.bin"}, paths(at(200), 1)); d != "" {
			t.Errorf("UnusedFiles(limit 1) (-want +got):\n%s", d)
		}
	})

	t.Run("Remote", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f", "x", nil)
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{{Repo: "r1", Path: "f", By: "local", At: at(1)}}))
		for _, r := range []struct {
			origin string
			n      int64
			at     int
			by     string
		}{
			{"edge-1", 5, 10, "u1"},
			{"edge-2", 3, 20, "u2"},
			{"edge-1", 2, 5, "u3"}, // older than edge-2's: does not win
		} {
			must(t, "AddRemoteDownloads", st.AddRemoteDownloads(ctx, "r1", "f", r.origin, r.n, at(r.at), r.by))
		}
		s, err := st.GetStats(ctx, "r1", "f")
		must(t, "GetStats", err)
		want := arca.Stats{
			DownloadCount: 1, LastDownloaded: at(1), LastDownloadedBy: "local",
			RemoteDownloadCount: 10, RemoteLastDownloaded: at(20), RemoteLastDownloadedBy: "u2",
		}
		if d := cmp.Diff(want, s); d != "" {
			t.Errorf("GetStats (-want +got):\n%s", d)
		}
		must(t, "AddRemoteDownloads", st.AddRemoteDownloads(ctx, "r1", "f", "edge-3", 1, at(30), "u4"))
		s, _ = st.GetStats(ctx, "r1", "f")
		if s.RemoteDownloadCount != 11 || !s.RemoteLastDownloaded.Equal(at(30)) || s.RemoteLastDownloadedBy != "u4" {
			t.Errorf("after a newer origin: %+v", s)
		}
		err = st.AddRemoteDownloads(ctx, "r1", "missing", "edge-1", 1, at(1), "u")
		wantErr(t, "AddRemoteDownloads(missing)", err, arca.ErrNotFound)
	})
}
