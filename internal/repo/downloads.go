package repo

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"arca"
	"arca/internal/meta"
)

// Downloads counts downloads without a database write per request: Record adds to an
// in-memory tally per item that Run flushes to the store every interval (or sooner when many
// items are pending). Flush writes the tally now; readers of statistics call it first so they
// see every download recorded so far.
//
// The tally holds one record per downloaded item (its count, and the latest download's time
// and user), so memory grows with the number of distinct items downloaded in an interval, not
// with the request rate, and a repeated download costs a map lookup.
type Downloads struct {
	store    meta.Stats
	log      *slog.Logger
	interval time.Duration
	max      int // this many pending items are flushed at once
	limit    int // pending items kept at most while the store fails; the excess is dropped

	mu      sync.Mutex
	pending map[downloadKey]*arca.Download
	kick    chan struct{}
	flushMu sync.Mutex // one flush at a time
	// listener, when set, hears every recorded download (set before serving).
	listener func(repo, path, by string, at time.Time)
}

type downloadKey struct{ repo, path string }

// Listen makes fn hear every download as it is recorded (smart remotes push downloads served
// from their cache upstream). Set it before the server starts; fn must not block.
func (d *Downloads) Listen(fn func(repo, path, by string, at time.Time)) { d.listener = fn }

// maxPending is the number of distinct pending items that is flushed before the interval ends.
const maxPending = 10_000

// NewDownloads returns a recorder flushing to store.
func NewDownloads(store meta.Stats, log *slog.Logger) *Downloads {
	return &Downloads{store: store, log: log, interval: time.Second, max: maxPending, limit: 1 << 20,
		pending: map[downloadKey]*arca.Download{}, kick: make(chan struct{}, 1)}
}

// Record counts one download. It never blocks on the store.
func (d *Downloads) Record(repo, path, by string, at time.Time) {
	if d.listener != nil {
		d.listener(repo, path, by, at)
	}
	d.mu.Lock()
	n := d.addLocked(arca.Download{Repo: repo, Path: path, By: by, At: at, Count: 1})
	d.mu.Unlock()
	if n >= d.max {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
}

// addLocked merges dl into the tally and returns the number of pending items.
func (d *Downloads) addLocked(dl arca.Download) int {
	k := downloadKey{dl.Repo, dl.Path}
	if t := d.pending[k]; t != nil {
		t.Count += max(dl.Count, 1)
		if !dl.At.Before(t.At) {
			t.At, t.By = dl.At, dl.By
		}
		return len(d.pending)
	}
	t := dl // only a new item allocates (taking &dl would move every dl to the heap)
	t.Count = max(dl.Count, 1)
	d.pending[k] = &t
	return len(d.pending)
}

// Flush writes all recorded downloads to the store. On failure the batch is merged back into
// the tally for the next attempt, which keeps at most limit items (the excess is dropped, and
// logged).
func (d *Downloads) Flush(ctx context.Context) error {
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	d.mu.Lock()
	if len(d.pending) == 0 {
		d.mu.Unlock()
		return nil
	}
	tally := d.pending
	d.pending = make(map[downloadKey]*arca.Download, len(tally))
	d.mu.Unlock()
	batch := make([]arca.Download, 0, len(tally))
	for _, t := range tally {
		batch = append(batch, *t)
	}
	if err := d.store.AddDownloads(ctx, batch); err != nil {
		d.mu.Lock()
		dropped := 0
		for _, dl := range batch {
			if _, ok := d.pending[downloadKey{dl.Repo, dl.Path}]; !ok && len(d.pending) >= d.limit {
				dropped++
				continue
			}
			d.addLocked(dl)
		}
		d.mu.Unlock()
		if dropped > 0 {
			d.log.Error("dropping download statistics: the store keeps failing", "items", dropped)
		}
		return err
	}
	return nil
}

// Run flushes periodically until ctx is done, then flushes once more.
func (d *Downloads) Run(ctx context.Context) {
	t := time.NewTicker(d.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := d.Flush(context.WithoutCancel(ctx)); err != nil {
				d.log.Error("flushing download statistics", "err", err)
			}
			return
		case <-t.C:
		case <-d.kick:
		}
		if err := d.Flush(ctx); err != nil {
			d.log.Warn("flushing download statistics", "err", err)
		}
	}
}
