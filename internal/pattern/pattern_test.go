package pattern

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func mustCompile(t testing.TB, includes, excludes string) *Filter {
	t.Helper()
	f, err := Compile(includes, excludes)
	if err != nil {
		t.Fatalf("Compile(%q, %q): %v", includes, excludes, err)
	}
	return f
}

// TestSinglePattern checks the Ant semantics of one include pattern against many paths.
func TestSinglePattern(t *testing.T) {
	tests := []struct {
		pattern string
		yes     []string
		no      []string
	}{
		{"**/*", []string{"a", "a/b", "a/b/c.jar", ".hidden"}, nil},
		{"**", []string{"a", "a/b/c"}, nil},
		{"*", []string{"a", "a.jar"}, []string{"a/b"}},
		{"*/*", []string{"a/b"}, []string{"a", "a/b/c"}},
		{"org/apache/**", []string{"org/apache", "org/apache/maven", "org/apache/a/b/c.pom"},
			[]string{"org", "org/apach", "org/apachex", "org/apachex/y", "com/org/apache/x"}},
		{"org/apache/", []string{"org/apache", "org/apache/x/y"}, []string{"org/apachex"}},
		{"**/*.jar", []string{"a.jar", "x/a.jar", "x/y/a.jar", ".jar"}, []string{"a.jar/x", "a.jarx", "x/a.pom"}},
		{"**/test/**", []string{"test", "test/a", "a/test", "a/b/test/c/d"}, []string{"tests/a", "a/atest"}},
		{"a/**/b", []string{"a/b", "a/x/b", "a/x/y/b"}, []string{"a", "b", "a/b/c", "a/xb"}},
		{"a/**/b/**/c", []string{"a/b/c", "a/x/b/y/c", "a/b/b/c", "a/b/x/b/c"}, []string{"a/c", "a/b/c/d"}},
		{"?", []string{"a", "é", "日"}, []string{"", "ab", "a/b"}},
		{"a?c", []string{"abc", "a.c", "aéc"}, []string{"ac", "abbc", "a/c"}},
		{"*.pom", []string{"x.pom", ".pom"}, []string{"x.pomx", "d/x.pom"}},
		{"a*b*c", []string{"abc", "aXbYc", "abbbc", "acbc"}, []string{"ab", "acb"}},
		{"a**b", []string{"ab", "axxb"}, []string{"a/b", "a/x/b"}},
		{"***", []string{"x"}, []string{"x/y"}},
		{"Org/**", []string{"Org/a"}, []string{"org/a"}},
		{"/org/*", []string{"org/a"}, []string{"org/a/b"}},
		{"org//apache/*", []string{"org/apache/a"}, []string{"org/a"}},
		{"org/**/**/x", []string{"org/x", "org/a/b/x"}, []string{"org"}},
		{"[a]", []string{"[a]"}, []string{"a"}},
		{"a+b.(c)", []string{"a+b.(c)"}, []string{"aab.(c)"}},
	}
	for _, tt := range tests {
		f := mustCompile(t, tt.pattern, "")
		var got, want []string
		for _, p := range tt.yes {
			want = append(want, p+"=true")
			got = append(got, p+"="+boolString(f.Allows(p)))
		}
		for _, p := range tt.no {
			want = append(want, p+"=false")
			got = append(got, p+"="+boolString(f.Allows(p)))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pattern %q (-want +got):\n%s", tt.pattern, diff)
		}
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestProductDefinition is the example from the product definition, verbatim.
func TestProductDefinition(t *testing.T) {
	f := mustCompile(t, "org/apache/**,com/acme/**", "com/acme/exp-project/**")
	got := map[string]bool{}
	for _, p := range []string{
		"org/apache/maven/parent/1/1.pom",
		"com/acme/project-x/core/1.0/nit-1.0.jar",
		"com/acme/exp-project/core/1.1/san-1.1.jar",
	} {
		got[p] = f.Allows(p)
	}
	want := map[string]bool{
		"org/apache/maven/parent/1/1.pom":           true,
		"com/acme/project-x/core/1.0/nit-1.0.jar":   true,
		"com/acme/exp-project/core/1.1/san-1.1.jar": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFilterAllows(t *testing.T) {
	tests := []struct {
		name               string
		includes, excludes string
		path               string
		want               bool
	}{
		{"default", "", "", "a/b/c", true},
		{"default root file", "", "", "a.txt", true},
		{"root is never an item", "", "", "", false},
		{"whitespace and empty entries", " , org/** ,, ", "", "org/x", true},
		{"whitespace and empty entries miss", " , org/** ,, ", "", "com/x", false},
		{"only commas is default", " , ,", "", "anything/at/all", true},
		{"exclude only", "", "**/*.tmp", "a/b.tmp", false},
		{"exclude only keeps others", "", "**/*.tmp", "a/b.jar", true},
		{"exclude wins over include", "**/*.jar", "**/*-sources.jar", "a/x-sources.jar", false},
		{"include miss", "**/*.jar", "", "a/x.pom", false},
		{"everything excluded", "", "**", "a", false},
		{"include all among others", "org/**, **/*", "", "com/x", true},
		{"trailing slash exclude", "", "org/", "org/x/y", false},
		{"trailing slash exclude folder itself", "", "org/", "org", false},
		{"case-sensitive", "ORG/**", "", "org/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustCompile(t, tt.includes, tt.excludes)
			if got := f.Allows(tt.path); got != tt.want {
				t.Errorf("Compile(%q, %q).Allows(%q) = %v, want %v", tt.includes, tt.excludes, tt.path, got, tt.want)
			}
		})
	}
}

func TestAllowsFolder(t *testing.T) {
	tests := []struct {
		includes, excludes string
		dir                string
		want               bool
	}{
		{"", "", "", true},
		{"", "", "a/b", true},
		{"org/apache/**", "", "", true},
		{"org/apache/**", "", "org", true},
		{"org/apache/**", "", "org/apache", true},
		{"org/apache/**", "", "org/apache/maven", true},
		{"org/apache/**", "", "com", false},
		{"org/apache/**", "", "org/eclipse", false},
		{"org/apache/*.pom", "", "org/apache", true},
		{"org/apache/*.pom", "", "org/apache/x", false},
		{"**/*.jar", "", "any/where", true},
		{"*/x/**", "", "a", true},
		{"*/x/**", "", "a/y", false},
		{"org/apache/**,com/acme/**", "com/acme/exp-project/**", "com", true},
		{"org/apache/**,com/acme/**", "com/acme/exp-project/**", "com/acme", true},
		{"org/apache/**,com/acme/**", "com/acme/exp-project/**", "com/acme/exp-project", false},
		{"org/apache/**,com/acme/**", "com/acme/exp-project/**", "com/acme/exp-project/core", false},
		{"org/apache/**,com/acme/**", "com/acme/exp-project/**", "com/acme/project-x", true},
		{"", "**/.git/**", "a/.git", false},
		{"", "**/.git/**", "a/.git/objects", false},
		{"", "**/.git/**", "a/git", true},
		{"", "secret/**/*", "secret", true}, // the folder itself is not excluded
		{"", "secret/**/*", "secret/x", false},
		{"", "**", "", true}, // the root is always browsable
		{"", "**", "a", false},
	}
	for _, tt := range tests {
		f := mustCompile(t, tt.includes, tt.excludes)
		if got := f.AllowsFolder(tt.dir); got != tt.want {
			t.Errorf("Compile(%q, %q).AllowsFolder(%q) = %v, want %v", tt.includes, tt.excludes, tt.dir, got, tt.want)
		}
	}
}

func TestIsDefault(t *testing.T) {
	tests := []struct {
		includes, excludes string
		want               bool
	}{
		{"", "", true},
		{"**/*", "", true},
		{" **/* , ", " ,", true},
		{"**", "", true},
		{"org/**, **/*", "", true},
		{"org/**", "", false},
		{"", "*.tmp", false},
	}
	for _, tt := range tests {
		if got := mustCompile(t, tt.includes, tt.excludes).IsDefault(); got != tt.want {
			t.Errorf("Compile(%q, %q).IsDefault() = %v, want %v", tt.includes, tt.excludes, got, tt.want)
		}
	}
	var nilFilter *Filter
	if !nilFilter.IsDefault() || !nilFilter.Allows("a/b") || nilFilter.Allows("") || !nilFilter.AllowsFolder("a") {
		t.Error("nil *Filter does not behave as the default filter")
	}
	var zero Filter
	if !zero.IsDefault() || !zero.Allows("a/b") {
		t.Error("zero Filter does not behave as the default filter")
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		includes, excludes string
		wantMsg            string // substring; "" means no error
	}{
		{"org/**", "", ""},
		{"org/../x", "", `invalid include pattern "org/../x"`},
		{"./x", "", `invalid include pattern "./x"`},
		{"", "a\\b", `invalid exclude pattern "a\\b"`},
		{"ok/**, bad\x00", "", `invalid include pattern "bad\x00"`},
		{"bad\xff", "", "invalid UTF-8"},
		{"a/\tb", "", "control character"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.includes, tt.excludes)
		switch {
		case tt.wantMsg == "" && err != nil:
			t.Errorf("Compile(%q, %q): unexpected error %v", tt.includes, tt.excludes, err)
		case tt.wantMsg != "" && err == nil:
			t.Errorf("Compile(%q, %q): no error, want %q", tt.includes, tt.excludes, tt.wantMsg)
		case tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg):
			t.Errorf("Compile(%q, %q) = %q, want it to contain %q", tt.includes, tt.excludes, err, tt.wantMsg)
		case err != nil && !errors.Is(err, arca.ErrInvalid):
			t.Errorf("Compile(%q, %q) = %v, does not wrap arca.ErrInvalid", tt.includes, tt.excludes, err)
		}
	}
}

func TestAllowsDoesNotAllocate(t *testing.T) {
	f := mustCompile(t, "org/apache/**,com/acme/**,**/*.jar", "com/acme/exp-project/**,**/*-SNAPSHOT*/**")
	paths := []string{"org/apache/maven/parent/1/1.pom", "com/acme/exp-project/core/1.1/san-1.1.jar", "x/é/y.jar", "z"}
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range paths {
			f.Allows(p)
			f.AllowsFolder(p)
		}
	})
	if allocs != 0 {
		t.Errorf("Allows/AllowsFolder allocate %v times per run, want 0", allocs)
	}
}

