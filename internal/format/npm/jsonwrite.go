package npm

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// The packument writers below produce what marshal would for the same maps (keys sorted, no
// HTML escaping) without encoding/json's re-validation and compaction of every raw value: a
// packument is mostly raw manifests, and re-scanning them was half the cost of a merge or a
// render. Raw values must therefore be valid JSON; they always are, coming from a decoder
// (ParsePackument, a stored record) or from marshal.

// appendRaw appends a raw JSON value ("null" for an empty one, as encoding/json writes a nil
// json.RawMessage).
func appendRaw(b []byte, v json.RawMessage) []byte {
	if len(v) == 0 {
		return append(b, "null"...)
	}
	return append(b, v...)
}

// appendString appends s as a JSON string, escaped as marshal escapes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return append(b, marshal(s)...) // rare: control characters, quotes, non-ASCII
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendObject appends a JSON object of m's entries in key order, each value written by val.
func appendObject[V any](b []byte, m map[string]V, val func([]byte, V) []byte) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = val(b, m[k])
	}
	return append(b, '}')
}

// field is one top-level member of a document being written.
type field struct {
	key   string
	write func([]byte) []byte
}

// appendFields appends the object of fs, in key order (keys are distinct).
func appendFields(b []byte, fs []field) []byte {
	slices.SortFunc(fs, func(x, y field) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return 0
	})
	b = append(b, '{')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f.key)
		b = append(b, ':')
		b = f.write(b)
	}
	return append(b, '}')
}

func rawValue(b []byte, v json.RawMessage) []byte { return appendRaw(b, v) }
func stringValue(b []byte, v string) []byte       { return appendString(b, v) }

// packumentFields are a packument's top-level members as stored: the extra fields, then _id,
// name, dist-tags, versions and time (which win over extra fields of the same names).
func (p *Packument) packumentFields(versions map[string]json.RawMessage) []field {
	fs := make([]field, 0, len(p.Extra)+5)
	for k, v := range p.Extra {
		switch k {
		case "_id", "name", "dist-tags", "versions", "time":
			continue
		}
		fs = append(fs, field{k, func(b []byte) []byte { return appendRaw(b, v) }})
	}
	return append(fs,
		field{"_id", func(b []byte) []byte { return appendString(b, p.Name) }},
		field{"name", func(b []byte) []byte { return appendString(b, p.Name) }},
		field{"dist-tags", func(b []byte) []byte { return appendObject(b, p.DistTags, stringValue) }},
		field{"versions", func(b []byte) []byte { return appendObject(b, versions, rawValue) }},
		field{"time", func(b []byte) []byte { return appendObject(b, p.Time, stringValue) }})
}
