package maven

import (
	"slices"
	"strings"
)

// Version ordering follows Maven's ComparableVersion (maven-artifact), the order Maven itself
// uses for "latest", "release" and version ranges:
// https://maven.apache.org/pom.html#version-order-specification
//
// A version is lower-cased and split into items at '.', at '-' and at every transition between
// digits and letters. A '-' (and a digit/letter transition) opens a nested list, so "1-1" is
// [1, [1]] while "1.1" is [1, 1]. Trailing "null" items (0, the empty qualifier, empty lists)
// are dropped from each list, which makes 1 == 1.0 == 1.0.0 == 1-0.
//
// Items compare as follows (the second column is the other item; "none" means the other list
// ran out):
//
//	number    vs number: numerically; vs none: 0 is equal, else greater; vs anything else: greater
//	qualifier vs qualifier: by qualifierRank; vs none: as against ""; vs number or list: less
//	list      vs list: element-wise; vs none: its first element against none; vs number: less;
//	          vs qualifier: greater
//
// Known qualifiers rank alpha < beta < milestone < rc (= cr) < snapshot < "" (= ga = final =
// release) < sp, and unknown qualifiers come after sp in lexical order. "a", "b" and "m"
// directly followed by a digit stand for alpha, beta and milestone.
//
// This is the Maven 3.9 behaviour: "release" is an alias of the empty qualifier, and a qualifier
// after a '.' is nested like one after a '-' (MNG-7644: 1.0.RC1 == 1.0-RC1). Only ASCII digits
// are digits. The "combination item" experiment of some Maven 4 pre-releases is not followed.

// vkind is the kind of one version item.
type vkind uint8

const (
	vNumber vkind = iota
	vQualifier
	vList
)

// vitem is one item of a parsed version: a number (decimal digits without leading zeros), a
// qualifier (lower case, aliases resolved) or a nested list.
type vitem struct {
	kind vkind
	text string
	list []vitem
}

// qualifierOrder lists the known qualifiers from lowest to highest; read-only.
var qualifierOrder = []string{"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"}

// releaseRank is the rank of the empty qualifier, a plain release.
const releaseRank = 5

// qualifierRank returns a string that orders qualifiers when compared lexically: the index of a
// known qualifier, or "7-" and the qualifier itself for an unknown one (Maven's own trick; an
// index never exceeds one digit, so this is consistent).
func qualifierRank(q string) string {
	if i := slices.Index(qualifierOrder, q); i >= 0 {
		return string(rune('0' + i))
	}
	return "7-" + q
}

// newQualifier builds a qualifier item, resolving aliases.
func newQualifier(s string, followedByDigit bool) vitem {
	if followedByDigit && len(s) == 1 {
		switch s {
		case "a":
			s = "alpha"
		case "b":
			s = "beta"
		case "m":
			s = "milestone"
		}
	}
	switch s {
	case "ga", "final", "release":
		s = ""
	case "cr":
		s = "rc"
	}
	return vitem{kind: vQualifier, text: s}
}

// newItem builds a number item from digits or a qualifier item from letters (and any other
// characters that are neither separators nor digits).
func newItem(digits bool, s string) vitem {
	if digits {
		s = strings.TrimLeft(s, "0")
		if s == "" {
			s = "0"
		}
		return vitem{kind: vNumber, text: s}
	}
	return newQualifier(s, false)
}

func (it vitem) isNull() bool {
	switch it.kind {
	case vNumber:
		return it.text == "0"
	case vQualifier:
		return it.text == ""
	default:
		return len(it.list) == 0
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseVersion splits a version into its item list.
func parseVersion(v string) []vitem {
	v = strings.ToLower(v)
	root := &vitem{kind: vList}
	cur := root
	// open appends a new nested list to the current list and makes it current. Parsing only
	// ever descends, so nothing is appended to a parent after a child was opened and cur
	// stays valid.
	open := func() {
		cur.list = append(cur.list, vitem{kind: vList})
		cur = &cur.list[len(cur.list)-1]
	}
	digits := false
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.' || c == '-':
			if i == start {
				cur.list = append(cur.list, vitem{kind: vNumber, text: "0"})
			} else {
				cur.list = append(cur.list, newItem(digits, v[start:i]))
			}
			start = i + 1
			if c == '-' {
				open()
			}
		case isDigit(c):
			if !digits && i > start {
				// 1.0.X1 is nested like 1.0-X1.
				if len(cur.list) > 0 {
					open()
				}
				cur.list = append(cur.list, newQualifier(v[start:i], true))
				start = i
				open()
			}
			digits = true
		default:
			if digits && i > start {
				cur.list = append(cur.list, newItem(true, v[start:i]))
				start = i
				open()
			}
			digits = false
		}
	}
	if len(v) > start {
		if !digits && len(cur.list) > 0 {
			open()
		}
		cur.list = append(cur.list, newItem(digits, v[start:]))
	}
	normalize(root)
	return root.list
}

