package repo

import (
	"context"
	"path"
	"sort"
	"sync"
	"time"

	"arca"
	"arca/internal/repoconfig"
	"arca/internal/smart"
)

// smartRemote holds a remote's smart features: the upstream's detection (done once, when a
// feature first needs it, and retried after a minute when the upstream could not tell), the
// statistics pusher, and the property synchronisation in progress.
type smartRemote struct {
	settings repoconfig.ContentSync
	peer     smart.Peer
	pusher   *smart.StatsPusher // nil unless statistics are enabled
	stop     context.CancelFunc

	mu         sync.Mutex
	detected   *smart.Upstream
	retryAfter time.Time
	syncing    sync.Map // path → struct{}: property syncs in flight
}

// newSmartRemote prepares the smart features of r, starting its statistics pusher; nil when
// contentSynchronisation is off.
func newSmartRemote(r *Remote, hasLocal func(string) bool, interval time.Duration) *smartRemote {
	st := r.cfg.ContentSync()
	if !st.Enabled || r.client == nil {
		return nil
	}
	s := &smartRemote{settings: st, peer: r.peer}
	if st.Statistics {
		s.pusher = smart.NewStatsPusher(r.peer, smart.StatsOptions{HasLocal: hasLocal, Log: r.log})
		ctx, cancel := context.WithCancel(context.Background())
		s.stop = cancel
		go func() {
			// Detect the upstream, again every minute while it cannot tell; push if it is smart.
			for {
				if up := s.upstream(ctx); up != nil {
					if up.Supports(smart.StatisticsPush) {
						s.pusher.Run(ctx, interval)
					}
					return
				}
				if s.known() {
					return // detected, and not a smart upstream
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Minute):
				}
			}
		}()
	}
	return s
}

// close stops the statistics pusher (which flushes once more).
func (s *smartRemote) close() {
	if s != nil && s.stop != nil {
		s.stop()
	}
}

// upstream returns the detected upstream when it is a smart one, else nil.
func (s *smartRemote) upstream(ctx context.Context) *smart.Upstream {
	s.mu.Lock()
	if s.detected != nil {
		defer s.mu.Unlock()
		if s.detected.Smart {
			return s.detected
		}
		return nil
	}
	if time.Now().Before(s.retryAfter) {
		s.mu.Unlock()
		return nil
	}
	s.retryAfter = time.Now().Add(time.Minute)
	s.mu.Unlock()
	up, err := s.peer.Detect(ctx)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	s.detected = &up
	s.mu.Unlock()
	if up.Smart {
		return &up
	}
	return nil
}

// known reports whether the upstream has been detected (smart or not).
func (s *smartRemote) known() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.detected != nil
}

// downloaded queues a download served from the cache for the statistics push.
func (s *smartRemote) downloaded(p, by string, at time.Time) {
	if s != nil && s.pusher != nil {
		s.pusher.Record(smart.Event{RepoPath: p, By: by, At: at})
	}
}

// maybeSync refreshes a cached item's properties from the upstream, and its sourceDeleted
// mark, in the background, once they are older than the retrieval cache period. One sync per
// path at a time; a failure leaves the cached properties as they are.
func (r *Remote) maybeSync(it arca.Item) {
	s := r.smart
	if s == nil || it.Folder || (!s.settings.Properties && !s.settings.OriginAbsence) {
		return
	}
	if r.now().Sub(it.Updated) < r.cfg.RetrievalCachePeriod() {
		return
	}
	if _, busy := s.syncing.LoadOrStore(it.Path, struct{}{}); busy {
		return
	}
	go func() {
		defer s.syncing.Delete(it.Path)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := r.syncProperties(ctx, it); err != nil {
			r.log.Warn("smart remote: synchronising properties", "repo", r.cfg.Key(), "path", it.Path, "err", err)
		}
	}()
}

func (r *Remote) syncProperties(ctx context.Context, it arca.Item) error {
	s := r.smart
	up := s.upstream(ctx)
	if up == nil {
		return nil
	}
	absence := s.settings.OriginAbsence && up.Supports(smart.OriginAbsence)
	var rp smart.RemoteProps
	var err error
	if s.settings.Properties && up.Supports(smart.PropertySync) {
		rp, err = s.peer.FetchProperties(ctx, it.Path)
	} else if absence {
		rp.Exists, err = s.peer.SourceExists(ctx, it.Path)
	} else {
		return nil
	}
	if err != nil {
		return err
	}
	meta := r.cache.meta
	cached, err := meta.GetProps(ctx, r.cache.Key(), it.Path)
	if err != nil {
		return err
	}
	props, _ := smart.Sync(cached, rp, absence)
	// Renew the item's Updated time (the start of the next period) with its properties.
	it.Updated = r.now()
	_, err = meta.PutFile(ctx, it, metaPut(props))
	return err
}

// listUpstream adds the upstream's children of dir to the cached ones (listRemoteFolderItems):
// through the storage API of a smart upstream, else by parsing the upstream's HTML listing.
func (r *Remote) listUpstream(ctx context.Context, dir string, cached []arca.Item) ([]arca.Item, error) {
	peer := r.peerForListing()
	if peer == nil {
		return cached, nil
	}
	var entries []smart.Entry
	var err error
	if r.smart != nil && r.smart.upstream(ctx) != nil {
		entries, err = peer.ListStorage(ctx, dir)
	} else {
		entries, err = peer.ListHTML(ctx, dir)
	}
	if err != nil {
		if len(cached) > 0 {
			return cached, nil // the cache still answers when the upstream cannot
		}
		return nil, err
	}
	seen := map[string]bool{}
	for _, it := range cached {
		seen[it.Path] = true
	}
	out := cached
	for _, e := range entries {
		p := path.Join(dir, e.Name)
		if dir == "" {
			p = e.Name
		}
		if seen[p] || !r.cfg.Filter().Allows(p) && !(e.Folder && r.cfg.Filter().AllowsFolder(p)) {
			continue
		}
		seen[p] = true
		out = append(out, arca.Item{Repo: r.cache.Key(), Path: p, Folder: e.Folder, Size: -1, Modified: r.now()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// peerForListing is the peer of the upstream, nil when the remote has no usable URL.
func (r *Remote) peerForListing() *smart.Peer {
	if r.client == nil {
		return nil
	}
	return &r.peer
}
