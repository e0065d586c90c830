package maven

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// Metadata is a maven-metadata.xml document, at any of its three levels:
//
//   - artifact level (g/a/maven-metadata.xml): GroupID, ArtifactID and Versioning with Latest,
//     Release, Versions and LastUpdated;
//   - snapshot level (g/a/1.0-SNAPSHOT/maven-metadata.xml): GroupID, ArtifactID, Version and
//     Versioning with Snapshot, LastUpdated and SnapshotVersions;
//   - group level (g/maven-metadata.xml of a plugin group): Plugins.
//
// Field order is the order of Maven's repository metadata model, which Marshal keeps.
type Metadata struct {
	XMLName xml.Name `xml:"metadata"`
	// ModelVersion is the modelVersion attribute; Maven 3 writes "1.1.0" on snapshot level
	// documents (the version that introduced snapshotVersions).
	ModelVersion string      `xml:"modelVersion,attr,omitempty"`
	GroupID      string      `xml:"groupId,omitempty"`
	ArtifactID   string      `xml:"artifactId,omitempty"`
	Version      string      `xml:"version,omitempty"`
	Versioning   *Versioning `xml:"versioning,omitempty"`
	Plugins      []Plugin    `xml:"plugins>plugin,omitempty"`
}

// Versioning is the <versioning> element.
type Versioning struct {
	Latest   string    `xml:"latest,omitempty"`
	Release  string    `xml:"release,omitempty"`
	Snapshot *Snapshot `xml:"snapshot,omitempty"`
	Versions []string  `xml:"versions>version,omitempty"`
	// LastUpdated is yyyyMMddHHmmss in UTC.
	LastUpdated      string            `xml:"lastUpdated,omitempty"`
	SnapshotVersions []SnapshotVersion `xml:"snapshotVersions>snapshotVersion,omitempty"`
}

// Snapshot is the <snapshot> element: the newest unique snapshot build, or LocalCopy for a
// snapshot installed into a local repository (not in a deployed one).
type Snapshot struct {
	Timestamp   string `xml:"timestamp,omitempty"` // yyyyMMdd.HHmmss in UTC
	BuildNumber int    `xml:"buildNumber,omitempty"`
	LocalCopy   bool   `xml:"localCopy,omitempty"`
}

// SnapshotVersion is one <snapshotVersion>: the file version (value) a classifier and
// extension of the snapshot resolve to.
type SnapshotVersion struct {
	Classifier string `xml:"classifier,omitempty"`
	Extension  string `xml:"extension"`
	Value      string `xml:"value"`
	Updated    string `xml:"updated,omitempty"` // yyyyMMddHHmmss in UTC
}

// Plugin is one <plugin> of a group-level document.
type Plugin struct {
	Name       string `xml:"name,omitempty"`
	Prefix     string `xml:"prefix"`
	ArtifactID string `xml:"artifactId"`
}

// The time formats of maven-metadata.xml, always in UTC.
const (
	lastUpdatedLayout = "20060102150405"  // lastUpdated, updated
	timestampLayout   = "20060102.150405" // snapshot timestamp
)

// FormatLastUpdated formats a time as a lastUpdated value (yyyyMMddHHmmss in UTC); "" for the
// zero time.
func FormatLastUpdated(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(lastUpdatedLayout)
}

// Go's encoder writes the parent of an "a>b" field even when the slice is empty; Maven omits
// empty <versions>, <snapshotVersions> and <plugins>, so Metadata and Versioning encode through
// shadow types whose wrappers are pointers.

type xmlVersions struct {
	Version []string `xml:"version"`
}

type xmlSnapshotVersions struct {
	SnapshotVersion []SnapshotVersion `xml:"snapshotVersion"`
}

type xmlPlugins struct {
	Plugin []Plugin `xml:"plugin"`
}

// MarshalXML implements xml.Marshaler.
func (m Metadata) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type shadow struct {
		ModelVersion string      `xml:"modelVersion,attr,omitempty"`
		GroupID      string      `xml:"groupId,omitempty"`
		ArtifactID   string      `xml:"artifactId,omitempty"`
		Version      string      `xml:"version,omitempty"`
		Versioning   *Versioning `xml:"versioning,omitempty"`
		Plugins      *xmlPlugins `xml:"plugins,omitempty"`
	}
	s := shadow{ModelVersion: m.ModelVersion, GroupID: m.GroupID, ArtifactID: m.ArtifactID, Version: m.Version, Versioning: m.Versioning}
	if len(m.Plugins) > 0 {
		s.Plugins = &xmlPlugins{m.Plugins}
	}
	start.Name = xml.Name{Local: "metadata"}
	start.Attr = nil
	return e.EncodeElement(s, start)
}

