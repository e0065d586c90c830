package server

import (
	"net/http"
	"strings"
)

// routeClass names the kind of a request for the metrics, from its path and method, with the
// repository key it addresses ("" when none): "download", "deploy" and "delete" for a
// repository path, "<api>" for /artifactory/api/<api>/… (the package APIs take the repository
// from the next segment), "ui" and "other" for the rest. The set is small and fixed, so the
// labels made from it stay few.
func routeClass(method, path string) (class, repo string) {
	rest, ok := strings.CutPrefix(path, "/artifactory/")
	if !ok {
		return "other", ""
	}
	seg, tail, _ := strings.Cut(rest, "/")
	if seg != "api" {
		switch method {
		case http.MethodGet, http.MethodHead:
			return "download", seg
		case http.MethodPut, http.MethodPost:
			return "deploy", seg
		case http.MethodDelete:
			return "delete", seg
		}
		return "other", seg
	}
	api, tail, _ := strings.Cut(tail, "/")
	switch api {
	case "npm", "maven", "pypi", "go", "docker", "helm", "generic":
		key, _, _ := strings.Cut(tail, "/")
		return api, key
	case "storage":
		key, _, _ := strings.Cut(tail, "/")
		return "storage", key
	case "system", "security", "repositories", "search", "v1", "v2":
		return api, ""
	}
	return "api", ""
}
