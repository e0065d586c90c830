// Package cluster is the cluster test: PostgreSQL, MinIO, three arca serve processes and nginx
// on loopback, 32 clients deploying and downloading (generic, Maven and npm, through virtual
// repositories) for a bounded time while one node is killed with SIGKILL and later restarted.
// Afterwards no acknowledged upload is lost, every artifact downloads from every node with the
// right checksum, no request failed after one retry, and 50 clients asking the three nodes for
// a cold artifact of a remote repository cause one upstream request.
//
// It runs when ARCA_CLUSTER_TEST=1 (test.sh's cluster step), with the PostgreSQL server
// binaries, MinIO (ARCA_MINIO) and nginx installed; knobs: ARCA_CLUSTER_CLIENTS (32),
// ARCA_CLUSTER_SECONDS (20).
package cluster

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"arca/internal/pgtest"
	"arca/internal/s3test"
	"arca/internal/testnet"
)

const adminPassword = "cluster-admin-pw"

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestCluster(t *testing.T) {
	if os.Getenv("ARCA_CLUSTER_TEST") == "" {
		t.Skip("the cluster test runs in test.sh's cluster step (ARCA_CLUSTER_TEST=1)")
	}
	clients, seconds := envInt("ARCA_CLUSTER_CLIENTS", 32), envInt("ARCA_CLUSTER_SECONDS", 20)
	work := t.TempDir()
	pg := pgtest.Start(t)
	s3 := s3test.Start(t)
	bin := buildArca(t, work)
	env := append(os.Environ(),
		"ARCA_DB="+pg.NewDB(t), "ARCA_BLOBS=s3://"+s3.NewBucket()+"/cluster", "ARCA_S3_ENDPOINT="+s3.Endpoint,
		"ARCA_S3_ACCESS_KEY="+s3test.AccessKey, "ARCA_S3_SECRET_KEY="+s3test.SecretKey,
		"ARCA_ADMIN_PASSWORD="+adminPassword, "ARCA_LOG_LEVEL=warn")
	var nodes []*node
	for i := range 3 {
		n := newNode(t, bin, env, filepath.Join(work, fmt.Sprintf("node%d", i+1)))
		n.start()
		nodes = append(nodes, n)
		t.Cleanup(n.stop)
	}
	lb := startNginx(t, work, nodes)
	c := &client{base: lb}
	setup(t, c)

	// The workload, with node 2 killed after a quarter of the time and restarted at half.
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
	defer cancel()
	w := &workload{c: c}
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { w.run(ctx, i) })
	}
	time.Sleep(time.Duration(seconds) * time.Second / 4)
	nodes[1].kill()
	t.Logf("killed node 2 (%s) with SIGKILL", nodes[1].addr)
	time.Sleep(time.Duration(seconds) * time.Second / 4)
	nodes[1].start()
	t.Logf("restarted node 2")
	wg.Wait()

	acked := w.acked()
	t.Logf("%d clients for %d s: %d requests, %d retried, %d failed after a retry; %d uploads acknowledged",
		clients, seconds, w.requests.Load(), w.retried.Load(), w.failed.Load(), len(acked))
	for _, f := range w.failures() {
		t.Errorf("failed after a retry: %s", f)
	}
	if len(acked) < clients {
		t.Fatalf("only %d uploads acknowledged: the workload did not run", len(acked))
	}
	// Every acknowledged upload, from every node directly, with its checksum.
	for _, n := range nodes {
		direct := &client{base: n.url()}
		lost := 0
		for _, u := range acked {
			if err := direct.check(context.Background(), u); err != nil {
				if lost++; lost <= 5 {
					t.Errorf("node %s: %v", n.addr, err)
				}
			}
		}
		if lost > 0 {
			t.Errorf("node %s: %d of %d acknowledged uploads not served right", n.addr, lost, len(acked))
		}
	}
	coldFetchOnce(t, nodes)
}

// setup creates the repositories of the workload through the load balancer.
func setup(t *testing.T, c *client) {
	t.Helper()
	for _, r := range []struct{ key, body string }{
		{"generic-local", `{"rclass":"local","packageType":"generic"}`},
		{"generic", `{"rclass":"virtual","packageType":"generic","repositories":["generic-local"],"defaultDeploymentRepo":"generic-local"}`},
		{"maven-local", `{"rclass":"local","packageType":"maven","handleSnapshots":false}`},
		{"maven", `{"rclass":"virtual","packageType":"maven","repositories":["maven-local"],"defaultDeploymentRepo":"maven-local"}`},
		{"npm-local", `{"rclass":"local","packageType":"npm"}`},
		{"npm", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local"],"defaultDeploymentRepo":"npm-local"}`},
	} {
		res, err := c.do(context.Background(), "PUT", "/api/repositories/"+r.key, strings.NewReader(r.body), "application/json")
		if err != nil || res.status != 200 {
			t.Fatalf("creating %s: %v %d %s", r.key, err, res.status, res.body)
		}
	}
	// Every node knows them (the notices travel in well under a second).
	time.Sleep(time.Second)
}

// coldFetchOnce: 50 clients ask the three nodes at once for an artifact of a remote
// repository that nothing has cached; the upstream sees one request.
func coldFetchOnce(t *testing.T, nodes []*node) {
	var upstreamGets atomic.Int32
	release := make(chan struct{})
	body := strings.Repeat("cold artifact ", 5000)
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/files/cold.bin" {
			upstreamGets.Add(1)
			<-release
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			io.WriteString(w, body)
			return
		}
		http.NotFound(w, r)
	})}
	port, err := testnet.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	go up.Serve(ln)
	defer up.Close()
	c := &client{base: nodes[0].url()}
	cfg := fmt.Sprintf(`{"rclass":"remote","packageType":"generic","url":"http://127.0.0.1:%d/files","socketTimeoutMillis":30000}`, port)
	if res, err := c.do(context.Background(), "PUT", "/api/repositories/generic-remote", strings.NewReader(cfg), "application/json"); err != nil || res.status != 200 {
		t.Fatalf("creating generic-remote: %v %d %s", err, res.status, res.body)
	}
	time.Sleep(time.Second)
	const askers = 50
	var wg sync.WaitGroup
	got := make([]string, askers)
	for i := range askers {
		wg.Go(func() {
			n := &client{base: nodes[i%len(nodes)].url()}
			res, err := n.do(context.Background(), "GET", "/generic-remote/cold.bin", nil, "")
			switch {
			case err != nil:
				got[i] = err.Error()
			case res.status != 200 || res.body != body:
				got[i] = fmt.Sprintf("status %d, %d bytes", res.status, len(res.body))
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, g := range got {
		if g != "" {
			t.Errorf("cold fetch, client %d: %s", i, g)
		}
	}
	if n := upstreamGets.Load(); n != 1 {
		t.Errorf("%d upstream requests for one cold artifact asked of 3 nodes by %d clients, want 1", n, askers)
	}
}
