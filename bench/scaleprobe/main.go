// Command scaleprobe takes the timings of the scale benchmark (bench/scale.sh) with a Go HTTP
// client, which times requests more finely than spawning curl would:
//
//	scaleprobe ready   -url U -n N -- CMD ARGS…   start CMD N times; time from start until U answers 200
//	scaleprobe latency -url U[,U2…|@FILE] -n N [-method M -body B] [-warm]
//	                                               N sequential requests (after a warm-up), p50/p99
//	scaleprobe pages   -url U -limit L -n N        first, middle and last page of a paged listing
//	scaleprobe gc      -base B -url U[,…] -idle D  p99 of sequential GETs idle, then during
//	                                               POST B/api/system/storage/gc; its duration
//	scaleprobe put     -url U -n N                 deploy N files of 512 B to 2 KiB of random
//	                                               bytes as U/file-I.bin; print their URLs
//
// Every line of output is "name value…" for the shell script to read. Credentials come from
// ARCA_USER and ARCA_PASSWORD (basic auth). It exits 0 when it could measure, 1 otherwise.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("scaleprobe: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: scaleprobe ready|latency|pages|gc|put [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	u := fs.String("url", "", "URL (latency and gc: a comma-separated list, requested in turn)")
	n := fs.Int("n", 200, "requests (ready: starts)")
	method := fs.String("method", "GET", "request method")
	body := fs.String("body", "", "request body")
	limit := fs.Int("limit", 1000, "page size")
	base := fs.String("base", "", "the server's /artifactory URL")
	idle := fs.Duration("idle", 5*time.Second, "gc: how long to measure the idle server")
	warm := fs.Bool("warm", false, "latency: request every URL once, untimed, first (warm caches)")
	if err := fs.Parse(os.Args[2:]); err != nil {
		log.Fatal(err)
	}
	urls, err := urlList(*u)
	if err != nil {
		log.Fatal(err)
	}
	switch os.Args[1] {
	case "ready":
		err = ready(*u, *n, fs.Args())
	case "latency":
		err = latency(urls, *n, *method, *body, *warm)
	case "pages":
		err = pages(*u, *limit, *n)
	case "gc":
		err = gcRun(*base, urls, *idle)
	case "put":
		err = put(*u, *n)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// urlList reads -url: a comma-separated list, or @FILE for one URL a line.
func urlList(u string) ([]string, error) {
	if file, ok := strings.CutPrefix(u, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return strings.Fields(string(b)), nil
	}
	return strings.Split(u, ","), nil
}

var client = &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}

// do sends one request and reads the whole answer; a status other than 200 is an error.
func do(method, u, body string) ([]byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return nil, err
	}
	if user := os.Getenv("ARCA_USER"); user != "" {
		req.SetBasicAuth(user, os.Getenv("ARCA_PASSWORD"))
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/plain")
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: %s: %.200s", method, u, res.Status, b)
	}
	return b, err
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

// quantile returns the q-quantile (nearest rank) of sorted ds.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// summary prints "name p50 p99 max n" of ds (ms).
func summary(name string, ds []time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	fmt.Printf("%s %s %s %s %d\n", name, ms(quantile(s, 0.5)), ms(quantile(s, 0.99)), ms(s[len(s)-1]), len(s))
}

// ready starts the command n times, each time measuring how long until u answers 200, then
// stopping it with SIGTERM and waiting for it to exit.
func ready(u string, n int, argv []string) error {
	if len(argv) == 0 {
		return fmt.Errorf("ready: no command")
	}
	var ds []time.Duration
	for range n {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		begin := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var d time.Duration
		for {
			if _, err := do("GET", u, ""); err == nil {
				d = time.Since(begin)
				break
			}
			select {
			case err := <-exited:
				return fmt.Errorf("ready: the server exited before answering: %v", err)
			case <-time.After(2 * time.Millisecond):
			}
			if time.Since(begin) > time.Minute {
				_ = cmd.Process.Kill()
				return fmt.Errorf("ready: no answer within a minute")
			}
		}
		ds = append(ds, d)
		fmt.Printf("ready-run %s\n", ms(d))
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		client.CloseIdleConnections()
	}
	summary("ready", ds)
	return nil
}

// latency times n sequential requests (after n/10 untimed ones, or with warm one untimed
// request of every URL), going round urls in strides from a random start.
func latency(urls []string, n int, method, body string, warm bool) error {
	untimed := max(n/10, 5)
	if warm {
		untimed = len(urls)
	}
	for i := range untimed {
		if _, err := do(method, urls[i%len(urls)], body); err != nil {
			return err
		}
	}
	ds := make([]time.Duration, 0, n)
	start := rand.IntN(len(urls)) // each run its own stretch of a long list: first touches stay first
	for i := range n {
		begin := time.Now()
		if _, err := do(method, urls[(start+i*7919)%len(urls)], body); err != nil {
			return err
		}
		ds = append(ds, time.Since(begin))
	}
	summary("latency", ds)
	return nil
}

