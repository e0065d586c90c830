package npm

import (
	"strconv"
	"strings"
)

// Version is a parsed semantic version (https://semver.org/#spec-item-11). The zero value is
// invalid.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string // dot-separated pre-release identifiers
	ok                  bool
}

// Valid reports whether the version parsed.
func (v Version) Valid() bool { return v.ok }

// Prerelease reports a version with pre-release identifiers ("1.0.0-beta.1").
func (v Version) Prerelease() bool { return len(v.Pre) > 0 }

// ParseVersion parses "MAJOR.MINOR.PATCH[-pre][+build]", with npm's tolerance of a leading
// "v" or "=". Anything else is an invalid Version.
func ParseVersion(s string) Version {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "="), "v")
	s, build, hasBuild := strings.Cut(s, "+")
	if hasBuild && !identsOK(build, false) {
		return Version{}
	}
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return Version{}
	}
	var n [3]uint64
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return Version{}
		}
		x, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return Version{}
		}
		n[i] = x
	}
	v := Version{Major: n[0], Minor: n[1], Patch: n[2], ok: true}
	if hasPre {
		if pre == "" {
			return Version{}
		}
		if !identsOK(pre, true) {
			return Version{}
		}
		v.Pre = strings.Split(pre, ".")
	}
	return v
}

// identsOK checks dot-separated identifiers: non-empty, of [0-9A-Za-z-], and, for pre-release
// identifiers (numeric), without leading zeros.
func identsOK(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
			return false
		}
		if pre && len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "" {
			return false
		}
	}
	return true
}

// String returns the canonical form: MAJOR.MINOR.PATCH[-pre] ("" for an invalid version).
func (v Version) String() string {
	if !v.ok {
		return ""
	}
	s := strconv.FormatUint(v.Major, 10) + "." + strconv.FormatUint(v.Minor, 10) + "." + strconv.FormatUint(v.Patch, 10)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	return s
}

// Compare orders versions by semver precedence: -1, 0 or +1. Invalid versions sort before
// valid ones, and among themselves by their text.
func Compare(a, b string) int {
	va, vb := ParseVersion(a), ParseVersion(b)
	switch {
	case !va.ok && !vb.ok:
		return strings.Compare(a, b)
	case !va.ok:
		return -1
	case !vb.ok:
		return 1
	}
	return va.Compare(vb)
}

// Compare orders v and w by semver precedence.
func (v Version) Compare(w Version) int {
	for _, d := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1 // a release follows its pre-releases
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := compareIdent(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.Pre) < len(w.Pre):
		return -1
	case len(v.Pre) > len(w.Pre):
		return 1
	}
	return 0
}

// compareIdent compares pre-release identifiers: numeric ones numerically and before
// alphanumeric ones, which compare as text.
func compareIdent(a, b string) int {
	na, ea := strconv.ParseUint(a, 10, 64)
	nb, eb := strconv.ParseUint(b, 10, 64)
	switch {
	case ea == nil && eb == nil:
		if na == nb {
			return 0
		}
		if na < nb {
			return -1
		}
		return 1
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// Latest picks the version "latest" should name among candidates: the highest release, or the
// highest version when all are pre-releases ("" for none).
func Latest(candidates []string) string {
	best, bestRelease := "", ""
	for _, c := range candidates {
		if best == "" || Compare(c, best) > 0 {
			best = c
		}
		if v := ParseVersion(c); v.ok && !v.Prerelease() && (bestRelease == "" || Compare(c, bestRelease) > 0) {
			bestRelease = c
		}
	}
	if bestRelease != "" {
		return bestRelease
	}
	return best
}
