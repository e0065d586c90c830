package repo

import (
	"fmt"
	"testing"

	"arca"
	"arca/internal/meta"
)

func TestCutPage(t *testing.T) {
	var items []arca.Item
	for _, p := range []string{"d/a", "d/a/x.txt", "d/a/y/z.txt", "d/b.txt", "d/c"} {
		items = append(items, arca.Item{Path: p, Folder: p == "d/a" || p == "d/c" || p == "d/a/y"})
	}
	for _, tc := range []struct {
		opt  meta.ListOptions
		want string
	}{
		{meta.ListOptions{}, "[d/a d/a/x.txt d/a/y/z.txt d/b.txt d/c]"},
		{meta.ListOptions{Limit: 2}, "[d/a d/a/x.txt]"},
		{meta.ListOptions{After: "d/a/x.txt", Limit: 2}, "[d/a/y/z.txt d/b.txt]"},
		{meta.ListOptions{After: "d/a/w"}, "[d/a/x.txt d/a/y/z.txt d/b.txt d/c]"}, // After need not exist
		{meta.ListOptions{FilesOnly: true}, "[d/a/x.txt d/a/y/z.txt d/b.txt]"},
		{meta.ListOptions{Deep: true, MaxDepth: 1}, "[d/a d/b.txt d/c]"},
		{meta.ListOptions{Deep: true, MaxDepth: 2, FilesOnly: true, Limit: 1, After: "d/a/x.txt"}, "[d/b.txt]"},
		{meta.ListOptions{MaxDepth: 1}, "[d/a d/a/x.txt d/a/y/z.txt d/b.txt d/c]"}, // MaxDepth needs Deep
		{meta.ListOptions{After: "e"}, "[]"},
	} {
		var got []string
		for _, it := range cutPage(items, "d", tc.opt) {
			got = append(got, it.Path)
		}
		if s := fmt.Sprint(got); s != tc.want {
			t.Errorf("cutPage(%+v) = %s, want %s", tc.opt, s, tc.want)
		}
	}
}
