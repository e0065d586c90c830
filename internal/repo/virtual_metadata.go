package repo

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/lru"
	"arca/internal/meta"
)

// maxMetadataDoc bounds a member's metadata document read into memory for merging.
const maxMetadataDoc = 64 << 20

// defaultMergedTTL bounds how long a merged document is trusted when the virtual has no
// virtualRetrievalCachePeriodSecs: remote members can change without Arca noticing.
const defaultMergedTTL = 7200 * time.Second

// DefaultMergedCacheBytes is the default budget of the merged-document cache (Options).
const DefaultMergedCacheBytes = 64 << 20

// mergedCache keeps merged metadata documents of every virtual repository of a registry, within
// one budget in bytes, least recently used out first. An entry is valid while the registry's
// configuration version and the generations of the members' stored items are those it was built
// under, and for at most the virtual's retrieval cache period (its TTL: remote members change
// without telling). A virtual's settings change bumps the version, so the entries of the
// virtual it replaces are never served again; they leave as the budget needs room.
type mergedCache = lru.Cache[mergedKey, mergedEntry]

// mergedKey names a merged document: the virtual's lower-case key and the path.
type mergedKey struct{ repo, path string }

type mergedEntry struct {
	item    arca.Item
	doc     []byte
	version uint64 // registry configuration version
	gen     uint64 // sum of the members' item generations
	// pkg and heldBy record that the dependency-confusion guard left remote members out.
	pkg, heldBy string
}

// mergedOverhead estimates what an entry holds besides its document and key: the item with its
// checksum strings, and the cache's map slot and list links.
const mergedOverhead = 512

// newMergedCache returns a cache of merged documents within budget bytes (0 means
// DefaultMergedCacheBytes, a negative budget caches nothing) whose TTLs run on now.
func newMergedCache(budget int64, now Clock) *mergedCache {
	if budget == 0 {
		budget = DefaultMergedCacheBytes
	}
	return lru.New(lru.Options[mergedKey, mergedEntry]{MaxCost: budget, Now: now, Cost: func(k mergedKey, e mergedEntry) int64 {
		return int64(cap(e.doc) + len(k.repo) + 2*len(k.path) + mergedOverhead)
	}})
}

// generation sums the item generations of the storage keys; ok is false when the store cannot
// tell (then nothing is cached).
func (v *Virtual) generation(cands []candidate) (sum uint64, ok bool) {
	g, ok := v.meta.(meta.Generations)
	if !ok {
		return 0, false
	}
	for _, c := range cands {
		if c.storage != "" {
			sum += g.Generation(c.storage)
		}
	}
	return sum, true
}

// openMerged answers a metadata path with the merge of the documents every eligible member
// has for it, in resolution order. When a priorityResolution member has the document, only
// priority members' documents are merged. Under the dependency-confusion guard, remote
// members (and their caches) take no part when the path's package exists in a local member.
func (v *Virtual) openMerged(ctx context.Context, p string, fp format.Path, m format.Merger) (arca.Item, blob.File, error) {
	cands := v.candidates(ctx, p, fp)
	version := v.reg.version()
	gen, cacheable := v.generation(cands)
	ttl := v.cfg.VirtualRetrievalCachePeriod()
	if ttl <= 0 {
		ttl = defaultMergedTTL
	}
	// The cache is shared by all callers, so it only serves callers who can read every member.
	cacheable = cacheable && len(cands) == len(v.candidates(context.WithoutCancel(withoutCaller(ctx)), p, fp))
	key := mergedKey{strings.ToLower(v.cfg.Key()), p}
	if cacheable {
		if e, ok := v.merged.Get(key); ok {
			if e.version == version && e.gen == gen {
				if e.heldBy != "" {
					format.GuardNoteFrom(ctx).Add(e.pkg, e.heldBy)
				}
				return e.item, blob.BytesFile(e.doc), nil
			}
			v.merged.Remove(key) // stale: free its room now
		}
	}
	heldBy := ""
	g := v.Guard(ctx)
	if kept, left := g.exempt(cands, p, fp); left {
		heldBy = g.HeldBy(fp)
		g.refused(p, fp, heldBy)
		cands = kept
	}
	docs, err := v.memberDocs(ctx, p, cands)
	if err != nil {
		return arca.Item{}, nil, err
	}
	if len(docs) == 0 {
		return arca.Item{}, nil, notFoundIn(v.cfg.Key(), p)
	}
	doc, mediaType, err := m.Merge(p, docs)
	if err != nil {
		return arca.Item{}, nil, err
	}
	now := v.now()
	it := arca.Item{Repo: v.cfg.Key(), Path: p, Size: int64(len(doc)), MimeType: mediaType,
		Checksums: arca.ChecksumsOf(doc), Created: now, Modified: now, Updated: now}
	it.Original = it.Checksums
	if cacheable {
		v.merged.PutTTL(key, mergedEntry{item: it, doc: doc, version: version, gen: gen, pkg: fp.Package, heldBy: heldBy}, ttl)
	}
	return it, blob.BytesFile(doc), nil
}

// memberDocs reads the document at p from each candidate that has it, in order: stored members
// through their blobs, remote members through the remote. Priority members' documents alone are
// returned when any of them has one.
func (v *Virtual) memberDocs(ctx context.Context, p string, cands []candidate) ([][]byte, error) {
	var docs, priority [][]byte
	for _, c := range cands {
		if !c.Allows(p) {
			continue
		}
		rep, err := v.reg.Get(c.Config.Key())
		if err != nil {
			continue
		}
		if c.Class == ClassRemoteCache {
			if rem, ok := rep.(*Remote); ok {
				rep = rem.Cache()
			}
		}
		_, f, err := rep.Open(ctx, p)
		if errors.Is(err, arca.ErrNotFound) || (err == nil && f == nil) {
			continue
		}
		if err != nil {
			if c.Class == ClassRemote {
				continue // an unreachable remote must not fail the merge of the others
			}
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, maxMetadataDoc+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		if len(b) > maxMetadataDoc {
			return nil, arca.Errorf(arca.ErrInvalid, "metadata '%s' of '%s' is larger than %d bytes", p, c.Config.Key(), maxMetadataDoc)
		}
		docs = append(docs, b)
		if c.Priority {
			priority = append(priority, b)
		}
	}
	if len(priority) > 0 {
		return priority, nil
	}
	return docs, nil
}

// withoutCaller returns ctx with no caller: the view of a caller who may read everything.
func withoutCaller(ctx context.Context) context.Context { return WithCaller(ctx, nil) }
