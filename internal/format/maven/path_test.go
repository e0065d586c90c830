package maven

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePath(t *testing.T) {
	for _, tt := range []struct {
		path string
		want Coordinates
	}{
		{"org/acme/app/1.0/app-1.0.jar",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Extension: "jar"}},
		{"com/app/1.0/app-1.0.pom",
			Coordinates{GroupID: "com", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Extension: "pom"}},
		{"org/acme/app/1.0/app-1.0-sources.jar",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Classifier: "sources", Extension: "jar"}},
		{"org/acme/app/1.0/app-1.0-linux-x86_64.tar.gz",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Classifier: "linux-x86_64", Extension: "tar.gz"}},
		{"org/acme/app/1.0/app-1.0.jar.sha1",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Extension: "jar", ChecksumOf: "sha1"}},
		{"org/acme/app/1.0/app-1.0.jar.asc",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Extension: "jar.asc"}},
		{"org/acme/app/1.0/app-1.0.jar.asc.md5",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Extension: "jar.asc", ChecksumOf: "md5"}},
		{"org/acme/app/1.0/app-1.0-javadoc.jar.sha512",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0", FileVersion: "1.0", Classifier: "javadoc", Extension: "jar", ChecksumOf: "sha512"}},
		{"org/acme/my-app/1.0-rc-1/my-app-1.0-rc-1.jar",
			Coordinates{GroupID: "org.acme", ArtifactID: "my-app", Version: "1.0-rc-1", FileVersion: "1.0-rc-1", Extension: "jar"}},
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-SNAPSHOT.jar",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0-SNAPSHOT", FileVersion: "1.0-SNAPSHOT", Extension: "jar", Snapshot: true}},
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-SNAPSHOT-tests.jar",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0-SNAPSHOT", FileVersion: "1.0-SNAPSHOT", Classifier: "tests", Extension: "jar", Snapshot: true}},
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-1.jar",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0-SNAPSHOT", FileVersion: "1.0-20261121.052921-1", Extension: "jar",
				Snapshot: true, Timestamp: "20261121.052921", BuildNumber: 1}},
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-12-sources.jar.sha1",
			Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0-SNAPSHOT", FileVersion: "1.0-20261121.052921-12", Classifier: "sources",
				Extension: "jar", Snapshot: true, Timestamp: "20261121.052921", BuildNumber: 12, ChecksumOf: "sha1"}},
	} {
		got, ok := ParsePath(tt.path)
		if !ok {
			t.Errorf("ParsePath(%q) refused", tt.path)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParsePath(%q) (-want +got):\n%s", tt.path, diff)
		}
		if p := got.Path(); p != tt.path {
			t.Errorf("ParsePath(%q).Path() = %q", tt.path, p)
		}
	}
}

func TestParsePathRefuses(t *testing.T) {
	for _, p := range []string{
		"",
		"app-1.0.jar",
		"app/1.0/app-1.0.jar",                 // no group
		"org/acme/app/1.0/other-1.0.jar",      // another artifact
		"org/acme/app/1.0/app-1.1.jar",        // another version
		"org/acme/app/1.0/app-1.0",            // no extension
		"org/acme/app/1.0/app-1.0.",           // empty extension
		"org/acme/app/1.0/app-1.0-.jar",       // empty classifier
		"org/acme/app/1.0/app-1.0-sources",    // classifier, no extension
		"org/acme/app/1.0/app-1.00.jar",       // 1.00 is not 1.0 in a file name
		"org/acme/app/1.0/maven-metadata.xml", // metadata is not an artifact
		"org/acme/app/maven-metadata.xml",
		"org/acme/app/1.0-SNAPSHOT/maven-metadata.xml.sha1",
		"org/acme/app/1.0-SNAPSHOT/app-1.0-2026112.052921-1.jar", // short date
		"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921.jar",  // no build number
		"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-x.jar",
		"org/acme/app/1.0-SNAPSHOT/app-1.1-20261121.052921-1.jar", // another base version
		"org//app/1.0/app-1.0.jar",
		"org/../app/1.0/app-1.0.jar",
		"org/./app/1.0/app-1.0.jar",
		"/org/acme/app/1.0/app-1.0.jar",
		"org/acme/app/1.0/app-1.0.jar/",
		"org.acme/app/1.0/app-1.0.jar",
	} {
		if c, ok := ParsePath(p); ok {
			t.Errorf("ParsePath(%q) = %+v, want refusal", p, c)
		}
	}
}

func TestCoordinatesPath(t *testing.T) {
	c := Coordinates{GroupID: "org.acme", ArtifactID: "app", Version: "1.0-SNAPSHOT", Timestamp: "20261121.052921", BuildNumber: 3,
		Classifier: "sources", Extension: "jar", ChecksumOf: "md5"}
	if got, want := c.Path(), "org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-3-sources.jar.md5"; got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
	if got, want := c.ArtifactPath(), "org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-3-sources.jar"; got != want {
		t.Errorf("ArtifactPath() = %q, want %q", got, want)
	}
	if got, want := c.Package(), "org.acme:app"; got != want {
		t.Errorf("Package() = %q, want %q", got, want)
	}
	if !(Coordinates{Extension: "jar.asc"}).IsSignature() || (Coordinates{Extension: "jar"}).IsSignature() {
		t.Error("IsSignature is wrong")
	}
}

func FuzzParsePath(f *testing.F) {
	for _, p := range []string{
		"org/acme/app/1.0/app-1.0.jar",
		"org/acme/app/1.0/app-1.0-sources.jar.sha1",
		"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-12-sources.tar.gz",
		"org/acme/app/1.0-SNAPSHOT/app-1.0-SNAPSHOT.pom",
		"a/b/c/d",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, ok := ParsePath(p)
		if !ok {
			return
		}
		// What parses builds back to the same path and parses to the same coordinates.
		if got := c.Path(); got != p {
			t.Fatalf("ParsePath(%q).Path() = %q", p, got)
		}
		c2, ok := ParsePath(c.Path())
		if !ok || c2 != c {
			t.Fatalf("ParsePath(%q) = %+v, then %+v, %v", p, c, c2, ok)
		}
		if c.Extension == "" || c.ArtifactID == "" || c.Version == "" || c.GroupID == "" {
			t.Fatalf("ParsePath(%q) = %+v: empty field", p, c)
		}
	})
}
