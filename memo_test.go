package arca

import (
	"sync"
	"testing"
)

type keyA struct{}
type keyB struct{}

func TestMemo(t *testing.T) {
	var nilMemo *Memo
	nilMemo.Put(keyA{}, 1) // no-op, no panic
	if v := nilMemo.Get(keyA{}); v != nil {
		t.Errorf("nil memo Get = %v, want nil", v)
	}
	m := new(Memo)
	if v := m.Get(keyA{}); v != nil {
		t.Errorf("empty memo Get = %v, want nil", v)
	}
	m.Put(keyA{}, "a")
	if v := m.Get(keyA{}); v != "a" {
		t.Errorf("Get(keyA) = %v, want a", v)
	}
	if v := m.Get(keyB{}); v != nil {
		t.Errorf("Get(keyB) = %v: another key's value leaked", v)
	}
	m.Put(keyB{}, "b") // one slot: replaces
	if m.Get(keyA{}) != nil || m.Get(keyB{}) != "b" {
		t.Errorf("after Put(keyB): keyA %v, keyB %v; want nil, b", m.Get(keyA{}), m.Get(keyB{}))
	}
	// Copies of an item share its memo; items compare equal whatever their memos hold.
	it := Item{Repo: "r", Path: "p", Memo: m}
	cp := it
	cp.Memo.Put(keyA{}, 7)
	if it.Memo.Get(keyA{}) != 7 {
		t.Error("a copy's Put is not seen through the original")
	}
	if !new(Memo).Equal(m) {
		t.Error("Memo.Equal must report true")
	}
}

func TestMemoConcurrent(t *testing.T) {
	m := new(Memo)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				m.Put(keyA{}, i)
				if v, ok := m.Get(keyA{}).(int); !ok || v < 0 || v > 7 {
					t.Errorf("Get = %v", m.Get(keyA{}))
					return
				}
			}
		}()
	}
	wg.Wait()
}
