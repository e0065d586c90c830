package repoconfig

import (
	"encoding/json"
	"slices"
	"time"

	"arca/internal/pattern"
)

// Member is one member of a federated repository: the member repository's URL on its instance
// (by convention http://host/artifactory/<same key>). Enabled defaults to true.
type Member struct {
	URL     string `json:"url"`
	Enabled bool   `json:"enabled"`
}

// typed holds the values behaviour code reads on every request, decoded once when a Config is
// built. Fields that do not apply to a class hold their zero value unless documented otherwise.
type typed struct {
	key, class, pkgType string
	description         string
	projectKey          string
	includes, excludes  string
	filter              *pattern.Filter
	blackedOut          bool

	handleReleases, handleSnapshots bool
	priority                        bool

	// local (the format-specific fields are read through Field, by the formats)
	checksumPolicyType string

	// remote
	url, username, password string
	offline, hardFail       bool
	storeLocally            bool
	socketTimeout           time.Duration
	retrievalCache          time.Duration
	missedRetrievalCache    time.Duration
	assumedOffline          time.Duration
	metadataTimeout         time.Duration
	queryParams             string
	bypassHead              bool
	listRemoteFolders       bool
	unusedCleanup           time.Duration
	contentSync             ContentSync

	// virtual
	repositories          []string
	defaultDeploymentRepo string
	remoteArtifacts       bool
	guard, guardSet       bool
	virtualCache          time.Duration

	// federated
	members []Member
}

// fill decodes the typed values from the effective (validated, normalised) fields.
func (t *typed) fill(eff map[string]json.RawMessage) error {
	str := func(name string) string {
		var s string
		_ = json.Unmarshal(eff[name], &s)
		return s
	}
	boolOr := func(name string, def bool) bool {
		b := def
		if raw, ok := eff[name]; ok {
			_ = json.Unmarshal(raw, &b)
		}
		return b
	}
	period := func(name string, unit time.Duration) time.Duration {
		var n int64
		_ = json.Unmarshal(eff[name], &n)
		if n < 0 || n > maxInt {
			return 0
		}
		return time.Duration(n) * unit
	}

	t.key, t.class, t.pkgType = str("key"), str("rclass"), str("packageType")
	t.description, t.projectKey = str("description"), str("projectKey")
	t.includes, t.excludes = str("includesPattern"), str("excludesPattern")
	f, err := pattern.Compile(t.includes, t.excludes)
	if err != nil {
		return err
	}
	t.filter = f
	t.blackedOut = boolOr("blackedOut", false)
	t.handleReleases = boolOr("handleReleases", true)
	t.handleSnapshots = boolOr("handleSnapshots", true)
	t.priority = boolOr("priorityResolution", false)
	t.checksumPolicyType = str("checksumPolicyType")

	if t.class == Remote {
		t.url, t.username, t.password = str("url"), str("username"), str("password")
		t.offline, t.hardFail = boolOr("offline", false), boolOr("hardFail", false)
		t.storeLocally = boolOr("storeArtifactsLocally", true)
		t.socketTimeout = period("socketTimeoutMillis", time.Millisecond)
		t.retrievalCache = period("retrievalCachePeriodSecs", time.Second)
		t.missedRetrievalCache = period("missedRetrievalCachePeriodSecs", time.Second)
		t.assumedOffline = period("assumedOfflinePeriodSecs", time.Second)
		t.metadataTimeout = period("metadataRetrievalTimeoutSecs", time.Second)
		t.queryParams = str("queryParams")
		t.bypassHead, t.listRemoteFolders = boolOr("bypassHeadRequests", false), boolOr("listRemoteFolderItems", false)
		t.unusedCleanup = period("unusedArtifactsCleanupPeriodHours", time.Hour)
		t.contentSync = decodeContentSync(eff["contentSynchronisation"])
	}
	if t.class == Virtual {
		_ = json.Unmarshal(eff["repositories"], &t.repositories)
		t.defaultDeploymentRepo = str("defaultDeploymentRepo")
		t.remoteArtifacts = boolOr("artifactoryRequestsCanRetrieveRemoteArtifacts", false)
		if raw, ok := eff["dependencyConfusionGuard"]; ok && json.Unmarshal(raw, &t.guard) == nil {
			t.guardSet = true
		}
		t.virtualCache = period("virtualRetrievalCachePeriodSecs", time.Second)
	}
	if t.class == Federated {
		_ = json.Unmarshal(eff["members"], &t.members)
	}
	return nil
}

// ContentSync is a remote's contentSynchronisation: the smart-remote features.
type ContentSync struct {
	Enabled, Statistics, Properties, OriginAbsence bool
}

func decodeContentSync(raw json.RawMessage) ContentSync {
	var v struct {
		Enabled    bool `json:"enabled"`
		Statistics struct {
			Enabled bool `json:"enabled"`
		} `json:"statistics"`
		Properties struct {
			Enabled bool `json:"enabled"`
		} `json:"properties"`
		Source struct {
			OriginAbsenceDetection bool `json:"originAbsenceDetection"`
		} `json:"source"`
	}
	_ = json.Unmarshal(raw, &v)
	return ContentSync{Enabled: v.Enabled, Statistics: v.Statistics.Enabled, Properties: v.Properties.Enabled,
		OriginAbsence: v.Source.OriginAbsenceDetection}
}

// Key is the repository key, as created.
func (c *Config) Key() string { return c.key }

// Class is the rclass: Local, Remote, Virtual or Federated.
func (c *Config) Class() string { return c.class }

