package maven

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// The builders make metadata from what a repository holds, so that a local repository can
// maintain (or recalculate) maven-metadata.xml itself instead of trusting what clients upload.

// ArtifactMetadata builds the artifact-level document of groupID:artifactID from the version
// directories present: versions in Maven order (empty and repeated ones dropped), latest the
// highest of them, release the highest that is not a snapshot (omitted when there is none) and
// lastUpdated the given time in UTC (omitted when zero).
func ArtifactMetadata(groupID, artifactID string, versions []string, lastUpdated time.Time) *Metadata {
	vs := cleanVersions(versions)
	SortVersions(vs)
	return &Metadata{
		GroupID:    groupID,
		ArtifactID: artifactID,
		Versioning: &Versioning{
			Latest:      Latest(vs),
			Release:     Release(vs),
			Versions:    vs,
			LastUpdated: FormatLastUpdated(lastUpdated),
		},
	}
}

// SnapshotFile is a file in a snapshot version directory: its name and when it was stored.
type SnapshotFile struct {
	Name    string
	Updated time.Time
}

// SnapshotMetadata builds the snapshot-level document of one snapshot version directory (such
// as 1.0-SNAPSHOT) from the files in it. Checksum files, metadata files and names outside the
// layout are ignored.
//
//   - snapshot: the newest unique build (highest timestamp, then build number) among the unique
//     files (app-1.0-20261121.052921-3.jar gives timestamp 20261121.052921, buildNumber 3).
//     When the directory holds non-unique files only (app-1.0-SNAPSHOT.jar), <snapshot> is
//     omitted: Maven then resolves the version as it is, 1.0-SNAPSHOT. localCopy is never set;
//     it marks a snapshot installed into a local ~/.m2 repository, not a deployed one.
//   - snapshotVersions: one entry per (classifier, extension), sorted by classifier then
//     extension, whose value is the newest file version present for it: a unique build beats a
//     non-unique file, a higher build beats a lower one. updated is that file's Updated time, or
//     when zero the build's timestamp (unique) or lastUpdated (non-unique).
//   - lastUpdated: the given time, or when zero the newest Updated among the files.
//
// The document carries modelVersion 1.1.0, as Maven 3 writes it.
func SnapshotMetadata(groupID, artifactID, version string, files []SnapshotFile, lastUpdated time.Time) *Metadata {
	type key struct{ classifier, extension string }
	type pick struct {
		c       Coordinates
		updated time.Time
	}
	best := map[key]pick{}
	var newest time.Time
	var snap *Coordinates
	for _, f := range files {
		c, ok := parseFileName(artifactID, version, f.Name)
		if !ok || c.ChecksumOf != "" {
			continue
		}
		if f.Updated.After(newest) {
			newest = f.Updated
		}
		k := key{c.Classifier, c.Extension}
		if cur, ok := best[k]; !ok || compareFiles(c, f.Updated, cur.c, cur.updated) > 0 {
			best[k] = pick{c, f.Updated}
		}
		if c.Timestamp != "" && (snap == nil || compareBuilds(c, *snap) > 0) {
			cc := c
			snap = &cc
		}
	}
	if lastUpdated.IsZero() {
		lastUpdated = newest
	}
	lu := FormatLastUpdated(lastUpdated)
	v := &Versioning{LastUpdated: lu}
	if snap != nil {
		v.Snapshot = &Snapshot{Timestamp: snap.Timestamp, BuildNumber: snap.BuildNumber}
	}
	for k, p := range best {
		updated := FormatLastUpdated(p.updated)
		if updated == "" {
			updated = lu
			if p.c.Timestamp != "" {
				updated = strings.Replace(p.c.Timestamp, ".", "", 1)
			}
		}
		v.SnapshotVersions = append(v.SnapshotVersions, SnapshotVersion{
			Classifier: k.classifier,
			Extension:  k.extension,
			Value:      p.c.FileVersion,
			Updated:    updated,
		})
	}
	slices.SortFunc(v.SnapshotVersions, func(a, b SnapshotVersion) int {
		return cmp.Or(strings.Compare(a.Classifier, b.Classifier), strings.Compare(a.Extension, b.Extension))
	})
	return &Metadata{ModelVersion: "1.1.0", GroupID: groupID, ArtifactID: artifactID, Version: version, Versioning: v}
}

// compareBuilds orders unique snapshot files by timestamp, then build number; a non-unique file
// (no timestamp) is older than any unique one.
func compareBuilds(a, b Coordinates) int {
	return cmp.Or(strings.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.BuildNumber, b.BuildNumber))
}

// compareFiles orders two files of one classifier and extension: by build, then by the time
// they were stored.
func compareFiles(a Coordinates, au time.Time, b Coordinates, bu time.Time) int {
	return cmp.Or(compareBuilds(a, b), au.Compare(bu))
}
