package repo

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"arca/internal/repoconfig"
)

// fuzzGraph builds a small repository graph from data: up to eight repositories r0…r7 of random
// classes, package types and priorities, and random member lists (which may name a missing
// "gone"). r0 is always a virtual: the one resolved. A virtual never lists itself directly,
// which repoconfig refuses; every other edge, cycles included, is possible.
func fuzzGraph(t *testing.T, data []byte) repoSet {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	n := 2 + int(next()%7)
	classes := []string{repoconfig.Virtual, repoconfig.Local, repoconfig.Remote, repoconfig.Federated}
	set := repoSet{}
	for i := range n {
		b := next()
		class := classes[b%4]
		if i == 0 {
			class = repoconfig.Virtual
		}
		key := fmt.Sprintf("r%d", i)
		extra := []string{pkg("maven")}
		switch {
		case (b>>2)%4 == 0:
			extra[0] = pkg("npm")
		case i == 0 && (b>>4)&1 == 1:
			extra[0] = pkg("generic")
		}
		if (b>>5)&1 == 1 && class != repoconfig.Virtual {
			extra = append(extra, priority)
		}
		if class == repoconfig.Virtual {
			var list []string
			for range next() % 6 {
				target := int(next()) % (n + 1)
				switch {
				case target == n:
					list = append(list, "gone")
				case target != i:
					list = append(list, fmt.Sprintf("r%d", target))
				}
			}
			extra = append(extra, members(list...))
		}
		if class == repoconfig.Remote {
			set[key] = mustParse(t, remote(key, extra...))
		} else {
			set[key] = mustParse(t, repoJSON(class, key, extra...))
		}
	}
	return set
}

func FuzzResolve(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 2, 1, 2, 0, 1, 0, 1})           // r0 → r1 → r0, r2 a local
	f.Add([]byte{3, 16, 3, 1, 2, 4, 0, 1, 3, 4, 2, 5}) // generic root, nesting, a missing member
	f.Add([]byte{6, 0, 0, 1, 2, 3, 4, 5, 6})
	f.Add([]byte{7, 32, 5, 1, 2, 3, 4, 5, 36, 33, 34, 0, 3, 1, 2, 3, 0, 2, 4, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		set := fuzzGraph(t, data)
		root := set["r0"]
		res := Resolve(root, set.lookup)

		// Classes in order, priority members first, no key twice in a class.
		seen := map[MemberClass]map[string]bool{}
		last := -1
		for _, m := range res.Members {
			if r := memberRank(m); r < last {
				t.Fatalf("order: %q", entries(res))
			} else {
				last = r
			}
			if seen[m.Class] == nil {
				seen[m.Class] = map[string]bool{}
			}
			if k := strings.ToLower(m.Key); seen[m.Class][k] {
				t.Fatalf("%s twice in %s: %q", m.Key, m.Class, entries(res))
			} else {
				seen[m.Class][k] = true
			}
			if (m.Class == ClassLocal) == (m.Config.Class() == repoconfig.Remote) || m.Config.Class() == repoconfig.Virtual {
				t.Fatalf("%s %s in class %s", m.Config.Class(), m.Key, m.Class)
			}
			if m.Priority != m.Config.PriorityResolution() {
				t.Fatalf("%s: Priority %v", m.Key, m.Priority)
			}
			if len(m.Filters) != len(m.Via)+1 {
				t.Fatalf("%s: %d filters for %d nested virtuals", m.Key, len(m.Filters), len(m.Via))
			}
		}
		for k := range seen[ClassRemote] {
			if !seen[ClassRemoteCache][k] {
				t.Fatalf("remote %s without its cache", k)
			}
		}
		if len(seen[ClassRemote]) != len(seen[ClassRemoteCache]) {
			t.Fatalf("caches and remotes differ: %q", entries(res))
		}

		// The members are exactly what a plain reachability search finds, and a cycle is
		// reported exactly when one is reachable.
		wantKeys, cyclic := reachable(set, root)
		var gotKeys []string
		for _, m := range res.Members {
			if m.Class != ClassRemote {
				gotKeys = append(gotKeys, strings.ToLower(m.Key))
			}
		}
		slices.Sort(gotKeys)
		if !slices.Equal(gotKeys, wantKeys) {
			t.Fatalf("members %q, want %q", gotKeys, wantKeys)
		}
		reported := slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, "cycle ") })
		if reported != cyclic {
			t.Fatalf("cycle reachable: %v; warnings %q", cyclic, res.Warnings)
		}

		// CheckMembers reports a cycle exactly when r0 can reach itself.
		err := CheckMembers(root, set.lookup)
		refused := err != nil && strings.Contains(err.Error(), "would form a cycle: r0 → ")
		if refused != reachesItself(set, root) {
			t.Fatalf("CheckMembers = %v; r0 reaches itself: %v", err, !refused)
		}
	})
}

// reachable returns the sorted lower-case keys of the non-virtual repositories that resolving
// root must find (through virtuals of root's package type, unless root is generic), and whether
// that part of the graph has a cycle.
func reachable(set repoSet, root *repoconfig.Config) (keys []string, cyclic bool) {
	usable := func(c *repoconfig.Config) bool {
		return root.PackageType() == "generic" || c.PackageType() == root.PackageType()
	}
	state := map[string]int{} // 1: on the path, 2: done
	var visit func(c *repoconfig.Config)
	visit = func(c *repoconfig.Config) {
		k := strings.ToLower(c.Key())
		state[k] = 1
		for _, name := range c.Repositories() {
			m, ok := set.lookup(name)
			if !ok || !usable(m) {
				continue
			}
			mk := strings.ToLower(m.Key())
			switch {
			case state[mk] == 1:
				cyclic = true
			case state[mk] == 2:
			case m.Class() == repoconfig.Virtual:
				visit(m)
			default:
				state[mk] = 2
				keys = append(keys, mk)
			}
		}
		state[k] = 2
	}
	visit(root)
	slices.Sort(keys)
	return keys, cyclic
}

// reachesItself reports whether root is reachable from its own members through virtuals of
// any package type.
func reachesItself(set repoSet, root *repoconfig.Config) bool {
	done := map[string]bool{}
	var reach func(c *repoconfig.Config) bool
	reach = func(c *repoconfig.Config) bool {
		for _, name := range c.Repositories() {
			if strings.EqualFold(name, root.Key()) {
				return true
			}
			m, ok := set.lookup(name)
			if !ok || m.Class() != repoconfig.Virtual || done[strings.ToLower(name)] {
				continue
			}
			done[strings.ToLower(name)] = true
			if reach(m) {
				return true
			}
		}
		return false
	}
	return reach(root)
}
