package e2e

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca/internal/restapi"
	"arca/internal/smart"
)

// stats is the ?stats answer.
type stats struct {
	DownloadCount          int64
	LastDownloaded         int64
	LastDownloadedBy       string
	RemoteDownloadCount    int64
	RemoteLastDownloaded   int64
	RemoteLastDownloadedBy string
}

func (s *server) stats(path string) stats {
	s.t.Helper()
	var st stats
	s.must(200, req{method: "GET", path: "/api/storage/" + path + "?stats"}).json(s.t, &st)
	st.DownloadCount, st.LastDownloaded, st.LastDownloadedBy = 0, 0, "" // local downloads are not the point here
	return st
}

// TestStatisticsPush plays the downstream instance of a smart remote pushing statistics to
// Arca (the upstream side of statistics sync).
func TestStatisticsPush(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.must(201, req{method: "PUT", path: "/libs/org/a.txt", body: strings.NewReader("a")})
	s.must(201, req{method: "PUT", path: "/libs/org/b.txt", body: strings.NewReader("b")})
	const t1, t2 = 1763700000000, 1763700005000
	entry := func(p string, n, rn int64, last, rlast int64, by, rby string) string {
		return `{"downloadCount":` + fmtInt(n) + `,"lastDownloaded":` + fmtInt(last) + `,"lastDownloadedBy":"` + by +
			`","remoteDownloadCount":` + fmtInt(rn) + `,"remoteLastDownloaded":` + fmtInt(rlast) + `,"remoteLastDownloadedBy":` + rby +
			`,"repoPath":"` + p + `","path":"` + p + `","origin":null}`
	}
	tests := []struct {
		name    string
		key     string
		body    string
		user    string
		status  int
		message string           // part of the error message
		want    map[string]stats // path → remote statistics afterwards
	}{
		{name: "own downloads, key with -cache of a local repository", key: "libs-cache",
			body:   "[" + entry("org/a.txt", 3, 0, t1, 0, "alice", "null") + "]",
			status: 200, want: map[string]stats{"libs/org/a.txt": {RemoteDownloadCount: 3, RemoteLastDownloaded: t1, RemoteLastDownloadedBy: "alice"}}},
		{name: "relayed downloads add up; the later time wins", key: "libs",
			body:   "[" + entry("/org/a.txt", 1, 2, t1, t2, "bob", `"carol"`) + "]",
			status: 200, want: map[string]stats{"libs/org/a.txt": {RemoteDownloadCount: 6, RemoteLastDownloaded: t2, RemoteLastDownloadedBy: "carol"}}},
		{name: "one missing path: 400, nothing recorded", key: "libs-cache",
			body:   "[" + entry("org/b.txt", 5, 0, t2, 0, "dave", "null") + "," + entry("org/missing.txt", 1, 0, t1, 0, "x", "null") + "]",
			status: 400, message: "is not exist in this repository",
			want: map[string]stats{"libs/org/b.txt": {}}},
		{name: "a folder is not an item to count", key: "libs-cache",
			body: "[" + entry("org", 1, 0, t1, 0, "x", "null") + "]", status: 400, message: "is not exist in this repository"},
		{name: "unknown repository", key: "nope-cache",
			body: "[" + entry("org/a.txt", 1, 0, t1, 0, "x", "null") + "]", status: 400, message: "is not exist in this repository"},
		{name: "anonymous may not read", key: "libs-cache", user: "-",
			body: "[" + entry("org/b.txt", 1, 0, t1, 0, "x", "null") + "]", status: 401,
			want: map[string]stats{"libs/org/b.txt": {}}},
		{name: "malformed body", key: "libs-cache", body: `{"not":"an array"}`, status: 400},
		{name: "empty array", key: "libs-cache", body: `[]`, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(req{method: "PUT", path: "/api/storage/statistics/" + tt.key, body: strings.NewReader(tt.body), user: tt.user,
				header: map[string]string{"Content-Type": "application/json", "X-Artifactory-Originated": "downstream"}})
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", r.StatusCode, tt.status, r.body)
			}
			if tt.message != "" {
				if msg := errorMessage(t, r); !strings.Contains(msg, tt.message) {
					t.Errorf("message %q does not contain %q", msg, tt.message)
				}
			}
			for p, want := range tt.want {
				if diff := cmp.Diff(want, s.stats(p)); diff != "" {
					t.Errorf("%s ?stats (-want +got):\n%s", p, diff)
				}
			}
		})
	}
}

