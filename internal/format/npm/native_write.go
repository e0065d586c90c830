package npm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"arca"
	"arca/internal/format"
)

// maxPublish bounds the body of npm publish (tarballs travel base64-encoded inside it).
const maxPublish = 1 << 30

// target returns the repository that writes to name go to — the repository itself when it
// is local, a virtual's default deployment repository — after checking that the caller may
// perform action on the package there. Remote repositories are read-only.
func (c call) target(r *http.Request, rep format.Repository, name string, action format.Action) (format.Repository, error) {
	t, err := rep.DeployTarget(DocPath(name))
	if err != nil {
		return nil, err
	}
	if err := c.h.Authorize(r, action, t.Key(), name); err != nil {
		return nil, err
	}
	return t, nil
}

// put handles PUT /{name} and PUT /{name}/-rev/{rev}: a publish when the body carries
// tarballs, else an update of the whole document (deprecate, unpublish of versions).
//
// A publish stores the tarballs first and the packument last, so no client ever sees a
// version whose tarball is missing; when anything fails, the tarballs stored so far are
// deleted again.
func (c call) put(w http.ResponseWriter, r *http.Request, rep format.Repository, name string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPublish))
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "reading the package document: %v", err)
	}
	publish := IsPublish(body)
	t, err := c.target(r, rep, name, format.Deploy)
	if err != nil {
		return err
	}
	key, by, ctx := t.Key(), c.by(r), r.Context()
	unlock, err := c.lock(ctx, key, name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadPackage(ctx, t, name, !publish, publishedVersions(body)...)
	if err != nil {
		return err
	}
	cur := st.doc
	if !publish {
		if cur == nil {
			return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, key)
		}
		next, removed, err := Update(cur, body, c.h.Now())
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			if err := c.h.Authorize(r, format.Delete, key, name); err != nil {
				return err
			}
		}
		if _, err := savePackage(ctx, t, st, next, by); err != nil {
			return err
		}
		for _, v := range removed {
			c.deleteFile(ctx, t, name, cur, v)
		}
		return writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": name})
	}
	if cur == nil {
		if err := ValidName(name); err != nil {
			return err
		}
	}
	next, tarballs, err := Publish(cur, name, body, by, c.h.Now())
	if err != nil {
		return err
	}
	var stored []string
	undo := func() {
		for _, p := range stored {
			if err := t.Delete(context.WithoutCancel(ctx), p); err != nil && !errors.Is(err, arca.ErrNotFound) {
				c.h.Log().Warn("npm publish: removing a tarball after a failure", "repo", key, "path", p, "err", err)
			}
		}
	}
	for _, tb := range tarballs {
		p := TarballPath(name, tb.File)
		props := arca.Properties{"name": {name}, "version": {tb.Version}}
		if _, err := t.Put(ctx, p, bytes.NewReader(tb.Data), format.PutOptions{By: by, Props: props, Want: arca.Checksums{SHA1: tb.SHA1}}); err != nil {
			undo()
			return err
		}
		stored = append(stored, p)
	}
	rec, err := savePackage(ctx, t, st, next, by)
	if err != nil {
		undo()
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": name, "rev": Rev(rec)})
}

// publishedVersions returns the versions a publish body adds and those its dist-tags name: the
// version records a publish reads ("" when the body is not a publish document).
func publishedVersions(body []byte) []string {
	var d struct {
		Versions map[string]struct{} `json:"versions"`
		DistTags map[string]string   `json:"dist-tags"`
	}
	if json.Unmarshal(body, &d) != nil {
		return nil
	}
	vs := slices.Collect(maps.Keys(d.Versions))
	return append(vs, slices.Collect(maps.Values(d.DistTags))...)
}

