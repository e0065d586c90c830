package npm

import (
	"arca"
)

// Merge implements format.Merger for packuments, given in resolution order:
//   - versions are the union; where members share a version, the first member's manifest wins
//     (and its time entry);
//   - dist-tags: the first member naming a tag wins, except "latest", which is the highest
//     (by semver, releases before pre-releases) of the versions the members tag "latest", so
//     that a newer release in a later member is what `npm install pkg` gets;
//   - time: "created" is the earliest and "modified" the latest of the members';
//   - other fields (description, readme, …) come from the first member.
//
// Documents that do not parse are skipped: a broken member must not hide the others.
func (Format) Merge(_ string, docs [][]byte) ([]byte, string, error) {
	ps := make([]*Packument, 0, len(docs))
	for _, doc := range docs {
		if p, err := ParsePackument(doc); err == nil {
			ps = append(ps, p)
		}
	}
	out := mergeParsed(ps)
	if out == nil {
		return nil, "", arca.Errorf(arca.ErrInvalid, "no member's package document could be read")
	}
	return out.Marshal(), "application/json", nil
}

// mergeParsed merges parsed packuments by Merge's rules (nil when there are none). It changes
// none of them: the result's maps are its own, its raw values shared with the inputs.
func mergeParsed(ps []*Packument) *Packument {
	var out *Packument
	var latest []string
	for _, p := range ps {
		if l := p.DistTags["latest"]; l != "" {
			if _, ok := p.Versions[l]; ok {
				latest = append(latest, l)
			}
		}
		if out == nil {
			out = p.clone(p.Name)
			continue
		}
		for v, m := range p.Versions {
			if _, ok := out.Versions[v]; !ok {
				out.Versions[v] = m
				if t, ok := p.Time[v]; ok {
					out.Time[v] = t
				}
			}
		}
		for tag, v := range p.DistTags {
			if _, ok := out.DistTags[tag]; !ok {
				out.DistTags[tag] = v
			}
		}
		if c := p.Time["created"]; c != "" && (out.Time["created"] == "" || c < out.Time["created"]) {
			out.Time["created"] = c
		}
		if m := p.Time["modified"]; m > out.Time["modified"] {
			out.Time["modified"] = m
		}
		for k, v := range p.Extra {
			if _, ok := out.Extra[k]; !ok {
				out.Extra[k] = v
			}
		}
	}
	if out == nil {
		return nil
	}
	if l := Latest(latest); l != "" {
		out.DistTags["latest"] = l
	} else if _, ok := out.Versions[out.DistTags["latest"]]; !ok && len(out.Versions) > 0 {
		out.DistTags["latest"] = Latest(out.sortedVersions()) // no member's latest names a version it has
	}
	return out
}
