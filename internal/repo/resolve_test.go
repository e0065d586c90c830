package repo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/repoconfig"
)

// repoJSON builds a configuration body for class and key: package type maven unless extra sets
// one, then the extra `"field":value` pairs.
func repoJSON(class, key string, extra ...string) string {
	fields := []string{fmt.Sprintf(`"key":%q`, key), fmt.Sprintf(`"rclass":%q`, class)}
	if !slices.ContainsFunc(extra, func(e string) bool { return strings.HasPrefix(e, `"packageType"`) }) {
		fields = append(fields, `"packageType":"maven"`)
	}
	return "{" + strings.Join(append(fields, extra...), ",") + "}"
}

func local(key string, extra ...string) string { return repoJSON(repoconfig.Local, key, extra...) }

func federated(key string, extra ...string) string {
	return repoJSON(repoconfig.Federated, key, extra...)
}

func remote(key string, extra ...string) string {
	return repoJSON(repoconfig.Remote, key, append([]string{`"url":"https://upstream.example/` + key + `"`}, extra...)...)
}

func virtual(key string, extra ...string) string { return repoJSON(repoconfig.Virtual, key, extra...) }

// members is a virtual's "repositories" field.
func members(keys ...string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return `"repositories":[` + strings.Join(quoted, ",") + "]"
}

func pkg(t string) string      { return fmt.Sprintf(`"packageType":%q`, t) }
func includes(p string) string { return fmt.Sprintf(`"includesPattern":%q`, p) }
func excludes(p string) string { return fmt.Sprintf(`"excludesPattern":%q`, p) }
func deployTo(k string) string { return fmt.Sprintf(`"defaultDeploymentRepo":%q`, k) }

const priority = `"priorityResolution":true`

// repoSet is a stored set of repositories, looked up case-insensitively as the registry does.
type repoSet map[string]*repoconfig.Config

func newRepoSet(t testing.TB, bodies ...string) repoSet {
	t.Helper()
	s := repoSet{}
	for _, b := range bodies {
		c := mustParse(t, b)
		s[strings.ToLower(c.Key())] = c
	}
	return s
}

func mustParse(t testing.TB, body string) *repoconfig.Config {
	t.Helper()
	c, err := repoconfig.Parse("", []byte(body))
	if err != nil {
		t.Fatalf("Parse(%s): %v", body, err)
	}
	return c
}

func (s repoSet) lookup(key string) (*repoconfig.Config, bool) {
	c, ok := s[strings.ToLower(key)]
	return c, ok
}

// entries summarises a resolution list as "class:key", prefixed with "!" for priority members.
func entries(res Resolution) []string {
	var out []string
	for _, m := range res.Members {
		e := string(m.Class) + ":" + m.Key
		if m.Priority {
			e = "!" + e
		}
		out = append(out, e)
	}
	return out
}

