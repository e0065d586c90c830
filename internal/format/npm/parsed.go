package npm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"unsafe"

	"arca"
	"arca/internal/lru"
)

// Why the first GET through a virtual after one member changed is cheap.
//
// Serving a merged packument used to parse every member's document, merge, encode, then parse
// the merged document again and parse, rewrite and encode each of its manifests to point the
// tarballs at the virtual: with 2,000 versions nearly all of it JSON decoding, and all of it
// redone when any member changed. Now:
//   - parsed documents are kept by the SHA-256 of their bytes (parsedCache): a member whose
//     document did not change is not parsed again, nor is a merged document the merge just built
//     (Merge keeps its parsed form), nor one a local repository just assembled from records;
//   - a rendered manifest is kept by the identity of the raw manifest it was rendered from
//     (manifestCache): parsed documents share their raw values with what is merged from them, so
//     after one member changed only that member's changed manifests are rendered again.
// What remains is proportional to the versions but cheap: map merging, the hashes, and writing
// the document out (no re-validation, see jsonwrite.go).

// parsedCache keeps parsed packuments by the hex SHA-256 of their document. Entries are shared
// and must not be changed: every user copies the maps it changes (clone, mergeParsed).
type parsedCache = lru.Cache[string, *Packument]

// manifestKey identifies a raw manifest by the address and length of its bytes, which are never
// changed once parsed, together with what its rendering depends on. The key holds the pointer,
// so the bytes stay alive (and the address unique) while the entry does.
type manifestKey struct {
	data          *byte
	n             int
	name, v, base string
	abbreviated   bool
}

type manifestCache = lru.Cache[manifestKey, json.RawMessage]

func newParsedCaches(max int) (*parsedCache, *manifestCache) {
	parsed := lru.New(lru.Options[string, *Packument]{MaxCost: int64(max), Cost: func(k string, p *Packument) int64 {
		return int64(p.sizeHint() + 96*(len(p.Versions)+len(p.Time)))
	}})
	manifests := lru.New(lru.Options[manifestKey, json.RawMessage]{MaxCost: int64(max), Cost: func(k manifestKey, r json.RawMessage) int64 {
		return int64(len(r) + k.n + len(k.base) + len(k.name) + len(k.v) + 96)
	}})
	return parsed, manifests
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// parse returns doc parsed, from the cache when a document with the same SHA-256 (sum, computed
// when "") was parsed before. The result is shared: do not change it.
func (n *Native) parse(doc []byte, sum string) (*Packument, error) {
	if sum == "" {
		sum = sha256Hex(doc)
	}
	if p, ok := n.parsed.Get(sum); ok {
		return p, nil
	}
	p, err := ParsePackument(doc)
	if err != nil {
		return nil, err
	}
	n.parsed.Put(sum, p)
	return p, nil
}

// Merge implements format.Merger as Format.Merge does, parsing only documents it has not seen
// and keeping the merged document's parsed form for its rendering.
func (n *Native) Merge(_ string, docs [][]byte) ([]byte, string, error) {
	ps := make([]*Packument, 0, len(docs))
	for _, doc := range docs {
		if p, err := n.parse(doc, ""); err == nil {
			ps = append(ps, p)
		}
	}
	out := mergeParsed(ps)
	if out == nil {
		return nil, "", arca.Errorf(arca.ErrInvalid, "no member's package document could be read")
	}
	doc := out.Marshal()
	n.parsed.Put(sha256Hex(doc), out)
	return doc, "application/json", nil
}

// render is Render with the caches: doc's parsed form by its SHA-256 sum ("" computes it) and
// each manifest's rendering by the manifest's identity.
func (n *Native) render(doc []byte, sum, tarballBase, rev string, abbreviated bool) ([]byte, error) {
	p, err := n.parse(doc, sum)
	if err != nil {
		return nil, err
	}
	return p.render(tarballBase, rev, abbreviated, func(v string, m json.RawMessage, base string, abbreviated bool) (json.RawMessage, bool) {
		if len(m) == 0 {
			return nil, false
		}
		k := manifestKey{data: unsafe.SliceData(m), n: len(m), name: p.Name, v: v, base: base, abbreviated: abbreviated}
		if r, ok := n.manifests.Get(k); ok {
			return r, r != nil
		}
		r, ok := p.renderManifest(v, m, base, abbreviated)
		n.manifests.Put(k, r) // nil: malformed, left out again
		return r, ok
	}), nil
}
