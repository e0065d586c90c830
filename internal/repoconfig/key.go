package repoconfig

import (
	"fmt"
	"strings"

	"arca"
)

// The repository classes (Artifactory's rclass), lower-case as stored and as sent by clients.
const (
	Local     = "local"
	Remote    = "remote"
	Virtual   = "virtual"
	Federated = "federated"
)

// Key length limits. Remote (and federated) keys are shorter so that the "<key>-cache"
// repository of a remote still fits in 64 characters.
const (
	maxKeyLen       = 64
	maxRemoteKeyLen = 58
)

// reservedKeys are names Artifactory keeps for its own repositories, compared case-insensitively.
func reservedKeys() []string {
	return []string{
		".", "..", "&",
		"jfrog-usage-logs", "jfrog-billing-logs", "jfrog-logs", "artifactory-build-info",
		"artifactory-pipe-info", "auto-trashcan", "jfrog-support-bundle", "_intransit",
		"artifactory-edge-uploads", "release-bundles",
	}
}

// reservedKeyPrefixes are prefixes no repository key may start with, compared case-insensitively.
func reservedKeyPrefixes() []string {
	return []string{"jfrog-system-reserved", "jfrog-artifactory-system"}
}

// ValidateKey checks a repository key against Artifactory's naming rules for the given class
// (local, remote, virtual or federated, any case). rclass "" means the class is unknown (a
// virtual repository's member list, for example): the longest limit, 64, applies.
//
// It returns nil or one error wrapping arca.ErrInvalid whose message lists every rule the key
// breaks: empty; longer than 64 characters (58 for remote and federated, whose "-cache"
// counterpart must fit); a character other than an ASCII letter, digit, '-', '_' or '.'; a leading
// digit; a reserved name ("." , "..", "&", "jfrog-logs", …); a reserved prefix
// ("jfrog-system-reserved", "jfrog-artifactory-system"); or the suffix "-cache", which names a
// remote's cache. Comparisons ignore case. Uniqueness is the store's business, not checked here.
func ValidateKey(key, rclass string) error {
	limit, ok := keyLimit(strings.ToLower(rclass))
	if !ok {
		return arca.Errorf(arca.ErrInvalid, "unknown rclass %q", rclass)
	}
	if problems := keyProblems(key, limit); len(problems) > 0 {
		return arca.Errorf(arca.ErrInvalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

// keyLimit is the maximum key length for a lower-case class ("" when unknown).
func keyLimit(class string) (int, bool) {
	switch class {
	case Local, Virtual, "":
		return maxKeyLen, true
	case Remote, Federated:
		return maxRemoteKeyLen, true
	}
	return 0, false
}

// keyProblems lists every naming rule key breaks, each as a sentence naming the rule.
func keyProblems(key string, limit int) []string {
	if key == "" {
		return []string{"repository key must not be empty"}
	}
	var problems []string
	lower := strings.ToLower(key)
	for _, r := range reservedKeys() {
		if lower == r {
			problems = append(problems, fmt.Sprintf("repository key %q is a reserved name", key))
		}
	}
	for _, p := range reservedKeyPrefixes() {
		if strings.HasPrefix(lower, p) {
			problems = append(problems, fmt.Sprintf("repository key %q must not start with the reserved prefix %q", key, p))
		}
	}
	if strings.HasSuffix(lower, "-cache") {
		problems = append(problems, fmt.Sprintf("repository key %q must not end with \"-cache\" (reserved for remote repository caches)", key))
	}
	if n := len([]rune(key)); n > limit {
		problems = append(problems, fmt.Sprintf("repository key %q is %d characters long; the limit is %d", key, n, limit))
	}
	for _, r := range key {
		if !keyChar(r) {
			problems = append(problems, fmt.Sprintf("repository key %q contains %q; only letters, digits, '-', '_' and '.' are allowed", key, r))
			break
		}
	}
	if c := key[0]; c >= '0' && c <= '9' {
		problems = append(problems, fmt.Sprintf("repository key %q must not begin with a digit", key))
	}
	return problems
}

func keyChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return r == '-' || r == '_' || r == '.'
}
