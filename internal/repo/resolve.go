package repo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"arca"
	"arca/internal/pattern"
	"arca/internal/repoconfig"
)

// MemberClass is a member's place in a virtual repository's resolution order.
type MemberClass string

// The member classes, in resolution order.
const (
	ClassLocal       MemberClass = "local"        // local and federated repositories
	ClassRemoteCache MemberClass = "remote-cache" // a remote repository's cache ("<key>-cache")
	ClassRemote      MemberClass = "remote"       // a remote repository itself (its upstream)
)

// Lookup finds a repository's configuration by key (case-insensitively).
type Lookup func(key string) (*repoconfig.Config, bool)

// Member is one entry of a virtual repository's effective resolution list.
type Member struct {
	// Key is the member repository's key (for ClassRemoteCache, the remote's key; its items
	// are stored under Key+CacheSuffix).
	Key    string
	Class  MemberClass
	Config *repoconfig.Config
	// Filters are the include/exclude filters a path must pass to reach this member: those of
	// every nested virtual on the way from the resolved virtual (excluded) down to the member,
	// and the member's own, in that order.
	Filters []*pattern.Filter
	// Via lists the nested virtual repositories between the resolved virtual and the member.
	Via []string
	// Priority is the member's priorityResolution setting.
	Priority bool
}

// Allows reports whether path passes every filter on the way to the member.
func (m Member) Allows(path string) bool {
	for _, f := range m.Filters {
		if !f.Allows(path) {
			return false
		}
	}
	return true
}

// AllowsFolder reports whether the folder path can lead to allowed paths at every level.
func (m Member) AllowsFolder(path string) bool {
	for _, f := range m.Filters {
		if !f.AllowsFolder(path) {
			return false
		}
	}
	return true
}

// Resolution is a virtual repository's effective resolution list.
type Resolution struct {
	Members []Member
	// Warnings describe problems resolution worked around (a cycle, a missing member, a member
	// of another package type), for the repository's GET and the log.
	Warnings []string
}

// Bounds on the work of one resolution or check, so that neither can run away on a graph that
// validation never saw (a member deleted and re-created) or on a misbehaving Lookup. Every key
// is expanded at most once, so with a real registry the work is linear in the number of
// repositories and these limits are never reached.
const (
	// maxNesting is how many levels of nested virtual repositories are followed below the
	// resolved one.
	maxNesting = 64
	// maxEdges is how many member references are followed in all.
	maxEdges = 1 << 14
)

// Resolve computes root's effective resolution list. root is a
// virtual repository's configuration; for any other class the result is empty. lookup finds
// the members; it is called at most once per distinct key and never for root's own key.
//
// The member lists are expanded depth-first in declaration order, nested virtual repositories
// included. The first occurrence of a key wins (keys compare case-insensitively), with the
// Filters and Via of the path it was found on; a nested virtual seen before is not expanded
// again, since it can contribute nothing new. Filters hold the filter of every nested virtual
// on the path and then the member's own; root's filter is not among them (the caller applies
// it first). A local or federated member becomes one ClassLocal entry; a remote member becomes
// two, ClassRemoteCache and ClassRemote, sharing Key, Config, Filters and Via. The final order
// is stable: priorityResolution members first, then by class (locals, remote caches, remotes),
// then in expansion order.
//
// Resolve never fails and always terminates. What it cannot use it skips, adding a warning:
// a reference to a virtual already being expanded (a cycle; only that edge is dropped), a
// member that does not exist, a member of another package type than root's (any type is
// accepted under a generic root), nesting deeper than maxNesting, and references beyond
// maxEdges. The Filters slices are shared between entries and must not be modified.
func Resolve(root *repoconfig.Config, lookup Lookup) Resolution {
	if root.Class() != repoconfig.Virtual {
		return Resolution{}
	}
	r := &resolver{
		root:    root,
		lookup:  lookup,
		generic: root.AggregatesAnyType(),
		seen:    map[string]bool{strings.ToLower(root.Key()): true},
		onStack: map[string]int{strings.ToLower(root.Key()): 0},
		stack:   []string{root.Key()},
		warned:  map[string]bool{},
	}
	r.expand(root, nil, nil)
	slices.SortStableFunc(r.members, func(a, b Member) int { return cmp.Compare(memberRank(a), memberRank(b)) })
	return Resolution{Members: r.members, Warnings: r.warnings}
}

// memberRank orders members: priority members first, then by class in resolution order.
func memberRank(m Member) int {
	r := 0
	switch m.Class {
	case ClassRemoteCache:
		r = 1
	case ClassRemote:
		r = 2
	}
	if !m.Priority {
		r += 3
	}
	return r
}

// resolver is the state of one Resolve call.
type resolver struct {
	root    *repoconfig.Config
	lookup  Lookup
	generic bool

	seen    map[string]bool // lower-case keys already placed, skipped or expanded
	stack   []string        // the virtuals being expanded, root first, as spelled in their configs
	onStack map[string]int  // lower-case key → index in stack
	edges   int

	members  []Member
	warnings []string
	warned   map[string]bool
}

func (r *resolver) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !r.warned[w] {
		r.warned[w] = true
		r.warnings = append(r.warnings, w)
	}
}

