package aql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"arca"
)

// kind is the value type of an item field; it decides the operators a field accepts and how a
// criterion's value is converted into a bound SQL argument.
type kind int

const (
	kindString kind = iota
	kindNumber
	kindDate
	kindType
	kindProp // "@key" criteria: values compared as text
)

// field maps an AQL item field to its column in the items table (aliased "i", see package meta).
// nullable columns make "$ne"/"$nmatch" true for NULL.
type field struct {
	col      string
	kind     kind
	nullable bool
}

// itemFields are the item-domain fields AQL criteria and sort may name. Never written.
var itemFields = map[string]field{
	"repo":            {"i.repo", kindString, false},
	"path":            {"i.path", kindString, false},
	"name":            {"i.name", kindString, false},
	"type":            {"i.folder", kindType, false},
	"size":            {"i.size", kindNumber, true},
	"depth":           {"i.depth", kindNumber, false},
	"created":         {"i.created", kindDate, true},
	"created_by":      {"i.created_by", kindString, true},
	"modified":        {"i.modified", kindDate, true},
	"modified_by":     {"i.modified_by", kindString, true},
	"updated":         {"i.updated", kindDate, true},
	"actual_md5":      {"i.md5", kindString, true},
	"actual_sha1":     {"i.sha1", kindString, true},
	"sha256":          {"i.sha256", kindString, true},
	"original_md5":    {"i.orig_md5", kindString, true},
	"original_sha1":   {"i.orig_sha1", kindString, true},
	"original_sha256": {"i.orig_sha256", kindString, true},
}

// opsByKind lists the operators each kind accepts. Never written.
var opsByKind = map[kind][]Op{
	kindString: {Eq, Ne, Match, NMatch, Gt, Gte, Lt, Lte},
	kindNumber: {Eq, Ne, Gt, Gte, Lt, Lte},
	kindDate:   {Eq, Ne, Gt, Gte, Lt, Lte, Last, Before},
	kindType:   {Eq, Ne, Match, NMatch},
	kindProp:   {Eq, Ne, Match, NMatch, Gt, Gte, Lt, Lte},
}

// statFields are the statistics fields include may name as "stat.<field>". Never written.
var statFields = map[string]bool{
	"*": true, "downloads": true, "downloaded": true, "downloaded_by": true,
	"remote_downloads": true, "remote_downloaded": true, "remote_downloaded_by": true,
	"remote_origin": true, "remote_path": true,
}

// knownOp reports whether s is an operator this package supports.
func knownOp(s string) bool {
	switch Op(s) {
	case Eq, Ne, Match, NMatch, Gt, Gte, Lt, Lte, Last, Before:
		return true
	}
	return false
}

// lookupField returns the field description of name ("@key" is a property criterion).
// An unknown field is arca.ErrInvalid naming it.
func lookupField(name string) (field, error) {
	if strings.HasPrefix(name, "@") {
		if name == "@" {
			return field{}, arca.Errorf(arca.ErrInvalid, "aql: property criterion %q has no key", name)
		}
		return field{kind: kindProp}, nil
	}
	f, ok := itemFields[name]
	if !ok {
		return field{}, arca.Errorf(arca.ErrInvalid, "aql: unknown field %q", name)
	}
	return f, nil
}

// checkInclude validates one include(…) entry: an item field, "*", "@key", "property[.*|.key|
// .value]", "stat[.field]", or "virtual_repos" (an output-only item field).
func checkInclude(name string) error {
	if _, ok := itemFields[name]; ok {
		return nil
	}
	switch name {
	case "*", "property", "property.*", "property.key", "property.value", "stat", "virtual_repos":
		return nil
	}
	if len(name) > 1 && name[0] == '@' {
		return nil
	}
	if s, ok := strings.CutPrefix(name, "stat."); ok && statFields[s] {
		return nil
	}
	return arca.Errorf(arca.ErrInvalid, "aql: unknown include field %q", name)
}

// checkSort validates a sort field: only item fields can order results.
func checkSort(name string) (string, error) {
	f, ok := itemFields[name]
	if !ok {
		return "", arca.Errorf(arca.ErrInvalid, "aql: cannot sort by %q", name)
	}
	return f.col, nil
}

// checkCmp validates a criterion the way Compile will see it: field, operator and value.
func checkCmp(c *Cmp) error {
	f, err := lookupField(c.Field)
	if err != nil {
		return err
	}
	_, err = argValue(f, c, time.Time{})
	return err
}

