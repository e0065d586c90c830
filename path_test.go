package arca

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"", "", false},
		{"/", "", false},
		{"a/b/c.jar", "a/b/c.jar", false},
		{"/a//b/", "a/b", false},
		{"a/b/", "a/b", false},
		{"//", "", false},
		{"a/./b", "", true},
		{"a/../b", "", true},
		{"..", "", true},
		{"a/b\x00c", "", true},
		{"a\\b", "", true},
		{"a/\nb", "", true},
		{"with space/é.txt", "with space/é.txt", false},
		{"...", "...", false},
		{".hidden/x", ".hidden/x", false},
	}
	for _, tt := range tests {
		got, err := CleanPath(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CleanPath(%q) error = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParentAndBase(t *testing.T) {
	tests := []struct{ p, dir, base string }{
		{"a.jar", ".", "a.jar"},
		{"a/b/c.jar", "a/b", "c.jar"},
		{"", ".", ""},
	}
	for _, tt := range tests {
		if d, b := ParentDir(tt.p), BaseName(tt.p); d != tt.dir || b != tt.base {
			t.Errorf("ParentDir/BaseName(%q) = %q, %q; want %q, %q", tt.p, d, b, tt.dir, tt.base)
		}
	}
}

// FuzzCleanPath checks the invariants every storage path relies on: a cleaned path has no
// empty, "." or ".." segment, no control character or backslash, no leading or trailing
// slash, and cleaning it again changes nothing.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"", "a/b", "/a//b/", "a/../b", "./a", "a\\b", "a\x00", "é/ü", "a/.../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CleanPath(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("CleanPath(%q): error %v does not wrap ErrInvalid", in, err)
			}
			return
		}
		if out == "" {
			return
		}
		if strings.HasPrefix(out, "/") || strings.HasSuffix(out, "/") {
			t.Fatalf("CleanPath(%q) = %q has an outer slash", in, out)
		}
		for _, seg := range strings.Split(out, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("CleanPath(%q) = %q has segment %q", in, out, seg)
			}
			if strings.ContainsAny(seg, "\\\x00") {
				t.Fatalf("CleanPath(%q) = %q has a forbidden byte", in, out)
			}
		}
		again, err := CleanPath(out)
		if err != nil || again != out {
			t.Fatalf("CleanPath is not idempotent on %q: %q, %v", out, again, err)
		}
	})
}

func TestChecksumsOf(t *testing.T) {
	got := ChecksumsOf([]byte("hello"))
	want := Checksums{
		SHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		SHA1:   "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
		MD5:    "5d41402abc4b2a76b9719d911017c592",
	}
	if got != want {
		t.Errorf("ChecksumsOf(hello) = %+v", got)
	}
}
