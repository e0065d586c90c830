package meta_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"arca/internal/meta"
)

func TestRepoSetID(t *testing.T) {
	long := strings.Repeat("k", 300) // a two-byte length
	lists := [][]string{nil, {""}, {"", ""}, {"a"}, {"ab"}, {"a", "b"}, {"b", "a"}, {"a\x00b"}, {"a", "\x00b"}, {long}, {long, "a"}}
	seen := map[string][]string{}
	for _, l := range lists {
		id := meta.RepoSetID(l)
		var want []byte
		for _, k := range l {
			want = binary.AppendUvarint(want, uint64(len(k)))
			want = append(want, k...)
		}
		if id != string(want) {
			t.Errorf("RepoSetID(%q) = %q, want %q", l, id, want)
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("RepoSetID(%q) = RepoSetID(%q)", l, prev)
		}
		seen[id] = l
	}

	keys := []string{"a", "b"}
	set := meta.NewRepoSet(keys)
	keys[0] = "changed"
	if got := set.Keys(); len(got) != 2 || got[0] != "a" || set.ID() != meta.RepoSetID([]string{"a", "b"}) || set.Len() != 2 {
		t.Errorf("NewRepoSet must keep its own copy: Keys %q, ID %q", got, set.ID())
	}
	set.Keys()[1] = "changed"
	if set.Keys()[1] != "b" {
		t.Errorf("Keys must return a copy")
	}
	if var0 := (meta.RepoSet{}); var0.Len() != 0 || var0.ID() != "" || len(var0.Keys()) != 0 {
		t.Errorf("zero RepoSet is not empty")
	}
}
