package repoconfig

import "slices"

// This file is the schema: which fields Arca knows, how each is validated, and the defaults
// that make up a field's effective value when the client did not send it.
// The tables are built by functions, not package variables, so nothing here can be mutated.

// classSet is a set of repository classes.
type classSet uint8

const (
	cLocal classSet = 1 << iota
	cRemote
	cVirtual
	cFederated

	cStored = cLocal | cFederated // classes that hold their own artifacts
	cAll    = cLocal | cRemote | cVirtual | cFederated
)

// classBit maps a lower-case class to its set (0 for an unknown class).
func classBit(class string) classSet {
	switch class {
	case Local:
		return cLocal
	case Remote:
		return cRemote
	case Virtual:
		return cVirtual
	case Federated:
		return cFederated
	}
	return 0
}

// kind is how a known field is validated and normalised (see normalise).
type kind uint8

const (
	kString   kind = iota // JSON string
	kBool                 // JSON bool; also "true"/"false"
	kInt                  // non-negative integer; also a numeric string
	kStrings              // array of strings; also a comma-separated string
	kEnum                 // one of spec.enum, any case on input, canonical case stored
	kIncludes             // comma-separated Ant include patterns (package pattern)
	kExcludes             // comma-separated Ant exclude patterns
	kURL                  // absolute http(s) URL
	kKey                  // "" or a syntactically valid repository key
	kKeys                 // array of valid repository keys
	kSync                 // contentSynchronisation object
	kMembers              // federated members array
)

// fieldSpec describes a known field. classes are where the field means something; in other
// classes it is kept and echoed verbatim, unvalidated.
type fieldSpec struct {
	kind    kind
	classes classSet
	enum    []string
}

// knownFields returns the schema of every field Arca validates, by JSON name. key, rclass and
// packageType are handled separately (identity fields).
func knownFields() map[string]fieldSpec {
	m := map[string]fieldSpec{}
	add := func(k kind, classes classSet, names ...string) {
		for _, n := range names {
			m[n] = fieldSpec{kind: k, classes: classes}
		}
	}
	enum := func(name string, classes classSet, values ...string) {
		m[name] = fieldSpec{kind: kEnum, classes: classes, enum: values}
	}

	// Common to every class.
	add(kString, cAll, "description", "notes", "projectKey", "repoLayoutRef")
	add(kIncludes, cAll, "includesPattern")
	add(kExcludes, cAll, "excludesPattern")
	add(kStrings, cAll, "environments")
	add(kBool, cAll, "forceNugetAuthentication")

	// Local and federated, shared with remote where Artifactory shares them.
	add(kBool, cStored|cRemote, "blackedOut", "xrayIndex", "archiveBrowsingEnabled", "downloadRedirect",
		"cdnRedirect", "priorityResolution", "handleReleases", "handleSnapshots",
		"suppressPomConsistencyChecks", "blockPushingSchema1", "cargoAnonymousAccess")
	add(kStrings, cStored|cRemote, "propertySets")
	add(kInt, cStored|cRemote, "maxUniqueSnapshots")
	add(kString, cStored|cVirtual, "primaryKeyPairRef", "secondaryKeyPairRef")
	add(kStrings, cStored|cVirtual, "optionalIndexCompressionFormats")
	add(kInt, cStored, "maxUniqueTags", "dockerTagRetention", "yumRootDepth")
	add(kBool, cStored, "debianTrivialLayout", "calculateYumMetadata", "enableFileListsIndexing")
	add(kString, cStored, "yumGroupFileNames")
	enum("snapshotVersionBehavior", cStored, "unique", "non-unique", "deployer")
	enum("checksumPolicyType", cStored, "client-checksums", "server-generated-checksums")
	enum("dockerApiVersion", cStored, "V1", "V2")
	add(kMembers, cFederated, "members")

	// Remote.
	add(kURL, cRemote, "url")
	add(kString, cRemote, "username", "password", "proxy", "localAddress", "clientTlsCertificate",
		"remoteRepoLayoutRef", "queryParams", "mismatchingMimeTypesOverrideList",
		"feedContextPath", "downloadContextPath", "v3FeedUrl", "pyPIRegistryUrl", "pyPIRepositorySuffix",
		"vcsType", "vcsGitProvider", "vcsGitDownloadUrl", "bowerRegistryUrl", "composerRegistryUrl",
		"podsSpecsRepoUrl", "gitRegistryUrl", "chartsBaseUrl", "terraformRegistryUrl", "terraformProvidersUrl")
	add(kBool, cRemote, "hardFail", "offline", "disableProxy", "allowAnyHostAuth", "enableCookieManagement",
		"bypassHeadRequests", "disableUrlNormalization", "shareConfiguration", "synchronizeProperties",
		"storeArtifactsLocally", "blockMismatchingMimeTypes", "listRemoteFolderItems", "fetchJarsEagerly",
		"fetchSourcesEagerly", "rejectInvalidJars", "enableTokenAuthentication", "unusedArtifactsCleanupEnabled")
	add(kInt, cRemote, "socketTimeoutMillis", "retrievalCachePeriodSecs", "missedRetrievalCachePeriodSecs",
		"assumedOfflinePeriodSecs", "metadataRetrievalTimeoutSecs", "unusedArtifactsCleanupPeriodHours",
		"failedRetrievalCachePeriodSecs")
	add(kSync, cRemote, "contentSynchronisation")
	enum("remoteRepoChecksumPolicyType", cRemote, "generate-if-absent", "fail", "ignore-and-generate", "pass-thru")
	add(kBool, cRemote|cVirtual, "externalDependenciesEnabled")
	add(kStrings, cRemote|cVirtual, "externalDependenciesPatterns")

	// Virtual.
	add(kKeys, cVirtual, "repositories")
	add(kKey, cVirtual, "defaultDeploymentRepo")
	add(kBool, cVirtual, "artifactoryRequestsCanRetrieveRemoteArtifacts", "forceMavenAuthentication",
		"resolveDockerTagsByTimestamp")
	// Arca's own: the dependency-confusion guard (see docs/virtual.md).
	add(kBool, cVirtual, "dependencyConfusionGuard")
	add(kString, cVirtual, "keyPair", "externalDependenciesRemoteRepo", "debianDefaultArchitectures")
	add(kInt, cVirtual, "virtualRetrievalCachePeriodSecs")
	add(kStrings, cVirtual, "p2Urls")
	enum("pomRepositoryReferencesCleanupPolicy", cVirtual, "discard_active_reference", "discard_any_reference", "nothing")
	return m
}

