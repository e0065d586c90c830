// Package format defines how a package format (Maven, npm, PyPI, …) plugs into Arca's
// format-agnostic engines, and the registry that maps a repository's package type to its
// format. One package per ecosystem implements these interfaces; nothing outside a format's
// package knows its paths, versions or metadata.
package format

import (
	"context"
	"io"
	"strings"
	"time"

	"arca"
)

// Kind tells content paths (immutable artifacts, served from the first member that has them)
// from metadata paths (indexes and "latest" documents, merged across members).
type Kind int

// The kinds of path.
const (
	Content Kind = iota
	Metadata
)

// Path is what a format knows about one repository path.
type Path struct {
	Kind Kind
	// Package is the package the path belongs to ("" when none), the unit the
	// dependency-confusion guard compares across members; PackagePath is the folder that holds
	// the package in a repository (its existence in a local member is what the guard checks).
	Package     string
	PackagePath string
	// Snapshot and Release report a path of a snapshot or a release version for formats that
	// distinguish them (Maven); members that do not handle that kind are skipped. Both false:
	// the distinction does not apply (checksum files, metadata, other formats).
	Snapshot bool
	Release  bool
}

// Format is one package format.
type Format interface {
	// Name is the package type ("generic", "maven", …).
	Name() string
	// Classify describes a cleaned repository path ("" is the root).
	Classify(path string) Path
}

// Merger is implemented by formats whose metadata documents a virtual repository merges.
type Merger interface {
	// Merge combines the documents that members returned for a metadata path, given in
	// resolution order: where they conflict, the earlier one wins. It returns the merged
	// document and its media type.
	Merge(path string, docs [][]byte) (doc []byte, mediaType string, err error)
}

// Registry maps package types to formats. Types without a format of their own are served as
// generic, which treats every path as content.
type Registry struct {
	formats  map[string]Format
	fallback Format
	order    []Format
}

// NewRegistry returns a registry of the given formats; fallback serves unknown types.
func NewRegistry(fallback Format, formats ...Format) *Registry {
	r := &Registry{formats: map[string]Format{}, fallback: fallback, order: []Format{fallback}}
	for _, f := range formats {
		r.formats[strings.ToLower(f.Name())] = f
		r.order = append(r.order, f)
	}
	return r
}

// For returns the format of a package type.
func (r *Registry) For(packageType string) Format {
	if f, ok := r.formats[strings.ToLower(packageType)]; ok {
		return f
	}
	return r.fallback
}

// Document is an index document a format maintains in a local repository.
type Document struct {
	Path    string
	Content []byte
	// Delete asks for the document to be removed (nothing left to index).
	Delete bool
}

// Lister lists a local repository's folder (deep: all descendants). A missing folder is
// arca.ErrNotFound.
type Lister interface {
	List(ctx context.Context, dir string, deep bool) ([]arca.Item, error)
}

// Parts reads a local repository's items as they are stored (no assembly): what an Assembler
// builds a document from. Open's reader is the caller's to close.
type Parts interface {
	Lister
	Stat(ctx context.Context, p string) (arca.Item, error)
	Open(ctx context.Context, p string) (arca.Item, io.ReadCloser, error)
	// Read opens the content of a file item that List or Stat returned, without looking it up
	// again (a file replaced meanwhile may be gone: arca.ErrNotFound).
	Read(ctx context.Context, it arca.Item) (io.ReadCloser, error)
}

// Assembler is implemented by formats whose local repositories store a metadata document in
// parts rather than whole (npm: one record per version plus a small package record), so that a
// write costs the same however large the document has grown. When a local repository (not a
// remote's cache) has no stored item at a metadata path p, Stat and Open ask Assemble, which
// returns the document built from the parts (arca.ErrNotFound when there are none) and an item
// describing it: its size and the checksums of the returned bytes. Assemble may be called
// concurrently and keeps its own cache; doc must not be modified by the caller.
type Assembler interface {
	Assemble(ctx context.Context, parts Parts, repoKey, p string) (it arca.Item, doc []byte, err error)
}

