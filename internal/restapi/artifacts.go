package restapi

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"

	"arca"
	"arca/internal/auth"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/meta"
	"arca/internal/repo"
	"arca/internal/repoconfig"
)

const artifactsPrefix = "/artifactory/"

// checksumExts are the checksum paths answered from an item's stored checksums.
var checksumExts = []struct {
	ext string
	sum func(arca.Checksums) string
}{
	{".sha256", func(c arca.Checksums) string { return c.SHA256 }},
	{".sha1", func(c arca.Checksums) string { return c.SHA1 }},
	{".md5", func(c arca.Checksums) string { return c.MD5 }},
}

// Download serves GET and HEAD /artifactory/{repo}/{path}: a file with Artifactory's headers and
// Range support (http.ServeContent on the blob file, so sendfile when it is on disk), a
// checksum path, or a folder listing.
func (a *API) Download(w http.ResponseWriter, r *http.Request) error {
	rep, rp, err := a.resolve(r, artifactsPrefix, auth.Read)
	if err != nil {
		return err
	}
	if rp.Slash {
		// A folder request is a listing: it never opens (nor, on a remote, fetches) content.
		return a.listFolder(w, r, rep, rp)
	}
	return a.serveItem(w, r, rep, rp)
}

// serveItem answers a GET or HEAD of a repository path that is not a folder listing request.
func (a *API) serveItem(w http.ResponseWriter, r *http.Request, rep repo.Repository, rp repoPath) error {
	// A HEAD answers from what the repository knows; it never starts a remote fetch.
	var it arca.Item
	var err error
	var f blob.File
	ctx := r.Context()
	var note *format.GuardNote // nil-safe: set for virtuals only
	if rep.Config().Class() == repoconfig.Virtual {
		ctx, note = format.WithGuardNote(ctx)
	}
	if r.Method == http.MethodHead {
		it, err = rep.Stat(ctx, rp.Path)
	} else {
		it, f, err = rep.Open(ctx, rp.Path)
	}
	// Tell the client when the dependency-confusion guard shaped the answer (or refused it).
	note.SetHeader(w.Header())
	if errors.Is(err, arca.ErrNotFound) {
		if ok, cerr := a.serveChecksum(w, r, rep, rp.Path); ok || cerr != nil {
			return cerr
		}
	}
	if err != nil {
		return err
	}
	if it.Folder {
		return a.listFolder(w, r, rep, rp)
	}
	if f != nil {
		defer f.Close()
	}
	if !matrixMatches(rp.Matrix, func() (arca.Properties, error) { return a.Meta.GetProps(r.Context(), it.Repo, it.Path) }) {
		return arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s' with the requested properties", rp.Repo, rp.Path)
	}
	fh := headersOf(it)
	fh.setCommon(w.Header())
	if wf, ok := f.(interface{ Warning() string }); ok {
		w.Header().Set("Warning", wf.Warning())
	}
	if f == nil || plainRequest(r) {
		// HEAD, and the common GET without ranges or preconditions: skip ServeContent's parsing.
		fh.setPlain(w.Header())
		w.WriteHeader(http.StatusOK)
		if f != nil {
			a.Downloads.Record(it.Repo, it.Path, PrincipalFrom(r.Context()).Name, a.Now())
			if _, err := sendBody(w, f, it.Size); err != nil {
				// The status line is out: abort the response so the client sees it broken
				// (a streamed remote body that failed verification, or a client gone away).
				panic(http.ErrAbortHandler)
			}
		}
		return nil
	}
	a.Downloads.Record(it.Repo, it.Path, PrincipalFrom(r.Context()).Name, a.Now())
	http.ServeContent(w, r, "", it.Modified, f)
	return nil
}

// sendBody copies size bytes of f to w through w's ReadFrom, so that a file reaches the
// connection's sendfile. (io.Copy would prefer *os.File's WriteTo, which only uses sendfile
// when writing to a bare socket and otherwise falls back to a read/write loop.)
func sendBody(w io.Writer, f io.Reader, size int64) (int64, error) {
	if size < 0 {
		size = 1<<63 - 1 // unknown length: until the body ends
	}
	if m, ok := f.(blob.Unreader); ok { // in memory: one Write, no copy loop
		b := m.Unread()
		if int64(len(b)) > size {
			b = b[:size]
		}
		n, err := w.Write(b)
		return int64(n), err
	}
	lr := &io.LimitedReader{R: f, N: size}
	if s, ok := f.(interface{ Streaming() bool }); ok && s.Streaming() {
		return sendStreaming(w, lr)
	}
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(lr)
	}
	return io.Copy(w, lr)
}