// pages reads the complete listing at u once (untimed), then times n reads each of its first,
// middle and last page of limit entries, addressed with after= as a client paging would.
func pages(u string, limit, n int) error {
	b, err := do("GET", u, "")
	if err != nil {
		return err
	}
	var doc struct {
		Files    []struct{ URI string }
		Children []struct{ URI string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("pages: %v", err)
	}
	var uris []string
	for _, f := range doc.Files {
		uris = append(uris, f.URI)
	}
	for _, c := range doc.Children {
		uris = append(uris, c.URI)
	}
	total := len(uris)
	if total < 3*limit {
		return fmt.Errorf("pages: the listing has %d entries, fewer than 3 pages of %d", total, limit)
	}
	fmt.Printf("entries %d\n", total)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	lastStart := (total - 1) / limit * limit
	for _, p := range []struct {
		name  string
		start int
	}{{"first", 0}, {"middle", total / limit / 2 * limit}, {"last", lastStart}} {
		pu := u + sep + "limit=" + fmt.Sprint(limit)
		if p.start > 0 {
			pu += "&after=" + url.QueryEscape(uris[p.start-1])
		}
		var ds []time.Duration
		for i := range n + 3 {
			begin := time.Now()
			b, err := do("GET", pu, "")
			if err != nil {
				return err
			}
			if i < 3 {
				if i == 0 {
					if err := checkPage(b, uris[p.start:min(p.start+limit, total)]); err != nil {
						return fmt.Errorf("pages: %s page: %v", p.name, err)
					}
				}
				continue // warm-up
			}
			ds = append(ds, time.Since(begin))
		}
		summary("page-"+p.name, ds)
	}
	return nil
}

// checkPage verifies that a page holds exactly want.
func checkPage(b []byte, want []string) error {
	var doc struct {
		Files    []struct{ URI string }
		Children []struct{ URI string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	var got []string
	for _, f := range doc.Files {
		got = append(got, f.URI)
	}
	for _, c := range doc.Children {
		got = append(got, c.URI)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("got %d entries (%.3v…), want %d (%.3v…)", len(got), got, len(want), want)
	}
	return nil
}

// gcRun measures sequential GETs of urls for idle, then during a garbage collection started
// with POST base/api/system/storage/gc, until it answers.
func gcRun(base string, urls []string, idle time.Duration) error {
	run := func(stop func() bool) ([]time.Duration, error) {
		var ds []time.Duration
		for i := 0; !stop(); i++ {
			begin := time.Now()
			if _, err := do("GET", urls[(i*7919)%len(urls)], ""); err != nil {
				return nil, err
			}
			ds = append(ds, time.Since(begin))
		}
		return ds, nil
	}
	end := time.Now().Add(idle)
	ds, err := run(func() bool { return time.Now().After(end) })
	if err != nil {
		return err
	}
	summary("idle", ds)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		text string
		took time.Duration
		err  error
	}
	done := make(chan result, 1)
	begin := time.Now()
	go func() {
		b, err := do("POST", base+"/api/system/storage/gc", "")
		done <- result{strings.TrimSpace(string(b)), time.Since(begin), err}
	}()
	var res result
	finished := false
	ds, err = run(func() bool {
		if finished {
			return true
		}
		select {
		case res = <-done:
			finished = true
			return true
		case <-ctx.Done():
			return true
		default:
			return false
		}
	})
	if err != nil {
		return err
	}
	if res.err != nil {
		return res.err
	}
	summary("during-gc", ds)
	fmt.Printf("gc-duration %s\n", ms(res.took))
	fmt.Printf("gc-answer %s\n", res.text)
	return nil
}

// put deploys n files of 512 B to 2 KiB of random bytes (sizes like the scale data set's blobs)
// as u/file-I.bin, four at a time, and prints their URLs, one a line.
func put(u string, n int) error {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/file-%06d.bin", strings.TrimSuffix(u, "/"), i)
	}
	errs := make(chan error, 4)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			next <- i
		}
	}()
	for range 4 {
		go func() {
			for i := range next {
				body := make([]byte, 512+rand.IntN(1537))
				for j := range body {
					body[j] = byte(rand.Uint32())
				}
				req, err := http.NewRequest(http.MethodPut, urls[i], strings.NewReader(string(body)))
				if err != nil {
					errs <- err
					return
				}
				req.SetBasicAuth(os.Getenv("ARCA_USER"), os.Getenv("ARCA_PASSWORD"))
				res, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("PUT %s: %s", urls[i], res.Status)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			return err
		}
	}
	for _, x := range urls {
		fmt.Println(x)
	}
	return nil
}
