package metatest

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"arca/internal/meta"
)

func (h harness) cluster(t *testing.T) {
	t.Run("Nodes", h.nodes)
	t.Run("Leases", h.leases)
	t.Run("LeaseRace", h.leaseRace)
}

func (h harness) nodes(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	a := meta.Node{ID: "node-a", Address: "10.0.0.1:8081", Version: "v1", Started: at(0), Heartbeat: at(10)}
	b := meta.Node{ID: "node-b", Address: "10.0.0.2:8081", Version: "v1", Started: at(1), Heartbeat: at(5)}
	must(t, "Heartbeat", st.Heartbeat(ctx, b))
	must(t, "Heartbeat", st.Heartbeat(ctx, a))
	got, err := st.Nodes(ctx, at(0))
	must(t, "Nodes", err)
	if d := cmp.Diff([]meta.Node{a, b}, got); d != "" {
		t.Errorf("Nodes (-want +got):\n%s", d)
	}
	b.Heartbeat, b.Version = at(20), "v2" // a later heartbeat replaces the row
	must(t, "Heartbeat", st.Heartbeat(ctx, b))
	got, err = st.Nodes(ctx, at(11)) // a's last heartbeat is too old
	must(t, "Nodes", err)
	if d := cmp.Diff([]meta.Node{b}, got); d != "" {
		t.Errorf("Nodes(since) (-want +got):\n%s", d)
	}
	must(t, "RemoveNode", st.RemoveNode(ctx, "node-b"))
	must(t, "RemoveNode(unknown)", st.RemoveNode(ctx, "node-b"))
	got, err = st.Nodes(ctx, at(0))
	must(t, "Nodes", err)
	if d := cmp.Diff([]meta.Node{a}, got); d != "" {
		t.Errorf("after RemoveNode (-want +got):\n%s", d)
	}
}

func (h harness) leases(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	holder, exp, err := st.Lease(ctx, "background")
	must(t, "Lease(never held)", err)
	if holder != "" || !exp.IsZero() {
		t.Errorf("Lease of a lease never held = %q, %v", holder, exp)
	}
	for _, step := range []struct {
		what, holder string
		now, until   int
		want         bool
	}{
		{"free: a takes it", "a", 0, 15, true},
		{"held: b is refused", "b", 5, 20, false},
		{"a renews", "a", 10, 25, true},
		{"still held: b is refused", "b", 24, 40, false},
		{"expired: b takes it over", "b", 26, 40, true},
		{"now b's: a is refused", "a", 27, 42, false},
	} {
		got, err := st.AcquireLease(ctx, "background", step.holder, at(step.now), at(step.until))
		must(t, "AcquireLease", err)
		if got != step.want {
			t.Errorf("%s: AcquireLease = %v, want %v", step.what, got, step.want)
		}
	}
	holder, exp, err = st.Lease(ctx, "background")
	must(t, "Lease", err)
	if holder != "b" || !exp.Equal(at(40)) {
		t.Errorf("Lease = %q until %v, want b until %v", holder, exp, at(40))
	}
	must(t, "ReleaseLease(not the holder)", st.ReleaseLease(ctx, "background", "a"))
	if holder, _, _ := st.Lease(ctx, "background"); holder != "b" {
		t.Errorf("a released b's lease: holder now %q", holder)
	}
	must(t, "ReleaseLease", st.ReleaseLease(ctx, "background", "b"))
	if ok, err := st.AcquireLease(ctx, "background", "a", at(28), at(43)); err != nil || !ok {
		t.Errorf("after b released it: AcquireLease(a) = %v, %v; want it", ok, err)
	}
	if ok, err := st.AcquireLease(ctx, "other", "b", at(28), at(43)); err != nil || !ok {
		t.Errorf("another lease name: AcquireLease(b) = %v, %v; want it", ok, err)
	}
}

// leaseRace: of many holders asking for a free lease at once, exactly one gets it.
func (h harness) leaseRace(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	const n = 16
	won := make([]bool, n)
	var g errgroup.Group
	for i := range n {
		g.Go(func() (err error) {
			won[i], err = st.AcquireLease(ctx, "race", fmt.Sprintf("node-%d", i), at(0), at(15))
			return err
		})
	}
	must(t, "AcquireLease", g.Wait())
	winners := 0
	for _, w := range won {
		if w {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent AcquireLease calls got the lease, want 1", winners, n)
	}
}
