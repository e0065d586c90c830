// Package repoconfig is the Artifactory repository configuration JSON
// for the four classes: local, remote, virtual and federated. It decodes, validates, applies
// defaults, merges partial updates and encodes the GET form. It is pure: no storage, no HTTP.
//
// # Model
//
// A Config keeps every top-level field a client sent, so GET echoes them. A field must be one
// Arca implements (validated and normalised: bool/int strings become JSON bools/ints, enums take
// their canonical case) or one of Artifactory's that Arca does not implement, or a field of
// another class or package type (Terraform sends those); the latter two are kept verbatim. Any
// other name is refused as an unknown field, naming it (see artifactory.go). Storage keeps only what clients sent (StoredJSON); the effective configuration
// is that over the defaults of the class and package type, computed once when a Config is built,
// along with typed accessors for the behaviour code, so nothing is parsed per request.
//
// A JSON null for a field means "absent": Parse ignores it and Update resets the field to its
// default. A Config is immutable and safe for concurrent use; Update returns a new one.
//
// # Secrets
//
// A remote's password is never returned in clear: MarshalJSON shows a non-empty password as
// PasswordPlaceholder, and an Update that sends the placeholder back keeps the stored password.
// StoredJSON holds the password in plaintext for now; encrypting it at rest is the store's
// future job.
package repoconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"arca"
)

// PasswordPlaceholder replaces a non-empty password in the GET form. Sent back in an update, it
// means "keep the stored password"; sent in a create, it is refused (it is not a password).
const PasswordPlaceholder = "***redacted***"

// Config is one repository's validated configuration. The zero value is not usable; build one
// with Parse or Load.
type Config struct {
	fields map[string]json.RawMessage // as sent, normalised, identity fields included; never mutated
	eff    map[string]json.RawMessage // fields over the defaults: the GET form before redaction
	typed
}

// Parse validates a repository configuration sent to create repository key (the key from the
// URL; "" takes the key from the body, as batch creation does). A "key" in the body must equal
// the URL's key. rclass and packageType are required.
//
// Errors wrap arca.ErrInvalid; the message lists every problem found, each naming its field,
// separated by "; " (a single missing packageType reads "packageType is required"; a typo reads
// "unknown repository field 'includesPatern' (did you mean 'includesPattern'?)").
func Parse(key string, body []byte) (*Config, error) {
	fields, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	unknown := newFieldNames().unknownProblems(slices.Collect(maps.Keys(fields)), nil)
	for name, raw := range fields {
		if isNull(raw) {
			delete(fields, name)
		}
	}
	c, problems := build(fields, key, true)
	if err := problemsError(append(unknown, problems...)); err != nil {
		return nil, err
	}
	return c, nil
}

// Load rebuilds a Config from StoredJSON. The stored form is validated again, so an error
// (wrapping arca.ErrInvalid) means the stored data breaks the current rules. Unknown field names
// are the exception: a configuration stored before they were refused still loads, keeping them.
func Load(stored []byte) (*Config, error) {
	fields, err := decodeObject(stored)
	if err != nil {
		return nil, err
	}
	c, problems := build(fields, "", false)
	return c, problemsError(problems)
}

