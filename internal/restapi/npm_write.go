package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"arca"
	"arca/internal/auth"
	"arca/internal/format/npm"
	"arca/internal/repo"
)

// maxPublish bounds the body of npm publish (tarballs travel base64-encoded inside it).
const maxPublish = 1 << 30

// npmTarget returns the repository that writes to name go to — the repository itself when it
// is local, a virtual's default deployment repository — after checking that the caller may
// perform action on the package there. Remote repositories are read-only.
func (a *API) npmTarget(r *http.Request, rep repo.Repository, name string, action auth.Action) (repo.Repository, error) {
	t := rep
	switch v := rep.(type) {
	case *repo.Virtual:
		var err error
		if t, err = v.DeployTarget(npm.DocPath(name)); err != nil {
			return nil, err
		}
	case *repo.Remote, *repo.CacheRepo:
		return nil, arca.Errorf(arca.ErrNotAllowed, "repository '%s' is a remote repository: publish to a local repository", rep.Config().Key())
	}
	if err := a.authorize(r, action, t.Config().Key(), name); err != nil {
		return nil, err
	}
	return t, nil
}

// npmStored returns the package's packument in local repository t (nil when the package does
// not exist there).
func npmStored(r *http.Request, t repo.Repository, name string) (*npm.Packument, error) {
	_, doc, err := npmDoc(r, t, name)
	if errors.Is(err, arca.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return npm.ParsePackument(doc)
}

// npmSave stores the packument and returns the stored document (nil: the package's folder was
// deleted, no version being left).
func (a *API) npmSave(ctx context.Context, t repo.Repository, p *npm.Packument, by string) ([]byte, error) {
	if len(p.Versions) == 0 {
		return nil, t.Delete(ctx, p.Name)
	}
	doc := p.Marshal()
	_, err := t.Put(ctx, npm.DocPath(p.Name), bytes.NewReader(doc), repo.PutOptions{By: by})
	return doc, err
}

// npmPut handles PUT /{name} and PUT /{name}/-rev/{rev}: a publish when the body carries
// tarballs, else an update of the whole document (deprecate, unpublish of versions).
//
// A publish stores the tarballs first and the packument last, so no client ever sees a
// version whose tarball is missing; when anything fails, the tarballs stored so far are
// deleted again.
func (a *API) npmPut(w http.ResponseWriter, r *http.Request, rep repo.Repository, name string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPublish))
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "reading the package document: %v", err)
	}
	publish := npm.IsPublish(body)
	t, err := a.npmTarget(r, rep, name, auth.Deploy)
	if err != nil {
		return err
	}
	key, by, ctx := t.Config().Key(), PrincipalFrom(r.Context()).Name, r.Context()
	defer a.NPMState.lock(key, name)()
	cur, err := npmStored(r, t, name)
	if err != nil {
		return err
	}
	if !publish {
		if cur == nil {
			return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, key)
		}
		next, removed, err := npm.Update(cur, body, a.Now())
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			if err := a.authorize(r, auth.Delete, key, name); err != nil {
				return err
			}
		}
		if _, err := a.npmSave(ctx, t, next, by); err != nil {
			return err
		}
		for _, v := range removed {
			a.npmDeleteFile(ctx, t, name, cur, v)
		}
		return writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": name})
	}
	if cur == nil {
		if err := npm.ValidName(name); err != nil {
			return err
		}
	}
	next, tarballs, err := npm.Publish(cur, name, body, by, a.Now())
	if err != nil {
		return err
	}
	var stored []string
	undo := func() {
		for _, p := range stored {
			if err := t.Delete(context.WithoutCancel(ctx), p); err != nil && !errors.Is(err, arca.ErrNotFound) {
				a.Log.Warn("npm publish: removing a tarball after a failure", "repo", key, "path", p, "err", err)
			}
		}
	}
	for _, tb := range tarballs {
		p := npm.TarballPath(name, tb.File)
		props := arca.Properties{"npm.name": {name}, "npm.version": {tb.Version}}
		if _, err := t.Put(ctx, p, bytes.NewReader(tb.Data), repo.PutOptions{By: by, Props: props, Want: arca.Checksums{SHA1: tb.SHA1}}); err != nil {
			undo()
			return err
		}
		stored = append(stored, p)
	}
	doc, err := a.npmSave(ctx, t, next, by)
	if err != nil {
		undo()
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": name, "rev": npm.Rev(doc)})
}

// npmDeleteFile deletes the tarball of version v (as cur names it), logging failures: the
// version is already gone from the packument, so a leftover file is invisible to clients.
func (a *API) npmDeleteFile(ctx context.Context, t repo.Repository, name string, cur *npm.Packument, v string) {
	p := npm.TarballPath(name, cur.TarballOf(v))
	if err := t.Delete(ctx, p); err != nil && !errors.Is(err, arca.ErrNotFound) {
		a.Log.Warn("npm unpublish: deleting a tarball", "repo", t.Config().Key(), "path", p, "err", err)
	}
}

