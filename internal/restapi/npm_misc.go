package restapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"arca"
	"arca/internal/auth"
	"arca/internal/format/npm"
	"arca/internal/repo"
)

// npmWhoami serves GET /-/whoami: the authenticated user's name.
func (a *API) npmWhoami(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if p.Anonymous {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	return writeJSON(w, http.StatusOK, map[string]string{"username": p.Name})
}

// npmUser serves npm's legacy (CouchDB) login: PUT /-/user/org.couchdb.user:{name} with the
// name and password in the body, or with Basic credentials, answers with a new access token
// that npm stores as _authToken. Arca does not create users this way: an unknown user or a
// wrong password is 401. GET tells an authenticated user their own document.
func (a *API) npmUser(w http.ResponseWriter, r *http.Request, name string) error {
	name, _, _ = strings.Cut(name, "/-rev/")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p := PrincipalFrom(r.Context())
		if p.Anonymous || !strings.EqualFold(p.Name, name) {
			return arca.Errorf(arca.ErrNotFound, "user '%s' not found", name)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"_id": "org.couchdb.user:" + p.Name, "name": p.Name, "type": "user", "roles": []string{}})
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
	var p auth.Principal
	if body.Password != "" {
		var err error
		if p, err = a.Authn.Login(r.Context(), body.Name, body.Password); err != nil {
			return err
		}
	} else if p = PrincipalFrom(r.Context()); p.Anonymous || !strings.EqualFold(p.Name, name) {
		return arca.Errorf(arca.ErrUnauthorized, "bad credentials for user '%s'", name)
	}
	issued, err := a.Tokens.Issue(r.Context(), p.Name, "applied-permissions/user", 0, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": "org.couchdb.user:" + p.Name, "token": issued.AccessToken})
}

// npmMaxSearched bounds the packages one search reads.
const npmMaxSearched = 20000

// npmSearch serves GET /-/v1/search?text=&size=&from=. Local repositories and virtual ones
// search the packages they store (locals and remote caches); a remote forwards the search to
// its upstream.
func (a *API) npmSearch(w http.ResponseWriter, r *http.Request, rep repo.Repository) error {
	key := rep.Config().Key()
	if err := a.authorize(r, auth.Read, key, ""); err != nil {
		return err
	}
	q := r.URL.Query()
	size, from := queryInt(q, "size", 20, 250), queryInt(q, "from", 0, 1<<30)
	if rem, ok := rep.(*repo.Remote); ok {
		res, err := rem.Forward(r.Context(), http.MethodGet, "-/v1/search?"+r.URL.RawQuery, nil, nil)
		if err != nil {
			return arca.StatusErrorf(arca.ErrUnavailable, http.StatusBadGateway, "%v", err)
		}
		defer res.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, err = io.Copy(w, res.Body)
		return err
	}
	items, err := rep.List(r.Context(), "", true)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	seen := map[string]bool{}
	var found []npm.SearchResult
	for _, it := range items {
		name := npm.PackageOf(it.Path)
		if it.Folder || seen[name] || it.Path != npm.DocPath(name) || len(seen) >= npmMaxSearched {
			continue
		}
		seen[name] = true
		_, doc, err := npmDoc(r, rep, name)
		if err != nil {
			continue // gone meanwhile, or a remote member failing: not a search error
		}
		if res, ok := npm.Search(doc, q.Get("text")); ok {
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
		found = []npm.SearchResult{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"objects": found, "total": total, "time": isoTime(a.Now())})
}

// queryInt reads a non-negative integer parameter, def when absent or malformed, at most max.
func queryInt(q url.Values, name string, def, max int) int {
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 0 {
		return def
	}
	return min(n, max)
}

// npmAudit serves npm's audit endpoints (POST /-/npm/v1/security/advisories/bulk, and the
// older audits/quick). Arca has no advisory database of its own: packages of local
// repositories have no advisories ({}), a remote forwards the request to its upstream, and a
// virtual merges what its remote members' upstreams answer (the first member's advisories win
// per package).
func (a *API) npmAudit(w http.ResponseWriter, r *http.Request, rep repo.Repository, p string) error {
	if err := a.authorize(r, auth.Read, rep.Config().Key(), ""); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "reading the audit request: %v", err)
	}
	var remotes []*repo.Remote
	switch v := rep.(type) {
	case *repo.Remote:
		remotes = append(remotes, v)
	case *repo.Virtual:
		for _, m := range v.Resolution().Members {
			if m.Class != repo.ClassRemote {
				continue
			}
			if rem, err := a.Repos.Get(m.Key); err == nil {
				if rem, ok := rem.(*repo.Remote); ok {
					remotes = append(remotes, rem)
				}
			}
		}
	}
	header := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding"} {
		if v := r.Header.Get(k); v != "" {
			header.Set(k, v)
		}
	}
	merged, answered := map[string]json.RawMessage{}, 0
	for _, rem := range remotes {
		res, err := rem.Forward(r.Context(), http.MethodPost, "-/"+p, body, header)
		if err != nil {
			a.Log.Warn("npm audit: upstream failed", "repo", rem.Config().Key(), "err", err)
			continue
		}
		var adv map[string]json.RawMessage
		err = json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&adv)
		res.Body.Close()
		if err != nil {
			a.Log.Warn("npm audit: malformed upstream answer", "repo", rem.Config().Key(), "err", err)
			continue
		}
		answered++
		for k, v := range adv {
			if _, ok := merged[k]; !ok {
				merged[k] = v
			}
		}
	}
	if len(remotes) > 0 && answered == 0 {
		// Saying "no advisories" when nobody could be asked would be a false all-clear.
		return arca.StatusErrorf(arca.ErrUnavailable, http.StatusBadGateway, "no upstream of '%s' answered the audit", rep.Config().Key())
	}
	return writeJSON(w, http.StatusOK, merged)
}
