// Package maven knows the Maven repository layout:
// group/as/path/artifactId/version/artifactId-version[-classifier].ext.
package maven

import "strings"

// GAVCPatterns turns a GAVC search (any part may be empty, meaning "any") into AQL wildcard
// patterns for an item's folder path and file name. Checksum and metadata files are excluded by
// the caller.
func GAVCPatterns(group, artifact, version, classifier string) (path, name string) {
	any := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	g := "*"
	if group != "" {
		g = strings.ReplaceAll(group, ".", "/")
	}
	path = g + "/" + any(artifact) + "/" + any(version)
	name = any(artifact) + "-" + any(version)
	if classifier != "" {
		return path, name + "-" + classifier + ".*"
	}
	return path, name + "*"
}