func TestResolveOrder(t *testing.T) {
	tests := []struct {
		name  string
		repos []string // the first is the virtual resolved
		want  []string
	}{
		{
			name:  "flat: locals, then caches, then remotes",
			repos: []string{virtual("v", members("r1", "l1", "r2", "l2")), remote("r1"), local("l1"), remote("r2"), local("l2")},
			want: []string{"local:l1", "local:l2", "remote-cache:r1", "remote-cache:r2",
				"remote:r1", "remote:r2"},
		},
		{
			name:  "federated members are locals",
			repos: []string{virtual("v", members("r1", "f1", "l1")), remote("r1"), federated("f1"), local("l1")},
			want:  []string{"local:f1", "local:l1", "remote-cache:r1", "remote:r1"},
		},
		{
			name: "nesting at several depths flattens depth-first in declaration order",
			repos: []string{
				virtual("v", members("l1", "n1", "l5", "r3")),
				virtual("n1", members("l2", "n2", "r1", "l4")),
				virtual("n2", members("r2", "l3", "n3")),
				virtual("n3"),
				local("l1"), local("l2"), local("l3"), local("l4"), local("l5"),
				remote("r1"), remote("r2"), remote("r3"),
			},
			want: []string{"local:l1", "local:l2", "local:l3", "local:l4", "local:l5",
				"remote-cache:r2", "remote-cache:r1", "remote-cache:r3",
				"remote:r2", "remote:r1", "remote:r3"},
		},
		{
			name: "duplicates across nesting paths keep the first occurrence",
			repos: []string{
				virtual("v", members("n1", "n2", "l1", "r1")),
				virtual("n1", members("l2", "r1", "l1")),
				virtual("n2", members("l1", "l2", "l3", "n1")),
				local("l1"), local("l2"), local("l3"), remote("r1"),
			},
			want: []string{"local:l2", "local:l1", "local:l3", "remote-cache:r1", "remote:r1"},
		},
		{
			name: "a diamond expands the shared virtual once",
			repos: []string{
				virtual("v", members("n1", "n2")),
				virtual("n1", members("n3", "l1")),
				virtual("n2", members("n3", "l2")),
				virtual("n3", members("l3")),
				local("l1"), local("l2"), local("l3"),
			},
			want: []string{"local:l3", "local:l1", "local:l2"},
		},
		{
			name:  "keys compare case-insensitively; the stored spelling is kept",
			repos: []string{virtual("v", members("lib", "LIB", "Lib")), local("Lib")},
			want:  []string{"local:Lib"},
		},
		{
			name: "priority members come first, each group ordered by class",
			repos: []string{
				virtual("v", members("l1", "r1", "n1", "l2")),
				virtual("n1", members("r2", "l3")),
				local("l1"), local("l2", priority), local("l3", priority),
				remote("r1"), remote("r2", priority),
			},
			want: []string{"!local:l3", "!local:l2", "!remote-cache:r2", "!remote:r2",
				"local:l1", "remote-cache:r1", "remote:r1"},
		},
		{
			name:  "an empty virtual resolves to nothing",
			repos: []string{virtual("v")},
		},
		{
			name:  "a local repository has no resolution list",
			repos: []string{local("v")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := newRepoSet(t, tt.repos...)
			res := Resolve(mustParse(t, tt.repos[0]), set.lookup)
			if diff := cmp.Diff(tt.want, entries(res)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if len(res.Warnings) > 0 {
				t.Errorf("warnings: %q", res.Warnings)
			}
		})
	}
}

func TestResolveViaAndConfig(t *testing.T) {
	set := newRepoSet(t,
		virtual("v", members("n1", "l1")),
		virtual("n1", members("n2", "r1")),
		virtual("n2", members("l2")),
		local("l1"), local("l2"), remote("r1"),
	)
	res := Resolve(set["v"], set.lookup)
	type entry struct {
		Key, Class string
		Via        []string
	}
	var got []entry
	for _, m := range res.Members {
		if m.Config != set[strings.ToLower(m.Key)] {
			t.Errorf("%s: Config is not the stored configuration", m.Key)
		}
		got = append(got, entry{m.Key, string(m.Class), m.Via})
	}
	want := []entry{
		{"l2", "local", []string{"n1", "n2"}},
		{"l1", "local", nil},
		{"r1", "remote-cache", []string{"n1"}},
		{"r1", "remote", []string{"n1"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestResolveLooksUpEachKeyOnceAndNeverTheRoot(t *testing.T) {
	set := newRepoSet(t,
		virtual("v", members("n1", "n2", "l1")),
		virtual("n1", members("l1", "n2", "v")),
		virtual("n2", members("l1", "n1", "ghost")),
		local("l1"),
	)
	calls := map[string]int{}
	lookup := func(key string) (*repoconfig.Config, bool) {
		calls[strings.ToLower(key)]++
		return set.lookup(key)
	}
	Resolve(set["v"], lookup)
	for k, n := range calls {
		if k == "v" || n > 1 && k != "ghost" {
			t.Errorf("lookup(%q) called %d times", k, n)
		}
	}
}

func TestResolveFilters(t *testing.T) {
	tests := []struct {
		name  string
		repos []string
		// allowed and denied map a member entry ("class:key") to paths it must allow or deny.
		allowed, denied map[string][]string
	}{
		{
			name: "a member's own patterns (the product definition's example)",
			repos: []string{
				virtual("v", members("m")),
				local("m", includes("org/apache/**,com/acme/**"), excludes("com/acme/exp-project/**")),
			},
			allowed: map[string][]string{"local:m": {"org/apache/maven/parent/1/1.pom", "com/acme/project-x/core/1.0/nit-1.0.jar"}},
			denied:  map[string][]string{"local:m": {"com/acme/exp-project/core/1.1/san-1.1.jar", "net/other/1.0/o.jar"}},
		},
		{
			name: "the resolved virtual's own patterns are left to the caller",
			repos: []string{
				virtual("v", members("m"), excludes("**/*.jar")),
				local("m"),
			},
			allowed: map[string][]string{"local:m": {"a/b/c.jar"}},
		},
		{
			name: "a nested virtual's exclude hides a path from every member beneath it",
			repos: []string{
				virtual("v", members("n1", "l3")),
				virtual("n1", members("l1", "n2"), excludes("com/acme/exp-project/**")),
				virtual("n2", members("l2", "r1"), includes("com/**")),
				local("l1"), local("l2"), local("l3"), remote("r1"),
			},
			allowed: map[string][]string{
				"local:l1":        {"com/acme/project-x/1.0/x.jar", "org/apache/a/1/a.pom"},
				"local:l2":        {"com/acme/project-x/1.0/x.jar"},
				"remote-cache:r1": {"com/acme/project-x/1.0/x.jar"},
				"remote:r1":       {"com/acme/project-x/1.0/x.jar"},
				"local:l3":        {"com/acme/exp-project/core/1.1/san-1.1.jar", "org/apache/a/1/a.pom"},
			},
			denied: map[string][]string{
				"local:l1":        {"com/acme/exp-project/core/1.1/san-1.1.jar"},
				"local:l2":        {"com/acme/exp-project/core/1.1/san-1.1.jar", "org/apache/a/1/a.pom"},
				"remote-cache:r1": {"com/acme/exp-project/core/1.1/san-1.1.jar", "org/apache/a/1/a.pom"},
				"remote:r1":       {"com/acme/exp-project/core/1.1/san-1.1.jar", "org/apache/a/1/a.pom"},
			},
		},
		{
			name: "nested and member patterns both apply",
			repos: []string{
				virtual("v", members("n1")),
				virtual("n1", members("l1"), includes("org/**")),
				local("l1", excludes("org/secret/**")),
			},
			allowed: map[string][]string{"local:l1": {"org/apache/a/1/a.pom"}},
			denied:  map[string][]string{"local:l1": {"org/secret/a/1/a.pom", "com/acme/a/1/a.pom"}},
		},
		{
			name: "the first occurrence's patterns win",
			repos: []string{
				virtual("v", members("n1", "l1")),
				virtual("n1", members("l1"), excludes("internal/**")),
				local("l1"),
			},
			allowed: map[string][]string{"local:l1": {"public/a.txt"}},
			denied:  map[string][]string{"local:l1": {"internal/a.txt"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := newRepoSet(t, tt.repos...)
			res := Resolve(mustParse(t, tt.repos[0]), set.lookup)
			byEntry := map[string]Member{}
			for _, m := range res.Members {
				byEntry[string(m.Class)+":"+m.Key] = m
			}
			for want, paths := range map[bool]map[string][]string{true: tt.allowed, false: tt.denied} {
				for e, ps := range paths {
					m, ok := byEntry[e]
					if !ok {
						t.Fatalf("no member %s in %q", e, entries(res))
					}
					for _, p := range ps {
						if got := m.Allows(p); got != want {
							t.Errorf("%s.Allows(%q) = %v, want %v", e, p, got, want)
						}
					}
				}
			}
		})
	}
}

func TestResolveFoldersUnderNestedExclude(t *testing.T) {
	set := newRepoSet(t,
		virtual("v", members("n1")),
		virtual("n1", members("l1"), excludes("com/acme/exp-project/**")),
		local("l1"),
	)
	res := Resolve(set["v"], set.lookup)
	if len(res.Members) != 1 {
		t.Fatalf("members: %q", entries(res))
	}
	m := res.Members[0]
	for dir, want := range map[string]bool{"": true, "com": true, "com/acme": true, "com/acme/exp-project": false, "com/acme/exp-project/core": false} {
		if got := m.AllowsFolder(dir); got != want {
			t.Errorf("AllowsFolder(%q) = %v, want %v", dir, got, want)
		}
	}
}

func TestResolveCycles(t *testing.T) {
	tests := []struct {
		name     string
		repos    []string
		alias    map[string]string // extra lookup names → stored key, to make a self-loop
		want     []string
		warnings []string
	}{
		{
			name:     "self-loop (a member that resolves to the virtual itself)",
			repos:    []string{virtual("v", members("l1", "me")), local("l1")},
			alias:    map[string]string{"me": "v"},
			want:     []string{"local:l1"},
			warnings: []string{"cycle v → v ignored"},
		},
		{
			name: "two-cycle through the root",
			repos: []string{
				virtual("v", members("l1", "n1")),
				virtual("n1", members("l2", "v", "l3")),
				local("l1"), local("l2"), local("l3"),
			},
			want:     []string{"local:l1", "local:l2", "local:l3"},
			warnings: []string{"cycle v → n1 → v ignored"},
		},
		{
			name: "two-cycle below the root",
			repos: []string{
				virtual("v", members("n1")),
				virtual("n1", members("n2", "l1")),
				virtual("n2", members("n1", "l2")),
				local("l1"), local("l2"),
			},
			want:     []string{"local:l2", "local:l1"},
			warnings: []string{"cycle n1 → n2 → n1 ignored"},
		},
		{
			name: "longer cycle through the root",
			repos: []string{
				virtual("v", members("n1", "l1")),
				virtual("n1", members("n2")),
				virtual("n2", members("n3", "r1")),
				virtual("n3", members("v", "l2")),
				local("l1"), local("l2"), remote("r1"),
			},
			want:     []string{"local:l2", "local:l1", "remote-cache:r1", "remote:r1"},
			warnings: []string{"cycle v → n1 → n2 → n3 → v ignored"},
		},
		{
			name: "cycle reached through a nested virtual, both ends listed by the root",
			repos: []string{
				virtual("v", members("n0", "n2", "n1")),
				virtual("n0", members("n1")),
				virtual("n1", members("n2", "l1")),
				virtual("n2", members("l2", "n3")),
				virtual("n3", members("n1")),
				local("l1"), local("l2"),
			},
			want:     []string{"local:l2", "local:l1"},
			warnings: []string{"cycle n1 → n2 → n3 → n1 ignored"},
		},
		{
			name: "several cycles, each reported",
			repos: []string{
				virtual("v", members("n1", "n2")),
				virtual("n1", members("v", "n1b")),
				virtual("n1b", members("n1", "l1")),
				virtual("n2", members("n2b")),
				virtual("n2b", members("n2", "v", "l2")),
				local("l1"), local("l2"),
			},
			want: []string{"local:l1", "local:l2"},
			warnings: []string{"cycle v → n1 → v ignored", "cycle n1 → n1b → n1 ignored",
				"cycle n2 → n2b → n2 ignored", "cycle v → n2 → n2b → v ignored"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := newRepoSet(t, tt.repos...)
			for name, key := range tt.alias {
				set[name] = set[key]
			}
			res := Resolve(mustParse(t, tt.repos[0]), set.lookup)
			if diff := cmp.Diff(tt.want, entries(res)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, res.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveSkipsWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name     string
		repos    []string
		want     []string
		warnings []string
	}{
		{
			name: "missing members, direct and nested",
			repos: []string{
				virtual("v", members("l1", "gone", "n1")),
				virtual("n1", members("gone2", "l2")),
				local("l1"), local("l2"),
			},
			want: []string{"local:l1", "local:l2"},
			warnings: []string{"repository 'gone' (a member of 'v') does not exist; ignored",
				"repository 'gone2' (a member of 'n1') does not exist; ignored"},
		},
		{
			name: "members of another package type under a maven virtual",
			repos: []string{
				virtual("v", members("l1", "npm1", "nv", "gen")),
				local("l1"), local("npm1", pkg("npm")), local("gen", pkg("generic")),
				virtual("nv", pkg("npm"), members("npm1", "l1")),
			},
			want: []string{"local:l1"},
			warnings: []string{
				"repository 'npm1' (a member of 'v') is a npm repository; 'v' aggregates maven repositories; ignored",
				"repository 'nv' (a member of 'v') is a npm repository; 'v' aggregates maven repositories; ignored",
				"repository 'gen' (a member of 'v') is a generic repository; 'v' aggregates maven repositories; ignored",
			},
		},
		{
			name: "a nested member of another package type",
			repos: []string{
				virtual("v", members("n1")),
				virtual("n1", members("npm1", "l1")),
				local("l1"), local("npm1", pkg("npm")),
			},
			want:     []string{"local:l1"},
			warnings: []string{"repository 'npm1' (a member of 'n1') is a npm repository; 'v' aggregates maven repositories; ignored"},
		},
		{
			name: "a generic virtual aggregates every package type",
			repos: []string{
				virtual("v", pkg("generic"), members("l1", "npm1", "nv", "r1")),
				local("l1"), local("npm1", pkg("npm")), remote("r1", pkg("pypi")),
				virtual("nv", pkg("docker"), members("d1")), local("d1", pkg("docker")),
			},
			want: []string{"local:l1", "local:npm1", "local:d1", "remote-cache:r1", "remote:r1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := newRepoSet(t, tt.repos...)
			res := Resolve(mustParse(t, tt.repos[0]), set.lookup)
			if diff := cmp.Diff(tt.want, entries(res)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, res.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveBoundsDeepNesting(t *testing.T) {
	// A chain of virtuals deeper than maxNesting, each with one local of its own.
	const depth = maxNesting + 5
	bodies := []string{}
	for i := range depth {
		next := []string{fmt.Sprintf("l%d", i)}
		if i+1 < depth {
			next = append(next, fmt.Sprintf("n%d", i+1))
		}
		bodies = append(bodies, virtual(fmt.Sprintf("n%d", i), members(next...)), local(fmt.Sprintf("l%d", i)))
	}
	set := newRepoSet(t, bodies...)
	res := Resolve(set["n0"], set.lookup)
	if got, want := len(res.Members), maxNesting+1; got != want {
		t.Errorf("%d members, want %d (the root's and one per followed level)", got, want)
	}
	want := fmt.Sprintf("virtual repository 'n%d' is nested more than %d levels deep under 'n0'; ignored", maxNesting+1, maxNesting)
	if diff := cmp.Diff([]string{want}, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestResolveBoundsWorkOnAnUnboundedLookup(t *testing.T) {
	// A lookup that invents, for every key ending in "v", a virtual listing a fresh such key
	// and many fresh keys that do not exist: only the limits stop the expansion.
	n := 0
	fresh := func() string { n++; return fmt.Sprintf("k%d", n) }
	lookup := func(key string) (*repoconfig.Config, bool) {
		if !strings.HasSuffix(key, "v") {
			return nil, false
		}
		list := []string{fresh() + "v"}
		for range 400 {
			list = append(list, fresh())
		}
		return mustParse(t, virtual(key, members(list...))), true
	}
	res := Resolve(mustParse(t, virtual("v", members("xv"))), lookup)
	want := fmt.Sprintf("more than %d member references under 'v'; the rest are ignored", maxEdges)
	if len(res.Members) != 0 || !slices.Contains(res.Warnings, want) {
		t.Errorf("members %q, %d warnings, want none and %q", entries(res), len(res.Warnings), want)
	}
}

func TestCheckMembers(t *testing.T) {
	tests := []struct {
		name   string
		cfg    string
		stored []string
		want   string // the error message; "" for none
	}{
		{
			name:   "valid members and deployment repository",
			cfg:    virtual("v", members("l1", "r1", "n1"), deployTo("l1")),
			stored: []string{local("l1"), remote("r1"), virtual("n1", members("l2")), local("l2")},
		},
		{
			name:   "a federated deployment repository",
			cfg:    virtual("v", members("f1"), deployTo("F1")),
			stored: []string{federated("f1")},
		},
		{
			name: "other classes are not checked",
			cfg:  local("v"),
		},
		{
			name:   "missing members",
			cfg:    virtual("v", members("l1", "gone", "gone2")),
			stored: []string{local("l1")},
			want:   "repository 'gone' does not exist; repository 'gone2' does not exist",
		},
		{
			name:   "a member of another package type",
			cfg:    virtual("v", pkg("npm"), members("m1", "n1")),
			stored: []string{local("m1"), local("n1", pkg("npm"))},
			want:   "repository 'm1' is a maven repository; virtual 'v' aggregates npm repositories",
		},
		{
			name:   "a generic virtual accepts every package type",
			cfg:    virtual("v", pkg("generic"), members("m1", "n1", "nv")),
			stored: []string{local("m1"), local("n1", pkg("npm")), virtual("nv", pkg("npm"))},
		},
		{
			name:   "a cycle through a stored virtual",
			cfg:    virtual("v", members("l1", "n1")),
			stored: []string{local("l1"), virtual("n1", members("v"))},
			want:   "repositories would form a cycle: v → n1 → v",
		},
		{
			name: "a longer cycle",
			cfg:  virtual("v", members("a")),
			stored: []string{virtual("a", members("l1", "b")), virtual("b", members("c")),
				virtual("c", members("V")), local("l1")},
			want: "repositories would form a cycle: v → a → b → c → v",
		},
		{
			name: "an update: cfg replaces the stored version of itself",
			cfg:  virtual("n1", members("v")),
			// Stored: v includes n1 (no cycle yet); updating n1 to include v makes one.
			stored: []string{virtual("v", members("n1")), virtual("n1", members("l1")), local("l1")},
			want:   "repositories would form a cycle: n1 → v → n1",
		},
		{
			name: "an update that breaks a stored cycle",
			cfg:  virtual("v", members("l1")),
			// Stored: v and n1 include each other (a member deleted and re-created).
			stored: []string{virtual("v", members("n1")), virtual("n1", members("v")), local("l1")},
		},
		{
			name:   "a stored cycle that does not pass through cfg is not cfg's fault",
			cfg:    virtual("v", members("a")),
			stored: []string{virtual("a", members("b")), virtual("b", members("a"))},
		},
		{
			name:   "deployment repository not a member",
			cfg:    virtual("v", members("l1"), deployTo("l2")),
			stored: []string{local("l1"), local("l2")},
			want:   "defaultDeploymentRepo 'l2' is not one of the repositories of 'v'",
		},
		{
			name:   "deployment repository only a nested member",
			cfg:    virtual("v", members("n1"), deployTo("l1")),
			stored: []string{virtual("n1", members("l1")), local("l1")},
			want:   "defaultDeploymentRepo 'l1' is not one of the repositories of 'v'",
		},
		{
			name:   "deployment repository a remote",
			cfg:    virtual("v", members("r1"), deployTo("r1")),
			stored: []string{remote("r1")},
			want:   "defaultDeploymentRepo 'r1' must be a local repository, not a remote one",
		},
		{
			name:   "deployment repository a virtual",
			cfg:    virtual("v", members("n1"), deployTo("n1")),
			stored: []string{virtual("n1")},
			want:   "defaultDeploymentRepo 'n1' must be a local repository, not a virtual one",
		},
		{
			name:   "a missing deployment repository is reported once",
			cfg:    virtual("v", members("gone"), deployTo("gone")),
			stored: nil,
			want:   "repository 'gone' does not exist",
		},
		{
			name: "every problem at once",
			cfg:  virtual("v", members("gone", "npm1", "n1"), deployTo("x")),
			stored: []string{local("npm1", pkg("npm")), virtual("n1", members("n2")),
				virtual("n2", members("v"))},
			want: "repository 'gone' does not exist; " +
				"repository 'npm1' is a npm repository; virtual 'v' aggregates maven repositories; " +
				"repositories would form a cycle: v → n1 → n2 → v; " +
				"defaultDeploymentRepo 'x' is not one of the repositories of 'v'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := newRepoSet(t, tt.stored...)
			err := CheckMembers(mustParse(t, tt.cfg), set.lookup)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckMembers: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckMembers succeeded, want %q", tt.want)
			}
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("error %v does not wrap arca.ErrInvalid", err)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}
