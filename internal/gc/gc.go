// Package gc removes blobs that no item references any more.
//
// Blobs and item rows are not written in one transaction: an upload commits its blob first and
// inserts the item row afterwards. Between the two the blob is referenced by
// nothing, so Collect deletes only blobs whose ModTime is older than a grace period, and stores
// refresh a blob's ModTime when the same bytes are committed again. The grace period must
// therefore exceed the longest time between an upload's Commit and its metadata insert.
package gc

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"arca"
	"arca/internal/blob"
)

// Referencer tells whether any item references a blob. meta.Items satisfies it.
type Referencer interface {
	// BlobReferenced reports whether any item references the blob with this hex sha256.
	BlobReferenced(ctx context.Context, sha256 string) (bool, error)
}

// AgeDeleter is an optional capability of a blob.Collector: delete a blob only if its ModTime
// is still before cutoff, atomically with respect to the store's own Commit. Collect uses it
// when the store has it, which closes the race between "GC decided the blob is garbage" and
// "an upload committed the same bytes again, refreshing its ModTime". fsblob.Store has it.
type AgeDeleter interface {
	// DeleteIfOlder removes the blob if its ModTime is before cutoff and reports whether it
	// did. An unknown digest is (false, nil).
	DeleteIfOlder(ctx context.Context, digest string, cutoff time.Time) (bool, error)
}

// Result summarises one collection.
type Result struct {
	Scanned int   // blobs seen by the walk
	Deleted int   // blobs removed
	Freed   int64 // bytes removed (the sum of the deleted blobs' sizes)
}

// Pace spreads a collection out so that requests served meanwhile keep their latency: the
// work goes in steps of at most Batch blobs (one reference query for the step when the
// Referencer is also a BatchReferencer) that also end once they have been busy for Step, the
// collector yields the processor after every blob, and after each step it rests Rest times as
// long as the step took. A deletion step asks about at most twice as many blobs as the step
// before it got through, so that little of a step goes into answers it hands on. The zero
// value is the default pace.
//
// The rests are what keeps requests waiting little, not the yields: on a single processor
// (GOMAXPROCS=1) a goroutine that yields is run again before the scheduler polls the network,
// so a request that arrives during a step waits for the step's end, when the collector sleeps.
// Step bounds that wait.
type Pace struct {
	Batch int           // blobs per step at most (0: 32; a step's reference query runs without yielding)
	Step  time.Duration // a step ends once it has been busy this long (0: 100µs; < 0: after Batch blobs only)
	Rest  float64       // rest after a step, relative to its duration (0: 1, at most half the time busy; < 0: none)
	// Sleep rests for d or until ctx is done (then it returns ctx's error); nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock that times steps; nil: time.Now.
	Now func() time.Time
}

// BatchReferencer is an optional capability of a Referencer: answer for many blobs in one
// query. meta.BatchReferencer is the same method.
type BatchReferencer interface {
	// BlobsReferenced returns the subset of the digests that some item references.
	BlobsReferenced(ctx context.Context, sha256s []string) (map[string]bool, error)
}

// Collect is CollectPaced at the default pace.
func Collect(ctx context.Context, blobs blob.Collector, refs Referencer, grace time.Duration, now time.Time, log *slog.Logger) (Result, error) {
	return CollectPaced(ctx, blobs, refs, grace, now, log, Pace{})
}