// expand appends the members of virtual v, reached through the filters and nested virtuals
// given (both nil for root). v is on top of the stack.
func (r *resolver) expand(v *repoconfig.Config, filters []*pattern.Filter, via []string) {
	for _, name := range v.Repositories() {
		if r.edges++; r.edges > maxEdges {
			r.warn("more than %d member references under '%s'; the rest are ignored", maxEdges, r.root.Key())
			return
		}
		k := strings.ToLower(name)
		if i, ok := r.onStack[k]; ok {
			cycle := append(slices.Clone(r.stack[i:]), r.stack[i])
			r.warn("cycle %s ignored", strings.Join(cycle, " → "))
			continue
		}
		if r.seen[k] {
			continue
		}
		cfg, ok := r.lookup(name)
		if !ok || cfg == nil {
			r.warn("repository '%s' (a member of '%s') does not exist; ignored", name, v.Key())
			continue
		}
		r.seen[k] = true
		if !r.generic && cfg.PackageType() != r.root.PackageType() {
			r.warn("repository '%s' (a member of '%s') is a %s repository; '%s' aggregates %s repositories; ignored",
				cfg.Key(), v.Key(), cfg.PackageType(), r.root.Key(), r.root.PackageType())
			continue
		}
		path := append(slices.Clip(filters), cfg.Filter())
		switch cfg.Class() {
		case repoconfig.Virtual:
			if len(r.stack) > maxNesting {
				r.warn("virtual repository '%s' is nested more than %d levels deep under '%s'; ignored",
					cfg.Key(), maxNesting, r.root.Key())
				continue
			}
			r.onStack[k] = len(r.stack)
			r.stack = append(r.stack, cfg.Key())
			r.expand(cfg, path, append(slices.Clip(via), cfg.Key()))
			r.stack = r.stack[:len(r.stack)-1]
			delete(r.onStack, k)
		case repoconfig.Local, repoconfig.Federated:
			r.members = append(r.members, Member{Key: cfg.Key(), Class: ClassLocal, Config: cfg,
				Filters: path, Via: via, Priority: cfg.PriorityResolution()})
		case repoconfig.Remote:
			m := Member{Key: cfg.Key(), Class: ClassRemoteCache, Config: cfg,
				Filters: path, Via: via, Priority: cfg.PriorityResolution()}
			r.members = append(r.members, m)
			m.Class = ClassRemote
			r.members = append(r.members, m)
		default:
			r.warn("repository '%s' (a member of '%s') has unknown class %q; ignored", cfg.Key(), v.Key(), cfg.Class())
		}
	}
}

// CheckMembers validates the member list of a virtual repository about to be created or
// updated to cfg; it returns nil for the other classes. lookup finds the stored repositories;
// a stored version of cfg itself is ignored in favour of cfg.
//
// The rules: every member exists; every member has cfg's package type unless cfg is generic;
// cfg does not list itself; the nesting graph, with cfg in it, has no cycle through cfg (cycles
// elsewhere, which only deletion and re-creation can make, are Resolve's to ignore); and
// defaultDeploymentRepo, when set, is one of cfg's direct members and a local or federated
// repository. The error wraps arca.ErrInvalid and lists every problem found, separated by "; ";
// each cycle is named as a path ("v → a → b → v").
func CheckMembers(cfg *repoconfig.Config, lookup Lookup) error {
	if cfg.Class() != repoconfig.Virtual {
		return nil
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	generic := cfg.AggregatesAnyType()
	for _, name := range cfg.Repositories() {
		if strings.EqualFold(name, cfg.Key()) {
			add("virtual repository '%s' cannot include itself", cfg.Key())
			continue
		}
		m, ok := lookup(name)
		switch {
		case !ok || m == nil:
			add("repository '%s' does not exist", name)
		case !generic && m.PackageType() != cfg.PackageType():
			add("repository '%s' is a %s repository; virtual '%s' aggregates %s repositories",
				m.Key(), m.PackageType(), cfg.Key(), cfg.PackageType())
		}
	}
	for _, c := range cyclesThrough(cfg, lookup) {
		add("repositories would form a cycle: %s", strings.Join(c, " → "))
	}
	if d := cfg.DefaultDeploymentRepo(); d != "" {
		m, ok := lookup(d)
		switch {
		case !slices.ContainsFunc(cfg.Repositories(), func(k string) bool { return strings.EqualFold(k, d) }):
			add("defaultDeploymentRepo '%s' is not one of the repositories of '%s'", d, cfg.Key())
		case !ok || m == nil:
			// Reported above as a missing member.
		case m.Class() != repoconfig.Local && m.Class() != repoconfig.Federated:
			add("defaultDeploymentRepo '%s' must be a local repository, not a %s one", m.Key(), m.Class())
		}
	}
	if len(problems) > 0 {
		return arca.Errorf(arca.ErrInvalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

// cyclesThrough returns cycles that lead from cfg back to cfg through nested virtual
// repositories (not cfg listing itself directly), each as a path of keys starting and ending
// with cfg's key. Each repository is expanded once, so some cycles may go unreported when
// several share a tail, but one is always reported when any exists.
func cyclesThrough(cfg *repoconfig.Config, lookup Lookup) [][]string {
	var cycles [][]string
	visited := map[string]bool{strings.ToLower(cfg.Key()): true}
	path := []string{cfg.Key()}
	edges := 0
	var walk func(v *repoconfig.Config)
	walk = func(v *repoconfig.Config) {
		for _, name := range v.Repositories() {
			if edges++; edges > maxEdges {
				return
			}
			if strings.EqualFold(name, cfg.Key()) {
				if len(path) > 1 {
					cycles = append(cycles, append(slices.Clone(path), cfg.Key()))
				}
				continue
			}
			k := strings.ToLower(name)
			if visited[k] {
				continue
			}
			visited[k] = true
			m, ok := lookup(name)
			if !ok || m == nil || m.Class() != repoconfig.Virtual || len(path) > maxNesting {
				continue
			}
			path = append(path, m.Key())
			walk(m)
			path = path[:len(path)-1]
		}
	}
	walk(cfg)
	return cycles
}