// Update applies a partial update (the body of POST /api/repositories/{key}): every top-level
// field in patch replaces the stored one, a null resets it to its default, the others are kept
// (a top-level JSON merge patch). key, rclass and packageType may be repeated but not changed.
// A password equal to PasswordPlaceholder keeps the stored password. A field name Parse would
// refuse as unknown is refused here too, unless it is already stored (so GET → POST round-trips
// and a null can remove it). The receiver is unchanged;
// errors wrap arca.ErrInvalid and list every problem, as Parse does.
func (c *Config) Update(patch []byte) (*Config, error) {
	p, err := decodeObject(patch)
	if err != nil {
		return nil, err
	}
	fields := maps.Clone(c.fields)
	stored := func(name string) bool { _, ok := c.fields[name]; return ok }
	problems := newFieldNames().unknownProblems(slices.Collect(maps.Keys(p)), stored)
	for _, name := range sortedKeys(p) {
		raw := p[name]
		switch name {
		case "key", "rclass", "packageType":
			if isNull(raw) {
				continue
			}
			current := map[string]string{"key": c.key, "rclass": c.class, "packageType": c.pkgType}[name]
			s, ok := asString(raw)
			same := ok && (s == current || (name != "key" && strings.EqualFold(s, current)))
			if !same {
				problems = append(problems, fmt.Sprintf("%s cannot be changed (it is %q)", name, current))
			}
			continue
		case "password":
			if s, ok := asString(raw); ok && s == PasswordPlaceholder {
				continue
			}
		}
		if isNull(raw) {
			delete(fields, name)
		} else {
			fields[name] = raw
		}
	}
	nc, more := build(fields, c.key, false)
	if err := problemsError(append(problems, more...)); err != nil {
		return nil, err
	}
	return nc, nil
}

// MarshalJSON returns the GET form: every field with its effective value, keys sorted, the
// password redacted (see PasswordPlaceholder).
func (c *Config) MarshalJSON() ([]byte, error) {
	out := c.eff
	if pw, ok := c.eff["password"]; ok && !isEmptyString(pw) {
		out = maps.Clone(c.eff)
		out["password"] = encode(PasswordPlaceholder)
	}
	return encode(out), nil
}

// StoredJSON returns the form to persist: the fields clients sent, normalised, keys sorted,
// without defaults (so a future change of a default applies to repositories that never set the
// field), password in plaintext. Load reads it back.
func (c *Config) StoredJSON() []byte { return encode(c.fields) }

// Field returns the effective value of any field (the real password included), for the rare
// behaviour that needs a field without a typed accessor. ok is false when the field is neither
// set nor defaulted.
func (c *Config) Field(name string) (value json.RawMessage, ok bool) {
	v, ok := c.eff[name]
	return bytes.Clone(v), ok
}

// Summary is one entry of GET /api/repositories.
type Summary struct {
	Key         string `json:"key"`
	Type        string `json:"type"` // LOCAL, REMOTE, VIRTUAL, FEDERATED
	Description string `json:"description"`
	URL         string `json:"url"`
	PackageType string `json:"packageType"` // capitalised: "Maven", "Generic", "Npm"
}

// Summary returns the list entry for this repository. As Artifactory does, URL is the upstream
// URL for a remote and, for the other classes, the repository's own URL under baseURL (the
// server's ".../artifactory" URL; "" when baseURL is ""). Artifactory capitalises package types
// ("Maven"); clients compare them ignoring case, so only the first letter is upper-cased here.
func (c *Config) Summary(baseURL string) Summary {
	s := Summary{
		Key:         c.key,
		Type:        strings.ToUpper(c.class),
		Description: c.description,
		PackageType: strings.ToUpper(c.pkgType[:1]) + c.pkgType[1:],
	}
	switch {
	case c.class == Remote:
		s.URL = c.url
	case baseURL != "":
		s.URL = strings.TrimRight(baseURL, "/") + "/" + c.key
	}
	return s
}

