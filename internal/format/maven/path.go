package maven

import (
	"strconv"
	"strings"
)

// The Maven repository layout (Artifactory's maven-2-default):
//
//	group/as/dirs/artifactId/version/artifactId-fileVersion[-classifier].extension[.checksum]
//
// where fileVersion is the directory version, or for a unique snapshot the directory version
// with "SNAPSHOT" replaced by yyyyMMdd.HHmmss-buildNumber. The extension is everything after the
// first '.' that follows the version and classifier, so compound extensions (tar.gz) and
// signatures (jar.asc, which Maven itself models as an artifact with extension "jar.asc") are
// kept whole. A classifier therefore cannot contain a '.'.
//
// Checksum files (.sha1, .md5, .sha256, .sha512) are reported through ChecksumOf; they are not
// artifacts of their own and carry no release/snapshot distinction. Signatures (.asc) are
// artifacts: they are deployed, listed in snapshot metadata and checked like any other file.

// MetadataName is the file name of Maven repository metadata.
const MetadataName = "maven-metadata.xml"

// checksumExts are the checksum file suffixes Maven clients send or request, without the dot;
// read-only.
var checksumExts = []string{"sha1", "md5", "sha256", "sha512"}

// ChecksumExt returns the checksum algorithm of a checksum file name ("sha1" for
// "app-1.0.jar.sha1") and the name it is the checksum of; ext is "" for other names.
func ChecksumExt(name string) (ext, subject string) {
	for _, e := range checksumExts {
		if s, ok := strings.CutSuffix(name, "."+e); ok && s != "" {
			return e, s
		}
	}
	return "", name
}

// Coordinates are what the Maven layout says about one file.
type Coordinates struct {
	GroupID    string // org.acme (dots), from the directories above the artifact directory
	ArtifactID string
	// Version is the directory version: 1.0, or 1.0-SNAPSHOT for every file of a snapshot.
	Version string
	// FileVersion is the version in the file name: Version, or for a unique snapshot the
	// timestamped version 1.0-20261121.052921-1.
	FileVersion string
	Classifier  string // "" when none
	Extension   string // jar, pom, tar.gz, jar.asc
	// Snapshot reports a file in a snapshot version directory (Version ends with SNAPSHOT).
	Snapshot bool
	// Timestamp (yyyyMMdd.HHmmss) and BuildNumber are set for unique snapshot files only.
	Timestamp   string
	BuildNumber int
	// ChecksumOf is the checksum algorithm ("sha1", "md5", "sha256", "sha512") when the file is
	// a checksum of the artifact the other fields describe; "" for the artifact itself.
	ChecksumOf string
}

// Package returns the package name "groupId:artifactId".
func (c Coordinates) Package() string { return c.GroupID + ":" + c.ArtifactID }

// IsSignature reports whether the file is an OpenPGP signature (extension ending in "asc").
func (c Coordinates) IsSignature() bool {
	return c.Extension == "asc" || strings.HasSuffix(c.Extension, ".asc")
}

// Path builds the repository path back from the coordinates. FileVersion defaults to the unique
// version built from Timestamp and BuildNumber when both are set, else to Version.
func (c Coordinates) Path() string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(c.GroupID, ".", "/"))
	b.WriteString("/")
	b.WriteString(c.ArtifactID)
	b.WriteString("/")
	b.WriteString(c.Version)
	b.WriteString("/")
	b.WriteString(c.fileName())
	return b.String()
}

// ArtifactPath is Path without the checksum suffix: the file a checksum file is the checksum of.
func (c Coordinates) ArtifactPath() string {
	c.ChecksumOf = ""
	return c.Path()
}

func (c Coordinates) fileName() string {
	fv := c.FileVersion
	if fv == "" {
		fv = c.Version
		if c.Timestamp != "" && c.BuildNumber > 0 && isSnapshotDir(c.Version) {
			fv = snapshotBase(c.Version) + c.Timestamp + "-" + strconv.Itoa(c.BuildNumber)
		}
	}
	name := c.ArtifactID + "-" + fv
	if c.Classifier != "" {
		name += "-" + c.Classifier
	}
	name += "." + c.Extension
	if c.ChecksumOf != "" {
		name += "." + c.ChecksumOf
	}
	return name
}

