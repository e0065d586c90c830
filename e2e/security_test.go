package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"arca/internal/config"
)

func TestGeneratedAdminPassword(t *testing.T) {
	s := start(t, func(c *config.Config) { c.AdminPassword = "" })
	if s.app.AdminPasswordFile == "" {
		t.Fatal("no admin password file reported")
	}
	pw := readFile(t, s.app.AdminPasswordFile)
	if len(pw) < 16 {
		t.Fatalf("generated password %q is too short", pw)
	}
	s.must(200, req{method: "GET", path: "/api/system/version", user: "admin:" + pw})
	s.must(401, req{method: "GET", path: "/api/system/version", user: "admin:" + adminPassword})
}

func TestAnonymousAccess(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.put("/libs/a.txt", "a")
	r := s.must(401, req{method: "GET", path: "/libs/a.txt", user: "-"})
	if !strings.Contains(r.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("401 without a Basic challenge: %v", r.Header)
	}
	s.must(200, req{method: "GET", path: "/api/system/ping", user: "-"})
	s.must(401, req{method: "GET", path: "/libs/a.txt", user: "admin:wrong"})

	open := start(t, func(c *config.Config) { c.AnonymousAccess = true })
	open.local("libs")
	open.put("/libs/a.txt", "a")
	open.must(200, req{method: "GET", path: "/libs/a.txt", user: "-"})
	open.must(401, req{method: "PUT", path: "/libs/b.txt", body: strings.NewReader("b"), user: "-"})
	open.must(401, req{method: "GET", path: "/libs/a.txt", user: "admin:wrong"})
}

func TestUsersAndPermissions(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.must(201, req{method: "PUT", path: "/api/security/users/dev", body: strings.NewReader(`{"name":"dev","email":"d@x","password":"devpw"}`)})
	s.must(201, req{method: "PUT", path: "/libs/dev.txt", body: strings.NewReader("d"), user: "dev:devpw"})
	s.must(200, req{method: "GET", path: "/libs/dev.txt", user: "dev:devpw"})
	s.must(403, req{method: "PUT", path: "/api/repositories/other", body: strings.NewReader(`{"rclass":"local","packageType":"generic"}`), user: "dev:devpw"})
	// A changed password takes effect at once, despite the authentication cache.
	s.must(200, req{method: "POST", path: "/api/security/users/dev", body: strings.NewReader(`{"password":"newpw"}`)})
	s.must(401, req{method: "GET", path: "/libs/dev.txt", user: "dev:devpw"})
	s.must(200, req{method: "GET", path: "/libs/dev.txt", user: "dev:newpw"})
	s.must(200, req{method: "DELETE", path: "/api/security/users/dev"})
	s.must(401, req{method: "GET", path: "/libs/dev.txt", user: "dev:newpw"})
}

func TestAccessTokens(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.put("/libs/a.txt", "a")
	form := url.Values{"username": {"admin"}, "scope": {"member-of-groups:*"}, "expires_in": {"3600"}, "refreshable": {"true"}}
	r := s.must(200, req{method: "POST", path: "/api/security/token", body: strings.NewReader(form.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
		TokenType    string `json:"token_type"`
	}
	r.json(t, &tok)
	parts := strings.Split(tok.AccessToken, ".")
	if len(parts) != 3 || tok.TokenType != "Bearer" || tok.RefreshToken == "" {
		t.Fatalf("token response: %s", r.body)
	}
	// JFrog clients decode the payload with standard base64, unpadded, and read exp.
	payload, err := base64.RawStdEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload is not std base64: %v", err)
	}
	var claims struct{ Exp int64 }
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Exp == 0 {
		t.Fatalf("claims %s: %v", payload, err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + tok.AccessToken}
	s.must(200, req{method: "GET", path: "/libs/a.txt", user: "-", header: bearer})
	s.must(200, req{method: "GET", path: "/libs/a.txt", user: "admin:" + tok.AccessToken})

	s.must(200, req{method: "POST", path: "/api/security/token/revoke", body: strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	s.must(401, req{method: "GET", path: "/libs/a.txt", user: "-", header: bearer})
	s.must(401, req{method: "GET", path: "/libs/a.txt", user: "-", header: map[string]string{"Authorization": "Bearer not.a.token"}})
}

func TestSystemEndpoints(t *testing.T) {
	s := start(t)
	if got := s.must(200, req{method: "GET", path: "/api/system/ping"}).text(); got != "OK" {
		t.Errorf("ping = %q", got)
	}
	var v struct{ Version string }
	s.must(200, req{method: "GET", path: "/api/system/version"}).json(t, &v)
	if !strings.HasPrefix(v.Version, "7.") {
		t.Errorf("version = %q", v.Version)
	}
	if got := s.must(200, req{method: "GET", path: "/api/v1/uploads/config"}).text(); strings.TrimSpace(got) != `{"supported":false}` {
		t.Errorf("uploads/config = %q", got)
	}
}

func TestAnonymousSwitchAtRunTime(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.put("/libs/a.txt", "a")
	s.must(401, req{method: "GET", path: "/libs/a.txt", user: "-"})
	s.must(200, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("security:\n  anonAccessEnabled: true\n"),
		header: map[string]string{"Content-Type": "application/yaml"}})
	s.must(200, req{method: "GET", path: "/libs/a.txt", user: "-"})
	if x := s.must(200, req{method: "GET", path: "/api/system/configuration"}).text(); !strings.Contains(x, "<anonAccessEnabled>true</anonAccessEnabled>") {
		t.Errorf("configuration XML: %s", x)
	}
	s.must(400, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("security:\n  anonAccessEnabled: maybe\n")})
	s.must(400, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("other:\n  x: 1\n")})
	s.must(200, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("security:\n  anonAccessEnabled: false\n")})
	s.must(401, req{method: "GET", path: "/libs/a.txt", user: "-"})
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	first := start(t, func(c *config.Config) { c.DataDir = dir })
	first.local("libs")
	first.put("/libs/keep.txt;p=1", "kept")
	first.must(200, req{method: "PATCH", path: "/api/system/configuration", body: strings.NewReader("security:\n  anonAccessEnabled: true\n")})
	first.must(200, req{method: "GET", path: "/libs/keep.txt"})
	id := first.must(200, req{method: "GET", path: "/api/system/service_id"}).text()
	if err := first.app.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}

	second := start(t, func(c *config.Config) { c.DataDir = dir })
	if got := second.must(200, req{method: "GET", path: "/libs/keep.txt", user: "-"}).text(); got != "kept" {
		t.Errorf("after restart: %q", got)
	}
	if got := second.must(200, req{method: "GET", path: "/api/system/service_id"}).text(); got != id {
		t.Errorf("instance id changed: %q → %q", id, got)
	}
	var st struct{ DownloadCount int }
	second.must(200, req{method: "GET", path: "/api/storage/libs/keep.txt?stats"}).json(t, &st)
	if st.DownloadCount != 2 {
		t.Errorf("download count after restart = %d, want 2 (one before, flushed on shutdown, one after)", st.DownloadCount)
	}
}
