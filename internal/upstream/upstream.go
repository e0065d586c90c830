// Package upstream is the HTTP client of remote repositories: it builds upstream requests
// (URL, query parameters, credentials, the inter-instance headers) and classifies failures, so
// the remote repository logic in package repo never inspects HTTP statuses itself.
package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"arca"
)

// The errors a fetch can fail with, besides arca.ErrNotFound (the upstream answered 404/410).
var (
	// ErrUnavailable: the upstream answered 5xx or 429 (it is there, but cannot serve now).
	ErrUnavailable = errors.New("upstream unavailable")
	// ErrUnreachable: a network failure (refused, reset, DNS): the upstream is assumed offline.
	ErrUnreachable = errors.New("upstream unreachable")
	// ErrTimeout: no answer within the socket timeout.
	ErrTimeout = errors.New("upstream timed out")
)

// Config is one remote repository's upstream.
type Config struct {
	URL         string // the repository URL; paths are appended to it
	Username    string
	Password    string
	QueryParams string        // "a=1&b=2", added to every request
	Timeout     time.Duration // socket timeout: connect, and each wait for data
	InstanceID  string        // this instance's id, appended to X-Artifactory-Originated
}

// Request is one upstream request.
type Request struct {
	Method string // GET or HEAD; POST for the endpoints a format forwards (npm's audit)
	Path   string // repository path, cleaned; "dir/" (trailing slash) for a folder listing
	// Body and Header are a forwarded request's body and its content headers (POST only).
	Body   []byte
	Header http.Header
	// Originated are the instance ids the incoming request already carried.
	Originated []string
	// ETag and LastModified make the request conditional (revalidation of cached metadata).
	ETag         string
	LastModified string
}

// Response is an upstream answer with status 200 or 304. The caller closes Body (also after a
// 304, whose Body is empty).
type Response struct {
	Status int
	Header http.Header
	Body   io.ReadCloser
	// Size is the Content-Length, or -1 when the upstream did not say.
	Size int64
	// Checksums are the ones the upstream declared in X-Checksum-* headers (empty fields when
	// it declared none).
	Checksums arca.Checksums
}

// Client fetches from one upstream. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client
}

// New returns a client for cfg. The transport never asks for compression, so bodies arrive as
// stored upstream and their checksums can be verified.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(cfg.URL, "/") + "/")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, arca.Errorf(arca.ErrInvalid, "remote url %q is not an http(s) URL", cfg.URL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		ResponseHeaderTimeout: cfg.Timeout,
		DisableCompression:    true,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Client{cfg: cfg, base: u, http: &http.Client{Transport: tr, CheckRedirect: folderRedirect}}, nil
}

// folderRedirect follows redirects, except one that only appends "/" to the path: that is how
// repository servers answer a request for a folder, which is not an artifact (and whose index
// page must never be cached as one). The redirect itself is then the answer.
func folderRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	prev := via[len(via)-1].URL
	if req.URL.Host == prev.Host && req.URL.Path == prev.Path+"/" {
		return http.ErrUseLastResponse
	}
	return nil
}

// URL returns the upstream URL of a repository path.
func (c *Client) URL(p string) string {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + p
	u.RawPath = ""
	if c.cfg.QueryParams != "" {
		u.RawQuery = c.cfg.QueryParams
	}
	return u.String()
}

