package restapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"arca"
	"arca/internal/auth"
	"arca/internal/format/npm"
	"arca/internal/repo"
)

// The npm registry protocol of npm repositories, at /artifactory/api/npm/{repo}/ as in
// Artifactory. Reference: https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md, and
// ../shared/docs/CLIENTS.md §2 for the requests npm 11, pnpm, yarn 4 and bun send.

// maxPackument bounds a packument read into memory (the largest public ones are ~100 MB
// with every readme; Arca's own are far smaller).
const maxPackument = 256 << 20

// NPMState is what the npm handlers keep between requests: a lock per package, so that the
// read-modify-write of a packument by publishes, dist-tag and deprecate requests never loses
// an update, and the rendered packuments (tarball URLs rewritten for the repository asked),
// so that a hot package costs no JSON work. Create it with NewNPMState.
//
// The locks serialize writers within one process; nodes sharing a database would need a lock
// in the database.
type NPMState struct {
	mu    sync.Mutex
	locks map[string]*pkgLock

	rendered renderCache
}

type pkgLock struct {
	sync.Mutex
	users int
}

// NewNPMState returns an empty NPMState whose cache of rendered packuments holds up to
// cacheBytes.
func NewNPMState(cacheBytes int) *NPMState {
	return &NPMState{locks: map[string]*pkgLock{}, rendered: renderCache{max: cacheBytes, entries: map[string]rendered{}}}
}

// lock takes the lock of repoKey's package name and returns its release.
func (s *NPMState) lock(repoKey, name string) func() {
	k := strings.ToLower(repoKey) + "\x00" + name
	s.mu.Lock()
	l := s.locks[k]
	if l == nil {
		l = &pkgLock{}
		s.locks[k] = l
	}
	l.users++
	s.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		s.mu.Lock()
		if l.users--; l.users == 0 {
			delete(s.locks, k)
		}
		s.mu.Unlock()
	}
}

// NPM serves every request under /api/npm/{repo}/. npm's endpoints are told apart by their
// paths ("-/…" are the registry's own; anything else starts with a package name, which for
// a scope holds a slash, sent as "%2f"), so the package API parses its sub-path itself behind
// one route.
func (a *API) NPM(w http.ResponseWriter, r *http.Request) error {
	key, rest := r.PathValue("repo"), r.PathValue("path")
	rep, err := a.Repos.Get(key)
	if err != nil {
		return err
	}
	key = rep.Config().Key()
	if rep.Config().PackageType() != "npm" {
		return arca.Errorf(arca.ErrInvalid, "repository '%s' is not an npm repository (package type %s)", key, rep.Config().PackageType())
	}
	if special, ok := strings.CutPrefix(rest, "-/"); ok {
		return a.npmSpecial(w, r, rep, special)
	}
	name := npm.PackageOf(rest)
	if !npm.NameOK(name) {
		return arca.Errorf(arca.ErrNotFound, "not found: '%s'", rest)
	}
	sub := strings.TrimPrefix(rest[len(name):], "/")
	switch {
	case sub == "" || strings.HasPrefix(sub, "-rev/"):
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if sub != "" {
				break
			}
			return a.npmPackument(w, r, rep, name)
		case http.MethodPut:
			return a.npmPut(w, r, rep, name)
		case http.MethodDelete:
			return a.npmDeletePackage(w, r, rep, name)
		}
	case strings.HasPrefix(sub, "-/"):
		// "-/x-1.0.0.tgz", Artifactory's scoped form "-/@s/x-1.0.0.tgz", and, for a delete,
		// a trailing "/-rev/REV".
		file, _, _ := strings.Cut(strings.TrimPrefix(sub, "-/"), "/-rev/")
		file = path.Base(file)
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if err := a.authorize(r, auth.Read, key, name); err != nil {
				return err
			}
			return a.serveItem(w, r, rep, repoPath{Repo: key, Path: npm.TarballPath(name, file)})
		case http.MethodDelete:
			return a.npmDeleteTarball(w, r, rep, name, file)
		}
	case !strings.Contains(sub, "/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return a.npmVersion(w, r, rep, name, sub)
	}
	return arca.Errorf(arca.ErrNotAllowed, "%s is not supported on '%s'", r.Method, rest)
}

