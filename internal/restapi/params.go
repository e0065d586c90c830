package restapi

import (
	"net/http"
	"net/url"
	"strings"

	"arca"
)

// repoPath is a request for an item: /artifactory/{repo}/{path}[;matrix] or
// /artifactory/api/<something>/{repo}/{path}.
type repoPath struct {
	Repo   string
	Path   string // cleaned; "" for the repository root
	Matrix arca.Properties
	// Slash reports a trailing "/" (a folder, for deploy and listing).
	Slash bool
}

// parseRepoPath splits the escaped URL path after prefix into repository, path and matrix
// parameters. The path is percent-decoded exactly once, after the matrix parameters were cut
// off (their values are query-escaped: "+" is a space), then cleaned.
func parseRepoPath(r *http.Request, prefix string) (repoPath, error) {
	raw := r.URL.EscapedPath()
	if !strings.HasPrefix(raw, prefix) {
		return repoPath{}, arca.Errorf(arca.ErrNotFound, "no such resource")
	}
	raw = raw[len(prefix):]
	var rp repoPath
	if i := strings.IndexByte(raw, ';'); i >= 0 {
		m, err := ParseMatrix(raw[i+1:])
		if err != nil {
			return repoPath{}, err
		}
		rp.Matrix, raw = m, raw[:i]
	}
	rp.Slash = strings.HasSuffix(raw, "/")
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return repoPath{}, arca.Errorf(arca.ErrInvalid, "malformed path: %v", err)
	}
	repoKey, rest, _ := strings.Cut(strings.TrimLeft(dec, "/"), "/")
	if repoKey == "" {
		return repoPath{}, arca.Errorf(arca.ErrNotFound, "no repository in path")
	}
	p, err := arca.CleanPath(rest)
	if err != nil {
		return repoPath{}, err
	}
	rp.Repo, rp.Path = repoKey, p
	if p == "" {
		rp.Slash = true
	}
	return rp, nil
}

// ParseMatrix parses matrix parameters ("k=v;k=v2;k2") as JFrog's clients send them:
// query-escaped keys and values ("+" is a space), ";" between pairs, a repeated key adds a
// value, a pair without "=" is a key with an empty value.
func ParseMatrix(s string) (arca.Properties, error) {
	props := arca.Properties{}
	for pair := range strings.SplitSeq(s, ";") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, arca.Errorf(arca.ErrInvalid, "malformed matrix parameter %q: %v", pair, err)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, arca.Errorf(arca.ErrInvalid, "malformed matrix parameter %q: %v", pair, err)
		}
		if key == "" {
			return nil, arca.Errorf(arca.ErrInvalid, "matrix parameter %q has an empty key", pair)
		}
		props[key] = append(props[key], val)
	}
	return props, nil
}

// ParseProperties parses the (already percent-decoded) value of a "properties=" parameter:
// pairs separated by an unescaped ";" or "|", key and values split at the first "=", values
// separated by an unescaped ",", and "\," (likewise "\;", "\|", "\\") a literal character.
// Setting a key replaces all its values.
func ParseProperties(s string) (arca.Properties, error) {
	props := arca.Properties{}
	for _, pair := range splitEscaped(s, ";|") {
		if pair == "" {
			continue
		}
		k, v, _ := cutUnescaped(pair, '=')
		key := unescapeProp(k)
		if strings.TrimSpace(key) == "" {
			return nil, arca.Errorf(arca.ErrInvalid, "property %q has an empty key", pair)
		}
		var vals []string
		for _, part := range splitEscaped(v, ",") {
			vals = append(vals, unescapeProp(part))
		}
		props[key] = vals
	}
	if len(props) == 0 {
		return nil, arca.Errorf(arca.ErrInvalid, "no properties given")
	}
	return props, nil
}

// ParsePropertyKeys parses a comma-separated list of property keys (for GET and DELETE).
func ParsePropertyKeys(s string) []string {
	var keys []string
	for _, k := range splitEscaped(s, ",") {
		if k = unescapeProp(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// splitEscaped splits s at every separator byte in seps that is not escaped by a backslash.
// Escapes are kept for unescapeProp.
func splitEscaped(s, seps string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case strings.IndexByte(seps, s[i]) >= 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// cutUnescaped is strings.Cut at the first unescaped sep.
func cutUnescaped(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// unescapeProp removes backslash escapes.
func unescapeProp(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// query parses a raw query string without dropping pairs that contain ";" (net/url's parser
// skips those, and the properties parameter is made of them). Later values of a key are kept.
func query(r *http.Request) url.Values {
	v := url.Values{}
	for pair := range strings.SplitSeq(r.URL.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil {
			key, value = k, val
		}
		v[key] = append(v[key], value)
	}
	return v
}

// flag reads a boolean query parameter as Artifactory does: present with "", "1" or "true".
func flag(q url.Values, name string) bool {
	vs, ok := q[name]
	if !ok {
		return false
	}
	v := strings.ToLower(vs[0])
	return v == "" || v == "1" || v == "true"
}
