package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestListingPages: the storage API's ?list and folder info, and the HTML index of a folder,
// are complete without paging parameters, and with limit/after page through the same entries
// in the same order, each page but the last linking to the next.
func TestListingPages(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.createRepo("all", `{"key":"all","rclass":"virtual","packageType":"generic","repositories":["libs"]}`)
	for i := range 12 {
		s.put(fmt.Sprintf("/libs/f/sub-%d/x.txt", i%3), "x")
		s.put(fmt.Sprintf("/libs/f/file-%02d.txt", i), "c")
	}
	type files struct {
		Files []struct{ URI string }
		Next  string
	}
	uris := func(f files) (out []string) {
		for _, e := range f.Files {
			out = append(out, e.URI)
		}
		return out
	}
	// pathOf turns a next URL into a path under /artifactory for s.do.
	pathOf := func(next string) string {
		_, p, ok := strings.Cut(next, "/artifactory")
		if !ok {
			t.Fatalf("next %q is not an /artifactory URL", next)
		}
		return p
	}
	for _, repo := range []string{"libs", "all"} {
		for _, q := range []string{"list&deep=1&listFolders=1", "list&deep=1", "list&listFolders=1", "list&deep=1&depth=1&listFolders=1"} {
			var all files
			s.must(200, req{method: "GET", path: "/api/storage/" + repo + "/f?" + q}).json(t, &all)
			if len(all.Files) == 0 || all.Next != "" {
				t.Fatalf("%s ?%s: %d files, next %q", repo, q, len(all.Files), all.Next)
			}
			var got []string
			path := "/api/storage/" + repo + "/f?" + q + "&limit=5"
			for pages := 0; path != ""; pages++ {
				if pages > len(all.Files) {
					t.Fatalf("%s ?%s: the pages do not end", repo, q)
				}
				r := s.must(200, req{method: "GET", path: path})
				var page files
				r.json(t, &page)
				if len(page.Files) > 5 {
					t.Fatalf("%s: a page of limit 5 has %d files", path, len(page.Files))
				}
				if link := r.Header.Get("Link"); (link != "") != (page.Next != "") || page.Next != "" && link != "<"+page.Next+`>; rel="next"` {
					t.Errorf("%s: Link %q and next %q disagree", path, link, page.Next)
				}
				got = append(got, uris(page)...)
				path = ""
				if page.Next != "" {
					path = pathOf(page.Next)
				}
			}
			if strings.Join(got, " ") != strings.Join(uris(all), " ") {
				t.Errorf("%s ?%s: pages %v, complete listing %v", repo, q, got, uris(all))
			}
		}
	}
	var page files
	s.must(200, req{method: "GET", path: "/api/storage/libs/f?list&after=/file-09.txt&limit=2"}).json(t, &page)
	if fmt.Sprint(uris(page)) != "[/file-10.txt /file-11.txt]" || page.Next != "" { // folders are not listed
		t.Errorf("page after /file-09.txt = %v, next %q; want the last two files, no next", uris(page), page.Next)
	}

	// Folder info: children pages.
	var info struct {
		Children []struct{ URI string }
		Next     string
	}
	r := s.must(200, req{method: "GET", path: "/api/storage/libs/f?limit=10"})
	r.json(t, &info)
	if len(info.Children) != 10 || info.Children[9].URI != "/file-09.txt" || !strings.Contains(info.Next, "after=%2Ffile-09.txt") {
		t.Errorf("first page of children = %v, next %q", info.Children, info.Next)
	}
	next := pathOf(info.Next)
	info.Children, info.Next = nil, ""
	s.must(200, req{method: "GET", path: next}).json(t, &info)
	if fmt.Sprint(info.Children) != "[{/file-10.txt} {/file-11.txt} {/sub-0} {/sub-1} {/sub-2}]" || info.Next != "" {
		t.Errorf("last page of children = %v, next %q", info.Children, info.Next)
	}

	// The HTML index: "../" on the first page only, a Link to the next.
	anchors := regexp.MustCompile(`<a href="([^"]*)">`)
	names := func(body string) (out []string) {
		for _, m := range anchors.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	r = s.must(200, req{method: "GET", path: "/libs/f/?limit=3"})
	if got := names(r.text()); fmt.Sprint(got) != "[../ file-00.txt file-01.txt file-02.txt]" || !strings.Contains(r.Header.Get("Link"), "after=%2Ffile-02.txt") {
		t.Errorf("first HTML page %v, Link %q", got, r.Header.Get("Link"))
	}
	r = s.must(200, req{method: "GET", path: "/libs/f/?limit=3&after=/file-11.txt"})
	if got := names(r.text()); fmt.Sprint(got) != "[sub-0/ sub-1/ sub-2/]" || r.Header.Get("Link") != "" {
		t.Errorf("last HTML page %v, Link %q", got, r.Header.Get("Link"))
	}
	if got := names(s.must(200, req{method: "GET", path: "/libs/f/"}).text()); len(got) != 16 {
		t.Errorf("complete HTML index has %d anchors, want 16: %v", len(got), got)
	}

	for _, bad := range []string{"/api/storage/libs/f?list&limit=0", "/api/storage/libs/f?limit=x", "/libs/f/?limit=-1"} {
		s.must(400, req{method: "GET", path: bad})
	}
	s.must(404, req{method: "GET", path: "/api/storage/libs/missing?list&limit=2"})
}
