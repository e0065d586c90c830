package npm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"arca"
	"arca/internal/format"
)

// How a local repository stores a package, so that publishing version N costs what publishing
// version 1 did.
//
// A packument stored whole ("<name>/package.json") must be read, parsed, re-encoded, hashed and
// written again by every publish: the cost of a publish grew with the number of versions (and
// every publish left a stale copy of the whole document for garbage collection). So a package
// is stored as records instead:
//
//	<name>/.npm/package.json          the package record: dist-tags, created/modified, and the
//	                                  top-level fields (readme, maintainers, …): a packument
//	                                  without versions
//	<name>/.npm/versions/<v>.json     one record per version: {"version", "time", "manifest"}
//
// A publish reads the package record and checks its new versions' records for existence, then
// writes the tarballs, the new versions' records, and the package record last; nothing it does
// depends on how many versions the package has. Every write changes the package record (its
// "modified" time at least), and every change of a version record happens before it (deletes
// too), so whoever reads the package record after a write and then lists the version records
// sees that write complete.
//
// Readers are unchanged: a local repository has no item at "<name>/package.json" for such a
// package, so it asks the format (format.Assembler, see assemble.go), which builds the
// packument from the records and caches it by the package record's checksum. Virtual merges,
// plain downloads of the path and the npm API all read the assembled document.
//
// Packages stored whole before keep being served as they are; the first write to one migrates
// it: the records are written, then the whole document is deleted (one write whose cost grows
// with the versions, once). Remote repositories' caches keep upstream packuments whole.
//
// Include/exclude patterns of a repository must let the ".npm/" records through for writes to
// succeed (patterns such as "@acme/**" do).

// recordPath is the storage path of a package's record.
func recordPath(name string) string { return name + "/.npm/package.json" }

// versionsDir is the folder of a package's version records.
func versionsDir(name string) string { return name + "/.npm/versions" }

// versionPath is the storage path of version v's record; ok is false for a version that cannot
// be a path segment (never one Publish accepts; possible in documents stored whole before).
func versionPath(name, v string) (string, bool) {
	if v == "" || v == "." || v == ".." {
		return "", false
	}
	return versionsDir(name) + "/" + url.PathEscape(v) + ".json", true
}

// versionRecord is the stored form of one version.
type versionRecord struct {
	Version  string          `json:"version"`
	Time     string          `json:"time,omitempty"`
	Manifest json.RawMessage `json:"manifest"`
}

// parseVersionRecord decodes a version record; a malformed one is arca.ErrInvalid.
func parseVersionRecord(b []byte) (versionRecord, error) {
	var r versionRecord
	if err := json.Unmarshal(b, &r); err != nil || r.Version == "" || len(r.Manifest) == 0 {
		return versionRecord{}, arca.Errorf(arca.ErrInvalid, "malformed version record")
	}
	return r, nil
}

// pkgState is what a write read of a package: its packument with the versions loaded
// (all of them when full), and how it is stored.
type pkgState struct {
	doc    *Packument // nil: no such package
	legacy bool       // stored whole at DocPath (doc holds every version)
	full   bool       // doc holds every version
}

// readSmall reads a stored file of repository t (ErrNotFound when missing).
func readSmall(ctx context.Context, t format.Repository, p string) ([]byte, error) {
	_, f, err := t.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, arca.Errorf(arca.ErrNotFound, "'%s' is a folder", p)
	}
	return readPackument(f, p)
}

