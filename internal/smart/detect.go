package smart

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Upstream is what Detect learned about a remote repository's upstream.
type Upstream struct {
	// Version is the upstream's Artifactory version ("" when it is not Artifactory-compatible).
	Version string
	// Smart reports that the upstream is another Artifactory-compatible instance whose repository
	// allows the smart features.
	Smart bool
	// Why says, for logs, why Smart is false (or what was assumed when it is true).
	Why string
}

// Feature is a smart-remote feature gated by the upstream's version.
type Feature int

// The features, in the order Artifactory introduced them.
const (
	PropertySync     Feature = iota // properties sync (4.1.0)
	RemoteListing                   // listRemoteFolderItems through the storage API (4.1.0)
	StatisticsPush                  // download statistics push (4.2.0)
	OriginAbsence                   // origin-absence detection (4.3.3)
	EventReplication                // event-based pull replication (5.4.0)
)

var featureSince = [...][3]int{
	PropertySync:     {4, 1, 0},
	RemoteListing:    {4, 1, 0},
	StatisticsPush:   {4, 2, 0},
	OriginAbsence:    {4, 3, 3},
	EventReplication: {5, 4, 0},
}

// Supports reports whether the upstream is smart and its version has f. A version that does not
// parse (a development build) is assumed to have everything.
func (u Upstream) Supports(f Feature) bool {
	if !u.Smart || int(f) < 0 || int(f) >= len(featureSince) {
		return false
	}
	v, ok := parseVersion(u.Version)
	if !ok {
		return true
	}
	want := featureSince[f]
	for i := range v {
		if v[i] != want[i] {
			return v[i] > want[i]
		}
	}
	return true
}

// parseVersion reads "major.minor.patch" with optional missing parts and a suffix after the
// numbers ("7.104.5", "4.2.0-rc1", "6.x" → 6.0.0).
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".", 3)
	for i, p := range parts {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		if end == 0 {
			if i == 0 {
				return v, false
			}
			break
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			return v, false
		}
		v[i] = n
		if end < len(p) {
			break
		}
	}
	return v, true
}

// Detect asks the upstream whether it is a smart upstream:
//
//  1. GET {Base}/api/system/version must answer 200 JSON with a "version", and its
//     X-Artifactory-Id header must not be this instance's own id (an upstream that is this very
//     instance is not smart: pushing statistics or syncing properties to oneself is a loop).
//  2. GET {Base}/api/repositories/{Key}: an upstream repository whose rclass is "virtual"
//     disables the smart features. A 401/403 (credentials that may not read the configuration)
//     or a 404 still counts as a smart upstream.
//
// A definite answer is returned with a nil error, Smart false and Why set when the upstream is
// not smart (an answer that is not Artifactory's, the same instance, a virtual repository). The
// error is non-nil only when nothing could be decided: the upstream is unreachable, answered
// 5xx/429, or ctx ended; the caller keeps the remote non-smart and detects again later.
func (p Peer) Detect(ctx context.Context) (Upstream, error) {
	if p.Base == "" || p.Key == "" {
		return Upstream{Why: "the remote url has no repository path: " + p.URL}, nil
	}
	u := p.apiURL("system/version")
	res, err := p.do(ctx, http.MethodGet, u, nil, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return Upstream{}, err
	}
	defer drain(res.Body)
	if transient(res.StatusCode) {
		return Upstream{}, statusError(http.MethodGet, u, res.StatusCode)
	}
	if res.StatusCode != http.StatusOK {
		return Upstream{Why: "GET " + u + " answered " + res.Status + ": not an Artifactory-compatible upstream"}, nil
	}
	var ver struct {
		Version  string `json:"version"`
		Revision string `json:"revision"`
		License  string `json:"license"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&ver); err != nil || ver.Version == "" {
		return Upstream{Why: "GET " + u + " did not answer Artifactory's version JSON"}, nil
	}
	if id := res.Header.Get("X-Artifactory-Id"); id != "" && id == p.OwnID {
		return Upstream{Version: ver.Version, Why: "the upstream is this instance (same X-Artifactory-Id)"}, nil
	}

	u = p.apiURL("repositories/" + url.PathEscape(p.Key))
	res2, err := p.do(ctx, http.MethodGet, u, nil, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return Upstream{}, err
	}
	defer drain(res2.Body)
	switch {
	case transient(res2.StatusCode):
		return Upstream{}, statusError(http.MethodGet, u, res2.StatusCode)
	case res2.StatusCode == http.StatusOK:
		var repo struct {
			RClass string `json:"rclass"`
		}
		if err := json.NewDecoder(io.LimitReader(res2.Body, 1<<20)).Decode(&repo); err == nil && strings.EqualFold(repo.RClass, "virtual") {
			return Upstream{Version: ver.Version, Why: "the upstream repository '" + p.Key + "' is virtual"}, nil
		}
		return Upstream{Version: ver.Version, Smart: true}, nil
	default:
		return Upstream{Version: ver.Version, Smart: true,
			Why: "GET " + u + " answered " + res2.Status + "; assumed not virtual"}, nil
	}
}

// transient reports answers that say nothing about what the upstream is.
func transient(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
}
