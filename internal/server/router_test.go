package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The shortcut serves a request only when the mux would have chosen the download route for
// it, without a redirect; every other request reaches the mux.
func TestRouterShortcutAgreesWithMux(t *testing.T) {
	rt := newRouter()
	hit := ""
	for _, p := range []string{
		"GET /artifactory/api/system/ping", "GET /artifactory/api/storage/{path...}",
		"GET /artifactory/api/npm/{repo}/{path...}", "PUT /artifactory/api/npm/{repo}/{path...}",
		"GET /artifactory/{$}", downloadPattern, "PUT /artifactory/{path...}", "DELETE /artifactory/{path...}",
	} {
		rt.Handle(p, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = p }))
	}
	rt.check()
	cases := []struct {
		method, target string
		short          bool
	}{
		{"GET", "/artifactory/libs/a/b.jar", true},
		{"HEAD", "/artifactory/libs/a/b.jar", true},
		{"GET", "/artifactory/libs", true},
		{"GET", "/artifactory/libs/folder/", true},
		{"GET", "/artifactory/libs/with%20space/%C3%A9.txt", true},
		{"GET", "/artifactory/libs/with%20space/é.txt", false}, // not in canonical escaping: the mux decides
		{"GET", "/artifactory/libs/a;prop=1", true},
		{"GET", "/artifactory/apis/x", true},
		{"GET", "/artifactory/libs/...", true},
		{"PUT", "/artifactory/libs/a/b.jar", false},
		{"DELETE", "/artifactory/libs/a/b.jar", false},
		{"GET", "/artifactory/", false},
		{"GET", "/artifactory", false},
		{"GET", "/artifactory/api/system/ping", false},
		{"GET", "/artifactory/api/npm/r/x", false},
		{"GET", "/artifactory/api", false},
		{"GET", "/artifactory/ap%69/system/ping", false},
		{"GET", "/artifactory/libs/a%2Fb", false},
		{"GET", "/artifactory/libs//a", false},
		{"GET", "/artifactory//libs/a", false},
		{"GET", "/artifactory/libs/./a", false},
		{"GET", "/artifactory/libs/../api/system/ping", false},
		{"GET", "/artifactory/libs/a/..", false},
		{"GET", "/artifactory/libs/a/.", false},
		{"GET", "/artifactory/./libs/a", false},
		{"GET", "/other/x", false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		if got := plainDownload(r); got != tc.short {
			t.Errorf("%s %s: shortcut %v, want %v", tc.method, tc.target, got, tc.short)
		}
		if !tc.short {
			continue
		}
		// Where the shortcut is taken, the mux picks the same route and does not redirect.
		_, pattern := rt.mux.Handler(r)
		if pattern != downloadPattern {
			t.Errorf("%s %s: the mux chooses %q, the shortcut %q", tc.method, tc.target, pattern, downloadPattern)
		}
		hit = ""
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r)
		if hit != downloadPattern || w.Code != 200 {
			t.Errorf("%s %s: served by %q (status %d)", tc.method, tc.target, hit, w.Code)
		}
	}
}

func TestRouterCheckRefusesShadowedRoutes(t *testing.T) {
	for _, p := range []string{"GET /artifactory/{repo}/-/whoami", "GET /artifactory/special", "HEAD /artifactory/x/y", "GET example.com/artifactory/x"} {
		rt := newRouter()
		rt.Handle(downloadPattern, http.NotFoundHandler())
		rt.Handle(p, http.NotFoundHandler())
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(v.(string), "shadowed") {
					t.Errorf("route %q: check did not refuse it (%v)", p, v)
				}
			}()
			rt.check()
		}()
	}
}
