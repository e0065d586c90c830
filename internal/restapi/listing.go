package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"arca"
	"arca/internal/meta"
	"arca/internal/repo"
)

// Folder listings (the storage API's ?list and folder info, and the HTML index of a folder
// GET) are complete by default, as on Artifactory, but never held in memory whole: they are
// read from the store a chunk at a time and written as they are read. A client may also ask
// for one page with the parameters
//
//	limit=N    at most N entries (a positive integer)
//	after=URI  only the entries after URI, an entry's "uri" from an earlier page ("/a/b.jar")
//
// in the listing's order (full path, byte-wise). A page that was cut short of the listing's
// end carries a Link header with rel="next" (and, in JSON, "next"): the URL of the following
// page. Each page costs the same wherever it is in the folder.

// listChunk is how many entries a complete listing reads from the store at a time.
const listChunk = 1000

// pageParams reads limit and after. after is returned as a path relative to the folder,
// without its leading "/".
func pageParams(q url.Values) (limit int, after string, err error) {
	if v := first(q, "limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit <= 0 {
			return 0, "", arca.Errorf(arca.ErrInvalid, "limit: %q is not a positive integer", v)
		}
	}
	return limit, strings.TrimPrefix(first(q, "after"), "/"), nil
}

// listing reads a folder's listing from a repository: a page the client asked for in one store
// read (limit+1 entries, the last telling whether more follow), or the complete listing a
// chunk at a time.
type listing struct {
	ctx context.Context
	rep repo.Repository
	dir string
	opt meta.ListOptions // After advances as chunks are read; Limit is the read size

	buf  []arca.Item
	done bool   // nothing to read after buf
	more bool   // the client's page ends before the listing does
	last string // Path of the last entry handed out
}

// newListing prepares a listing of dir after the folder-relative path after, limited to limit
// entries (0: all), and reads the page or the first chunk, so that a missing folder fails
// before anything is written.
func newListing(ctx context.Context, rep repo.Repository, dir string, opt meta.ListOptions, after string, limit int) (*listing, error) {
	if after != "" {
		opt.After = joinPath(dir, after)
	}
	opt.Limit = listChunk
	if limit > 0 {
		opt.Limit = limit + 1
	}
	l := &listing{ctx: ctx, rep: rep, dir: dir, opt: opt}
	if err := l.fill(); err != nil {
		return nil, err
	}
	if limit > 0 {
		l.more, l.done = len(l.buf) > limit, true
		l.buf = l.buf[:min(len(l.buf), limit)]
	}
	return l, nil
}

func (l *listing) fill() error {
	items, err := repo.ListPage(l.ctx, l.rep, l.dir, l.opt)
	if err != nil {
		return err
	}
	l.buf, l.done = items, len(items) < l.opt.Limit
	if len(items) > 0 {
		l.opt.After = items[len(items)-1].Path
	}
	return nil
}

// next returns the next entry, or false at the end.
func (l *listing) next() (arca.Item, bool, error) {
	if len(l.buf) == 0 {
		if l.done {
			return arca.Item{}, false, nil
		}
		if err := l.fill(); err != nil {
			return arca.Item{}, false, err
		}
		if len(l.buf) == 0 {
			return arca.Item{}, false, nil
		}
	}
	it := l.buf[0]
	l.buf = l.buf[1:]
	l.last = it.Path
	return it, true, nil
}

// each calls fn with every remaining entry, in order, and stops at the first error.
func (l *listing) each(fn func(arca.Item) error) error {
	for {
		c, ok, err := l.next()
		if err != nil || !ok {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}

// linkNext sets the Link header to the next page when the page the client asked for ends
// before the listing does, and returns that URL ("" when it does not). Call it before writing
// the headers: it knows the last entry of the page, which was read whole.
func (l *listing) linkNext(w http.ResponseWriter, r *http.Request, base string) string {
	if !l.more || len(l.buf) == 0 {
		return ""
	}
	u := l.nextURL(r, base, l.buf[len(l.buf)-1].Path)
	w.Header().Set("Link", "<"+u+">; rel=\"next\"")
	return u
}

// nextURL is the URL of the page after this one: the request's with after set to the URI of
// its last entry, last.
func (l *listing) nextURL(r *http.Request, base, last string) string {
	q := r.URL.Query()
	q.Set("after", "/"+relPath(l.dir, last))
	u := *r.URL
	u.RawQuery = q.Encode()
	return strings.TrimSuffix(base, "/artifactory") + u.RequestURI()
}

// joinPath is dir/rel (rel at the root).
func joinPath(dir, rel string) string {
	if dir == "" {
		return rel
	}
	return dir + "/" + rel
}

// relPath is p relative to dir (p is below dir).
func relPath(dir, p string) string {
	if dir == "" {
		return p
	}
	return strings.TrimPrefix(p, dir+"/")
}

// jsonStream writes a JSON object whose last member is an array written element by element.
type jsonStream struct {
	w     http.ResponseWriter
	enc   *json.Encoder
	count int
}

// startJSON writes the headers, then `{"k":v,…,"array":[` with members in the given order.
func startJSON(w http.ResponseWriter, members [][2]any, array string) (*jsonStream, error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	s := &jsonStream{w: w, enc: json.NewEncoder(w)}
	s.enc.SetEscapeHTML(false)
	var b strings.Builder
	b.WriteString("{")
	for _, m := range members {
		k, _ := json.Marshal(m[0])
		v, err := json.Marshal(m[1])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
		b.WriteString(",")
	}
	k, _ := json.Marshal(array)
	b.Write(k)
	b.WriteString(":[")
	_, err := w.Write([]byte(b.String()))
	return s, err
}

// elem writes one array element.
func (s *jsonStream) elem(v any) error {
	if s.count > 0 {
		if _, err := s.w.Write([]byte(",")); err != nil {
			return err
		}
	}
	s.count++
	return s.enc.Encode(v) // the newline it adds is JSON whitespace
}

// end closes the array, writes the members that follow it and closes the object.
func (s *jsonStream) end(members ...[2]any) error {
	var b strings.Builder
	b.WriteString("]")
	for _, m := range members {
		k, _ := json.Marshal(m[0])
		v, err := json.Marshal(m[1])
		if err != nil {
			return err
		}
		b.WriteString(",")
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}\n")
	_, err := s.w.Write([]byte(b.String()))
	return err
}
