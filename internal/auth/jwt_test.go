package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestJSONASCIIAlignment checks the lemma jsonASCII relies on, over every 3-byte ASCII group
// whose bytes can appear in its output (b0 matters only through its low two bits).
func TestJSONASCIIAlignment(t *testing.T) {
	for b0 := 0x3c; b0 <= 0x3f; b0++ {
		for b1 := range 0x80 {
			for b2 := range 0x80 {
				if needsEscape(byte(b2)) {
					continue
				}
				enc := base64.RawURLEncoding.EncodeToString([]byte{byte(b0), byte(b1), byte(b2)})
				if strings.ContainsAny(enc, "-_") {
					t.Fatalf("% x encodes to %q", []byte{byte(b0), byte(b1), byte(b2)}, enc)
				}
			}
		}
	}
}

func TestJSONASCII(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"b"}`, `{"a":"b"}`},
		{`{"a":"x?y~z` + "\x7f" + `"}`, `{"a":"x\u003fy\u007ez\u007f"}`},
		{`{"a":"\u003e"}`, `{"a":"\u003e"}`},
		{`{"a":"é✓"}`, `{"a":"\u00e9\u2713"}`},
		{`{"a":"😀"}`, `{"a":"\ud83d\ude00"}`},
	}
	for _, tt := range tests {
		got := string(jsonASCII([]byte(tt.in)))
		if got != tt.want {
			t.Errorf("jsonASCII(%s) = %s, want %s", tt.in, got, tt.want)
		}
		var a, b any
		if err := json.Unmarshal([]byte(tt.in), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(got), &b); err != nil {
			t.Fatalf("jsonASCII(%s) is not JSON: %v", tt.in, err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("jsonASCII(%s) changed the value (-in +out):\n%s", tt.in, diff)
		}
	}
}

// jfrogPayload decodes a token's payload exactly as jfrog-client-go does
// (auth.extractPayloadFromAccessToken): split on '.', RawStdEncoding, json.Unmarshal.
func jfrogPayload(t testing.TB, token string) claims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	raw, err := base64.RawStdEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload %q is not unpadded standard base64: %v", parts[1], err)
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("payload %s: %v", raw, err)
	}
	return c
}

func TestTokensDecodeAsStdBase64(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n = 2000
	for i := range n {
		// Vary the clock and the lifetime too, so iat/exp and the payload length move the
		// alignment of every field.
		f.clock.advance(time.Duration(i%7) * time.Second)
		iss, err := f.tokens.Issue(ctx, "alice", "member-of-groups:*", time.Duration(1+i%5000)*time.Second, i%2 == 0)
		if err != nil {
			t.Fatal(err)
		}
		c := jfrogPayload(t, iss.AccessToken)
		if c.Exp-c.Iat != iss.ExpiresIn || c.Exp == 0 {
			t.Fatalf("exp-iat = %d, want %d", c.Exp-c.Iat, iss.ExpiresIn)
		}
	}
}

func TestTokensDecodeAsStdBase64HostileStrings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	subjects := []string{"a>b", "q?", "~tilde~", "del\x7f", "ünïcödé", "emoji😀", "a\"quote", "back\\slash", "<&>", "???>>>~~~"}
	scopes := []string{"", "member-of-groups:*", "applied-permissions/admin", "???", ">>>", "~~~", "é", "x y ? z"}
	for _, sub := range subjects {
		for _, scp := range scopes {
			for pad := range 3 { // shift the alignment of the subject
				subject := strings.Repeat("p", pad) + sub
				iss, err := f.tokens.Issue(ctx, subject, scp, time.Hour, false)
				if err != nil {
					t.Fatal(err)
				}
				c := jfrogPayload(t, iss.AccessToken)
				want := "jfrt@" + testInstance + "/users/" + subject
				if c.Sub != want || c.Scp != scp {
					t.Fatalf("decoded sub, scp = %q, %q; want %q, %q", c.Sub, c.Scp, want, scp)
				}
			}
		}
	}
}

func TestTokenShape(t *testing.T) {
	f := newFixture(t)
	iss, err := f.tokens.Issue(context.Background(), "alice", "member-of-groups:*", time.Hour, true)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(iss.AccessToken, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var header map[string]string
	if err := json.Unmarshal(raw, &header); err != nil {
		t.Fatal(err)
	}
	if header["alg"] != "HS256" || header["typ"] != "JWT" || header["kid"] == "" {
		t.Errorf("header = %v", header)
	}
	c := jfrogPayload(t, iss.AccessToken)
	iat := f.clock.now().Unix()
	want := claims{
		Sub: "jfrt@" + testInstance + "/users/alice",
		Scp: "member-of-groups:*",
		Aud: "*@*",
		Iss: "jfrt@" + testInstance,
		Iat: iat,
		Exp: iat + 3600,
		Jti: c.Jti,
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}
