package metatest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

func (h harness) audit(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	events := []meta.AuditEvent{
		{At: at(1), Node: "n1", User: "admin", Address: "10.0.0.9", Action: "repository.create", Target: "libs", Detail: "local generic"},
		{At: at(2), Node: "n2", User: "alice", Address: "10.0.0.8", Action: "item.delete", Target: "libs/a.jar"},
		{At: at(3), Node: "n1", User: "admin", Address: "10.0.0.9", Action: "user.delete", Target: "bob"},
	}
	var last int64
	for i := range events {
		id, err := st.AddAudit(ctx, events[i])
		must(t, "AddAudit", err)
		if id <= last {
			t.Fatalf("AddAudit returned id %d after %d: want increasing ids", id, last)
		}
		events[i].ID, last = id, id
	}
	_, err := st.AddAudit(ctx, meta.AuditEvent{At: at(4)})
	wantErr(t, "AddAudit(no action)", err, arca.ErrInvalid)

	got, err := st.AuditEvents(ctx, at(0), 0, 10)
	must(t, "AuditEvents", err)
	if d := cmp.Diff(events, got); d != "" {
		t.Errorf("AuditEvents (-want +got):\n%s", d)
	}
	got, err = st.AuditEvents(ctx, at(0), events[0].ID, 1) // the next page, of one
	must(t, "AuditEvents(after)", err)
	if d := cmp.Diff(events[1:2], got); d != "" {
		t.Errorf("AuditEvents(after the first, limit 1) (-want +got):\n%s", d)
	}
	got, err = st.AuditEvents(ctx, at(3), 0, 10)
	must(t, "AuditEvents(since)", err)
	if d := cmp.Diff(events[2:], got); d != "" {
		t.Errorf("AuditEvents(since) (-want +got):\n%s", d)
	}
}