// defaultRule gives field name the JSON value def in the classes and package types listed
// (types nil: every package type).
type defaultRule struct {
	classes classSet
	types   []string
	name    string
	def     string
}

// javaTypes are the package types with Maven-style release/snapshot handling.
func javaTypes() []string { return []string{"maven", "gradle", "ivy", "sbt"} }

// defaultRules lists Artifactory's documented defaults. A field with no
// documented default has no rule: it appears in GET only when a client has set it.
func defaultRules() []defaultRule {
	var rules []defaultRule
	add := func(classes classSet, types []string, def string, names ...string) {
		for _, n := range names {
			rules = append(rules, defaultRule{classes: classes, types: types, name: n, def: def})
		}
	}
	java := javaTypes()

	add(cAll, nil, `""`, "description", "notes", "projectKey", "excludesPattern")
	add(cAll, nil, `"**/*"`, "includesPattern")
	add(cAll, nil, `[]`, "environments")

	add(cStored, nil, "false", "blackedOut", "xrayIndex", "archiveBrowsingEnabled", "downloadRedirect",
		"cdnRedirect", "priorityResolution")
	add(cStored, nil, "[]", "propertySets")
	add(cStored|cVirtual, nil, `""`, "primaryKeyPairRef", "secondaryKeyPairRef")
	add(cStored|cRemote, java, "true", "handleReleases", "handleSnapshots")
	add(cStored|cRemote, java, "0", "maxUniqueSnapshots")
	add(cStored|cRemote, java, "false", "suppressPomConsistencyChecks")
	add(cStored, java, `"unique"`, "snapshotVersionBehavior")
	add(cStored, java, `"client-checksums"`, "checksumPolicyType")
	add(cStored, []string{"docker"}, "0", "maxUniqueTags")
	add(cStored, []string{"docker"}, `"V2"`, "dockerApiVersion")
	add(cStored, []string{"debian"}, "false", "debianTrivialLayout")
	add(cStored, []string{"rpm", "yum"}, "0", "yumRootDepth")
	add(cStored, []string{"rpm", "yum"}, "false", "calculateYumMetadata", "enableFileListsIndexing")
	add(cFederated, nil, "[]", "members")

	add(cRemote, nil, `""`, "username", "password", "proxy", "localAddress", "clientTlsCertificate",
		"remoteRepoLayoutRef", "queryParams", "mismatchingMimeTypesOverrideList")
	add(cRemote, nil, "false", "hardFail", "offline", "blackedOut", "disableProxy", "allowAnyHostAuth",
		"enableCookieManagement", "bypassHeadRequests", "disableUrlNormalization", "shareConfiguration",
		"synchronizeProperties", "xrayIndex", "archiveBrowsingEnabled", "downloadRedirect", "cdnRedirect",
		"priorityResolution")
	add(cRemote, nil, "true", "storeArtifactsLocally", "blockMismatchingMimeTypes")
	add(cRemote, nil, "15000", "socketTimeoutMillis")
	add(cRemote, nil, "7200", "retrievalCachePeriodSecs")
	add(cRemote, nil, "1800", "missedRetrievalCachePeriodSecs")
	add(cRemote, nil, "300", "assumedOfflinePeriodSecs")
	add(cRemote, nil, "60", "metadataRetrievalTimeoutSecs")
	add(cRemote, nil, "0", "unusedArtifactsCleanupPeriodHours")
	add(cRemote, nil, "[]", "propertySets")
	add(cRemote, nil, defaultContentSync, "contentSynchronisation")
	add(cRemote, java, `"generate-if-absent"`, "remoteRepoChecksumPolicyType")
	add(cRemote, java, "false", "fetchJarsEagerly", "fetchSourcesEagerly", "rejectInvalidJars")
	add(cRemote, []string{"nuget"}, `"api/v2"`, "feedContextPath")
	add(cRemote, []string{"nuget"}, `"api/v2/package"`, "downloadContextPath")
	add(cRemote, []string{"pypi"}, `"simple"`, "pyPIRepositorySuffix")
	add(cRemote, []string{"vcs"}, `"GIT"`, "vcsType")
	add(cRemote, []string{"vcs"}, `"GITHUB"`, "vcsGitProvider")

	add(cVirtual, nil, "[]", "repositories")
	add(cVirtual, nil, "false", "artifactoryRequestsCanRetrieveRemoteArtifacts")
	add(cVirtual, nil, `""`, "defaultDeploymentRepo", "keyPair")
	add(cVirtual, java, `"discard_active_reference"`, "pomRepositoryReferencesCleanupPolicy")
	add(cVirtual, java, "false", "forceMavenAuthentication")
	add(cVirtual, []string{"alpine", "chef", "composer", "conan", "conda", "cran", "debian", "helm", "npm",
		"rpm", "terraform", "yum"}, "7200", "virtualRetrievalCachePeriodSecs")
	return rules
}

