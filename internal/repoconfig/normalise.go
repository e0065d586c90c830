package repoconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"arca/internal/pattern"
)

// maxInt bounds integer fields: Artifactory stores most of them as Java ints, and it keeps
// periods in seconds convertible to time.Duration without overflow.
const maxInt = math.MaxInt32

// normalise validates raw as a value of kind spec.kind and returns it in canonical form (the
// form GET echoes and storage keeps). On failure it returns a client-facing reason, without the
// field name.
func normalise(spec fieldSpec, raw json.RawMessage) (json.RawMessage, string) {
	switch spec.kind {
	case kString:
		s, ok := asString(raw)
		if !ok {
			return nil, "must be a string"
		}
		return encode(s), ""
	case kBool:
		b, problem := asBool(raw)
		if problem != "" {
			return nil, problem
		}
		return encode(b), ""
	case kInt:
		n, problem := asInt(raw)
		if problem != "" {
			return nil, problem
		}
		return encode(n), ""
	case kStrings:
		list, problem := asStrings(raw)
		if problem != "" {
			return nil, problem
		}
		return encode(list), ""
	case kEnum:
		s, ok := asString(raw)
		if !ok {
			return nil, "must be a string, one of " + strings.Join(spec.enum, ", ")
		}
		for _, v := range spec.enum {
			if strings.EqualFold(s, v) {
				return encode(v), ""
			}
		}
		return nil, fmt.Sprintf("%q is not one of %s", s, strings.Join(spec.enum, ", "))
	case kIncludes, kExcludes:
		s, ok := asString(raw)
		if !ok {
			return nil, "must be a string of comma-separated patterns"
		}
		includes, excludes := s, ""
		if spec.kind == kExcludes {
			includes, excludes = "", s
		}
		if _, err := pattern.Compile(includes, excludes); err != nil {
			return nil, err.Error()
		}
		return encode(s), ""
	case kURL:
		s, ok := asString(raw)
		if !ok {
			return nil, "must be a string"
		}
		if problem := checkURL(s); problem != "" {
			return nil, problem
		}
		return encode(s), ""
	case kKey:
		s, ok := asString(raw)
		if !ok {
			return nil, "must be a string"
		}
		if s != "" {
			if problems := keyProblems(s, maxKeyLen); len(problems) > 0 {
				return nil, strings.Join(problems, "; ")
			}
		}
		return encode(s), ""
	case kKeys:
		list, problem := asStrings(raw)
		if problem != "" {
			return nil, problem
		}
		var problems []string
		for _, k := range list {
			problems = append(problems, keyProblems(k, maxKeyLen)...)
		}
		if len(problems) > 0 {
			return nil, strings.Join(problems, "; ")
		}
		return encode(list), ""
	case kSync:
		return normaliseSync(raw)
	case kMembers:
		return normaliseMembers(raw)
	}
	return nil, "unsupported field"
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// asString decodes a JSON string (null is not a string).
func asString(raw json.RawMessage) (string, bool) {
	if isNull(raw) {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// asBool accepts a JSON bool or the strings "true"/"false" (any case), which CLI templates send.
func asBool(raw json.RawMessage) (bool, string) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil && !isNull(raw) {
		return b, ""
	}
	if s, ok := asString(raw); ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, ""
		case "false":
			return false, ""
		}
		return false, fmt.Sprintf("must be a boolean, got %q", s)
	}
	return false, "must be a boolean, got " + describe(raw)
}

