package e2e

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDownload measures an authenticated GET of a 1 KiB file from a local repository over
// loopback with keep-alive connections: the hot path (authentication cache, repository lookup,
// one metadata query, open, sendfile, statistics record). Compare with bench/download.sh for
// the side-by-side figures against nginx.
func BenchmarkDownload(b *testing.B) {
	s := startBench(b)
	body := bytes.Repeat([]byte("x"), 1024)
	req, _ := http.NewRequest("PUT", s.base+"/bench/f/1k.bin", bytes.NewReader(body))
	req.SetBasicAuth("admin", adminPassword)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		b.Fatalf("deploy: %v %v", err, res)
	}
	res.Body.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := s.base + "/bench/f/1k.bin"
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.SetBasicAuth("admin", adminPassword)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || n != int64(len(body)) {
				b.Errorf("status %d, %d bytes", res.StatusCode, n)
				return
			}
		}
	})
}

// BenchmarkVirtual100 compares the latency of a GET through a virtual repository of 100 local
// members, with the file only in the last one, against a direct GET from that member
// (sequential requests on one keep-alive connection). bench/virtual.sh prints the ratio.
func BenchmarkVirtual100(b *testing.B) {
	s := startBench(b)
	do := func(method, path, body string) {
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		req.SetBasicAuth("admin", adminPassword)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode >= 300 {
			b.Fatalf("%s %s: %v %v", method, path, err, res)
		}
		res.Body.Close()
	}
	var members []string
	for i := 0; i < 100; i++ {
		k := fmt.Sprintf("m%03d", i)
		do("PUT", "/api/repositories/"+k, `{"rclass":"local","packageType":"generic"}`)
		members = append(members, `"`+k+`"`)
	}
	do("PUT", "/api/repositories/v100", `{"rclass":"virtual","packageType":"generic","repositories":[`+strings.Join(members, ",")+`]}`)
	do("PUT", "/m099/org/acme/app/1.0/app-1.0.jar", strings.Repeat("x", 1024))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	get := func(b *testing.B, path string) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest("GET", s.base+path, nil)
			req.SetBasicAuth("admin", adminPassword)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("GET %s: %d", path, res.StatusCode)
			}
		}
	}
	b.Run("direct", func(b *testing.B) { get(b, "/m099/org/acme/app/1.0/app-1.0.jar") })
	b.Run("virtual", func(b *testing.B) { get(b, "/v100/org/acme/app/1.0/app-1.0.jar") })
}

// BenchmarkRemoteColdFetch compares fetching a 4 MiB artifact directly from an upstream HTTP
// server with fetching it through an Arca remote repository on a cold cache (every iteration
// asks for a path Arca has never seen, so each one is an upstream fetch that is streamed to the
// client, verified and stored). bench/remote.sh prints the ratio.
//
// Two upstreams: one at loopback memory speed (the worst case for Arca, whose single ingest pass
// hashes SHA-256, SHA-1 and MD5: MD5 runs at about 700 MB/s on the reference CPU), and one paced
// to 100 MB/s, the order of what a registry across a network delivers.
func BenchmarkRemoteColdFetch(b *testing.B) {
	for _, mbps := range []int{0, 100} {
		name := "loopback"
		if mbps > 0 {
			name = fmt.Sprintf("upstream-%dMBps", mbps)
		}
		b.Run(name, func(b *testing.B) { benchColdFetch(b, mbps) })
	}
}

func benchColdFetch(b *testing.B, mbps int) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16)
	sum := sha1.Sum(body)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Checksum-Sha1", hex.EncodeToString(sum[:]))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if mbps == 0 {
			w.Write(body)
			return
		}
		// Paced: 64 KiB at a time, on schedule for mbps MB/s.
		start, chunk := time.Now(), 64<<10
		for off := 0; off < len(body); off += chunk {
			due := start.Add(time.Duration(float64(off) / float64(mbps*1e6) * float64(time.Second)))
			time.Sleep(time.Until(due))
			w.Write(body[off:min(off+chunk, len(body))])
		}
	}))
	defer up.Close()
	s := startBench(b)
	req, _ := http.NewRequest("PUT", s.base+"/api/repositories/up", strings.NewReader(`{"rclass":"remote","packageType":"generic","url":"`+up.URL+`/files"}`))
	req.SetBasicAuth("admin", adminPassword)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		b.Fatalf("creating the remote: %v %v", err, res)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
	fetch := func(b *testing.B, url string, auth bool) {
		req, _ := http.NewRequest("GET", url, nil)
		if auth {
			req.SetBasicAuth("admin", adminPassword)
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || n != int64(len(body)) {
			b.Fatalf("GET %s: %d, %d bytes", url, res.StatusCode, n)
		}
	}
	b.Run("direct", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		i := 0
		for b.Loop() {
			i++
			fetch(b, fmt.Sprintf("%s/files/d/%d/a.bin", up.URL, i), false)
		}
	})
	b.Run("arca-cold", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		i := 0
		for b.Loop() {
			i++
			fetch(b, fmt.Sprintf("%s/up/c/%d/%d/a.bin", s.base, time.Now().UnixNano(), i), true)
		}
	})
}