// build validates and normalises fields in place (the caller hands it over) and computes the
// effective view and the typed accessors. urlKey, when not "", is the key the body must agree
// with (or take when it has none). create refuses PasswordPlaceholder as a password (Update has
// already replaced it by the stored one; Load trusts storage). It returns the problems found;
// the Config is nil if there are any.
func build(fields map[string]json.RawMessage, urlKey string, create bool) (*Config, []string) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	class, ok := identity(fields, "rclass", add)
	if ok {
		if class = strings.ToLower(class); classBit(class) == 0 {
			add("rclass: %q is not one of local, remote, virtual, federated", class)
			class = ""
		} else {
			fields["rclass"] = encode(class)
		}
	}
	pkgType, ok := identity(fields, "packageType", add)
	if ok {
		if pkgType = strings.ToLower(pkgType); !slices.Contains(packageTypes(), pkgType) {
			add("packageType: %q is not a known package type (%s)", pkgType, strings.Join(packageTypes(), ", "))
			pkgType = ""
		} else {
			fields["packageType"] = encode(pkgType)
		}
	}
	key := urlKey
	if raw, present := fields["key"]; present && urlKey != "" && isEmptyString(raw) {
		delete(fields, "key") // an empty body key defers to the URL's
	}
	if _, present := fields["key"]; present || urlKey == "" {
		bodyKey, ok := identity(fields, "key", add)
		switch {
		case !ok:
			key = ""
		case urlKey != "" && bodyKey != urlKey:
			add("key: %q in the body does not match %q in the URL", bodyKey, urlKey)
			key = ""
		default:
			key = bodyKey
		}
	}
	if key != "" {
		limit, _ := keyLimit(class)
		for _, p := range keyProblems(key, limit) {
			add("key: %s", p)
		}
		fields["key"] = encode(key)
	}

	known := knownFields()
	bit := classBit(class)
	for _, name := range sortedKeys(fields) {
		raw := fields[name]
		switch name {
		case "key", "rclass", "packageType":
			continue
		}
		spec, isKnown := known[name]
		if !isKnown || spec.classes&bit == 0 {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err == nil {
				fields[name] = b.Bytes()
			}
			continue
		}
		if name == "password" && create {
			if s, ok := asString(raw); ok && s == PasswordPlaceholder {
				add("password: %q is the placeholder GET shows for a stored password, not a password", s)
				continue
			}
		}
		norm, p := normalise(spec, raw)
		if p != "" {
			add("%s: %s", name, p)
			continue
		}
		fields[name] = norm
	}

	switch class {
	case Remote:
		if _, ok := fields["url"]; !ok {
			add("url is required for a remote repository")
		}
	case Virtual:
		if list, _ := asStrings(fields["repositories"]); key != "" && containsFold(list, key) {
			add("repositories: a virtual repository cannot include itself (%q)", key)
		}
		if d, _ := asString(fields["defaultDeploymentRepo"]); key != "" && strings.EqualFold(d, key) {
			add("defaultDeploymentRepo: a virtual repository cannot deploy to itself (%q)", key)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}

	eff := map[string]json.RawMessage{}
	for name, def := range defaults(class, pkgType) {
		eff[name] = json.RawMessage(def)
	}
	maps.Copy(eff, fields)
	c := &Config{fields: fields, eff: eff}
	if err := c.typed.fill(eff); err != nil {
		return nil, []string{err.Error()}
	}
	return c, nil
}

// identity reads a required string field (key, rclass, packageType), reporting it missing or
// mistyped through add.
func identity(fields map[string]json.RawMessage, name string, add func(string, ...any)) (string, bool) {
	raw, ok := fields[name]
	if !ok {
		add("%s is required", name)
		return "", false
	}
	s, ok := asString(raw)
	if !ok {
		add("%s: must be a string, got %s", name, describe(raw))
		return "", false
	}
	if s == "" {
		add("%s is required", name)
		return "", false
	}
	return s, true
}

// decodeObject decodes a request or stored body that must be one JSON object.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, arca.Errorf(arca.ErrInvalid, "repository configuration is not valid JSON: %v", err)
	}
	if fields == nil {
		return nil, arca.Errorf(arca.ErrInvalid, "repository configuration must be a JSON object")
	}
	return fields, nil
}

// problemsError joins problems into one arca.ErrInvalid error (nil when there are none).
func problemsError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return arca.Errorf(arca.ErrInvalid, "%s", strings.Join(problems, "; "))
}

func isEmptyString(raw json.RawMessage) bool {
	s, ok := asString(raw)
	return ok && s == ""
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
