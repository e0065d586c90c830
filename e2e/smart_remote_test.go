package e2e

import (
	"strings"
	"testing"
	"time"

	"arca/internal/config"
)

// eventually retries check for up to 5 s.
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ok, msg := check()
		if ok {
			return
		}
		last = msg
	}
	t.Fatalf("%s: never happened; last: %s", what, last)
}

// TestSmartRemoteBetweenInstances runs every smart-remote feature between two Arca instances,
// in both directions: each instance is the other's upstream.
func TestSmartRemoteBetweenInstances(t *testing.T) {
	fast := func(c *config.Config) { c.StatisticsPushInterval = 100 * time.Millisecond }
	a, b := start(t, fast), start(t, fast)
	for _, dir := range []struct {
		name       string
		up, down   *server
		local, rem string
	}{{"a upstream of b", a, b, "alibs", "alibs-remote"}, {"b upstream of a", b, a, "blibs", "blibs-remote"}} {
		t.Run(dir.name, func(t *testing.T) { smartPair(t, dir.up, dir.down, dir.local, dir.rem) })
	}
}

func smartPair(t *testing.T, up, down *server, local, rem string) {
	up.local(local)
	up.put("/"+local+"/a/x.txt;k=v1", "x")
	up.put("/"+local+"/a/y.txt", "y")
	down.createRepo(rem, `{"rclass":"remote","packageType":"generic","url":"`+up.base+`/`+local+`",
		"username":"admin","password":"`+adminPassword+`","retrievalCachePeriodSecs":1,"listRemoteFolderItems":true,
		"contentSynchronisation":{"enabled":true,"statistics":{"enabled":true},"properties":{"enabled":true},"source":{"originAbsenceDetection":true}}}`)

	// Fetched through the remote, then served from its cache.
	for i := 0; i < 3; i++ {
		if got := down.must(200, req{method: "GET", path: "/" + rem + "/a/x.txt"}).text(); got != "x" {
			t.Fatalf("GET through the smart remote = %q", got)
		}
	}
	// Statistics: the downstream's downloads are pushed and counted upstream, per origin.
	eventually(t, "statistics pushed upstream", func() (bool, string) {
		var st struct {
			RemoteDownloadCount    int
			RemoteLastDownloadedBy string
			RemoteLastDownloaded   int64
		}
		r := up.must(200, req{method: "GET", path: "/api/storage/" + local + "/a/x.txt?stats"})
		r.json(t, &st)
		return st.RemoteDownloadCount == 3 && st.RemoteLastDownloadedBy == "admin" && st.RemoteLastDownloaded > 0, r.text()
	})

	// Properties: once the cached ones are older than the retrieval cache period, a download
	// from the cache brings the upstream's.
	down.must(200, req{method: "GET", path: "/api/storage/" + rem + "-cache/a/x.txt"}) // cached
	up.must(204, req{method: "PUT", path: "/api/storage/" + local + "/a/x.txt?properties=k=v2;team=core"})
	time.Sleep(1100 * time.Millisecond)
	down.must(200, req{method: "GET", path: "/" + rem + "/a/x.txt"})
	eventually(t, "properties synchronised", func() (bool, string) {
		r := down.do(req{method: "GET", path: "/api/storage/" + rem + "-cache/a/x.txt?properties"})
		return strings.Contains(r.text(), `"k":["v2"]`) && strings.Contains(r.text(), `"team":["core"]`), r.text()
	})

	// Source absence: the upstream item is deleted; the cached copy is still served and marked.
	up.must(204, req{method: "DELETE", path: "/" + local + "/a/x.txt"})
	time.Sleep(1100 * time.Millisecond)
	if got := down.must(200, req{method: "GET", path: "/" + rem + "/a/x.txt"}).text(); got != "x" {
		t.Fatalf("the cached copy of a deleted source = %q", got)
	}
	eventually(t, "sourceDeleted set", func() (bool, string) {
		r := down.do(req{method: "GET", path: "/api/storage/" + rem + "-cache/a/x.txt?properties=sourceDeleted"})
		return strings.Contains(r.text(), "The source file of this replica has been deleted"), r.text()
	})
	// It comes back: the mark goes.
	up.put("/"+local+"/a/x.txt", "x")
	time.Sleep(1100 * time.Millisecond)
	down.must(200, req{method: "GET", path: "/" + rem + "/a/x.txt"})
	eventually(t, "sourceDeleted removed", func() (bool, string) {
		// The source came back without properties: the synced copy has none left.
		r := down.do(req{method: "GET", path: "/api/storage/" + rem + "-cache/a/x.txt?properties"})
		return r.StatusCode == 404 && strings.Contains(r.text(), "No properties could be found"), r.text()
	})

	// Remote browsing: y.txt was never fetched, yet the folder lists it.
	listing := down.must(200, req{method: "GET", path: "/" + rem + "/a/"}).text()
	if !strings.Contains(listing, `<a href="y.txt">y.txt</a>`) || !strings.Contains(listing, `<a href="x.txt">x.txt</a>`) {
		t.Errorf("remote folder listing:\n%s", listing)
	}
}

