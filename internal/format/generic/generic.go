// Package generic is the format of Generic repositories: any files, no package index. Every
// path is content; a path's package, for the dependency-confusion guard, is its first segment.
package generic

import (
	"strings"

	"arca/internal/format"
)

// Format is the generic format.
type Format struct{}

var _ format.Format = Format{}

// Name implements format.Format.
func (Format) Name() string { return "generic" }

// Classify implements format.Format.
func (Format) Classify(path string) format.Path {
	pkg, _, _ := strings.Cut(path, "/")
	return format.Path{Kind: format.Content, Package: pkg, PackagePath: pkg}
}
