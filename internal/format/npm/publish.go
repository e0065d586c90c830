package npm

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"arca"
)

// Tarball is a tarball carried by a publish, verified against the manifest of its version.
type Tarball struct {
	Version string
	File    string // storage file name (TarballPath(name, File))
	Data    []byte
	SHA1    string // hex
	SHA512  string // hex
}

// publishDoc is the body of `npm publish`: a packument with the new versions and their
// tarballs as base64 attachments.
type publishDoc struct {
	Name        string                     `json:"name"`
	DistTags    map[string]string          `json:"dist-tags"`
	Versions    map[string]json.RawMessage `json:"versions"`
	Attachments map[string]struct {
		Data   string `json:"data"`
		Length *int64 `json:"length"`
	} `json:"_attachments"`
}

// IsPublish reports whether an update body carries tarballs (a publish) rather than being a
// whole-document update (deprecate, unpublish of versions).
func IsPublish(body []byte) bool {
	var d struct {
		Attachments map[string]json.RawMessage `json:"_attachments"`
	}
	return json.Unmarshal(body, &d) == nil && len(d.Attachments) > 0
}

// Publish applies `npm publish`'s body to the package named name (cur is its packument, nil
// when the package is new) and returns the new packument and the tarballs to store. cur need
// hold only the versions the body publishes or tags (those that exist): a publish reads no
// other version, so its cost does not depend on how many the package has. Publishing
// a version that exists is arca.ErrConflict; a body whose tarball is missing, malformed, of the
// wrong length or whose checksums differ from its manifest's dist is arca.ErrInvalid.
//
// by, the publishing user, becomes each new version's "_npmUser" and, for a new package, its
// maintainer, as the npm registry records them.
func Publish(cur *Packument, name string, body []byte, by string, now time.Time) (*Packument, []Tarball, error) {
	var d publishDoc
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, nil, arca.Errorf(arca.ErrInvalid, "malformed publish document: %v", err)
	}
	if d.Name != name {
		return nil, nil, arca.Errorf(arca.ErrInvalid, "the document's name '%s' is not the package's name '%s'", d.Name, name)
	}
	if len(d.Versions) == 0 {
		return nil, nil, arca.Errorf(arca.ErrInvalid, "the publish document has no version")
	}
	next := cur.clone(name)
	var taken []string
	for v := range d.Versions {
		if _, ok := next.Versions[v]; ok {
			taken = append(taken, v)
		}
	}
	if len(taken) > 0 {
		slices.SortFunc(taken, Compare)
		return nil, nil, arca.Errorf(arca.ErrConflict, "cannot publish over the previously published version %s of '%s'", strings.Join(taken, ", "), name)
	}
	stamp := FormatTime(now)
	var tarballs []Tarball
	for v, m := range d.Versions {
		if pv := ParseVersion(v); !pv.Valid() || pv.String() != v {
			// Only the canonical spelling: "v1.0.0" or "1.0.0+build" would publish 1.0.0 again.
			return nil, nil, arca.Errorf(arca.ErrInvalid, "invalid version '%s': not a canonical semantic version (MAJOR.MINOR.PATCH[-prerelease])", v)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(m, &fields); err != nil || fields == nil {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "malformed manifest of version %s", v)
		}
		var mv, mn string
		_ = json.Unmarshal(fields["version"], &mv)
		_ = json.Unmarshal(fields["name"], &mn)
		if mv != v || mn != name {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "the manifest of %s@%s names %s@%s", name, v, mn, mv)
		}
		cur := manifestDist(m)
		// The stored name is always npm pack's, so versions never share a tarball file,
		// whatever dist.tarball the client sent. npm names a scoped package's attachment
		// "@scope/x-1.0.0.tgz"; other clients send the file name or their tarball URL's.
		file := TarballFile(name, v)
		att, ok := d.Attachments[file]
		if scope, _, scoped := strings.Cut(name, "/"); !ok && scoped {
			att, ok = d.Attachments[scope+"/"+file]
		}
		if !ok {
			att, ok = d.Attachments[next.tarballFile(v, cur)]
		}
		if !ok && len(d.Versions) == 1 && len(d.Attachments) == 1 {
			for _, only := range d.Attachments {
				att, ok = only, true
			}
		}
		if !ok {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "the publish document has no attachment '%s' for version %s", file, v)
		}
		data, err := base64.StdEncoding.DecodeString(att.Data)
		if err != nil {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "attachment '%s' is not valid base64: %v", file, err)
		}
		if att.Length != nil && *att.Length != int64(len(data)) {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "attachment '%s' has %d bytes, its length says %d", file, len(data), *att.Length)
		}
		s1, s512 := sha1.Sum(data), sha512.Sum512(data)
		tb := Tarball{Version: v, File: file, Data: data, SHA1: hex.EncodeToString(s1[:]), SHA512: hex.EncodeToString(s512[:])}
		if cur.Shasum != "" && !strings.EqualFold(cur.Shasum, tb.SHA1) {
			return nil, nil, arca.Errorf(arca.ErrChecksum, "tarball '%s': SHA-1 %s, its manifest says %s", file, tb.SHA1, cur.Shasum)
		}
		if want := IntegritySHA512(cur.Integrity); want != "" && want != tb.SHA512 {
			return nil, nil, arca.Errorf(arca.ErrChecksum, "tarball '%s': its SHA-512 integrity differs from the manifest's", file)
		}
		var dm map[string]json.RawMessage
		_ = json.Unmarshal(fields["dist"], &dm)
		if dm == nil {
			dm = map[string]json.RawMessage{}
		}
		dm["shasum"], dm["integrity"], dm["tarball"] = marshal(tb.SHA1), marshal(Integrity(tb.SHA512)), marshal(TarballPath(name, file))
		fields["dist"] = marshal(dm)
		if by != "" {
			fields["_npmUser"] = marshal(map[string]string{"name": by}) // who published, not who the client says
		}
		next.Versions[v] = marshal(fields)
		next.Time[v] = stamp
		tarballs = append(tarballs, tb)
	}
	for tag, v := range d.DistTags {
		if err := ValidTag(tag); err != nil {
			return nil, nil, err
		}
		if _, ok := next.Versions[v]; !ok {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "dist-tag '%s' names version %s, which is not in the package", tag, v)
		}
		next.DistTags[tag] = v
	}
	if _, ok := next.DistTags["latest"]; !ok {
		// The registry always has a latest (npm publish --tag beta of a new package sets both).
		next.DistTags["latest"] = Latest(slices.Collect(maps.Keys(next.Versions)))
	}
	// Top-level fields describe the package as of its newest publish.
	var top map[string]json.RawMessage
	_ = json.Unmarshal(body, &top)
	for k, v := range top {
		switch k {
		case "_id", "_rev", "_attachments", "name", "versions", "dist-tags", "time", "access":
		default:
			next.Extra[k] = v
		}
	}
	if _, ok := next.Extra["maintainers"]; !ok && by != "" {
		next.Extra["maintainers"] = marshal([]map[string]string{{"name": by}})
	}
	if next.Time["created"] == "" {
		next.Time["created"] = stamp
	}
	next.Time["modified"] = stamp
	slices.SortFunc(tarballs, func(a, b Tarball) int { return Compare(a.Version, b.Version) })
	return next, tarballs, nil
}

