package npm

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVersion(t *testing.T) {
	valid := func(major, minor, patch uint64, pre ...string) Version {
		return Version{Major: major, Minor: minor, Patch: patch, Pre: pre, ok: true}
	}
	tests := []struct {
		in   string
		want Version
	}{
		{"1.2.3", valid(1, 2, 3)},
		{"0.0.0", valid(0, 0, 0)},
		{"10.20.30", valid(10, 20, 30)},
		{"v1.2.3", valid(1, 2, 3)},
		{"=1.2.3", valid(1, 2, 3)},
		{"=v1.2.3", valid(1, 2, 3)},
		{" 1.2.3 ", valid(1, 2, 3)},
		{"1.2.3+build.5", valid(1, 2, 3)},
		{"1.2.3-beta.1+exp.sha.5114f85", valid(1, 2, 3, "beta", "1")},
		{"1.0.0-alpha", valid(1, 0, 0, "alpha")},
		{"1.0.0-alpha-1.x-y", valid(1, 0, 0, "alpha-1", "x-y")},
		{"1.0.0-0.3.7", valid(1, 0, 0, "0", "3", "7")},
		{"18446744073709551615.0.0", valid(18446744073709551615, 0, 0)},

		// Invalid: the zero Version.
		{"", Version{}},
		{"1", Version{}},
		{"1.2", Version{}},
		{"1.2.3.4", Version{}},
		{"01.2.3", Version{}},
		{"1.02.3", Version{}},
		{"1.2.03", Version{}},
		{"1..3", Version{}},
		{"a.b.c", Version{}},
		{"-1.2.3", Version{}},
		{"1.2.-3", Version{}},
		{"1.2.3-", Version{}},
		{"1.2.3-beta..1", Version{}},
		{"1.2.3-.beta", Version{}},
		{"1.2.3-beta.", Version{}},
		{"18446744073709551616.0.0", Version{}}, // overflows uint64
		{"vv1.2.3", Version{}},
		{"latest", Version{}},
		{"1.0.0-01", Version{}},  // leading zero in a numeric pre-release identifier
		{"1.0.0-a_b", Version{}}, // outside [0-9A-Za-z-]
		{"1.0.0-é", Version{}},
		{"1.0.0+", Version{}}, // empty build metadata
	}
	for _, tt := range tests {
		got := ParseVersion(tt.in)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Version{})); diff != "" {
			t.Errorf("ParseVersion(%q) (-want +got):\n%s", tt.in, diff)
		}
		if got.Valid() != tt.want.ok {
			t.Errorf("ParseVersion(%q).Valid() = %v, want %v", tt.in, got.Valid(), tt.want.ok)
		}
	}
}

func TestPrerelease(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1.0.0", false},
		{"1.0.0+build", false},
		{"1.0.0-rc.1", true},
		{"1.0.0-0", true},
		{"not-a-version", false},
	}
	for _, tt := range tests {
		if got := ParseVersion(tt.in).Prerelease(); got != tt.want {
			t.Errorf("ParseVersion(%q).Prerelease() = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestCompareSpecChain checks every pair of semver.org's precedence example
// (https://semver.org/#spec-item-11), in both orders.
func TestCompareSpecChain(t *testing.T) {
	chain := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"}
	for i, a := range chain {
		for j, b := range chain {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := Compare(a, b); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"1.0.0", "v1.0.0", 0},
		{"=1.0.0", "1.0.0", 0},
		{"1.0.0+a", "1.0.0+b", 0},         // build metadata has no precedence
		{"1.0.0-rc.1+a", "1.0.0-rc.1", 0}, // nor on a pre-release
		{"1.9.0", "1.10.0", -1},           // numeric, not textual
		{"1.0.10", "1.0.9", 1},
		{"2.0.0", "10.0.0", -1},
		{"1.0.0-2", "1.0.0-10", -1}, // numeric identifiers numerically
		{"1.0.0-1", "1.0.0-a", -1},  // numeric before alphanumeric
		{"1.0.0-a", "1.0.0-1", 1},
		{"1.0.0-B", "1.0.0-a", -1}, // alphanumeric in ASCII order
		{"1.0.0-a.b", "1.0.0-a", 1},
		{"2.0.0-alpha", "1.9.9", 1},
		{"1.0.0-rc.1", "1.0.0", -1},
		// Invalid versions sort before valid ones, and among themselves by their text.
		{"garbage", "0.0.0-0", -1},
		{"0.0.0-0", "garbage", 1},
		{"1.0", "0.0.1", -1},
		{"abc", "abd", -1},
		{"abd", "abc", 1},
		{"junk", "junk", 0},
	}
	for _, tt := range tests {
		if got := Compare(tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLatest(t *testing.T) {
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"empty", nil, ""},
		{"one", []string{"1.0.0"}, "1.0.0"},
		{"highest release", []string{"1.0.0", "1.10.0", "1.9.0"}, "1.10.0"},
		{"release preferred over newer prerelease", []string{"2.0.0-rc.1", "1.5.0", "3.0.0-alpha"}, "1.5.0"},
		{"all prereleases: highest", []string{"1.0.0-alpha", "1.0.0-rc.1", "1.0.0-beta.11"}, "1.0.0-rc.1"},
		{"prerelease of an older release", []string{"1.0.0-rc.1", "0.9.0"}, "0.9.0"},
		{"invalid ignored when a release exists", []string{"zzz", "0.1.0"}, "0.1.0"},
		{"invalid loses to a prerelease", []string{"zzz", "0.1.0-beta"}, "0.1.0-beta"},
		{"only invalid: highest text", []string{"abc", "xyz", "def"}, "xyz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Latest(tt.candidates); got != tt.want {
				t.Errorf("Latest(%q) = %q, want %q", tt.candidates, got, tt.want)
			}
		})
	}
}
