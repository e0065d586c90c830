package meta

import (
	"context"
	"slices"
	"strings"

	"arca"
)

// RepoSet is a list of repository keys prepared once for many FindItems calls: the members a
// virtual repository resolves content paths in. Preparing it encodes the keys into an ID once,
// so a store that caches lookups (package itemcache) does not re-encode a hundred keys on
// every download. Build it when the member list changes, not per request.
//
// A RepoSet is immutable and safe for concurrent use; the zero RepoSet is the empty list.
type RepoSet struct {
	keys []string
	id   string
}

// NewRepoSet returns the set of keys, in the given order (it keeps a copy of keys).
func NewRepoSet(keys []string) RepoSet {
	return RepoSet{keys: slices.Clone(keys), id: RepoSetID(keys)}
}

// Keys returns a copy of the keys, in the order given to NewRepoSet.
func (s RepoSet) Keys() []string { return slices.Clone(s.keys) }

// Len returns the number of keys.
func (s RepoSet) Len() int { return len(s.keys) }

// ID identifies the list: two sets have the same ID exactly when they hold the same keys in the
// same order. It is RepoSetID(s.Keys()), a binary string meant as a map key.
func (s RepoSet) ID() string { return s.id }

// RepoSetID returns the ID of the list keys: each key preceded by its length (a uvarint), so
// no key's content, not even a NUL, can make two different lists encode alike.
func RepoSetID(keys []string) string {
	n := 0
	for _, k := range keys {
		n += uvarintLen(uint64(len(k))) + len(k)
	}
	var b strings.Builder // one allocation: FindItems of a cache encodes its list per call
	b.Grow(n)
	for _, k := range keys {
		l := uint64(len(k))
		for ; l >= 0x80; l >>= 7 {
			b.WriteByte(byte(l) | 0x80)
		}
		b.WriteByte(byte(l))
		b.WriteString(k)
	}
	return b.String()
}

// uvarintLen is the length of binary.AppendUvarint(nil, v).
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// SetFinder is implemented by stores for which a prepared RepoSet makes FindItems cheaper than
// a plain key list. Call it through FindItemsIn, which falls back to FindItems.
type SetFinder interface {
	// FindItemsIn is FindItems(ctx, set.Keys(), path), with the same contract.
	FindItemsIn(ctx context.Context, set RepoSet, path string) ([]arca.Item, error)
}

// FindItemsIn returns the items at exactly path in the repositories of set, as Items.FindItems
// does: through st's FindItemsIn when st is a SetFinder, through FindItems otherwise.
func FindItemsIn(ctx context.Context, st Items, set RepoSet, path string) ([]arca.Item, error) {
	if f, ok := st.(SetFinder); ok {
		return f.FindItemsIn(ctx, set, path)
	}
	return st.FindItems(ctx, set.keys, path) // FindItems neither keeps nor modifies its list
}