// Update applies a whole-document update (`npm deprecate`, `npm unpublish pkg@version`): the
// body is the packument as the client wants it. Versions missing from it are removed (their
// versions are returned, for their tarballs to be deleted), each remaining version takes the
// body's "deprecated" (manifests are otherwise immutable), and dist-tags are the body's, minus
// those naming removed versions. A version in the body that the package does not have is
// arca.ErrInvalid (new versions come with a publish).
func Update(cur *Packument, body []byte, now time.Time) (*Packument, []string, error) {
	var d publishDoc
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, nil, arca.Errorf(arca.ErrInvalid, "malformed package document: %v", err)
	}
	if d.Name != "" && d.Name != cur.Name {
		return nil, nil, arca.Errorf(arca.ErrInvalid, "the document's name '%s' is not the package's name '%s'", d.Name, cur.Name)
	}
	next := cur.clone(cur.Name)
	for v := range d.Versions {
		if _, ok := cur.Versions[v]; !ok {
			return nil, nil, arca.Errorf(arca.ErrInvalid, "version %s of '%s' does not exist: publish it with its tarball", v, cur.Name)
		}
	}
	var removed []string
	for v, m := range cur.Versions {
		sent, ok := d.Versions[v]
		if !ok {
			removed = append(removed, v)
			delete(next.Versions, v)
			delete(next.Time, v)
			continue
		}
		next.Versions[v] = withDeprecated(m, sent)
	}
	slices.SortFunc(removed, Compare)
	if d.DistTags != nil {
		next.DistTags = map[string]string{}
		for tag, v := range d.DistTags {
			if err := ValidTag(tag); err != nil {
				return nil, nil, err
			}
			next.DistTags[tag] = v
		}
	}
	for tag, v := range next.DistTags {
		if _, ok := next.Versions[v]; !ok {
			delete(next.DistTags, tag)
		}
	}
	if _, ok := next.DistTags["latest"]; !ok && len(next.Versions) > 0 {
		next.DistTags["latest"] = Latest(slices.Collect(maps.Keys(next.Versions)))
	}
	next.Time["modified"] = FormatTime(now)
	return next, removed, nil
}

