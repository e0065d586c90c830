package metatest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

// find calls FindItems and returns its items ordered by repository (the contract promises no
// order), failing the test on error. Every call is also made through a prepared RepoSet
// (meta.FindItemsIn), which must agree.
func find(t *testing.T, st meta.Store, repos []string, path string) []arca.Item {
	t.Helper()
	ctx := context.Background()
	got, err := st.FindItems(ctx, repos, path)
	must(t, fmt.Sprintf("FindItems(%q, %q)", repos, path), err)
	viaSet, err := meta.FindItemsIn(ctx, st, meta.NewRepoSet(repos), path)
	must(t, fmt.Sprintf("FindItemsIn(%q, %q)", repos, path), err)
	byRepo := func(a, b arca.Item) int { return strings.Compare(a.Repo, b.Repo) }
	slices.SortFunc(got, byRepo)
	slices.SortFunc(viaSet, byRepo)
	if d := cmp.Diff(got, viaSet); d != "" {
		t.Errorf("FindItemsIn(%q, %q) differs from FindItems (-FindItems +FindItemsIn):\n%s", repos, path, d)
	}
	return got
}

// gets returns GetItem(repo, path) for each repo, failing the test on error.
func gets(t *testing.T, st meta.Store, path string, repos ...string) []arca.Item {
	t.Helper()
	var out []arca.Item
	for _, r := range repos {
		out = append(out, mustGet(t, st, r, path))
	}
	return out
}

// wantNone fails unless items is empty.
func wantNone(t *testing.T, what string, items []arca.Item) {
	t.Helper()
	if len(items) != 0 {
		t.Errorf("%s = %+v, want none", what, items)
	}
}

