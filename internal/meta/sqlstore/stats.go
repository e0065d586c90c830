package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"arca"
)

// Statistics live in stats (local downloads, one row per item) and remote_stats (one row per
// item and reporting origin); GetStats sums the latter. Both go with their item on delete.

// AddDownloads records a batch of downloads in one transaction: one upsert per distinct item,
// adding its count and keeping the latest (At, By). Downloads of items (or repositories) that no
// longer exist, and of the root, are dropped silently.
func (s *Store) AddDownloads(ctx context.Context, ds []arca.Download) error {
	type key struct{ repo, path string }
	type agg struct {
		n  int64
		at time.Time
		by string
	}
	sums := map[key]*agg{}
	var order []key
	for _, d := range ds {
		if d.Path == "" {
			continue
		}
		k := key{d.Repo, d.Path}
		a := sums[k]
		if a == nil {
			a = &agg{}
			sums[k] = a
			order = append(order, k)
		}
		a.n += max(d.Count, 1)
		if !d.At.Before(a.at) {
			a.at, a.by = d.At, d.By
		}
	}
	if len(order) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, k := range order {
			a := sums[k]
			dir, name := splitPath(k.path)
			// The WHERE also keeps SQLite's parser from reading ON CONFLICT as a join
			// constraint of the SELECT; a vanished item selects nothing and is dropped.
			_, err := s.exec(ctx, tx, `INSERT INTO stats (item_id, downloads, last_downloaded, last_downloaded_by)
				SELECT id, ?, ?, ? FROM items WHERE repo = ? AND path = ? AND name = ?
				ON CONFLICT (item_id) DO UPDATE SET
					downloads = stats.downloads + excluded.downloads,
					last_downloaded_by = CASE WHEN excluded.last_downloaded >= stats.last_downloaded
						THEN excluded.last_downloaded_by ELSE stats.last_downloaded_by END,
					last_downloaded = CASE WHEN excluded.last_downloaded >= stats.last_downloaded
						THEN excluded.last_downloaded ELSE stats.last_downloaded END`,
				a.n, ms(a.at), a.by, k.repo, dir, name)
			if err != nil {
				return fmt.Errorf("meta: add downloads: %w", err)
			}
		}
		return nil
	})
}

// AddRemoteDownloads adds count downloads reported by a smart remote downstream from origin,
// keeping the origin's latest (last, by). Missing item: arca.ErrNotFound.
func (s *Store) AddRemoteDownloads(ctx context.Context, repo, path, origin string, count int64, last time.Time, by string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		id, _, err := s.lookup(ctx, tx, repo, path)
		if err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `INSERT INTO remote_stats (item_id, origin, downloads, last_downloaded, last_downloaded_by)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (item_id, origin) DO UPDATE SET
				downloads = remote_stats.downloads + excluded.downloads,
				last_downloaded_by = CASE WHEN excluded.last_downloaded >= remote_stats.last_downloaded
					THEN excluded.last_downloaded_by ELSE remote_stats.last_downloaded_by END,
				last_downloaded = CASE WHEN excluded.last_downloaded >= remote_stats.last_downloaded
					THEN excluded.last_downloaded ELSE remote_stats.last_downloaded END`,
			id, origin, count, ms(last), by)
		if err != nil {
			return fmt.Errorf("meta: add remote downloads %s/%s: %w", repo, path, err)
		}
		return nil
	})
}

// GetStats returns the statistics of an item, zero when never downloaded (the root always).
// Missing item or repository: arca.ErrNotFound.
func (s *Store) GetStats(ctx context.Context, repo, path string) (arca.Stats, error) {
	var st arca.Stats
	err := s.read(ctx, func(tx *sql.Tx) error {
		id, _, err := s.lookupOrRoot(ctx, tx, repo, path)
		if err != nil || id == 0 {
			return err
		}
		m, err := s.statsOf(ctx, tx, []int64{id})
		st = m[id]
		return err
	})
	return st, err
}

// statsOf returns the statistics of the given items; never-downloaded items are zero values.
func (s *Store) statsOf(ctx context.Context, db querier, ids []int64) (map[int64]arca.Stats, error) {
	out := make(map[int64]arca.Stats, len(ids))
	err := inBatches(ids, func(batch []any) error {
		in := placeholders(len(batch))
		rows, err := s.query(ctx, db, "SELECT item_id, downloads, last_downloaded, last_downloaded_by FROM stats WHERE item_id IN ("+in+")", batch...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, n, last int64
			var by string
			if err := rows.Scan(&id, &n, &last, &by); err != nil {
				rows.Close()
				return err
			}
			st := out[id]
			st.DownloadCount, st.LastDownloaded, st.LastDownloadedBy = n, fromMs(last), by
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = s.query(ctx, db, "SELECT item_id, downloads, last_downloaded, last_downloaded_by FROM remote_stats WHERE item_id IN ("+in+") ORDER BY item_id, origin", batch...)
		if err != nil {
			return err
		}
		defer rows.Close()
		latest := map[int64]int64{}
		for rows.Next() {
			var id, n, last int64
			var by string
			if err := rows.Scan(&id, &n, &last, &by); err != nil {
				return err
			}
			st := out[id]
			st.RemoteDownloadCount += n
			if l, seen := latest[id]; !seen || last > l {
				latest[id] = last
				st.RemoteLastDownloaded, st.RemoteLastDownloadedBy = fromMs(last), by
			}
			out[id] = st
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("meta: stats: %w", err)
	}
	return out, nil
}

// moveStatsTx replaces the statistics of item dst by those of item src.
func (s *Store) moveStatsTx(ctx context.Context, tx *sql.Tx, src, dst int64) error {
	for _, q := range []string{
		"DELETE FROM stats WHERE item_id = ?",
		"DELETE FROM remote_stats WHERE item_id = ?",
	} {
		if _, err := s.exec(ctx, tx, q, dst); err != nil {
			return fmt.Errorf("meta: move stats: %w", err)
		}
	}
	for _, q := range []string{
		"INSERT INTO stats (item_id, downloads, last_downloaded, last_downloaded_by) SELECT ?, downloads, last_downloaded, last_downloaded_by FROM stats WHERE item_id = ?",
		"INSERT INTO remote_stats (item_id, origin, downloads, last_downloaded, last_downloaded_by) SELECT ?, origin, downloads, last_downloaded, last_downloaded_by FROM remote_stats WHERE item_id = ?",
	} {
		if _, err := s.exec(ctx, tx, q, dst, src); err != nil {
			return fmt.Errorf("meta: move stats: %w", err)
		}
	}
	return nil
}

// UnusedFiles implements meta.Stats: files of repo whose last download (or creation, when never
// downloaded) is before the cutoff.
func (s *Store) UnusedFiles(ctx context.Context, repo string, before time.Time, limit int) ([]arca.Item, error) {
	if limit <= 0 {
		return nil, nil
	}
	q := selectItem + ` LEFT JOIN stats st ON st.item_id = i.id
		WHERE i.repo = ? AND i.folder = 0 AND i.created < ? AND COALESCE(st.last_downloaded, 0) < ?
		ORDER BY CASE WHEN COALESCE(st.last_downloaded, 0) > i.created THEN st.last_downloaded ELSE i.created END
		LIMIT ?`
	cutoff := ms(before)
	return s.items(ctx, s.r, q, repo, cutoff, cutoff, limit)
}
