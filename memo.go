package arca

import "sync/atomic"

// Memo holds one value derived from one version of an item (the response headers of a
// download, for instance), so that a hot path computes it once per version instead of once per
// request. A cache that hands out copies of the same stored Item gives them the same *Memo; a
// write makes the cache read the item again, under a new Memo, so a memoised value never
// outlives the version it was derived from.
//
// The zero Memo is empty; a nil *Memo is valid and never holds anything (items read straight
// from a store compute every time). Memo is safe for concurrent use: concurrent Puts of values
// derived from the same version are interchangeable, and the last one stays.
type Memo struct{ slot atomic.Pointer[memoSlot] }

type memoSlot struct{ key, val any }

// Get returns the value last Put under key, or nil when there is none (or m is nil). key is
// compared with ==: use an unexported type of the caller's package, so that two users never
// read each other's values.
func (m *Memo) Get(key any) any {
	if m == nil {
		return nil
	}
	if s := m.slot.Load(); s != nil && s.key == key {
		return s.val
	}
	return nil
}

// Put stores val under key, replacing what the Memo held (it holds one value). It does nothing
// on a nil Memo.
func (m *Memo) Put(key, val any) {
	if m != nil {
		m.slot.Store(&memoSlot{key, val})
	}
}

// Equal reports true for any two memos: a memo caches values derived from an item and is no
// part of its identity, so two copies of the same item compare equal (go-cmp calls this).
func (m *Memo) Equal(*Memo) bool { return true }
