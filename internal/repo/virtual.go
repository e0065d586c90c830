package repo

import (
	"context"
	"errors"
	"io"
	"slices"
	"sort"
	"sync/atomic"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/lru"
	"arca/internal/meta"
	"arca/internal/repoconfig"
)

// Virtual aggregates member repositories under one URL. It resolves a content path to the first
// member, in the effective resolution order, that has it — all locals and remote caches with
// one metadata query — and answers a metadata path by merging the members' documents through
// the format's Merger. Deploys and deletes go to the default deployment repository.
//
// Rules applied to every member, in order: the patterns of every level (the virtual, each nested
// virtual, the member), the caller's read permission (a member the caller may not read is
// skipped silently), blackedOut, the format's release/snapshot kind against the member's
// handleReleases/handleSnapshots, remote members skipped for requests from other instances
// unless artifactoryRequestsCanRetrieveRemoteArtifacts, and the dependency-confusion guard.
type Virtual struct {
	cfg     *repoconfig.Config
	reg     *Registry
	format  format.Format
	meta    Store
	blobs   blob.Store
	now     Clock
	merged  *mergedCache
	planned atomic.Pointer[plan]
	// filteredDocs keeps content already passed through the format's VirtualFilter, by blob digest
	// (at most maxFiltered entries; the virtual is rebuilt when its settings change).
	filteredDocs *lru.Cache[string, filteredDoc]
	global       bool // the synthesized global virtual repository "repo"
}

var _ Repository = (*Virtual)(nil)

// Config implements Repository.
func (v *Virtual) Config() *repoconfig.Config { return v.cfg }

// Resolution returns the virtual's effective resolution list.
func (v *Virtual) Resolution() Resolution { return v.reg.resolution(v.cfg.Key()) }

// candidate is a member that may serve a given path.
type candidate struct {
	Member
	storage string // the key its items are stored under ("" for a remote itself)
}

func notFoundIn(key, p string) error {
	return arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s'", key, p)
}

// candidates returns the members that may serve p, in resolution order.
func (v *Virtual) candidates(ctx context.Context, p string, fp format.Path) []candidate {
	pl := v.plan()
	skipRemotes := fromInstance(ctx) && !v.cfg.ArtifactoryRequestsCanRetrieveRemoteArtifacts()
	out := make([]candidate, 0, len(pl.members))
	for i := range pl.members {
		if v.eligible(ctx, &pl.members[i], p, fp, skipRemotes) {
			out = append(out, pl.members[i])
		}
	}
	return out
}

// Stat implements Repository.
func (v *Virtual) Stat(ctx context.Context, p string) (arca.Item, error) {
	it, _, err := v.resolve(ctx, p, false)
	return it, err
}

// Open implements Repository.
func (v *Virtual) Open(ctx context.Context, p string) (arca.Item, blob.File, error) {
	return v.resolve(ctx, p, true)
}