// MarshalXML implements xml.Marshaler.
func (v Versioning) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type shadow struct {
		Latest           string               `xml:"latest,omitempty"`
		Release          string               `xml:"release,omitempty"`
		Snapshot         *Snapshot            `xml:"snapshot,omitempty"`
		Versions         *xmlVersions         `xml:"versions,omitempty"`
		LastUpdated      string               `xml:"lastUpdated,omitempty"`
		SnapshotVersions *xmlSnapshotVersions `xml:"snapshotVersions,omitempty"`
	}
	s := shadow{Latest: v.Latest, Release: v.Release, Snapshot: v.Snapshot, LastUpdated: v.LastUpdated}
	if len(v.Versions) > 0 {
		s.Versions = &xmlVersions{v.Versions}
	}
	if len(v.SnapshotVersions) > 0 {
		s.SnapshotVersions = &xmlSnapshotVersions{v.SnapshotVersions}
	}
	return e.EncodeElement(s, start)
}

// rawMetadata is what ParseMetadata decodes into: every value as text, so that one odd field
// (an empty or non-numeric buildNumber) does not reject a whole document.
type rawMetadata struct {
	ModelVersion string `xml:"modelVersion,attr"`
	GroupID      string `xml:"groupId"`
	ArtifactID   string `xml:"artifactId"`
	Version      string `xml:"version"`
	Versioning   *struct {
		Latest   string `xml:"latest"`
		Release  string `xml:"release"`
		Snapshot *struct {
			Timestamp   string `xml:"timestamp"`
			BuildNumber string `xml:"buildNumber"`
			LocalCopy   string `xml:"localCopy"`
		} `xml:"snapshot"`
		Versions         []string `xml:"versions>version"`
		LastUpdated      string   `xml:"lastUpdated"`
		SnapshotVersions []struct {
			Classifier string `xml:"classifier"`
			Extension  string `xml:"extension"`
			Value      string `xml:"value"`
			Updated    string `xml:"updated"`
		} `xml:"snapshotVersions>snapshotVersion"`
	} `xml:"versioning"`
	Plugins []struct {
		Name       string `xml:"name"`
		Prefix     string `xml:"prefix"`
		ArtifactID string `xml:"artifactId"`
	} `xml:"plugins>plugin"`
}

// ParseMetadata reads a maven-metadata.xml document. It is tolerant of what real repositories
// serve: a namespace (or none), a byte order mark, an ISO-8859-1 declaration, surrounding
// whitespace in values, empty or repeated <version> entries (dropped), a buildNumber that is
// not a number (read as 0) and unknown elements (ignored). It fails, with arca.ErrInvalid, when
// the document is not well-formed XML or its root is not <metadata>.
func ParseMetadata(doc []byte) (*Metadata, error) {
	var r rawMetadata
	if err := decodeRoot(doc, "metadata", &r); err != nil {
		return nil, err
	}
	m := &Metadata{
		ModelVersion: strings.TrimSpace(r.ModelVersion),
		GroupID:      strings.TrimSpace(r.GroupID),
		ArtifactID:   strings.TrimSpace(r.ArtifactID),
		Version:      strings.TrimSpace(r.Version),
	}
	if v := r.Versioning; v != nil {
		mv := &Versioning{
			Latest:      strings.TrimSpace(v.Latest),
			Release:     strings.TrimSpace(v.Release),
			LastUpdated: strings.TrimSpace(v.LastUpdated),
			Versions:    cleanVersions(v.Versions),
		}
		if s := v.Snapshot; s != nil {
			n, err := strconv.Atoi(strings.TrimSpace(s.BuildNumber))
			if err != nil || n < 0 {
				n = 0
			}
			mv.Snapshot = &Snapshot{
				Timestamp:   strings.TrimSpace(s.Timestamp),
				BuildNumber: n,
				LocalCopy:   strings.EqualFold(strings.TrimSpace(s.LocalCopy), "true"),
			}
		}
		for _, sv := range v.SnapshotVersions {
			mv.SnapshotVersions = append(mv.SnapshotVersions, SnapshotVersion{
				Classifier: strings.TrimSpace(sv.Classifier),
				Extension:  strings.TrimSpace(sv.Extension),
				Value:      strings.TrimSpace(sv.Value),
				Updated:    strings.TrimSpace(sv.Updated),
			})
		}
		m.Versioning = mv
	}
	for _, p := range r.Plugins {
		m.Plugins = append(m.Plugins, Plugin{
			Name:       strings.TrimSpace(p.Name),
			Prefix:     strings.TrimSpace(p.Prefix),
			ArtifactID: strings.TrimSpace(p.ArtifactID),
		})
	}
	return m, nil
}

// cleanVersions trims versions and drops empty and repeated ones, keeping the first of each.
func cleanVersions(vs []string) []string {
	var out []string
	seen := make(map[string]bool, len(vs))
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// Marshal writes the document as Maven does: an XML declaration, elements in the model's order,
// two-space indentation and a final newline. Values are written as they are (sort with the
// builders or SortVersions first).
func (m *Metadata) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	e := xml.NewEncoder(&b)
	e.Indent("", "  ")
	if err := e.Encode(m); err != nil {
		// Only unsupported Go types make encoding fail, and Metadata has none.
		panic("maven: encoding metadata: " + err.Error())
	}
	b.WriteByte('\n')
	return b.Bytes()
}
