package npm

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/format"
)

func TestName(t *testing.T) {
	if got := (Format{}).Name(); got != "npm" {
		t.Errorf("Name() = %q, want npm", got)
	}
}

func TestNameOK(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"lodash", true},
		{"JSONStream", true}, // legacy names may have capitals
		{"a.b-c_d~e", true},
		{"_private", true},
		{".hidden", true},
		{"@scope/name", true},
		{"@Scope/Name", true},
		{"@s/.x", true},
		{"", false},
		{".", false},
		{"..", false},
		{"@scope", false},
		{"@scope/", false},
		{"@/name", false},
		{"@./name", false},
		{"@../name", false},
		{"@s/..", false},
		{"scope/name", false}, // a scope needs its "@"
		{"@s/n/extra", false},
		{"a b", false},
		{"a%20b", false},
		{"crazy!", false},
		{"é", false},
		{"a@b", false},
	}
	for _, tt := range tests {
		if got := NameOK(tt.name); got != tt.want {
			t.Errorf("NameOK(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"lodash", true},
		{"a.b-c_d", true},
		{"123numeric", true},
		{"@scope/name", true},
		{"@scope/name.js", true},
		{"@s-1/n_2", true},
		{strings.Repeat("a", 214), true},
		{"@s/" + strings.Repeat("a", 211), true}, // 214 in all

		{"", false},
		{strings.Repeat("a", 215), false},
		{"@s/" + strings.Repeat("a", 212), false},
		{"JSONStream", false},
		{"@Scope/name", false},
		{"@scope/Name", false},
		{".hidden", false},
		{"_private", false},
		{"@scope/.hidden", false},
		{"@scope/_private", false},
		{"@scope", false},
		{"@scope/", false},
		{"@/name", false},
		{"scope/name", false},
		{"@s/n/x", false},
		{"a b", false},
		{" lead", false},
		{"a:b", false},
		{"a%2fb", false},
		{"crazy!", false},
		{"naïve", false},
		{"node_modules", false},
		{"favicon.ico", false},
	}
	for _, tt := range tests {
		err := ValidName(tt.name)
		if tt.ok && err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("ValidName(%q) = %v, want arca.ErrInvalid", tt.name, err)
		}
	}
}

func TestValidTag(t *testing.T) {
	tests := []struct {
		tag string
		ok  bool
	}{
		{"latest", true},
		{"next", true},
		{"beta", true},
		{"release-1.x", true},
		{"v-next", true},

		{"", false},
		{"1.0.0", false},
		{"v1.0.0", false},
		{"=1.0.0", false},
		{"1.0.0-beta.1", false},
		{"1.0.0+build", false},
		{"1", false},
		{"1.2", false},
		{"v1.4", false},
		{"v2", false},
		{"^1.0.0", false},
		{"~1.2", false},
		{">=1.0.0", false},
		{"<2", false},
		{"1 - 2", false},
		{"1 || 2", false},
		{"*", false},
		{"a/b", false},
		{"a%2fb", false},
		{"has space", false},
		{"x", false},
		{"X", false},
		{"1.x", false},
		{"1.2.x", false},
		{"a?b", false},
		{"a#b", false},
		{"é", false},
	}
	for _, tt := range tests {
		err := ValidTag(tt.tag)
		if tt.ok && err != nil {
			t.Errorf("ValidTag(%q) = %v, want nil", tt.tag, err)
		}
		if !tt.ok && !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("ValidTag(%q) = %v, want arca.ErrInvalid", tt.tag, err)
		}
	}
}

