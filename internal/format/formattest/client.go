package formattest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Client talks to an Instance as its administrator.
type Client struct {
	Instance
	http *http.Client
}

// NewClient returns a client of in that does not follow redirects (a protocol's answer is
// checked as sent).
func NewClient(in Instance) *Client {
	return &Client{Instance: in, http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Result is an answer.
type Result struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request to Base+path (path is sent as written: escapes are kept) with a JSON
// content type when body is not nil. A transport failure is status 0.
func (c *Client) Do(method, path string, body []byte) Result {
	return c.DoHeader(method, path, body, nil)
}

// DoHeader is Do with extra request headers.
func (c *Client) DoHeader(method, path string, body []byte, header http.Header) Result {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		return Result{Body: []byte(err.Error())}
	}
	r.URL.Opaque = "//" + r.URL.Host + rawPath(c.Base+path) // keep %2e%2e and %2f as written
	for k, v := range header {
		r.Header[k] = v
	}
	if body != nil && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	r.SetBasicAuth(c.User, c.Password)
	res, err := c.http.Do(r)
	if err != nil {
		return Result{Body: []byte(err.Error())}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Result{Status: res.StatusCode, Header: res.Header, Body: b}
}

// rawPath is the path of an absolute URL as written (no query).
func rawPath(u string) string {
	rest := u[strings.Index(u, "://")+3:]
	p := rest[strings.IndexByte(rest, '/'):]
	p, _, _ = strings.Cut(p, "?")
	return p
}

// CreateRepo creates a repository from its JSON configuration.
func (c *Client) CreateRepo(t *testing.T, key, config string) {
	t.Helper()
	if res := c.Do("PUT", "/api/repositories/"+key, []byte(config)); res.Status != http.StatusOK {
		t.Fatalf("creating %s: %d %s", key, res.Status, trunc(res.Body))
	}
}

// Files lists the paths of the files stored in repo (the storage API's deep list).
func (c *Client) Files(t *testing.T, repo string) []string {
	t.Helper()
	res := c.Do("GET", "/api/storage/"+repo+"?list&deep=1&listFolders=0", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("listing %s: %d %s", repo, res.Status, trunc(res.Body))
	}
	var doc struct {
		Files []struct {
			URI string `json:"uri"`
		} `json:"files"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("listing %s: %v", repo, err)
	}
	var out []string
	for _, f := range doc.Files {
		out = append(out, f.URI)
	}
	sort.Strings(out)
	return out
}

// Proxy is a reverse proxy in front of an instance that counts the requests it forwards. Its
// Base and credentials are the instance's, so remotes use it in the instance's place.
type Proxy struct {
	Instance
	mu    sync.Mutex
	paths map[string]int // path relative to Base, as received → requests
}

// NewProxy starts a counting proxy of in, stopped when t ends.
func NewProxy(t *testing.T, in Instance) *Proxy {
	target, err := url.Parse(in.Base)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{paths: map[string]int{}}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host})
		pr.Out.Host = target.Host
	}}
	prefix := target.EscapedPath()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths[strings.TrimPrefix(r.URL.EscapedPath(), prefix)]++
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.Instance = Instance{Base: srv.URL + prefix, User: in.User, Password: in.Password}
	return p
}

// Count is the number of requests for path (relative to Base; any method).
func (p *Proxy) Count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paths[path]
}

// Paths lists the paths requested so far, with their counts.
func (p *Proxy) Paths() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.paths))
	for k, v := range p.paths {
		out[k] = v
	}
	return out
}