// TestSmartRemoteOverAVirtualUpstreamIsNotSmart: an upstream virtual repository disables the
// smart features (statistics are not pushed), while fetching works.
func TestSmartRemoteOverAVirtualUpstreamIsNotSmart(t *testing.T) {
	fast := func(c *config.Config) { c.StatisticsPushInterval = 100 * time.Millisecond }
	up, down := start(t, fast), start(t, fast)
	up.local("l")
	up.createRepo("v", `{"rclass":"virtual","packageType":"generic","repositories":["l"]}`)
	up.put("/l/f.txt", "f")
	down.createRepo("r", `{"rclass":"remote","packageType":"generic","url":"`+up.base+`/v","username":"admin","password":"`+adminPassword+`",
		"contentSynchronisation":{"enabled":true,"statistics":{"enabled":true}}}`)
	down.must(200, req{method: "GET", path: "/r/f.txt"})
	down.must(200, req{method: "GET", path: "/r/f.txt"})
	time.Sleep(500 * time.Millisecond)
	var st struct{ RemoteDownloadCount int }
	up.must(200, req{method: "GET", path: "/api/storage/l/f.txt?stats"}).json(t, &st)
	if st.RemoteDownloadCount != 0 {
		t.Errorf("statistics were pushed to a virtual upstream: %d", st.RemoteDownloadCount)
	}
}

// TestRemoteFolderListingFromHTML: a plain remote (no smart features) with listRemoteFolderItems
// lists the upstream's children by parsing its HTML folder page.
func TestRemoteFolderListingFromHTML(t *testing.T) {
	up, down := start(t), start(t)
	up.local("files")
	up.put("/files/dir/only-upstream.txt", "u")
	up.put("/files/dir/sub/deep.txt", "d")
	down.createRepo("plain", `{"rclass":"remote","packageType":"generic","url":"`+up.base+`/files","username":"admin","password":"`+adminPassword+`","listRemoteFolderItems":true}`)
	down.createRepo("quiet", `{"rclass":"remote","packageType":"generic","url":"`+up.base+`/files","username":"admin","password":"`+adminPassword+`"}`)
	listing := down.must(200, req{method: "GET", path: "/plain/dir/"}).text()
	for _, want := range []string{`<a href="only-upstream.txt">only-upstream.txt</a>`, `<a href="sub/">sub/</a>`} {
		if !strings.Contains(listing, want) {
			t.Errorf("listing lacks %s:\n%s", want, listing)
		}
	}
	if got := down.must(200, req{method: "GET", path: "/plain/dir/only-upstream.txt"}).text(); got != "u" {
		t.Errorf("fetching a listed file: %q", got)
	}
	// Without the setting, only the cache is listed.
	down.must(200, req{method: "GET", path: "/quiet/dir/only-upstream.txt"})
	if l := down.must(200, req{method: "GET", path: "/quiet/dir/"}).text(); strings.Contains(l, "sub/") {
		t.Errorf("a remote without listRemoteFolderItems listed the upstream:\n%s", l)
	}
}
