package server

import "testing"

func TestRouteClass(t *testing.T) {
	for _, tc := range []struct{ method, path, class, repo string }{
		{"GET", "/artifactory/libs-local/org/a.jar", "download", "libs-local"},
		{"HEAD", "/artifactory/libs-local/org/a.jar", "download", "libs-local"},
		{"PUT", "/artifactory/libs-local/org/a.jar", "deploy", "libs-local"},
		{"DELETE", "/artifactory/libs-local/org", "delete", "libs-local"},
		{"GET", "/artifactory/api/npm/npm-virtual/left-pad", "npm", "npm-virtual"},
		{"PUT", "/artifactory/api/npm/npm-local/@scope%2fpkg", "npm", "npm-local"},
		{"GET", "/artifactory/api/storage/libs-local/org?list", "storage", "libs-local"},
		{"POST", "/artifactory/api/search/aql", "search", ""},
		{"GET", "/artifactory/api/system/ping", "system", ""},
		{"GET", "/artifactory/api/unknown/x", "api", ""},
		{"GET", "/metrics", "other", ""},
	} {
		if c, r := routeClass(tc.method, tc.path); c != tc.class || r != tc.repo {
			t.Errorf("routeClass(%s %s) = %q, %q; want %q, %q", tc.method, tc.path, c, r, tc.class, tc.repo)
		}
	}
}
