package maven

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"arca"
	"arca/internal/format"
)

// listing is a format.Lister over a set of file paths (folders are implied).
type listing []string

func (l listing) List(_ context.Context, dir string, _ bool) ([]arca.Item, error) {
	seen := map[string]arca.Item{}
	for _, p := range l {
		rest, ok := strings.CutPrefix(p, dir+"/")
		if !ok {
			continue
		}
		name, _, more := strings.Cut(rest, "/")
		seen[name] = arca.Item{Path: path.Join(dir, name), Folder: more, Modified: time.Unix(1_700_000_000, 0)}
	}
	if len(seen) == 0 {
		return nil, arca.Errorf(arca.ErrNotFound, "%s not found", dir)
	}
	var out []arca.Item
	for _, it := range seen {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func TestReindex(t *testing.T) {
	now := time.Date(2026, 11, 21, 5, 29, 21, 0, time.UTC)
	repo := listing{
		"com/acme/app/1.0/app-1.0.jar",
		"com/acme/app/1.0/app-1.0.pom",
		"com/acme/app/1.1-SNAPSHOT/app-1.1-20261121.052921-1.jar",
		"com/acme/app/1.1-SNAPSHOT/app-1.1-20261121.052921-1.pom",
		"com/acme/app/1.1-SNAPSHOT/app-1.1-20261121.060000-2.jar",
		"com/acme/app/maven-metadata.xml",
		"com/acme/app/0.9/app-0.9.jar",
	}
	docs, err := Format{}.Reindex(context.Background(), repo, "com/acme/app/1.1-SNAPSHOT/app-1.1-20261121.060000-2.jar", now)
	if err != nil || len(docs) != 2 {
		t.Fatalf("Reindex = %d docs, %v", len(docs), err)
	}
	art, err := ParseMetadata(docs[0].Content)
	if err != nil || docs[0].Path != "com/acme/app/maven-metadata.xml" {
		t.Fatalf("artifact doc %s: %v", docs[0].Path, err)
	}
	v := art.Versioning
	if strings.Join(v.Versions, ",") != "0.9,1.0,1.1-SNAPSHOT" || v.Latest != "1.1-SNAPSHOT" || v.Release != "1.0" || v.LastUpdated != "20261121052921" {
		t.Errorf("artifact metadata: %+v", v)
	}
	snap, err := ParseMetadata(docs[1].Content)
	if err != nil || docs[1].Path != "com/acme/app/1.1-SNAPSHOT/maven-metadata.xml" {
		t.Fatalf("snapshot doc %s: %v", docs[1].Path, err)
	}
	if s := snap.Versioning.Snapshot; s == nil || s.Timestamp != "20261121.060000" || s.BuildNumber != 2 {
		t.Errorf("snapshot: %+v", snap.Versioning.Snapshot)
	}

	// Everything gone: the documents are deleted.
	docs, err = Format{}.Reindex(context.Background(), listing{}, "com/acme/app/1.0/app-1.0.jar", now)
	if err != nil || len(docs) != 1 || !docs[0].Delete {
		t.Errorf("Reindex of an empty artifact = %+v, %v", docs, err)
	}
	// A client's upload of the metadata reindexes its artifact; paths outside the layout nothing.
	if docs, _ := (Format{}).Reindex(context.Background(), repo, "com/acme/app/maven-metadata.xml", now); len(docs) != 1 {
		t.Errorf("Reindex(metadata) = %d docs", len(docs))
	}
	if docs, _ := (Format{}).Reindex(context.Background(), repo, "readme.txt", now); len(docs) != 0 {
		t.Errorf("Reindex(readme.txt) = %d docs", len(docs))
	}
}

func TestChecksumFile(t *testing.T) {
	tests := []struct {
		path, of, alg string
		ok            bool
	}{
		{"com/acme/app/1.0/app-1.0.jar.sha1", "com/acme/app/1.0/app-1.0.jar", "sha1", true},
		{"com/acme/app/maven-metadata.xml.sha512", "com/acme/app/maven-metadata.xml", "sha512", true},
		{"com/acme/app/1.0/app-1.0.jar.asc", "", "", false},
		{"com/acme/app/1.0/app-1.0.jar", "", "", false},
	}
	for _, tt := range tests {
		c, ok := Format{}.ChecksumFile(tt.path)
		if ok != tt.ok || c != (format.ChecksumFile{Of: tt.of, Algorithm: tt.alg}) {
			t.Errorf("ChecksumFile(%q) = %+v, %v", tt.path, c, ok)
		}
	}
}

func TestPOMConsistency(t *testing.T) {
	pom := func(g, a, v string) []byte {
		return []byte(`<project><modelVersion>4.0.0</modelVersion><groupId>` + g + `</groupId><artifactId>` + a + `</artifactId><version>` + v + `</version></project>`)
	}
	p := "com/acme/app/1.0/app-1.0.pom"
	if !(Format{}).Inspect(nil, p) || (Format{}).Inspect(nil, "com/acme/app/1.0/app-1.0.jar") || (Format{}).Inspect(nil, p+".sha1") {
		t.Error("Inspect must select POMs only")
	}
	if (Format{}).Inspect(settings{"suppressPomConsistencyChecks": true}, p) {
		t.Error("suppressPomConsistencyChecks must switch the check off")
	}
	tests := []struct {
		name string
		pom  []byte
		want error
	}{
		{"matching", pom("com.acme", "app", "1.0"), nil},
		{"other group", pom("org.evil", "app", "1.0"), arca.ErrConflict},
		{"other version", pom("com.acme", "app", "2.0"), arca.ErrConflict},
		{"property version", pom("com.acme", "app", "${revision}"), nil},
		{"not xml", []byte("<project"), arca.ErrInvalid},
	}
	for _, tt := range tests {
		err := Format{}.Check(p, tt.pom)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: Check = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestPrune(t *testing.T) {
	dir := "com/acme/app/1.1-SNAPSHOT/"
	repo := listing{
		dir + "app-1.1-20261121.052921-1.jar", dir + "app-1.1-20261121.052921-1.pom",
		dir + "app-1.1-20261121.060000-2.jar", dir + "app-1.1-20261121.060000-2.pom",
		dir + "app-1.1-20261122.010000-3.jar",
		dir + "app-1.1-SNAPSHOT.jar", // non-unique: never pruned
		dir + "maven-metadata.xml",
	}
	got, err := Format{}.Prune(context.Background(), repo, settings{"maxUniqueSnapshots": 2}, dir+"app-1.1-20261122.010000-3.jar")
	want := []string{dir + "app-1.1-20261121.052921-1.jar", dir + "app-1.1-20261121.052921-1.pom"}
	if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Prune(keep 2) = %v, %v; want %v", got, err, want)
	}
	if got, _ := (Format{}).Prune(context.Background(), repo, settings{"maxUniqueSnapshots": 5}, dir+"app-1.1-20261122.010000-3.jar"); len(got) != 0 {
		t.Errorf("Prune(keep 5) = %v", got)
	}
	if got, _ := (Format{}).Prune(context.Background(), repo, settings{"maxUniqueSnapshots": 1}, "com/acme/app/1.0/app-1.0.jar"); len(got) != 0 {
		t.Errorf("Prune of a release = %v", got)
	}
	if got, _ := (Format{}).Prune(context.Background(), repo, nil, dir+"app-1.1-20261122.010000-3.jar"); len(got) != 0 {
		t.Errorf("Prune without maxUniqueSnapshots = %v", got)
	}
}

func TestDeployPathBySnapshotVersionBehavior(t *testing.T) {
	now := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	dir := "com/acme/app/1.0-SNAPSHOT/"
	recent := listing{dir + "app-1.0-20261121.055959-4.jar"} // created "now" by the listing's clock? see below
	tests := []struct {
		name, behavior, in, want string
		l                        listing
	}{
		{"deployer keeps unique", "deployer", dir + "app-1.0-20261121.052921-1.jar", dir + "app-1.0-20261121.052921-1.jar", nil},
		{"deployer keeps non-unique", "deployer", dir + "app-1.0-SNAPSHOT.jar", dir + "app-1.0-SNAPSHOT.jar", nil},
		{"non-unique converts", "non-unique", dir + "app-1.0-20261121.052921-1-sources.jar", dir + "app-1.0-SNAPSHOT-sources.jar", nil},
		{"non-unique converts checksums", "non-unique", dir + "app-1.0-20261121.052921-1.jar.sha1", dir + "app-1.0-SNAPSHOT.jar.sha1", nil},
		{"unique keeps unique", "unique", dir + "app-1.0-20261121.052921-1.jar", dir + "app-1.0-20261121.052921-1.jar", nil},
		{"unique starts build 1", "unique", dir + "app-1.0-SNAPSHOT.jar", dir + "app-1.0-20261121.060000-1.jar", nil},
		{"default is unique", "", dir + "app-1.0-SNAPSHOT.pom", dir + "app-1.0-20261121.060000-1.pom", nil},
		{"old build: a new one", "unique", dir + "app-1.0-SNAPSHOT.pom", dir + "app-1.0-20261121.060000-5.pom", recent},
		{"releases untouched", "non-unique", "com/acme/app/1.0/app-1.0.jar", "com/acme/app/1.0/app-1.0.jar", nil},
	}
	for _, tt := range tests {
		got, err := Format{}.DeployPath(context.Background(), tt.l, settings{"snapshotVersionBehavior": tt.behavior}, tt.in, now)
		if err != nil || got != tt.want {
			t.Errorf("%s: DeployPath(%q) = %q, %v; want %q", tt.name, tt.in, got, err, tt.want)
		}
	}
}

// settings is a repository configuration for the hooks, field name to value.
type settings map[string]any

func (s settings) Field(name string) (json.RawMessage, bool) {
	v, ok := s[name]
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(v)
	return b, err == nil
}