// resolve finds p: the root and folders as a folder item of the virtual, metadata through the
// format's Merger, content from the first member that has it. The returned item of a file
// keeps the member's storage key in Repo, so downloads are counted where the file lives.
func (v *Virtual) resolve(ctx context.Context, p string, open bool) (arca.Item, blob.File, error) {
	root := arca.Item{Repo: v.cfg.Key(), Path: p, Folder: true}
	if p == "" {
		return root, nil, nil
	}
	if !v.cfg.Filter().Allows(p) && !v.cfg.Filter().AllowsFolder(p) {
		return arca.Item{}, nil, notFoundIn(v.cfg.Key(), p)
	}
	if cf, ok := v.format.(format.ChecksumFiles); ok {
		if _, ok := cf.ChecksumFile(p); ok {
			// Answered from the checksums of what this virtual serves for the file itself, so
			// a merged document's checksums are those of the merged bytes.
			return arca.Item{}, nil, notFoundIn(v.cfg.Key(), p)
		}
	}
	fp := v.format.Classify(p)
	if m, ok := v.format.(format.Merger); ok && fp.Kind == format.Metadata {
		return v.openMerged(ctx, p, fp, m)
	}
	g := v.Guard(ctx)
	it, c, err := v.findStored(ctx, p, fp, g)
	if err != nil {
		return arca.Item{}, nil, err
	}
	if c != nil {
		if it.Folder {
			return root, nil, nil
		}
		if vf, ok := v.format.(format.VirtualFilter); ok && vf.Filters(p) {
			return v.filtered(ctx, vf, it)
		}
		if !open {
			return it, nil, nil
		}
		f, err := v.blobs.Open(ctx, it.Checksums.SHA256)
		return it, f, err
	}
	cands, left := g.exempt(v.candidates(ctx, p, fp), p, fp)
	if left {
		g.refused(p, fp, g.HeldBy(fp))
	}
	if left && !slices.ContainsFunc(cands, func(c candidate) bool { return c.Class == ClassRemote }) {
		return arca.Item{}, nil, notFoundIn(v.cfg.Key(), p)
	}
	return v.fromRemotes(ctx, p, cands, open)
}

// findStored looks p up in every eligible local and remote-cache member with one query and
// returns the item of the first, in resolution order, that has it (nil when none does). Remote
// caches are passed over when the guard holds the path's package locally.
//
// This is the download hot path of a virtual repository: when every stored member is eligible
// (the common case) it uses the plan's prepared key set and allocates nothing per member.
func (v *Virtual) findStored(ctx context.Context, p string, fp format.Path, g *Guard) (arca.Item, *candidate, error) {
	pl := v.plan()
	skipRemotes := fromInstance(ctx) && !v.cfg.ArtifactoryRequestsCanRetrieveRemoteArtifacts()
	set := pl.stored
	for i := range pl.members {
		if !v.eligible(ctx, &pl.members[i], p, fp, skipRemotes) {
			set = v.eligibleSet(ctx, pl, p, fp, skipRemotes)
			break
		}
	}
	if set.Len() == 0 {
		return arca.Item{}, nil, nil
	}
	items, err := meta.FindItemsIn(ctx, v.meta, set, p)
	if err != nil || len(items) == 0 {
		return arca.Item{}, nil, err
	}
	for i := range pl.members {
		c := &pl.members[i]
		if c.storage == "" || g.hides(c.Member, p, fp) {
			continue
		}
		for _, it := range items {
			if it.Repo != c.storage {
				continue
			}
			if (it.Folder || c.Allows(p)) && v.eligible(ctx, c, p, fp, skipRemotes) {
				return it, c, nil
			}
		}
	}
	return arca.Item{}, nil, nil
}

// eligibleSet is the key set of the stored members eligible for p.
func (v *Virtual) eligibleSet(ctx context.Context, pl *plan, p string, fp format.Path, skipRemotes bool) meta.RepoSet {
	var keys []string
	for i := range pl.members {
		c := &pl.members[i]
		if c.storage != "" && v.eligible(ctx, c, p, fp, skipRemotes) {
			keys = append(keys, c.storage)
		}
	}
	return meta.NewRepoSet(keys)
}

// eligible reports whether member c may serve p for this caller (patterns on the way to it, its
// state and kind, the caller's permission; remotes for requests from other instances).
func (v *Virtual) eligible(ctx context.Context, c *candidate, p string, fp format.Path, skipRemotes bool) bool {
	if p != "" && !c.Allows(p) && !c.AllowsFolder(p) {
		return false
	}
	if c.Config.BlackedOut() || (fp.Release && !c.Config.HandleReleases()) || (fp.Snapshot && !c.Config.HandleSnapshots()) {
		return false
	}
	if c.Class == ClassRemote && skipRemotes {
		return false
	}
	return canRead(ctx, c.Config.Key(), p)
}

