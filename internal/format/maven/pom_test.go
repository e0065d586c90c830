package maven

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestPOMCoordinates(t *testing.T) {
	for _, tt := range []struct {
		name, pom          string
		g, a, v, packaging string
	}{
		{"plain", `<project><groupId>com.acme</groupId><artifactId>app</artifactId><version>1.0</version></project>`,
			"com.acme", "app", "1.0", "jar"},
		{"inherited", string(readTestdata(t, "pom-repos.xml")), "com.acme", "app", "1.0", "war"},
		{"own values beat the parent's", `<project xmlns="http://maven.apache.org/POM/4.0.0">
			<parent><groupId>p.g</groupId><artifactId>p</artifactId><version>9</version></parent>
			<groupId> own.g </groupId><artifactId>app</artifactId><version>1.0-SNAPSHOT</version><packaging>pom</packaging>
			<dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>3</version></dependency></dependencies>
		</project>`, "own.g", "app", "1.0-SNAPSHOT", "pom"},
		{"properties stay", `<project><groupId>g</groupId><artifactId>a</artifactId><version>${revision}</version></project>`,
			"g", "a", "${revision}", "jar"},
		{"latin1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><project><name>M\xfcller</name><groupId>g</groupId><artifactId>a</artifactId><version>1</version></project>",
			"g", "a", "1", "jar"},
	} {
		g, a, v, p, err := POMCoordinates([]byte(tt.pom))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got, want := []string{g, a, v, p}, []string{tt.g, tt.a, tt.v, tt.packaging}; !cmp.Equal(got, want) {
			t.Errorf("%s: POMCoordinates = %q, want %q", tt.name, got, want)
		}
	}
}

func TestPOMCoordinatesErrors(t *testing.T) {
	for _, pom := range []string{
		"",
		"<project>",
		"<metadata/>",
		"<project><artifactId>a</artifactId><version>1</version></project>",
		"<project><groupId>g</groupId><version>1</version></project>",
		"<project><groupId>g</groupId><artifactId>a</artifactId></project>",
		"<project><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version></dependency></dependencies></project>",
	} {
		if _, _, _, _, err := POMCoordinates([]byte(pom)); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("POMCoordinates(%q) error = %v, want ErrInvalid", pom, err)
		}
	}
}

func TestCleanPOMRepositoriesGolden(t *testing.T) {
	pom := readTestdata(t, "pom-repos.xml")
	for _, policy := range []string{DiscardActiveReference, DiscardAnyReference} {
		got, changed := CleanPOMRepositories(pom, policy)
		if !changed {
			t.Errorf("%s: not changed", policy)
		}
		if diff := cmp.Diff(string(readTestdata(t, "pom-repos."+policy+".xml")), string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", policy, diff)
		}
	}
	// The default policy is discard_active_reference.
	got, _ := CleanPOMRepositories(pom, "")
	if !bytes.Equal(got, readTestdata(t, "pom-repos.discard_active_reference.xml")) {
		t.Errorf("policy \"\" differs from %s", DiscardActiveReference)
	}
}

func TestCleanPOMRepositories(t *testing.T) {
	for _, tt := range []struct {
		name, policy, pom, want string
		changed                 bool
	}{
		{"nothing", KeepReferences, "<project>\n  <repositories/>\n</project>\n", "<project>\n  <repositories/>\n</project>\n", false},
		{"unknown policy", "bogus", "<project><repositories/></project>", "<project><repositories/></project>", false},
		{"no references", DiscardAnyReference, "<project>\n  <artifactId>a</artifactId>\n</project>\n", "<project>\n  <artifactId>a</artifactId>\n</project>\n", false},
		{"self-closing on one line", DiscardActiveReference, "<project><a/><repositories/><b/></project>", "<project><a/><b/></project>", true},
		{"CRLF lines", DiscardActiveReference, "<project>\r\n\t<repositories>\r\n\t</repositories>\r\n\t<b/>\r\n</project>\r\n",
			"<project>\r\n\t<b/>\r\n</project>\r\n", true},
		{"text after the element stays on its line", DiscardActiveReference, "<project>\n  <repositories></repositories> <!-- x -->\n</project>",
			"<project>\n   <!-- x -->\n</project>", true},
		{"inactive profile kept", DiscardActiveReference,
			"<project><profiles><profile><activation><activeByDefault>false</activeByDefault></activation><repositories/></profile></profiles></project>",
			"<project><profiles><profile><activation><activeByDefault>false</activeByDefault></activation><repositories/></profile></profiles></project>", false},
		{"nested elements of the same name elsewhere", DiscardAnyReference,
			"<project><build><plugins><plugin><configuration><repositories/></configuration></plugin></plugins></build></project>",
			"<project><build><plugins><plugin><configuration><repositories/></configuration></plugin></plugins></build></project>", false},
		{"namespaced with prefix", DiscardAnyReference,
			`<p:project xmlns:p="http://maven.apache.org/POM/4.0.0"><p:repositories><p:repository/></p:repositories></p:project>`,
			`<p:project xmlns:p="http://maven.apache.org/POM/4.0.0"></p:project>`, true},
		{"BOM kept", DiscardAnyReference, "\xef\xbb\xbf<project><repositories/></project>", "\xef\xbb\xbf<project></project>", true},
		{"latin1 offsets", DiscardAnyReference,
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<project>\n  <name>M\xfcller \xe9t\xe9</name>\n  <repositories/>\n  <description>\xe0</description>\n</project>\n",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<project>\n  <name>M\xfcller \xe9t\xe9</name>\n  <description>\xe0</description>\n</project>\n", true},
		{"malformed", DiscardAnyReference, "<project><repositories></project>", "<project><repositories></project>", false},
		{"not a POM", DiscardAnyReference, "<settings><repositories/></settings>", "<settings><repositories/></settings>", false},
	} {
		got, changed := CleanPOMRepositories([]byte(tt.pom), tt.policy)
		if string(got) != tt.want || changed != tt.changed {
			t.Errorf("%s: CleanPOMRepositories = %q, %v; want %q, %v", tt.name, got, changed, tt.want, tt.changed)
		}
	}
}

func FuzzCleanPOMRepositories(f *testing.F) {
	f.Add(readTestdata(f, "pom-repos.xml"))
	f.Add([]byte("<project>\r\n\t<repositories>\r\n\t</repositories>\r\n</project>"))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"latin1\"?><project><name>\xff</name><pluginRepositories/></project>"))
	f.Fuzz(func(t *testing.T, pom []byte) {
		_, _, _, _, _ = POMCoordinates(pom)
		if got, changed := CleanPOMRepositories(pom, KeepReferences); changed || !bytes.Equal(got, pom) {
			t.Fatalf("policy nothing changed %q", pom)
		}
		once, changed := CleanPOMRepositories(pom, DiscardAnyReference)
		if !changed {
			if !bytes.Equal(once, pom) {
				t.Fatalf("unchanged but different: %q", pom)
			}
			return
		}
		if len(once) >= len(pom) {
			t.Fatalf("changed but not shorter: %q -> %q", pom, once)
		}
		// What is left is still well-formed and has nothing more to remove.
		if _, err := repositorySpans(once, true); err != nil {
			t.Fatalf("cleaning %q gave malformed %q: %v", pom, once, err)
		}
		if twice, changed := CleanPOMRepositories(once, DiscardAnyReference); changed {
			t.Fatalf("cleaning is not idempotent: %q -> %q -> %q", pom, once, twice)
		}
	})
}
