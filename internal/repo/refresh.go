package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"arca"
	"arca/internal/notify"
	"arca/internal/repoconfig"
)

// The registry across nodes: the configuration changes of the other processes sharing the
// store arrive as notices (Watch), and a key this process does not know yet is looked up in the
// store before it is refused (loadLocked).

// Watch makes the registry follow the repositories other processes sharing the database
// create, update and delete, and tell them of its own changes. Call it before serving.
func (r *Registry) Watch(bus notify.Bus) {
	r.bus = bus
	bus.Subscribe(notify.Repos, func(key string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var err error
		if key == "" {
			err = r.RefreshAll(ctx)
		} else {
			err = r.Refresh(ctx, key)
		}
		if err != nil {
			r.log.Error("following another node's repository change failed; restart this node if it persists", "repo", key, "err", err)
		}
	})
}

// Refresh brings the repository key in line with the store after another process changed it:
// installed from its stored configuration, or removed when the store no longer has it.
func (r *Registry) Refresh(ctx context.Context, key string) error {
	rec, err := r.meta.GetRepo(ctx, key)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || rec.Class == cacheClass {
		if rep, ok := r.repos[strings.ToLower(key)]; ok && !r.isGlobal(rep) && strings.EqualFold(rep.Config().Key(), key) {
			r.uninstall(rep.Config().Key())
			r.installGlobal()
		}
		return nil
	}
	cfg, err := repoconfig.Load(rec.Config)
	if err != nil {
		return fmt.Errorf("loading repository %q: %w", rec.Key, err)
	}
	r.install(cfg)
	r.installGlobal()
	return nil
}

// RefreshAll reloads every repository from the store (after notices may have been lost).
func (r *Registry) RefreshAll(ctx context.Context) error {
	recs, err := r.meta.ListRepos(ctx)
	if err != nil {
		return err
	}
	stored := map[string]bool{}
	var errs []error
	for _, rec := range recs {
		if rec.Class == cacheClass {
			continue
		}
		stored[strings.ToLower(rec.Key)] = true
		if err := r.Refresh(ctx, rec.Key); err != nil {
			errs = append(errs, err)
		}
	}
	for _, cfg := range r.List() {
		if !stored[strings.ToLower(cfg.Key())] {
			errs = append(errs, r.Refresh(ctx, cfg.Key()))
		}
	}
	return errors.Join(errs...)
}

// loadLocked installs the repository key from the store, for a key this process does not know
// (created by another node a moment ago); the caller holds mu. Missing: false.
func (r *Registry) loadLocked(ctx context.Context, key string) (*repoconfig.Config, bool) {
	rec, err := r.meta.GetRepo(ctx, key)
	if err != nil || rec.Class == cacheClass {
		return nil, false
	}
	c, err := repoconfig.Load(rec.Config)
	if err != nil {
		return nil, false
	}
	r.install(c)
	r.installGlobal()
	return c, true
}
