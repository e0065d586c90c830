package repo

import (
	"context"
	"net/http"

	"arca"
	"arca/internal/format"
	"arca/internal/upstream"
)

// The capabilities below let handlers — the REST API and the formats' native protocols — ask a
// repository what they need without knowing its class: where a deploy goes, whether it has an
// upstream to forward to, what its members are.

// DeployTarget implements Repository: a local repository takes its own deploys.
func (l *Local) DeployTarget(string) (Repository, error) { return l, nil }

// DeployTarget implements Repository: a cache takes no deploys.
func (c *CacheRepo) DeployTarget(string) (Repository, error) { return nil, c.remote.readOnly() }

// DeployTarget implements Repository: a remote takes no deploys.
func (r *Remote) DeployTarget(string) (Repository, error) { return nil, r.readOnly() }

// Forward implements Repository: a local repository (or a cache) has no upstream.
func (l *Local) Forward(context.Context, string, string, []byte, http.Header) (*upstream.Response, error) {
	return nil, arca.Errorf(arca.ErrNotAllowed, "repository '%s' has no upstream", l.key)
}

// Forward implements Repository: a virtual repository has no upstream of its own (its remote
// members do; see Members).
func (v *Virtual) Forward(context.Context, string, string, []byte, http.Header) (*upstream.Response, error) {
	return nil, arca.Errorf(arca.ErrNotAllowed, "virtual repository '%s' has no upstream of its own", v.cfg.Key())
}

// Members implements Repository: none.
func (l *Local) Members(context.Context) []Repository { return nil }

// Members implements Repository: none.
func (r *Remote) Members(context.Context) []Repository { return nil }

// Members implements Repository: the members the caller may read, each once, in resolution order
// (nested virtuals flattened; a remote repository where its first entry — usually its cache —
// stands).
func (v *Virtual) Members(ctx context.Context) []Repository {
	var out []Repository
	seen := map[string]bool{}
	for _, c := range v.candidates(ctx, "", format.Path{}) {
		k := c.Config.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		if rep, err := v.reg.Get(k); err == nil {
			out = append(out, rep)
		}
	}
	return out
}
