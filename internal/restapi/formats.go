package restapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"arca"
	"arca/internal/auth"
	"arca/internal/format"
	"arca/internal/repo"
)

// The formats' native protocols reach the rest of Arca only through format.Host and
// format.Repository, implemented here over the REST layer's own services, so a format package
// never imports repo, auth or restapi.

// Native serves a format's package API, /artifactory/api/<type>/{repo}/{path...}: the
// repository is resolved as for every repository path (the loop guard included) and must have
// the format's package type.
func (a *API) Native(f format.Native) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		h := host{a}
		rep, err := h.Resolve(r, r.PathValue("repo"))
		if err != nil {
			return err
		}
		if t := rep.(formatRepo).Config().PackageType(); !strings.EqualFold(t, f.Name()) {
			return arca.Errorf(arca.ErrInvalid, "repository '%s' is not a %s repository (package type %s)", rep.Key(), f.Name(), t)
		}
		return f.ServeNative(w, r, h, rep, r.PathValue("path"))
	}
}

// Route serves a route a format declares outside its package API.
func (a *API) Route(rt format.Route) Handler {
	return func(w http.ResponseWriter, r *http.Request) error { return rt.Serve(w, r, host{a}) }
}

// host implements format.Host.
type host struct{ a *API }

var _ format.Host = host{}

func (h host) Resolve(r *http.Request, key string) (format.Repository, error) {
	if h.a.recursive(r) {
		return nil, arca.Errorf(arca.ErrNotFound, "Recursive call detected")
	}
	rep, err := h.a.Repos.Get(key)
	if err != nil {
		return nil, err
	}
	return formatRepo{rep}, nil
}

// actions maps a format's actions to the authorizer's.
var actions = [...]auth.Action{format.Read: auth.Read, format.Deploy: auth.Deploy, format.Delete: auth.Delete}

func (h host) Authorize(r *http.Request, act format.Action, repoKey, p string) error {
	return h.a.authorize(r, actions[act], repoKey, p)
}

func (h host) User(r *http.Request) (string, bool) {
	p := PrincipalFrom(r.Context())
	return p.Name, !p.Anonymous
}

func (h host) Login(ctx context.Context, user, password string) (string, error) {
	p, err := h.a.Authn.Login(ctx, user, password)
	return p.Name, err
}

func (h host) IssueToken(ctx context.Context, user string) (string, error) {
	issued, err := h.a.Tokens.Issue(ctx, user, "applied-permissions/user", 0, false)
	return issued.AccessToken, err
}

func (h host) ServeFile(w http.ResponseWriter, r *http.Request, rep format.Repository, p string) error {
	fr, ok := rep.(formatRepo)
	if !ok {
		return fmt.Errorf("ServeFile: a repository the host did not hand out (%T)", rep)
	}
	return h.a.serveItem(w, r, fr.Repository, repoPath{Repo: rep.Key(), Path: p})
}

func (h host) BaseURL(r *http.Request) string { return h.a.baseURL(r) }
func (h host) Now() time.Time                 { return h.a.Now() }
func (h host) Log() *slog.Logger              { return h.a.Log }

// formatRepo implements format.Repository over a repository.
type formatRepo struct{ repo.Repository }

var _ format.Repository = formatRepo{}

func (f formatRepo) Key() string               { return f.Config().Key() }
func (f formatRepo) Settings() format.Settings { return f.Config() }

func (f formatRepo) Open(ctx context.Context, p string) (arca.Item, io.ReadCloser, error) {
	it, file, err := f.Repository.Open(ctx, p)
	if file == nil {
		return it, nil, err
	}
	return it, file, err
}

func (f formatRepo) Put(ctx context.Context, p string, body io.Reader, opt format.PutOptions) (arca.Item, error) {
	return f.Repository.Put(ctx, p, body, repo.PutOptions{Props: opt.Props, Want: opt.Want, By: opt.By})
}

func (f formatRepo) DeployTarget(p string) (format.Repository, error) {
	t, err := f.Repository.DeployTarget(p)
	if err != nil {
		return nil, err
	}
	return formatRepo{t}, nil
}

func (f formatRepo) Forward(ctx context.Context, method, p string, body []byte, header http.Header) (*format.Response, error) {
	res, err := f.Repository.Forward(ctx, method, p, body, header)
	if err != nil {
		return nil, err
	}
	return &format.Response{Status: res.Status, Header: res.Header, Body: res.Body}, nil
}

func (f formatRepo) Members(ctx context.Context) []format.Repository {
	ms := f.Repository.Members(ctx)
	if ms == nil {
		return nil
	}
	out := make([]format.Repository, len(ms))
	for i, m := range ms {
		out[i] = formatRepo{m}
	}
	return out
}
