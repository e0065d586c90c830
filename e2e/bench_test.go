package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
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