// Indexer is implemented by formats whose local repositories keep index documents that the
// server computes (Maven's maven-metadata.xml): after a content path changed (deployed or
// deleted), Reindex returns the documents to write or delete. A client's upload of an index
// path is accepted but not stored as sent: the server's computed document is served.
type Indexer interface {
	Reindex(ctx context.Context, l Lister, changed string, now time.Time) ([]Document, error)
}

// ChecksumFile describes a checksum companion path ("x.jar.sha1").
type ChecksumFile struct {
	Of        string // the path whose checksum it is
	Algorithm string // "sha1", "md5", "sha256" or "sha512"
}

// ChecksumFiles is implemented by formats whose clients upload checksum files next to each
// artifact (Maven). Such uploads are checked against the stored artifact instead of being
// stored, and GETs of them are answered from the artifact's checksums.
type ChecksumFiles interface {
	ChecksumFile(path string) (ChecksumFile, bool)
}

// DeployChecker is implemented by formats that validate deployed content: Check sees the whole
// body of paths for which Inspect is true (small files such as POMs, unless the repository's
// settings switch the check off) and returns an error wrapping arca.ErrInvalid or
// arca.ErrConflict to refuse the deploy.
type DeployChecker interface {
	Inspect(s Settings, path string) bool
	Check(path string, content []byte) error
}

// VirtualFilter is implemented by formats that rewrite some content served through a virtual
// repository (Maven removes repository references from POMs). Filters selects the paths whose
// content is read into memory for it; Filter returns the content to serve, per the virtual's
// settings.
type VirtualFilter interface {
	Filters(path string) bool
	Filter(path string, s Settings, content []byte) []byte
}

// Pruner is implemented by formats whose local repositories keep a bounded number of builds
// (Maven's maxUniqueSnapshots): after a deploy of changed, Prune returns the paths to delete so
// that no more builds remain than the repository's settings keep.
type Pruner interface {
	Prune(ctx context.Context, l Lister, s Settings, changed string) ([]string, error)
}

// Renamer is implemented by formats that store a deployed file under another name than the
// client sent, per a repository setting (Maven's snapshotVersionBehavior). DeployPath returns the
// path to store p at; it is called before any other deploy rule.
type Renamer interface {
	DeployPath(ctx context.Context, l Lister, s Settings, p string, now time.Time) (string, error)
}

// Digests are the checksums a metadata document declares for a content file ("" when it
// declares none): hex SHA-1 and hex SHA-512.
type Digests struct {
	SHA1   string
	SHA512 string
}

// Declarer is implemented by formats whose metadata documents declare the checksums of content
// files (npm's packuments: dist.shasum and dist.integrity). A remote repository verifies a
// fetched file against the declaration of the cached document, and never stores a file that
// does not match.
type Declarer interface {
	// DeclaredIn returns the metadata path that declares content path p's checksums.
	DeclaredIn(p string) (doc string, ok bool)
	// Declared returns p's checksums as doc declares them (zero when it does not mention p).
	Declared(p string, doc []byte) Digests
}

// Upstream is implemented by formats whose storage paths differ from the paths their
// registries serve (npm keeps a packument at ".npm/<name>/package.json"; registries serve it
// at "<name>"). A remote repository asks its upstream for UpstreamPath(p).
type Upstream interface {
	UpstreamPath(p string) string
}

// Formats returns every registered format (the fallback included), in registration order:
// the server mounts the native protocols and routes they declare.
func (r *Registry) Formats() []Format { return r.order }

// CoordinateSearcher is implemented by formats whose layout answers Artifactory's GAVC search
// (/api/search/gavc: groupId, artifactId, version, classifier — Maven's): it turns the
// coordinates (any may be empty, meaning any) into AQL wildcard patterns for an item's folder
// path and file name.
type CoordinateSearcher interface {
	CoordinatePatterns(group, artifact, version, classifier string) (path, name string)
}

// CoordinateSearcher returns the first registered format that answers coordinate searches.
func (r *Registry) CoordinateSearcher() (CoordinateSearcher, bool) {
	for _, f := range r.order {
		if cs, ok := f.(CoordinateSearcher); ok {
			return cs, true
		}
	}
	return nil, false
}
