package e2e

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// auditLog is GET /api/system/audit.
type auditLog struct {
	Events []struct {
		ID                                          int64
		Node, User, Address, Action, Target, Detail string
	}
	Next int64
}

// TestAuditLog: configuration, security and deletion changes are recorded with who, from where
// and on what, for admins to read page by page; a token is never recorded.
func TestAuditLog(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.put("/libs/a.txt", "a")
	s.must(204, req{method: "DELETE", path: "/libs/a.txt"})
	s.put("/libs/b.txt", "b")
	s.must(200, req{method: "POST", path: "/api/move/libs/b.txt?to=/libs/moved/b.txt"})
	s.must(201, req{method: "PUT", path: "/api/security/users/dev", body: strings.NewReader(`{"name":"dev","email":"d@x","password":"devpw"}`)})
	s.must(200, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("security:\n  anonAccessEnabled: true\n")})
	s.must(200, req{method: "DELETE", path: "/api/security/users/dev"})
	s.must(200, req{method: "DELETE", path: "/api/repositories/libs"})

	s.must(401, req{method: "GET", path: "/api/system/audit", user: "-"})
	var log auditLog
	s.must(200, req{method: "GET", path: "/api/system/audit"}).json(t, &log)
	var got []string
	for _, e := range log.Events {
		got = append(got, e.Action+" "+e.Target)
		if e.User != "admin" || e.Address != "127.0.0.1" || e.Node == "" {
			t.Errorf("event %+v: want admin from 127.0.0.1 on a named node", e)
		}
	}
	want := []string{"repository.create libs", "item.delete libs/a.txt", "item.move libs/b.txt", "user.create dev",
		"configuration.update security.anonAccessEnabled", "user.delete dev", "repository.delete libs"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if log.Events[3].Detail != "password set" {
		t.Errorf("user.create detail %q", log.Events[3].Detail)
	}

	var page auditLog
	s.must(200, req{method: "GET", path: "/api/system/audit?limit=2"}).json(t, &page)
	if len(page.Events) != 2 || page.Next != page.Events[1].ID {
		t.Fatalf("first page of 2: %+v", page)
	}
	s.must(200, req{method: "GET", path: "/api/system/audit?limit=5&after=" + strconv.FormatInt(page.Next, 10)}).json(t, &page)
	if len(page.Events) != 5 || page.Next != 0 || page.Events[0].Action != "item.move" {
		t.Errorf("second page: %+v; want the other 5 and no next", page)
	}
	s.must(400, req{method: "GET", path: "/api/system/audit?limit=0"})

	form := url.Values{"username": {"admin"}, "expires_in": {"60"}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	formHeader := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	s.must(200, req{method: "POST", path: "/api/security/token", body: strings.NewReader(form.Encode()), header: formHeader}).json(t, &tok)
	s.must(200, req{method: "POST", path: "/api/security/token/revoke", body: strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()), header: formHeader})
	text := s.must(200, req{method: "GET", path: "/api/system/audit?limit=1000"}).text()
	if !strings.Contains(text, `"token.create"`) || !strings.Contains(text, `"token.revoke"`) {
		t.Errorf("the token's creation and revocation are not in the audit log:\n%s", text)
	}
	if strings.Contains(text, tok.AccessToken) || strings.Contains(text, strings.Split(tok.AccessToken, ".")[2]) {
		t.Error("the audit log holds the token")
	}
}