// argValue checks that c's operator applies to f and converts c.Value into the value to bind:
// a string for text and property fields, an int64 (or float64) for numbers, Unix milliseconds
// for dates. For kindType it returns the value as a string.
func argValue(f field, c *Cmp, now time.Time) (any, error) {
	if !opAllowed(f.kind, c.Op) {
		return nil, arca.Errorf(arca.ErrInvalid, "aql: operator %q does not apply to field %q", c.Op, c.Field)
	}
	bad := func(what string) error {
		return arca.Errorf(arca.ErrInvalid, "aql: field %q: %s %v", c.Field, what, describe(c.Value))
	}
	switch f.kind {
	case kindNumber:
		n, ok := number(c.Value)
		if !ok {
			return nil, bad("not a number:")
		}
		return n, nil
	case kindDate:
		if c.Op == Last || c.Op == Before {
			s, ok := c.Value.(string)
			if !ok {
				return nil, bad("not a relative period:")
			}
			t, ok := relative(s, now)
			if !ok {
				return nil, bad("not a relative period (like 3d, 2w, 1mo, 5minutes):")
			}
			return t.UnixMilli(), nil
		}
		ms, ok := dateMillis(c.Value)
		if !ok {
			return nil, bad("not an ISO-8601 time:")
		}
		return ms, nil
	case kindType:
		s, ok := c.Value.(string)
		if !ok {
			return nil, bad("not a type:")
		}
		if (c.Op == Eq || c.Op == Ne) && s != "file" && s != "folder" && s != "any" {
			return nil, bad("type must be file, folder or any, not")
		}
		return s, nil
	default:
		s, ok := text(c.Value)
		if !ok {
			return nil, bad("not a string:")
		}
		return s, nil
	}
}

func opAllowed(k kind, op Op) bool {
	for _, o := range opsByKind[k] {
		if o == op {
			return true
		}
	}
	return false
}

// describe renders a value for an error message.
func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	if v == nil {
		return "null"
	}
	if s, ok := text(v); ok {
		return s
	}
	return fmt.Sprintf("%v", v)
}

// text converts a scalar JSON value to the string AQL compares text fields with.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// number converts a JSON number, or a string holding one, to an int64 when integral and in range,
// else a float64.
func number(v any) (any, bool) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, true
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, false
		}
		f = p
	default:
		return nil, false
	}
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		return int64(f), true
	}
	return f, true
}

// timeLayouts are the ISO-8601 forms accepted for date values; a time without zone is UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// dateMillis converts an ISO-8601 string (or a number, taken as Unix milliseconds) to Unix ms.
func dateMillis(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		n, ok := number(v)
		ms, isInt := n.(int64)
		return ms, ok && isInt
	case string:
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return t.UnixMilli(), true
			}
		}
	}
	return 0, false
}

// periodUnits maps Artifactory's relative-time suffixes to a step. Never written.
var periodUnits = map[string]struct {
	d            time.Duration
	days, months int
}{
	"ms": {d: time.Millisecond}, "mills": {d: time.Millisecond}, "millis": {d: time.Millisecond},
	"milliseconds": {d: time.Millisecond},
	"s":            {d: time.Second}, "seconds": {d: time.Second}, "second": {d: time.Second},
	"minutes": {d: time.Minute}, "minute": {d: time.Minute}, "mins": {d: time.Minute}, "min": {d: time.Minute},
	"h": {d: time.Hour}, "hours": {d: time.Hour}, "hour": {d: time.Hour},
	"d": {days: 1}, "days": {days: 1}, "day": {days: 1},
	"w": {days: 7}, "weeks": {days: 7}, "week": {days: 7},
	"mo": {months: 1}, "months": {months: 1}, "month": {months: 1},
	"y": {months: 12}, "years": {months: 12}, "year": {months: 12},
}

// maxPeriod bounds the count of a relative period so that no arithmetic overflows.
const maxPeriod = 1_000_000

// relative returns now minus a period like "3d", "2w", "1mo" or "5minutes".
func relative(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 7 {
		return time.Time{}, false
	}
	n, _ := strconv.Atoi(s[:i])
	u, ok := periodUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok || n > maxPeriod {
		return time.Time{}, false
	}
	if u.d != 0 {
		return now.Add(-time.Duration(n) * u.d), true
	}
	return now.AddDate(0, -n*u.months, -n*u.days), true
}
