package e2e

import (
	"bytes"
	"io"
	"net/http"
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