// TestStatisticsPushPerOrigin pushes from two source addresses (two origins) and checks that
// ?stats sums the counts and shows the latest download across origins.
func TestStatisticsPushPerOrigin(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.must(201, req{method: "PUT", path: "/libs/a.txt", body: strings.NewReader("a")})
	push := func(from string, n, last int64, by string) {
		t.Helper()
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
		defer c.CloseIdleConnections()
		body := `[{"downloadCount":` + fmtInt(n) + `,"lastDownloaded":` + fmtInt(last) + `,"lastDownloadedBy":"` + by + `","repoPath":"a.txt"}]`
		r, _ := http.NewRequest("PUT", s.base+"/api/storage/statistics/libs-cache", strings.NewReader(body))
		r.SetBasicAuth("admin", adminPassword)
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("push from %s: %s", from, res.Status)
		}
	}
	push("127.0.0.1", 2, 1763700000005, "x")
	push("127.0.0.2", 3, 1763700000001, "y") // older: does not win
	push("127.0.0.1", 1, 1763700000002, "z") // older than x's within the same origin
	want := stats{RemoteDownloadCount: 6, RemoteLastDownloaded: 1763700000005, RemoteLastDownloadedBy: "x"}
	if diff := cmp.Diff(want, s.stats("libs/a.txt")); diff != "" {
		t.Errorf("?stats (-want +got):\n%s", diff)
	}
}

// TestSmartClientAgainstArca drives the smart package's downstream components against a real
// Arca as the upstream: the two sides of the protocol must agree.
func TestSmartClientAgainstArca(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.must(201, req{method: "PUT", path: "/libs/org/a.txt;k=v;artifactory.replication.x=1", body: strings.NewReader("a")})
	s.must(201, req{method: "PUT", path: "/libs/org/bare.txt", body: strings.NewReader("b")})
	arcaID := s.get("/api/system/ping").Header.Get("X-Artifactory-Id")
	ctx := context.Background()
	peer := smart.NewPeer(http.DefaultClient, s.base+"/libs", "downstream-id", "admin", adminPassword)

	up, err := peer.Detect(ctx)
	if err != nil || !up.Smart || up.Version != restapi.Version || !up.Supports(smart.OriginAbsence) {
		t.Errorf("Detect = %+v, %v; want smart %s", up, err, restapi.Version)
	}
	self := peer
	self.OwnID = arcaID
	if up, err := self.Detect(ctx); err != nil || up.Smart {
		t.Errorf("Detect of itself = %+v, %v; want not smart", up, err)
	}

	props, err := peer.FetchProperties(ctx, "org/a.txt")
	want := smart.RemoteProps{Exists: true, Replace: true, Props: map[string][]string{"k": {"v"}}}
	if diff := cmp.Diff(want, props); err != nil || diff != "" {
		t.Errorf("FetchProperties: %v (-want +got):\n%s", err, diff)
	}
	if props, err := peer.FetchProperties(ctx, "org/bare.txt"); err != nil || !props.Exists || props.Replace {
		t.Errorf("FetchProperties without properties = %+v, %v; want exists, keep", props, err)
	}
	if props, err := peer.FetchProperties(ctx, "org/gone.txt"); err != nil || props.Exists || !props.Replace {
		t.Errorf("FetchProperties of a missing item = %+v, %v; want gone, none", props, err)
	}

	wantList := []smart.Entry{{Name: "a.txt"}, {Name: "bare.txt"}}
	if got, err := peer.ListStorage(ctx, "org"); err != nil || !cmp.Equal(wantList, got) {
		t.Errorf("ListStorage = %+v, %v", got, err)
	}
	if got, err := peer.ListHTML(ctx, "org"); err != nil || !cmp.Equal(wantList, got) {
		t.Errorf("ListHTML = %+v, %v", got, err)
	}

	sp := smart.NewStatsPusher(peer, smart.StatsOptions{})
	at := time.UnixMilli(1763700000000)
	sp.Record(smart.Event{RepoPath: "org/a.txt", By: "alice", At: at})
	sp.Record(smart.Event{RepoPath: "org/a.txt", By: "bob", At: at.Add(time.Second)})
	if err := sp.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	wantStats := stats{RemoteDownloadCount: 2, RemoteLastDownloaded: at.Add(time.Second).UnixMilli(), RemoteLastDownloadedBy: "bob"}
	if diff := cmp.Diff(wantStats, s.stats("libs/org/a.txt")); diff != "" {
		t.Errorf("?stats after a push (-want +got):\n%s", diff)
	}
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
