package repo

import "context"

// cleanupBatch bounds one query of unused cached files.
const cleanupBatch = 500

// CleanupUnused removes, from the cache of every remote repository that sets
// unusedArtifactsCleanupPeriodHours, the files neither downloaded nor cached within that period.
// It returns how many files it removed.
func (r *Registry) CleanupUnused(ctx context.Context) (int, error) {
	r.mu.RLock()
	var remotes []*Remote
	for _, rep := range r.repos {
		if rem, ok := rep.(*Remote); ok && rem.cfg.UnusedArtifactsCleanupPeriod() > 0 {
			remotes = append(remotes, rem)
		}
	}
	r.mu.RUnlock()
	removed := 0
	for _, rem := range remotes {
		before := r.now().Add(-rem.cfg.UnusedArtifactsCleanupPeriod())
		for {
			items, err := r.meta.UnusedFiles(ctx, rem.cache.Key(), before, cleanupBatch)
			if err != nil {
				return removed, err
			}
			for _, it := range items {
				if _, err := r.meta.Delete(ctx, it.Repo, it.Path); err != nil && ctx.Err() != nil {
					return removed, err
				}
				removed++
			}
			if len(items) < cleanupBatch {
				break
			}
		}
	}
	return removed, nil
}
