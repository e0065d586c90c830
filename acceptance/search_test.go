package acceptance

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
	"github.com/jfrog/jfrog-client-go/artifactory/services/utils"
)

// searchFixture deploys a small tree into a new repository and returns its key and the files
// (path → content). Properties: color=red on a.txt, c.bin and sub/d.txt; blue on b.txt; green
// on big-e.txt; none elsewhere.
func searchFixture(t *testing.T, c *client) (string, map[string][]byte) {
	t.Helper()
	repo := uniqueKey(t, "local")
	createGenericLocal(t, c, repo)
	files := map[string][]byte{
		"dir/a.txt":     content(10, 10),
		"dir/b.txt":     content(11, 20),
		"dir/big-e.txt": content(12, 3000),
		"dir/c.bin":     content(13, 30),
		"dir/sub/d.txt": content(14, 40),
		"other/f.txt":   content(15, 50),
		"root.txt":      content(16, 60),
	}
	byProps := map[string][]string{
		"color=red":   {"dir/a.txt", "dir/c.bin", "dir/sub/d.txt"},
		"color=blue":  {"dir/b.txt"},
		"color=green": {"dir/big-e.txt"},
		"":            {"other/f.txt", "root.txt"},
	}
	for props, paths := range byProps {
		sub := map[string][]byte{}
		for _, p := range paths {
			sub[p] = files[p]
		}
		deploy(t, c, repo, props, sub)
	}
	return repo, files
}