// deleteFile deletes the tarball of version v (as cur names it), logging failures: the
// version is already gone from the packument, so a leftover file is invisible to clients.
func (c call) deleteFile(ctx context.Context, t format.Repository, name string, cur *Packument, v string) {
	p := TarballPath(name, cur.TarballOf(v))
	if err := t.Delete(ctx, p); err != nil && !errors.Is(err, arca.ErrNotFound) {
		c.h.Log().Warn("npm unpublish: deleting a tarball", "repo", t.Key(), "path", p, "err", err)
	}
}

// deletePackage handles DELETE /{name}/-rev/{rev} (npm unpublish --force): the package's
// folder, packument and tarballs, goes.
func (c call) deletePackage(w http.ResponseWriter, r *http.Request, rep format.Repository, name string) error {
	t, err := c.target(r, rep, name, format.Delete)
	if err != nil {
		return err
	}
	unlock, err := c.lock(r.Context(), t.Key(), name)
	if err != nil {
		return err
	}
	defer unlock()
	if err := t.Delete(r.Context(), name); err != nil {
		if errors.Is(err, arca.ErrNotFound) {
			return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, t.Key())
		}
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// deleteTarball handles DELETE /{name}/-/{file}/-rev/{rev}, the last step of unpublishing a
// version: the version leaves the packument (when the client's update did not remove it
// already) and its tarball is deleted.
func (c call) deleteTarball(w http.ResponseWriter, r *http.Request, rep format.Repository, name, file string) error {
	t, err := c.target(r, rep, name, format.Delete)
	if err != nil {
		return err
	}
	key, ctx := t.Key(), r.Context()
	unlock, err := c.lock(ctx, key, name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadPackage(ctx, t, name, true)
	if err != nil {
		return err
	}
	if cur := st.doc; cur != nil {
		if v := cur.VersionOfFile(file); v != "" {
			next, _ := RemoveVersion(cur, v, c.h.Now())
			if _, err := savePackage(ctx, t, st, next, c.by(r)); err != nil {
				return err
			}
		}
	}
	err = t.Delete(ctx, TarballPath(name, file))
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// distTags serves /-/package/{name}/dist-tags[/{tag}]: GET lists the tags, PUT/POST of a tag
// (body: the version as a JSON string) points it, DELETE removes it, and PUT/POST without a
// tag sets every tag of an object body.
func (c call) distTags(w http.ResponseWriter, r *http.Request, rep format.Repository, p string) error {
	name := PackageOf(p)
	sub, ok := strings.CutPrefix(strings.TrimPrefix(p, name), "/dist-tags")
	if !NameOK(name) || !ok || (sub != "" && !strings.HasPrefix(sub, "/")) {
		return arca.Errorf(arca.ErrNotFound, "not found: '-/package/%s'", p)
	}
	tag := strings.TrimPrefix(sub, "/")
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if err := c.h.Authorize(r, format.Read, rep.Key(), DocPath(name)); err != nil {
			return err
		}
		_, doc, err := readDoc(r, rep, name)
		if err != nil {
			return err
		}
		pk, err := ParsePackument(doc)
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
	action := format.Deploy
	if r.Method == http.MethodDelete {
		action = format.Delete
	}
	t, err := c.target(r, rep, name, action)
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
	unlock, err := c.lock(r.Context(), t.Key(), name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadPackage(r.Context(), t, name, false, slices.Collect(maps.Values(set))...)
	if err != nil {
		return err
	}
	cur := st.doc
	if cur == nil {
		return arca.Errorf(arca.ErrNotFound, "package '%s' not found in '%s'", name, t.Key())
	}
	next := cur
	if r.Method == http.MethodDelete {
		if tag == "" {
			return arca.Errorf(arca.ErrInvalid, "name the dist-tag to delete")
		}
		if next, err = DeleteTag(cur, tag, c.h.Now()); err != nil {
			return err
		}
	}
	for tg, v := range set {
		if next, err = SetTag(next, tg, v, c.h.Now()); err != nil {
			return err
		}
	}
	if _, err := savePackage(r.Context(), t, st, next, c.by(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(next.DistTags)
}
