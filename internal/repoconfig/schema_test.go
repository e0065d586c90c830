package repoconfig

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestSchemaConsistency checks the tables against each other: every default names a field known
// in the default's classes, and every default is already in normalised form.
func TestSchemaConsistency(t *testing.T) {
	known := knownFields()
	for _, r := range defaultRules() {
		spec, ok := known[r.name]
		if !ok {
			t.Errorf("default for %q: not a known field", r.name)
			continue
		}
		if r.classes&^spec.classes != 0 {
			t.Errorf("default for %q covers classes %b, field known only in %b", r.name, r.classes, spec.classes)
		}
		norm, problem := normalise(spec, json.RawMessage(r.def))
		if problem != "" {
			t.Errorf("default %s for %q is invalid: %s", r.def, r.name, problem)
		} else if string(norm) != r.def {
			t.Errorf("default for %q is %s, normalised %s", r.name, r.def, norm)
		}
		for _, typ := range r.types {
			if !slices.Contains(packageTypes(), typ) {
				t.Errorf("default for %q names unknown package type %q", r.name, typ)
			}
		}
	}
	for _, name := range []string{"key", "rclass", "packageType"} {
		if _, ok := known[name]; ok {
			t.Errorf("identity field %q must not be in knownFields", name)
		}
	}
}
