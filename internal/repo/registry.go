package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/lock"
	"arca/internal/lru"
	"arca/internal/meta"
	"arca/internal/notify"
	"arca/internal/repoconfig"
)

// Registry is the live set of repositories, loaded from the metadata store at start and kept
// in memory, so resolving a repository on the request path costs a map lookup. Changes go to
// the store first and then to memory.
//
// Keys are matched case-insensitively, as the store enforces uniqueness that way.
type Registry struct {
	meta    meta.Store
	blobs   blob.Store
	formats *format.Registry
	now     Clock
	log     *slog.Logger
	global  bool   // serve the global virtual repository "repo"
	id      string // this instance's id, sent upstream by remote repositories
	push    time.Duration
	merged  *mergedCache // merged metadata documents of every virtual

	mu    sync.RWMutex
	repos map[string]Repository // lower-case key → repository; includes "<remote>-cache" views
	ver   uint64                // configuration version: changes with every create/update/delete

	resMu       sync.Mutex
	resolutions map[string]Resolution // lower-case virtual key → resolution at resVer
	resVer      uint64

	bus     notify.Bus  // tells the other processes of configuration changes (Watch)
	locks   lock.Locker // Options.Locks
	onFetch func(remote, result string)
}

// Options configure a Registry.
type Options struct {
	// GlobalVirtual serves "repo", a virtual repository over every local and remote repository
	// (Artifactory's global virtual repository). Off by default.
	GlobalVirtual bool
	// InstanceID is this instance's id; remote repositories send it upstream in
	// X-Artifactory-Originated so that loops between instances are detected.
	InstanceID string
	// StatisticsPushInterval is how often smart remotes push download statistics (default 1 min).
	StatisticsPushInterval time.Duration
	// MergedCacheBytes is the budget, in bytes, of the merged metadata documents kept in memory
	// for all virtual repositories together. 0: DefaultMergedCacheBytes; negative: none kept.
	MergedCacheBytes int64
	// Locks, when several processes share the store, makes a remote's fetch of a missing path
	// one across all of them (nil: one process, whose own flights suffice).
	Locks lock.Locker
	// OnFetch, when set, is told the outcome of each fetch of a missing path by a remote
	// repository: "fetched", "failed", or "joined" (it waited for a fetch in progress).
	OnFetch func(remote, result string)
}

// GlobalVirtualKey is the key of the global virtual repository.
const GlobalVirtualKey = "repo"

// NewRegistry loads every stored repository.
func NewRegistry(ctx context.Context, m meta.Store, b blob.Store, formats *format.Registry, now Clock, log *slog.Logger, opt Options) (*Registry, error) {
	r := &Registry{meta: m, blobs: b, formats: formats, now: now, log: log, global: opt.GlobalVirtual, id: opt.InstanceID, push: opt.StatisticsPushInterval,
		merged: newMergedCache(opt.MergedCacheBytes, now),
		repos:  map[string]Repository{}, resolutions: map[string]Resolution{}, bus: notify.Local{}, locks: opt.Locks, onFetch: opt.OnFetch}
	recs, err := m.ListRepos(ctx)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if rec.Class == cacheClass {
			continue // installed with its remote
		}
		cfg, err := repoconfig.Load(rec.Config)
		if err != nil {
			return nil, fmt.Errorf("loading repository %q: %w", rec.Key, err)
		}
		if err := r.ensureCache(ctx, cfg); err != nil {
			return nil, err
		}
		r.install(cfg)
	}
	r.installGlobal()
	return r, nil
}

// build makes the Repository for a configuration.
func (r *Registry) build(cfg *repoconfig.Config) Repository {
	switch cfg.Class() {
	case repoconfig.Remote:
		cache := NewLocal(cfg, cfg.Key()+CacheSuffix, r.meta, r.blobs, r.now).withFormat(r.formats.For(cfg.PackageType()), r.log)
		rem := NewRemote(cfg, cache, r.formats.For(cfg.PackageType()), r.id, r.hasLocal, r.now, r.log)
		rem.locks, rem.onFetch = r.locks, r.onFetch
		rem.startSmart(r.push)
		return rem
	case repoconfig.Virtual:
		return &Virtual{cfg: cfg, reg: r, format: r.formats.For(cfg.PackageType()), meta: r.meta,
			blobs: r.blobs, now: r.now, merged: r.merged,
			filteredDocs: lru.New(lru.Options[string, filteredDoc]{MaxCost: maxFiltered})}
	default: // local, federated
		return NewLocal(cfg, cfg.Key(), r.meta, r.blobs, r.now).withFormat(r.formats.For(cfg.PackageType()), r.log)
	}
}

