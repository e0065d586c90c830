package maven

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func mustParse(t *testing.T, doc []byte) *Metadata {
	t.Helper()
	m, err := ParseMetadata(doc)
	if err != nil {
		t.Fatalf("ParseMetadata(%s): %v", doc, err)
	}
	return m
}

func TestMergeArtifactLevel(t *testing.T) {
	local := `<metadata><groupId>com.acme</groupId><artifactId>hello</artifactId><versioning>
		<latest>1.1</latest><release>1.1</release><versions><version>1.0</version><version>1.1</version></versions>
		<lastUpdated>20200101000000</lastUpdated></versioning></metadata>`
	remote := `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://maven.apache.org/METADATA/1.1.0"><groupId>com.acme</groupId><artifactId>hello</artifactId><versioning>
		<latest>2.0-SNAPSHOT</latest><release>1.10</release>
		<versions><version>1.10</version><version>0.9</version><version>2.0-SNAPSHOT</version><version>1.1</version></versions>
		<lastUpdated>20210101000000</lastUpdated></versioning></metadata>`
	doc, mediaType, err := Format{}.Merge("com/acme/hello/maven-metadata.xml",
		[][]byte{[]byte(local), []byte("<html>502 Bad Gateway"), []byte(remote)})
	if err != nil {
		t.Fatal(err)
	}
	if mediaType != "application/xml" {
		t.Errorf("media type = %q", mediaType)
	}
	want := &Metadata{GroupID: "com.acme", ArtifactID: "hello", Versioning: &Versioning{
		Latest: "2.0-SNAPSHOT", Release: "1.10",
		Versions:    []string{"0.9", "1.0", "1.1", "1.10", "2.0-SNAPSHOT"},
		LastUpdated: "20210101000000",
	}}
	if diff := cmp.Diff(want, mustParse(t, doc)); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

func TestMergeLatestWithoutVersions(t *testing.T) {
	a := `<metadata><versioning><latest>1.0</latest><release>1.0</release><lastUpdated>bogus</lastUpdated></versioning></metadata>`
	b := `<metadata><versioning><latest>1.1-SNAPSHOT</latest><release>0.9</release><lastUpdated>20200101000000</lastUpdated></versioning></metadata>`
	doc, _, err := Format{}.Merge("g/a/maven-metadata.xml", [][]byte{[]byte(a), []byte(b)})
	if err != nil {
		t.Fatal(err)
	}
	want := &Metadata{Versioning: &Versioning{Latest: "1.1-SNAPSHOT", Release: "1.0", LastUpdated: "20200101000000"}}
	if diff := cmp.Diff(want, mustParse(t, doc)); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

func TestMergePlugins(t *testing.T) {
	a := readTestdata(t, "plugins.xml")
	b := `<metadata><plugins>
		<plugin><name>other deploy</name><prefix>deploy</prefix><artifactId>other-deploy-plugin</artifactId></plugin>
		<plugin><prefix>clean</prefix><artifactId>maven-clean-plugin</artifactId></plugin></plugins></metadata>`
	doc, _, err := Format{}.Merge("org/apache/maven/plugins/maven-metadata.xml", [][]byte{a, []byte(b)})
	if err != nil {
		t.Fatal(err)
	}
	want := &Metadata{Plugins: []Plugin{
		{Name: "Apache Maven Deploy Plugin", Prefix: "deploy", ArtifactID: "maven-deploy-plugin"},
		{Prefix: "install", ArtifactID: "maven-install-plugin"},
		{Prefix: "clean", ArtifactID: "maven-clean-plugin"},
	}}
	if diff := cmp.Diff(want, mustParse(t, doc)); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

func snapshotDoc(ts string, build, lastUpdated string) []byte {
	s := `<metadata modelVersion="1.1.0"><groupId>g</groupId><artifactId>a</artifactId><version>1.0-SNAPSHOT</version><versioning>`
	if ts != "" {
		s += `<snapshot><timestamp>` + ts + `</timestamp><buildNumber>` + build + `</buildNumber></snapshot>`
	}
	s += `<lastUpdated>` + lastUpdated + `</lastUpdated>`
	if ts != "" {
		s += `<snapshotVersions><snapshotVersion><extension>jar</extension><value>1.0-` + ts + `-` + build + `</value></snapshotVersion></snapshotVersions>`
	}
	return []byte(s + `</versioning></metadata>`)
}

func TestMergeSnapshotLevel(t *testing.T) {
	const p = "g/a/1.0-SNAPSHOT/maven-metadata.xml"
	b2 := snapshotDoc("20261121.052921", "2", "20261121052921")
	b3 := snapshotDoc("20261121.052921", "3", "20261121052921")
	b10 := snapshotDoc("20261121.052921", "10", "20261121052921")
	newer := snapshotDoc("20261122.000000", "1", "20261122000000")
	nonUnique := snapshotDoc("", "", "20301231000000")
	tie := bytes.Replace(b3, []byte("<groupId>g<"), []byte("<groupId>other<"), 1) // same build, told apart by groupId
	for _, tt := range []struct {
		name string
		docs [][]byte
		want []byte
	}{
		{"higher build wins", [][]byte{b2, b3}, b3},
		{"build numbers are numbers", [][]byte{b10, b3}, b10},
		{"newer timestamp wins", [][]byte{b10, newer}, newer},
		{"unique beats non-unique", [][]byte{nonUnique, b2}, b2},
		{"the first wins a tie", [][]byte{b3, tie}, b3},
		{"the first wins a tie, reversed", [][]byte{tie, b3}, tie},
		{"malformed members are skipped", [][]byte{[]byte("<metadata"), b2}, b2},
		{"non-unique by lastUpdated", [][]byte{snapshotDoc("", "", "20200101000000"), nonUnique}, nonUnique},
	} {
		doc, _, err := Format{}.Merge(p, tt.docs)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(mustParse(t, tt.want), mustParse(t, doc)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestMergeErrors(t *testing.T) {
	for _, docs := range [][][]byte{
		nil,
		{[]byte("<html>oops</html>")},
		{[]byte(""), []byte("<metadata>")},
	} {
		if _, _, err := (Format{}).Merge("g/a/maven-metadata.xml", docs); !errors.Is(err, arca.ErrUnavailable) {
			t.Errorf("Merge(%q) error = %v, want ErrUnavailable", docs, err)
		}
	}
}

func TestMergeChecksumPath(t *testing.T) {
	_, _, err := Format{}.Merge("g/a/maven-metadata.xml.sha1", [][]byte{[]byte("0123456789abcdef0123456789abcdef01234567")})
	if !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("Merge of a checksum path: error = %v, want ErrNotFound", err)
	}
}

func FuzzMerge(f *testing.F) {
	f.Add(readTestdata(f, "artifact.xml"), readTestdata(f, "snapshot.xml"), false)
	f.Add(readTestdata(f, "snapshot.xml"), snapshotDoc("20261121.052921", "2", "20261121052921"), true)
	f.Fuzz(func(t *testing.T, a, b []byte, snapshot bool) {
		p := "g/a/maven-metadata.xml"
		if snapshot {
			p = "g/a/1.0-SNAPSHOT/maven-metadata.xml"
		}
		doc, _, err := Format{}.Merge(p, [][]byte{a, b})
		if err != nil {
			if !errors.Is(err, arca.ErrUnavailable) {
				t.Fatalf("Merge error %v does not wrap ErrUnavailable", err)
			}
			return
		}
		if _, err := ParseMetadata(doc); err != nil {
			t.Fatalf("merged document does not parse: %v\n%s", err, doc)
		}
	})
}
