// Command clusterbench measures Arca on its storage configurations side by side in one run:
// SQLite + files with one node, PostgreSQL + MinIO with one node, and PostgreSQL + MinIO with
// three nodes (the load spread over them by the client, round robin). For each it reports
// authenticated 1 KiB GETs (req/s, p50, p99) and 1 MiB PUTs of new artifacts (MB/s, p99), and
// the ratios to the first. bench/cluster.sh runs it; see bench/README.md.
//
//	clusterbench -arca BIN [-seconds 10] [-get-clients 32] [-put-clients 8]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"arca/internal/pgtest"
	"arca/internal/s3test"
	"arca/internal/testnet"
)

const password = "bench-admin-pw"

func main() {
	bin := flag.String("arca", "", "the arca binary")
	seconds := flag.Int("seconds", 10, "seconds of each measurement")
	getClients := flag.Int("get-clients", 32, "concurrent GET clients")
	putClients := flag.Int("put-clients", 8, "concurrent PUT clients")
	flag.Parse()
	if *bin == "" {
		fail(fmt.Errorf("-arca is required"))
	}
	work, err := os.MkdirTemp("", "arca-clusterbench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)
	pg, stopPG, err := pgtest.StartMain()
	if err != nil {
		fail(err)
	}
	defer stopPG()
	s3, stopS3, err := s3test.StartMain()
	if err != nil {
		fail(err)
	}
	defer stopS3()

	dur := time.Duration(*seconds) * time.Second
	type config struct {
		name  string
		nodes int
		env   func(i int) []string
	}
	shared := func(db, bucket string) func(int) []string {
		return func(int) []string {
			return []string{"ARCA_DB=" + db, "ARCA_BLOBS=s3://" + bucket + "/bench", "ARCA_S3_ENDPOINT=" + s3.Endpoint,
				"ARCA_S3_ACCESS_KEY=" + s3test.AccessKey, "ARCA_S3_SECRET_KEY=" + s3test.SecretKey}
		}
	}
	db1, err := pg.CreateDB(context.Background(), "bench1")
	if err != nil {
		fail(err)
	}
	db3, err := pg.CreateDB(context.Background(), "bench3")
	if err != nil {
		fail(err)
	}
	configs := []config{
		{"SQLite + files, 1 node", 1, func(int) []string { return nil }},
		{"PostgreSQL + MinIO, 1 node", 1, shared(db1, "bench1")},
		{"PostgreSQL + MinIO, 3 nodes", 3, shared(db3, "bench3")},
	}
	type result struct{ get, put measurement }
	var results []result
	for ci, c := range configs {
		var bases []string
		var procs []*exec.Cmd
		for i := range c.nodes {
			base, cmd, err := startNode(*bin, filepath.Join(work, fmt.Sprintf("c%d-n%d", ci, i)), c.env(i))
			if err != nil {
				fail(err)
			}
			bases, procs = append(bases, base), append(procs, cmd)
		}
		if err := prepare(bases[0]); err != nil {
			fail(err)
		}
		time.Sleep(time.Second) // the repository reaches the other nodes
		get := measure(bases, *getClients, dur, func(base string, _ int, n int) (int64, error) {
			return request("GET", base+"/bench-local/small/f"+strconv.Itoa(n%100)+".bin", nil)
		})
		var seq atomic.Int64
		body := make([]byte, 1<<20)
		put := measure(bases, *putClients, dur, func(base string, client int, _ int) (int64, error) {
			b := bytes.Clone(body)
			_, _ = rand.Read(b[:64]) // a new artifact every time: no dedupe
			n := seq.Add(1)
			_, err := request("PUT", fmt.Sprintf("%s/bench-local/big/c%d/f%d.bin", base, client, n), b)
			return int64(len(b)), err
		})
		results = append(results, result{get, put})
		for _, p := range procs {
			_ = p.Process.Signal(os.Interrupt)
			_ = p.Wait()
		}
	}
	fmt.Printf("\nStorage configurations side by side (%d s each; GET: %d clients, 1 KiB, authenticated; PUT: %d clients, 1 MiB new artifacts)\n",
		*seconds, *getClients, *putClients)
	fmt.Printf("%-30s %10s %9s %9s %8s  %9s %9s %8s  %s\n", "", "GET req/s", "p50 ms", "p99 ms", "ratio", "PUT MB/s", "p99 ms", "ratio", "errors")
	for i, r := range results {
		fmt.Printf("%-30s %10.0f %9.2f %9.2f %8.2f  %9.1f %9.1f %8.2f  %d/%d\n", configs[i].name,
			r.get.perSec(), r.get.pct(50), r.get.pct(99), r.get.perSec()/results[0].get.perSec(),
			r.put.bytesPerSec()/1e6, r.put.pct(99), r.put.bytesPerSec()/results[0].put.bytesPerSec(), r.get.errors, r.put.errors)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "clusterbench:", err)
	os.Exit(1)
}

// startNode runs arca serve on a free port with its own data directory and extra environment,
// and waits for its ping.
func startNode(bin, dir string, env []string) (string, *exec.Cmd, error) {
	port, err := testnet.FreePort()
	if err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "serve", "--listen", addr, "--data-dir", dir)
	cmd.Env = append(append(os.Environ(), "ARCA_ADMIN_PASSWORD="+password, "ARCA_LOG_LEVEL=warn"), env...)
	log, err := os.Create(dir + ".log")
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	base := "http://" + addr + "/artifactory"
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/api/system/ping"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base, cmd, nil
			}
		}
	}
	return "", nil, fmt.Errorf("node %s not ready (see %s.log)", addr, dir)
}