// sendStreaming copies a body that arrives while it is sent (a remote fetch), flushing each
// chunk so the client receives the bytes as they come.
func sendStreaming(w io.Writer, r io.Reader) (int64, error) {
	rw, _ := w.(http.ResponseWriter)
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
			if rw != nil {
				_ = http.NewResponseController(rw).Flush()
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// plainRequest reports a request that http.ServeContent would answer with the whole body:
// no Range and no conditional headers.
func plainRequest(r *http.Request) bool {
	h := r.Header
	return len(h["Range"]) == 0 && len(h["If-None-Match"]) == 0 && len(h["If-Modified-Since"]) == 0 &&
		len(h["If-Match"]) == 0 && len(h["If-Unmodified-Since"]) == 0 && len(h["If-Range"]) == 0
}

// matrixMatches applies matrix parameters on a download as Artifactory documents them: ";k=v"
// matches when the item has no k or has value v; ";k+=v" requires the value.
func matrixMatches(m arca.Properties, props func() (arca.Properties, error)) bool {
	if len(m) == 0 {
		return true
	}
	have, err := props()
	if err != nil {
		return false
	}
	for k, want := range m {
		key, mandatory := strings.CutSuffix(k, "+")
		vals, ok := have[key]
		if !ok {
			if mandatory {
				return false
			}
			continue
		}
		for _, w := range want {
			found := false
			for _, v := range vals {
				found = found || v == w
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// serveChecksum answers "<file>.sha1" (and .md5, .sha256) from the file's stored checksum when
// no item of that name exists. It reports whether it answered.
func (a *API) serveChecksum(w http.ResponseWriter, r *http.Request, rep repo.Repository, p string) (bool, error) {
	if base, ok := strings.CutSuffix(p, ".sha512"); ok && base != "" {
		// SHA-512 is not computed on ingest (few clients ask for it): hash the content.
		_, f, err := rep.Open(r.Context(), base)
		if err != nil || f == nil {
			return false, nil
		}
		defer f.Close()
		sum, err := arca.SHA512Of(f)
		if err != nil {
			return true, err
		}
		return true, writeText(w, http.StatusOK, sum)
	}
	for _, c := range checksumExts {
		base, ok := strings.CutSuffix(p, c.ext)
		if !ok || base == "" {
			continue
		}
		it, err := rep.Stat(r.Context(), base)
		if err != nil || it.Folder {
			return false, nil
		}
		return true, writeText(w, http.StatusOK, c.sum(it.Checksums))
	}
	return false, nil
}

// BrowseRoot handles GET /artifactory/: the repositories the caller can read, as the same plain
// anchors as a folder listing.
func (a *API) BrowseRoot(w http.ResponseWriter, r *http.Request) error {
	if PrincipalFrom(r.Context()).Anonymous && !a.canRead(r, "", "") {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	var names []string
	for _, cfg := range a.Repos.List() {
		if a.canRead(r, cfg.Key(), "") {
			names = append(names, cfg.Key()+"/")
		}
	}
	return writeListing(w, r, "Repositories", names)
}

// writeListing writes an HTML index whose anchors' text equals their href.
func writeListing(w http.ResponseWriter, r *http.Request, title string, names []string) error {
	out, err := startListing(w, r, title)
	if err != nil || out == nil {
		return err
	}
	for _, name := range names {
		if err := out.anchor(name); err != nil {
			return err
		}
	}
	return out.end()
}

// listFolder answers a folder GET with a simple HTML page of plain anchors whose text equals
// the href, the form other Artifactory-compatible instances parse (listRemoteFolderItems),
// written as it is read from the store; limit and after select a page (listing.go), and "../"
// heads only the first.
func (a *API) listFolder(w http.ResponseWriter, r *http.Request, rep repo.Repository, rp repoPath) error {
	if !rp.Slash && r.Method == http.MethodGet {
		http.Redirect(w, r, r.URL.EscapedPath()+"/", http.StatusFound)
		return nil
	}
	q := query(r)
	limit, after, err := pageParams(q)
	if err != nil {
		return err
	}
	l, err := newListing(r.Context(), rep, rp.Path, meta.ListOptions{}, after, limit)
	if err != nil {
		return err
	}
	l.linkNext(w, r, a.baseURL(r))
	out, err := startListing(w, r, rp.Repo+"/"+rp.Path)
	if err != nil || out == nil {
		return err
	}
	if rp.Path != "" && after == "" {
		if err := out.anchor("../"); err != nil {
			return err
		}
	}
	err = l.each(func(c arca.Item) error {
		name := c.Name()
		if c.Folder {
			name += "/"
		}
		return out.anchor(name)
	})
	if err != nil {
		return err
	}
	return out.end()
}

// htmlListing writes an HTML index a line at a time, buffered.
type htmlListing struct {
	w *bufio.Writer
}

// startListing writes the headers and the page's head; for a HEAD request it returns nil.
func startListing(w http.ResponseWriter, r *http.Request, title string) (*htmlListing, error) {
	title = html.EscapeString(title)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil, nil
	}
	out := &htmlListing{w: bufio.NewWriterSize(w, 32<<10)}
	_, err := fmt.Fprintf(out.w, "<!DOCTYPE html>\n<html>\n<head><title>Index of %s</title></head>\n<body>\n<h1>Index of %s</h1>\n<pre>", title, title)
	return out, err
}

// anchor writes one entry whose text equals its href.
func (h *htmlListing) anchor(name string) error {
	_, err := fmt.Fprintf(h.w, "<a href=\"%s\">%s</a>\n", html.EscapeString(escapePath(name)), html.EscapeString(name))
	return err
}

// end closes the page and flushes it.
func (h *htmlListing) end() error {
	if _, err := h.w.WriteString("</pre>\n</body>\n</html>\n"); err != nil {
		return err
	}
	return h.w.Flush()
}

// Deploy handles PUT /artifactory/{repo}/{path}[;props]: a file (body, or by checksum with
// X-Checksum-Deploy), or a folder when the path ends in "/".
func (a *API) Deploy(w http.ResponseWriter, r *http.Request) error {
	rep, rp, err := a.resolve(r, artifactsPrefix, auth.Deploy)
	if err != nil {
		return err
	}
	by := PrincipalFrom(r.Context()).Name
	base := a.baseURL(r)
	if rp.Slash {
		it, err := rep.MakeFolder(r.Context(), rp.Path, by)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, folderInfo(base, it, nil))
	}
	want, err := declaredChecksums(r.Header)
	if err != nil {
		return err
	}
	byChecksum := strings.EqualFold(r.Header.Get("X-Checksum-Deploy"), "true")
	it, err := rep.Put(r.Context(), rp.Path, r.Body, repo.PutOptions{
		Props: rp.Matrix, Want: want, ByChecksum: byChecksum, By: by,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, deployInfo(base, it))
}

// declaredChecksums reads X-Checksum-Sha1, -Md5, -Sha256 and X-Checksum (a sha256). Malformed
// values are arca.ErrInvalid.
func declaredChecksums(h http.Header) (arca.Checksums, error) {
	c := arca.Checksums{
		SHA1:   strings.ToLower(strings.TrimSpace(h.Get("X-Checksum-Sha1"))),
		MD5:    strings.ToLower(strings.TrimSpace(h.Get("X-Checksum-Md5"))),
		SHA256: strings.ToLower(strings.TrimSpace(h.Get("X-Checksum-Sha256"))),
	}
	if s := strings.ToLower(strings.TrimSpace(h.Get("X-Checksum"))); s != "" {
		if c.SHA256 != "" && c.SHA256 != s {
			return c, arca.Errorf(arca.ErrInvalid, "X-Checksum and X-Checksum-Sha256 disagree")
		}
		c.SHA256 = s
	}
	for _, f := range []struct {
		name, v string
		n       int
	}{{"X-Checksum-Sha1", c.SHA1, 40}, {"X-Checksum-Md5", c.MD5, 32}, {"X-Checksum-Sha256", c.SHA256, 64}} {
		if f.v != "" && !isHex(f.v, f.n) {
			return c, arca.Errorf(arca.ErrInvalid, "%s: %q is not a %d-digit hex checksum", f.name, f.v, f.n)
		}
	}
	return c, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// DeleteItem handles DELETE /artifactory/{repo}/{path}: the item and its subtree; 204.
func (a *API) DeleteItem(w http.ResponseWriter, r *http.Request) error {
	rep, rp, err := a.resolve(r, artifactsPrefix, auth.Delete)
	if err != nil {
		return err
	}
	if err := rep.Delete(r.Context(), rp.Path); err != nil {
		return err
	}
	a.audited(r, "item.delete", rep.Config().Key()+"/"+rp.Path, "")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
