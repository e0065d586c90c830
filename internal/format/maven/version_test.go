package maven

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Ordered lists: every version is older than all that follow it.
var orderedVersions = [][]string{
	// qualifiers
	{"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2",
		"1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot",
		"1-1", "1-2", "1-123"},
	// numbers, and '.' against '-'
	{"2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2",
		"2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m"},
	// the qualifier ladder
	{"1-alpha", "1-beta", "1-milestone", "1-rc", "1-SNAPSHOT", "1", "1-sp", "1-zzz"},
	{"1.0-alpha-1", "1.0-alpha-2", "1.0-beta-1", "1.0-rc1", "1.0-SNAPSHOT", "1.0", "1.0.1", "1.1"},
	{"1.999", "2.0", "2.0.0.1", "10"},
	// numbers of any size
	{"1.9", "1.10", "1.2147483647", "1.2147483648", "1.9223372036854775807", "1.9223372036854775808",
		"1.123456789012345678901234567890"},
	// a qualifier after '.' is nested like one after '-': 1.0.RC2 < 1.0-RC3 < 1.0.1
	{"1.0.RC2", "1.0-RC3", "1.0.1"},
	{"1.0.0.X1", "1.0.0-X2"},
	// unknown qualifiers sort lexically after known ones
	{"1-sp", "1-a", "1-b", "1-foo", "1-foo2"},
}

func TestCompareVersionsOrder(t *testing.T) {
	for _, list := range orderedVersions {
		for i := range list {
			for j := range list {
				got := sign(CompareVersions(list[i], list[j]))
				want := sign(i - j)
				if got != want {
					t.Errorf("CompareVersions(%q, %q) = %d, want %d", list[i], list[j], got, want)
				}
			}
		}
	}
}

func TestCompareVersionsEqual(t *testing.T) {
	for _, tt := range [][2]string{
		{"1", "1"}, {"1", "1.0"}, {"1", "1.0.0"}, {"1.0", "1.0.0"}, {"1", "1-0"}, {"1", "1.0-0"},
		{"1.0", "1.0-0"},
		// no separator between number and character
		{"1a", "1-a"}, {"1a", "1.0-a"}, {"1a", "1.0.0-a"}, {"1.0a", "1-a"}, {"1.0.0a", "1-a"},
		{"1x", "1-x"}, {"1x", "1.0-x"}, {"1x", "1.0.0-x"}, {"1.0x", "1-x"}, {"1.0.0x", "1-x"},
		// aliases
		{"1ga", "1"}, {"1release", "1"}, {"1final", "1"}, {"1-ga", "1"}, {"1-final", "1"},
		{"1.0.RELEASE", "1.0"}, {"1cr", "1rc"}, {"1.0-rc1", "1.0-cr1"},
		// a/b/m followed by a digit
		{"1a1", "1-alpha-1"}, {"1b2", "1-beta-2"}, {"1m3", "1-milestone-3"}, {"1-a1", "1-alpha1"},
		// case does not matter
		{"1X", "1x"}, {"1A", "1a"}, {"1B", "1b"}, {"1M", "1m"}, {"1Ga", "1"}, {"1GA", "1"}, {"1RELEASE", "1"},
		{"1release", "1"}, {"1CR", "1rc"}, {"1Cr", "1Rc"}, {"1-SNAPSHOT", "1-snapshot"},
		// leading zeros
		{"1.01", "1.1"}, {"01.1", "1.1"}, {"1.000", "1"},
		// '.' before a qualifier acts like '-'
		{"1.foo", "1-foo"}, {"1.0.0.RC1", "1.0.0-RC1"},
		// empty components are zeros
		{"1..1", "1.0.1"},
	} {
		if got := CompareVersions(tt[0], tt[1]); got != 0 {
			t.Errorf("CompareVersions(%q, %q) = %d, want 0", tt[0], tt[1], got)
		}
		if got := CompareVersions(tt[1], tt[0]); got != 0 {
			t.Errorf("CompareVersions(%q, %q) = %d, want 0", tt[1], tt[0], got)
		}
	}
}

