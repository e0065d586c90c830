package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"arca"
)

// PasswordCost is the bcrypt cost of stored password hashes (about 50 ms per check on current
// hardware, which is why the Authenticator caches successful checks).
const PasswordCost = 10

// maxPasswordLen is bcrypt's input limit; longer passwords would be silently truncated by older
// implementations and are rejected by newer ones, so Arca refuses them up front.
const maxPasswordLen = 72

// HashPassword returns the bcrypt hash of pw. An empty password or one longer than 72 bytes is
// arca.ErrInvalid.
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", arca.Errorf(arca.ErrInvalid, "password must not be empty")
	}
	if len(pw) > maxPasswordLen {
		return "", arca.Errorf(arca.ErrInvalid, "password must be at most %d bytes", maxPasswordLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches the bcrypt hash. A malformed hash never matches, nor
// does a password longer than 72 bytes (bcrypt would compare only its first 72 bytes).
func CheckPassword(hash, pw string) bool {
	if len(pw) > maxPasswordLen {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// GeneratePassword returns a random password of 24 URL-safe characters (144 bits from
// crypto/rand), safe to print, paste into a shell and send in a Basic header.
func GeneratePassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// dummyHash is a bcrypt hash with the cost of stored hashes. The Authenticator checks the
// password of an unknown user against it (and discards the result), so that "no such user" costs
// as much time as "wrong password" and response times do not reveal which user names exist.
const dummyHash = "$2a$10$JsiY0k3FZA53iIWrcB982uw1Oa9gyt.gHM/nXPQ3m9SKdeP2PwJrC"
