package acceptance

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jfrog/jfrog-client-go/artifactory"
	rtauth "github.com/jfrog/jfrog-client-go/artifactory/auth"
	"github.com/jfrog/jfrog-client-go/auth"
	"github.com/jfrog/jfrog-client-go/config"
)

// client is a jfrog-client-go services manager whose HTTP exchanges are recorded.
type client struct {
	artifactory.ArtifactoryServicesManager
	rec *recorder
}

// newClient returns a client that authenticates as admin with Basic auth, as the JFrog CLI does
// when configured with --basic-auth-only.
func newClient(t testing.TB) *client {
	t.Helper()
	return buildClient(t, func(d auth.ServiceDetails) {
		d.SetUser(adminUser)
		d.SetPassword(adminPassword)
	})
}

// newTokenClient returns a client that sends token as "Authorization: Bearer".
func newTokenClient(t testing.TB, token string) *client {
	t.Helper()
	return buildClient(t, func(d auth.ServiceDetails) {
		d.SetAccessToken(token)
	})
}

func buildClient(t testing.TB, setAuth func(auth.ServiceDetails)) *client {
	t.Helper()
	details := rtauth.NewArtifactoryDetails()
	details.SetUrl(baseURL)
	setAuth(details)

	rec := &recorder{next: newTransport()}
	cfg, err := config.NewConfigBuilder().
		SetServiceDetails(details).
		SetHttpClient(&http.Client{Transport: rec}).
		SetThreads(3).
		// No retries: a 5xx must fail the test at once, and the recorded exchanges stay exact.
		SetHttpRetries(0).
		Build()
	if err != nil {
		t.Fatalf("client config: %v", err)
	}
	sm, err := artifactory.New(cfg)
	if err != nil {
		t.Fatalf("artifactory.New: %v", err)
	}
	return &client{ArtifactoryServicesManager: sm, rec: rec}
}

func newTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // the server is on loopback; never go through a proxy from the environment
	return tr
}

// exchange is one recorded HTTP request and its response.
type exchange struct {
	Method     string
	Path       string // decoded URL path, matrix parameters included
	RawQuery   string
	Header     http.Header // request headers
	BodyBytes  int64       // request body bytes actually sent
	Status     int         // 0 if the round trip failed
	RespHeader http.Header
}

func (e exchange) String() string {
	q := ""
	if e.RawQuery != "" {
		q = "?" + e.RawQuery
	}
	return fmt.Sprintf("%s %s%s (body %d) -> %d", e.Method, e.Path, q, e.BodyBytes, e.Status)
}

// recorder is an http.RoundTripper that records every exchange passing through it.
type recorder struct {
	next http.RoundTripper

	mu  sync.Mutex
	log []*exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := &exchange{
		Method:   req.Method,
		Path:     req.URL.Path,
		RawQuery: req.URL.RawQuery,
		Header:   req.Header.Clone(),
	}
	var body *countingBody
	if req.Body != nil && req.Body != http.NoBody {
		body = &countingBody{ReadCloser: req.Body}
		req = req.Clone(req.Context())
		req.Body = body
	}
	resp, err := r.next.RoundTrip(req)
	if body != nil {
		ex.BodyBytes = body.n.Load()
	}
	if resp != nil {
		ex.Status = resp.StatusCode
		ex.RespHeader = resp.Header.Clone()
	}
	r.mu.Lock()
	r.log = append(r.log, ex)
	r.mu.Unlock()
	return resp, err
}

// reset forgets everything recorded so far.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = nil
}

// find returns the recorded exchanges with the given method (any if empty) whose path, relative
// to /artifactory/, satisfies match.
func (r *recorder) find(method string, match func(rel string) bool) []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []exchange
	for _, ex := range r.log {
		rel := strings.TrimPrefix(ex.Path, "/artifactory/")
		if (method == "" || ex.Method == method) && match(rel) {
			out = append(out, *ex)
		}
	}
	return out
}

// dump renders the whole log, for failure messages.
func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, ex := range r.log {
		b.WriteString("\n\t" + ex.String())
	}
	return b.String()
}

type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// pathIs matches a path relative to /artifactory/ exactly, ignoring matrix parameters.
func pathIs(want string) func(string) bool {
	return func(rel string) bool {
		p, _, _ := strings.Cut(rel, ";")
		return p == want
	}
}

// rawRequest sends one request with Basic auth straight to the server, outside jfrog-client-go,
// and returns the response with its body read.
func rawRequest(t testing.TB, method, relURL string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, baseURL+relURL, body)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(adminUser, adminPassword)
	resp, err := (&http.Client{Transport: newTransport()}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, relURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, relURL, err)
	}
	return resp, b
}

// getJSON GETs relURL with Basic auth, requires 200 and decodes the body into v.
func getJSON(t testing.TB, relURL string, v any) {
	t.Helper()
	resp, body := rawRequest(t, http.MethodGet, relURL, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", relURL, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decoding %q: %v", relURL, body, err)
	}
}
