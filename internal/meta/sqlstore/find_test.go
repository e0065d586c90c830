package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"arca/internal/meta"
)

// findStore returns benchStore's store with 99 more (empty) local repositories, and a member
// list of 100 keys with "libs", which holds the paths, last.
func findStore(tb testing.TB) (*Store, []string, []string) {
	tb.Helper()
	s, paths := benchStoreT(tb)
	var repos []string
	for i := range 99 {
		k := fmt.Sprintf("member-%02d", i)
		if err := s.CreateRepo(context.Background(), meta.RepoRecord{Key: k, Class: "local", PackageType: "maven"}); err != nil {
			tb.Fatal(err)
		}
		repos = append(repos, k)
	}
	return s, append(repos, "libs"), paths
}

// TestFindItemsPlan holds FindItems to one probe of the unique (repo, path, name) index per
// key, for every prepared size.
func TestFindItemsPlan(t *testing.T) {
	s := open(t)
	for _, n := range []int{1, 100, maxPreparedKeys} {
		args := []any{"a", "b"}
		for range n {
			args = append(args, "r")
		}
		rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+s.findItemsSQL(n), args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX items_repo_path_name (repo=? AND path=? AND name=?)") {
			t.Errorf("%d keys: plan %q, want one search of items_repo_path_name on all three columns", n, plan)
		}
	}
}

// TestFindItemsSizes covers the padded, prepared sizes and the unprepared path above them.
func TestFindItemsSizes(t *testing.T) {
	s, repos, paths := findStore(t)
	ctx := context.Background()
	for _, n := range []int{1, 3, 64, 100} {
		got, err := s.FindItems(ctx, repos[len(repos)-n:], paths[0])
		if err != nil || len(got) != 1 || got[0].Repo != "libs" || got[0].Path != paths[0] {
			t.Errorf("%d keys: FindItems = %+v, %v; want libs/%s", n, got, err, paths[0])
		}
	}
	big := make([]string, 0, maxPreparedKeys+1)
	for i := range maxPreparedKeys {
		big = append(big, fmt.Sprintf("none-%d", i))
	}
	big = append(big, "libs")
	for _, p := range []string{paths[1], ""} {
		got, err := s.FindItems(ctx, big, p)
		if err != nil || len(got) != 1 || got[0].Repo != "libs" || got[0].Path != p {
			t.Errorf("%d keys: FindItems(%q) = %+v, %v; want libs/%s", len(big), p, got, err, p)
		}
	}
}

// BenchmarkFindItems100 is a virtual repository's content lookup without the item cache: 100
// members, the hit in the last.
func BenchmarkFindItems100(b *testing.B) {
	s, repos, paths := findStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		items, err := s.FindItems(ctx, repos, paths[i%len(paths)])
		if err != nil || len(items) != 1 {
			b.Fatal(items, err)
		}
		i += 7919
	}
}
