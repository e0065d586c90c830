// Package npm is the format of npm repositories: package names and their storage layout,
// packuments (the registry's package documents) and how a virtual repository merges them,
// semantic versions, and the documents of npm's publish, dist-tag and search protocols.
//
// Storage layout: a package's tarballs live at "<name>/-/<file>.tgz" (scoped names keep their
// slash: "@acme/x/-/x-1.0.0.tgz", the registry's URL layout) and its packument next to them at
// "<name>/package.json" — in local repositories assembled on read from per-version records
// under "<name>/.npm/" (store.go says why). Keeping everything of a package under "<name>/"
// means include/exclude patterns such as "@acme/**" route a package's document and tarballs
// alike, and deleting the folder deletes the package. The packument is the registry's view of
// the package: every version's manifest, dist-tags and times. Tarball URLs inside it are not
// trusted; they are rebuilt for each response from the repository the client asked (Render).
//
// References: https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md and
// https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md.
package npm

import (
	"path"
	"strings"

	"arca"
	"arca/internal/format"
)

// Format is the npm format.
type Format struct{}

var (
	_ format.Format   = Format{}
	_ format.Merger   = Format{}
	_ format.Declarer = Format{}
	_ format.Upstream = Format{}
)

// Name implements format.Format.
func (Format) Name() string { return "npm" }

// docFile is a packument's file name inside its package's folder.
const docFile = "package.json"

// DocPath is the storage path of a package's packument.
func DocPath(name string) string { return name + "/" + docFile }

// TarballPath is the storage path of a package's tarball file.
func TarballPath(name, file string) string { return name + "/-/" + file }

// TarballFile is the conventional tarball file name of a version: the unscoped name, a dash,
// the version (npm pack's naming).
func TarballFile(name, version string) string {
	return path.Base(name) + "-" + version + ".tgz"
}

// Classify implements format.Format: packuments are metadata, everything else content. The
// package of a path, for the dependency-confusion guard, is the npm package name.
func (Format) Classify(p string) format.Path {
	name := PackageOf(p)
	if name == "" {
		return format.Path{Kind: format.Content}
	}
	if p == DocPath(name) && NameOK(name) {
		return format.Path{Kind: format.Metadata, Package: name, PackagePath: name}
	}
	return format.Path{Kind: format.Content, Package: name, PackagePath: name}
}

// PackageOf returns the package name a storage path belongs to: its first segment, or first
// two for a scoped name ("" when the path has none).
func PackageOf(p string) string {
	first, rest, _ := strings.Cut(p, "/")
	if !strings.HasPrefix(first, "@") {
		return first
	}
	second, _, _ := strings.Cut(rest, "/")
	if second == "" {
		return ""
	}
	return first + "/" + second
}

// UpstreamPath implements format.Upstream: a packument is fetched from "<url>/<name>", where
// every npm registry serves it; tarballs keep their path.
func (Format) UpstreamPath(p string) string {
	if fp := (Format{}).Classify(p); fp.Kind == format.Metadata {
		return fp.Package
	}
	return p
}

// NameOK reports whether name is usable as a package name in a path: "name" or "@scope/name",
// each part non-empty, URL-safe and not "." or "..". Looser than ValidName, which new
// publishes must pass: packages published long ago may break today's rules.
func NameOK(name string) bool {
	scope, base, scoped := strings.Cut(name, "/")
	if scoped {
		if !strings.HasPrefix(scope, "@") || !partOK(scope[1:]) || !partOK(base) {
			return false
		}
		return true
	}
	return partOK(name) && !strings.HasPrefix(name, "@")
}

func partOK(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, c := range s {
		if !urlSafe(c) && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// urlSafe reports the characters npm allows in new package names (besides the scope's "@"
// and "/"): lower-case letters, digits and "-._~".
func urlSafe(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)
}

// ValidName checks a name for a new publish, by npm's rules for new packages: at most 214
// characters, lower case, URL-safe, not starting with "." or "_", and not a reserved name.
func ValidName(name string) error {
	bad := func(why string) error {
		return arca.Errorf(arca.ErrInvalid, "invalid package name '%s': %s", name, why)
	}
	switch {
	case name == "":
		return bad("empty")
	case len(name) > 214:
		return bad("longer than 214 characters")
	case strings.ToLower(name) != name:
		return bad("must be lower case")
	case !NameOK(name) || strings.Contains(name, "~"):
		return bad(`allowed are "name" or "@scope/name" of lower-case letters, digits and "-._"`)
	}
	base := path.Base(name)
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
		return bad(`must not start with "." or "_"`)
	}
	if name == "node_modules" || name == "favicon.ico" {
		return bad("reserved")
	}
	return nil
}

// ValidTag checks a dist-tag name: non-empty, of letters, digits and "-._", and not something
// npm would read as a version or range ("1.0.0", "v2", "1.x", "x", "*").
func ValidTag(tag string) error {
	switch {
	case tag == "":
		return arca.Errorf(arca.ErrInvalid, "empty dist-tag")
	case strings.Trim(tag, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._") != "":
		return arca.Errorf(arca.ErrInvalid, "invalid dist-tag '%s': use letters, digits and \"-._\"", tag)
	case ParseVersion(tag).Valid() || looksLikeRange(tag):
		return arca.Errorf(arca.ErrInvalid, "invalid dist-tag '%s': tags must not look like versions or ranges", tag)
	}
	return nil
}

// looksLikeRange reports an X-range npm would parse: up to three dot-separated parts, each a
// number or x/X/*, optionally after "v" (a pre-release suffix makes no difference).
func looksLikeRange(tag string) bool {
	core, _, _ := strings.Cut(strings.TrimPrefix(tag, "v"), "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || (p != "x" && p != "X" && strings.Trim(p, "0123456789") != "") {
			return false
		}
	}
	return true
}
