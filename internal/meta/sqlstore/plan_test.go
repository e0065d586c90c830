package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"arca/internal/aql"
	"arca/internal/meta"
)

// planOf returns the details of EXPLAIN QUERY PLAN for q on the read pool.
func planOf(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+s.d.Rebind(q), args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestScalePlans holds the lookups that must stay fast with a million items to index searches:
// no step may scan the items or props table, and none may sort the whole result in a temporary
// B-tree where the index gives the order.
//
// The planner is given the statistics ANALYZE would record for the benchmark's data (a million
// items in 20 repositories, 100 items per checksum, three properties each), as a database of
// that size has them once PRAGMA optimize has run.
func TestScalePlans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	ctx := context.Background()
	s0, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s0.w.Exec("ANALYZE"); err != nil { // creates sqlite_stat1
		t.Fatal(err)
	}
	for _, st := range [][3]string{
		{"items", "items_repo_path_name", "1000000 50000 100 1"},
		{"items", "items_repo_fullpath", "1000000 50000 1"},
		{"items", "items_sha256", "1000000 100"},
		{"items", "items_sha1", "1000000 100"},
		{"items", "items_md5", "1000000 100"},
		{"items", "items_name", "1000000 1"},
		{"props", "props_item", "3000000 3"},
		{"props", "props_k_v", "3000000 1000000 1"},
	} {
		if _, err := s0.w.Exec("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", st[0], st[1], st[2]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s0.Close(); err != nil {
		t.Fatal(err)
	}
	// New connections load the statistics; the optimize at open would replace them.
	s, err := OpenSQLite(ctx, path, func(o *options) { o.noOptimize = true })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	aqlSQL := func(text string) (string, []any) {
		q, err := aql.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		q.Limit = -1
		stmt, args, err := s.searchSQL(q)
		if err != nil {
			t.Fatal(err)
		}
		return stmt, args
	}
	type plan struct {
		name  string
		q     string
		args  []any
		want  string // a detail some step must contain
		order bool   // the index must give the order (no "USE TEMP B-TREE FOR ORDER BY")
	}
	var cases []plan
	for _, opt := range []meta.ListOptions{{}, {After: "a/b/x", Limit: 100}, {FilesOnly: true, Limit: 100}} {
		q, args := listPageQuery("r", "a/b", opt)
		cases = append(cases, plan{"children " + opt.After, q, args, "USING INDEX items_repo_path_name (repo=? AND path=?", true})
	}
	for _, opt := range []meta.ListOptions{{Deep: true}, {Deep: true, After: "a/b/x/y", Limit: 100}, {Deep: true, MaxDepth: 2, FilesOnly: true, Limit: 1}} {
		q, args := listPageQuery("r", "a/b", opt)
		cases = append(cases, plan{"deep " + opt.After, q, args, "USING INDEX items_repo_fullpath (repo=? AND <expr>>? AND <expr><?)", true})
	}
	q, args := listPageQuery("r", "", meta.ListOptions{Deep: true, After: "x", Limit: 10})
	cases = append(cases, plan{"deep root", q, args, "USING INDEX items_repo_fullpath (repo=? AND <expr>>?)", true})
	for _, c := range []struct{ name, text, want string }{
		{"aql name", `items.find({"name":"x.jar"})`, "USING INDEX items_name (name=?)"},
		{"aql repo and name", `items.find({"repo":"r","name":"x.jar"})`, "USING INDEX items_name (name=?)"},
		{"aql checksum", `items.find({"sha256":"abc"})`, "USING INDEX items_sha256 (sha256=?)"},
		{"aql actual sha1", `items.find({"actual_sha1":"abc"})`, "USING INDEX items_sha1 (sha1=?)"},
		{"aql property", `items.find({"@build.number":"7"})`, "USING INDEX props_k_v (k=? AND v=?)"},
		{"aql two properties", `items.find({"@build.number":"7","@team":"alpha"})`, "USING INDEX props_k_v (k=? AND v=?)"},
	} {
		stmt, args := aqlSQL(c.text)
		cases = append(cases, plan{c.name, stmt, args, c.want, false})
	}
	cases = append(cases, plan{"blobs referenced", "SELECT DISTINCT sha256 FROM items WHERE sha256 IN (?, ?)", []any{"a", "b"},
		"USING COVERING INDEX items_sha256 (sha256=?)", false})

	for _, c := range cases {
		p := planOf(t, s, c.q, c.args...)
		joined := strings.Join(p, " | ")
		if !strings.Contains(joined, c.want) {
			t.Errorf("%s: plan %q, want a step %q", c.name, p, c.want)
		}
		for _, step := range p {
			if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN CONSTANT") {
				t.Errorf("%s: plan %q scans (%q)", c.name, p, step)
			}
			if c.order && strings.Contains(step, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s: plan %q sorts instead of reading in index order", c.name, p)
			}
		}
	}
}
