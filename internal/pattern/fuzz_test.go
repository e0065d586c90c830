package pattern

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"arca"
)

// refValid is the reference for which pattern entries Compile accepts.
func refValid(entry string) bool {
	if !utf8.ValidString(entry) || strings.ContainsAny(entry, "\\\x7f") {
		return false
	}
	for _, r := range entry {
		if r < 0x20 {
			return false
		}
	}
	for _, s := range strings.Split(entry, "/") {
		if s == "." || s == ".." {
			return false
		}
	}
	return true
}

// refRegexp translates one Ant pattern entry to a regular expression over path+"/": every
// segment becomes "<segment>/", and "**" becomes "any number of <segment>/".
func refRegexp(entry string) *regexp.Regexp {
	var parts []string
	for _, s := range strings.Split(entry, "/") {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if strings.HasSuffix(entry, "/") || len(parts) == 0 {
		parts = append(parts, "**")
	}
	var b strings.Builder
	b.WriteString("^")
	for _, s := range parts {
		if s == "**" {
			b.WriteString("(?:[^/]+/)*")
			continue
		}
		for _, r := range s {
			switch r {
			case '*':
				b.WriteString("[^/]*")
			case '?':
				b.WriteString("[^/]")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		b.WriteString("/")
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// refAny reports whether path matches any entry of a comma-separated list, and whether the
// list has any entry at all.
func refAny(list, path string) (match, nonEmpty bool) {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		nonEmpty = true
		if refRegexp(e).MatchString(path + "/") {
			match = true
		}
	}
	return match, nonEmpty
}

func FuzzMatch(f *testing.F) {
	seeds := []struct{ inc, exc, path string }{
		{"", "", "a/b"},
		{"org/apache/**,com/acme/**", "com/acme/exp-project/**", "com/acme/exp-project/core/1.1/san-1.1.jar"},
		{"**/*.jar", "", "x/y/z.jar"},
		{"a/**/b/**/c", "", "a/b/x/b/c"},
		{"a?c,*.pom", "**/x/", "a/x/abc"},
		{"a*b*c", "", "aXbYbc"},
		{"?é*", "", "xéé"},
		{"/org//x/", "**/*-SNAPSHOT/**", "org/x/1-SNAPSHOT/a"},
		{"**/test/**", "", "a/test"},
		{"\uFFFD", "", "\xff"},
	}
	for _, s := range seeds {
		f.Add(s.inc, s.exc, s.path)
	}
	f.Fuzz(func(t *testing.T, inc, exc, path string) {
		if len(inc)+len(exc) > 200 {
			return
		}
		wantValid := true
		for _, list := range []string{inc, exc} {
			for _, e := range strings.Split(list, ",") {
				if e = strings.TrimSpace(e); e != "" && !refValid(e) {
					wantValid = false
				}
			}
		}
		flt, err := Compile(inc, exc)
		if (err == nil) != wantValid {
			t.Fatalf("Compile(%q, %q) error = %v, reference says valid=%v", inc, exc, err, wantValid)
		}
		if err != nil {
			return
		}
		p, err := arca.CleanPath(path)
		if err != nil || p == "" {
			return
		}
		incMatch, incNonEmpty := refAny(inc, p)
		excMatch, _ := refAny(exc, p)
		want := (incMatch || !incNonEmpty) && !excMatch
		if got := flt.Allows(p); got != want {
			t.Fatalf("Compile(%q, %q).Allows(%q) = %v, reference %v", inc, exc, p, got, want)
		}
		// AllowsFolder must never hide an allowed path: every ancestor of an allowed path is
		// browsable.
		if want {
			for dir := p; dir != "."; dir = arca.ParentDir(dir) {
				if !flt.AllowsFolder(dir) {
					t.Fatalf("Compile(%q, %q): %q allowed but AllowsFolder(%q) = false", inc, exc, p, dir)
				}
			}
			if !flt.AllowsFolder("") {
				t.Fatal("root folder not allowed")
			}
		}
	})
}
