package maven

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"
	"time"

	"arca"
	"arca/internal/format"
)

// The optional hooks the repository layer uses for Maven-layout local repositories.
var (
	_ format.Indexer       = Format{}
	_ format.ChecksumFiles = Format{}
	_ format.DeployChecker = Format{}
)

// ChecksumFile implements format.ChecksumFiles: "x.jar.sha1" (and .md5, .sha256, .sha512) is
// the checksum of "x.jar". Checksums of maven-metadata.xml are included: they describe the
// computed document.
func (Format) ChecksumFile(p string) (format.ChecksumFile, bool) {
	ext, subject := ChecksumExt(path.Base(p))
	if ext == "" {
		return format.ChecksumFile{}, false
	}
	return format.ChecksumFile{Of: path.Join(path.Dir(p), subject), Algorithm: ext}, true
}

// Inspect implements format.DeployChecker: POMs are checked, unless the repository sets
// suppressPomConsistencyChecks.
func (f Format) Inspect(s format.Settings, p string) bool {
	return isPOM(p) && !format.SettingBool(s, "suppressPomConsistencyChecks", false)
}

// isPOM reports a POM in the layout (not its checksum files).
func isPOM(p string) bool {
	c, ok := ParsePath(p)
	return ok && c.ChecksumOf == "" && c.Extension == "pom"
}

// Check implements format.DeployChecker: a POM whose groupId, artifactId or version does not
// match its path is refused (suppressPomConsistencyChecks switches this off). Values that use
// properties (${…}) are not compared.
func (Format) Check(p string, content []byte) error {
	c, ok := ParsePath(p)
	if !ok {
		return nil
	}
	g, a, v, _, err := POMCoordinates(content)
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "'%s' is not a valid POM: %v", p, err)
	}
	mismatch := func(field, inPOM, inPath string) error {
		if inPOM == "" || strings.Contains(inPOM, "${") || inPOM == inPath {
			return nil
		}
		return arca.Errorf(arca.ErrConflict,
			"the POM's %s '%s' does not match the deployment path '%s' (%s '%s'); set suppressPomConsistencyChecks to deploy it anyway",
			field, inPOM, p, field, inPath)
	}
	return errors.Join(mismatch("groupId", g, c.GroupID), mismatch("artifactId", a, c.ArtifactID), mismatch("version", v, c.Version))
}

// Reindex implements format.Indexer: after a change under an artifact (a file deployed or
// deleted, or a client's upload of maven-metadata.xml), the artifact-level maven-metadata.xml
// is rebuilt from the version folders present, and for a SNAPSHOT version the version-level
// one from its files. Documents with nothing left to describe are deleted.
func (Format) Reindex(ctx context.Context, l format.Lister, changed string, now time.Time) ([]format.Document, error) {
	artifactDir, versionDir := indexDirs(changed)
	if artifactDir == "" {
		return nil, nil
	}
	group, artifact := coordinatesOfDir(artifactDir)
	if group == "" {
		return nil, nil
	}
	var docs []format.Document
	children, err := l.List(ctx, artifactDir, false)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return nil, err
	}
	var versions []string
	for _, it := range children {
		if it.Folder && looksLikeVersion(path.Base(it.Path)) {
			versions = append(versions, path.Base(it.Path))
		}
	}
	artifactDoc := path.Join(artifactDir, MetadataName)
	if len(versions) == 0 {
		docs = append(docs, format.Document{Path: artifactDoc, Delete: true})
	} else {
		docs = append(docs, format.Document{Path: artifactDoc, Content: ArtifactMetadata(group, artifact, versions, now).Marshal()})
	}
	if versionDir != "" && IsSnapshot(path.Base(versionDir)) {
		doc, err := snapshotDocument(ctx, l, group, artifact, versionDir, now)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

// snapshotDocument builds (or deletes) the version-level metadata of a SNAPSHOT version.
func snapshotDocument(ctx context.Context, l format.Lister, group, artifact, versionDir string, now time.Time) (format.Document, error) {
	doc := format.Document{Path: path.Join(versionDir, MetadataName)}
	items, err := l.List(ctx, versionDir, false)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return doc, err
	}
	var files []SnapshotFile
	for _, it := range items {
		name := path.Base(it.Path)
		if it.Folder || name == MetadataName {
			continue
		}
		if ext, _ := ChecksumExt(name); ext != "" {
			continue
		}
		files = append(files, SnapshotFile{Name: name, Updated: it.Modified})
	}
	if len(files) == 0 {
		doc.Delete = true
		return doc, nil
	}
	doc.Content = SnapshotMetadata(group, artifact, path.Base(versionDir), files, now).Marshal()
	return doc, nil
}

