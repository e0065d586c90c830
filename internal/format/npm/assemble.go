package npm

import (
	"context"
	"errors"
	"io"
	"strings"

	"arca"
	"arca/internal/format"
	"arca/internal/lru"
)

var _ format.Assembler = (*Native)(nil)

// assembled is a packument built from a package's records (store.go): the document, its
// item, and the version records it was built from, by path, so that the next assembly reads
// only the records that changed.
type assembled struct {
	record string // SHA-256 of the package record it was built from
	item   arca.Item
	doc    []byte
	parts  map[string]assembledPart
}

type assembledPart struct {
	sha256 string
	rec    versionRecord
}

// assembledCache keeps assembled packuments by repository and package, up to a budget in bytes.
type assembledCache = lru.Cache[string, assembled]

func newAssembledCache(max int) *assembledCache {
	return lru.New(lru.Options[string, assembled]{MaxCost: int64(max), Cost: func(k string, e assembled) int64 {
		n := 2*len(e.doc) + len(k) + 512 // the document, and the records' manifests it repeats
		return int64(n + 128*len(e.parts))
	}})
}

// Assemble implements format.Assembler: the packument of a package stored as records, built
// from them (arca.ErrNotFound when the package has no record). The document is cached under
// the package record's checksum, which every write changes; a rebuild reads only the version
// records whose checksums differ from those of the cached build.
func (n *Native) Assemble(ctx context.Context, parts format.Parts, repoKey, p string) (arca.Item, []byte, error) {
	name := PackageOf(p)
	if p != DocPath(name) {
		return arca.Item{}, nil, arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s'", repoKey, p)
	}
	recIt, err := parts.Stat(ctx, recordPath(name))
	if err != nil || recIt.Folder {
		return arca.Item{}, nil, arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s'", repoKey, p)
	}
	key := strings.ToLower(repoKey) + "\x00" + name
	prev, ok := n.assembled.Get(key)
	if ok && prev.record == recIt.Checksums.SHA256 {
		return prev.item, prev.doc, nil
	}
	rec, err := readPart(ctx, parts, recordPath(name))
	if err != nil {
		return arca.Item{}, nil, err
	}
	pk, err := ParsePackument(rec)
	if err != nil {
		return arca.Item{}, nil, err
	}
	pk.Name = name
	items, err := parts.List(ctx, versionsDir(name), false)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return arca.Item{}, nil, err
	}
	next := assembled{record: recIt.Checksums.SHA256, parts: make(map[string]assembledPart, len(items))}
	for _, it := range items {
		if it.Folder || !strings.HasSuffix(it.Path, ".json") {
			continue
		}
		part, ok := prev.parts[it.Path]
		if !ok || part.sha256 != it.Checksums.SHA256 {
			b, err := readItem(ctx, parts, it)
			if errors.Is(err, arca.ErrNotFound) {
				continue // removed meanwhile
			}
			if err != nil {
				return arca.Item{}, nil, err
			}
			r, err := parseVersionRecord(b)
			if err != nil {
				continue // not installable; the other versions are
			}
			part = assembledPart{sha256: it.Checksums.SHA256, rec: r}
		}
		next.parts[it.Path] = part
		pk.Versions[part.rec.Version] = part.rec.Manifest
		if part.rec.Time != "" {
			pk.Time[part.rec.Version] = part.rec.Time
		}
	}
	next.doc = pk.Marshal()
	next.item = arca.Item{Repo: repoKey, Path: p, Size: int64(len(next.doc)), MimeType: "application/json",
		Checksums: arca.ChecksumsOf(next.doc), Created: recIt.Created, Modified: recIt.Modified, Updated: recIt.Updated,
		CreatedBy: recIt.CreatedBy, ModifiedBy: recIt.ModifiedBy}
	next.item.Original = next.item.Checksums
	n.parsed.Put(next.item.Checksums.SHA256, pk) // what rendering or merging it parses
	n.assembled.Put(key, next)
	return next.item, next.doc, nil
}

// readPart reads a stored record.
func readPart(ctx context.Context, parts format.Parts, p string) ([]byte, error) {
	_, f, err := parts.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, arca.Errorf(arca.ErrNotFound, "'%s' is a folder", p)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPackument+1))
	if err == nil && len(b) > maxPackument {
		err = arca.Errorf(arca.ErrInvalid, "'%s' is larger than %d bytes", p, maxPackument)
	}
	return b, err
}

// readItem reads a listed record.
func readItem(ctx context.Context, parts format.Parts, it arca.Item) ([]byte, error) {
	f, err := parts.Read(ctx, it)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxPackument))
}
