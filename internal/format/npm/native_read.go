package npm

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"arca"
	"arca/internal/format"
	"arca/internal/lru"
)

// maxPackument bounds a packument read into memory (the largest public ones are ~100 MB
// with every readme; Arca's own are far smaller).
const maxPackument = 256 << 20

// readDoc reads a package's stored (local), cached or fetched (remote) or merged (virtual)
// packument. A missing package is arca.ErrNotFound.
func readDoc(r *http.Request, rep format.Repository, name string) (arca.Item, []byte, error) {
	it, f, err := rep.Open(r.Context(), DocPath(name))
	if err != nil {
		return arca.Item{}, nil, err
	}
	if f == nil {
		return arca.Item{}, nil, arca.Errorf(arca.ErrNotFound, "package '%s' not found", name)
	}
	doc, err := readPackument(f, name)
	return it, doc, err
}

// readPackument reads and closes a packument's file, refusing one over maxPackument.
func readPackument(f io.ReadCloser, name string) ([]byte, error) {
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, maxPackument+1))
	if err != nil {
		return nil, err
	}
	if len(doc) > maxPackument {
		return nil, arca.Errorf(arca.ErrInvalid, "the package document of '%s' is larger than %d bytes", name, maxPackument)
	}
	return doc, nil
}

// packument serves GET /{name}: the packument with tarball URLs through this repository,
// abbreviated when the client asks for application/vnd.npm.install-v1+json (and not for a
// write: npm's ?write=true reads want the full document and its _rev). ETag and
// Last-Modified make it revalidatable (yarn sends If-None-Match).
func (c call) packument(w http.ResponseWriter, r *http.Request, rep format.Repository, name string) error {
	key := rep.Key()
	if err := c.h.Authorize(r, format.Read, key, DocPath(name)); err != nil {
		return err
	}
	ctx, note := format.WithGuardNote(r.Context())
	it, f, err := rep.Open(ctx, DocPath(name))
	note.SetHeader(w.Header())
	if errors.Is(err, arca.ErrNotFound) || (err == nil && f == nil) {
		return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, key)
	}
	if err != nil {
		return err
	}
	abbreviated := strings.Contains(r.Header.Get("Accept"), AbbreviatedType) && r.URL.Query().Get("write") != "true"
	base := c.h.BaseURL(r) + "/api/npm/" + key
	ck := renderKey(key, name, base, abbreviated)
	out, ok := c.rendered.get(ck, it.Checksums.SHA1)
	if ok {
		f.Close()
	} else {
		doc, err := readPackument(f, name)
		if err != nil {
			return err
		}
		body, err := c.render(doc, it.Checksums.SHA256, base, revOf(it, doc), abbreviated)
		if err != nil {
			return err
		}
		sum := sha1.Sum(body)
		out = rendered{source: it.Checksums.SHA1, body: body, etag: hex.EncodeToString(sum[:])}
		c.rendered.put(ck, out)
	}
	gz := acceptsGzip(r) && len(out.body) > minGzip
	if gz && out.gz == nil {
		out.gz = gzipped(out.body)
		c.rendered.put(ck, out)
	}
	h := w.Header()
	body, etag := out.body, `"`+out.etag+`"`
	if gz {
		body, etag = out.gz, `"`+out.etag+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	h.Set("Last-Modified", it.Modified.UTC().Format(http.TimeFormat))
	h.Set("Vary", "Accept, Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	if notModified(r, out.etag, it.Modified) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if abbreviated {
		h.Set("Content-Type", AbbreviatedType)
	} else {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// revOf is Rev(doc), from the item's SHA-1 when it has one (the SHA-1 of doc).
func revOf(it arca.Item, doc []byte) string {
	if len(it.Checksums.SHA1) >= 16 && it.Size == int64(len(doc)) {
		return "1-" + it.Checksums.SHA1[:16]
	}
	return Rev(doc)
}

// notModified reports a conditional request the client's copy satisfies: If-None-Match naming
// the rendering (either encoding), else If-Modified-Since not before the document's time (what
// a remote repository on another instance sends when it revalidates).
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if match := r.Header.Get("If-None-Match"); match != "" {
		return strings.Contains(match, etag)
	}
	since, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.Truncate(time.Second).After(since)
}

// minGzip is the size below which packuments are sent uncompressed (one packet anyway).
const minGzip = 1400

// acceptsGzip reports a client that takes gzip-encoded bodies (npm, pnpm, yarn and bun all do):
// "gzip" in Accept-Encoding with no q=0.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			f, err := strconv.ParseFloat(q, 64)
			return err == nil && f > 0
		}
		return true
	}
	return false
}

// gzipped compresses b (rendered packuments compress about tenfold; done once per render).
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	_, _ = zw.Write(b) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return buf.Bytes()
}

// version serves GET /{name}/{version|tag}: one version's manifest.
func (c call) version(w http.ResponseWriter, r *http.Request, rep format.Repository, name, want string) error {
	if err := c.h.Authorize(r, format.Read, rep.Key(), DocPath(name)); err != nil {
		return err
	}
	_, doc, err := readDoc(r, rep, name)
	if err != nil {
		return err
	}
	m, err := RenderVersion(doc, c.h.BaseURL(r)+"/api/npm/"+rep.Key(), want)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(m)
	return err
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return encodeJSON(w, v)
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// decodeJSON decodes a small request body (at most 16 MiB) into v, as arca.ErrInvalid on
// malformed input.
func decodeJSON(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(v); err != nil {
		return arca.Errorf(arca.ErrInvalid, "malformed JSON body: %v", err)
	}
	return nil
}

// rendered is a packument as served.
type rendered struct {
	source string // SHA-1 of the document it was rendered from
	body   []byte
	gz     []byte // body gzip-compressed, once a client asked for it
	etag   string // hex SHA-1 of body
}

// renderCache keeps rendered packuments up to max bytes (body and gzip together), least
// recently served out first. A rendering larger than a quarter of the budget is not kept, so
// one huge package cannot flush every other one.
type renderCache struct {
	max     int
	entries *lru.Cache[string, rendered]
}

func newRenderCache(max int) renderCache {
	return renderCache{max: max, entries: lru.New(lru.Options[string, rendered]{MaxCost: int64(max),
		Cost: func(_ string, e rendered) int64 { return int64(len(e.body) + len(e.gz)) }})}
}

func renderKey(repoKey, name, base string, abbreviated bool) string {
	return strings.ToLower(repoKey) + "\x00" + name + "\x00" + base + "\x00" + strconv.FormatBool(abbreviated)
}

// get returns the entry for k when it was rendered from the document whose SHA-1 is source.
func (c renderCache) get(k, source string) (rendered, bool) {
	e, ok := c.entries.Get(k)
	return e, ok && e.source == source
}

// put keeps e under k unless it is over a quarter of the budget.
func (c renderCache) put(k string, e rendered) {
	if len(e.body)+len(e.gz) > c.max/4 {
		return
	}
	c.entries.Put(k, e)
}
