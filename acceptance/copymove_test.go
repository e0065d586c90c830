package acceptance

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
)

// Flows "copy" and "move": the client searches with "type":"any", reduces the rows to
// the top-most items (or the bottom-most with --flat and placeholders), creates target folders
// (PUT …/ → 201) and sends POST /api/copy|move/{src}?to={dst} per item (200). Folders travel
// with their content and properties.
func TestCopyMove(t *testing.T) {
	t.Parallel()
	tree := map[string][]byte{
		"tree/a.txt":     []byte("a\n"),
		"tree/sub/b.txt": content(30, 11*1024),
		"tree/c.bin":     content(31, 300),
	}
	for _, tc := range []struct {
		name    string
		pattern string // after "{src}/"
		target  string // after "{dst}/"
		flat    bool
		moved   map[string]string // source path → destination path
	}{
		{
			name: "hierarchy kept under a folder target", pattern: "tree/*", target: "into/",
			moved: map[string]string{
				"tree/a.txt": "into/tree/a.txt", "tree/sub/b.txt": "into/tree/sub/b.txt", "tree/c.bin": "into/tree/c.bin",
			},
		},
		{
			name: "flat", pattern: "tree/*.txt", target: "flat/", flat: true,
			moved: map[string]string{"tree/a.txt": "flat/a.txt", "tree/sub/b.txt": "flat/b.txt"},
		},
		{
			name: "placeholders", pattern: "tree/(*).txt", target: "renamed/{1}.md",
			moved: map[string]string{"tree/a.txt": "renamed/a.md", "tree/sub/b.txt": "renamed/sub/b.md"},
		},
		{
			// Without --flat the client would insert the source folder: single/tree/z.bin.
			name: "single file to a new name", pattern: "tree/c.bin", target: "single/z.bin", flat: true,
			moved: map[string]string{"tree/c.bin": "single/z.bin"},
		},
	} {
		for _, op := range []string{"copy", "move"} {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				c := newClient(t)
				src, dst := uniqueKey(t, "src"), uniqueKey(t, "dst")
				createGenericLocal(t, c, src)
				createGenericLocal(t, c, dst)
				deploy(t, c, src, "origin=src", tree)

				p := services.NewMoveCopyParams()
				p.Pattern = src + "/" + tc.pattern
				p.Target = dst + "/" + tc.target
				p.Recursive = true
				p.Flat = tc.flat
				c.rec.reset()
				run := c.Copy
				if op == "move" {
					run = c.Move
				}
				ok, failed, err := run(p)
				if err != nil || failed != 0 || ok == 0 {
					t.Fatalf("%s %s → %s: %d succeeded, %d failed, err %v; requests:%s", op, p.Pattern, p.Target, ok, failed, err, c.rec.dump())
				}
				for _, ex := range c.rec.find(http.MethodPost, func(rel string) bool { return strings.HasPrefix(rel, "api/"+op+"/") }) {
					if ex.Status != http.StatusOK {
						t.Errorf("%s: want 200", ex)
					}
				}
				for _, ex := range c.rec.find(http.MethodPut, func(string) bool { return true }) {
					if ex.Status != http.StatusCreated {
						t.Errorf("%s: folder creation, want 201", ex)
					}
				}

				// The destination holds exactly the moved files, with content and properties.
				var wantDst []string
				for from, to := range tc.moved {
					wantDst = append(wantDst, to)
					checkFileInfo(t, c, dst+"/"+to, tree[from])
					if diff := cmp.Diff(map[string][]string{"origin": {"src"}}, itemProps(t, c, dst+"/"+to)); diff != "" {
						t.Errorf("properties of %s/%s (-want +got):\n%s", dst, to, diff)
					}
				}
				slices.Sort(wantDst)
				if diff := cmp.Diff(wantDst, slices.Sorted(slices.Values(searchPaths(t, c, dst+"/*")))); diff != "" {
					t.Errorf("files in the destination (-want +got):\n%s", diff)
				}

				// The source keeps everything on copy, and what was not selected on move.
				var wantSrc []string
				for p := range tree {
					if _, gone := tc.moved[p]; op == "copy" || !gone {
						wantSrc = append(wantSrc, p)
					}
				}
				slices.Sort(wantSrc)
				if diff := cmp.Diff(wantSrc, slices.Sorted(slices.Values(searchPaths(t, c, src+"/*")))); diff != "" {
					t.Errorf("files left in the source (-want +got):\n%s", diff)
				}
			})
		}
	}
}
