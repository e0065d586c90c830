package npm

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"path"
	"slices"
	"strings"
	"time"

	"arca"
	"arca/internal/format"
)

// Packument is a package document. Version manifests and unknown top-level fields are kept as
// raw JSON, so whatever a publisher or an upstream registry put there is served unchanged.
type Packument struct {
	Name     string
	DistTags map[string]string
	Versions map[string]json.RawMessage
	Time     map[string]string
	// Extra holds every other top-level field (description, readme, maintainers, …), without
	// the CouchDB fields (_id, _rev, _attachments), which are computed for each response.
	Extra map[string]json.RawMessage
}

// timeLayout is the registry's time format: ISO-8601 UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime formats t as the registry does.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ParsePackument parses a stored or upstream packument. A document that is not a JSON object,
// or whose name, versions, dist-tags or time have the wrong shape, is arca.ErrInvalid.
func ParsePackument(b []byte) (*Packument, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, arca.Errorf(arca.ErrInvalid, "malformed package document: %v", err)
	}
	p := &Packument{DistTags: map[string]string{}, Versions: map[string]json.RawMessage{}, Time: map[string]string{}, Extra: map[string]json.RawMessage{}}
	for k, v := range raw {
		var err error
		switch k {
		case "name":
			err = json.Unmarshal(v, &p.Name)
		case "dist-tags":
			err = unmarshalObject(v, &p.DistTags)
		case "versions":
			err = unmarshalObject(v, &p.Versions)
		case "time":
			// Upstreams put non-string values here at times (the old "unpublished" object).
			var t map[string]json.RawMessage
			if err = unmarshalObject(v, &t); err == nil {
				for tk, tv := range t {
					var s string
					if json.Unmarshal(tv, &s) == nil {
						p.Time[tk] = s
					}
				}
			}
		case "_id", "_rev", "_attachments":
		default:
			p.Extra[k] = v
		}
		if err != nil {
			return nil, arca.Errorf(arca.ErrInvalid, "malformed package document: field %q: %v", k, err)
		}
	}
	return p, nil
}

// unmarshalObject decodes a JSON object into m; null leaves m as it is.
func unmarshalObject[M ~map[string]V, V any](b []byte, m *M) error {
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, m)
}

// Marshal encodes the packument as stored: _id and name, dist-tags, versions, time and the
// extra fields, keys in order.
func (p *Packument) Marshal() []byte {
	return appendFields(make([]byte, 0, p.sizeHint()), p.packumentFields(p.Versions))
}

// sizeHint estimates the encoded size of the packument (for one allocation).
func (p *Packument) sizeHint() int {
	n := 256 + 64*len(p.Time)
	for _, m := range p.Versions {
		n += len(m) + 32
	}
	for _, v := range p.Extra {
		n += len(v) + 16
	}
	return n
}

// marshal encodes v without HTML escaping; v holds only JSON-encodable values.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("npm: encoding a document: " + err.Error()) // maps of strings and raw JSON always encode
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// dist is the part of a manifest's "dist" object Arca reads.
type dist struct {
	Tarball   string `json:"tarball"`
	Shasum    string `json:"shasum"`
	Integrity string `json:"integrity"`
}

// manifestDist returns a version manifest's dist fields.
func manifestDist(m json.RawMessage) dist {
	var v struct {
		Dist dist `json:"dist"`
	}
	_ = json.Unmarshal(m, &v) // a malformed manifest has no usable dist: zero
	return v.Dist
}

// tarballFile is the file name of a version's tarball: the last segment of its dist.tarball
// URL, else npm pack's naming.
func (p *Packument) tarballFile(version string, d dist) string {
	if d.Tarball != "" {
		if u := strings.TrimRight(d.Tarball, "/"); u != "" {
			if f := path.Base(u); f != "." && f != "/" && strings.HasSuffix(f, ".tgz") {
				return f
			}
		}
	}
	return TarballFile(p.Name, version)
}

// Rev is the CouchDB revision npm clients send back on updates: derived from the stored
// document, informative only (updates are not refused for an old revision).
func Rev(doc []byte) string {
	s := sha1.Sum(doc)
	return "1-" + hex.EncodeToString(s[:8])
}

// abbreviatedFields are the manifest fields of the abbreviated ("corgi") packument
// (https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md).
var abbreviatedFields = []string{"name", "version", "deprecated", "dependencies", "optionalDependencies",
	"devDependencies", "bundleDependencies", "bundledDependencies", "peerDependencies", "peerDependenciesMeta",
	"acceptDependencies", "bin", "directories", "dist", "engines", "_hasShrinkwrap", "hasInstallScript",
	"os", "cpu", "libc", "funding", "license"}

// AbbreviatedType is the media type of the abbreviated packument.
const AbbreviatedType = "application/vnd.npm.install-v1+json"

// Render returns the packument a client receives: every dist.tarball pointing at
// tarballBase + "/" + TarballPath(name, file), "_rev" set to rev when not empty, and, when
// abbreviated, only the fields installers need.
func Render(doc []byte, tarballBase, rev string, abbreviated bool) ([]byte, error) {
	p, err := ParsePackument(doc)
	if err != nil {
		return nil, err
	}
	return p.render(tarballBase, rev, abbreviated, p.renderManifest), nil
}

