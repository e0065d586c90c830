// Package pattern implements the Ant-style include/exclude path filters that every Artifactory
// repository carries (includesPattern / excludesPattern).
//
// A pattern is matched against a repository path: '/'-separated, relative (no leading slash),
// already cleaned by arca.CleanPath. Within a pattern:
//
//   - "**" as a whole segment matches zero or more whole segments;
//   - '*' matches any run of characters (possibly empty) within one segment;
//   - '?' matches exactly one character (one UTF-8 rune) within one segment;
//   - every other character matches itself, case-sensitively.
//
// Following Ant, a pattern ending in '/' means the same pattern followed by "**", so "org/" is
// "org/**". A leading '/' and repeated slashes are ignored. "**" mixed with other characters in
// a segment ("a**b") is two single-segment stars, not a multi-segment wildcard.
//
// Matching is the download hot path: a Filter is compiled once (at repository configuration
// time), is immutable and safe for concurrent use, and Allows does not allocate.
package pattern

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"arca"
)

// Filter is a compiled pair of comma-separated include and exclude pattern lists. A path is
// allowed when it matches at least one include and no exclude.
//
// The zero Filter and a nil *Filter are the default filter (includes "**/*", no excludes): they
// allow every item path.
type Filter struct {
	// incl is nil when the includes allow every non-empty path (the default "**/*").
	incl []pat
	excl []pat
}

// Compile parses comma-separated include and exclude pattern lists. Whitespace around entries
// is trimmed and empty entries are ignored; an include list with no entries means "**/*"
// (everything) and an exclude list with no entries excludes nothing.
//
// An invalid pattern (one with a control character, a backslash, invalid UTF-8, or a "." or ".."
// segment, none of which can ever match a cleaned path) is an error wrapping arca.ErrInvalid that
// names the pattern.
func Compile(includes, excludes string) (*Filter, error) {
	incl, all, err := compileList("include", includes)
	if err != nil {
		return nil, err
	}
	excl, _, err := compileList("exclude", excludes)
	if err != nil {
		return nil, err
	}
	f := &Filter{excl: excl}
	if !all && len(incl) > 0 {
		f.incl = incl
	}
	return f, nil
}

// compileList compiles one comma-separated list. all reports that some entry matches every
// non-empty path ("**", "**/*", "/", …), which makes the other entries irrelevant for includes.
func compileList(what, list string) (ps []pat, all bool, err error) {
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := compilePattern(entry)
		if err != nil {
			return nil, false, arca.Errorf(arca.ErrInvalid, "invalid %s pattern %q: %v", what, entry, err)
		}
		all = all || p.matchesAll()
		ps = append(ps, p)
	}
	return ps, all, nil
}

// IsDefault reports whether the filter allows every item path, which lets callers skip it.
func (f *Filter) IsDefault() bool {
	return f == nil || (f.incl == nil && len(f.excl) == 0)
}

// IncludesExplicitly reports whether p passes the filter through an include list that does
// not allow everything: someone named p's part of the tree on purpose. The default filter
// includes nothing explicitly.
func (f *Filter) IncludesExplicitly(p string) bool {
	return f != nil && f.incl != nil && f.Allows(p)
}

// Allows reports whether the item at path p passes the filter. p is a cleaned repository path;
// the repository root "" is not an item and is never allowed (use AllowsFolder for folders).
// Allows does not allocate.
func (f *Filter) Allows(p string) bool {
	if p == "" {
		return false
	}
	if f == nil {
		return true
	}
	if f.incl != nil && !matchAny(f.incl, p) {
		return false
	}
	return len(f.excl) == 0 || !matchAny(f.excl, p)
}

