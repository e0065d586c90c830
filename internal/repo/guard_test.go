package repo

import (
	"testing"

	"arca/internal/format"
)

func TestDependencyConfusionGuard(t *testing.T) {
	f := newFixture(t)
	f.local("internal", "generic")
	f.remote("public", "generic")
	f.virtual("v", "generic", []string{"internal", "public"})
	f.virtual("open", "generic", []string{"internal", "public"}, `,"dependencyConfusionGuard":false`)
	f.put("internal", "acme/1.0/acme.tgz", "ours")
	f.put("public-cache", "acme/6.6/acme.tgz", "theirs")
	f.put("public-cache", "lodash/4.0/lodash.tgz", "public")
	f.mustMiss(f.ctx, "v", "acme/6.6/acme.tgz")
	f.mustRead("v", "acme/1.0/acme.tgz", "ours", "internal")
	f.mustRead("v", "lodash/4.0/lodash.tgz", "public", "public-cache")
	f.mustRead("open", "acme/6.6/acme.tgz", "theirs", "public-cache")

	// Every view agrees: the listing hides what a download refuses, and only that.
	if got := f.list("v", "", true); got != "internal:acme/1.0/acme.tgz public-cache:lodash/4.0/lodash.tgz" {
		t.Errorf("guarded list = %s", got)
	}
	if got := f.list("open", "", true); got != "internal:acme/1.0/acme.tgz public-cache:acme/6.6/acme.tgz public-cache:lodash/4.0/lodash.tgz" {
		t.Errorf("unguarded list = %s", got)
	}
	// An explicit include pattern on the remote lets one name through.
	f.remote("trusted", "generic", `,"includesPattern":"acme/6.6/**"`)
	f.virtual("let", "generic", []string{"internal", "trusted"})
	f.put("trusted-cache", "acme/6.6/acme.tgz", "vouched")
	f.mustRead("let", "acme/6.6/acme.tgz", "vouched", "trusted-cache")
	if got := f.list("let", "", true); got != "internal:acme/1.0/acme.tgz trusted-cache:acme/6.6/acme.tgz" {
		t.Errorf("list through the trusting virtual = %s", got)
	}
	// The refusal is noted for the response header.
	ctx, note := format.WithGuardNote(f.ctx)
	f.mustMiss(ctx, "v", "acme/6.6/acme.tgz")
	if got := note.Members(); len(got) != 1 || got[0] != "internal" {
		t.Errorf("guard note = %v, want [internal]", got)
	}
}

// TestGuardDefaultIsTheFormats: unset, the guard follows the format (off for Maven, whose
// public registry verifies groupIds); set, the virtual's setting wins either way.
func TestGuardDefaultIsTheFormats(t *testing.T) {
	f := newFixture(t)
	f.local("ml", "maven")
	f.remote("mr", "maven")
	f.virtual("mv", "maven", []string{"ml", "mr"})
	f.virtual("mv-on", "maven", []string{"ml", "mr"}, `,"dependencyConfusionGuard":true`)
	f.put("ml", "org/acme/lib/1.0/lib-1.0.jar", "patched")
	f.put("mr-cache", "org/acme/lib/2.0/lib-2.0.jar", "upstream")
	f.mustRead("mv", "org/acme/lib/2.0/lib-2.0.jar", "upstream", "mr-cache")
	f.mustMiss(f.ctx, "mv-on", "org/acme/lib/2.0/lib-2.0.jar")
}