// indexDirs returns the artifact folder (g/a) and the version folder (g/a/v, "" when the path is
// not in one) that a changed path belongs to.
func indexDirs(p string) (artifactDir, versionDir string) {
	if _, subject := ChecksumExt(path.Base(p)); subject != "" {
		p = path.Join(path.Dir(p), subject)
	}
	if path.Base(p) == MetadataName {
		dir := path.Dir(p)
		if looksLikeVersion(path.Base(dir)) {
			return path.Dir(dir), dir
		}
		return dir, ""
	}
	c, ok := ParsePath(p)
	if !ok {
		return "", ""
	}
	artifactDir = strings.ReplaceAll(c.GroupID, ".", "/") + "/" + c.ArtifactID
	return artifactDir, artifactDir + "/" + c.Version
}

// coordinatesOfDir reads groupId and artifactId from an artifact folder "g/r/o/u/p/artifact".
func coordinatesOfDir(dir string) (group, artifact string) {
	i := strings.LastIndexByte(dir, '/')
	if i <= 0 {
		return "", ""
	}
	return strings.ReplaceAll(dir[:i], "/", "."), dir[i+1:]
}

// looksLikeVersion reports a folder name that is a version: it starts with a digit, or is a
// SNAPSHOT version.
func looksLikeVersion(name string) bool {
	return name != "" && (name[0] >= '0' && name[0] <= '9' || IsSnapshot(name))
}

var _ format.VirtualFilter = Format{}

// Filters implements format.VirtualFilter: POMs.
func (Format) Filters(p string) bool { return isPOM(p) }

// Filter implements format.VirtualFilter: pomRepositoryReferencesCleanupPolicy
// (discard_active_reference by default, discard_any_reference, nothing).
func (Format) Filter(_ string, s format.Settings, content []byte) []byte {
	policy := format.SettingString(s, "pomRepositoryReferencesCleanupPolicy")
	if policy == "" {
		policy = DiscardActiveReference
	}
	out, _ := CleanPOMRepositories(content, policy)
	return out
}

var _ format.Pruner = Format{}

// Prune implements format.Pruner for maxUniqueSnapshots: when changed is a unique snapshot
// file, the files of the oldest builds of its version (by timestamp, then build number) beyond
// keep (the repository's maxUniqueSnapshots; 0 keeps all) are returned, checksum companions
// included. Non-unique files are never pruned.
func (Format) Prune(ctx context.Context, l format.Lister, s format.Settings, changed string) ([]string, error) {
	keep := format.SettingInt(s, "maxUniqueSnapshots", 0)
	c, ok := ParsePath(changed)
	if !ok || !c.Snapshot || c.Timestamp == "" || keep <= 0 {
		return nil, nil
	}
	dir := path.Dir(changed)
	items, err := l.List(ctx, dir, false)
	if err != nil {
		return nil, err
	}
	type build struct {
		timestamp string
		number    int
	}
	files := map[build][]string{}
	for _, it := range items {
		if it.Folder {
			continue
		}
		fc, ok := ParsePath(it.Path)
		if !ok || fc.Timestamp == "" {
			continue
		}
		b := build{fc.Timestamp, fc.BuildNumber}
		files[b] = append(files[b], it.Path)
	}
	builds := make([]build, 0, len(files))
	for b := range files {
		builds = append(builds, b)
	}
	sort.Slice(builds, func(i, j int) bool {
		if builds[i].timestamp != builds[j].timestamp {
			return builds[i].timestamp > builds[j].timestamp
		}
		return builds[i].number > builds[j].number
	})
	var out []string
	for _, b := range builds[min(keep, len(builds)):] {
		out = append(out, files[b]...)
	}
	sort.Strings(out)
	return out, nil
}
