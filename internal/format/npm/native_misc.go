package npm

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"arca"
	"arca/internal/format"
)

// whoami serves GET /-/whoami: the authenticated user's name.
func (c call) whoami(w http.ResponseWriter, r *http.Request) error {
	name, ok := c.h.User(r)
	if !ok {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	return writeJSON(w, http.StatusOK, map[string]string{"username": name})
}

// user serves npm's legacy (CouchDB) login: PUT /-/user/org.couchdb.user:{name} with the
// name and password in the body, or with Basic credentials, answers with a new access token
// that npm stores as _authToken. Arca does not create users this way: an unknown user or a
// wrong password is 401. GET tells an authenticated user their own document.
func (c call) user(w http.ResponseWriter, r *http.Request, name string) error {
	name, _, _ = strings.Cut(name, "/-rev/")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		me, ok := c.h.User(r)
		if !ok || !strings.EqualFold(me, name) {
			return arca.Errorf(arca.ErrNotFound, "user '%s' not found", name)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"_id": "org.couchdb.user:" + me, "name": me, "type": "user", "roles": []string{}})
	case http.MethodPut:
	default:
		return arca.Errorf(arca.ErrNotAllowed, "%s is not supported on users", r.Method)
	}
	var body struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.Name == "" {
		body.Name = name
	}
	if !strings.EqualFold(body.Name, name) {
		return arca.Errorf(arca.ErrInvalid, "the body names user '%s', the URL '%s'", body.Name, name)
	}
	var user string
	if body.Password != "" {
		var err error
		if user, err = c.h.Login(r.Context(), body.Name, body.Password); err != nil {
			return err
		}
	} else if me, ok := c.h.User(r); !ok || !strings.EqualFold(me, name) {
		return arca.Errorf(arca.ErrUnauthorized, "bad credentials for user '%s'", name)
	} else {
		user = me
	}
	token, err := c.h.IssueToken(r.Context(), user)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": "org.couchdb.user:" + user, "token": token})
}

// maxSearched bounds the packages one search reads.
const maxSearched = 20000

// search serves GET /-/v1/search?text=&size=&from=. Local repositories and virtual ones
// search the packages they store (locals and remote caches); a remote forwards the search to
// its upstream.
func (c call) search(w http.ResponseWriter, r *http.Request, rep format.Repository) error {
	key := rep.Key()
	if err := c.h.Authorize(r, format.Read, key, ""); err != nil {
		return err
	}
	q := r.URL.Query()
	size, from := queryInt(q, "size", 20, 250), queryInt(q, "from", 0, 1<<30)
	res, err := rep.Forward(r.Context(), http.MethodGet, "-/v1/search?"+r.URL.RawQuery, nil, nil)
	switch {
	case err == nil:
		defer res.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, err = io.Copy(w, res.Body)
		return err
	case !errors.Is(err, arca.ErrNotAllowed):
		return arca.Errorf(arca.ErrBadGateway, "%v", err)
	}
	items, err := rep.List(r.Context(), "", true)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	seen := map[string]bool{}
	var found []SearchResult
	for _, it := range items {
		name := PackageOf(it.Path)
		if it.Folder || seen[name] || (it.Path != DocPath(name) && it.Path != recordPath(name)) || len(seen) >= maxSearched {
			continue
		}
		seen[name] = true
		_, doc, err := readDoc(r, rep, name)
		if err != nil {
			continue // gone meanwhile, or a remote member failing: not a search error
		}
		if res, ok := Search(doc, q.Get("text")); ok {
			found = append(found, res)
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].SearchScore != found[j].SearchScore {
			return found[i].SearchScore > found[j].SearchScore
		}
		return found[i].Package.Name < found[j].Package.Name
	})
	total := len(found)
	found = found[min(from, total):min(from+size, total)]
	if found == nil {
		found = []SearchResult{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"objects": found, "total": total, "time": isoTime(c.h.Now())})
}

// queryInt reads a non-negative integer parameter, def when absent or malformed, at most max.
func queryInt(q url.Values, name string, def, max int) int {
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 0 {
		return def
	}
	return min(n, max)
}

// audit serves npm's audit endpoints (POST /-/npm/v1/security/advisories/bulk, and the
// older audits/quick). Arca has no advisory database of its own: packages of local
// repositories have no advisories ({}), a remote forwards the request to its upstream, and a
// virtual merges what its remote members' upstreams answer (the first member's advisories win
// per package).
func (c call) audit(w http.ResponseWriter, r *http.Request, rep format.Repository, p string) error {
	if err := c.h.Authorize(r, format.Read, rep.Key(), ""); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "reading the audit request: %v", err)
	}
	// A remote forwards to its upstream; a virtual asks every member that has an upstream of
	// its own; a local repository has none to ask.
	asked := rep.Members(r.Context())
	if asked == nil {
		asked = []format.Repository{rep}
	}
	header := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding"} {
		if v := r.Header.Get(k); v != "" {
			header.Set(k, v)
		}
	}
	merged, remotes, answered := map[string]json.RawMessage{}, 0, 0
	for _, rem := range asked {
		res, err := rem.Forward(r.Context(), http.MethodPost, "-/"+p, body, header)
		if errors.Is(err, arca.ErrNotAllowed) {
			continue // no upstream of its own
		}
		remotes++
		if err != nil {
			c.h.Log().Warn("npm audit: upstream failed", "repo", rem.Key(), "err", err)
			continue
		}
		var adv map[string]json.RawMessage
		err = json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&adv)
		res.Body.Close()
		if err != nil {
			c.h.Log().Warn("npm audit: malformed upstream answer", "repo", rem.Key(), "err", err)
			continue
		}
		answered++
		for k, v := range adv {
			if _, ok := merged[k]; !ok {
				merged[k] = v
			}
		}
	}
	if remotes > 0 && answered == 0 {
		// Saying "no advisories" when nobody could be asked would be a false all-clear.
		return arca.Errorf(arca.ErrBadGateway, "no upstream of '%s' answered the audit", rep.Key())
	}
	return writeJSON(w, http.StatusOK, merged)
}

// isoTime formats t as Artifactory does: ISO-8601 UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
