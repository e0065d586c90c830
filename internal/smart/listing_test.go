package smart

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestParseListing(t *testing.T) {
	tests := []struct {
		name string
		page string
		want []Entry
	}{
		{name: "arca/artifactory style",
			page: `<html><body><pre><a href="../">../</a>
<a href="com/">com/</a>   01-Jan-2024 10:00  -
<a href="a.jar">a.jar</a>   01-Jan-2024 10:00  12 bytes
</pre></body></html>`,
			want: []Entry{{"com", true}, {"a.jar", false}}},
		{name: "single quotes, spaces, case",
			page: `<A HREF='Lib/' class=x>lib/</A><a  class="c" href = 'b.TXT' >B.txt</a>`,
			want: []Entry{{"Lib", true}, {"b.TXT", false}}},
		{name: "unquoted href",
			page: `<a href=c.jar>c.jar</a>`,
			want: []Entry{{"c.jar", false}}},
		{name: "inline tags and entities in text",
			page: `<a href="x&amp;y.jar"><img src="i.png"/> <b>x&amp;y.jar</b></a>`,
			want: []Entry{{"x&y.jar", false}}},
		{name: "absolute hrefs made relative",
			page: `<a href="/artifactory/libs/org/">org/</a><a href="http://h/r/a/b.pom">b.pom</a>`,
			want: []Entry{{"org", true}, {"b.pom", false}}},
		{name: "percent-encoded href",
			page: `<a href="a%20b.jar">a b.jar</a><a href="c%2Bd/">c%2Bd/</a>`,
			want: []Entry{{"a b.jar", false}, {"c+d", true}}},
		{name: "text without trailing slash for a folder",
			page: `<a href="dir/">dir</a>`,
			want: []Entry{{"dir", true}}},
		{name: "truncated names",
			page: `<a href="averyveryverylongname-1.0.0.jar">averyveryverylong..&gt;</a>` +
				`<a href="another-long-name/">another-lo...</a><a href="x.jar">y...</a>`,
			want: []Entry{{"averyveryverylongname-1.0.0.jar", false}, {"another-long-name", true}}},
		{name: "navigation, sort links, parents and fragments skipped",
			page: `<a href="?C=N;O=D">Name</a><a href="..">..</a><a href="./">./</a><a href="#top">#top</a>` +
				`<a href="/">Parent Directory</a><a href="https://jfrog.com">JFrog</a><a href="a/b/">a/b/</a>`,
			want: nil},
		{name: "query stripped from href",
			page: `<a href="d.jar?x=1">d.jar</a>`,
			want: []Entry{{"d.jar", false}}},
		{name: "duplicates once, other tags ignored",
			page: `<abbr href="z">z</abbr><a href="e.jar">e.jar</a><a href="e.jar">e.jar</a>`,
			want: []Entry{{"e.jar", false}}},
		{name: "unterminated anchor",
			page: `<a href="f.jar">f.jar</a><a href="g.jar">g.jar`,
			want: []Entry{{"f.jar", false}}},
		{name: "unterminated tag", page: `<a href="f.jar`, want: nil},
		{name: "not html", page: "plain text", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseListing([]byte(tt.page))); diff != "" {
				t.Errorf("ParseListing (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseListing(f *testing.F) {
	for _, s := range []string{
		`<a href="a/">a/</a>`, `<a href='b'>b</a>`, `<A HREF=c>c</A>`, `<a href="/x/y/">y..&gt;</a>`,
		`<a href="%zz">%zz</a>`, `<a href="..">..</a>`, `<a `, `<a href="`, `<a>`, `<a href=x><</a>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		seen := map[string]bool{}
		for _, e := range ParseListing(page) {
			if e.Name == "" || e.Name == "." || e.Name == ".." || strings.ContainsAny(e.Name, "/\x00") || seen[e.Name] {
				t.Fatalf("bad entry %+v from %q", e, page)
			}
			seen[e.Name] = true
		}
	})
}

func TestListHTML(t *testing.T) {
	page := `<a href="../">../</a><a href="sub/">sub/</a><a href="x.jar">x.jar</a>`
	tests := []struct {
		name, dir, path string
		handler         http.HandlerFunc
		want            []Entry
		wantErr         error
	}{
		{name: "folder", dir: "org/acme", path: "/artifactory/libs/org/acme/", handler: text(200, page),
			want: []Entry{{"sub", true}, {"x.jar", false}}},
		{name: "root", dir: "", path: "/artifactory/libs/", handler: text(200, page),
			want: []Entry{{"sub", true}, {"x.jar", false}}},
		{name: "missing", dir: "nope", path: "/artifactory/libs/other/", handler: text(200, page), wantErr: arca.ErrNotFound},
		{name: "too large", dir: "big", path: "/artifactory/libs/big/",
			handler: text(200, strings.Repeat(" ", MaxListing+1)), wantErr: arca.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, map[string]http.HandlerFunc{"GET " + tt.path: tt.handler})
			got, err := up.peer("libs").ListHTML(context.Background(), tt.dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListHTML (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListStorage(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []Entry
		wantErr error
	}{
		{name: "children", handler: text(200, `{"repo":"libs","path":"/org","children":[{"uri":"/acme","folder":true},{"uri":"/a.jar","folder":false}]}`),
			want: []Entry{{"acme", true}, {"a.jar", false}}},
		{name: "empty folder", handler: text(200, `{"children":[]}`), want: []Entry{}},
		{name: "a file", handler: text(200, `{"repo":"libs","path":"/org","size":"3"}`), wantErr: arca.ErrNotFound},
		{name: "missing", handler: text(404, ""), wantErr: arca.ErrNotFound},
		{name: "forbidden", handler: text(403, ""), wantErr: arca.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, map[string]http.HandlerFunc{"GET /artifactory/api/storage/libs/org": tt.handler})
			got, err := up.peer("libs").ListStorage(context.Background(), "/org/")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListStorage (-want +got):\n%s", diff)
			}
		})
	}
}
