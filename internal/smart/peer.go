// Package smart implements the downstream side of Artifactory's smart remote repositories: the
// requests a remote repository sends to an upstream that is another Artifactory-compatible
// instance (Arca or Artifactory), beyond fetching artifacts. Reference:
// docs/remote.md (smart remotes) and docs/api.md.
//
//   - Peer.Detect: is the upstream a different Artifactory-compatible instance, which version,
//     and does the upstream repository allow smart features?
//   - StatsPusher: queue download events of the remote's cache and push them upstream.
//   - Peer.FetchProperties, Peer.SourceExists, Sync: property sync and origin-absence detection.
//   - ParseListing, Peer.ListHTML, Peer.ListStorage: remote folder listing.
//
// Every request carries X-Artifactory-Originated (and the deprecated Origin-Artifactory) with the
// instance's own id, so an upstream that points back at this instance answers "Recursive call
// detected" instead of looping, and Basic credentials when the Peer has them. The package holds no
// state of its own beyond a StatsPusher's queue; the remote repository decides when to call what.
package smart

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"arca"
)

// Peer is one upstream repository on another instance, as a smart remote repository talks to it.
// It is a value: copy it freely. Methods are safe for concurrent use.
type Peer struct {
	// HTTP sends the requests; it should carry the remote's proxy and timeouts (nil:
	// http.DefaultClient).
	HTTP *http.Client
	// URL is the remote repository's url, under which paths are appended (HEAD and listings).
	URL string
	// Base is "{scheme}://{host}[:{port}]/{first path segment}" and Key the upstream repository
	// key, both derived from URL by Base. NewPeer fills them.
	Base, Key string
	// QueryParams ("a=1&b=2") are added to requests under URL, as to artifact fetches.
	QueryParams string
	// OwnID is this instance's id, sent in X-Artifactory-Originated.
	OwnID string
	// Username and Password are the remote's credentials, sent with Basic authentication when
	// either is set.
	Username, Password string
}

// NewPeer returns the Peer of a remote repository's url, with Base and Key derived from it.
func NewPeer(client *http.Client, remoteURL, ownID, username, password string) Peer {
	base, key := Base(remoteURL)
	return Peer{HTTP: client, URL: strings.TrimSuffix(remoteURL, "/"), Base: base, Key: key,
		OwnID: ownID, Username: username, Password: password}
}

// Base derives the two values the smart features read from a remote repository's url: base is
// "{scheme}://{host}[:{port}]/{first path segment}" (normally ".../artifactory"), upstreamKey the
// last path segment (percent-decoded). The query and fragment are ignored, and so is a trailing
// slash. A url that does not parse, or has no path, gives "" for what it lacks.
//
//	https://h:8443/artifactory/libs-release/   → https://h:8443/artifactory, libs-release
//	https://h/artifactory/api/npm/npm-remote   → https://h/artifactory,      npm-remote
func Base(remoteURL string) (base, upstreamKey string) {
	u, err := url.Parse(strings.TrimSpace(remoteURL))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", ""
	}
	escaped := strings.Trim(u.EscapedPath(), "/")
	if escaped == "" {
		return u.Scheme + "://" + u.Host, ""
	}
	first, _, _ := strings.Cut(escaped, "/")
	segs := strings.Split(escaped, "/")
	last, err := url.PathUnescape(segs[len(segs)-1])
	if err != nil {
		last = segs[len(segs)-1]
	}
	return u.Scheme + "://" + u.Host + "/" + first, last
}

// itemURL is URL + "/" + the escaped repository path p, with the remote's query parameters.
func (p Peer) itemURL(path string) string {
	s := strings.TrimSuffix(p.URL, "/") + "/" + escapePath(path)
	if p.QueryParams != "" {
		s += "?" + p.QueryParams
	}
	return s
}

// apiURL is Base + "/api/" + rest (rest already escaped).
func (p Peer) apiURL(rest string) string { return strings.TrimSuffix(p.Base, "/") + "/api/" + rest }

// escapePath escapes each segment of a repository path, keeping the slashes (and a trailing one).
func escapePath(p string) string {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// do sends one request with the inter-instance headers and credentials. The caller closes the
// response body.
func (p Peer) do(ctx context.Context, method, u string, body io.Reader, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("smart: %s %s: %w", method, u, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if p.OwnID != "" {
		req.Header.Set("X-Artifactory-Originated", p.OwnID)
		req.Header.Set("Origin-Artifactory", p.OwnID)
	}
	req.Header.Set("User-Agent", "Arca")
	if p.Username != "" || p.Password != "" {
		req.SetBasicAuth(p.Username, p.Password)
	}
	c := p.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: smart: %s %s: %v", arca.ErrUnavailable, method, u, err)
	}
	return res, nil
}

// statusError describes an unexpected answer as one of arca's sentinel errors: 404/410
// arca.ErrNotFound, 401 arca.ErrUnauthorized, 403 arca.ErrForbidden, 400 arca.ErrInvalid, anything
// else (5xx, 429, redirects…) arca.ErrUnavailable.
func statusError(method, u string, status int) error {
	kind := arca.ErrUnavailable
	switch status {
	case http.StatusNotFound, http.StatusGone:
		kind = arca.ErrNotFound
	case http.StatusUnauthorized:
		kind = arca.ErrUnauthorized
	case http.StatusForbidden:
		kind = arca.ErrForbidden
	case http.StatusBadRequest:
		kind = arca.ErrInvalid
	}
	return fmt.Errorf("%w: smart: %s %s answered %d %s", kind, method, u, status, http.StatusText(status))
}

// drain reads a little of a body we do not need and closes it, so the connection is reused.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	body.Close()
}
