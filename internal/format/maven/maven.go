// Package maven is the format of Maven-layout repositories (package types maven, gradle, ivy
// and sbt): the repository layout, Maven's version order, maven-metadata.xml (parsing, building
// from a listing, merging for virtual repositories) and the POM checks a local repository makes
// on deploy.
//
// Layout: group/as/path/artifactId/version/artifactId-version[-classifier].ext, see ParsePath.
// Metadata: https://maven.apache.org/repositories/metadata.html and the repository metadata
// model https://maven.apache.org/ref/3.8.7/maven-repository-metadata/repository-metadata.html.
// Version order: https://maven.apache.org/pom.html#version-order-specification.
//
// Everything here is a pure function of its arguments; the repository layer owns storage,
// time and configuration and passes in what is needed.
package maven

import (
	"strings"

	"arca/internal/format"
)

// Format is the Maven format. Type is the package type it serves: "" or "maven", and "gradle",
// "ivy" and "sbt" for the package types that share the Maven layout (Arca supports the
// maven-2-default layout for all of them).
type Format struct {
	Type string
}

// Formats returns the Maven format once for each package type using the Maven layout, for
// registration in a format.Registry.
func Formats() []format.Format {
	return []format.Format{Format{}, Format{Type: "gradle"}, Format{Type: "ivy"}, Format{Type: "sbt"}}
}

var (
	_ format.Format = Format{}
	_ format.Merger = Format{}
)

// Name implements format.Format.
func (f Format) Name() string {
	if f.Type == "" {
		return "maven"
	}
	return f.Type
}

// Classify implements format.Format.
//
// maven-metadata.xml at any level (group, artifact, snapshot version) and its checksum files
// are metadata; everything else is content. Package is "groupId:artifactId" for paths in the
// layout, metadata included, and "" otherwise. A group-level plugin document cannot be told
// from an artifact-level one by its path and is named as if its last directory were an
// artifact (org/apache/maven/plugins gives "org.apache.maven:plugins").
//
// Snapshot and Release are set for artifacts in the layout only: Snapshot inside a *SNAPSHOT
// version directory (unique timestamped files included), Release in any other version
// directory. Both stay false for metadata, for files outside the layout and for checksum files
// (.sha1, .md5, .sha256, .sha512), which virtual repositories exempt from the handleReleases and
// handleSnapshots checks. Signatures (.asc) are artifacts and are classified like the file they
// sign.
func (f Format) Classify(p string) format.Path {
	segs := strings.Split(p, "/")
	if _, subject := ChecksumExt(segs[len(segs)-1]); subject == MetadataName {
		pkg := metadataPackage(segs[:len(segs)-1])
		return format.Path{Kind: format.Metadata, Package: pkg, PackagePath: packagePath(pkg)}
	}
	c, ok := ParsePath(p)
	if !ok {
		return format.Path{Kind: format.Content}
	}
	fp := format.Path{Kind: format.Content, Package: c.Package(), PackagePath: packagePath(c.Package())}
	if c.ChecksumOf == "" {
		fp.Snapshot, fp.Release = c.Snapshot, !c.Snapshot
	}
	return fp
}

// metadataPackage names the package of a metadata document in the given directories:
// g/a/1.0-SNAPSHOT (snapshot level) and g/a (artifact level) both give "g:a". A directory
// starting with a digit is taken for a version too (g/a/1.0 gives "g:a"): artifactIds
// practically never start with one, and versions practically always do.
// packagePath is the folder of a "groupId:artifactId" package ("" for none).
func packagePath(pkg string) string {
	g, a, ok := strings.Cut(pkg, ":")
	if !ok {
		return ""
	}
	return strings.ReplaceAll(g, ".", "/") + "/" + a
}

func metadataPackage(dirs []string) string {
	for _, d := range dirs {
		if !validSegment(d) {
			return ""
		}
	}
	n := len(dirs)
	var group []string
	switch {
	case n >= 3 && (isSnapshotDir(dirs[n-1]) || isDigit(dirs[n-1][0])):
		group, dirs = dirs[:n-2], dirs[:n-1]
	case n >= 2:
		group = dirs[:n-1]
	default:
		return ""
	}
	for _, g := range group {
		if strings.Contains(g, ".") {
			return "" // as in ParsePath: the group org.acme lives in org/acme
		}
	}
	return strings.Join(group, ".") + ":" + dirs[len(dirs)-1]
}

// isSnapshotMetadataPath reports whether a metadata path is at snapshot version level.
func isSnapshotMetadataPath(p string) bool {
	segs := strings.Split(p, "/")
	n := len(segs)
	return n >= 4 && isSnapshotDir(segs[n-2])
}
