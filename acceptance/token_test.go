package acceptance

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jfrog/jfrog-client-go/artifactory/services"
	"github.com/jfrog/jfrog-client-go/auth"
)

// Flow "token login": the CLI, configured with user and password, creates a token through
// POST /api/security/token (form), decodes its payload to watch the expiry, and then sends
// "Authorization: Bearer" for every request. The token then drives a whole
// create-upload-search-download round, and is refreshed with the refresh token.
func TestAccessTokenFlow(t *testing.T) {
	t.Parallel()
	basic := newClient(t)
	params := services.NewCreateTokenParams()
	params.Username = adminUser
	params.Scope = "member-of-groups:*"
	params.ExpiresIn = 3600
	params.Refreshable = true
	before := time.Now().Unix()
	tok, err := basic.CreateToken(params)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}

	posts := basic.rec.find(http.MethodPost, pathIs("api/security/token"))
	if len(posts) != 1 || posts[0].Status != http.StatusOK {
		t.Fatalf("want one POST api/security/token answered 200, got:%s", basic.rec.dump())
	}

	checkTokenResponse(t, tok, before, 3600)
	if tok.RefreshToken == "" {
		t.Errorf("refreshable=true but no refresh_token in the answer")
	}

	// The token, alone, is enough for a complete round trip.
	tc := newTokenClient(t, tok.AccessToken)
	if _, err := tc.Ping(); err != nil {
		t.Fatalf("Ping with the token: %v", err)
	}
	repo := uniqueKey(t, "local")
	createGenericLocal(t, tc, repo)
	data := []byte("deployed with a bearer token\n")
	deploy(t, tc, repo, "via=token", map[string][]byte{"tok/a.txt": data})
	if got := searchPaths(t, tc, repo+"/tok/*"); len(got) != 1 || got[0] != "tok/a.txt" {
		t.Errorf("search with the token = %v, want [tok/a.txt]", got)
	}
	out := t.TempDir()
	dl := services.NewDownloadParams()
	dl.Pattern = repo + "/tok/a.txt"
	dl.Target = out + "/"
	dl.Flat = true
	if n, failed, err := tc.DownloadFiles(dl); err != nil || n != 1 || failed != 0 {
		t.Fatalf("DownloadFiles with the token: downloaded %d, failed %d, err %v", n, failed, err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "a.txt")); err != nil || !bytes.Equal(got, data) {
		t.Errorf("downloaded %q (err %v), want %q", got, err, data)
	}

	// Every request of that round carried the token and nothing else.
	all := tc.rec.find("", func(string) bool { return true })
	if len(all) == 0 {
		t.Fatal("no requests recorded")
	}
	for _, ex := range all {
		if got := ex.Header.Get("Authorization"); got != "Bearer "+tok.AccessToken {
			t.Errorf("%s: Authorization = %.20q…, want the Bearer token", ex, got)
		}
		if ex.Status == http.StatusUnauthorized || ex.Status == http.StatusForbidden {
			t.Errorf("%s: refused with the token", ex)
		}
	}

	// Refresh: grant_type=refresh_token&refresh_token=…&access_token=… gives a new working token.
	rp := services.NewArtifactoryRefreshTokenParams()
	rp.RefreshToken = tok.RefreshToken
	rp.AccessToken = tok.AccessToken
	before = time.Now().Unix()
	refreshed, err := basic.RefreshToken(rp)
	if err != nil {
		t.Fatalf("RefreshToken: %v", err)
	}
	checkTokenResponse(t, refreshed, before, 0)
	if refreshed.AccessToken == tok.AccessToken {
		t.Errorf("refresh returned the same access token")
	}
	if _, err := newTokenClient(t, refreshed.AccessToken).GetVersion(); err != nil {
		t.Errorf("GetVersion with the refreshed token: %v", err)
	}
}

// checkTokenResponse checks a token answer the way the CLI reads it: a JWT of three parts whose
// payload is standard base64 without padding, with exp (and iat) in Unix seconds and the user in
// sub ("jfrt@<id>/users/<user>"). expiresIn 0 accepts any positive lifetime.
func checkTokenResponse(t *testing.T, tok auth.CreateTokenResponseData, issuedAfter int64, expiresIn int) {
	t.Helper()
	if tok.TokenType != "Bearer" {
		t.Errorf("token_type = %q, want Bearer", tok.TokenType)
	}
	if tok.ExpiresIn == nil || *tok.ExpiresIn == 0 || (expiresIn != 0 && int(*tok.ExpiresIn) != expiresIn) {
		t.Errorf("expires_in = %v, want %d", ptrString(tok.ExpiresIn), expiresIn)
	}
	if expiresIn == 0 && tok.ExpiresIn != nil {
		expiresIn = int(*tok.ExpiresIn)
	}
	if tok.Scope != "member-of-groups:*" {
		t.Errorf("scope = %q, want member-of-groups:*", tok.Scope)
	}
	if n := len(strings.Split(tok.AccessToken, ".")); n != 3 {
		t.Fatalf("access_token has %d dot-separated parts, want 3 (a JWT): %.40q…", n, tok.AccessToken)
	}
	// The library's own parser: base64.RawStdEncoding on part 2, then exp - iat.
	lifetime, err := auth.ExtractExpiryFromAccessToken(tok.AccessToken)
	if err != nil {
		t.Fatalf("the client cannot decode the token payload: %v", err)
	}
	if lifetime != expiresIn {
		t.Errorf("token exp - iat = %d, want %d", lifetime, expiresIn)
	}
	left, err := auth.GetTokenMinutesLeft(tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	// exp must be about issuedAfter + expiresIn (a minute of slack either way).
	if wantMin := int64(expiresIn)/60 - 2; left < wantMin || left > int64(expiresIn)/60+1 {
		t.Errorf("token has %d minutes left, want about %d (issued after %d)", left, expiresIn/60, issuedAfter)
	}
	if user := auth.ExtractUsernameFromAccessToken(tok.AccessToken); user != adminUser {
		t.Errorf("username from the token's sub = %q, want %q", user, adminUser)
	}
}

func ptrString(p *uint) string {
	if p == nil {
		return "absent"
	}
	return strconv.FormatUint(uint64(*p), 10)
}
