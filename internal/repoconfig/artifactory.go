package repoconfig

import (
	"fmt"
	"slices"
	"strings"
)

// This file draws the line between a field Arca must keep and a typo it must refuse. A client
// (Terraform, the JFrog CLI, a script that GETs a configuration and POSTs it back) sends many
// Artifactory fields Arca does not act on; they are accepted, stored and echoed verbatim so the
// configuration round-trips. A name that is neither Arca's (knownFields) nor Artifactory's
// (artifactoryFields) is refused, naming it, so `includesPatern` is not silently ignored.

// artifactoryFields returns the names of Artifactory's repository configuration fields (any
// class) that Arca does not implement: it keeps their values as sent, nested objects included,
// without validating them. Sources: Artifactory's "Repository Configuration JSON", the fields its
// GET returns, the JFrog CLI's repository templates and the Terraform provider's repository
// resources. A field Arca starts to implement moves to knownFields (TestFieldTablesDisjoint).
func artifactoryFields() []string {
	return []string{
		// Local / federated, by package type.
		"keyPairRef",                                         // older name of primaryKeyPairRef
		"terraformType",                                      // terraform: module or provider
		"cargoInternalIndex",                                 // cargo sparse index
		"ddebSupported",                                      // debian
		"forceNonDuplicateChart", "forceMetadataNameVersion", // helm
		"forceConanAuthentication", // conan (local, remote, virtual)
		// Flags older Artifactory versions return on GET (and so send back on a GET → POST).
		"enableBowerSupport", "enableCocoaPodsSupport", "enableComposerSupport", "enableConanSupport",
		"enableDebianSupport", "enableDistRepoSupport", "enableDockerSupport", "enableGemsSupport",
		"enableGitLfsSupport", "enableNpmSupport", "enableNuGetSupport", "enablePuppetSupport",
		"enablePypiSupport", "enableVagrantSupport", "enabledChefSupport",

		// Remote.
		"propagateQueryParams", "retrieveSha256FromServer", // generic and others
		"curated", "passThrough", // curation
		"customHttpHeaders", // array of {name, value}
		"dockerProjectId",   // docker: GCR/GAR project
		"symbolServerUrl",   // nuget

		// Virtual.
		"useNamespaces",             // helm
		"hideUnauthorizedResources", // 404 instead of 401/403 for what the caller may not read
	}
}

// fieldNames classifies top-level field names.
type fieldNames struct {
	known, artifactory map[string]bool
}

func newFieldNames() fieldNames {
	n := fieldNames{known: map[string]bool{"key": true, "rclass": true, "packageType": true},
		artifactory: map[string]bool{}}
	for name := range knownFields() {
		n.known[name] = true
	}
	for _, name := range artifactoryFields() {
		n.artifactory[name] = true
	}
	return n
}

// accepted reports whether a client may send name: Arca's own field (in any class: a field of
// another class is kept verbatim) or Artifactory's.
func (n fieldNames) accepted(name string) bool { return n.known[name] || n.artifactory[name] }

// unknownProblems returns one problem per name in names that is not accepted and not in keep
// (fields already stored, which an update may send back or reset), sorted by name.
func (n fieldNames) unknownProblems(names []string, keep func(string) bool) []string {
	var problems []string
	for _, name := range slices.Sorted(slices.Values(names)) {
		if n.accepted(name) || (keep != nil && keep(name)) {
			continue
		}
		msg := fmt.Sprintf("unknown repository field '%s'", name)
		if s := n.suggest(name); s != "" {
			msg += fmt.Sprintf(" (did you mean '%s'?)", s)
		}
		problems = append(problems, msg)
	}
	return problems
}

// suggest returns the accepted name closest to name (same letters in another case, or at most
// two edits away), "" when none is that close; ties go to the alphabetically first.
func (n fieldNames) suggest(name string) string {
	best, bestDist := "", 3
	for _, set := range []map[string]bool{n.known, n.artifactory} {
		for cand := range set {
			d := editDistance(strings.ToLower(name), strings.ToLower(cand))
			if d < bestDist || (d == bestDist && best != "" && cand < best) {
				best, bestDist = cand, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