// npmDeletePackage handles DELETE /{name}/-rev/{rev} (npm unpublish --force): the package's
// folder, packument and tarballs, goes.
func (a *API) npmDeletePackage(w http.ResponseWriter, r *http.Request, rep repo.Repository, name string) error {
	t, err := a.npmTarget(r, rep, name, auth.Delete)
	if err != nil {
		return err
	}
	defer a.NPMState.lock(t.Config().Key(), name)()
	if err := t.Delete(r.Context(), name); err != nil {
		if errors.Is(err, arca.ErrNotFound) {
			return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, t.Config().Key())
		}
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// npmDeleteTarball handles DELETE /{name}/-/{file}/-rev/{rev}, the last step of unpublishing a
// version: the version leaves the packument (when the client's update did not remove it
// already) and its tarball is deleted.
func (a *API) npmDeleteTarball(w http.ResponseWriter, r *http.Request, rep repo.Repository, name, file string) error {
	t, err := a.npmTarget(r, rep, name, auth.Delete)
	if err != nil {
		return err
	}
	key, ctx := t.Config().Key(), r.Context()
	defer a.NPMState.lock(key, name)()
	cur, err := npmStored(r, t, name)
	if err != nil {
		return err
	}
	if cur != nil {
		if v := cur.VersionOfFile(file); v != "" {
			next, _ := npm.RemoveVersion(cur, v, a.Now())
			if _, err := a.npmSave(ctx, t, next, PrincipalFrom(ctx).Name); err != nil {
				return err
			}
		}
	}
	err = t.Delete(ctx, npm.TarballPath(name, file))
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// npmDistTags serves /-/package/{name}/dist-tags[/{tag}]: GET lists the tags, PUT/POST of a tag
// (body: the version as a JSON string) points it, DELETE removes it, and PUT/POST without a
// tag sets every tag of an object body.
func (a *API) npmDistTags(w http.ResponseWriter, r *http.Request, rep repo.Repository, p string) error {
	name := npm.PackageOf(p)
	sub, ok := strings.CutPrefix(strings.TrimPrefix(p, name), "/dist-tags")
	if !npm.NameOK(name) || !ok || (sub != "" && !strings.HasPrefix(sub, "/")) {
		return arca.Errorf(arca.ErrNotFound, "not found: '-/package/%s'", p)
	}
	tag := strings.TrimPrefix(sub, "/")
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if err := a.authorize(r, auth.Read, rep.Config().Key(), npm.DocPath(name)); err != nil {
			return err
		}
		_, doc, err := npmDoc(r, rep, name)
		if err != nil {
			return err
		}
		pk, err := npm.ParsePackument(doc)
		if err != nil {
			return err
		}
		if tag != "" {
			v, ok := pk.DistTags[tag]
			if !ok {
				return arca.Errorf(arca.ErrNotFound, "'%s' has no dist-tag '%s'", name, tag)
			}
			return writeJSON(w, http.StatusOK, v)
		}
		return writeJSON(w, http.StatusOK, pk.DistTags)
	}
	action := auth.Deploy
	if r.Method == http.MethodDelete {
		action = auth.Delete
	}
	t, err := a.npmTarget(r, rep, name, action)
	if err != nil {
		return err
	}
	set := map[string]string{}
	switch {
	case r.Method == http.MethodDelete:
	case r.Method != http.MethodPut && r.Method != http.MethodPost:
		return arca.Errorf(arca.ErrNotAllowed, "%s is not supported on dist-tags", r.Method)
	case tag != "":
		var v string
		if err := decodeJSON(r, &v); err != nil {
			return err
		}
		set[tag] = v
	default:
		if err := decodeJSON(r, &set); err != nil {
			return err
		}
	}
	defer a.NPMState.lock(t.Config().Key(), name)()
	cur, err := npmStored(r, t, name)
	if err != nil {
		return err
	}
	if cur == nil {
		return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, t.Config().Key())
	}
	next := cur
	if r.Method == http.MethodDelete {
		if tag == "" {
			return arca.Errorf(arca.ErrInvalid, "name the dist-tag to delete")
		}
		if next, err = npm.DeleteTag(cur, tag, a.Now()); err != nil {
			return err
		}
	}
	for tg, v := range set {
		if next, err = npm.SetTag(next, tg, v, a.Now()); err != nil {
			return err
		}
	}
	if _, err := a.npmSave(r.Context(), t, next, PrincipalFrom(r.Context()).Name); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(next.DistTags)
}