// plan is a virtual's resolution prepared for requests: built once per configuration version.
type plan struct {
	version uint64
	members []candidate  // the resolution's members with their storage keys
	stored  meta.RepoSet // storage keys of all local and remote-cache members, in order
}

// plan returns the current plan, rebuilding it when the configuration changed.
func (v *Virtual) plan() *plan {
	ver := v.reg.version()
	if pl := v.planned.Load(); pl != nil && pl.version == ver {
		return pl
	}
	res := v.reg.resolution(v.cfg.Key())
	pl := &plan{version: ver, members: make([]candidate, len(res.Members))}
	var keys []string
	for i, m := range res.Members {
		c := candidate{Member: m}
		switch m.Class {
		case ClassLocal:
			c.storage = m.Config.Key()
		case ClassRemoteCache:
			c.storage = m.Config.Key() + CacheSuffix
		}
		if c.storage != "" {
			keys = append(keys, c.storage)
		}
		pl.members[i] = c
	}
	pl.stored = meta.NewRepoSet(keys)
	v.planned.Store(pl)
	return pl
}

// filteredDoc is content after the format's VirtualFilter, with its checksums.
type filteredDoc struct {
	content []byte
	sums    arca.Checksums
}

// maxFiltered bounds the filtered documents a virtual keeps (POMs: a few KiB each), the most
// recently used ones.
const maxFiltered = 10000

// filtered serves a member's file through the format's VirtualFilter. The item describes the
// filtered bytes (size and checksums), so checksum paths answer for what is served.
func (v *Virtual) filtered(ctx context.Context, vf format.VirtualFilter, it arca.Item) (arca.Item, blob.File, error) {
	// Blobs are immutable and the virtual's settings fixed for its life, so a blob is filtered
	// once: the result is kept (bounded) by digest.
	it.Memo = nil // it now describes other bytes than the member's version
	if fd, ok := v.filteredDocs.Get(it.Checksums.SHA256); ok {
		it.Size, it.Checksums = int64(len(fd.content)), fd.sums
		return it, blob.BytesFile(fd.content), nil
	}
	f, err := v.blobs.Open(ctx, it.Checksums.SHA256)
	if err != nil {
		return arca.Item{}, nil, err
	}
	content, err := io.ReadAll(io.LimitReader(f, maxMetadataDoc+1))
	f.Close()
	if err != nil {
		return arca.Item{}, nil, err
	}
	digest := it.Checksums.SHA256
	out := vf.Filter(it.Path, v.cfg, content)
	if len(out) != len(content) || string(out) != string(content) {
		it.Size, it.Checksums = int64(len(out)), arca.ChecksumsOf(out)
	}
	v.filteredDocs.Put(digest, filteredDoc{content: out, sums: it.Checksums})
	return it, blob.BytesFile(out), nil
}

// fromRemotes asks the remote members in order; a failing member does not hide a hit in a
// later one.
func (v *Virtual) fromRemotes(ctx context.Context, p string, cands []candidate, open bool) (arca.Item, blob.File, error) {
	var firstErr error
	for _, c := range cands {
		if c.Class != ClassRemote || !c.Allows(p) {
			continue
		}
		rem, err := v.reg.Get(c.Config.Key())
		if err != nil {
			continue
		}
		var it arca.Item
		var f blob.File
		if open {
			it, f, err = rem.Open(ctx, p)
		} else {
			it, err = rem.Stat(ctx, p)
		}
		if err == nil && !it.Folder {
			return it, f, nil
		}
		if f != nil {
			f.Close()
		}
		if err != nil && !errors.Is(err, arca.ErrNotFound) && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		// Not found in any member. The virtual answers 404, as Artifactory does, so clients
		// that probe several repositories go on; the message says which remote failed.
		return arca.Item{}, nil, arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s' (a remote member failed: %v)", v.cfg.Key(), p, firstErr)
	}
	return arca.Item{}, nil, notFoundIn(v.cfg.Key(), p)
}