// Flow "search": SearchFiles turns patterns, --props, --exclusions, --exclude-props,
// --sort-by/--sort-order/--offset/--limit and --include-dirs into AQL (with duplicate "$or" keys
// and "$or" spanning sibling criteria) and reads the rows.
func TestSearch(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo, files := searchFixture(t, c)

	for _, tc := range []struct {
		name    string
		params  func(p *services.SearchParams)
		want    []string
		ordered bool // the result order matters (sorting)
	}{
		{
			name:   "pattern recursive",
			params: func(p *services.SearchParams) { p.Pattern = repo + "/dir/*.txt"; p.Recursive = true },
			want:   []string{"dir/a.txt", "dir/b.txt", "dir/big-e.txt", "dir/sub/d.txt"},
		},
		{
			name:   "pattern not recursive",
			params: func(p *services.SearchParams) { p.Pattern = repo + "/dir/*.txt"; p.Recursive = false },
			want:   []string{"dir/a.txt", "dir/b.txt", "dir/big-e.txt"},
		},
		{
			// "?" is a wildcard only inside $match, which the client uses when the name has a "*".
			name:   "single-character wildcard",
			params: func(p *services.SearchParams) { p.Pattern = repo + "/dir/?.t*"; p.Recursive = false },
			want:   []string{"dir/a.txt", "dir/b.txt"},
		},
		{
			name:   "whole repository, root files included",
			params: func(p *services.SearchParams) { p.Pattern = repo + "/*"; p.Recursive = true },
			want:   slices.Sorted(maps.Keys(files)),
		},
		{
			name:   "exact path",
			params: func(p *services.SearchParams) { p.Pattern = repo + "/dir/sub/d.txt"; p.Recursive = true },
			want:   []string{"dir/sub/d.txt"},
		},
		{
			name:   "by property",
			params: func(p *services.SearchParams) { p.Pattern = repo + "/*"; p.Recursive = true; p.Props = "color=red" },
			want:   []string{"dir/a.txt", "dir/c.bin", "dir/sub/d.txt"},
		},
		{
			name: "by property and pattern",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*.txt"
				p.Recursive = true
				p.Props = "color=blue"
			},
			want: []string{"dir/b.txt"},
		},
		{
			name: "exclusions",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*"
				p.Recursive = true
				p.Exclusions = []string{"*big*"}
			},
			want: []string{"dir/a.txt", "dir/b.txt", "dir/c.bin", "dir/sub/d.txt"},
		},
		{
			name: "two exclusions",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*"
				p.Recursive = true
				p.Exclusions = []string{"*big*", "*.bin"}
			},
			want: []string{"dir/a.txt", "dir/b.txt", "dir/sub/d.txt"},
		},
		{
			name: "exclude props",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*.txt"
				p.Recursive = true
				p.ExcludeProps = "color=blue"
			},
			want: []string{"dir/a.txt", "dir/big-e.txt", "dir/sub/d.txt"},
		},
		{
			name: "sort by name desc, limit",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*.txt"
				p.Recursive = true
				p.SortBy = []string{"name"}
				p.SortOrder = "desc"
				p.Limit = 2
			},
			want:    []string{"dir/sub/d.txt", "dir/big-e.txt"},
			ordered: true,
		},
		{
			name: "sort by name asc, offset and limit",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*.txt"
				p.Recursive = true
				p.SortBy = []string{"name"}
				p.SortOrder = "asc"
				p.Offset = 1
				p.Limit = 2
			},
			want:    []string{"dir/b.txt", "dir/big-e.txt"},
			ordered: true,
		},
		{
			name: "sort by size desc with props filter",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/*"
				p.Recursive = true
				p.Props = "color=red"
				p.SortBy = []string{"size"}
				p.SortOrder = "desc"
			},
			want:    []string{"dir/sub/d.txt", "dir/c.bin", "dir/a.txt"},
			ordered: true,
		},
		{
			name: "include dirs, not recursive",
			params: func(p *services.SearchParams) {
				p.Pattern = repo + "/dir/*"
				p.Recursive = false
				p.IncludeDirs = true
			},
			want: []string{"dir/a.txt", "dir/b.txt", "dir/big-e.txt", "dir/c.bin", "dir/sub"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := services.NewSearchParams()
			tc.params(&p)
			items := search(t, c, p)
			got := relPaths(items)
			if !tc.ordered {
				slices.Sort(got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("SearchFiles(%q) (-want +got):\n%s", p.Pattern, diff)
			}
			for _, it := range items {
				checkResultItem(t, repo, it, files)
			}
		})
	}
}

// checkResultItem compares a file row with the deployed content, and its properties with the
// fixture's.
func checkResultItem(t *testing.T, repo string, it utils.ResultItem, files map[string][]byte) {
	t.Helper()
	if it.Repo != repo {
		t.Errorf("%s: repo %q, want %q", relPath(it), it.Repo, repo)
	}
	if it.Type == "folder" {
		return
	}
	data, ok := files[relPath(it)]
	if !ok {
		t.Errorf("unexpected result %s (type %q)", relPath(it), it.Type)
		return
	}
	sum := sums(data)
	got := []any{it.Type, it.Size, it.Actual_Sha1, it.Sha256, it.Actual_Md5}
	want := []any{"file", int64(len(data)), sum.sha1, sum.sha256, sum.md5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s [type size actual_sha1 sha256 actual_md5] (-want +got):\n%s", relPath(it), diff)
	}
	var colors []string
	for _, p := range it.Properties {
		if p.Key == "color" {
			colors = append(colors, p.Value)
		}
	}
	var want2 []string
	switch relPath(it) {
	case "dir/a.txt", "dir/c.bin", "dir/sub/d.txt":
		want2 = []string{"red"}
	case "dir/b.txt":
		want2 = []string{"blue"}
	case "dir/big-e.txt":
		want2 = []string{"green"}
	}
	if diff := cmp.Diff(want2, colors); diff != "" {
		t.Errorf("%s: color properties in the search result (-want +got):\n%s", relPath(it), diff)
	}
}

// AQL as users write it (the library's Aql, as in spec files): row fields, the "." path of root
// items, size as a number, comparison operators, include, sort and the range block.
func TestAqlDirect(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo, files := searchFixture(t, c)

	type row struct {
		Repo       string          `json:"repo"`
		Path       string          `json:"path"`
		Name       string          `json:"name"`
		Type       string          `json:"type"`
		Size       json.RawMessage `json:"size"`
		Sha256     string          `json:"sha256"`
		Properties []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"properties"`
	}
	type answer struct {
		Results []row `json:"results"`
		Range   struct {
			StartPos int `json:"start_pos"`
			EndPos   int `json:"end_pos"`
			Total    int `json:"total"`
		} `json:"range"`
	}
	run := func(t *testing.T, query string) answer {
		t.Helper()
		rc, err := c.Aql(query)
		if err != nil {
			t.Fatalf("Aql(%s): %v", query, err)
		}
		defer rc.Close()
		body, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		var a answer
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("Aql(%s): %v in %s", query, err, body)
		}
		return a
	}

	t.Run("root item and include", func(t *testing.T) {
		a := run(t, `items.find({"repo":"`+repo+`","name":"root.txt"}).include("repo","path","name","size","sha256")`)
		want := []row{{Repo: repo, Path: ".", Name: "root.txt", Size: json.RawMessage("60"), Sha256: sums(files["root.txt"]).sha256}}
		if diff := cmp.Diff(want, a.Results); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		if a.Range.Total != 1 || a.Range.EndPos != 1 {
			t.Errorf("range = %+v, want total 1, end_pos 1", a.Range)
		}
	})
	t.Run("size comparison and sort", func(t *testing.T) {
		a := run(t, `items.find({"repo":"`+repo+`","size":{"$gte":40}}).include("name","size").sort({"$desc":["size"]})`)
		var got []string
		for _, r := range a.Results {
			got = append(got, r.Name+":"+string(r.Size))
		}
		want := []string{"big-e.txt:3000", "root.txt:60", "f.txt:50", "d.txt:40"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("name:size (-want +got):\n%s", diff)
		}
	})
	t.Run("duplicate $or keys", func(t *testing.T) {
		// Both "$or" clauses must hold: a decoder that keeps only the last one returns b.txt too.
		a := run(t, `items.find({"repo":"`+repo+`","$or":[{"name":"a.txt"},{"name":"b.txt"}],"$or":[{"name":"a.txt"},{"name":"c.bin"}]})`)
		if len(a.Results) != 1 || a.Results[0].Name != "a.txt" {
			t.Errorf("results = %+v, want only a.txt", a.Results)
		}
	})
	t.Run("property criteria and property rows", func(t *testing.T) {
		a := run(t, `items.find({"repo":"`+repo+`","@color":"green"}).include("name","property")`)
		if len(a.Results) != 1 || a.Results[0].Name != "big-e.txt" {
			t.Fatalf("results = %+v, want only big-e.txt", a.Results)
		}
		props := a.Results[0].Properties
		if len(props) != 1 || props[0].Key != "color" || props[0].Value != "green" {
			t.Errorf("properties = %+v, want [{color green}]", props)
		}
	})
	t.Run("parse error", func(t *testing.T) {
		resp, body := rawRequest(t, http.MethodPost, "api/search/aql", strings.NewReader(`items.find({"repo":`))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed AQL: %s %s, want 400", resp.Status, body)
		}
	})
}
