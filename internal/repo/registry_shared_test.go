package repo

import (
	"testing"

	"arca/internal/format"
	"arca/internal/format/generic"
	"arca/internal/repoconfig"
)

// TestRegistriesSharingAStore: two registries on one store stand for two nodes whose notices
// have not arrived yet. The second creates a virtual over a member only the first knows (it
// finds the member in the store), and Refresh brings a change of the first into the second.
func TestRegistriesSharingAStore(t *testing.T) {
	a := newFixture(t)
	b := *a
	var err error
	b.reg, err = NewRegistry(a.ctx, a.reg.meta, a.reg.blobs, format.NewRegistry(generic.Format{}), a.reg.now, a.reg.log, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.create("libs", `{"rclass":"local","packageType":"generic"}`)
	(&b).create("all", `{"rclass":"virtual","packageType":"generic","repositories":["libs"]}`)
	if _, err := b.reg.Get("libs"); err != nil {
		t.Errorf("b does not serve the member it found in the store: %v", err)
	}

	cfg, err := repoconfig.Parse("libs", []byte(`{"rclass":"local","packageType":"generic","description":"changed on a"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.reg.Update(a.ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := b.reg.Refresh(a.ctx, "libs"); err != nil {
		t.Fatal(err)
	}
	if rep, err := b.reg.Get("libs"); err != nil || rep.Config().Description() != "changed on a" {
		t.Errorf("after Refresh b serves %v, %v; want the description changed on a", rep, err)
	}
	if err := a.reg.Delete(a.ctx, "all"); err != nil {
		t.Fatal(err)
	}
	if err := b.reg.RefreshAll(a.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.reg.Get("all"); err == nil {
		t.Error("after RefreshAll b still serves the virtual a deleted")
	}
}
