package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"arca"
	"arca/internal/meta"
)

var (
	_ meta.BulkItems       = (*Store)(nil)
	_ meta.BatchReferencer = (*Store)(nil)
)

// PutFiles stores each file as PutFile would, in order, in one write transaction; the first
// error rolls the whole batch back and names the file. Files of one folder written one after
// the other check their parents once.
func (s *Store) PutFiles(ctx context.Context, files []meta.FilePut) error {
	for _, f := range files {
		switch {
		case f.Item.Path == "" || f.Item.Folder || f.Item.Checksums.SHA256 == "":
			_, err := s.PutFile(ctx, f.Item, meta.PutOptions{Props: f.Props}) // its own error
			return err
		}
		if err := checkProps(f.Props); err != nil {
			return err
		}
	}
	var touched []string
	for _, f := range files {
		touched = append(touched, f.Item.Repo)
	}
	return s.writeItems(ctx, touched, func(tx *sql.Tx) error {
		repos := map[string]bool{}
		lastDir := ""
		lastRepo := ""
		for _, fp := range files {
			f := fileDefaults(fp.Item)
			if !repos[f.Repo] {
				if _, err := s.repoCreated(ctx, tx, f.Repo); err != nil {
					return err
				}
				repos[f.Repo] = true
			}
			if dir := parentPath(f.Path); dir != "" && (dir != lastDir || f.Repo != lastRepo) {
				if _, err := s.ensureFolders(ctx, tx, f.Repo, dir, f.CreatedBy, ms(f.Created)); err != nil {
					return err
				}
				lastDir, lastRepo = dir, f.Repo
			}
			id, err := s.upsertFile(ctx, tx, f, false)
			if err != nil {
				return err
			}
			if err := s.replacePropsTx(ctx, tx, id, fp.Props); err != nil {
				return fmt.Errorf("%s/%s: %w", f.Repo, f.Path, err)
			}
		}
		return nil
	})
}

// BlobsReferenced returns which of the digests some item's actual sha256 is, with one indexed
// query per propsBatch digests.
func (s *Store) BlobsReferenced(ctx context.Context, sha256s []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(sha256s) > 0 {
		batch := sha256s[:min(len(sha256s), propsBatch)]
		sha256s = sha256s[len(batch):]
		args := make([]any, len(batch))
		for i, d := range batch {
			args[i] = d
		}
		rows, err := s.query(ctx, s.r, "SELECT DISTINCT sha256 FROM items WHERE sha256 IN ("+placeholders(len(batch))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("meta: blobs referenced: %w", err)
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return nil, fmt.Errorf("meta: blobs referenced: %w", err)
			}
			out[d] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("meta: blobs referenced: %w", err)
		}
	}
	return out, nil
}

// SchemaVersion is the newest migration version of the SQLite schema this binary writes (for
// caches of generated databases, such as the scale benchmark's).
func SchemaVersion() (int, error) {
	ms, err := loadMigrations(sqliteDialect{}.Migrations())
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, arca.Errorf(arca.ErrInvalid, "no migrations")
	}
	return ms[len(ms)-1].version, nil
}