// asInt accepts a JSON integer or a string holding one (CLI templates send "7200"). Fractions,
// exponents, negative numbers and values above maxInt are refused.
func asInt(raw json.RawMessage) (int64, string) {
	text := strings.TrimSpace(string(raw))
	if s, ok := asString(raw); ok {
		text = strings.TrimSpace(s)
	} else {
		var num json.Number
		if err := json.Unmarshal(raw, &num); err != nil {
			return 0, "must be a non-negative integer, got " + describe(raw)
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	switch {
	case err != nil && strings.HasPrefix(text, "-") && isDigits(text[1:]):
		return 0, fmt.Sprintf("must not be negative, got %s", text)
	case err != nil && isDigits(text):
		return 0, fmt.Sprintf("must be at most %d, got %s", maxInt, text)
	case err != nil:
		return 0, fmt.Sprintf("must be a non-negative integer, got %q", text)
	case n < 0:
		return 0, fmt.Sprintf("must not be negative, got %d", n)
	case n > maxInt:
		return 0, fmt.Sprintf("must be at most %d, got %d", maxInt, n)
	}
	return n, ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// asStrings accepts an array of strings, or one comma-separated string (entries trimmed, empty
// entries dropped), the form CLI templates use. The result is never nil.
func asStrings(raw json.RawMessage) ([]string, string) {
	if s, ok := asString(raw); ok {
		list := []string{}
		for e := range strings.SplitSeq(s, ",") {
			if e = strings.TrimSpace(e); e != "" {
				list = append(list, e)
			}
		}
		return list, ""
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, "must be an array of strings, got " + describe(raw)
	}
	list := make([]string, 0, len(items))
	for i, item := range items {
		s, ok := asString(item)
		if !ok || isNull(item) {
			return nil, fmt.Sprintf("element %d must be a string, got %s", i, describe(item))
		}
		list = append(list, s)
	}
	return list, ""
}

// checkURL returns a problem unless s is an absolute http or https URL with a host.
func checkURL(s string) string {
	if s == "" {
		return "must be an absolute http(s) URL, got an empty string"
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Sprintf("%q is not a valid URL", s)
	}
	if scheme := strings.ToLower(u.Scheme); (scheme != "http" && scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http(s) URL", s)
	}
	return ""
}

// normaliseSync validates contentSynchronisation: an object
// {"enabled":b,"statistics":{"enabled":b},"properties":{"enabled":b},"source":{"originAbsenceDetection":b}}
// with any part absent (false), or the CLI template form "b,b,b,b" (enabled, statistics,
// properties, source). The result always has all four parts.
func normaliseSync(raw json.RawMessage) (json.RawMessage, string) {
	var v struct{ enabled, statistics, properties, source bool }
	if s, ok := asString(raw); ok {
		parts := strings.Split(s, ",")
		if len(parts) != 4 {
			return nil, fmt.Sprintf("must be an object or four comma-separated booleans, got %q", s)
		}
		dst := []*bool{&v.enabled, &v.statistics, &v.properties, &v.source}
		for i, p := range parts {
			b, problem := asBool(encode(strings.TrimSpace(p)))
			if problem != "" {
				return nil, fmt.Sprintf("part %d %s", i+1, problem)
			}
			*dst[i] = b
		}
	} else {
		obj, problem := asObject(raw)
		if problem != "" {
			return nil, problem
		}
		var problems []string
		for _, name := range sortedKeys(obj) {
			var p string
			switch name {
			case "enabled", "statistics", "properties", "source":
				if isNull(obj[name]) {
					continue // null: off
				}
			}
			switch name {
			case "enabled":
				v.enabled, p = asBool(obj[name])
			case "statistics":
				v.statistics, p = subBool(obj[name], "enabled")
			case "properties":
				v.properties, p = subBool(obj[name], "enabled")
			case "source":
				v.source, p = subBool(obj[name], "originAbsenceDetection")
			default:
				p = "is not a known field"
			}
			if p != "" {
				problems = append(problems, name+" "+p)
			}
		}
		if len(problems) > 0 {
			return nil, strings.Join(problems, ", ")
		}
	}
	type flag struct {
		Enabled bool `json:"enabled"`
	}
	return encode(struct {
		Enabled    bool `json:"enabled"`
		Properties flag `json:"properties"`
		Source     struct {
			OriginAbsenceDetection bool `json:"originAbsenceDetection"`
		} `json:"source"`
		Statistics flag `json:"statistics"`
	}{
		Enabled:    v.enabled,
		Properties: flag{v.properties},
		Source: struct {
			OriginAbsenceDetection bool `json:"originAbsenceDetection"`
		}{v.source},
		Statistics: flag{v.statistics},
	}), ""
}

// subBool reads {"<field>": bool} (null or an absent field: false; other fields refused).
func subBool(raw json.RawMessage, field string) (bool, string) {
	if isNull(raw) {
		return false, ""
	}
	obj, problem := asObject(raw)
	if problem != "" {
		return false, problem
	}
	var b bool
	for name, v := range obj {
		if name != field {
			return false, fmt.Sprintf("has an unknown field %q (only %q)", name, field)
		}
		if isNull(v) {
			continue
		}
		var p string
		if b, p = asBool(v); p != "" {
			return false, field + " " + p
		}
	}
	return b, ""
}

// normaliseMembers validates the federated members array: objects with a required http(s)
// "url" and an optional boolean "enabled" (default true).
func normaliseMembers(raw json.RawMessage) (json.RawMessage, string) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, "must be an array of {\"url\",\"enabled\"} objects, got " + describe(raw)
	}
	members := make([]Member, 0, len(items))
	var problems []string
	for i, item := range items {
		obj, problem := asObject(item)
		if problem != "" {
			problems = append(problems, fmt.Sprintf("element %d %s", i, problem))
			continue
		}
		m := Member{Enabled: true}
		if u, ok := obj["url"]; !ok || isNull(u) {
			problems = append(problems, fmt.Sprintf("element %d url is required", i))
		}
		for _, name := range sortedKeys(obj) {
			v := obj[name]
			switch {
			case isNull(v) && (name == "url" || name == "enabled"):
			case name == "url":
				s, ok := asString(v)
				switch {
				case !ok:
					problems = append(problems, fmt.Sprintf("element %d url must be a string", i))
				case checkURL(s) != "":
					problems = append(problems, fmt.Sprintf("element %d url %s", i, checkURL(s)))
				default:
					m.URL = s
				}
			case name == "enabled":
				var p string
				if m.Enabled, p = asBool(v); p != "" {
					problems = append(problems, fmt.Sprintf("element %d enabled %s", i, p))
				}
			default:
				problems = append(problems, fmt.Sprintf("element %d has an unknown field %q", i, name))
			}
		}
		members = append(members, m)
	}
	if len(problems) > 0 {
		return nil, strings.Join(problems, ", ")
	}
	return encode(members), ""
}

func asObject(raw json.RawMessage) (map[string]json.RawMessage, string) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, "must be an object, got " + describe(raw)
	}
	return obj, ""
}

// describe names the JSON type of raw for error messages.
func describe(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "the number " + string(t)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// encode marshals v compactly without HTML escaping ('<' stays '<'), so values read back as
// clients wrote them. It panics only for values that cannot be marshalled, which never reach it.
func encode(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("repoconfig: encode %T: %v", v, err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