// AllowsFolder reports whether browsing the folder dir makes sense: the folder itself is
// allowed, or some path beneath it could be. The root "" is always allowed, and so is "org"
// under includes "org/apache/**".
//
// The answer errs on the side of true: it is false only when no include can match dir or any
// path beneath it, or when one exclude provably covers dir and everything beneath it (an
// exclude ending in "**" or "**/*", such as "com/acme/exp-project/**"). A folder whose
// descendants are all excluded by a combination of patterns may still be reported as allowed.
func (f *Filter) AllowsFolder(dir string) bool {
	if dir == "" || f.IsDefault() {
		return true
	}
	if f.Allows(dir) {
		return true
	}
	if f.incl != nil {
		found := false
		for i := range f.incl {
			if f.incl[i].mayMatchBelow(dir) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for i := range f.excl {
		if f.excl[i].coversSubtree(dir) {
			return false
		}
	}
	return true
}

func matchAny(ps []pat, p string) bool {
	for i := range ps {
		if ps[i].match(p) {
			return true
		}
	}
	return false
}

// segKind classifies a pattern segment so that the common cases skip the wildcard matcher.
type segKind uint8

const (
	segLiteral segKind = iota // no wildcard: byte equality
	segStar                   // "*" (or "**…" inside a segment with nothing else): any segment
	segWild                   // '*' and '?' mixed with other characters
	segDouble                 // "**": zero or more segments
)

// seg is one pattern segment. For segWild, prefix and suffix are the literal text before the
// first and after the last wildcard, and mid is what lies between (starting and ending with a
// wildcard); they let most mismatches be decided by two byte comparisons.
type seg struct {
	kind           segKind
	text           string
	prefix, suffix string
	mid            string
}

// match reports whether this single-segment pattern matches the path segment s (never "**").
func (g *seg) match(s string) bool {
	switch g.kind {
	case segLiteral:
		return g.text == s
	case segStar:
		return true
	}
	if len(s) < len(g.prefix)+len(g.suffix) || !strings.HasPrefix(s, g.prefix) || !strings.HasSuffix(s, g.suffix) {
		return false
	}
	s = s[len(g.prefix) : len(s)-len(g.suffix)]
	if g.mid == "*" {
		return true
	}
	return wildMatch(g.mid, s)
}

// pat is one compiled Ant pattern. subtree, when non-nil, is a pattern that matches a folder
// exactly when this pattern matches that folder's every descendant (see coversSubtree).
type pat struct {
	segs    []seg
	subtree []seg
}

func compilePattern(s string) (pat, error) {
	if !utf8.ValidString(s) {
		return pat{}, errors.New("invalid UTF-8")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return pat{}, errors.New("control character")
		} else if c == '\\' {
			return pat{}, errors.New(`backslash (use "/" as the separator)`)
		}
	}
	var segs []seg
	for part := range strings.SplitSeq(s, "/") {
		switch part {
		case "":
			continue
		case ".", "..":
			return pat{}, fmt.Errorf("a %q segment never matches a cleaned path", part)
		case "**":
			// Consecutive "**" are one "**".
			if n := len(segs); n > 0 && segs[n-1].kind == segDouble {
				continue
			}
			segs = append(segs, seg{kind: segDouble, text: part})
		default:
			segs = append(segs, classify(part))
		}
	}
	if strings.HasSuffix(s, "/") || len(segs) == 0 {
		if n := len(segs); n == 0 || segs[n-1].kind != segDouble {
			segs = append(segs, seg{kind: segDouble, text: "**"})
		}
	}
	p := pat{segs: segs}
	// A pattern "A/**" or "A/**/*" matches everything beneath any folder that "A/**" matches.
	n := len(segs)
	switch {
	case n >= 1 && segs[n-1].kind == segDouble:
		p.subtree = segs
	case n >= 2 && segs[n-1].kind == segStar && segs[n-2].kind == segDouble:
		p.subtree = segs[:n-1]
	}
	return p, nil
}

func classify(part string) seg {
	if strings.Trim(part, "*") == "" {
		return seg{kind: segStar, text: part}
	}
	if strings.ContainsRune(part, utf8.RuneError) {
		// U+FFFD goes through the rune-wise matcher so that it compares equal to an invalid byte
		// in a path exactly as a decoded rune would; byte comparisons would not.
		return seg{kind: segWild, text: part, mid: part}
	}
	first := strings.IndexAny(part, "*?")
	if first < 0 {
		return seg{kind: segLiteral, text: part}
	}
	last := strings.LastIndexAny(part, "*?")
	// Byte-wise prefix and suffix tests agree with rune-wise matching: a literal's first byte is
	// never a UTF-8 continuation byte, so a decoder never swallows it into a preceding rune.
	return seg{kind: segWild, text: part, prefix: part[:first], suffix: part[last+1:], mid: part[first : last+1]}
}

// matchesAll reports whether the pattern matches every non-empty path: "**" optionally followed
// by one "*".
func (p *pat) matchesAll() bool {
	switch len(p.segs) {
	case 1:
		return p.segs[0].kind == segDouble
	case 2:
		return p.segs[0].kind == segDouble && p.segs[1].kind == segStar
	}
	return false
}

// match reports whether the pattern matches the whole path.
func (p *pat) match(path string) bool { return matchSegs(p.segs, path) }

// matchSegs reports whether segs match the whole path. Path segments are visited by byte
// offset, so nothing is allocated. "**" is handled like '*' in classic wildcard matching, with
// segments as the alphabet: on a mismatch, the most recent "**" absorbs one more segment and
// matching resumes after it. Remembering only the most recent "**" is enough because each "**"
// matches any run of segments.
func matchSegs(segs []seg, path string) bool {
	// A pattern that does not end in "**" pins its last segment to the path's last segment:
	// checking that first rejects most paths at once ("**/*.jar" against "x/y.pom"), and it
	// is the whole answer for "**/<segment>".
	if n := len(segs); n > 0 && segs[n-1].kind != segDouble {
		if !segs[n-1].match(path[strings.LastIndexByte(path, '/')+1:]) {
			return false
		}
		if n == 2 && segs[0].kind == segDouble {
			return path != ""
		}
	}
	pos := 0 // start of the next path segment; > len(path) once the path is consumed
	if path == "" {
		pos = 1
	}
	pi := 0
	starPi, starPos, starNext := -1, 0, 0
	for pos <= len(path) {
		if pi < len(segs) && segs[pi].kind == segDouble {
			if pi == len(segs)-1 {
				return true // a trailing "**" absorbs the rest of the path
			}
			starPi, starPos, starNext = pi, pos, -1
			pi++
			continue
		}
		s, next := segmentAt(path, pos)
		if pos == starPos && starNext < 0 {
			starNext = next // remember where the "**" resumes, to scan each segment once
		}
		if pi < len(segs) && segs[pi].match(s) {
			pi++
			pos = next
			continue
		}
		if starPi < 0 {
			return false
		}
		if starNext < 0 {
			_, starNext = segmentAt(path, starPos)
		}
		starPos, starNext = starNext, -1
		pi, pos = starPi+1, starPos
	}
	for pi < len(segs) && segs[pi].kind == segDouble {
		pi++
	}
	return pi == len(segs)
}

// mayMatchBelow reports whether the pattern could match some path strictly beneath dir: the
// pattern's leading segments match dir's segments and something is left for the descendant.
// Every remaining pattern segment can be satisfied by some path segment, and a "**" can absorb
// whatever is left of dir, so the answer is exact.
func (p *pat) mayMatchBelow(dir string) bool {
	pi := 0
	for pos := 0; pos <= len(dir); {
		if pi == len(p.segs) {
			return false
		}
		if p.segs[pi].kind == segDouble {
			return true
		}
		s, next := segmentAt(dir, pos)
		if !p.segs[pi].match(s) {
			return false
		}
		pi++
		pos = next
	}
	return pi < len(p.segs)
}

// coversSubtree reports whether the pattern matches dir and every path beneath it. It only
// recognises patterns of the form "A/**" and "A/**/*": those cover dir's subtree when "A/**"
// matches dir (for "A/**/*" dir itself may not match, but Allows(dir) was checked first).
func (p *pat) coversSubtree(dir string) bool {
	return p.subtree != nil && matchSegs(p.subtree, dir)
}

// segmentAt returns the path segment starting at byte offset pos and the offset of the next
// one (len(path)+1 after the last segment).
func segmentAt(path string, pos int) (string, int) {
	if i := strings.IndexByte(path[pos:], '/'); i >= 0 {
		return path[pos : pos+i], pos + i + 1
	}
	return path[pos:], len(path) + 1
}

// wildMatch matches one path segment s against a segment pattern p made of '*', '?' and
// literal runes. Runes are compared as decoded (an invalid byte reads as U+FFFD), so '?' and
// '*' never split a multi-byte character. Backtracking to the most recent '*' suffices, as in
// classic glob matching.
func wildMatch(p, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for sx < len(s) {
		if px < len(p) {
			switch p[px] {
			case '*':
				starPx, starSx = px, sx
				px++
				continue
			case '?':
				px++
				sx += runeLen(s, sx)
				continue
			default:
				if c := p[px]; c < utf8.RuneSelf {
					if c == s[sx] {
						px++
						sx++
						continue
					}
					break
				}
				pr, pw := utf8.DecodeRuneInString(p[px:])
				sr, sw := utf8.DecodeRuneInString(s[sx:])
				if pr == sr {
					px += pw
					sx += sw
					continue
				}
			}
		}
		if starPx < 0 {
			return false
		}
		starSx += runeLen(s, starSx)
		px, sx = starPx+1, starSx
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// runeLen is the width of the rune at s[i:] as a decoder sees it (1 for an invalid byte).
func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}