func TestCompareVersionsPairs(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"1.0.1", "1.0", 1},
		{"1-1", "1", 1},
		{"2.0", "1.999", 1},
		{"1.0-alpha-1", "1.0-alpha-2", -1},
		{"1-1", "1.1", -1}, // a dot is more important than a hyphen
		{"1.1", "1-sp", 1},
		{"1-1", "1-sp", 1},
		{"1.0-SNAPSHOT", "1.0-rc1", 1},
		{"1.0-SNAPSHOT", "1.0", -1},
		{"1.0", "1.0-sp1", -1},
		{"1.0-alpha10", "1.0-alpha2", 1}, // digit/letter transitions separate
		{"", "1", -1},
		{"", "", 0},
		{"", "0", 0},
		{"a", "b", -1},
		{"1.0-20261121.052921-3", "1.0-20261121.052921-2", 1},
	} {
		if got := sign(CompareVersions(tt.a, tt.b)); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSortVersions(t *testing.T) {
	got := []string{"1.10", "1.0-SNAPSHOT", "1.2", "1.0", "2.0-rc1", "1.0-beta", "2.0", "1.9.9"}
	SortVersions(got)
	want := []string{"1.0-beta", "1.0-SNAPSHOT", "1.0", "1.2", "1.9.9", "1.10", "2.0-rc1", "2.0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SortVersions (-want +got):\n%s", diff)
	}
}

func TestLatestRelease(t *testing.T) {
	for _, tt := range []struct {
		versions        []string
		latest, release string
	}{
		{nil, "", ""},
		{[]string{"1.0", "1.1-SNAPSHOT", "1.0.1"}, "1.1-SNAPSHOT", "1.0.1"},
		{[]string{"1.0-SNAPSHOT"}, "1.0-SNAPSHOT", ""},
		{[]string{"2.0-rc1", "1.9", "2.0-SNAPSHOT"}, "2.0-SNAPSHOT", "2.0-rc1"},
		{[]string{"1.0", "1"}, "1.0", "1.0"}, // equal versions: the first wins
		{[]string{"1.0-20261121.052921-1", "0.9"}, "1.0-20261121.052921-1", "0.9"},
	} {
		if got := Latest(tt.versions); got != tt.latest {
			t.Errorf("Latest(%q) = %q, want %q", tt.versions, got, tt.latest)
		}
		if got := Release(tt.versions); got != tt.release {
			t.Errorf("Release(%q) = %q, want %q", tt.versions, got, tt.release)
		}
	}
}

func TestIsSnapshotBaseVersion(t *testing.T) {
	for _, tt := range []struct {
		v    string
		snap bool
		base string
	}{
		{"1.0-SNAPSHOT", true, "1.0-SNAPSHOT"},
		{"1.0-snapshot", true, "1.0-snapshot"},
		{"1.0-20261121.052921-1", true, "1.0-SNAPSHOT"},
		{"20261121.052921-12", true, "SNAPSHOT"},
		{"1.0", false, "1.0"},
		{"1.0-20261121.05292-1", false, "1.0-20261121.05292-1"},
		{"1.0-20261121.052921-", false, "1.0-20261121.052921-"},
		{"1.020261121.052921-1", false, "1.020261121.052921-1"},
	} {
		if got := IsSnapshot(tt.v); got != tt.snap {
			t.Errorf("IsSnapshot(%q) = %v, want %v", tt.v, got, tt.snap)
		}
		if got := BaseVersion(tt.v); got != tt.base {
			t.Errorf("BaseVersion(%q) = %q, want %q", tt.v, got, tt.base)
		}
	}
}

func FuzzCompareVersions(f *testing.F) {
	for _, list := range orderedVersions {
		for i := 1; i < len(list); i++ {
			f.Add(list[i-1], list[i])
		}
	}
	f.Add("1..-.a1", "-")
	f.Fuzz(func(t *testing.T, a, b string) {
		if c := CompareVersions(a, a); c != 0 {
			t.Errorf("CompareVersions(%q, %q) = %d, want 0", a, a, c)
		}
		if ab, ba := sign(CompareVersions(a, b)), sign(CompareVersions(b, a)); ab != -ba {
			t.Errorf("CompareVersions(%q, %q) = %d but CompareVersions(%q, %q) = %d", a, b, ab, b, a, ba)
		}
	})
}
