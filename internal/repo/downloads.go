package repo

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"arca"
	"arca/internal/meta"
)

// Downloads counts downloads without a database write per request: Record appends to an
// in-memory batch that Run flushes to the store every interval (or sooner when the batch is
// large). Flush writes the batch now; readers of statistics call it first so they see every
// download recorded so far.
type Downloads struct {
	store    meta.Stats
	log      *slog.Logger
	interval time.Duration
	max      int // a batch this large is flushed at once
	limit    int // pending downloads kept at most while the store fails; the oldest go first

	mu      sync.Mutex
	pending []arca.Download
	kick    chan struct{}
	flushMu sync.Mutex // one flush at a time, so batches reach the store in order
	// listener, when set, hears every recorded download (set before serving).
	listener func(repo, path, by string, at time.Time)
}

// Listen makes fn hear every download as it is recorded (smart remotes push downloads served
// from their cache upstream). Set it before the server starts; fn must not block.
func (d *Downloads) Listen(fn func(repo, path, by string, at time.Time)) { d.listener = fn }

// maxBatch is the pending batch that is flushed before the interval ends: large enough that a
// busy server (tens of thousands of small downloads a second) still writes about once a
// second — each flush is a transaction with an fsync — and small enough to bound the memory
// (~100 bytes a download).
const maxBatch = 50_000

// NewDownloads returns a recorder flushing to store.
func NewDownloads(store meta.Stats, log *slog.Logger) *Downloads {
	return &Downloads{store: store, log: log, interval: time.Second, max: maxBatch, limit: 1 << 20, kick: make(chan struct{}, 1)}
}

// Record counts one download. It never blocks on the store.
func (d *Downloads) Record(repo, path, by string, at time.Time) {
	if d.listener != nil {
		d.listener(repo, path, by, at)
	}
	d.mu.Lock()
	d.pending = append(d.pending, arca.Download{Repo: repo, Path: path, By: by, At: at})
	n := len(d.pending)
	d.mu.Unlock()
	if n >= d.max {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
}

// Flush writes all recorded downloads to the store. On failure the batch is kept for the next
// attempt.
func (d *Downloads) Flush(ctx context.Context) error {
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	d.mu.Lock()
	batch := d.pending
	d.pending = nil
	d.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := d.store.AddDownloads(ctx, batch); err != nil {
		d.mu.Lock()
		d.pending = append(batch, d.pending...)
		if drop := len(d.pending) - d.limit; drop > 0 {
			d.pending = d.pending[drop:]
			d.log.Error("dropping download statistics: the store keeps failing", "dropped", drop)
		}
		d.mu.Unlock()
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
