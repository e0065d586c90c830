package restapi

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"arca"
	"arca/internal/meta"
)

// audited records a configuration, security or deletion change in the audit log: who (the
// caller), from where (the client's address as this node saw it; behind a load balancer, the
// balancer's, with the X-Forwarded-For it sent in the detail), what and on what. detail must
// hold no secret. A failure to record is logged, not returned: the change is made already.
func (a *API) audited(r *http.Request, action, target, detail string) {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
		if detail != "" {
			detail += "; "
		}
		detail += "forwarded for " + fwd
	}
	e := meta.AuditEvent{At: a.Now(), Node: a.NodeID, User: PrincipalFrom(r.Context()).Name, Address: addr,
		Action: action, Target: target, Detail: detail}
	if _, err := a.Meta.AddAudit(context.WithoutCancel(r.Context()), e); err != nil {
		a.Log.Error("recording an audit event failed", "action", action, "target", target, "err", err)
	}
}

// auditEventJSON is one event of GET /api/system/audit.
type auditEventJSON struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Node    string    `json:"node"`
	User    string    `json:"user"`
	Address string    `json:"address"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Detail  string    `json:"detail,omitempty"`
}

// AuditLog handles GET /api/system/audit (admin): the audit log of every node, oldest first,
// limit events (default 100, at most 1000) after the event id after, from since on (RFC 3339).
// "next" is the id to pass as after for the following page (0 when this one is the last).
func (a *API) AuditLog(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	q := query(r)
	limit, after := 100, int64(0)
	var since time.Time
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return arca.Errorf(arca.ErrInvalid, "limit: %q is not a number from 1 to 1000", v)
		}
		limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return arca.Errorf(arca.ErrInvalid, "after: %q is not an event id", v)
		}
		after = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return arca.Errorf(arca.ErrInvalid, "since: %q is not an RFC 3339 time (2026-01-02T15:04:05Z)", v)
		}
		since = t
	}
	events, err := a.Meta.AuditEvents(r.Context(), since, after, limit+1)
	if err != nil {
		return err
	}
	next := int64(0)
	if len(events) > limit {
		events = events[:limit]
		next = events[limit-1].ID
	}
	out := struct {
		Events []auditEventJSON `json:"events"`
		Next   int64            `json:"next"`
	}{Events: []auditEventJSON{}, Next: next}
	for _, e := range events {
		out.Events = append(out.Events, auditEventJSON{e.ID, e.At, e.Node, e.User, e.Address, e.Action, e.Target, e.Detail})
	}
	return writeJSON(w, http.StatusOK, out)
}