// defaultContentSync is contentSynchronisation with everything off, in normalised form.
const defaultContentSync = `{"enabled":false,"properties":{"enabled":false},"source":{"originAbsenceDetection":false},"statistics":{"enabled":false}}`

// defaults returns the default value of every field that has one for the class and package type.
func defaults(class, pkgType string) map[string]string {
	bit := classBit(class)
	m := map[string]string{"repoLayoutRef": `"` + layoutRef(pkgType) + `"`}
	for _, r := range defaultRules() {
		if r.classes&bit != 0 && (r.types == nil || slices.Contains(r.types, pkgType)) {
			m[r.name] = r.def
		}
	}
	return m
}

// layoutRef is the default repoLayoutRef for a package type.
func layoutRef(pkgType string) string {
	switch pkgType {
	case "maven":
		return "maven-2-default"
	case "gradle", "ivy", "sbt", "npm", "nuget", "bower", "go", "composer", "conan", "puppet", "vcs", "cargo":
		return pkgType + "-default"
	}
	return "simple-default"
}

// packageTypes is Artifactory's list of repository package types, lower-case.
func packageTypes() []string {
	return []string{
		"alpine", "ansible", "bower", "cargo", "chef", "cocoapods", "composer", "conan", "conda", "cran",
		"debian", "docker", "gems", "generic", "gitlfs", "go", "gradle", "helm", "helmoci", "huggingfaceml",
		"ivy", "machinelearning", "maven", "npm", "nuget", "oci", "opkg", "p2", "pub", "puppet", "pypi",
		"rpm", "sbt", "swift", "terraform", "terraformbackend", "vagrant", "vcs", "yum",
	}
}