func TestPackageOf(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"", ""},
		{"lodash", "lodash"},
		{"lodash/package.json", "lodash"},
		{"lodash/-/lodash-4.17.21.tgz", "lodash"},
		{"@scope", ""},
		{"@scope/", ""},
		{"@scope/name", "@scope/name"},
		{"@scope/name/package.json", "@scope/name"},
		{"@scope/name/-/name-1.0.0.tgz", "@scope/name"},
	}
	for _, tt := range tests {
		if got := PackageOf(tt.path); got != tt.want {
			t.Errorf("PackageOf(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	meta := func(pkg string) format.Path {
		return format.Path{Kind: format.Metadata, Package: pkg, PackagePath: pkg}
	}
	content := func(pkg string) format.Path {
		return format.Path{Kind: format.Content, Package: pkg, PackagePath: pkg}
	}
	tests := []struct {
		path string
		want format.Path
	}{
		{"lodash/package.json", meta("lodash")},
		{"@acme/x/package.json", meta("@acme/x")},
		{"JSONStream/package.json", meta("JSONStream")},
		{"lodash/-/lodash-4.17.21.tgz", content("lodash")},
		{"@acme/x/-/x-1.0.0.tgz", content("@acme/x")},
		{"lodash", content("lodash")},
		{"@acme/x", content("@acme/x")},
		{"lodash/-/package.json", content("lodash")}, // a tarball folder file, not the document
		{"lodash/sub/package.json", content("lodash")},
		{"a b/package.json", content("a b")}, // not a usable name: never metadata
		{"", format.Path{Kind: format.Content}},
		{"@acme", format.Path{Kind: format.Content}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, (Format{}).Classify(tt.path)); diff != "" {
			t.Errorf("Classify(%q) (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		name, version                string
		doc, tarballFile, tarballPth string
	}{
		{"lodash", "4.17.21", "lodash/package.json", "lodash-4.17.21.tgz", "lodash/-/lodash-4.17.21.tgz"},
		{"@acme/x", "1.0.0-rc.1", "@acme/x/package.json", "x-1.0.0-rc.1.tgz", "@acme/x/-/x-1.0.0-rc.1.tgz"},
	}
	for _, tt := range tests {
		if got := DocPath(tt.name); got != tt.doc {
			t.Errorf("DocPath(%q) = %q, want %q", tt.name, got, tt.doc)
		}
		file := TarballFile(tt.name, tt.version)
		if file != tt.tarballFile {
			t.Errorf("TarballFile(%q, %q) = %q, want %q", tt.name, tt.version, file, tt.tarballFile)
		}
		if got := TarballPath(tt.name, file); got != tt.tarballPth {
			t.Errorf("TarballPath(%q, %q) = %q, want %q", tt.name, file, got, tt.tarballPth)
		}
	}
}

func TestUpstreamPath(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"lodash/package.json", "lodash"},
		{"@acme/x/package.json", "@acme/x"},
		{"lodash/-/lodash-4.17.21.tgz", "lodash/-/lodash-4.17.21.tgz"},
		{"@acme/x/-/x-1.0.0.tgz", "@acme/x/-/x-1.0.0.tgz"},
		{"lodash/sub/package.json", "lodash/sub/package.json"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := (Format{}).UpstreamPath(tt.path); got != tt.want {
			t.Errorf("UpstreamPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestDeclaredIn(t *testing.T) {
	tests := []struct {
		path   string
		doc    string
		wantOK bool
	}{
		{"lodash/-/lodash-4.17.21.tgz", "lodash/package.json", true},
		{"@acme/x/-/x-1.0.0.tgz", "@acme/x/package.json", true},
		{"lodash/package.json", "", false},
		{"lodash/-/lodash-4.17.21.tar.gz", "", false},
		{"lodash/lodash-4.17.21.tgz", "", false},
		{"@acme/-/x-1.0.0.tgz", "", false}, // "@acme/-" is the package; nothing under "@acme/-/-/"
		{"", "", false},
	}
	for _, tt := range tests {
		doc, ok := (Format{}).DeclaredIn(tt.path)
		if doc != tt.doc || ok != tt.wantOK {
			t.Errorf("DeclaredIn(%q) = %q, %v; want %q, %v", tt.path, doc, ok, tt.doc, tt.wantOK)
		}
	}
}

func TestDeclared(t *testing.T) {
	sum := sha512.Sum512([]byte("hello"))
	hexSum := hex.EncodeToString(sum[:])
	doc := fmt.Sprintf(`{"name":"@s/n","versions":{
		"1.0.0":{"dist":{"tarball":"https://art.example/api/npm/r/@s/n/-/@s/n-1.0.0.tgz","shasum":"AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D","integrity":%q}},
		"2.0.0":{"dist":{"shasum":"bbb"}},
		"3.0.0":{"dist":{"tarball":"https://x/@s/n/-/custom.tgz","integrity":"sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00="}}}}`, Integrity(hexSum))
	tests := []struct {
		path string
		doc  string
		want format.Digests
	}{
		{"@s/n/-/n-1.0.0.tgz", doc, format.Digests{SHA1: "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", SHA512: hexSum}},
		{"@s/n/-/n-2.0.0.tgz", doc, format.Digests{SHA1: "bbb"}},
		{"@s/n/-/custom.tgz", doc, format.Digests{}},
		{"@s/n/-/n-9.0.0.tgz", doc, format.Digests{}},
		{"@s/n/-/n-1.0.0.tgz", `<html>`, format.Digests{}},
	}
	for _, tt := range tests {
		got := (Format{}).Declared(tt.path, []byte(tt.doc))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Declared(%q) (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestTarballOfAndVersionOfFile(t *testing.T) {
	p, err := ParsePackument([]byte(`{"name":"@s/n","versions":{
		"1.0.0":{"dist":{"tarball":"https://art.example/@s/n/-/@s/n-1.0.0.tgz"}},
		"2.0.0":{},
		"3.0.0":{"dist":{"tarball":"https://x/@s/n/-/custom.tgz"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ version, file string }{
		{"1.0.0", "n-1.0.0.tgz"},
		{"2.0.0", "n-2.0.0.tgz"},
		{"3.0.0", "custom.tgz"},
	}
	for _, tt := range tests {
		if got := p.TarballOf(tt.version); got != tt.file {
			t.Errorf("TarballOf(%q) = %q, want %q", tt.version, got, tt.file)
		}
		if got := p.VersionOfFile(tt.file); got != tt.version {
			t.Errorf("VersionOfFile(%q) = %q, want %q", tt.file, got, tt.version)
		}
	}
	if got := p.VersionOfFile("n-3.0.0.tgz"); got != "" {
		t.Errorf(`VersionOfFile("n-3.0.0.tgz") = %q, want ""`, got)
	}
}
