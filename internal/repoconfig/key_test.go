package repoconfig

import (
	"errors"
	"strings"
	"testing"

	"arca"
)

func TestValidateKey(t *testing.T) {
	long := func(n int) string { return "a" + strings.Repeat("b", n-1) }
	tests := []struct {
		name    string
		key     string
		rclass  string
		wantErr string // substring naming the broken rule; "" means valid
	}{
		{"simple", "libs-release-local", "local", ""},
		{"letters digits dot underscore", "My_Repo.v2-x", "virtual", ""},
		{"class any case", "libs", "LOCAL", ""},
		{"unknown class means 64", long(64), "", ""},
		{"empty", "", "local", "must not be empty"},
		{"64 local ok", long(64), "local", ""},
		{"65 local", long(65), "local", "the limit is 64"},
		{"64 virtual ok", long(64), "virtual", ""},
		{"65 virtual", long(65), "virtual", "the limit is 64"},
		{"58 remote ok", long(58), "remote", ""},
		{"59 remote", long(59), "remote", "the limit is 58"},
		{"58 federated ok", long(58), "federated", ""},
		{"59 federated", long(59), "federated", "the limit is 58"},
		{"slash", "a/b", "local", `contains '/'`},
		{"backslash", `a\b`, "local", `contains '\\'`},
		{"colon", "a:b", "local", `contains ':'`},
		{"pipe", "a|b", "local", `contains '|'`},
		{"question", "a?b", "local", `contains '?'`},
		{"star", "a*b", "local", `contains '*'`},
		{"quote", `a"b`, "local", `contains '"'`},
		{"less", "a<b", "local", `contains '<'`},
		{"greater", "a>b", "local", `contains '>'`},
		{"space", "a b", "local", `contains ' '`},
		{"other special", "a#b", "local", `contains '#'`},
		{"non-ASCII letter", "répo", "local", `contains 'é'`},
		{"leading digit", "1repo", "local", "must not begin with a digit"},
		{"dot", ".", "local", "reserved name"},
		{"dotdot", "..", "local", "reserved name"},
		{"ampersand", "&", "local", "reserved name"},
		{"jfrog-usage-logs", "jfrog-usage-logs", "local", "reserved name"},
		{"jfrog-billing-logs", "jfrog-billing-logs", "local", "reserved name"},
		{"jfrog-logs", "jfrog-logs", "local", "reserved name"},
		{"artifactory-build-info", "artifactory-build-info", "local", "reserved name"},
		{"artifactory-pipe-info", "artifactory-pipe-info", "local", "reserved name"},
		{"auto-trashcan", "auto-trashcan", "local", "reserved name"},
		{"jfrog-support-bundle", "jfrog-support-bundle", "local", "reserved name"},
		{"_intransit", "_intransit", "local", "reserved name"},
		{"artifactory-edge-uploads", "artifactory-edge-uploads", "local", "reserved name"},
		{"release-bundles", "release-bundles", "local", "reserved name"},
		{"reserved any case", "Artifactory-Build-Info", "local", "reserved name"},
		{"reserved prefix system", "jfrog-system-reserved-x", "local", `reserved prefix "jfrog-system-reserved"`},
		{"reserved prefix artifactory", "JFrog-Artifactory-System1", "local", `reserved prefix "jfrog-artifactory-system"`},
		{"cache suffix", "npm-cache", "remote", `must not end with "-cache"`},
		{"cache suffix any case", "npm-CACHE", "local", `must not end with "-cache"`},
		{"cache inside is fine", "npm-cache-x", "local", ""},
		{"unknown class", "libs", "distribution", `unknown rclass "distribution"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateKey(tt.key, tt.rclass)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ValidateKey(%q, %q) = %v, want nil", tt.key, tt.rclass, err)
			case tt.wantErr == "":
				return
			case err == nil:
				t.Fatalf("ValidateKey(%q, %q) = nil, want an error containing %q", tt.key, tt.rclass, tt.wantErr)
			case !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("ValidateKey(%q, %q) = %q, want it to contain %q", tt.key, tt.rclass, err, tt.wantErr)
			case !errors.Is(err, arca.ErrInvalid) || arca.HTTPStatus(err) != 400:
				t.Fatalf("ValidateKey(%q, %q) = %v: not an arca.ErrInvalid (400)", tt.key, tt.rclass, err)
			}
		})
	}
}

func TestValidateKeyListsEveryProblem(t *testing.T) {
	err := ValidateKey("9 bad-cache", "local")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"must not begin with a digit", `contains ' '`, `"-cache"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