// manifestRenderer renders one version's manifest (ok false: left out), as renderManifest.
type manifestRenderer func(v string, m json.RawMessage, tarballBase string, abbreviated bool) (json.RawMessage, bool)

// render is Render of a parsed packument, each manifest rendered by rm. It does not change p.
func (p *Packument) render(tarballBase, rev string, abbreviated bool, rm manifestRenderer) []byte {
	versions := make(map[string]json.RawMessage, len(p.Versions))
	for v, m := range p.Versions {
		if r, ok := rm(v, m, tarballBase, abbreviated); ok {
			versions[v] = r
		}
	}
	if abbreviated {
		fs := []field{{"name", func(b []byte) []byte { return appendString(b, p.Name) }},
			{"dist-tags", func(b []byte) []byte { return appendObject(b, p.DistTags, stringValue) }},
			{"versions", func(b []byte) []byte { return appendObject(b, versions, rawValue) }}}
		if m := p.Time["modified"]; m != "" {
			fs = append(fs, field{"modified", func(b []byte) []byte { return appendString(b, m) }})
		}
		return appendFields(nil, fs)
	}
	fs := p.packumentFields(versions)
	if rev != "" {
		fs = append(fs, field{"_rev", func(b []byte) []byte { return appendString(b, rev) }})
	}
	return appendFields(make([]byte, 0, p.sizeHint()+len(versions)*len(tarballBase)), fs)
}

// renderManifest is one version's manifest as Render serves it; ok is false for a malformed
// manifest (not installable: left out).
func (p *Packument) renderManifest(v string, m json.RawMessage, tarballBase string, abbreviated bool) (json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m, &fields); err != nil || fields == nil {
		return nil, false
	}
	var d map[string]json.RawMessage
	_ = json.Unmarshal(fields["dist"], &d) // missing or malformed: rebuilt here
	if d == nil {
		d = map[string]json.RawMessage{}
	}
	var cur dist
	_ = json.Unmarshal(d["tarball"], &cur.Tarball)
	d["tarball"] = marshal(tarballBase + "/" + TarballPath(p.Name, p.tarballFile(v, cur)))
	fields["dist"] = marshal(d)
	if abbreviated {
		small := make(map[string]json.RawMessage, 8)
		for _, k := range abbreviatedFields {
			if x, ok := fields[k]; ok {
				small[k] = x
			}
		}
		fields = small
	}
	return marshal(fields), true
}

// RenderVersion returns the manifest of one version, named by its version or a dist-tag, as
// Render would serve it. A missing version is arca.ErrNotFound.
func RenderVersion(doc []byte, tarballBase, want string) (json.RawMessage, error) {
	p, err := ParsePackument(doc)
	if err != nil {
		return nil, err
	}
	v := want
	if tagged, ok := p.DistTags[want]; ok {
		v = tagged
	}
	if m, ok := p.Versions[v]; ok {
		if r, ok := p.renderManifest(v, m, tarballBase, false); ok {
			return r, nil
		}
	}
	return nil, arca.Errorf(arca.ErrNotFound, "version '%s' of '%s' not found", want, p.Name)
}

// DeclaredIn implements format.Declarer: a tarball's checksums are declared in its package's
// packument.
func (Format) DeclaredIn(p string) (string, bool) {
	name := PackageOf(p)
	if name == "" || !strings.HasPrefix(p, name+"/-/") || !strings.HasSuffix(p, ".tgz") {
		return "", false
	}
	return DocPath(name), true
}

// Declared implements format.Declarer: the dist.shasum and the sha512 dist.integrity of the
// version whose tarball is p.
func (Format) Declared(p string, doc []byte) format.Digests {
	pk, err := ParsePackument(doc)
	if err != nil {
		return format.Digests{}
	}
	file := path.Base(p)
	for v, m := range pk.Versions {
		d := manifestDist(m)
		if pk.tarballFile(v, d) != file {
			continue
		}
		return format.Digests{SHA1: strings.ToLower(d.Shasum), SHA512: IntegritySHA512(d.Integrity)}
	}
	return format.Digests{}
}

// IntegritySHA512 returns the hex SHA-512 of a Subresource Integrity string ("sha512-<base64>",
// possibly among other hashes), "" when it has none.
func IntegritySHA512(integrity string) string {
	for _, h := range strings.Fields(integrity) {
		if b64, ok := strings.CutPrefix(h, "sha512-"); ok {
			b64, _, _ = strings.Cut(b64, "?")
			if raw, err := base64.StdEncoding.DecodeString(b64); err == nil && len(raw) == 64 {
				return hex.EncodeToString(raw)
			}
		}
	}
	return ""
}

// Integrity returns the Subresource Integrity string of a hex SHA-512.
func Integrity(sha512Hex string) string {
	raw, err := hex.DecodeString(sha512Hex)
	if err != nil {
		return ""
	}
	return "sha512-" + base64.StdEncoding.EncodeToString(raw)
}

// sortedVersions returns the packument's versions in semver order.
func (p *Packument) sortedVersions() []string {
	vs := make([]string, 0, len(p.Versions))
	for v := range p.Versions {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, Compare)
	return vs
}
