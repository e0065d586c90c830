package restapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestParseMatrix(t *testing.T) {
	tests := []struct {
		in   string
		want arca.Properties
		bad  bool
	}{
		{"", arca.Properties{}, false},
		// What the JFrog CLI sends for --target-props "m=1,2;k=a b".
		{"k=a+b;m=1;m=2", arca.Properties{"k": {"a b"}, "m": {"1", "2"}}, false},
		{"flag", arca.Properties{"flag": {""}}, false},
		{"k=%3Bx%3D", arca.Properties{"k": {";x="}}, false},
		{";;k=v;", arca.Properties{"k": {"v"}}, false},
		{"=v", nil, true},
		{"k=%zz", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseMatrix(tt.in)
		if tt.bad {
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("ParseMatrix(%q) error = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseMatrix(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseMatrix(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestParseProperties(t *testing.T) {
	tests := []struct {
		in   string
		want arca.Properties
		bad  bool
	}{
		// The CLI's "c=3;d=x,y" after percent-decoding.
		{"c=3;d=x,y", arca.Properties{"c": {"3"}, "d": {"x", "y"}}, false},
		{`a=1\,2`, arca.Properties{"a": {"1,2"}}, false},
		{"a=1|b=2", arca.Properties{"a": {"1"}, "b": {"2"}}, false},
		{"a=", arca.Properties{"a": {""}}, false},
		{"a", arca.Properties{"a": {""}}, false},
		{`k\=x=v`, arca.Properties{"k=x": {"v"}}, false},
		{"a=x=y", arca.Properties{"a": {"x=y"}}, false},
		{"", nil, true},
		{"=v", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseProperties(tt.in)
		if tt.bad {
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("ParseProperties(%q) error = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseProperties(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseProperties(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestParsePropertyKeys(t *testing.T) {
	if d := cmp.Diff([]string{"a", "b,c"}, ParsePropertyKeys(`a,,b\,c`)); d != "" {
		t.Error(d)
	}
}

// escapeProp is the inverse of the properties encoding for one key or value.
func escapeProp(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "|", `\|`, "=", `\=`)
	return r.Replace(s)
}

// FuzzParseProperties checks that any key and values survive the properties encoding:
// escaping them, joining them, and parsing gives them back.
func FuzzParseProperties(f *testing.F) {
	f.Add("k", "v1", "v2")
	f.Add("a,b", `x\y`, ";|=")
	f.Fuzz(func(t *testing.T, key, v1, v2 string) {
		if strings.TrimSpace(key) == "" {
			return
		}
		in := escapeProp(key) + "=" + escapeProp(v1) + "," + escapeProp(v2)
		got, err := ParseProperties(in)
		if err != nil {
			t.Fatalf("ParseProperties(%q): %v", in, err)
		}
		if d := cmp.Diff(arca.Properties{key: {v1, v2}}, got); d != "" {
			t.Fatalf("ParseProperties(%q) (-want +got):\n%s", in, d)
		}
	})
}

// FuzzParseMatrix checks the matrix parser never panics and only fails with ErrInvalid.
func FuzzParseMatrix(f *testing.F) {
	for _, s := range []string{"k=v", "k=a+b;m=1;m=2", "=", ";;", "%", "k=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		props, err := ParseMatrix(in)
		if err != nil {
			if !errors.Is(err, arca.ErrInvalid) {
				t.Fatalf("ParseMatrix(%q): %v is not ErrInvalid", in, err)
			}
			return
		}
		for k := range props {
			if k == "" {
				t.Fatalf("ParseMatrix(%q) produced an empty key", in)
			}
		}
	})
}
