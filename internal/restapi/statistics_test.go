package restapi

import (
	"net/http/httptest"
	"testing"
)

func TestStatsOrigin(t *testing.T) {
	tests := []struct {
		name       string
		remoteAddr string
		header     map[string][]string
		want       string
	}{
		{"remote host", "10.1.2.3:5555", map[string][]string{"X-Forwarded-For": {"1.1.1.1"}}, "10.1.2.3"},
		{"ipv6 remote host", "[::1]:5555", nil, "::1"},
		{"remote address without port", "10.9.9.9", nil, "10.9.9.9"},
		{"forwarded for", "", map[string][]string{"X-Forwarded-For": {" 1.1.1.1 , 2.2.2.2"}, "X-Artifactory-Originated": {"a"}}, "1.1.1.1"},
		{"originated: the last instance", "", map[string][]string{"X-Artifactory-Originated": {"a, b", "c"}}, "c"},
		{"unknown", "", nil, "UNKNOWN"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("PUT", "/artifactory/api/storage/statistics/libs", nil)
		r.RemoteAddr = tt.remoteAddr
		for k, v := range tt.header {
			r.Header[k] = v
		}
		if got := statsOrigin(r); got != tt.want {
			t.Errorf("%s: statsOrigin = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStatisticsKeyAndRepoPath(t *testing.T) {
	keys := []struct {
		path, want string
		ok         bool
	}{
		{"/artifactory/api/storage/statistics/libs-cache", "libs-cache", true},
		{"/artifactory/api/storage/statistics/libs/", "libs", true},
		{"/artifactory/api/storage/statistics/", "", false},
		{"/artifactory/api/storage/statistics/a/b", "", false},
	}
	for _, tt := range keys {
		got, err := statisticsKey(httptest.NewRequest("PUT", tt.path, nil))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("statisticsKey(%q) = %q, %v; want %q, ok=%v", tt.path, got, err, tt.want, tt.ok)
		}
	}
	paths := []struct{ repoPath, key, want string }{
		{"org/a.jar", "libs-cache", "org/a.jar"},
		{"libs-cache:org/a.jar", "libs-cache", "org/a.jar"},
		{"LIBS:org/a.jar", "libs-cache", "org/a.jar"},
		{"other:org/a.jar", "libs-cache", "other:org/a.jar"},
	}
	for _, tt := range paths {
		if got := trimRepoPrefix(tt.repoPath, tt.key); got != tt.want {
			t.Errorf("trimRepoPrefix(%q, %q) = %q, want %q", tt.repoPath, tt.key, got, tt.want)
		}
	}
}
