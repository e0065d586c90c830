package restapi

import (
	"net/http"
	"net/url"
	"strings"
)

// baseURL is the externally visible URL of /artifactory: the configured base URL, else the
// request's X-Forwarded-Proto/X-Forwarded-Host (or Host), so URLs handed to clients
// (downloadUri, storage URIs, npm tarballs later) work behind a reverse proxy.
func (a *API) baseURL(r *http.Request) string {
	if a.BaseURL != "" {
		return strings.TrimSuffix(a.BaseURL, "/") + "/artifactory"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host, _, _ = strings.Cut(h, ",")
		host = strings.TrimSpace(host)
	}
	return scheme + "://" + host + "/artifactory"
}

// escapePath percent-escapes each segment of a repository path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// itemURL is base + "/" + repo + "/" + path, escaped ("" path: the repository itself).
func itemURL(base, repoKey, p string) string {
	u := base + "/" + url.PathEscape(repoKey)
	if p != "" {
		u += "/" + escapePath(p)
	}
	return u
}

// storageURL is the storage API URI of an item.
func storageURL(base, repoKey, p string) string {
	return itemURL(base+"/api/storage", repoKey, p)
}
