package maven

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Documents as Maven writes them survive parsing and marshalling byte for byte.
func TestMetadataRoundTrip(t *testing.T) {
	for _, name := range []string{"artifact.xml", "snapshot.xml", "plugins.xml"} {
		doc := readTestdata(t, name)
		m, err := ParseMetadata(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(string(doc), string(m.Marshal())); diff != "" {
			t.Errorf("%s: Marshal(ParseMetadata) (-want +got):\n%s", name, diff)
		}
	}
}

func TestParseMetadataTolerant(t *testing.T) {
	for _, tt := range []struct {
		file string
		want *Metadata
	}{
		{"realworld-namespaced.xml", &Metadata{GroupID: "com.acme", ArtifactID: "hello", Version: "1.0",
			Versioning: &Versioning{Latest: "1.0", Release: "1.0", Versions: []string{"0.9", "1.0"}, LastUpdated: "20200101000000"}}},
		{"realworld-latin1.xml", &Metadata{GroupID: "de.example", ArtifactID: "werkzeug", Version: "2.0-SNAPSHOT",
			Versioning: &Versioning{Snapshot: &Snapshot{Timestamp: "20110101.120000", LocalCopy: true}, LastUpdated: "20110101120000"}}},
	} {
		got, err := ParseMetadata(readTestdata(t, tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.file, diff)
		}
	}
}

func TestParseMetadataErrors(t *testing.T) {
	for _, doc := range []string{
		"",
		"not xml",
		"<project><groupId>x</groupId></project>",
		"<metadata><groupId>x</groupId>",
		"<metadata><versioning><versions><version>1</versions></versioning></metadata>",
		"\xfe\xff\x00<\x00m",
		`<?xml version="1.0" encoding="EBCDIC-CP-US"?><metadata/>`,
	} {
		if _, err := ParseMetadata([]byte(doc)); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("ParseMetadata(%q) error = %v, want ErrInvalid", doc, err)
		}
	}
}

func TestArtifactMetadata(t *testing.T) {
	m := ArtifactMetadata("com.acme", "hello", []string{"1.0.1", "1.1-SNAPSHOT", "1.0", "", "1.0-SNAPSHOT", "1.0"},
		time.Date(2026, 11, 21, 6, 29, 21, 0, time.FixedZone("CET", 3600)))
	if diff := cmp.Diff(string(readTestdata(t, "artifact.xml")), string(m.Marshal())); diff != "" {
		t.Errorf("ArtifactMetadata (-want +got):\n%s", diff)
	}

	// Without any release: no <release>; without a time: no <lastUpdated>.
	m = ArtifactMetadata("g", "a", []string{"1.0-SNAPSHOT"}, time.Time{})
	want := &Metadata{GroupID: "g", ArtifactID: "a", Versioning: &Versioning{Latest: "1.0-SNAPSHOT", Versions: []string{"1.0-SNAPSHOT"}}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("ArtifactMetadata of a snapshot only (-want +got):\n%s", diff)
	}
}

func TestSnapshotMetadata(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(lastUpdatedLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	files := []SnapshotFile{
		{"app-1.0-20261120.101010-2.jar", at("20261120101011")},
		{"app-1.0-20261120.101010-2.pom", at("20261120101011")},
		{"app-1.0-20261120.101010-2-sources.jar", at("20261120101011")},
		{"app-1.0-20261120.101010-2-sources.jar.sha1", at("20261120101011")},
		{"app-1.0-20261121.052921-3.pom", at("20261121052926")},
		{"app-1.0-20261121.052921-3.jar", at("20261121052925")},
		{"app-1.0-20261121.052921-3.jar.sha1", at("20261121052925")},
		{"app-1.0-20261121.052921-3.jar.asc", time.Time{}},
		{"app-1.0-SNAPSHOT.jar", at("20261122000000")}, // a non-unique file loses to unique builds
		{"maven-metadata.xml", at("20261121052930")},
		{"maven-metadata.xml.md5", at("20261121052930")},
		{"other-1.0-20261121.052921-3.jar", at("20261121052925")},
		{"readme.txt", at("20261121052925")},
	}
	m := SnapshotMetadata("com.acme", "app", "1.0-SNAPSHOT", files, at("20261121052930"))
	if diff := cmp.Diff(string(readTestdata(t, "snapshot.xml")), string(m.Marshal())); diff != "" {
		t.Errorf("SnapshotMetadata (-want +got):\n%s", diff)
	}
}

func TestSnapshotMetadataNonUnique(t *testing.T) {
	t1 := time.Date(2026, 11, 21, 5, 29, 21, 0, time.UTC)
	files := []SnapshotFile{
		{"app-1.0-SNAPSHOT.jar", t1},
		{"app-1.0-SNAPSHOT.pom", t1.Add(time.Second)},
		{"app-1.0-SNAPSHOT-tests.jar", time.Time{}},
		{"app-1.0-SNAPSHOT.pom.sha1", t1.Add(time.Hour)},
	}
	got := SnapshotMetadata("com.acme", "app", "1.0-SNAPSHOT", files, time.Time{})
	want := &Metadata{ModelVersion: "1.1.0", GroupID: "com.acme", ArtifactID: "app", Version: "1.0-SNAPSHOT",
		Versioning: &Versioning{
			LastUpdated: "20261121052922",
			SnapshotVersions: []SnapshotVersion{
				{Extension: "jar", Value: "1.0-SNAPSHOT", Updated: "20261121052921"},
				{Extension: "pom", Value: "1.0-SNAPSHOT", Updated: "20261121052922"},
				{Classifier: "tests", Extension: "jar", Value: "1.0-SNAPSHOT", Updated: "20261121052922"},
			},
		}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SnapshotMetadata (-want +got):\n%s", diff)
	}

	// An empty directory still gives a valid document.
	got = SnapshotMetadata("g", "a", "1-SNAPSHOT", nil, time.Time{})
	want = &Metadata{ModelVersion: "1.1.0", GroupID: "g", ArtifactID: "a", Version: "1-SNAPSHOT", Versioning: &Versioning{}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SnapshotMetadata of nothing (-want +got):\n%s", diff)
	}
}

func FuzzParseMetadata(f *testing.F) {
	for _, name := range []string{"artifact.xml", "snapshot.xml", "plugins.xml", "realworld-namespaced.xml", "realworld-latin1.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("<metadata><versioning><snapshot><buildNumber>-1</buildNumber></snapshot></versioning></metadata>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := ParseMetadata(doc)
		if err != nil {
			return
		}
		// What parses marshals to a document that parses to the same metadata.
		out := m.Marshal()
		m2, err := ParseMetadata(out)
		if err != nil {
			t.Fatalf("ParseMetadata(Marshal()) of %q: %v\n%s", doc, err, out)
		}
		if diff := cmp.Diff(m, m2); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", doc, diff)
		}
	})
}
