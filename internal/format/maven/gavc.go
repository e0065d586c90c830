package maven

import (
	"strings"

	"arca/internal/format"
)

// GAVCPatterns turns a GAVC search (any part may be empty, meaning "any") into AQL wildcard
// patterns ('*' matches any run of characters) for an item's folder path and file name, by the
// conventions of ParsePath. Checksum and metadata files are excluded by the caller.
//
// A snapshot version (1.0-SNAPSHOT) finds the snapshot's files, unique timestamped ones
// included; a unique file version (1.0-20261121.052921-1) finds the files of that build in its
// snapshot directory.
func GAVCPatterns(group, artifact, version, classifier string) (path, name string) {
	orAny := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	g := "*"
	if group != "" {
		g = strings.ReplaceAll(group, ".", "/")
	}
	dir, fileVersion := orAny(version), orAny(version)
	switch {
	case version == "":
	case isSnapshotDir(version):
		fileVersion = snapshotBase(version) + "*"
	default:
		dir = BaseVersion(version)
	}
	path = g + "/" + orAny(artifact) + "/" + dir
	name = orAny(artifact) + "-" + fileVersion
	if classifier != "" {
		return path, name + "-" + classifier + ".*"
	}
	if strings.HasSuffix(name, "*") {
		return path, name
	}
	return path, name + "*"
}

var _ format.CoordinateSearcher = Format{}

// CoordinatePatterns implements format.CoordinateSearcher with GAVCPatterns.
func (Format) CoordinatePatterns(group, artifact, version, classifier string) (path, name string) {
	return GAVCPatterns(group, artifact, version, classifier)
}