// npmSpecial serves the registry's own endpoints ("-/…").
func (a *API) npmSpecial(w http.ResponseWriter, r *http.Request, rep repo.Repository, p string) error {
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case p == "ping" && get:
		return writeJSON(w, http.StatusOK, struct{}{})
	case p == "whoami" && get:
		return a.npmWhoami(w, r)
	case p == "v1/search" && get:
		return a.npmSearch(w, r, rep)
	case p == "npm/v1/security/advisories/bulk" && r.Method == http.MethodPost,
		p == "npm/v1/security/audits/quick" && r.Method == http.MethodPost:
		return a.npmAudit(w, r, rep, p)
	case strings.HasPrefix(p, "user/org.couchdb.user:"):
		return a.npmUser(w, r, strings.TrimPrefix(p, "user/org.couchdb.user:"))
	case strings.HasPrefix(p, "package/"):
		return a.npmDistTags(w, r, rep, strings.TrimPrefix(p, "package/"))
	}
	// Includes POST /-/v1/login: a 404 makes npm fall back to the username/password login.
	return arca.Errorf(arca.ErrNotFound, "npm endpoint '-/%s' is not supported", p)
}

// npmDoc reads a package's stored (local), cached or fetched (remote) or merged (virtual)
// packument. A missing package is arca.ErrNotFound.
func npmDoc(r *http.Request, rep repo.Repository, name string) (arca.Item, []byte, error) {
	it, f, err := rep.Open(r.Context(), npm.DocPath(name))
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

// npmPackument serves GET /{name}: the packument with tarball URLs through this repository,
// abbreviated when the client asks for application/vnd.npm.install-v1+json (and not for a
// write: npm's ?write=true reads want the full document and its _rev). ETag and
// Last-Modified make it revalidatable (yarn sends If-None-Match).
func (a *API) npmPackument(w http.ResponseWriter, r *http.Request, rep repo.Repository, name string) error {
	key := rep.Config().Key()
	if err := a.authorize(r, auth.Read, key, npm.DocPath(name)); err != nil {
		return err
	}
	it, f, err := rep.Open(r.Context(), npm.DocPath(name))
	if errors.Is(err, arca.ErrNotFound) || (err == nil && f == nil) {
		return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, key)
	}
	if err != nil {
		return err
	}
	abbreviated := strings.Contains(r.Header.Get("Accept"), npm.AbbreviatedType) && r.URL.Query().Get("write") != "true"
	base := a.baseURL(r) + "/api/npm/" + key
	ck := renderKey(key, name, base, abbreviated)
	out, ok := a.NPMState.rendered.get(ck, it.Checksums.SHA1)
	if ok {
		f.Close()
	} else {
		doc, err := readPackument(f, name)
		if err != nil {
			return err
		}
		body, err := npm.Render(doc, base, npm.Rev(doc), abbreviated)
		if err != nil {
			return err
		}
		sum := sha1.Sum(body)
		out = rendered{source: it.Checksums.SHA1, body: body, etag: hex.EncodeToString(sum[:])}
		a.NPMState.rendered.put(ck, out)
	}
	gz := acceptsGzip(r) && len(out.body) > minGzip
	if gz && out.gz == nil {
		out.gz = gzipped(out.body)
		a.NPMState.rendered.put(ck, out)
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
		h.Set("Content-Type", npm.AbbreviatedType)
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

// npmVersion serves GET /{name}/{version|tag}: one version's manifest.
func (a *API) npmVersion(w http.ResponseWriter, r *http.Request, rep repo.Repository, name, want string) error {
	if err := a.authorize(r, auth.Read, rep.Config().Key(), npm.DocPath(name)); err != nil {
		return err
	}
	_, doc, err := npmDoc(r, rep, name)
	if err != nil {
		return err
	}
	m, err := npm.RenderVersion(doc, a.baseURL(r)+"/api/npm/"+rep.Config().Key(), want)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(m)
	return err
}

// rendered is a packument as served.
type rendered struct {
	source string // SHA-1 of the document it was rendered from
	body   []byte
	gz     []byte // body gzip-compressed, once a client asked for it
	etag   string // hex SHA-1 of body
}

// renderCache keeps rendered packuments up to max bytes; when full, arbitrary entries go.
type renderCache struct {
	mu      sync.Mutex
	max     int
	size    int
	entries map[string]rendered
}

func renderKey(repoKey, name, base string, abbreviated bool) string {
	return strings.ToLower(repoKey) + "\x00" + name + "\x00" + base + "\x00" + strconv.FormatBool(abbreviated)
}

// get returns the entry for k when it was rendered from the document whose SHA-1 is source.
func (c *renderCache) get(k, source string) (rendered, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	return e, ok && e.source == source
}

func (c *renderCache) put(k string, e rendered) {
	if len(e.body)+len(e.gz) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok {
		c.size -= len(old.body) + len(old.gz)
		delete(c.entries, k)
	}
	for k2, old := range c.entries {
		if c.size+len(e.body)+len(e.gz) <= c.max {
			break
		}
		delete(c.entries, k2)
		c.size -= len(old.body) + len(old.gz)
	}
	c.entries[k] = e
	c.size += len(e.body) + len(e.gz)
}