// loadPackage reads package name of local repository t for a write: the package record and the
// records of the versions named (all versions when all is set). A package stored whole is read
// whole. A missing package has a nil doc.
func loadPackage(ctx context.Context, t format.Repository, name string, all bool, versions ...string) (pkgState, error) {
	rec, err := readSmall(ctx, t, recordPath(name))
	if errors.Is(err, arca.ErrNotFound) {
		doc, err := readSmall(ctx, t, DocPath(name)) // no record: stored whole, or missing
		if errors.Is(err, arca.ErrNotFound) {
			return pkgState{}, nil
		}
		if err != nil {
			return pkgState{}, err
		}
		p, err := ParsePackument(doc)
		return pkgState{doc: p, legacy: true, full: true}, err
	}
	if err != nil {
		return pkgState{}, err
	}
	p, err := ParsePackument(rec)
	if err != nil {
		return pkgState{}, err
	}
	p.Name = name
	if all {
		items, err := t.List(ctx, versionsDir(name), false)
		if err != nil && !errors.Is(err, arca.ErrNotFound) {
			return pkgState{}, err
		}
		for _, it := range items {
			if !it.Folder && strings.HasSuffix(it.Path, ".json") {
				if err := loadVersion(ctx, t, p, it.Path); err != nil {
					return pkgState{}, err
				}
			}
		}
		return pkgState{doc: p, full: true}, nil
	}
	for _, v := range versions {
		if vp, ok := versionPath(name, v); ok {
			if err := loadVersion(ctx, t, p, vp); err != nil && !errors.Is(err, arca.ErrNotFound) {
				return pkgState{}, err
			}
		}
	}
	return pkgState{doc: p}, nil
}

// loadVersion adds the version whose record is at vp to p.
func loadVersion(ctx context.Context, t format.Repository, p *Packument, vp string) error {
	b, err := readSmall(ctx, t, vp)
	if err != nil {
		return err
	}
	r, err := parseVersionRecord(b)
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "%s: %v", vp, err)
	}
	p.Versions[r.Version] = r.Manifest
	if r.Time != "" {
		p.Time[r.Version] = r.Time
	}
	return nil
}

// savePackage stores next, the package as a write left it, given st, what the write read:
// the records of versions added or changed, the deletion of the records of versions removed
// (known only when st is full), and the package record last. A package stored whole is
// migrated: its whole document is deleted once the records are written. When st is full and next has no version left, the package's folder is deleted.
// It returns the package record written (nil when the folder was deleted).
func savePackage(ctx context.Context, t format.Repository, st pkgState, next *Packument, by string) ([]byte, error) {
	if st.full && len(next.Versions) == 0 {
		return nil, t.Delete(ctx, next.Name)
	}
	var prev *Packument
	if st.doc != nil && !st.legacy {
		prev = st.doc
	}
	put := func(p string, b []byte) error {
		_, err := t.Put(ctx, p, bytes.NewReader(b), format.PutOptions{By: by})
		return err
	}
	for v, m := range next.Versions {
		vp, ok := versionPath(next.Name, v)
		if !ok {
			return nil, arca.Errorf(arca.ErrInvalid, "version '%s' of '%s' cannot be stored", v, next.Name)
		}
		if prev != nil && bytes.Equal(prev.Versions[v], m) && prev.Time[v] == next.Time[v] {
			if _, had := prev.Versions[v]; had {
				continue
			}
		}
		if err := put(vp, marshal(versionRecord{Version: v, Time: next.Time[v], Manifest: m})); err != nil {
			return nil, err
		}
	}
	if prev != nil {
		for v := range prev.Versions {
			if _, ok := next.Versions[v]; ok {
				continue
			}
			vp, _ := versionPath(next.Name, v)
			if err := t.Delete(ctx, vp); err != nil && !errors.Is(err, arca.ErrNotFound) {
				return nil, err
			}
		}
	}
	rec := next.record()
	if err := put(recordPath(next.Name), rec); err != nil {
		return nil, err
	}
	// The whole document of a migrated package goes, and so does one deployed to that path
	// since (it would hide the records).
	if err := t.Delete(ctx, DocPath(next.Name)); err != nil && !errors.Is(err, arca.ErrNotFound) {
		return nil, err
	}
	return rec, nil
}

// record encodes the package record: the packument without its versions and their times.
func (p *Packument) record() []byte {
	r := &Packument{Name: p.Name, DistTags: p.DistTags, Versions: map[string]json.RawMessage{}, Time: map[string]string{}, Extra: p.Extra}
	for k, v := range p.Time {
		if _, ok := p.Versions[k]; !ok && (k == "created" || k == "modified" || !ParseVersion(k).Valid()) {
			r.Time[k] = v
		}
	}
	return r.Marshal()
}
