package maven

import (
	"cmp"
	"fmt"
	"strings"

	"arca"
)

// MediaType is the media type of maven-metadata.xml.
const MediaType = "application/xml"

// Merge implements format.Merger for maven-metadata.xml in virtual repositories. Members'
// documents come in resolution order.
//
//   - Artifact (and plugin group) level: the union of the versions in Maven order, latest and
//     release recomputed from it (Latest, Release), lastUpdated the newest of the members';
//     groupId, artifactId and modelVersion from the first document that has them; plugins
//     united by prefix, the first member's entry winning.
//   - Snapshot level (the path's directory is a SNAPSHOT version): the document of the member
//     with the newest snapshot (timestamp, then buildNumber, then lastUpdated) wins whole, the
//     earlier member on a tie, because a snapshot's files live in the member that built it.
//
// Documents that do not parse are skipped; when none parses, Merge fails with an error wrapping
// arca.ErrUnavailable. The result is re-encoded by Marshal, with media type MediaType.
//
// Checksum paths (maven-metadata.xml.sha1 …) are metadata too, but are not to be merged: the
// repository layer answers them with the checksums of the merged document, the only values
// that can match it. Merge refuses them with an error wrapping arca.ErrNotFound.
func (Format) Merge(path string, docs [][]byte) ([]byte, string, error) {
	if ext, _ := ChecksumExt(path); ext != "" {
		return nil, "", fmt.Errorf("%w: %s: checksums of merged metadata come from the merged document, not from members", arca.ErrNotFound, path)
	}
	var ms []*Metadata
	var firstErr error
	for _, d := range docs {
		m, err := ParseMetadata(d)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		if firstErr == nil {
			return nil, "", fmt.Errorf("%w: no maven-metadata.xml to merge for %s", arca.ErrUnavailable, path)
		}
		return nil, "", fmt.Errorf("%w: none of the %d members' %s is well-formed: %v", arca.ErrUnavailable, len(docs), path, firstErr)
	}
	var out *Metadata
	if isSnapshotMetadataPath(path) {
		out = newestSnapshot(ms)
	} else {
		out = mergeVersions(ms)
	}
	return out.Marshal(), MediaType, nil
}

// mergeVersions unites artifact- or group-level documents (at least one).
func mergeVersions(ms []*Metadata) *Metadata {
	out := &Metadata{}
	var versions, latests, releases []string
	seen := map[string]bool{}
	hasVersioning := false
	plugins := map[string]bool{}
	for _, m := range ms {
		out.ModelVersion = cmp.Or(out.ModelVersion, m.ModelVersion)
		out.GroupID = cmp.Or(out.GroupID, m.GroupID)
		out.ArtifactID = cmp.Or(out.ArtifactID, m.ArtifactID)
		out.Version = cmp.Or(out.Version, m.Version)
		if v := m.Versioning; v != nil {
			hasVersioning = true
			for _, ver := range v.Versions {
				if !seen[ver] {
					seen[ver] = true
					versions = append(versions, ver)
				}
			}
			if v.Latest != "" {
				latests = append(latests, v.Latest)
			}
			if v.Release != "" {
				releases = append(releases, v.Release)
			}
		}
		for _, p := range m.Plugins {
			k := cmp.Or(p.Prefix, ":"+p.ArtifactID)
			if !plugins[k] {
				plugins[k] = true
				out.Plugins = append(out.Plugins, p)
			}
		}
	}
	if !hasVersioning {
		return out
	}
	SortVersions(versions)
	v := &Versioning{Versions: versions, Latest: Latest(versions), Release: Release(versions)}
	if len(versions) == 0 {
		// Members that name a latest or release without listing versions: keep the highest.
		v.Latest, v.Release = Latest(latests), Latest(releases)
	}
	for _, m := range ms {
		if m.Versioning != nil && newerLastUpdated(m.Versioning.LastUpdated, v.LastUpdated) {
			v.LastUpdated = m.Versioning.LastUpdated
		}
	}
	out.Versioning = v
	return out
}

// newerLastUpdated reports whether lastUpdated a is newer than b. Well-formed values
// (yyyyMMddHHmmss) compare as text; anything beats "" and a well-formed value beats a
// malformed one.
func newerLastUpdated(a, b string) bool {
	switch {
	case a == "":
		return false
	case b == "":
		return true
	}
	wa, wb := len(a) == 14 && allDigits(a), len(b) == 14 && allDigits(b)
	if wa != wb {
		return wa
	}
	return a > b
}

// newestSnapshot returns the snapshot-level document (of at least one) with the newest build.
func newestSnapshot(ms []*Metadata) *Metadata {
	best := ms[0]
	for _, m := range ms[1:] {
		if compareSnapshotDocs(m, best) > 0 {
			best = m
		}
	}
	return best
}

// compareSnapshotDocs orders snapshot-level documents by snapshot timestamp, build number and
// lastUpdated; a document without <snapshot> or <versioning> is older than one with.
func compareSnapshotDocs(a, b *Metadata) int {
	ka, kb := snapshotKey(a), snapshotKey(b)
	if c := cmp.Or(strings.Compare(ka.ts, kb.ts), cmp.Compare(ka.build, kb.build)); c != 0 {
		return c
	}
	switch {
	case newerLastUpdated(ka.lastUpdated, kb.lastUpdated):
		return 1
	case newerLastUpdated(kb.lastUpdated, ka.lastUpdated):
		return -1
	}
	return 0
}

type snapKey struct {
	ts          string
	build       int
	lastUpdated string
}

func snapshotKey(m *Metadata) snapKey {
	var k snapKey
	if v := m.Versioning; v != nil {
		k.lastUpdated = v.LastUpdated
		if s := v.Snapshot; s != nil && isTimestamp(s.Timestamp) {
			k.ts, k.build = s.Timestamp, s.BuildNumber
		}
	}
	return k
}
