package smart

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"arca"
)

// Property keys of the smart-remote property sync.
const (
	// ReplicationPrefix starts the keys that are never synchronised from the upstream: they
	// describe replication on the instance that holds them.
	ReplicationPrefix = "artifactory.replication."
	// SourceDeletedKey marks a cached item whose upstream item is gone (origin-absence
	// detection), with SourceDeletedValue as its value.
	SourceDeletedKey   = "sourceDeleted"
	SourceDeletedValue = "The source file of this replica has been deleted"
)

// RemoteProps is the upstream's view of one item's properties.
type RemoteProps struct {
	// Exists reports that the item exists upstream.
	Exists bool
	// Replace reports that Props is the item's complete upstream property set and replaces the
	// cached properties (Sync). It is false when the upstream has the item but answered that it
	// has no properties: then the cached ones are kept.
	Replace bool
	// Props are the upstream properties without the ReplicationPrefix keys; never nil.
	Props arca.Properties
}

// FetchProperties reads an item's properties upstream:
// GET {Base}/api/storage/{Key}/{path}?properties.
//
//   - 200: Exists, Replace, Props as answered.
//   - 404 ("No properties could be found", or no such item): a HEAD {URL}/{path} tells them
//     apart. The item exists: Exists and not Replace (the cached properties are kept). It does
//     not: Replace with no properties ("404 means none") and not Exists.
//
// Any other answer, or a failing HEAD, is an error (arca.ErrUnauthorized, arca.ErrForbidden,
// arca.ErrUnavailable…): the caller keeps what it has and tries again after the next expiry.
func (p Peer) FetchProperties(ctx context.Context, path string) (RemoteProps, error) {
	u := p.apiURL("storage/" + escapePath(p.Key+"/"+strings.TrimPrefix(path, "/")) + "?properties")
	res, err := p.do(ctx, http.MethodGet, u, nil, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return RemoteProps{}, err
	}
	defer drain(res.Body)
	switch res.StatusCode {
	case http.StatusOK:
		var body struct {
			Properties map[string][]string `json:"properties"`
		}
		if err := json.NewDecoder(io.LimitReader(res.Body, 16<<20)).Decode(&body); err != nil {
			return RemoteProps{}, arca.Errorf(arca.ErrUnavailable, "smart: GET %s: malformed properties JSON: %v", u, err)
		}
		props := arca.Properties{}
		for k, v := range body.Properties {
			if !strings.HasPrefix(k, ReplicationPrefix) {
				props[k] = v
			}
		}
		return RemoteProps{Exists: true, Replace: true, Props: props}, nil
	case http.StatusNotFound:
		exists, err := p.SourceExists(ctx, path)
		if err != nil {
			return RemoteProps{}, err
		}
		return RemoteProps{Exists: exists, Replace: !exists, Props: arca.Properties{}}, nil
	}
	return RemoteProps{}, statusError(http.MethodGet, u, res.StatusCode)
}

// SourceExists asks whether the item still exists upstream: HEAD {URL}/{path} (origin-absence
// detection). 200 is true; 404 and 410 are false; any other answer is an error (the
// caller must not conclude the source was deleted from a 401 or a 503).
func (p Peer) SourceExists(ctx context.Context, path string) (bool, error) {
	u := p.itemURL(path)
	res, err := p.do(ctx, http.MethodHead, u, nil, nil)
	if err != nil {
		return false, err
	}
	drain(res.Body)
	switch res.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound, http.StatusGone:
		return false, nil
	}
	return false, statusError(http.MethodHead, u, res.StatusCode)
}

// Sync computes a cached item's properties after a property sync: the upstream properties when
// rp.Replace (the cached ReplicationPrefix keys are kept), the cached ones otherwise. With
// originAbsence (source.originAbsenceDetection), SourceDeletedKey is set when the upstream item
// is gone or carries SourceDeletedKey itself, and removed when the item is back. It reports
// whether the result differs from cached; cached is not modified.
func Sync(cached arca.Properties, rp RemoteProps, originAbsence bool) (arca.Properties, bool) {
	out := arca.Properties{}
	if rp.Replace {
		maps.Copy(out, rp.Props)
		for k, v := range cached {
			if strings.HasPrefix(k, ReplicationPrefix) {
				out[k] = v
			}
		}
	} else {
		maps.Copy(out, cached)
	}
	if originAbsence {
		_, flagged := rp.Props[SourceDeletedKey]
		if !rp.Exists || flagged {
			out[SourceDeletedKey] = []string{SourceDeletedValue}
		} else {
			delete(out, SourceDeletedKey)
		}
	}
	return out, !maps.EqualFunc(out, cached, slices.Equal[[]string])
}
