package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"arca/internal/format/npm/npmtest"
)

// client talks to Arca (a node, or the load balancer) as admin.
type client struct{ base string }

type response struct {
	status int
	body   string
}

// httpClient has no overall timeout of its own: each request gets one.
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func (c *client) do(ctx context.Context, method, path string, body io.Reader, ctype string) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.base + path
	}
	r, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return response{}, err
	}
	r.SetBasicAuth("admin", adminPassword)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	res, err := httpClient.Do(r)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	return response{res.StatusCode, string(b)}, nil
}

// upload is an acknowledged deploy and how to read it back.
type upload struct {
	kind    string // generic, maven, npm
	path    string // what to GET (for npm: the packument, whose version names the tarball)
	version string // npm only
	sha256  string
}

// check reads u back and compares its checksum.
func (c *client) check(ctx context.Context, u upload) error {
	path := u.path
	if u.kind == "npm" {
		res, err := c.do(ctx, "GET", u.path, nil, "")
		if err != nil || res.status != 200 {
			return fmt.Errorf("%s: packument: %v %d", u.path, err, res.status)
		}
		var doc struct {
			Versions map[string]struct {
				Dist struct{ Tarball string }
			}
		}
		if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
			return fmt.Errorf("%s: packument: %v", u.path, err)
		}
		v, ok := doc.Versions[u.version]
		if !ok {
			return fmt.Errorf("%s: version %s missing", u.path, u.version)
		}
		tb, err := url.Parse(v.Dist.Tarball)
		if err != nil {
			return err
		}
		path = strings.TrimPrefix(tb.Path, "/artifactory")
	}
	res, err := c.do(ctx, "GET", path, nil, "")
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if res.status != 200 {
		return fmt.Errorf("%s: status %d", path, res.status)
	}
	if sum := sha256.Sum256([]byte(res.body)); hex.EncodeToString(sum[:]) != u.sha256 {
		return fmt.Errorf("%s: content differs from what was deployed", path)
	}
	return nil
}

// workload is the clients' deploys and downloads, and what they saw.
type workload struct {
	c                         *client
	requests, retried, failed atomic.Int64

	mu      sync.Mutex
	uploads []upload
	fails   []string
}

func (w *workload) acked() []upload {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]upload(nil), w.uploads...)
}

func (w *workload) failures() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.fails...)
}

// retryAfter is how long a client waits before its retry: the time a change made through one
// node may take to show on the others (a read through another node right after a write may
// see the state of just before it), and about what real clients wait (npm's first retry
// waits 10 s).
const retryAfter = time.Second

// try runs op, and once more after retryAfter if it fails (a client's retry); a second
// failure is recorded.
func (w *workload) try(what string, op func() error) bool {
	w.requests.Add(1)
	err := op()
	if err == nil {
		return true
	}
	w.retried.Add(1)
	time.Sleep(retryAfter)
	if err = op(); err == nil {
		return true
	}
	w.failed.Add(1)
	w.mu.Lock()
	w.fails = append(w.fails, what+": "+err.Error())
	w.mu.Unlock()
	return false
}

// run is client id: deploys of each kind in turn, each read back through the load balancer,
// until ctx is done.
func (w *workload) run(ctx context.Context, id int) {
	bg := context.Background() // a request under way finishes even when the time is up
	for n := 0; ctx.Err() == nil; n++ {
		content := strings.Repeat(fmt.Sprintf("client %d artifact %d\n", id, n), 200+n%7*100)
		sum := sha256.Sum256([]byte(content))
		u := upload{sha256: hex.EncodeToString(sum[:])}
		var put func() error
		switch n % 3 {
		case 0:
			u.kind, u.path = "generic", fmt.Sprintf("/generic/c%d/f%d.bin", id, n)
			put = func() error { return w.put(bg, u.path, content, "application/octet-stream", 201) }
		case 1:
			u.kind, u.path = "maven", fmt.Sprintf("/maven/org/acme/c%d/a%d/1.0/a%d-1.0.jar", id, n, n)
			put = func() error { return w.put(bg, u.path, content, "application/java-archive", 201) }
		default:
			name := fmt.Sprintf("pkg-c%d", id)
			u.kind, u.path, u.version = "npm", "/api/npm/npm/"+name, fmt.Sprintf("1.0.%d", n)
			doc := npmtest.PublishBody(name, u.version, content)
			put = func() error {
				err := w.put(bg, u.path, doc, "application/json", 201)
				// A retry of a publish the first attempt completed finds the version there:
				// the read back below proves it is the one deployed.
				if err != nil && (strings.Contains(err.Error(), "status 403") || strings.Contains(err.Error(), "status 409")) {
					return nil
				}
				return err
			}
		}
		if !w.try("deploy "+u.path, put) {
			continue
		}
		w.mu.Lock()
		w.uploads = append(w.uploads, u)
		w.mu.Unlock()
		w.try("download "+u.path, func() error { return w.c.check(bg, u) })
	}
}

// put deploys body at path and wants status.
func (w *workload) put(ctx context.Context, path, body, ctype string, want int) error {
	res, err := w.c.do(ctx, "PUT", path, strings.NewReader(body), ctype)
	if err != nil {
		return err
	}
	if res.status != want {
		return fmt.Errorf("status %d: %.200s", res.status, res.body)
	}
	return nil
}