// DeployTarget is the repository deploys of p go to: the default deployment repository
// (arca.ErrNotAllowed without one, arca.ErrForbidden when the virtual's patterns refuse p).
func (v *Virtual) DeployTarget(p string) (Repository, error) {
	d := v.cfg.DefaultDeploymentRepo()
	if d == "" {
		return nil, arca.Errorf(arca.ErrNotAllowed,
			"virtual repository '%s' has no default deployment repository: set defaultDeploymentRepo to one of its local members", v.cfg.Key())
	}
	if p != "" && !v.cfg.Filter().Allows(p) {
		return nil, arca.Errorf(arca.ErrForbidden,
			"path '%s' is not allowed by the include/exclude patterns of repository '%s'", p, v.cfg.Key())
	}
	return v.reg.Get(d)
}

// Put implements Repository: the deploy goes to the default deployment repository.
func (v *Virtual) Put(ctx context.Context, p string, body io.Reader, opt PutOptions) (arca.Item, error) {
	t, err := v.DeployTarget(p)
	if err != nil {
		return arca.Item{}, err
	}
	return t.Put(ctx, p, body, opt)
}

// MakeFolder implements Repository, in the default deployment repository.
func (v *Virtual) MakeFolder(ctx context.Context, p, by string) (arca.Item, error) {
	t, err := v.DeployTarget(p)
	if err != nil {
		return arca.Item{}, err
	}
	return t.MakeFolder(ctx, p, by)
}

// Delete implements Repository, in the default deployment repository.
func (v *Virtual) Delete(ctx context.Context, p string) error {
	t, err := v.DeployTarget(p)
	if err != nil {
		return err
	}
	return t.Delete(ctx, p)
}

// List implements Repository: the union of the children the local and remote-cache members
// have under dir (the first member in resolution order wins for a name), filtered by every
// level's patterns, the caller's permissions and the dependency-confusion guard.
func (v *Virtual) List(ctx context.Context, dir string, deep bool) ([]arca.Item, error) {
	if dir != "" && !v.cfg.Filter().AllowsFolder(dir) {
		return nil, notFoundIn(v.cfg.Key(), dir)
	}
	seen := map[string]bool{}
	var out []arca.Item
	found := dir == ""
	g := v.Guard(ctx)
	for _, c := range v.candidates(ctx, dir, format.Path{}) {
		if c.storage == "" {
			continue
		}
		items, err := v.meta.List(ctx, c.storage, dir, deep)
		if errors.Is(err, arca.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
		for _, it := range items {
			if seen[it.Path] || !v.visible(c, it) || g.Hides(c.Member, it.Path) {
				continue
			}
			seen[it.Path] = true
			out = append(out, it)
		}
	}
	if !found {
		return nil, notFoundIn(v.cfg.Key(), dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// visible reports whether a member's item shows through the virtual.
func (v *Virtual) visible(c candidate, it arca.Item) bool {
	if it.Folder {
		return v.cfg.Filter().AllowsFolder(it.Path) && c.AllowsFolder(it.Path)
	}
	return v.cfg.Filter().Allows(it.Path) && c.Allows(it.Path)
}

// SearchTargets returns the storage keys AQL searches for this virtual (its locals and remote
// caches the caller may read), each with the member that reaches it, for filtering rows.
func (v *Virtual) SearchTargets(ctx context.Context) map[string]Member {
	out := map[string]Member{}
	for _, c := range v.candidates(ctx, "", format.Path{}) {
		if c.storage != "" {
			if _, dup := out[c.storage]; !dup {
				out[c.storage] = c.Member
			}
		}
	}
	return out
}

// Visible reports whether an item of a member's storage shows through the virtual (the
// virtual's own patterns and those on the way to the member).
func (v *Virtual) Visible(m Member, p string, folder bool) bool {
	return v.visible(candidate{Member: m}, arca.Item{Path: p, Folder: folder})
}
