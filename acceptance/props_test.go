package acceptance

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
)

// Flow "set / delete props": the client searches, then sends
// PUT|DELETE /api/storage/{repo}/{path}?properties=…&recursive=0 per item, each answered 204.
// The result is read back with GET /api/storage/{repo}/{path}?properties.
func TestProperties(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo := uniqueKey(t, "local")
	createGenericLocal(t, c, repo)
	paths := []string{"p/one.txt", "p/deep/two.txt"}
	deploy(t, c, repo, "keep=me", map[string][]byte{
		paths[0]:      []byte("one\n"),
		paths[1]:      []byte("two\n"),
		"q/other.txt": []byte("not selected\n"),
	})

	// apply runs SetProps or DeleteProps over the files under p/ and checks the wire exchange.
	apply := func(t *testing.T, del bool, props string) {
		t.Helper()
		sp := services.NewSearchParams()
		sp.Pattern = repo + "/p/*"
		sp.Recursive = true
		reader, err := c.SearchFiles(sp)
		if err != nil {
			t.Fatalf("SearchFiles: %v", err)
		}
		defer reader.Close()
		pp := services.NewPropsParams()
		pp.Reader = reader
		pp.Props = props
		c.rec.reset()
		var n int
		if del {
			n, err = c.DeleteProps(pp)
		} else {
			n, err = c.SetProps(pp)
		}
		if err != nil || n != len(paths) {
			t.Fatalf("props %q (delete %v): %d items, err %v; want %d; requests:%s", props, del, n, err, len(paths), c.rec.dump())
		}
		method := http.MethodPut
		if del {
			method = http.MethodDelete
		}
		calls := c.rec.find(method, func(rel string) bool { return strings.HasPrefix(rel, "api/storage/") })
		if len(calls) != len(paths) {
			t.Errorf("want %d %s api/storage calls, got:%s", len(paths), method, c.rec.dump())
		}
		for _, ex := range calls {
			if ex.Status != http.StatusNoContent {
				t.Errorf("%s: want 204", ex)
			}
		}
	}
	check := func(t *testing.T, want map[string][]string) {
		t.Helper()
		for _, p := range paths {
			if diff := cmp.Diff(want, itemProps(t, c, repo+"/"+p), sortValues); diff != "" {
				t.Errorf("properties of %s (-want +got):\n%s", p, diff)
			}
		}
	}

	t.Run("set", func(t *testing.T) {
		// Several keys, a multi-valued key, a value with a space and one with an escaped comma.
		apply(t, false, `color=red;tags=x,y;note=hello world;csv=a\,b`)
		check(t, map[string][]string{
			"keep": {"me"}, "color": {"red"}, "tags": {"x", "y"}, "note": {"hello world"}, "csv": {"a,b"},
		})
	})
	t.Run("set replaces the values of a key", func(t *testing.T) {
		apply(t, false, "tags=z;color=green")
		check(t, map[string][]string{
			"keep": {"me"}, "color": {"green"}, "tags": {"z"}, "note": {"hello world"}, "csv": {"a,b"},
		})
	})
	t.Run("delete", func(t *testing.T) {
		apply(t, true, "tags,note")
		check(t, map[string][]string{"keep": {"me"}, "color": {"green"}, "csv": {"a,b"}})
	})
	t.Run("search by the new property", func(t *testing.T) {
		sp := services.NewSearchParams()
		sp.Pattern = repo + "/*"
		sp.Recursive = true
		sp.Props = "color=green"
		got := relPaths(search(t, c, sp))
		if diff := cmp.Diff([]string{"p/deep/two.txt", "p/one.txt"}, slices.Sorted(slices.Values(got))); diff != "" {
			t.Errorf("search by color=green (-want +got):\n%s", diff)
		}
	})
	t.Run("delete all", func(t *testing.T) {
		apply(t, true, "keep,color,csv")
		for _, p := range paths {
			// No properties at all: 404 "No properties could be found", which the library maps to nil.
			if got := itemProps(t, c, repo+"/"+p); got != nil {
				t.Errorf("properties of %s = %v, want none", p, got)
			}
		}
		resp, body := rawRequest(t, http.MethodGet, "api/storage/"+repo+"/"+paths[0]+"?properties", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET ?properties without properties: %s %s, want 404", resp.Status, body)
		}
	})
	t.Run("untouched item", func(t *testing.T) {
		if diff := cmp.Diff(map[string][]string{"keep": {"me"}}, itemProps(t, c, repo+"/q/other.txt")); diff != "" {
			t.Errorf("properties of q/other.txt (-want +got):\n%s", diff)
		}
	})
}
