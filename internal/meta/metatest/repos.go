package metatest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

func (h harness) repos(t *testing.T) {
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		st := h.open(t)
		want := meta.RepoRecord{Key: "libs-release", Class: "local", PackageType: "maven", Config: []byte(`{"key":"libs-release"}`), Created: at(1)}
		must(t, "CreateRepo", st.CreateRepo(ctx, want))
		got, err := st.GetRepo(ctx, "libs-release")
		must(t, "GetRepo", err)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("GetRepo (-want +got):\n%s", d)
		}
		// Lookups ignore case and report the key as created.
		got, err = st.GetRepo(ctx, "LIBS-Release")
		must(t, "GetRepo(other case)", err)
		if got.Key != "libs-release" {
			t.Errorf("GetRepo(other case).Key = %q", got.Key)
		}
		_, err = st.GetRepo(ctx, "nope")
		wantErr(t, "GetRepo(missing)", err, arca.ErrNotFound)
	})

	t.Run("DuplicateAnyCase", func(t *testing.T) {
		st := h.fresh(t)
		for _, k := range []string{"r1", "R1"} {
			err := st.CreateRepo(ctx, meta.RepoRecord{Key: k, Class: "local", PackageType: "generic"})
			wantErr(t, "CreateRepo("+k+")", err, arca.ErrExists)
		}
	})

	t.Run("Update", func(t *testing.T) {
		st := h.fresh(t)
		must(t, "UpdateRepo", st.UpdateRepo(ctx, meta.RepoRecord{Key: "r1", Class: "local", PackageType: "npm", Config: []byte(`{"x":1}`)}))
		got, err := st.GetRepo(ctx, "r1")
		must(t, "GetRepo", err)
		want := meta.RepoRecord{Key: "r1", Class: "local", PackageType: "npm", Config: []byte(`{"x":1}`), Created: at(0)}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("after UpdateRepo (-want +got):\n%s", d)
		}
		err = st.UpdateRepo(ctx, meta.RepoRecord{Key: "nope", Class: "local"})
		wantErr(t, "UpdateRepo(missing)", err, arca.ErrNotFound)
	})

	t.Run("ListOrdered", func(t *testing.T) { // by key, ignoring case
		st := h.open(t)
		for _, k := range []string{"m", "B", "z", "a"} {
			must(t, "CreateRepo", st.CreateRepo(ctx, meta.RepoRecord{Key: k, Class: "local", PackageType: "generic", Created: at(0)}))
		}
		rs, err := st.ListRepos(ctx)
		must(t, "ListRepos", err)
		var keys []string
		for _, r := range rs {
			keys = append(keys, r.Key)
		}
		if d := cmp.Diff([]string{"a", "B", "m", "z"}, keys); d != "" {
			t.Errorf("ListRepos keys (-want +got):\n%s", d)
		}
	})

	t.Run("DeleteRemovesEverything", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "a/b.txt", "x", arca.Properties{"k": {"v"}})
		must(t, "AddDownloads", st.AddDownloads(ctx, []arca.Download{{Repo: "r1", Path: "a/b.txt", By: "u", At: at(1)}}))
		put(t, st, "r2", "a/b.txt", "x", nil)

		must(t, "DeleteRepo", st.DeleteRepo(ctx, "r1"))
		_, err := st.GetRepo(ctx, "r1")
		wantErr(t, "GetRepo(deleted)", err, arca.ErrNotFound)
		_, err = st.GetItem(ctx, "r1", "")
		wantErr(t, "GetItem(root of deleted)", err, arca.ErrNotFound)
		err = st.DeleteRepo(ctx, "r1")
		wantErr(t, "DeleteRepo(missing)", err, arca.ErrNotFound)
		if ok, _ := st.BlobReferenced(ctx, sums("x").SHA256); !ok {
			t.Errorf("r2's file lost its blob reference")
		}

		// A repository recreated under the same key starts empty: no items, props or stats.
		must(t, "CreateRepo", st.CreateRepo(ctx, meta.RepoRecord{Key: "r1", Class: "local", PackageType: "generic"}))
		_, err = st.GetItem(ctx, "r1", "a/b.txt")
		wantErr(t, "GetItem(after recreate)", err, arca.ErrNotFound)
		put(t, st, "r1", "a/b.txt", "x", nil)
		p, err := st.GetProps(ctx, "r1", "a/b.txt")
		must(t, "GetProps", err)
		if len(p) != 0 {
			t.Errorf("props survived DeleteRepo: %v", p)
		}
		s, err := st.GetStats(ctx, "r1", "a/b.txt")
		must(t, "GetStats", err)
		if s != (arca.Stats{}) {
			t.Errorf("stats survived DeleteRepo: %+v", s)
		}
		if _, err := st.GetItem(ctx, "r2", "a/b.txt"); err != nil {
			t.Errorf("DeleteRepo(r1) touched r2: %v", err)
		}
	})
}