// isSnapshotDir reports whether a version directory holds snapshots. Only the SNAPSHOT suffix
// counts here: a timestamped version is a file version, never a directory.
func isSnapshotDir(v string) bool {
	n := len(v)
	return n >= len("SNAPSHOT") && strings.EqualFold(v[n-len("SNAPSHOT"):], "SNAPSHOT")
}

// snapshotBase is a snapshot version without its SNAPSHOT suffix ("1.0-" for "1.0-SNAPSHOT").
func snapshotBase(v string) string { return v[:len(v)-len("SNAPSHOT")] }

// validSegment reports whether s can be a path segment of the layout.
func validSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "\x00\\")
}

// ParsePath reads the coordinates of a repository path in the Maven layout. It refuses (false)
// paths with fewer than three directories (group, artifact, version), empty, "." or ".."
// segments, group directories containing a '.' (the group org.acme lives in org/acme), and file names that do not start with artifactId-version (for a snapshot directory,
// artifactId-<base>-SNAPSHOT or artifactId-<base>-yyyyMMdd.HHmmss-N) followed by an optional
// classifier and a non-empty extension. Metadata files (maven-metadata.xml) are not artifacts
// and are refused as well.
func ParsePath(p string) (Coordinates, bool) {
	segs := strings.Split(p, "/")
	n := len(segs)
	if n < 4 {
		return Coordinates{}, false
	}
	for _, s := range segs {
		if !validSegment(s) {
			return Coordinates{}, false
		}
	}
	c, ok := parseFileName(segs[n-3], segs[n-2], segs[n-1])
	if !ok {
		return Coordinates{}, false
	}
	for _, g := range segs[:n-3] {
		if strings.Contains(g, ".") {
			return Coordinates{}, false // org.acme/ would read as org/acme/
		}
	}
	c.GroupID = strings.Join(segs[:n-3], ".")
	return c, true
}

// parseFileName reads a file name of the given artifact and directory version; GroupID is left
// empty.
func parseFileName(artifactID, version, name string) (Coordinates, bool) {
	c := Coordinates{ArtifactID: artifactID, Version: version, Snapshot: isSnapshotDir(version)}
	c.ChecksumOf, name = ChecksumExt(name)
	if name == MetadataName || strings.HasPrefix(name, "maven-metadata") && strings.HasSuffix(name, ".xml") {
		return Coordinates{}, false
	}
	rest, ok := strings.CutPrefix(name, artifactID+"-")
	if !ok || artifactID == "" || version == "" {
		return Coordinates{}, false
	}
	switch {
	case strings.HasPrefix(rest, version) && (len(rest) == len(version) || rest[len(version)] == '-' || rest[len(version)] == '.'):
		c.FileVersion = version
	case c.Snapshot:
		base := snapshotBase(version)
		after, ok := strings.CutPrefix(rest, base)
		if !ok {
			return Coordinates{}, false
		}
		ts, build, ok := cutTimestampBuild(after)
		if !ok {
			return Coordinates{}, false
		}
		c.Timestamp = ts
		c.BuildNumber, _ = strconv.Atoi(build) // at most 9 digits: cannot fail
		c.FileVersion = base + ts + "-" + build
	default:
		return Coordinates{}, false
	}
	rest = rest[len(c.FileVersion):]
	if cl, ok := strings.CutPrefix(rest, "-"); ok {
		i := strings.IndexByte(cl, '.')
		if i <= 0 {
			return Coordinates{}, false
		}
		c.Classifier, rest = cl[:i], cl[i:]
	}
	ext, ok := strings.CutPrefix(rest, ".")
	if !ok || ext == "" || strings.HasSuffix(ext, ".") {
		return Coordinates{}, false
	}
	c.Extension = ext
	return c, true
}

// cutTimestampBuild reads "yyyyMMdd.HHmmss-N" at the start of s, followed by the end, '-' or '.'.
func cutTimestampBuild(s string) (ts, build string, ok bool) {
	const tsLen = len("yyyyMMdd.HHmmss")
	if len(s) < tsLen+2 || !isTimestamp(s[:tsLen]) || s[tsLen] != '-' {
		return "", "", false
	}
	rest := s[tsLen+1:]
	i := 0
	for i < len(rest) && isDigit(rest[i]) {
		i++
	}
	if i == 0 || i > 9 || (i < len(rest) && rest[i] != '-' && rest[i] != '.') {
		return "", "", false
	}
	return s[:tsLen], rest[:i], true
}
