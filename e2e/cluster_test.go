package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"arca/internal/config"
	"arca/internal/pgtest"
)

// startNodes starts n nodes of one instance: one PostgreSQL database (the run's cluster under
// ARCA_TEST_METADATA=postgres, else a throwaway one), one blob store (the S3 bucket of the run
// under ARCA_TEST_BLOBS=s3, else a directory they share), a data directory each.
func startNodes(t *testing.T, n int) []*server {
	t.Helper()
	pg := metadataPG
	if pg == nil {
		pg = pgtest.Start(t)
	}
	dsn := pg.NewDB(t)
	blobs := t.TempDir()
	if blobsS3 != nil {
		blobs = "s3://" + blobsS3.NewBucket() + "/cluster"
	}
	var nodes []*server
	for range n {
		nodes = append(nodes, start(t, func(c *config.Config) {
			c.DB, c.Blobs = dsn, blobs
			if blobsS3 != nil {
				c.S3 = s3Config()
			}
		}))
	}
	return nodes
}

// within polls check every 20 ms for up to a second, the time a change made on one node may
// take to show on the others, and fails t with what check last said.
func within(t *testing.T, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not visible on the other node within 1 s: %s", what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// status returns "" when the request answers want, else what it answered.
func status(s *server, want int, q req) string {
	r := s.do(q)
	if r.StatusCode == want {
		return ""
	}
	return r.Status + ": " + strings.TrimSpace(r.text())
}

// TestNodesSeeEachOthersChanges: two nodes on one database and one blob store; what one
// changes (repositories, artifacts already cached by the other, users, tokens, the anonymous
// switch) the other serves accordingly within a second.
func TestNodesSeeEachOthersChanges(t *testing.T) {
	nodes := startNodes(t, 2)
	a, b := nodes[0], nodes[1]

	a.local("libs")
	// At once, before the notice can have arrived: b finds the member in the database.
	b.createRepo("libs-virtual", `{"rclass":"virtual","packageType":"generic","repositories":["libs"]}`)
	within(t, "a new repository", func() string { return status(b, 200, req{method: "GET", path: "/api/repositories/libs"}) })

	a.put("/libs/app.txt", "v1")
	if got := b.must(200, req{method: "GET", path: "/libs/app.txt"}).text(); got != "v1" {
		t.Fatalf("node b serves %q, want v1", got)
	}
	a.put("/libs/app.txt", "version 2") // b has cached v1's item
	within(t, "an overwritten artifact", func() string {
		if got := b.get("/libs/app.txt").text(); got != "version 2" {
			return "serves " + got
		}
		return ""
	})
	a.must(204, req{method: "DELETE", path: "/libs/app.txt"})
	within(t, "a deleted artifact", func() string { return status(b, 404, req{method: "GET", path: "/libs/app.txt"}) })

	b.put("/libs/kept.txt", "kept")
	a.must(201, req{method: "PUT", path: "/api/security/users/dev", body: strings.NewReader(`{"name":"dev","email":"d@x","password":"devpw"}`)})
	within(t, "a new user", func() string { return status(b, 200, req{method: "GET", path: "/libs/kept.txt", user: "dev:devpw"}) })
	a.must(200, req{method: "POST", path: "/api/security/users/dev", body: strings.NewReader(`{"password":"newpw"}`)})
	within(t, "a changed password", func() string { return status(b, 401, req{method: "GET", path: "/libs/kept.txt", user: "dev:devpw"}) })
	b.must(200, req{method: "GET", path: "/libs/kept.txt", user: "dev:newpw"})

	form := url.Values{"username": {"admin"}, "expires_in": {"3600"}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	a.must(200, req{method: "POST", path: "/api/security/token", body: strings.NewReader(form.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).json(t, &tok)
	bearer := map[string]string{"Authorization": "Bearer " + tok.AccessToken}
	b.must(200, req{method: "GET", path: "/libs/kept.txt", user: "-", header: bearer}) // cached on b now
	a.must(200, req{method: "POST", path: "/api/security/token/revoke", body: strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	within(t, "a revoked token", func() string {
		return status(b, 401, req{method: "GET", path: "/libs/kept.txt", user: "-", header: bearer})
	})

	b.must(401, req{method: "GET", path: "/libs/kept.txt", user: "-"})
	a.must(200, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("security:\n  anonAccessEnabled: true\n")})
	within(t, "anonymous access switched on", func() string { return status(b, 200, req{method: "GET", path: "/libs/kept.txt", user: "-"}) })

	a.must(200, req{method: "DELETE", path: "/api/repositories/libs"})
	within(t, "a deleted repository", func() string {
		if r := b.get("/api/repositories/libs"); r.StatusCode == 200 {
			return "still configured: " + r.text()
		}
		return status(b, 404, req{method: "GET", path: "/libs/kept.txt"})
	})
}

// TestNodesFetchAMissOnce: 50 clients ask three nodes at once for an artifact their remote has
// not cached; the upstream is asked once, and every client gets the bytes.
func TestNodesFetchAMissOnce(t *testing.T) {
	nodes := startNodes(t, 3)
	u := newUpstream(t)
	body := strings.Repeat("slow to fetch ", 10_000)
	release := make(chan struct{})
	u.handle("cold.bin", func(w http.ResponseWriter, r *http.Request) {
		<-release // every client is waiting before the first byte arrives
		serveFile(body, nil)(w, r)
	})
	nodes[0].createRepo("up", remoteJSON(u.url(), `,"socketTimeoutMillis":30000`))
	for _, n := range nodes[1:] {
		within(t, "the new remote", func() string { return status(n, 200, req{method: "GET", path: "/api/repositories/up"}) })
	}
	const clients = 50
	var wg sync.WaitGroup
	got := make([]resp, clients)
	for i := range clients {
		wg.Go(func() { got[i] = nodes[i%len(nodes)].do(req{method: "GET", path: "/up/cold.bin"}) })
	}
	time.Sleep(500 * time.Millisecond) // the requests reach their nodes and queue
	close(release)
	wg.Wait()
	for i, r := range got {
		if r.StatusCode != 200 || r.text() != body {
			t.Fatalf("client %d (node %d): status %d, %d bytes; want 200 and the artifact", i, i%len(nodes), r.StatusCode, len(r.body))
		}
	}
	if n := u.count("GET", "cold.bin"); n != 1 {
		t.Errorf("%d upstream GETs for one cold artifact fetched through 3 nodes, want 1", n)
	}
}

// TestNodesPublishOnePackage: versions of one npm package published at once through two nodes
// all land, and both nodes serve the packument with every one of them; of several publishes
// of one version at once, exactly one succeeds (the package lock holds across nodes).
func TestNodesPublishOnePackage(t *testing.T) {
	nodes := startNodes(t, 2)
	nodes[0].createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	within(t, "the new repository", func() string {
		return status(nodes[1], 200, req{method: "GET", path: "/api/repositories/npm-local"})
	})
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			codes[i] = nodes[i%2].do(req{method: "PUT", path: "/api/npm/npm-local/shared",
				body:   strings.NewReader(publishBody("shared", fmt.Sprintf("1.0.%d", i), fmt.Sprint(i))),
				header: map[string]string{"Content-Type": "application/json"}}).StatusCode
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != 201 {
			t.Errorf("publish of 1.0.%d through node %d: status %d, want 201", i, i%2, c)
		}
	}
	same := make([]int, 6)
	for i := range same {
		wg.Go(func() {
			same[i] = nodes[i%2].do(req{method: "PUT", path: "/api/npm/npm-local/shared",
				body:   strings.NewReader(publishBody("shared", "2.0.0", "contender "+fmt.Sprint(i))),
				header: map[string]string{"Content-Type": "application/json"}}).StatusCode
		})
	}
	wg.Wait()
	if won := slices.Index(same, 201); won < 0 || slices.Index(same[won+1:], 201) >= 0 {
		t.Errorf("concurrent publishes of one version through two nodes answered %v, want exactly one 201", same)
	}
	for i, node := range nodes {
		within(t, "every version", func() string {
			p := node.packument(t, "npm-local", "shared")
			if len(p.Versions) != n+1 {
				return fmt.Sprintf("node %d serves versions %v, want %d", i, keys(p.Versions), n+1)
			}
			return ""
		})
	}
}

// TestPingFailsWithoutDatabase: a node whose database goes away answers its ping with 503 (a
// load balancer takes it out), naming the part and nothing more.
func TestPingFailsWithoutDatabase(t *testing.T) {
	pg := pgtest.Start(t)
	s := start(t, func(c *config.Config) { c.DB = pg.NewDB(t) })
	s.must(200, req{method: "GET", path: "/api/system/ping", user: "-"})
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := s.do(req{method: "GET", path: "/api/system/ping", user: "-"})
		if r.StatusCode == 503 {
			if got := r.text(); got != "Unavailable: the metadata database is unreachable" {
				t.Errorf("ping body %q", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping still answers %d %q 10 s after the database stopped", r.StatusCode, r.text())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clusterStatus is GET /api/system/status.
type clusterStatus struct {
	Node, Leader, Metadata, Blobs string
	Nodes                         []struct {
		ID, Address  string
		Leader, Self bool
	}
}

// TestNodesStatusAndLeader: every node lists all of them and the one leader of the background
// work; when the leader stops, another takes the work over and the list drops it.
func TestNodesStatusAndLeader(t *testing.T) {
	nodes := startNodes(t, 3)
	var st clusterStatus
	nodes[1].must(200, req{method: "GET", path: "/api/system/status"}).json(t, &st)
	if len(st.Nodes) != 3 || st.Metadata != "postgresql" || st.Leader == "" {
		t.Fatalf("status from node 1: %+v; want 3 nodes on postgresql and a leader", st)
	}
	leader := -1
	for i, n := range nodes {
		var mine clusterStatus
		n.must(200, req{method: "GET", path: "/api/system/status"}).json(t, &mine)
		if mine.Leader != st.Leader {
			t.Errorf("node %d names leader %s, node 1 %s", i, mine.Leader, st.Leader)
		}
		if mine.Node == st.Leader {
			leader = i
		}
		self := 0
		for _, p := range mine.Nodes {
			if p.Self {
				self++
				if p.ID != mine.Node || p.Address != strings.TrimSuffix(strings.TrimPrefix(n.base, "http://"), "/artifactory") {
					t.Errorf("node %d lists itself as %+v, answering as %s at %s", i, p, mine.Node, n.base)
				}
			}
		}
		if self != 1 {
			t.Errorf("node %d marks %d nodes as itself", i, self)
		}
	}
	if leader < 0 {
		t.Fatalf("no node answers as the leader %s", st.Leader)
	}
	nodes[0].must(401, req{method: "GET", path: "/api/system/status", user: "-"})
	nodes[0].must(200, req{method: "GET", path: "/api/v1/system/readiness", user: "-"})
	nodes[0].must(200, req{method: "GET", path: "/api/v1/system/liveness", user: "-"})

	// The leader stops: it gives the lease up, and the next heartbeat of another takes it.
	if err := nodes[leader].app.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	other := nodes[(leader+1)%3]
	deadline := time.Now().Add(12 * time.Second) // the 5 s heartbeat, twice, and some
	for {
		var after clusterStatus
		other.must(200, req{method: "GET", path: "/api/system/status"}).json(t, &after)
		if len(after.Nodes) == 2 && after.Leader != "" && after.Leader != st.Leader {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the leader stopped: %+v; want 2 nodes and a new leader", after)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