func (h harness) findItems(t *testing.T) {
	ctx := context.Background()

	// fresh's r1 and r2, plus r3 and "Mixed" (a key with upper case). "a/b/c.txt" is a file in
	// r1, r2 and Mixed and a folder in r3.
	setup := func(t *testing.T) meta.Store {
		t.Helper()
		st := h.fresh(t)
		for _, k := range []string{"r3", "Mixed"} {
			must(t, "CreateRepo("+k+")", st.CreateRepo(ctx, meta.RepoRecord{Key: k, Class: "local", PackageType: "generic", Config: []byte(`{}`), Created: at(1)}))
		}
		put(t, st, "r1", "a/b/c.txt", "one", nil)
		put(t, st, "r2", "a/b/c.txt", "two", nil)
		put(t, st, "Mixed", "a/b/c.txt", "mixed", nil)
		put(t, st, "r3", "a/b/c.txt/d", "deeper", nil)
		return st
	}

	t.Run("Files", func(t *testing.T) {
		st := setup(t)
		got := find(t, st, []string{"r2", "nope", "r1", "r3", "Mixed"}, "a/b/c.txt")
		if d := cmp.Diff(gets(t, st, "a/b/c.txt", "Mixed", "r1", "r2", "r3"), got); d != "" {
			t.Errorf("FindItems (-want +got):\n%s", d)
		}
		if !got[3].Folder || got[0].Folder {
			t.Errorf("r3's item must be the folder, Mixed's a file: %+v", got)
		}
		got = find(t, st, []string{"r1", "r1", "r1"}, "a/b/c.txt")
		if d := cmp.Diff(gets(t, st, "a/b/c.txt", "r1"), got); d != "" {
			t.Errorf("FindItems(duplicate keys) (-want +got):\n%s", d)
		}
		got = find(t, st, []string{"r1", "r2"}, "a")
		if d := cmp.Diff(gets(t, st, "a", "r1", "r2"), got); d != "" {
			t.Errorf("FindItems(a folder) (-want +got):\n%s", d)
		}
	})

	t.Run("None", func(t *testing.T) {
		st := setup(t)
		wantNone(t, "FindItems(missing path)", find(t, st, []string{"r1", "r2", "r3"}, "a/b/missing"))
		wantNone(t, "FindItems(path below a file)", find(t, st, []string{"r1"}, "a/b/c.txt/d"))
		wantNone(t, "FindItems(missing repositories)", find(t, st, []string{"nope", "nada"}, "a/b/c.txt"))
		wantNone(t, "FindItems(nil)", find(t, st, nil, "a/b/c.txt"))
		wantNone(t, "FindItems(no keys)", find(t, st, []string{}, ""))
	})

	t.Run("ExactCase", func(t *testing.T) {
		st := setup(t)
		wantNone(t, "FindItems(keys in another case)", find(t, st, []string{"R1", "mixed", "MIXED"}, "a/b/c.txt"))
		wantNone(t, "FindItems(root, keys in another case)", find(t, st, []string{"R1", "mixed"}, ""))
		got := find(t, st, []string{"Mixed"}, "a/b/c.txt")
		if len(got) != 1 || got[0].Repo != "Mixed" {
			t.Errorf("FindItems(Mixed) = %+v, want Mixed's file", got)
		}
	})

	t.Run("Root", func(t *testing.T) {
		st := setup(t)
		got := find(t, st, []string{"r3", "nope", "r1"}, "")
		if d := cmp.Diff(gets(t, st, "", "r1", "r3"), got); d != "" {
			t.Errorf("FindItems(root) (-want +got):\n%s", d)
		}
	})

	t.Run("ManyKeys", func(t *testing.T) {
		st := setup(t)
		var keys []string
		for i := range 150 {
			keys = append(keys, fmt.Sprintf("missing-%03d", i))
		}
		keys = append(keys, "r2")
		if d := cmp.Diff(gets(t, st, "a/b/c.txt", "r2"), find(t, st, keys, "a/b/c.txt")); d != "" {
			t.Errorf("FindItems(151 keys) (-want +got):\n%s", d)
		}
		if d := cmp.Diff(gets(t, st, "", "r2"), find(t, st, keys, "")); d != "" {
			t.Errorf("FindItems(151 keys, root) (-want +got):\n%s", d)
		}
	})

	// Every write that changes what FindItems reports must show in the next call (stores that
	// cache results are held to this too).
	t.Run("ReadAfterWrite", func(t *testing.T) {
		st := setup(t)
		all := []string{"r1", "r2", "r3", "r4", "Mixed"}
		p := "a/b/c.txt"
		repos := func(items []arca.Item) []string {
			var out []string
			for _, it := range items {
				out = append(out, it.Repo)
			}
			return out
		}
		check := func(what, path string, want ...string) {
			t.Helper()
			if d := cmp.Diff(want, repos(find(t, st, all, path))); d != "" {
				t.Errorf("after %s: FindItems(%q) repositories (-want +got):\n%s", what, path, d)
			}
		}
		check("setup", p, "Mixed", "r1", "r2", "r3")
		check("setup", "", "Mixed", "r1", "r2", "r3")
		check("setup", "x/moved.txt")

		must(t, "CreateRepo(r4)", st.CreateRepo(ctx, meta.RepoRecord{Key: "r4", Class: "local", PackageType: "generic", Config: []byte(`{}`)}))
		check("CreateRepo", "", "Mixed", "r1", "r2", "r3", "r4")

		_, err := st.Delete(ctx, "r2", p)
		must(t, "Delete", err)
		check("Delete", p, "Mixed", "r1", "r3")

		put(t, st, "r4", p, "four", nil)
		check("PutFile", p, "Mixed", "r1", "r3", "r4")

		_, err = st.Move(ctx, "r1", p, "r2", "x/moved.txt", "bob", at(5))
		must(t, "Move", err)
		check("Move (source)", p, "Mixed", "r3", "r4")
		check("Move (destination)", "x/moved.txt", "r2")

		_, err = st.Copy(ctx, "r2", "x/moved.txt", "r1", "x/moved.txt", "bob", at(6))
		must(t, "Copy", err)
		check("Copy", "x/moved.txt", "r1", "r2")

		_, err = st.MakeFolder(ctx, "r2", p, "bob", at(7))
		must(t, "MakeFolder", err)
		check("MakeFolder", p, "Mixed", "r2", "r3", "r4")

		must(t, "DeleteRepo(r3)", st.DeleteRepo(ctx, "r3"))
		check("DeleteRepo", p, "Mixed", "r2", "r4")
		check("DeleteRepo", "", "Mixed", "r1", "r2", "r4")

		updated := put(t, st, "r4", p, "four again", nil)
		got := find(t, st, []string{"r4"}, p)
		if len(got) != 1 || got[0].Checksums != updated.Checksums {
			t.Errorf("after replacing r4's file: FindItems = %+v, want checksums %+v", got, updated.Checksums)
		}
	})
}