// install puts cfg's repository (and a remote's cache view) in the map; the caller holds mu or
// is the constructor.
func (r *Registry) install(cfg *repoconfig.Config) {
	r.ver++
	r.closeRemote(cfg.Key())
	repo := r.build(cfg)
	r.repos[strings.ToLower(cfg.Key())] = repo
	if rem, ok := repo.(*Remote); ok {
		r.repos[strings.ToLower(cfg.Key()+CacheSuffix)] = &CacheRepo{Local: rem.Cache(), remote: rem}
	}
}

func (r *Registry) uninstall(key string) {
	r.ver++
	r.closeRemote(key)
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
		if strings.EqualFold(k, repo.Config().Key()) && !r.isGlobal(repo) {
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
	if err := r.checkRefs(ctx, cfg); err != nil {
		return err
	}
	if err := r.meta.CreateRepo(ctx, record(cfg, r.now)); err != nil {
		if errors.Is(err, arca.ErrExists) {
			return arca.Errorf(arca.ErrExists, "repository '%s' already exists", cfg.Key())
		}
		return err
	}
	if err := r.ensureCache(ctx, cfg); err != nil {
		return err
	}
	r.install(cfg)
	r.installGlobal()
	r.bus.Publish(ctx, notify.Repos, cfg.Key())
	return nil
}

// checkNew refuses keys that collide with an existing repository or a remote's cache name.
func (r *Registry) checkNew(key string) error {
	if _, ok := r.repos[strings.ToLower(key)]; ok {
		return arca.Errorf(arca.ErrExists, "repository '%s' already exists", key)
	}
	if strings.EqualFold(key, "api") {
		return arca.Errorf(arca.ErrInvalid, "repository key 'api' is reserved for the REST API")
	}
	if r.global && strings.EqualFold(key, GlobalVirtualKey) {
		return arca.Errorf(arca.ErrInvalid, "repository key '%s' is reserved for the global virtual repository", GlobalVirtualKey)
	}
	return nil
}

// Close stops the background work of every remote repository (their statistics pushers flush
// once more). The registry must not be used afterwards.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, rep := range r.repos {
		if rem, ok := rep.(*Remote); ok && strings.EqualFold(k, rem.cfg.Key()) {
			rem.Close()
		}
	}
}

// closeRemote stops the background work of the remote repository installed under key, if any;
// the caller holds mu.
func (r *Registry) closeRemote(key string) {
	if rem, ok := r.repos[strings.ToLower(key)].(*Remote); ok {
		rem.Close()
	}
}

// hasLocal reports whether a local (or federated) repository of key exists.
func (r *Registry) hasLocal(key string) bool {
	rep, err := r.Get(key)
	if err != nil {
		return false
	}
	_, ok := rep.(*Local)
	return ok
}

// Downloaded tells the remote repository owning a cache key about a download served from its
// cache (smart remotes push these statistics upstream). Other keys are ignored.
func (r *Registry) Downloaded(storageKey, p, by string, at time.Time) {
	key, ok := strings.CutSuffix(storageKey, CacheSuffix)
	if !ok {
		return
	}
	r.mu.RLock()
	rem, ok := r.repos[strings.ToLower(key)].(*Remote)
	r.mu.RUnlock()
	if ok {
		rem.Downloaded(p, by, at)
	}
}

// lookup finds a configuration; the caller holds mu (either way).
func (r *Registry) lookup(key string) (*repoconfig.Config, bool) {
	rep, ok := r.repos[strings.ToLower(key)]
	if !ok || !strings.EqualFold(rep.Config().Key(), key) {
		return nil, false
	}
	return rep.Config(), true
}

// checkRefs verifies a virtual's members: they exist, have its package type, form no cycle,
// and its default deployment repository is one of its local members.
//
// A member this process does not know yet is looked up in the store, and installed when found
// there: another node may have created it an instant ago, before its notice arrived.
func (r *Registry) checkRefs(ctx context.Context, cfg *repoconfig.Config) error {
	return CheckMembers(cfg, func(key string) (*repoconfig.Config, bool) {
		if c, ok := r.lookup(key); ok {
			return c, true
		}
		return r.loadLocked(ctx, key)
	})
}

// Update replaces the configuration of an existing repository.
func (r *Registry) Update(ctx context.Context, cfg *repoconfig.Config) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkRefs(ctx, cfg); err != nil {
		return err
	}
	if err := r.meta.UpdateRepo(ctx, record(cfg, r.now)); err != nil {
		return err
	}
	r.install(cfg)
	r.installGlobal()
	r.bus.Publish(ctx, notify.Repos, cfg.Key())
	return nil
}

