package repo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"arca"
	"arca/internal/blob"
	"arca/internal/meta"
	"arca/internal/repoconfig"
)

// Registry is the live set of repositories, loaded from the metadata store at start and kept
// in memory, so resolving a repository on the request path costs a map lookup. Changes go to
// the store first and then to memory.
//
// Keys are matched case-insensitively, as the store enforces uniqueness that way.
type Registry struct {
	meta  meta.Store
	blobs blob.Store
	now   Clock
	log   *slog.Logger

	mu    sync.RWMutex
	repos map[string]Repository // lower-case key → repository; includes "<remote>-cache" views
}

// NewRegistry loads every stored repository.
func NewRegistry(ctx context.Context, m meta.Store, b blob.Store, now Clock, log *slog.Logger) (*Registry, error) {
	r := &Registry{meta: m, blobs: b, now: now, log: log, repos: map[string]Repository{}}
	recs, err := m.ListRepos(ctx)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		cfg, err := repoconfig.Load(rec.Config)
		if err != nil {
			return nil, fmt.Errorf("loading repository %q: %w", rec.Key, err)
		}
		r.install(cfg)
	}
	return r, nil
}

// build makes the Repository for a configuration.
func (r *Registry) build(cfg *repoconfig.Config) Repository {
	switch cfg.Class() {
	case repoconfig.Remote:
		return NewRemote(cfg, NewLocal(cfg, cfg.Key()+CacheSuffix, r.meta, r.blobs, r.now))
	case repoconfig.Virtual:
		return &Virtual{cfg: cfg}
	default: // local, federated
		return NewLocal(cfg, cfg.Key(), r.meta, r.blobs, r.now)
	}
}

// install puts cfg's repository (and a remote's cache view) in the map; the caller holds mu or
// is the constructor.
func (r *Registry) install(cfg *repoconfig.Config) {
	repo := r.build(cfg)
	r.repos[strings.ToLower(cfg.Key())] = repo
	if rem, ok := repo.(*Remote); ok {
		r.repos[strings.ToLower(cfg.Key()+CacheSuffix)] = &CacheRepo{Local: rem.Cache(), remote: rem}
	}
}

func (r *Registry) uninstall(key string) {
	delete(r.repos, strings.ToLower(key))
	delete(r.repos, strings.ToLower(key+CacheSuffix))
}

// Get returns the repository with key ("<remote>-cache" names a remote's cache). Unknown:
// arca.ErrNotFound.
func (r *Registry) Get(key string) (Repository, error) {
	r.mu.RLock()
	repo, ok := r.repos[strings.ToLower(key)]
	r.mu.RUnlock()
	if !ok {
		return nil, arca.Errorf(arca.ErrNotFound, "repository '%s' does not exist", key)
	}
	return repo, nil
}

// StorageKey is the key under which a repository's items are stored (a remote's cache key for
// remotes, "" for virtuals, which store nothing).
func StorageKey(r Repository) string {
	switch v := r.(type) {
	case *Local:
		return v.Key()
	case *CacheRepo:
		return v.Key()
	case *Remote:
		return v.Cache().Key()
	}
	return ""
}

// List returns the configurations of all repositories (caches excluded), ordered by key.
func (r *Registry) List() []*repoconfig.Config {
	r.mu.RLock()
	out := make([]*repoconfig.Config, 0, len(r.repos))
	for k, repo := range r.repos {
		if strings.EqualFold(k, repo.Config().Key()) {
			out = append(out, repo.Config())
		}
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// Create stores and activates a new repository.
func (r *Registry) Create(ctx context.Context, cfg *repoconfig.Config) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkNew(cfg.Key()); err != nil {
		return err
	}
	if err := r.checkRefs(cfg); err != nil {
		return err
	}
	if err := r.meta.CreateRepo(ctx, record(cfg, r.now)); err != nil {
		if errors.Is(err, arca.ErrExists) {
			return arca.StatusErrorf(arca.ErrExists, http.StatusBadRequest, "repository '%s' already exists", cfg.Key())
		}
		return err
	}
	r.install(cfg)
	return nil
}

// checkNew refuses keys that collide with an existing repository or a remote's cache name.
func (r *Registry) checkNew(key string) error {
	if _, ok := r.repos[strings.ToLower(key)]; ok {
		return arca.StatusErrorf(arca.ErrExists, http.StatusBadRequest, "repository '%s' already exists", key)
	}
	if strings.EqualFold(key, "api") {
		return arca.Errorf(arca.ErrInvalid, "repository key 'api' is reserved for the REST API")
	}
	return nil
}

// checkRefs verifies that the repositories a virtual names exist and that its default
// deployment repository is one of its local members.
func (r *Registry) checkRefs(cfg *repoconfig.Config) error {
	if cfg.Class() != repoconfig.Virtual {
		return nil
	}
	var problems []string
	members := map[string]bool{}
	for _, m := range cfg.Repositories() {
		members[strings.ToLower(m)] = true
		if _, ok := r.repos[strings.ToLower(m)]; !ok {
			problems = append(problems, fmt.Sprintf("repository '%s' does not exist", m))
		}
	}
	if d := cfg.DefaultDeploymentRepo(); d != "" {
		repo, ok := r.repos[strings.ToLower(d)]
		switch {
		case !members[strings.ToLower(d)]:
			problems = append(problems, fmt.Sprintf("defaultDeploymentRepo '%s' is not one of the repositories of '%s'", d, cfg.Key()))
		case ok && repo.Config().Class() != repoconfig.Local && repo.Config().Class() != repoconfig.Federated:
			problems = append(problems, fmt.Sprintf("defaultDeploymentRepo '%s' must be a local repository", d))
		}
	}
	if len(problems) > 0 {
		return arca.Errorf(arca.ErrInvalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

// Update replaces the configuration of an existing repository.
func (r *Registry) Update(ctx context.Context, cfg *repoconfig.Config) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkRefs(cfg); err != nil {
		return err
	}
	if err := r.meta.UpdateRepo(ctx, record(cfg, r.now)); err != nil {
		return err
	}
	r.install(cfg)
	return nil
}

// Delete removes a repository and all its content (a remote's cache too).
func (r *Registry) Delete(ctx context.Context, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	repo, ok := r.repos[strings.ToLower(key)]
	if !ok || !strings.EqualFold(repo.Config().Key(), key) {
		return arca.StatusErrorf(arca.ErrNotFound, http.StatusBadRequest, "repository '%s' does not exist", key)
	}
	key = repo.Config().Key()
	if rem, ok := repo.(*Remote); ok {
		if _, err := r.meta.Delete(ctx, rem.Cache().Key(), ""); err != nil && !errors.Is(err, arca.ErrNotFound) {
			return err
		}
	}
	if err := r.meta.DeleteRepo(ctx, key); err != nil {
		return err
	}
	r.uninstall(key)
	return nil
}

func record(cfg *repoconfig.Config, now Clock) meta.RepoRecord {
	return meta.RepoRecord{
		Key: cfg.Key(), Class: string(cfg.Class()), PackageType: cfg.PackageType(),
		Config: cfg.StoredJSON(), Created: now(),
	}
}