// prepare creates bench-local and 100 small files in it.
func prepare(base string) error {
	if _, err := request("PUT", base+"/api/repositories/bench-local", []byte(`{"rclass":"local","packageType":"generic"}`)); err != nil {
		return err
	}
	small := bytes.Repeat([]byte("x"), 1024)
	for i := range 100 {
		if _, err := request("PUT", base+"/bench-local/small/f"+strconv.Itoa(i)+".bin", small); err != nil {
			return err
		}
	}
	return nil
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: time.Minute}

// request sends one request as admin and fails unless the answer is a 2xx; it returns the
// bytes of the response body.
func request(method, url string, body []byte) (int64, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, err
	}
	r.SetBasicAuth("admin", password)
	res, err := client.Do(r)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 {
		return n, fmt.Errorf("%s %s: %s", method, url, res.Status)
	}
	return n, err
}

// measurement is what clients saw over a run.
type measurement struct {
	dur       time.Duration
	latencies []time.Duration
	bytes     int64
	errors    int
}

func (m measurement) perSec() float64      { return float64(len(m.latencies)) / m.dur.Seconds() }
func (m measurement) bytesPerSec() float64 { return float64(m.bytes) / m.dur.Seconds() }

// pct returns the p-th percentile latency in milliseconds.
func (m measurement) pct(p int) float64 {
	if len(m.latencies) == 0 {
		return 0
	}
	i := min(len(m.latencies)-1, len(m.latencies)*p/100)
	return float64(m.latencies[i].Microseconds()) / 1000
}

// measure runs clients goroutines for dur, each sending op to the bases in turn (round robin
// by client), and collects the latencies of the successful ones.
func measure(bases []string, clients int, dur time.Duration, op func(base string, client, n int) (int64, error)) measurement {
	var mu sync.Mutex
	m := measurement{dur: dur}
	end := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var lat []time.Duration
			var bytes int64
			errs := 0
			for n := 0; time.Now().Before(end); n++ {
				t0 := time.Now()
				b, err := op(bases[(c+n)%len(bases)], c, n)
				if err != nil {
					errs++
					continue
				}
				lat, bytes = append(lat, time.Since(t0)), bytes+b
			}
			mu.Lock()
			m.latencies, m.bytes, m.errors = append(m.latencies, lat...), m.bytes+bytes, m.errors+errs
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(m.latencies)
	return m
}
