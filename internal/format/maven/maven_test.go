package maven

import (
	"strings"
	"testing"

	"arca/internal/format"
)

func TestName(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		want string
	}{{Format{}, "maven"}, {Format{Type: "gradle"}, "gradle"}, {Format{Type: "sbt"}, "sbt"}} {
		if got := tt.f.Name(); got != tt.want {
			t.Errorf("Name() = %q, want %q", got, tt.want)
		}
	}
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name())
	}
	if got := len(names); got != 4 {
		t.Errorf("Formats() = %v", names)
	}
}

func TestClassify(t *testing.T) {
	md := format.Metadata
	ct := format.Content
	for _, tt := range []struct {
		path string
		want format.Path
	}{
		// metadata at its three levels, and its checksums
		{"org/acme/app/maven-metadata.xml", format.Path{Kind: md, Package: "org.acme:app"}},
		{"org/acme/app/maven-metadata.xml.sha1", format.Path{Kind: md, Package: "org.acme:app"}},
		{"org/acme/app/maven-metadata.xml.md5", format.Path{Kind: md, Package: "org.acme:app"}},
		{"org/acme/app/1.0-SNAPSHOT/maven-metadata.xml", format.Path{Kind: md, Package: "org.acme:app"}},
		{"org/acme/app/1.0-SNAPSHOT/maven-metadata.xml.sha256", format.Path{Kind: md, Package: "org.acme:app"}},
		{"org/apache/maven/plugins/maven-metadata.xml", format.Path{Kind: md, Package: "org.apache.maven:plugins"}},
		{"app/maven-metadata.xml", format.Path{Kind: md}},
		{"maven-metadata.xml", format.Path{Kind: md}},
		{"org.acme/app/maven-metadata.xml", format.Path{Kind: md}},
		{"org/acme/app/1.0/maven-metadata.xml", format.Path{Kind: md, Package: "org.acme:app"}},
		{"org/acme/app2/maven-metadata.xml", format.Path{Kind: md, Package: "org.acme:app2"}},
		// releases
		{"org/acme/app/1.0/app-1.0.jar", format.Path{Kind: ct, Package: "org.acme:app", Release: true}},
		{"org/acme/app/1.0/app-1.0-sources.jar", format.Path{Kind: ct, Package: "org.acme:app", Release: true}},
		{"org/acme/app/1.0/app-1.0.jar.asc", format.Path{Kind: ct, Package: "org.acme:app", Release: true}},
		{"org/acme/app/1.0/app-1.0.jar.sha1", format.Path{Kind: ct, Package: "org.acme:app"}},
		{"org/acme/app/1.0/app-1.0.pom.md5", format.Path{Kind: ct, Package: "org.acme:app"}},
		// snapshots
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-SNAPSHOT.jar", format.Path{Kind: ct, Package: "org.acme:app", Snapshot: true}},
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-1.jar", format.Path{Kind: ct, Package: "org.acme:app", Snapshot: true}},
		{"org/acme/app/1.0-SNAPSHOT/app-1.0-20261121.052921-1.pom.sha1", format.Path{Kind: ct, Package: "org.acme:app"}},
		// outside the layout
		{"", format.Path{Kind: ct}},
		{"org/acme", format.Path{Kind: ct}},
		{"org/acme/app/1.0", format.Path{Kind: ct}},
		{"org/acme/app/1.0/readme.txt", format.Path{Kind: ct}},
		{"org/acme/app/1.0/maven-metadata-local.xml", format.Path{Kind: ct}},
	} {
		want := tt.want
		if want.Package != "" { // the package's folder: groupId with dots as slashes, then artifactId
			g, a, _ := strings.Cut(want.Package, ":")
			want.PackagePath = strings.ReplaceAll(g, ".", "/") + "/" + a
		}
		if got := (Format{}).Classify(tt.path); got != want {
			t.Errorf("Classify(%q) = %+v, want %+v", tt.path, got, want)
		}
	}
}
