package npm

import (
	"context"
	"net/http"
	"path"
	"strings"

	"arca"
	"arca/internal/format"
	"arca/internal/lock"
)

// The npm registry protocol of npm repositories, at /artifactory/api/npm/{repo}/ as in
// Artifactory. Reference: https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md; the
// requests npm 11, pnpm, yarn 4 and bun send are exercised by the e2e tests (e2e/npm_*.go).

// Native is the npm format with its registry protocol. It takes a lock per package (its
// Locker: within the process by default, across the nodes sharing a database with UseLocker),
// so that the read-modify-write of a packument by publishes, dist-tag and deprecate requests
// never loses an update, and keeps the rendered packuments (tarball URLs rewritten for the
// repository asked), so that a hot package costs no JSON work. Create it with New.
type Native struct {
	Format

	locks lock.Locker

	rendered  renderCache
	assembled *assembledCache
	parsed    *parsedCache
	manifests *manifestCache
}

var (
	_ format.Native      = (*Native)(nil)
	_ format.ErrorWriter = (*Native)(nil)
)

// New returns the npm format whose cache of rendered packuments holds up to cacheBytes, and its
// caches of packuments assembled from records, of parsed packuments and of rendered manifests
// up to cacheBytes/2 each (in all at most 2.5 × cacheBytes).
func New(cacheBytes int) *Native {
	n := &Native{locks: &lock.Keyed{}, rendered: newRenderCache(cacheBytes), assembled: newAssembledCache(cacheBytes / 2)}
	n.parsed, n.manifests = newParsedCaches(cacheBytes / 2)
	return n
}

// UseLocker makes the package locks l's (a lock across the nodes of a cluster). Call it
// before serving.
func (n *Native) UseLocker(l lock.Locker) { n.locks = l }

// lock takes the lock of repoKey's package name and returns its release.
func (n *Native) lock(ctx context.Context, repoKey, name string) (func(), error) {
	return n.locks.Lock(ctx, "npm\x00"+strings.ToLower(repoKey)+"\x00"+name)
}

// call is one request's view of the protocol: the format's state and the server's services.
type call struct {
	*Native
	h format.Host
}

// by is the name the caller acts under (arca.Anonymous when unauthenticated).
func (c call) by(r *http.Request) string {
	if name, ok := c.h.User(r); ok {
		return name
	}
	return arca.Anonymous
}

// ServeNative implements format.Native: every request under /api/npm/{repo}/. npm's endpoints
// are told apart by their paths ("-/…" are the registry's own; anything else starts with a
// package name, which for a scope holds a slash, sent as "%2f"), so the sub-path is parsed here.
func (n *Native) ServeNative(w http.ResponseWriter, r *http.Request, h format.Host, rep format.Repository, rest string) error {
	c := call{n, h}
	if special, ok := strings.CutPrefix(rest, "-/"); ok {
		return c.special(w, r, rep, special)
	}
	name := PackageOf(rest)
	if !NameOK(name) {
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
			return c.packument(w, r, rep, name)
		case http.MethodPut:
			return c.put(w, r, rep, name)
		case http.MethodDelete:
			return c.deletePackage(w, r, rep, name)
		}
	case strings.HasPrefix(sub, "-/"):
		// "-/x-1.0.0.tgz", Artifactory's scoped form "-/@s/x-1.0.0.tgz", and, for a delete,
		// a trailing "/-rev/REV".
		file, _, _ := strings.Cut(strings.TrimPrefix(sub, "-/"), "/-rev/")
		file = path.Base(file)
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if err := h.Authorize(r, format.Read, rep.Key(), name); err != nil {
				return err
			}
			return h.ServeFile(w, r, rep, TarballPath(name, file))
		case http.MethodDelete:
			return c.deleteTarball(w, r, rep, name, file)
		}
	case !strings.Contains(sub, "/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return c.version(w, r, rep, name, sub)
	}
	return arca.Errorf(arca.ErrNotAllowed, "%s is not supported on '%s'", r.Method, rest)
}

// special serves the registry's own endpoints ("-/…").
func (c call) special(w http.ResponseWriter, r *http.Request, rep format.Repository, p string) error {
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case p == "ping" && get:
		return writeJSON(w, http.StatusOK, struct{}{})
	case p == "whoami" && get:
		return c.whoami(w, r)
	case p == "v1/search" && get:
		return c.search(w, r, rep)
	case p == "npm/v1/security/advisories/bulk" && r.Method == http.MethodPost,
		p == "npm/v1/security/audits/quick" && r.Method == http.MethodPost:
		return c.audit(w, r, rep, p)
	case strings.HasPrefix(p, "user/org.couchdb.user:"):
		return c.user(w, r, strings.TrimPrefix(p, "user/org.couchdb.user:"))
	case strings.HasPrefix(p, "package/"):
		return c.distTags(w, r, rep, strings.TrimPrefix(p, "package/"))
	}
	// Includes POST /-/v1/login: a 404 makes npm fall back to the username/password login.
	return arca.Errorf(arca.ErrNotFound, "npm endpoint '-/%s' is not supported", p)
}

// errorBody is Artifactory's error document with npm's "error" field, which npm prints.
type errorBody struct {
	Errors []errorEntry `json:"errors"`
	Error  string       `json:"error"`
}

type errorEntry struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// WriteError implements format.ErrorWriter: Artifactory's document (JFrog's tools read it)
// plus npm's "error" (npm prints it).
func (*Native) WriteError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_ = encodeJSON(w, errorBody{Errors: []errorEntry{{Status: status, Message: msg}}, Error: msg})
}