func BenchmarkAllows(b *testing.B) {
	const path = "org/apache/maven/plugins/maven-compiler-plugin/3.11.0/maven-compiler-plugin-3.11.0.jar"
	b.Run("default", func(b *testing.B) {
		f := mustCompile(b, "", "")
		b.ReportAllocs()
		for b.Loop() {
			if !f.Allows(path) {
				b.Fatal("not allowed")
			}
		}
	})
	b.Run("three-patterns", func(b *testing.B) {
		f := mustCompile(b, "org/apache/**,com/acme/**", "**/*-sources.jar")
		b.ReportAllocs()
		for b.Loop() {
			if !f.Allows(path) {
				b.Fatal("not allowed")
			}
		}
	})
}

func TestIncludesExplicitly(t *testing.T) {
	for _, tc := range []struct {
		includes, excludes, path string
		want                     bool
	}{
		{"", "", "acme/1.0/a.tgz", false},               // the default includes nothing on purpose
		{"**", "", "acme/1.0/a.tgz", false},             // a catch-all is the default spelled out
		{"**/*, acme/**", "", "acme/a.tgz", false},      // a catch-all among others still is
		{"acme/**", "", "acme/1.0/a.tgz", true},         // named
		{"acme/**", "", "other/1.0/a.tgz", false},       // not named
		{"acme/**", "acme/2.*/**", "acme/2.0/a", false}, // named, then excluded
	} {
		f, err := Compile(tc.includes, tc.excludes)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.IncludesExplicitly(tc.path); got != tc.want {
			t.Errorf("Compile(%q, %q).IncludesExplicitly(%q) = %v, want %v", tc.includes, tc.excludes, tc.path, got, tc.want)
		}
	}
	var nilFilter *Filter
	if nilFilter.IncludesExplicitly("a") {
		t.Error("a nil filter includes nothing explicitly")
	}
}