// CollectPaced deletes every blob that no item references and whose ModTime is before
// now-grace, at the given pace.
//
// It walks the store once, asking refs about the blobs old enough to be garbage a step at a
// time, and deletes the unreferenced ones after the walk (so that no store has to cope with
// deletion during its own Walk), asking refs once more, a step at a time, just before deleting;
// memory grows with the number of garbage blobs, not with the store. It never writes to the
// metadata store, so it holds no write transaction. A blob committed again during the
// collection survives if the store implements AgeDeleter.
//
// grace must be positive (arca.ErrInvalid otherwise): a zero grace would delete blobs of
// uploads in flight. log may be nil. CollectPaced stops at the first error, including ctx's,
// and returns it together with what it had done so far.
func CollectPaced(ctx context.Context, blobs blob.Collector, refs Referencer, grace time.Duration, now time.Time, log *slog.Logger, p Pace) (Result, error) {
	if grace <= 0 {
		return Result{}, fmt.Errorf("gc: %w: grace period %v must be positive", arca.ErrInvalid, grace)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if p.Batch <= 0 {
		p.Batch = 32
	}
	if p.Rest == 0 {
		p.Rest = 1
	}
	if p.Step == 0 {
		p.Step = 100 * time.Microsecond
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	c := &collection{refs: refs, pace: p, step: p.Now()}
	cutoff := now.Add(-grace)
	var res Result
	var garbage, batch []blob.Info
	flush := func() error {
		g, err := c.unreferenced(ctx, batch)
		garbage, batch = append(garbage, g...), batch[:0]
		if err != nil {
			return err
		}
		return c.rest(ctx)
	}
	err := blobs.Walk(ctx, func(info blob.Info) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
		res.Scanned++
		if !info.ModTime.Before(cutoff) {
			return nil // young: perhaps an upload about to insert its item
		}
		if batch = append(batch, info); len(batch) >= p.Batch || c.busy() {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return res, fmt.Errorf("gc: scan: %w", err)
	}

	ad, conditional := blobs.(AgeDeleter)
	// ask is how many blobs the next step asks about: what the last step got through, doubled
	// (at most Batch), so that a step cut short by its time does not query for blobs it will
	// only hand on, which on a big database is most of the step's time.
	ask := p.Batch
	for len(garbage) > 0 {
		step := garbage[:min(len(garbage), ask)]
		next := len(step) // where the next step begins
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("gc: %w", err)
		}
		// Ask again: the walk may have taken long, and an item may have been pointed at the
		// blob meanwhile without committing it (deploy by checksum, for one).
		still, err := c.unreferenced(ctx, step)
		if err != nil {
			return res, fmt.Errorf("gc: %w", err)
		}
		for i, info := range still {
			if i > 0 && c.busy() {
				// The step's time is up: the rest of it goes back (into the step's last
				// slots; still is a copy) to be asked about again after the rest, so that
				// no answer is older than one step.
				next -= copy(step[len(step)-len(still[i:]):], still[i:])
				break
			}
			if err := ctx.Err(); err != nil {
				return res, fmt.Errorf("gc: %w", err)
			}
			runtime.Gosched()
			deleted := true
			if conditional {
				deleted, err = ad.DeleteIfOlder(ctx, info.Digest, cutoff)
			} else {
				err = blobs.Delete(ctx, info.Digest)
			}
			if err != nil {
				return res, fmt.Errorf("gc: delete %s: %w", info.Digest, err)
			}
			if !deleted {
				log.DebugContext(ctx, "gc: blob reclaimed by a new commit, kept", "digest", info.Digest)
				continue
			}
			res.Deleted++
			res.Freed += info.Size
			log.DebugContext(ctx, "gc: deleted blob", "digest", info.Digest, "size", info.Size, "modtime", info.ModTime)
		}
		garbage = garbage[next:]
		ask = min(p.Batch, max(1, 2*next))
		if err := c.rest(ctx); err != nil {
			return res, fmt.Errorf("gc: %w", err)
		}
	}
	log.InfoContext(ctx, "gc: done", "scanned", res.Scanned, "deleted", res.Deleted, "freed", res.Freed)
	return res, nil
}

// collection is the state of one paced run.
type collection struct {
	refs Referencer
	pace Pace
	step time.Time // when the current step began
}

// unreferenced returns the blobs of infos that no item references, in order.
func (c *collection) unreferenced(ctx context.Context, infos []blob.Info) ([]blob.Info, error) {
	var out []blob.Info
	if b, ok := c.refs.(BatchReferencer); ok && len(infos) > 1 {
		digests := make([]string, len(infos))
		for i, info := range infos {
			digests[i] = info.Digest
		}
		used, err := b.BlobsReferenced(ctx, digests)
		if err != nil {
			return nil, err
		}
		for _, info := range infos {
			if !used[info.Digest] {
				out = append(out, info)
			}
		}
		return out, nil
	}
	for _, info := range infos {
		used, err := c.refs.BlobReferenced(ctx, info.Digest)
		if err != nil {
			return out, err
		}
		if !used {
			out = append(out, info)
		}
	}
	return out, nil
}

// busy reports whether the current step has run for its time.
func (c *collection) busy() bool {
	return c.pace.Step > 0 && c.pace.Now().Sub(c.step) >= c.pace.Step
}

// rest ends a step: it sleeps Rest times the step's duration (or until ctx is done).
func (c *collection) rest(ctx context.Context) error {
	if c.pace.Rest > 0 {
		d := time.Duration(float64(c.pace.Now().Sub(c.step)) * c.pace.Rest)
		sleep := c.pace.Sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	c.step = c.pace.Now()
	return nil
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Runner runs collections one at a time, whether the periodic schedule or a request started
// them. Its fields must be set before the first Run and not changed afterwards.
type Runner struct {
	Blobs blob.Collector
	Refs  Referencer
	Grace time.Duration
	Pace  Pace
	Log   *slog.Logger
	Now   func() time.Time // nil: time.Now
	// Observe, when set, is told the outcome of every Run (for metrics).
	Observe func(Result, error)

	mu sync.Mutex
}

// Run collects garbage now, waiting for a collection already running to finish first.
func (r *Runner) Run(ctx context.Context) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	res, err := CollectPaced(ctx, r.Blobs, r.Refs, r.Grace, now(), r.Log, r.Pace)
	if r.Observe != nil {
		r.Observe(res, err)
	}
	return res, err
}
