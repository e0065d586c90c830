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

// Collect deletes every blob that no item references and whose ModTime is before now-grace.
//
// It walks the store once, asking refs about each blob old enough to be garbage, and deletes
// the unreferenced ones after the walk (so that no store has to cope with deletion during its
// own Walk), asking refs once more just before each deletion; memory grows with the number of
// garbage blobs, not with the store. A blob
// committed again during the collection survives if the store implements AgeDeleter.
//
// grace must be positive (arca.ErrInvalid otherwise): a zero grace would delete blobs of
// uploads in flight. log may be nil. Collect stops at the first error, including ctx's, and
// returns it together with what it had done so far.
func Collect(ctx context.Context, blobs blob.Collector, refs Referencer, grace time.Duration, now time.Time, log *slog.Logger) (Result, error) {
	if grace <= 0 {
		return Result{}, fmt.Errorf("gc: %w: grace period %v must be positive", arca.ErrInvalid, grace)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cutoff := now.Add(-grace)
	var res Result
	var garbage []blob.Info
	err := blobs.Walk(ctx, func(info blob.Info) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.Scanned++
		if !info.ModTime.Before(cutoff) {
			return nil // young: perhaps an upload about to insert its item
		}
		used, err := refs.BlobReferenced(ctx, info.Digest)
		if err != nil {
			return err
		}
		if !used {
			garbage = append(garbage, info)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("gc: scan: %w", err)
	}

	ad, conditional := blobs.(AgeDeleter)
	for _, info := range garbage {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("gc: %w", err)
		}
		// Ask again: the walk may have taken long, and an item may have been pointed at the
		// blob meanwhile without committing it (deploy by checksum, for one).
		used, err := refs.BlobReferenced(ctx, info.Digest)
		if err != nil {
			return res, fmt.Errorf("gc: %w", err)
		}
		if used {
			continue
		}
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
	log.InfoContext(ctx, "gc: done", "scanned", res.Scanned, "deleted", res.Deleted, "freed", res.Freed)
	return res, nil
}
