package restapi

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"arca"
	"arca/internal/auth"
	"arca/internal/repo"
)

const statisticsPrefix = "/artifactory/api/storage/statistics/"

// remoteStatsEntry is one entry of a smart remote's statistics push.
// Times are epoch milliseconds; the *By fields may be null.
type remoteStatsEntry struct {
	DownloadCount          int64  `json:"downloadCount"`
	LastDownloaded         int64  `json:"lastDownloaded"`
	LastDownloadedBy       string `json:"lastDownloadedBy"`
	RemoteDownloadCount    int64  `json:"remoteDownloadCount"`
	RemoteLastDownloaded   int64  `json:"remoteLastDownloaded"`
	RemoteLastDownloadedBy string `json:"remoteLastDownloadedBy"`
	RepoPath               string `json:"repoPath"`
	Path                   string `json:"path"`
	Origin                 string `json:"origin"`
}

// remoteStatsUpdate is an entry resolved to the item it counts for.
type remoteStatsUpdate struct {
	storage, path string
	count         int64
	last          time.Time
	by            string
}

// PutStatistics handles PUT /api/storage/statistics/{key}: the download statistics a smart
// remote on another instance pushes for the items it cached from this one (the receiving side).
// {key} is normally "<upstreamKey>-cache"; each entry's repoPath resolves in the
// repository of that key, else in the one named by the key without "-cache" (the sender appends
// the suffix even when this side's repository is a local one). Only stored items count: a
// remote repository's cache is looked at, the upstream never asked.
//
// Every entry is checked before any is applied: an item that exists in neither place is 400
// "RepoPath … is not exist in this repository" (Artifactory's wording), an item the caller may
// not read is 401/403, and then nothing is recorded. An entry adds its downloadCount (the
// sender's own downloads) plus its remoteDownloadCount (downloads the sender relayed from
// further downstream) to this item's remote statistics of the sender's origin, with the later of
// the two last-download times and its user. Entries counting nothing are skipped. Answers 200
// with an empty body.
func (a *API) PutStatistics(w http.ResponseWriter, r *http.Request) error {
	if a.recursive(r) {
		return arca.Errorf(arca.ErrNotFound, "Recursive call detected")
	}
	key, err := statisticsKey(r)
	if err != nil {
		return err
	}
	var entries []remoteStatsEntry
	if err := decodeJSON(r, &entries); err != nil {
		return err
	}
	updates := make([]remoteStatsUpdate, 0, len(entries))
	for _, e := range entries {
		u, err := a.resolveStatsEntry(r, key, e)
		if err != nil {
			return err
		}
		if u.count > 0 || !u.last.IsZero() {
			updates = append(updates, u)
		}
	}
	origin := statsOrigin(r)
	ctx := r.Context()
	for _, u := range updates {
		if err := a.Meta.AddRemoteDownloads(ctx, u.storage, u.path, origin, u.count, u.last, u.by); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// statisticsKey is the repository key after the route's prefix (one segment; a trailing slash
// is tolerated).
func statisticsKey(r *http.Request) (string, error) {
	key := strings.Trim(strings.TrimPrefix(r.URL.Path, statisticsPrefix), "/")
	if key == "" || strings.Contains(key, "/") {
		return "", arca.Errorf(arca.ErrInvalid, "expected /api/storage/statistics/{repoKey}, got %q", r.URL.Path)
	}
	return key, nil
}

// resolveStatsEntry finds the stored file an entry counts for and checks that the caller may
// read it.
func (a *API) resolveStatsEntry(r *http.Request, key string, e remoteStatsEntry) (remoteStatsUpdate, error) {
	raw := e.RepoPath
	if raw == "" {
		raw = e.Path
	}
	raw = trimRepoPrefix(raw, key)
	p, err := arca.CleanPath(raw)
	if err != nil || p == "" {
		return remoteStatsUpdate{}, arca.Errorf(arca.ErrInvalid, "RepoPath '%s' is not valid", raw)
	}
	if e.DownloadCount < 0 || e.RemoteDownloadCount < 0 {
		return remoteStatsUpdate{}, arca.Errorf(arca.ErrInvalid, "RepoPath '%s': download counts must not be negative", p)
	}
	candidates := []string{key}
	if base, ok := cutSuffixFold(key, repo.CacheSuffix); ok && base != "" {
		candidates = append(candidates, base)
	}
	for _, k := range candidates {
		rep, err := a.Repos.Get(k)
		if err != nil {
			continue
		}
		storage := repo.StorageKey(rep)
		if storage == "" { // a virtual repository stores nothing
			continue
		}
		// Authorized before the lookup, so that the answer tells nothing about paths the caller
		// may not read.
		if err := a.authorize(r, auth.Read, rep.Config().Key(), p); err != nil {
			return remoteStatsUpdate{}, err
		}
		it, err := a.Meta.GetItem(r.Context(), storage, p)
		if errors.Is(err, arca.ErrNotFound) || err == nil && it.Folder {
			continue
		}
		if err != nil {
			return remoteStatsUpdate{}, err
		}
		u := remoteStatsUpdate{storage: storage, path: p, count: e.DownloadCount + e.RemoteDownloadCount}
		u.last, u.by = msTime(e.LastDownloaded), e.LastDownloadedBy
		if rl := msTime(e.RemoteLastDownloaded); rl.After(u.last) {
			u.last, u.by = rl, e.RemoteLastDownloadedBy
		}
		return u, nil
	}
	return remoteStatsUpdate{}, arca.Errorf(arca.ErrInvalid, "RepoPath '%s:%s' is not exist in this repository", key, p)
}

// trimRepoPrefix accepts a repoPath written as "<key>:<path>" (Artifactory's RepoPath notation)
// for the key of the request or the key without "-cache".
func trimRepoPrefix(p, key string) string {
	if k, rest, ok := strings.Cut(p, ":"); ok {
		base, _ := cutSuffixFold(key, repo.CacheSuffix)
		if strings.EqualFold(k, key) || strings.EqualFold(k, base) {
			return rest
		}
	}
	return p
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

func msTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// statsOrigin names the instance that pushed statistics, the key under which its counts are
// kept: the remote host of the connection, else X-Forwarded-For (its first address), else
// X-Artifactory-Originated (its last id: the instance that sent this request), else "UNKNOWN".
func statsOrigin(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && host != "" {
		return host
	}
	if r.RemoteAddr != "" && !strings.Contains(r.RemoteAddr, ":") {
		return r.RemoteAddr
	}
	if xff, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ","); strings.TrimSpace(xff) != "" {
		return strings.TrimSpace(xff)
	}
	if ids := OriginatedIDs(http.Header{"X-Artifactory-Originated": r.Header.Values("X-Artifactory-Originated")}); len(ids) > 0 {
		return ids[len(ids)-1]
	}
	return "UNKNOWN"
}
