package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"arca"
	"arca/internal/auth"
	"arca/internal/repo"
	"arca/internal/repoconfig"
)

// readBody reads a configuration body (bounded).
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 4<<20))
	if err != nil {
		return nil, arca.Errorf(arca.ErrInvalid, "reading the request body: %v", err)
	}
	return b, nil
}

// ListRepositories handles GET /api/repositories[?type=][&packageType=][&project=]. Only
// repositories the caller may read are listed.
func (a *API) ListRepositories(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	typ, pkg, project := q.Get("type"), q.Get("packageType"), q.Get("project")
	base := a.baseURL(r)
	out := []any{}
	for _, cfg := range a.Repos.List() {
		if typ != "" && !strings.EqualFold(string(cfg.Class()), typ) {
			continue
		}
		if pkg != "" && !strings.EqualFold(cfg.PackageType(), pkg) {
			continue
		}
		if project != "" && !strings.EqualFold(cfg.ProjectKey(), project) {
			continue
		}
		if !a.canRead(r, cfg.Key(), "") {
			continue
		}
		out = append(out, cfg.Summary(base))
	}
	return writeJSON(w, http.StatusOK, out)
}

// repoNotFound is Artifactory's answer for a missing key on the repository API: 400.
func repoNotFound(key string) error {
	return arca.StatusErrorf(arca.ErrNotFound, http.StatusBadRequest, "Repository '%s' does not exist", key)
}

// asBadRequest applies Artifactory's status quirk on the repository API, where a key that
// already exists (create) or does not exist (delete) is answered 400 rather than 409 or 404:
// an err of kind becomes a 400 with the same message and kind; any other err is returned as is.
// The repository layer reports only the kind; the status is this API's business.
func asBadRequest(err error, kind error) error {
	if err == nil || !errors.Is(err, kind) {
		return err
	}
	return arca.StatusErrorf(kind, http.StatusBadRequest, "%s", err.Error())
}

func repoNotVirtual(key string) error {
	return arca.Errorf(arca.ErrInvalid, "repository '%s' is not a virtual repository", key)
}

// readableRepo returns the repository named by the {key} of a repository API request, which
// the caller must be allowed to read. A missing key is Artifactory's 400.
func (a *API) readableRepo(r *http.Request) (repo.Repository, error) {
	key := r.PathValue("key")
	rep, err := a.Repos.Get(key)
	if err != nil || !strings.EqualFold(rep.Config().Key(), key) {
		return nil, repoNotFound(key)
	}
	if err := a.authorize(r, auth.Read, rep.Config().Key(), ""); err != nil {
		return nil, err
	}
	return rep, nil
}

// GetRepository handles GET and HEAD /api/repositories/{key}: the full configuration with every
// field at its effective value (a remote's password never in clear).
func (a *API) GetRepository(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.readableRepo(r)
	if err != nil {
		return err
	}
	body, err := configJSON(rep)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, err = w.Write(body)
	}
	return err
}

// CreateRepository handles PUT /api/repositories/{key}; 200 with a text message.
func (a *API) CreateRepository(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	cfg, err := repoconfig.Parse(key, body)
	if err != nil {
		return err
	}
	if err := a.Repos.Create(r.Context(), cfg); err != nil {
		return asBadRequest(err, arca.ErrExists)
	}
	a.Log.Info("repository created", "key", cfg.Key(), "class", cfg.Class(), "packageType", cfg.PackageType())
	a.audited(r, "repository.create", cfg.Key(), cfg.Class()+" "+cfg.PackageType())
	return writeText(w, http.StatusOK, fmt.Sprintf("Successfully created repository '%s'", cfg.Key()))
}

// UpdateRepository handles POST /api/repositories/{key}: the given fields replace the stored
// ones; key, rclass and packageType cannot change.
func (a *API) UpdateRepository(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	key := r.PathValue("key")
	rep, err := a.Repos.Get(key)
	if err != nil || !strings.EqualFold(rep.Config().Key(), key) {
		return repoNotFound(key)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cfg, err := rep.Config().Update(body)
	if err != nil {
		return err
	}
	if err := a.Repos.Update(r.Context(), cfg); err != nil {
		return err
	}
	a.audited(r, "repository.update", cfg.Key(), "")
	return writeText(w, http.StatusOK, fmt.Sprintf("Repository '%s' update successfully.", cfg.Key()))
}

// DeleteRepository handles DELETE /api/repositories/{key}: the repository and all its content.
func (a *API) DeleteRepository(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	key := r.PathValue("key")
	if err := a.Repos.Delete(r.Context(), key); err != nil {
		return asBadRequest(err, arca.ErrNotFound)
	}
	a.Log.Info("repository deleted", "key", key)
	a.audited(r, "repository.delete", key, "with all its content")
	return writeText(w, http.StatusOK, fmt.Sprintf("Repository '%s' and all its content have been removed successfully.", key))
}

// BatchRepositories handles PUT (create, 201) and POST (update, 200) of
// /api/v2/repositories/batch: a JSON array of configurations, validated as a whole before any
// is applied.
func (a *API) BatchRepositories(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return arca.Errorf(arca.ErrInvalid, "the body must be a JSON array of repository configurations: %v", err)
	}
	create := r.Method == http.MethodPut
	var cfgs []*repoconfig.Config
	var problems []error
	for i, raw := range raws {
		var head struct {
			Key string `json:"key"`
		}
		_ = json.Unmarshal(raw, &head)
		if head.Key == "" {
			problems = append(problems, fmt.Errorf("item %d: key is required", i))
			continue
		}
		var cfg *repoconfig.Config
		if create {
			cfg, err = repoconfig.Parse(head.Key, raw)
		} else {
			rep, gerr := a.Repos.Get(head.Key)
			if gerr != nil {
				problems = append(problems, fmt.Errorf("item %d: repository '%s' does not exist", i, head.Key))
				continue
			}
			cfg, err = rep.Config().Update(raw)
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("item %d (%s): %w", i, head.Key, err))
			continue
		}
		cfgs = append(cfgs, cfg)
	}
	if len(problems) > 0 {
		return arca.Errorf(arca.ErrInvalid, "%s", errors.Join(problems...).Error())
	}
	for _, cfg := range cfgs {
		if create {
			err = asBadRequest(a.Repos.Create(r.Context(), cfg), arca.ErrExists)
		} else {
			err = a.Repos.Update(r.Context(), cfg)
		}
		if err != nil {
			return fmt.Errorf("repository '%s': %w", cfg.Key(), err)
		}
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	w.WriteHeader(status)
	return nil
}