// Delete removes a repository and all its content (a remote's cache too).
func (r *Registry) Delete(ctx context.Context, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	repo, ok := r.repos[strings.ToLower(key)]
	if !ok {
		if _, found := r.loadLocked(ctx, key); found { // another node's, not announced yet
			repo, ok = r.repos[strings.ToLower(key)]
		}
	}
	if !ok || !strings.EqualFold(repo.Config().Key(), key) || r.isGlobal(repo) {
		return arca.Errorf(arca.ErrNotFound, "repository '%s' does not exist", key)
	}
	key = repo.Config().Key()
	if rem, ok := repo.(*Remote); ok {
		if err := r.meta.DeleteRepo(ctx, rem.Cache().Key()); err != nil && !errors.Is(err, arca.ErrNotFound) {
			return err
		}
	}
	if err := r.meta.DeleteRepo(ctx, key); err != nil {
		return err
	}
	r.uninstall(key)
	r.installGlobal()
	r.bus.Publish(ctx, notify.Repos, key)
	return nil
}

// installGlobal (re)builds the global virtual repository over every local, federated and remote
// repository; the caller holds mu or is the constructor. It is not stored and not listed.
func (r *Registry) installGlobal() {
	if !r.global {
		return
	}
	if rep, ok := r.repos[GlobalVirtualKey]; ok && !r.isGlobal(rep) {
		r.log.Error("the global virtual repository is enabled, but a stored repository is named 'repo'; it stays as it is")
		return
	}
	var keys []string
	for k, rep := range r.repos {
		c := rep.Config()
		if strings.EqualFold(k, c.Key()) && c.Class() != repoconfig.Virtual {
			keys = append(keys, c.Key())
		}
	}
	sort.Strings(keys)
	body, _ := json.Marshal(map[string]any{"rclass": repoconfig.Virtual, "packageType": repoconfig.GenericType, "repositories": keys})
	cfg, err := repoconfig.Parse(GlobalVirtualKey, body)
	if err != nil {
		r.log.Error("building the global virtual repository", "err", err)
		return
	}
	r.ver++
	v := r.build(cfg).(*Virtual)
	v.global = true
	r.repos[GlobalVirtualKey] = v
}

// isGlobal reports the synthesized global virtual repository.
func (r *Registry) isGlobal(rep Repository) bool {
	v, ok := rep.(*Virtual)
	return ok && v.global
}

// version returns the configuration version.
func (r *Registry) version() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ver
}

// resolution returns the effective resolution list of the virtual repository key, computed once
// per configuration version. Warnings are logged when it is computed.
func (r *Registry) resolution(key string) Resolution {
	r.mu.RLock()
	defer r.mu.RUnlock()
	lk := strings.ToLower(key)
	r.resMu.Lock()
	defer r.resMu.Unlock()
	if r.resVer != r.ver {
		r.resolutions, r.resVer = map[string]Resolution{}, r.ver
	}
	if res, ok := r.resolutions[lk]; ok {
		return res
	}
	rep, ok := r.repos[lk]
	if !ok {
		return Resolution{}
	}
	res := Resolve(rep.Config(), r.lookup)
	for _, w := range res.Warnings {
		r.log.Warn("virtual repository resolution", "repo", rep.Config().Key(), "warning", w)
	}
	r.resolutions[lk] = res
	return res
}

// cacheClass is the stored class of a remote repository's cache: a storage area of its own
// ("<remote>-cache", a key users cannot create), created and deleted with the remote and never
// listed as a repository.
const cacheClass = "cache"

// ensureCache makes sure a remote repository's cache has its storage record.
func (r *Registry) ensureCache(ctx context.Context, cfg *repoconfig.Config) error {
	if cfg.Class() != repoconfig.Remote {
		return nil
	}
	err := r.meta.CreateRepo(ctx, meta.RepoRecord{
		Key: cfg.Key() + CacheSuffix, Class: cacheClass, PackageType: cfg.PackageType(), Config: []byte("{}"), Created: r.now(),
	})
	if errors.Is(err, arca.ErrExists) {
		return nil
	}
	return err
}

func record(cfg *repoconfig.Config, now Clock) meta.RepoRecord {
	return meta.RepoRecord{
		Key: cfg.Key(), Class: string(cfg.Class()), PackageType: cfg.PackageType(),
		Config: cfg.StoredJSON(), Created: now(),
	}
}