// PackageType is the lower-case package type ("maven", "npm", "generic", …).
func (c *Config) PackageType() string { return c.pkgType }

// Description is the free-text description ("" by default).
func (c *Config) Description() string { return c.description }

// ProjectKey is the JFrog project the repository belongs to ("" for none).
func (c *Config) ProjectKey() string { return c.projectKey }

// Includes is includesPattern as configured ("**/*" by default).
func (c *Config) Includes() string { return c.includes }

// Excludes is excludesPattern as configured ("" by default).
func (c *Config) Excludes() string { return c.excludes }

// Filter is the compiled include/exclude filter; it is never nil.
func (c *Config) Filter() *pattern.Filter { return c.filter }

// BlackedOut reports a blacked-out repository (no downloads, no deploys).
func (c *Config) BlackedOut() bool { return c.blackedOut }

// HandleReleases reports whether release artifacts are served and accepted. It is true unless
// a client set handleReleases to false, whatever the package type.
func (c *Config) HandleReleases() bool { return c.handleReleases }

// HandleSnapshots is HandleReleases for snapshot artifacts.
func (c *Config) HandleSnapshots() bool { return c.handleSnapshots }

// URL is a remote's upstream URL ("" for other classes).
func (c *Config) URL() string { return c.url }

// Username is a remote's upstream user name ("" for none or for other classes).
func (c *Config) Username() string { return c.username }

// Password is a remote's upstream password in clear, for the upstream client only; it never
// appears in MarshalJSON.
func (c *Config) Password() string { return c.password }

// Offline reports a remote set offline: only its cache is served.
func (c *Config) Offline() bool { return c.offline }

// HardFail reports a remote that fails requests on an upstream error instead of treating the
// upstream as offline for AssumedOfflinePeriod.
func (c *Config) HardFail() bool { return c.hardFail }

// StoreArtifactsLocally reports whether a remote caches what it fetches (true by default; false
// for other classes).
func (c *Config) StoreArtifactsLocally() bool { return c.storeLocally }

// SocketTimeout is a remote's upstream socket timeout (socketTimeoutMillis, 15s by default).
func (c *Config) SocketTimeout() time.Duration { return c.socketTimeout }

// RetrievalCachePeriod is how long a remote's cached metadata is fresh (2h by default).
func (c *Config) RetrievalCachePeriod() time.Duration { return c.retrievalCache }

// MissedRetrievalCachePeriod is how long a remote remembers an upstream 404 (30m by default).
func (c *Config) MissedRetrievalCachePeriod() time.Duration { return c.missedRetrievalCache }

// AssumedOfflinePeriod is how long a remote stays offline after an upstream failure (5m by
// default).
func (c *Config) AssumedOfflinePeriod() time.Duration { return c.assumedOffline }

// MetadataRetrievalTimeout bounds a remote's metadata fetch (60s by default).
func (c *Config) MetadataRetrievalTimeout() time.Duration { return c.metadataTimeout }

// Repositories is a virtual's ordered member list (a fresh copy; nil for other classes).
func (c *Config) Repositories() []string { return slices.Clone(c.repositories) }

// DefaultDeploymentRepo is where a virtual sends deploys ("" refuses them).
func (c *Config) DefaultDeploymentRepo() string { return c.defaultDeploymentRepo }

// ArtifactoryRequestsCanRetrieveRemoteArtifacts reports whether a virtual serves requests from
// other Artifactory instances out of its remote members (false by default).
func (c *Config) ArtifactoryRequestsCanRetrieveRemoteArtifacts() bool { return c.remoteArtifacts }

// VirtualRetrievalCachePeriod is how long a virtual's merged metadata is fresh (2h by default
// for the package types that merge metadata, 0 otherwise).
func (c *Config) VirtualRetrievalCachePeriod() time.Duration { return c.virtualCache }

// DependencyConfusionGuard reports a virtual repository's "dependencyConfusionGuard" (Arca's own
// setting: refuse to resolve, from remote members, a package that exists in a local member) and
// whether it is set at all; unset, the package type's format decides (format.GuardDefault).
func (c *Config) DependencyConfusionGuard() (on, set bool) { return c.guard, c.guardSet }

// PriorityResolution reports the priorityResolution setting.
func (c *Config) PriorityResolution() bool { return c.priority }

// ServerGeneratedChecksums reports checksumPolicyType "server-generated-checksums": uploaded
// client checksums are not verified.
func (c *Config) ServerGeneratedChecksums() bool {
	return c.checksumPolicyType == "server-generated-checksums"
}

// QueryParams are a remote's query parameters for upstream requests ("a=1&b=2").
func (c *Config) QueryParams() string { return c.queryParams }

// BypassHeadRequests reports whether a remote sends GET where a HEAD would go upstream.
func (c *Config) BypassHeadRequests() bool { return c.bypassHead }

// ListRemoteFolderItems reports whether a remote's folder listings include the upstream's.
func (c *Config) ListRemoteFolderItems() bool { return c.listRemoteFolders }

// UnusedArtifactsCleanupPeriod is how long a remote keeps a cached artifact nobody downloads
// (0: forever).
func (c *Config) UnusedArtifactsCleanupPeriod() time.Duration { return c.unusedCleanup }

// ContentSync is a remote's contentSynchronisation.
func (c *Config) ContentSync() ContentSync { return c.contentSync }

// Members is a federated repository's member list (a fresh copy; nil for other classes).
func (c *Config) Members() []Member { return slices.Clone(c.members) }
