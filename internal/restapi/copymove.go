package restapi

import (
	"fmt"
	"net/http"
	"strings"

	"arca"
	"arca/internal/auth"
	"arca/internal/repo"
)

// Copy handles POST /api/copy/{srcRepo}/{srcPath}?to={dstRepo}/{dstPath}[&dry=1].
func (a *API) Copy(w http.ResponseWriter, r *http.Request) error { return a.copyMove(w, r, false) }

// Move handles POST /api/move/…, the same as Copy followed by deleting the source.
func (a *API) Move(w http.ResponseWriter, r *http.Request) error { return a.copyMove(w, r, true) }

// copyMove copies or moves an item (a folder with its subtree). A "to" ending in "/", or naming
// an existing folder while the source is a file, receives the source under its own name.
// Destination paths must be allowed by the target repository's patterns; nothing is changed
// when one is not. dry=1 validates and reports without changing anything.
func (a *API) copyMove(w http.ResponseWriter, r *http.Request, move bool) error {
	verb := "copy"
	prefix := "/artifactory/api/copy/"
	if move {
		verb, prefix = "move", "/artifactory/api/move/"
	}
	src, err := parseRepoPath(r, prefix)
	if err != nil {
		return err
	}
	q := query(r)
	to := strings.TrimLeft(first(q, "to"), "/")
	if to == "" {
		return arca.Errorf(arca.ErrInvalid, "the 'to' parameter is required")
	}
	dstRepoKey, dstRest, _ := strings.Cut(to, "/")
	dstPath, err := arca.CleanPath(dstRest)
	if err != nil {
		return err
	}
	srcRepo, err := a.Repos.Get(src.Repo)
	if err != nil {
		return err
	}
	dstRepo, err := a.Repos.Get(dstRepoKey)
	if err != nil {
		return err
	}
	if err := a.authorize(r, auth.Read, src.Repo, src.Path); err != nil {
		return err
	}
	if move {
		if err := a.authorize(r, auth.Delete, src.Repo, src.Path); err != nil {
			return err
		}
	}
	if err := a.authorize(r, auth.Deploy, dstRepoKey, dstPath); err != nil {
		return err
	}
	dstLocal, ok := dstRepo.(*repo.Local)
	if !ok {
		return arca.Errorf(arca.ErrInvalid, "cannot %s into '%s': the target must be a local repository", verb, dstRepoKey)
	}
	ctx := r.Context()
	it, err := srcRepo.Stat(ctx, src.Path)
	if err != nil {
		return err
	}
	if src.Path == "" {
		return arca.Errorf(arca.ErrInvalid, "cannot %s the root of a repository", verb)
	}
	if strings.HasSuffix(to, "/") || dstPath == "" {
		dstPath = arca.JoinPath(dstPath, it.Name())
	} else if d, err := dstLocal.Stat(ctx, dstPath); err == nil && d.Folder && !it.Folder {
		dstPath = arca.JoinPath(dstPath, it.Name())
	}
	files, folders := 0, 0
	items := []arca.Item{it}
	if it.Folder {
		sub, err := srcRepo.List(ctx, src.Path, true)
		if err != nil {
			return err
		}
		items = append(items, sub...)
	}
	filter := dstLocal.Config().Filter()
	for _, c := range items {
		target := dstPath + c.Path[len(src.Path):]
		if c.Folder {
			folders++
			continue
		}
		files++
		if !filter.Allows(target) || dstLocal.Config().BlackedOut() {
			return arca.Errorf(arca.ErrForbidden, "cannot %s '%s/%s' to '%s/%s': the target path is not allowed by the repository's include/exclude patterns",
				verb, src.Repo, c.Path, dstRepoKey, target)
		}
	}
	if !flag(q, "dry") {
		by, now := PrincipalFrom(ctx).Name, a.Now()
		srcKey, err := storedIn(srcRepo, it)
		if err != nil {
			return err
		}
		if move {
			_, err = a.Meta.Move(ctx, srcKey, src.Path, dstLocal.Key(), dstPath, by, now)
		} else {
			_, err = a.Meta.Copy(ctx, srcKey, src.Path, dstLocal.Key(), dstPath, by, now)
		}
		if err != nil {
			return err
		}
		if move { // a move deletes at its source
			a.audited(r, "item.move", src.Repo+"/"+src.Path, fmt.Sprintf("to %s/%s, %d artifacts", dstRepoKey, dstPath, files))
		}
	}
	past := map[bool]string{false: "copied", true: "moved"}[move]
	msg := fmt.Sprintf("%s %s/%s to %s/%s completed successfully, %d artifacts and %d folders were %s",
		verb, src.Repo, src.Path, dstRepoKey, dstPath, files, folders, past)
	if flag(q, "dry") {
		msg = "dry run: " + msg
	}
	return writeJSON(w, http.StatusOK, map[string]any{"messages": []map[string]string{{"level": "INFO", "message": msg}}})
}