// withDeprecated returns manifest stored with the "deprecated" field of sent (set, changed or
// removed).
func withDeprecated(stored, sent json.RawMessage) json.RawMessage {
	var s struct {
		Deprecated *string `json:"deprecated"`
	}
	_ = json.Unmarshal(sent, &s)
	var fields map[string]json.RawMessage
	if json.Unmarshal(stored, &fields) != nil || fields == nil {
		return stored
	}
	_, had := fields["deprecated"]
	switch {
	case s.Deprecated != nil && *s.Deprecated != "":
		fields["deprecated"] = marshal(*s.Deprecated)
	case had:
		delete(fields, "deprecated")
	default:
		return stored
	}
	return marshal(fields)
}

// RemoveVersion removes one version (unpublish of a single tarball by DELETE); ok is false
// when the package does not have it.
func RemoveVersion(cur *Packument, version string, now time.Time) (next *Packument, ok bool) {
	if _, ok := cur.Versions[version]; !ok {
		return cur, false
	}
	next = cur.clone(cur.Name)
	delete(next.Versions, version)
	delete(next.Time, version)
	for tag, v := range next.DistTags {
		if v == version {
			delete(next.DistTags, tag)
		}
	}
	if _, ok := next.DistTags["latest"]; !ok && len(next.Versions) > 0 {
		next.DistTags["latest"] = Latest(slices.Collect(maps.Keys(next.Versions)))
	}
	next.Time["modified"] = FormatTime(now)
	return next, true
}

// TarballOf returns the tarball file name of version v.
func (p *Packument) TarballOf(v string) string { return p.tarballFile(v, manifestDist(p.Versions[v])) }

// VersionOfFile returns the version whose tarball file is file ("" when none).
func (p *Packument) VersionOfFile(file string) string {
	for v, m := range p.Versions {
		if p.tarballFile(v, manifestDist(m)) == file {
			return v
		}
	}
	return ""
}

// SetTag points tag at version. An invalid tag is arca.ErrInvalid, a missing version
// arca.ErrNotFound.
func SetTag(cur *Packument, tag, version string, now time.Time) (*Packument, error) {
	if err := ValidTag(tag); err != nil {
		return nil, err
	}
	if _, ok := cur.Versions[version]; !ok {
		return nil, arca.Errorf(arca.ErrNotFound, "version %s of '%s' does not exist", version, cur.Name)
	}
	next := cur.clone(cur.Name)
	next.DistTags[tag] = version
	next.Time["modified"] = FormatTime(now)
	return next, nil
}

// DeleteTag removes tag. "latest" cannot be removed (arca.ErrInvalid: point it elsewhere
// instead); a missing tag is arca.ErrNotFound.
func DeleteTag(cur *Packument, tag string, now time.Time) (*Packument, error) {
	if tag == "latest" {
		return nil, arca.Errorf(arca.ErrInvalid, "the latest dist-tag cannot be removed; point it at another version instead")
	}
	if _, ok := cur.DistTags[tag]; !ok {
		return nil, arca.Errorf(arca.ErrNotFound, "'%s' has no dist-tag '%s'", cur.Name, tag)
	}
	next := cur.clone(cur.Name)
	delete(next.DistTags, tag)
	next.Time["modified"] = FormatTime(now)
	return next, nil
}

// clone returns a copy whose maps may be changed (an empty packument named name for nil).
func (p *Packument) clone(name string) *Packument {
	if p == nil {
		return &Packument{Name: name, DistTags: map[string]string{}, Versions: map[string]json.RawMessage{}, Time: map[string]string{}, Extra: map[string]json.RawMessage{}}
	}
	return &Packument{Name: p.Name, DistTags: maps.Clone(p.DistTags), Versions: maps.Clone(p.Versions), Time: maps.Clone(p.Time), Extra: maps.Clone(p.Extra)}
}
