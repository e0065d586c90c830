package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"arca"
)

// TestHashPassword runs few bcrypt operations at the production cost: each takes seconds under
// the race detector.
func TestHashPassword(t *testing.T) {
	tests := []struct {
		name    string
		pw      string
		wrong   string // a password that must not match the hash
		wantErr error
	}{
		{"ordinary", "s3cret!", "s3cret", nil},
		// bcrypt reads 72 bytes; a 73-byte password with the same prefix must not match.
		{"72 bytes", strings.Repeat("x", 72), strings.Repeat("x", 73), nil},
		{"empty", "", "", arca.ErrInvalid},
		{"73 bytes", strings.Repeat("x", 73), "", arca.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword(tt.pw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("HashPassword error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != PasswordCost {
				t.Errorf("cost = %d, %v; want %d", cost, err, PasswordCost)
			}
			if !CheckPassword(h, tt.pw) {
				t.Error("CheckPassword(hash, pw) = false")
			}
			if CheckPassword(h, tt.wrong) {
				t.Errorf("CheckPassword(hash, %q) = true", tt.wrong)
			}
		})
	}
}

func TestCheckPasswordMalformedHash(t *testing.T) {
	for _, h := range []string{"", "plain", "$2a$10$short"} {
		if CheckPassword(h, "plain") {
			t.Errorf("CheckPassword(%q, …) = true", h)
		}
	}
}

func TestDummyHash(t *testing.T) {
	cost, err := bcrypt.Cost([]byte(dummyHash))
	if err != nil || cost != PasswordCost {
		t.Fatalf("dummyHash cost = %d, %v; want %d (it must cost what a real check costs)", cost, err, PasswordCost)
	}
}

func TestGeneratePassword(t *testing.T) {
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{24}$`)
	seen := map[string]bool{}
	for range 100 {
		pw, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if !urlSafe.MatchString(pw) {
			t.Fatalf("GeneratePassword() = %q, want 24 URL-safe characters", pw)
		}
		if looksLikeJWT(pw) {
			t.Fatalf("GeneratePassword() = %q looks like a JWT", pw)
		}
		if seen[pw] {
			t.Fatalf("GeneratePassword() repeated %q", pw)
		}
		seen[pw] = true
	}
}