// normalize removes trailing null items from every list, innermost first: a trailing empty
// list goes, and null items before trailing lists go as well (Maven's ListItem.normalize).
func normalize(it *vitem) {
	for i := range it.list {
		if it.list[i].kind == vList {
			normalize(&it.list[i])
		}
	}
	for i := len(it.list) - 1; i >= 0; i-- {
		switch {
		case it.list[i].isNull():
			it.list = slices.Delete(it.list, i, i+1)
		case it.list[i].kind != vList:
			return
		}
	}
}

// compareItem compares a with b; b == nil means "none" (the other list ran out).
func compareItem(a vitem, b *vitem) int {
	switch a.kind {
	case vNumber:
		if b == nil {
			if a.text == "0" {
				return 0
			}
			return 1
		}
		if b.kind != vNumber {
			return 1
		}
		if len(a.text) != len(b.text) {
			return cmpInt(len(a.text), len(b.text))
		}
		return strings.Compare(a.text, b.text)
	case vQualifier:
		if b == nil {
			return strings.Compare(qualifierRank(a.text), qualifierRank(""))
		}
		if b.kind != vQualifier {
			return -1
		}
		return strings.Compare(qualifierRank(a.text), qualifierRank(b.text))
	default:
		if b == nil {
			if len(a.list) == 0 {
				return 0
			}
			return compareItem(a.list[0], nil)
		}
		switch b.kind {
		case vNumber:
			return -1
		case vQualifier:
			return 1
		}
		return compareLists(a.list, b.list)
	}
}

func compareLists(a, b []vitem) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var r int
		switch {
		case i >= len(a):
			r = -compareItem(b[i], nil)
		case i >= len(b):
			r = compareItem(a[i], nil)
		default:
			r = compareItem(a[i], &b[i])
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareVersions orders two Maven versions as Maven does: it returns a negative number when a
// is older than b, zero when Maven considers them equal (1.0 and 1, 1-rc1 and 1-cr1) and a
// positive number when a is newer. Every string is a version; none is an error.
func CompareVersions(a, b string) int {
	return compareLists(parseVersion(a), parseVersion(b))
}

// SortVersions sorts versions in place from oldest to newest in Maven order. Versions Maven
// considers equal keep their relative order.
func SortVersions(versions []string) {
	keys := make(map[string][]vitem, len(versions))
	for _, v := range versions {
		if _, ok := keys[v]; !ok {
			keys[v] = parseVersion(v)
		}
	}
	slices.SortStableFunc(versions, func(a, b string) int { return compareLists(keys[a], keys[b]) })
}

// Latest returns the highest of the versions in Maven order, snapshots included ("" when there
// are none). Of versions Maven considers equal, the first wins.
func Latest(versions []string) string {
	return highest(versions, func(string) bool { return true })
}

// Release returns the highest version that is not a snapshot ("" when there is none).
func Release(versions []string) string {
	return highest(versions, func(v string) bool { return !IsSnapshot(v) })
}

func highest(versions []string, keep func(string) bool) string {
	var best string
	var bestItems []vitem
	found := false
	for _, v := range versions {
		if !keep(v) {
			continue
		}
		items := parseVersion(v)
		if !found || compareLists(items, bestItems) > 0 {
			best, bestItems, found = v, items, true
		}
	}
	return best
}

// IsSnapshot reports whether a version is a snapshot by Maven's rule: it ends with "SNAPSHOT"
// (in any case), or it is a unique snapshot version such as 1.0-20261121.052921-1.
func IsSnapshot(version string) bool {
	if n := len(version); n >= len("SNAPSHOT") && strings.EqualFold(version[n-len("SNAPSHOT"):], "SNAPSHOT") {
		return true
	}
	_, _, _, ok := splitUniqueVersion(version)
	return ok
}

// BaseVersion returns the version directory of a file version: a unique snapshot version
// 1.0-20261121.052921-1 becomes 1.0-SNAPSHOT; any other version is returned as it is.
func BaseVersion(version string) string {
	if base, _, _, ok := splitUniqueVersion(version); ok {
		return base + "SNAPSHOT"
	}
	return version
}

// splitUniqueVersion splits a unique snapshot version <base>yyyyMMdd.HHmmss-N into its base
// (ending in '-' when not empty, e.g. "1.0-"), timestamp and build number text.
func splitUniqueVersion(v string) (base, timestamp, build string, ok bool) {
	i := strings.LastIndexByte(v, '-')
	if i < 0 || i+1 == len(v) || !allDigits(v[i+1:]) {
		return "", "", "", false
	}
	build = v[i+1:]
	const tsLen = len("yyyyMMdd.HHmmss")
	if i < tsLen || !isTimestamp(v[i-tsLen:i]) {
		return "", "", "", false
	}
	base = v[:i-tsLen]
	if base != "" && !strings.HasSuffix(base, "-") {
		return "", "", "", false
	}
	return base, v[i-tsLen : i], build, true
}

// isTimestamp reports whether s has the form yyyyMMdd.HHmmss.
func isTimestamp(s string) bool {
	return len(s) == 15 && s[8] == '.' && allDigits(s[:8]) && allDigits(s[9:])
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
