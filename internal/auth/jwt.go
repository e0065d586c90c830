package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// claims is the payload of an Arca access token, with Artifactory's claim names and order.
// Exp is omitted for a non-expiring token, as Artifactory does.
type claims struct {
	Sub string `json:"sub"` // jfrt@<instance id>/users/<user>
	Scp string `json:"scp"`
	Aud string `json:"aud"` // "*@*": valid on every service of every instance
	Iss string `json:"iss"` // jfrt@<instance id>
	Exp int64  `json:"exp,omitempty"`
	Iat int64  `json:"iat"`
	Jti string `json:"jti"`
}

// signer makes and checks HS256 JWTs with one key.
type signer struct {
	key    []byte
	kid    string
	header string // the encoded header, the same for every token signed with key
}

func newSigner(key []byte) *signer {
	sum := sha256.Sum256(key)
	kid := hex.EncodeToString(sum[:8]) // names the key without revealing it, for future rotation
	h, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
		Kid string `json:"kid"`
	}{"HS256", "JWT", kid}) // cannot fail: three strings
	return &signer{key: key, kid: kid, header: base64.RawURLEncoding.EncodeToString(jsonASCII(h))}
}

// sign returns the compact JWT for c.
//
// JFrog's clients decode the payload with base64.RawStdEncoding, not the base64url that JWTs
// use. The two alphabets differ only in the characters for the sextets 62 and 63 ('+' '/' versus
// '-' '_'), so the payload must encode without those sextets; jsonASCII guarantees it
// deterministically, without retries (see there).
func (s *signer) sign(c claims) (string, error) {
	p, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	input := s.header + "." + base64.RawURLEncoding.EncodeToString(jsonASCII(p))
	return input + "." + s.mac(input), nil
}

// mac is the encoded HMAC-SHA256 of the signing input "header.payload".
func (s *signer) mac(input string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(input))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var (
	errMalformed = errors.New("malformed token")
	errKey       = errors.New("unknown signing key")
	errSignature = errors.New("bad signature")
)

// parse checks the structure, the header and the signature of token and returns its claims. It
// does not check expiry or revocation. The signature comparison is constant-time, and the
// signature must be the canonical encoding, so a token string has exactly one valid spelling
// (its sha256 is what the token record stores).
func (s *signer) parse(token string) (claims, error) {
	header, rest, ok := strings.Cut(token, ".")
	if !ok {
		return claims{}, errMalformed
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(sig, '.') >= 0 {
		return claims{}, errMalformed
	}
	if header != s.header {
		return claims{}, errKey
	}
	want := s.mac(token[:len(header)+1+len(payload)])
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return claims{}, errSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return claims{}, errMalformed
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return claims{}, errMalformed
	}
	return c, nil
}

// jsonASCII rewrites JSON produced by encoding/json so that its base64url encoding contains no
// '-' or '_' and is therefore also valid standard base64.
//
// Why this suffices: base64 maps each 3-byte group b0 b1 b2 to the sextets b0>>2,
// (b0&3)<<4|b1>>4, (b1&15)<<2|b2>>6 and b2&63. For ASCII bytes (< 0x80) the first three are at
// most 31, 55 and 61, so only the last can be 62 or 63, and only when b2 is one of '>' (0x3E),
// '?' (0x3F), '~' (0x7E) or DEL (0x7F). A trailing group of one or two bytes has no fourth
// sextet. So JSON that is pure ASCII without those four characters always encodes clean, at any
// alignment. Outside string literals JSON never contains them (structural characters, numbers,
// true/false/null), so escaping them and every non-ASCII rune as \uXXXX inside strings gives an
// equivalent document; the escape sequences themselves use only '\', 'u', digits and a-f.
func jsonASCII(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c >= utf8.RuneSelf || needsEscape(c) {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf && !needsEscape(c) {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:]) // encoding/json emits valid UTF-8
		i += size
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = appendUEscape(appendUEscape(out, r1), r2)
			continue
		}
		out = appendUEscape(out, r)
	}
	return out
}

func needsEscape(c byte) bool { return c == '>' || c == '?' || c == '~' || c == 0x7f }

func appendUEscape(out []byte, r rune) []byte {
	const hexDigits = "0123456789abcdef"
	return append(out, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
