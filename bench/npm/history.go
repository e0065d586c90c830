//go:build ignore

// history drives bench/npm-history.sh's measurements against a running Arca over HTTP:
//
//	go run bench/npm/history.go -base http://127.0.0.1:PORT/artifactory -auth admin:secret -pid PID
//
// Part "publish": publishes VERSIONS versions of one package to npm-local, one PUT each with
// the body npm publish sends (manifest, dist, the tarball base64-attached), and reports the
// latency of the publishes around the 1st, the middle and the last (a window of -window
// publishes each) and the server's CPU time per publish over each window. -rounds packages.
// Part "merge": a package with VERSIONS/2 versions in npm-local and as many in npm-local2,
// read through npm-virtual (both members); times the first GET after one version was
// published to npm-local2 (rounds of -gets), full and abbreviated+gzip, and a warm GET.
// Output: one "key value" line per figure, for the script to report.
package main

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

var (
	base   = flag.String("base", "", "Arca's /artifactory URL")
	auth   = flag.String("auth", "admin:secret", "user:password")
	pid    = flag.Int("pid", 0, "the arca process, for its CPU time (0: not reported)")
	n      = flag.Int("versions", 2000, "versions published per package")
	window = flag.Int("window", 21, "publishes timed around each mark")
	rounds = flag.Int("rounds", 3, "packages published (publish part)")
	gets   = flag.Int("gets", 5, "timed first GETs per form (merge part)")
	part   = flag.String("part", "publish merge", "parts to run")
	prefix = flag.String("name", "hist", "package name prefix")
	client = &http.Client{Timeout: 120 * time.Second}
	clkTck = 100.0 // USER_HZ on Linux
)

func main() {
	flag.Parse()
	if strings.Contains(*part, "publish") {
		publishPart()
	}
	if strings.Contains(*part, "merge") {
		mergePart()
	}
}

// body is what npm publish sends for name@version.
func body(name, version string) []byte {
	data := []byte(fmt.Sprintf("tarball of %s@%s %s", name, version, strings.Repeat("x", 512)))
	s512, s1 := sha512.Sum512(data), sha1.Sum(data)
	file := name + "-" + version + ".tgz"
	man := map[string]any{"name": name, "version": version, "_id": name + "@" + version, "description": "a package with a long history",
		"main": "index.js", "scripts": map[string]string{"test": "node test.js"}, "license": "MIT",
		"dependencies": map[string]string{"left-pad": "^1.3.0", "chalk": "^5.0.0"}, "readme": "# " + name,
		"_nodeVersion": "20.19.0", "_npmVersion": "11.4.2",
		"dist": map[string]any{"shasum": hex.EncodeToString(s1[:]), "integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
			"tarball": "http://registry.invalid/" + name + "/-/" + file}}
	b, _ := json.Marshal(map[string]any{"_id": name, "name": name, "description": "a package with a long history", "readme": "# " + name,
		"dist-tags": map[string]string{"latest": version}, "versions": map[string]any{version: man}, "access": nil,
		"_attachments": map[string]any{file: map[string]any{"content_type": "application/octet-stream",
			"data": base64.StdEncoding.EncodeToString(data), "length": len(data)}}})
	return b
}

func do(method, url string, b []byte, header ...string) (time.Duration, int) {
	r, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	u, p, _ := strings.Cut(*auth, ":")
	r.SetBasicAuth(u, p)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	t0 := time.Now()
	res, err := client.Do(r)
	if err != nil {
		log.Fatalf("%s %s: %v", method, url, err)
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	d := time.Since(t0)
	if res.StatusCode >= 300 {
		log.Fatalf("%s %s: status %d", method, url, res.StatusCode)
	}
	return d, int(n)
}

func publish(repo, name, version string) time.Duration {
	d, _ := do("PUT", *base+"/api/npm/"+repo+"/"+name, body(name, version), "Content-Type", "application/json")
	return d
}

// cpuTicks is the server's user+system CPU time in clock ticks (0 without -pid).
func cpuTicks() float64 {
	if *pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", *pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	var u, s float64
	fmt.Sscan(f[11], &u)
	fmt.Sscan(f[12], &s)
	return u + s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func version(i int) string { return fmt.Sprintf("1.%d.%d", i/1000, i%1000) }

func publishPart() {
	w := min(*window, *n)
	marks := []struct {
		label    string
		from, to int // publishes [from, to), 0-based
	}{{"first", 0, w}, {"middle", *n/2 - w/2, *n/2 - w/2 + w}, {"last", *n - w, *n}}
	for r := 1; r <= *rounds; r++ {
		name := fmt.Sprintf("%s-r%d", *prefix, r)
		lat := make([]float64, *n)
		cpuAt := map[int]float64{}
		for i := 0; i < *n; i++ {
			for _, m := range marks {
				if i == m.from {
					cpuAt[i] = cpuTicks()
				}
			}
			lat[i] = ms(publish("npm-local", name, version(i)))
			for _, m := range marks {
				if i == m.to-1 {
					cpuAt[-m.to] = cpuTicks()
				}
			}
		}
		for _, m := range marks {
			win := lat[m.from:m.to]
			cpu := (cpuAt[-m.to] - cpuAt[m.from]) / clkTck * 1000 / float64(m.to-m.from)
			fmt.Printf("publish %s %d %d %.2f %.2f %.2f %.2f\n", m.label, r, m.from+1, median(win), slices.Min(win), slices.Max(win), cpu)
		}
	}
}

func mergePart() {
	name := *prefix + "-merged"
	half := *n / 2
	for i := 0; i < half; i++ {
		publish("npm-local", name, version(i))
		publish("npm-local2", name, fmt.Sprintf("2.%d.%d", i/1000, i%1000))
	}
	url := *base + "/api/npm/npm-virtual/" + name
	forms := []struct {
		label  string
		header []string
	}{{"full", []string{"Accept", "application/json"}}, {"abbreviated-gzip", []string{"Accept", "application/vnd.npm.install-v1+json", "Accept-Encoding", "gzip"}}}
	// The first GET ever merges from cold (nothing of the package parsed or rendered yet).
	for _, f := range forms {
		d, size := do("GET", url, nil, f.header...)
		fmt.Printf("merge cold %s %.2f %d\n", f.label, ms(d), size)
	}
	next := half
	for _, f := range forms {
		var first, warm []float64
		for g := 0; g < *gets; g++ {
			publish("npm-local2", name, fmt.Sprintf("3.0.%d", next))
			next++
			d, _ := do("GET", url, nil, f.header...)
			first = append(first, ms(d))
			d, _ = do("GET", url, nil, f.header...)
			warm = append(warm, ms(d))
		}
		fmt.Printf("merge changed %s %.2f %.2f %.2f\n", f.label, median(first), slices.Min(first), slices.Max(first))
		fmt.Printf("merge warm %s %.2f %.2f %.2f\n", f.label, median(warm), slices.Min(warm), slices.Max(warm))
	}
}
