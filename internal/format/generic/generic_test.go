package generic

import (
	"testing"

	"arca/internal/format"
)

func TestClassify(t *testing.T) {
	tests := []struct{ path, pkg string }{
		{"acme/app/1.0/app.tgz", "acme"},
		{"readme.txt", "readme.txt"},
		{"", ""},
	}
	for _, tt := range tests {
		got := Format{}.Classify(tt.path)
		if got != (format.Path{Kind: format.Content, Package: tt.pkg, PackagePath: tt.pkg}) {
			t.Errorf("Classify(%q) = %+v, want content of package %q", tt.path, got, tt.pkg)
		}
	}
}

func TestRegistryFallsBackToGeneric(t *testing.T) {
	r := format.NewRegistry(Format{})
	if r.For("maven").Name() != "generic" || r.For("GENERIC").Name() != "generic" {
		t.Error("unknown types must be served as generic")
	}
}
