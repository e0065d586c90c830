package arca

import "strings"

// CleanPath validates and normalises a repository path that has already been percent-decoded
// once. Leading and trailing slashes are removed, and runs of slashes collapse; the result is
// "" for the repository root.
//
// It rejects, with ErrInvalid, any "." or ".." segment, NUL and other control characters, and a
// backslash (which some clients and filesystems treat as a separator). Every path that reaches
// storage has passed through here.
func CleanPath(p string) (string, error) {
	if len(p) > 4096 {
		return "", Errorf(ErrInvalid, "path is longer than 4096 bytes")
	}
	clean := true // no empty segment: p is its own clean form (no copy: the download hot path)
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" {
			clean = false
			continue
		}
		if seg == "." || seg == ".." {
			return "", Errorf(ErrInvalid, "path %q has a %q segment", p, seg)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if c < 0x20 || c == 0x7f {
				return "", Errorf(ErrInvalid, "path %q contains a control character", p)
			}
			if c == '\\' {
				return "", Errorf(ErrInvalid, "path %q contains a backslash", p)
			}
		}
	}
	if clean || p == "" {
		return p, nil
	}
	var b strings.Builder
	b.Grow(len(p))
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(seg)
	}
	return b.String(), nil
}

// JoinPath joins a folder path and a relative path ("" is the root).
func JoinPath(dir, rel string) string {
	switch {
	case dir == "":
		return rel
	case rel == "":
		return dir
	}
	return dir + "/" + rel
}

// IsUnder reports whether p is dir itself or lies below it. The root ("") contains everything.
func IsUnder(p, dir string) bool {
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}
