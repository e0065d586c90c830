package smart

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"

	"arca"
)

// Entry is one child of a remote folder.
type Entry struct {
	Name   string // one path segment, percent-decoded
	Folder bool
}

// MaxListing caps the HTML listing ListHTML reads.
const MaxListing = 8 << 20

// ParseListing reads the children of a folder from an HTML listing page, the way Artifactory's
// listRemoteFolderItems does, so that Apache, nginx, Artifactory and Arca listings all
// work:
//
//   - every <a … href="X">TEXT</a> (either quote style, or none; inline tags inside TEXT are
//     dropped and entities decoded);
//   - "../" (and anything that names the parent or the folder itself) is skipped; an absolute
//     href ("/a/b/c/" or "http://h/a/b/c.jar") is reduced to its last segment;
//   - an anchor is kept only when TEXT equals the href ignoring case and a trailing "/", or
//     TEXT is a truncation of it ending in "..." or "..>" (Artifactory, nginx and Apache
//     shorten long names), so sort links, navigation and icons are ignored;
//   - a folder is an href ending in "/".
//
// Names are percent-decoded single segments, never "", "." or "..", in page order without
// duplicates. ParseListing never fails: text that is not HTML yields no entries.
func ParseListing(page []byte) []Entry {
	var out []Entry
	seen := map[string]bool{}
	s := string(page)
	for {
		i := indexFold(s, "<a")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		if s == "" || !isSpace(s[0]) {
			continue // <abbr>, <article>…
		}
		attrs, rest, ok := cutTag(s)
		if !ok {
			return out
		}
		end := indexFold(rest, "</a")
		if end < 0 {
			return out
		}
		text, href := rest[:end], attrValue(attrs, "href")
		s = rest[end:]
		if e, ok := listingEntry(href, text); ok && !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, e)
		}
	}
}

// listingEntry applies the keep rules to one anchor.
func listingEntry(href, text string) (Entry, bool) {
	href = strings.TrimSpace(html.UnescapeString(href))
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		if i == 0 {
			return Entry{}, false
		}
		href = href[:i]
	}
	folder := strings.HasSuffix(href, "/")
	rel := strings.TrimRight(href, "/")
	if strings.Contains(href, "://") || strings.HasPrefix(href, "/") {
		rel = rel[strings.LastIndexByte(rel, '/')+1:]
	}
	name, err := url.PathUnescape(rel)
	if err != nil {
		name = rel
	}
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return Entry{}, false
	}
	text = strings.TrimSpace(html.UnescapeString(stripTags(text)))
	text = strings.TrimSuffix(text, "/")
	if !strings.EqualFold(text, name) && !strings.EqualFold(text, rel) && !truncationOf(text, name) {
		return Entry{}, false
	}
	return Entry{Name: name, Folder: folder}, true
}

// truncationOf reports text "prefix..." or "prefix..>" where prefix starts name (ignoring case).
func truncationOf(text, name string) bool {
	for _, mark := range []string{"...", "..>"} {
		if p, ok := strings.CutSuffix(text, mark); ok && p != "" && len(p) < len(name) && strings.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	return false
}

// cutTag splits s (just after "<a") at the end of the opening tag, honouring quoted attribute
// values, and returns the attributes and what follows the tag.
func cutTag(s string) (attrs, rest string, ok bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// attrValue returns the value of attribute name in a tag's attribute text: quoted with either
// quote, or unquoted up to whitespace; "" when absent.
func attrValue(attrs, name string) string {
	s := attrs
	for {
		i := indexFold(s, name)
		if i < 0 {
			return ""
		}
		before := i == 0 || isSpace(s[i-1])
		s = s[i+len(name):]
		t := strings.TrimLeft(s, " \t\r\n\f")
		if !before || t == "" || t[0] != '=' {
			continue
		}
		t = strings.TrimLeft(t[1:], " \t\r\n\f")
		if t == "" {
			return ""
		}
		if q := t[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(t[1:], q); j >= 0 {
				return t[1 : 1+j]
			}
			return t[1:]
		}
		if j := strings.IndexAny(t, " \t\r\n\f"); j >= 0 {
			return t[:j]
		}
		return t
	}
}

// stripTags removes <…> tags from an anchor's text.
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	depth := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			depth = true
		case c == '>' && depth:
			depth = false
		case !depth:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// indexFold is strings.Index ignoring ASCII case; sub is lower-case ASCII.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// ListHTML lists a remote folder from the upstream's HTML page: GET {URL}/{dir}/, always
// with a trailing slash, which must answer 200 within MaxListing bytes. A 404 is
// arca.ErrNotFound; other answers are errors as for FetchProperties. Works with any upstream
// that serves listings (Artifactory, Arca, Apache, nginx).
func (p Peer) ListHTML(ctx context.Context, dir string) ([]Entry, error) {
	d := strings.Trim(dir, "/")
	u := strings.TrimSuffix(p.URL, "/") + "/"
	if d != "" {
		u += escapePath(d) + "/"
	}
	if p.QueryParams != "" {
		u += "?" + p.QueryParams
	}
	res, err := p.do(ctx, http.MethodGet, u, nil, http.Header{"Accept": {"text/html"}})
	if err != nil {
		return nil, err
	}
	defer drain(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil, statusError(http.MethodGet, u, res.StatusCode)
	}
	page, err := io.ReadAll(io.LimitReader(res.Body, MaxListing+1))
	if err != nil {
		return nil, fmt.Errorf("%w: smart: GET %s: %v", arca.ErrUnavailable, u, err)
	}
	if len(page) > MaxListing {
		return nil, arca.Errorf(arca.ErrUnavailable, "smart: GET %s: the listing is larger than %d bytes", u, MaxListing)
	}
	return ParseListing(page), nil
}

// ListStorage lists a remote folder through the storage API of an Artifactory-compatible
// upstream (use it when Detect found one with RemoteListing): GET {Base}/api/storage/{Key}/{dir}
// and its "children". A missing folder, or a path that is a file, is arca.ErrNotFound; other
// answers are errors as for FetchProperties. Entries come in the upstream's order.
func (p Peer) ListStorage(ctx context.Context, dir string) ([]Entry, error) {
	d := strings.Trim(dir, "/")
	rest := url.PathEscape(p.Key)
	if d != "" {
		rest += "/" + escapePath(d)
	}
	u := p.apiURL("storage/" + rest)
	res, err := p.do(ctx, http.MethodGet, u, nil, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return nil, err
	}
	defer drain(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil, statusError(http.MethodGet, u, res.StatusCode)
	}
	var info struct {
		Children *[]struct {
			URI    string `json:"uri"`
			Folder bool   `json:"folder"`
		} `json:"children"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, MaxListing)).Decode(&info); err != nil {
		return nil, arca.Errorf(arca.ErrUnavailable, "smart: GET %s: malformed storage JSON: %v", u, err)
	}
	if info.Children == nil {
		return nil, arca.Errorf(arca.ErrNotFound, "smart: %s/%s is not a folder upstream", p.Key, d)
	}
	out := make([]Entry, 0, len(*info.Children))
	for _, c := range *info.Children {
		name := strings.Trim(c.URI, "/")
		if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
			continue
		}
		out = append(out, Entry{Name: name, Folder: c.Folder})
	}
	return out, nil
}
