package repo

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"arca"
	"arca/internal/format"
	"arca/internal/upstream"
)

// checkDeclared compares the body with the checksums the format's metadata declares: the SHA-512
// here, the SHA-1 through the blob's commit (with the upstream's own SHA-1, which must agree).
func (t *teeFile) checkDeclared() error {
	d := t.declared
	if d.SHA512 != "" {
		if got := hex.EncodeToString(t.sha512.Sum(nil)); got != d.SHA512 {
			return fmt.Errorf("%w: SHA-512 %s, the package metadata declares %s", arca.ErrChecksum, got, d.SHA512)
		}
	}
	if d.SHA1 != "" {
		if have := t.res.Checksums.SHA1; have != "" && !strings.EqualFold(have, d.SHA1) {
			return fmt.Errorf("%w: the upstream declares SHA-1 %s, the package metadata %s", arca.ErrChecksum, have, d.SHA1)
		}
		t.res.Checksums.SHA1 = d.SHA1
	}
	return nil
}

// declared returns the checksums that p's metadata document, when cached, declares for it
// (formats implementing format.Declarer: npm's packuments).
func (r *Remote) declared(ctx context.Context, p string) format.Digests {
	dc, ok := r.format.(format.Declarer)
	if !ok {
		return format.Digests{}
	}
	docPath, ok := dc.DeclaredIn(p)
	if !ok {
		return format.Digests{}
	}
	_, f, err := r.cache.Open(ctx, docPath)
	if err != nil || f == nil {
		return format.Digests{}
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, maxMetadataDoc))
	if err != nil {
		return format.Digests{}
	}
	return dc.Declared(p, doc)
}

// upstreamPath is the path the upstream serves p at.
func (r *Remote) upstreamPath(p string) string {
	if u, ok := r.format.(format.Upstream); ok {
		return u.UpstreamPath(p)
	}
	return p
}

// Forward sends a request that is not about a repository path (npm's audit) to the upstream,
// at path relative to its URL, and returns its answer (the caller closes the body).
func (r *Remote) Forward(ctx context.Context, method, path string, body []byte, header http.Header) (*upstream.Response, error) {
	if r.cfg.Offline() || r.client == nil {
		return nil, arca.Errorf(arca.ErrNotFound, "remote repository '%s' is offline or has no URL", r.cfg.Key())
	}
	res, err := r.client.Do(ctx, upstream.Request{Method: method, Path: path, Body: body, Header: header, Originated: originated(ctx)})
	if err != nil {
		return nil, fmt.Errorf("remote repository '%s': %w", r.cfg.Key(), err)
	}
	return res, nil
}
