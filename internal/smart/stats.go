package smart

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"arca"
)

// Event is one download from a remote repository's cache.
type Event struct {
	RepoPath string // the item's path in the repository
	By       string // the user who downloaded it
	At       time.Time
}

// StatsOptions configure a StatsPusher.
type StatsOptions struct {
	// HasLocal reports whether this instance has a local repository of the given key; then the
	// statistics go to that key upstream without "-cache". Nil: never.
	HasLocal func(key string) bool
	// MaxPaths bounds the distinct paths queued (default 10000). When the queue is full, events
	// of new paths are dropped (and counted in the log) until a flush succeeds.
	MaxPaths int
	// Log receives Run's flush failures and drops (nil: discarded).
	Log *slog.Logger
}

// StatsPusher queues the download events of one smart remote's cache and pushes them to its
// upstream: Record is called on every download from the cache,
// Run (or Flush) sends what was recorded in one request. It is safe for concurrent use.
type StatsPusher struct {
	peer     Peer
	hasLocal func(string) bool
	max      int
	log      *slog.Logger

	flushMu sync.Mutex // one push at a time, so a failed batch is requeued before the next
	mu      sync.Mutex
	pending map[string]*statsAgg // repoPath → aggregate
	dropped int
}

type statsAgg struct {
	count int64
	last  time.Time
	by    string
}

// NewStatsPusher returns a pusher to p's upstream.
func NewStatsPusher(p Peer, opt StatsOptions) *StatsPusher {
	if opt.MaxPaths <= 0 {
		opt.MaxPaths = 10000
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &StatsPusher{peer: p, hasLocal: opt.HasLocal, max: opt.MaxPaths, log: opt.Log, pending: map[string]*statsAgg{}}
}

// Record queues one download. It never waits for the network. Events are aggregated per path
// (count, latest time and its user); an event for a new path while MaxPaths paths are queued
// is dropped.
func (s *StatsPusher) Record(e Event) {
	p := strings.TrimPrefix(e.RepoPath, "/")
	if p == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.pending[p]
	if !ok {
		if len(s.pending) >= s.max {
			s.dropped++
			return
		}
		a = &statsAgg{}
		s.pending[p] = a
	}
	a.count++
	if !e.At.Before(a.last) {
		a.last, a.by = e.At, e.By
	}
}

// Pending returns the number of distinct paths queued.
func (s *StatsPusher) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// TargetKey is the key the statistics are pushed to: the upstream key with "-cache" appended,
// unless it already ends with "-cache" or this instance has a local repository of that key.
func (s *StatsPusher) TargetKey() string {
	k := s.peer.Key
	if strings.HasSuffix(strings.ToLower(k), "-cache") || s.hasLocal != nil && s.hasLocal(k) {
		return k
	}
	return k + "-cache"
}

// statsEntry is one element of the pushed JSON array.
type statsEntry struct {
	DownloadCount          int64   `json:"downloadCount"`
	LastDownloaded         int64   `json:"lastDownloaded"`
	LastDownloadedBy       string  `json:"lastDownloadedBy"`
	RemoteDownloadCount    int64   `json:"remoteDownloadCount"`
	RemoteLastDownloaded   int64   `json:"remoteLastDownloaded"`
	RemoteLastDownloadedBy *string `json:"remoteLastDownloadedBy"`
	RepoPath               string  `json:"repoPath"`
	Path                   string  `json:"path"`
	Origin                 *string `json:"origin"`
}

// Flush pushes everything recorded so far in one PUT {Base}/api/storage/statistics/{TargetKey}
// (JSON array, one entry per path, this instance's own downloads; the remote* fields zero and
// null), with the credentials and Content-Type application/json. Nothing queued: no request.
// Any 2xx answer is success.
//
// On failure the events are queued again (still bounded by MaxPaths) for the next flush, and
// the error is returned — except after a 400, which Artifactory answers when one of the paths is
// no longer upstream: retrying the same batch would fail forever, so it is dropped (the error
// says so). Flush may be called concurrently with Record and with itself.
func (s *StatsPusher) Flush(ctx context.Context) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	batch, dropped := s.pending, s.dropped
	s.pending, s.dropped = map[string]*statsAgg{}, 0
	s.mu.Unlock()
	if dropped > 0 {
		s.log.Warn("smart remote statistics: queue full, downloads not reported", "upstream", s.peer.URL, "dropped", dropped)
	}
	if len(batch) == 0 {
		return nil
	}
	entries := make([]statsEntry, 0, len(batch))
	for p, a := range batch {
		entries = append(entries, statsEntry{DownloadCount: a.count, LastDownloaded: a.last.UnixMilli(),
			LastDownloadedBy: a.by, RepoPath: p, Path: p})
	}
	slices.SortFunc(entries, func(a, b statsEntry) int { return strings.Compare(a.RepoPath, b.RepoPath) })
	body, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	u := s.peer.apiURL("storage/statistics/" + url.PathEscape(s.TargetKey()))
	res, err := s.peer.do(ctx, http.MethodPut, u, bytes.NewReader(body), http.Header{"Content-Type": {"application/json"}})
	if err == nil {
		drain(res.Body)
		if res.StatusCode/100 == 2 {
			return nil
		}
		err = statusError(http.MethodPut, u, res.StatusCode)
		if res.StatusCode == http.StatusBadRequest {
			return arca.Errorf(arca.ErrInvalid, "%v; %d paths' statistics dropped", err, len(batch))
		}
	}
	s.requeue(batch)
	return err
}

// requeue merges a failed batch back into the queue.
func (s *StatsPusher) requeue(batch map[string]*statsAgg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, b := range batch {
		a, ok := s.pending[p]
		if !ok {
			if len(s.pending) >= s.max {
				s.dropped++
				continue
			}
			s.pending[p] = b
			continue
		}
		a.count += b.count
		if b.last.After(a.last) {
			a.last, a.by = b.last, b.by
		}
	}
}

// Run flushes every interval until ctx is done, then once more so that a clean shutdown reports
// the last downloads. Each push is bounded by max(interval, 5s) but not cut short by ctx: a push
// aborted after the upstream counted it would be sent again (delivery is at least once), so
// shutdown waits for it instead. Failures are logged.
func (s *StatsPusher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	flush := func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(interval, 5*time.Second))
		defer cancel()
		if err := s.Flush(fctx); err != nil {
			s.log.Warn("smart remote statistics push", "upstream", s.peer.URL, "err", err)
		}
	}
	for {
		select {
		case <-ctx.Done():
			flush()
			return
		case <-t.C:
			flush()
		}
	}
}
