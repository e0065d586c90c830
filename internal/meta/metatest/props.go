package metatest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

func (h harness) props(t *testing.T) {
	ctx := context.Background()
	get := func(t *testing.T, st meta.Store, p string) arca.Properties {
		t.Helper()
		props, err := st.GetProps(ctx, "r1", p)
		must(t, "GetProps("+p+")", err)
		return props
	}

	t.Run("Empty", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f", "x", nil)
		if p := get(t, st, "f"); p == nil || len(p) != 0 {
			t.Errorf("GetProps = %#v, want an empty non-nil map", p)
		}
		_, err := st.GetProps(ctx, "r1", "missing")
		wantErr(t, "GetProps(missing)", err, arca.ErrNotFound)
		wantErr(t, "SetProps(missing)", st.SetProps(ctx, "r1", "missing", arca.Properties{"k": {"v"}}, false), arca.ErrNotFound)
		wantErr(t, "DeleteProps(missing)", st.DeleteProps(ctx, "r1", "missing", []string{"k"}, true), arca.ErrNotFound)
		wantErr(t, "ReplaceProps(missing)", st.ReplaceProps(ctx, "r1", "missing", arca.Properties{"k": {"v"}}), arca.ErrNotFound)
	})

	t.Run("SetKeepsOtherKeys", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f", "x", arca.Properties{"a": {"1"}, "b": {"2", "3"}})
		must(t, "SetProps", st.SetProps(ctx, "r1", "f", arca.Properties{"b": {"z", "a", "m"}, "c": {"4"}}, false))
		want := arca.Properties{"a": {"1"}, "b": {"z", "a", "m"}, "c": {"4"}} // values keep their order
		if d := cmp.Diff(want, get(t, st, "f")); d != "" {
			t.Errorf("after SetProps (-want +got):\n%s", d)
		}
		must(t, "SetProps(empty value)", st.SetProps(ctx, "r1", "f", arca.Properties{"e": {""}}, false))
		if got := get(t, st, "f")["e"]; !cmp.Equal(got, []string{""}) {
			t.Errorf("empty value = %#v, want [\"\"]", got)
		}
	})

	t.Run("Recursive", func(t *testing.T) {
		st := h.fresh(t)
		buildTree(t, st, "r1")
		must(t, "SetProps", st.SetProps(ctx, "r1", "a/b", arca.Properties{"k": {"v"}}, false))
		for p, want := range map[string]int{"a/b": 1, "a/b/c.txt": 0, "a": 0} {
			if got := len(get(t, st, p)); got != want {
				t.Errorf("non-recursive SetProps: %s has %d keys, want %d", p, got, want)
			}
		}
		must(t, "SetProps", st.SetProps(ctx, "r1", "a", arca.Properties{"r": {"1", "2"}}, true))
		for _, p := range []string{"a", "a/b", "a/b/c.txt", "a/b/d", "a/b/d/e.txt", "a/bc.txt"} {
			if got := get(t, st, p)["r"]; !cmp.Equal(got, []string{"1", "2"}) {
				t.Errorf("recursive SetProps: %s r=%v", p, got)
			}
		}
		for _, p := range []string{"a-b.txt", "a0", "a0/x"} {
			if got := get(t, st, p); len(got) != 0 {
				t.Errorf("recursive SetProps leaked to %s: %v", p, got)
			}
		}
		must(t, "DeleteProps", st.DeleteProps(ctx, "r1", "a/b", []string{"r", "absent"}, true))
		for p, want := range map[string]arca.Properties{
			"a":           {"r": {"1", "2"}},
			"a/b":         {"k": {"v"}},
			"a/b/d/e.txt": {},
			"a/bc.txt":    {"r": {"1", "2"}},
		} {
			if d := cmp.Diff(want, get(t, st, p)); d != "" {
				t.Errorf("after recursive DeleteProps, %s (-want +got):\n%s", p, d)
			}
		}
		must(t, "DeleteProps", st.DeleteProps(ctx, "r1", "a", []string{"r"}, false))
		if got := get(t, st, "a"); len(got) != 0 {
			t.Errorf("non-recursive DeleteProps left %v", got)
		}
		if got := get(t, st, "a/bc.txt"); len(got["r"]) != 2 {
			t.Errorf("non-recursive DeleteProps reached a/bc.txt: %v", got)
		}
		// Recursive from the root: every item of the repository.
		must(t, "SetProps(root)", st.SetProps(ctx, "r1", "", arca.Properties{"all": {"y"}}, true))
		items, err := st.List(ctx, "r1", "", true)
		must(t, "List", err)
		for _, it := range items {
			if got := get(t, st, it.Path)["all"]; !cmp.Equal(got, []string{"y"}) {
				t.Errorf("SetProps(root, recursive): %s all=%v", it.Path, got)
			}
		}
	})

	t.Run("Replace", func(t *testing.T) {
		st := h.fresh(t)
		put(t, st, "r1", "f", "x", arca.Properties{"a": {"1"}, "b": {"2"}})
		must(t, "ReplaceProps", st.ReplaceProps(ctx, "r1", "f", arca.Properties{"c": {"3", "4"}}))
		if d := cmp.Diff(arca.Properties{"c": {"3", "4"}}, get(t, st, "f")); d != "" {
			t.Errorf("after ReplaceProps (-want +got):\n%s", d)
		}
		must(t, "ReplaceProps(nil)", st.ReplaceProps(ctx, "r1", "f", nil))
		if got := get(t, st, "f"); len(got) != 0 {
			t.Errorf("after ReplaceProps(nil): %v", got)
		}
	})
}
