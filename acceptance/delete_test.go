package acceptance

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
)

// Flow "delete": GetPathsToDelete searches with "type":"any" and keeps the top-most
// items; DeleteFiles sends DELETE /{repo}/{path} per item (folders end in "/"), each answered 204.
func TestDelete(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"d/keep.txt":      []byte("keep\n"),
		"d/tmp1.tmp":      []byte("tmp 1\n"),
		"d/sub/tmp2.tmp":  []byte("tmp 2\n"),
		"d/sub/keep2.txt": []byte("keep 2\n"),
		"gone/x.txt":      []byte("x\n"),
		"gone/deep/y.txt": content(40, 20*1024),
		"top.txt":         []byte("top\n"),
	}
	for _, tc := range []struct {
		name        string
		pattern     string // after "{repo}/"
		recursive   bool
		wantDeletes []string // DELETE paths after "{repo}/"
		wantLeft    []string
	}{
		{
			name: "files by pattern", pattern: "d/*.tmp", recursive: true,
			wantDeletes: []string{"d/sub/tmp2.tmp", "d/tmp1.tmp"},
			wantLeft:    []string{"d/keep.txt", "d/sub/keep2.txt", "gone/deep/y.txt", "gone/x.txt", "top.txt"},
		},
		{
			name: "not recursive", pattern: "d/*.tmp", recursive: false,
			wantDeletes: []string{"d/tmp1.tmp"},
			wantLeft:    []string{"d/keep.txt", "d/sub/keep2.txt", "d/sub/tmp2.tmp", "gone/deep/y.txt", "gone/x.txt", "top.txt"},
		},
		{
			// "repo/gone/" means "repo/gone/*": the subfolder goes whole, with its subtree.
			name: "a folder's content", pattern: "gone/", recursive: true,
			wantDeletes: []string{"gone/deep/", "gone/x.txt"},
			wantLeft:    []string{"d/keep.txt", "d/sub/keep2.txt", "d/sub/tmp2.tmp", "d/tmp1.tmp", "top.txt"},
		},
		{
			name: "everything under a folder, top-most items only", pattern: "d/*", recursive: true,
			wantDeletes: []string{"d/keep.txt", "d/sub/", "d/tmp1.tmp"},
			wantLeft:    []string{"gone/deep/y.txt", "gone/x.txt", "top.txt"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			repo := uniqueKey(t, "local")
			createGenericLocal(t, c, repo)
			deploy(t, c, repo, "", files)

			p := services.NewDeleteParams()
			p.Pattern = repo + "/" + tc.pattern
			p.Recursive = tc.recursive
			reader, err := c.GetPathsToDelete(p)
			if err != nil {
				t.Fatalf("GetPathsToDelete(%q): %v", p.Pattern, err)
			}
			defer reader.Close()
			c.rec.reset()
			n, err := c.DeleteFiles(reader)
			if err != nil || n != len(tc.wantDeletes) {
				t.Fatalf("DeleteFiles: %d deleted, err %v; want %d; requests:%s", n, err, len(tc.wantDeletes), c.rec.dump())
			}

			var deletes []string
			for _, ex := range c.rec.find(http.MethodDelete, func(string) bool { return true }) {
				deletes = append(deletes, pathOf(ex.Path[len("/artifactory/"):]))
				if ex.Status != http.StatusNoContent {
					t.Errorf("%s: want 204", ex)
				}
			}
			slices.Sort(deletes)
			if diff := cmp.Diff(tc.wantDeletes, deletes); diff != "" {
				t.Errorf("DELETE requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLeft, slices.Sorted(slices.Values(searchPaths(t, c, repo+"/*")))); diff != "" {
				t.Errorf("files left (-want +got):\n%s", diff)
			}
			for _, d := range tc.wantDeletes {
				resp, body := rawRequest(t, http.MethodGet, "api/storage/"+repo+"/"+d, nil)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET api/storage/%s/%s after delete: %s %s, want 404", repo, d, resp.Status, body)
				}
			}
		})
	}
}