// Do sends req. A 200 (or 304 for a conditional request) is returned as a Response; a 404 or
// 410 is arca.ErrNotFound; 5xx and 429 are ErrUnavailable; network failures ErrUnreachable;
// timeouts ErrTimeout; any other status an error saying what the upstream answered.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	// The socket timeout also bounds every wait for body data: a timer cancels the request when
	// no read completes in time (net/http has no per-read deadline for client bodies).
	ctx, cancel := context.WithCancel(ctx)
	idle := &idleBody{timeout: c.cfg.Timeout, cancel: cancel, url: c.URL(req.Path)}
	idle.timer = time.AfterFunc(c.cfg.Timeout, idle.expire)
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, c.URL(req.Path), body)
	if err != nil {
		idle.stop()
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if c.cfg.Username != "" || c.cfg.Password != "" {
		hr.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
	origins := append(append([]string(nil), req.Originated...), c.cfg.InstanceID)
	hr.Header.Set("X-Artifactory-Originated", strings.Join(origins, ","))
	hr.Header.Set("Origin-Artifactory", c.cfg.InstanceID)
	hr.Header.Set("User-Agent", "Arca")
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	res, err := c.http.Do(hr)
	if err != nil {
		idle.stop()
		if idle.expired.Load() {
			return nil, fmt.Errorf("%w: %s: no answer within %v", ErrTimeout, idle.url, c.cfg.Timeout)
		}
		return nil, classify(err, c.URL(req.Path))
	}
	switch {
	case res.StatusCode == http.StatusOK || res.StatusCode == http.StatusNotModified:
		idle.body = res.Body
		idle.timer.Stop() // from now on the timer runs only while a read waits
		return &Response{Status: res.StatusCode, Header: res.Header, Body: idle, Size: res.ContentLength,
			Checksums: declared(res.Header)}, nil
	}
	idle.stop()
	res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone || isFolderRedirect(res):
		return nil, arca.Errorf(arca.ErrNotFound, "upstream %s answered %s", c.URL(req.Path), res.Status)
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%w: %s answered %s", ErrUnavailable, c.URL(req.Path), res.Status)
	}
	return nil, fmt.Errorf("%w: %s answered %s", ErrUnavailable, c.URL(req.Path), res.Status)
}

// isFolderRedirect reports the answer folderRedirect stopped at: the path is a folder.
func isFolderRedirect(res *http.Response) bool {
	if res.StatusCode < 300 || res.StatusCode > 399 {
		return false
	}
	loc, err := res.Location()
	return err == nil && loc.Path == res.Request.URL.Path+"/"
}

// classify turns a transport error into ErrTimeout or ErrUnreachable (context cancellation of
// the caller stays as it is).
func classify(err error, u string) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: %s: %v", ErrTimeout, u, err)
	}
	return fmt.Errorf("%w: %s: %v", ErrUnreachable, u, err)
}

// declared reads the checksums an upstream declares (Artifactory's X-Checksum-* headers).
func declared(h http.Header) arca.Checksums {
	hexOf := func(k string, n int) string {
		v := strings.ToLower(strings.TrimSpace(h.Get(k)))
		if len(v) != n {
			return ""
		}
		return v
	}
	return arca.Checksums{SHA256: hexOf("X-Checksum-Sha256", 64), SHA1: hexOf("X-Checksum-Sha1", 40), MD5: hexOf("X-Checksum-Md5", 32)}
}

// idleBody enforces the socket timeout on body reads: a read that waits longer than the timeout
// cancels the request and fails with ErrTimeout.
type idleBody struct {
	body    io.ReadCloser
	timeout time.Duration
	timer   *time.Timer
	cancel  context.CancelFunc
	url     string
	expired atomic.Bool
}

func (b *idleBody) expire() {
	b.expired.Store(true)
	b.cancel()
}

func (b *idleBody) stop() {
	b.timer.Stop()
	b.cancel()
}

// Read implements io.Reader. Only the time spent waiting inside a read counts, so a slow
// consumer is never mistaken for a slow upstream.
func (b *idleBody) Read(p []byte) (int, error) {
	if b.expired.Load() {
		return 0, fmt.Errorf("%w: %s: no data for %v", ErrTimeout, b.url, b.timeout)
	}
	b.timer.Reset(b.timeout)
	n, err := b.body.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF && b.expired.Load() {
		return n, fmt.Errorf("%w: %s: no data for %v", ErrTimeout, b.url, b.timeout)
	}
	return n, err
}

// Close implements io.Closer.
func (b *idleBody) Close() error {
	b.stop()
	return b.body.Close()
}
