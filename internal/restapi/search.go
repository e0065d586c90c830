package restapi

import (
	"net/http"
	"strings"

	"arca"
	"arca/internal/aql"
	"arca/internal/meta"
)

// The classic search endpoints are answered by building an AQL query, so one engine serves all
// of them.

// SearchArtifact handles GET /api/search/artifact?name=&repos=: files whose name matches, the
// name wrapped as *name* unless it carries a wildcard at either end.
func (a *API) SearchArtifact(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name := q.Get("name")
	if strings.Trim(name, "*?") == "" {
		return arca.Errorf(arca.ErrInvalid, "the name parameter is required and must not be only wildcards")
	}
	if !strings.HasPrefix(name, "*") && !strings.HasSuffix(name, "*") {
		name = "*" + name + "*"
	}
	crit := aql.And{&aql.Cmp{Field: "name", Op: aql.Match, Value: name}}
	return a.classicSearch(w, r, crit, q.Get("repos"))
}

// SearchChecksum handles GET /api/search/checksum?md5=|sha1=|sha256=&repos=.
func (a *API) SearchChecksum(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var crit aql.And
	for _, c := range []struct{ param, field string }{{"md5", "actual_md5"}, {"sha1", "actual_sha1"}, {"sha256", "sha256"}} {
		if v := q.Get(c.param); v != "" {
			crit = append(crit, &aql.Cmp{Field: c.field, Op: aql.Eq, Value: strings.ToLower(v)})
		}
	}
	if len(crit) == 0 {
		return arca.Errorf(arca.ErrInvalid, "one of md5, sha1 or sha256 is required")
	}
	return a.classicSearch(w, r, crit, q.Get("repos"))
}

// SearchProp handles GET /api/search/prop?k1=v1,v2&k2=v3&repos=: every key must match one of
// its values.
func (a *API) SearchProp(w http.ResponseWriter, r *http.Request) error {
	var crit aql.And
	for k, vs := range r.URL.Query() {
		if k == "repos" {
			continue
		}
		var or aql.Or
		for _, v := range vs {
			for _, one := range splitEscaped(v, ",") {
				or = append(or, &aql.Cmp{Field: "@" + k, Op: aql.Eq, Value: unescapeProp(one)})
			}
		}
		crit = append(crit, or)
	}
	if len(crit) == 0 {
		return arca.Errorf(arca.ErrInvalid, "at least one property is required")
	}
	return a.classicSearch(w, r, crit, r.URL.Query().Get("repos"))
}

// SearchGAVC handles GET /api/search/gavc?g=&a=&v=&c=&repos= over the layout of the format that
// answers coordinate searches (Maven's).
func (a *API) SearchGAVC(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	g, art, v, c := q.Get("g"), q.Get("a"), q.Get("v"), q.Get("c")
	if g == "" && art == "" && v == "" && c == "" {
		return arca.Errorf(arca.ErrInvalid, "at least one of g, a, v or c is required")
	}
	cs, ok := a.Formats.CoordinateSearcher()
	if !ok {
		return arca.Errorf(arca.ErrNotFound, "no registered format answers GAVC searches")
	}
	path, name := cs.CoordinatePatterns(g, art, v, c)
	crit := aql.And{
		&aql.Cmp{Field: "path", Op: aql.Match, Value: path},
		&aql.Cmp{Field: "name", Op: aql.Match, Value: name},
	}
	for _, ext := range []string{"*.sha1", "*.md5", "*.sha256", "*.sha512", "*.asc"} {
		crit = append(crit, &aql.Cmp{Field: "name", Op: aql.NMatch, Value: ext})
	}
	return a.classicSearch(w, r, crit, q.Get("repos"))
}

// classicSearch runs crit over the given repositories (comma-separated, "" for all) and writes
// {"results":[{"uri":…}]}, or full info objects when X-Result-Detail asks for them.
func (a *API) classicSearch(w http.ResponseWriter, r *http.Request, crit aql.And, repos string) error {
	if PrincipalFrom(r.Context()).Anonymous && !a.canRead(r, "", "") {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	if repos != "" {
		var or aql.Or
		for _, k := range strings.Split(repos, ",") {
			if k = strings.TrimSpace(k); k != "" {
				or = append(or, &aql.Cmp{Field: "repo", Op: aql.Eq, Value: k})
			}
		}
		crit = append(crit, or)
	}
	detail := strings.ToLower(r.Header.Get("X-Result-Detail"))
	withProps := strings.Contains(detail, "properties")
	q := &aql.Query{Criteria: crit, Type: "file", Limit: -1}
	// A virtual named in repos searches what it reaches, as in AQL.
	scope := a.expandVirtuals(r.Context(), q)
	rows, err := a.Meta.Search(r.Context(), q, withProps, false)
	if err != nil {
		return err
	}
	base := a.baseURL(r)
	results := []any{}
	for _, row := range rows {
		if !a.canRead(r, row.Item.Repo, row.Item.Path) {
			continue
		}
		if scope != nil {
			if _, keep := scope.virtualsOf(row); !keep {
				continue
			}
		}
		results = append(results, a.searchResult(base, row, detail, withProps))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (a *API) searchResult(base string, row meta.Row, detail string, withProps bool) any {
	uri := storageURL(base, row.Item.Repo, row.Item.Path)
	if !strings.Contains(detail, "info") && !withProps {
		return map[string]string{"uri": uri}
	}
	out := map[string]any{"uri": uri}
	if strings.Contains(detail, "info") {
		fi := fileInfo(base, row.Item)
		out = map[string]any{
			"uri": fi.URI, "downloadUri": fi.DownloadURI, "repo": fi.Repo, "path": fi.Path,
			"created": fi.Created, "createdBy": fi.CreatedBy, "lastModified": fi.LastModified,
			"modifiedBy": fi.ModifiedBy, "lastUpdated": fi.LastUpdated, "size": fi.Size,
			"mimeType": fi.MimeType, "checksums": fi.Checksums, "originalChecksums": fi.OriginalChecksums,
		}
	}
	if withProps {
		out["properties"] = row.Props
	}
	return out
}
