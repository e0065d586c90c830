package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"arca"
)

// Copy copies the item at srcRepo/srcPath (a folder with its whole subtree, the root "" with
// every item of the repository) with its properties to dstRepo/dstPath, creating dst's missing
// parents, and returns the number of items copied. Existing files at the destination are
// replaced (keeping their Created/CreatedBy and statistics); existing folders are merged into.
// New items are created by `by` at `at` (now when zero); statistics are not copied.
//
// Errors: missing source or destination repository, arca.ErrNotFound; source and destination
// the same, or a folder copied into itself or onto one of its ancestors in the same repository,
// arca.ErrInvalid; a file copied onto a folder, a folder onto a file, or a file on the way to the
// destination, arca.ErrConflict.
func (s *Store) Copy(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error) {
	return s.transfer(ctx, srcRepo, srcPath, dstRepo, dstPath, by, at, false)
}

// Move is Copy followed by Delete of the source, in one transaction. Moved files keep their
// Created/CreatedBy/Modified/ModifiedBy (Updated becomes `at`), and their statistics move
// along, replacing those of a file they replace.
func (s *Store) Move(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error) {
	return s.transfer(ctx, srcRepo, srcPath, dstRepo, dstPath, by, at, true)
}

// transfer implements Copy and Move.
func (s *Store) transfer(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time, move bool) (int, error) {
	atMs := ms(orNow(at))
	n := 0
	err := s.writeItems(ctx, []string{srcRepo, dstRepo}, func(tx *sql.Tx) error {
		n = 0
		srcID, src, err := s.lookupOrRoot(ctx, tx, srcRepo, srcPath)
		if err != nil {
			return err
		}
		if _, err := s.repoCreated(ctx, tx, dstRepo); err != nil {
			return err
		}
		same := srcRepo == dstRepo
		if same && srcPath == dstPath {
			return arca.Errorf(arca.ErrInvalid, "%s/%s: source and destination are the same", srcRepo, srcPath)
		}
		if !src.Folder {
			if dstPath == "" {
				return arca.Errorf(arca.ErrConflict, "%s: the repository root is a folder", dstRepo)
			}
			if dir := parentPath(dstPath); dir != "" {
				if _, err := s.ensureFolders(ctx, tx, dstRepo, dir, by, atMs); err != nil {
					return err
				}
			}
			if _, err := s.transferFile(ctx, tx, srcID, src, dstRepo, dstPath, by, atMs, move); err != nil {
				return err
			}
			n = 1
			if move {
				return s.deleteIDs(ctx, tx, "id = ?", srcID)
			}
			return nil
		}
		if same && (arca.IsUnder(dstPath, srcPath) || arca.IsUnder(srcPath, dstPath)) {
			return arca.Errorf(arca.ErrInvalid, "%s: cannot copy or move folder %q into %q", srcRepo, srcPath, dstPath)
		}
		// Snapshot the subtree first, parents before children, then write.
		where, args := descendants("i.", srcRepo, srcPath)
		type entry struct {
			id int64
			it arca.Item
		}
		var entries []entry
		rows, err := s.query(ctx, tx, selectItem+" WHERE "+where+" ORDER BY i.depth, i.path, i.name", args...)
		if err != nil {
			return fmt.Errorf("meta: copy %s/%s: %w", srcRepo, srcPath, err)
		}
		for rows.Next() {
			id, it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("meta: copy %s/%s: %w", srcRepo, srcPath, err)
			}
			entries = append(entries, entry{id, it})
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("meta: copy %s/%s: %w", srcRepo, srcPath, err)
		}
		rows.Close()

		if dstPath != "" {
			dstID, err := s.ensureFolders(ctx, tx, dstRepo, dstPath, by, atMs)
			if err != nil {
				return err
			}
			if srcID != 0 {
				if err := s.copyPropsTx(ctx, tx, srcID, dstID); err != nil {
					return err
				}
				n++
			}
		}
		for _, e := range entries {
			rel := e.it.Path
			if srcPath != "" {
				rel = rel[len(srcPath)+1:]
			}
			d := arca.JoinPath(dstPath, rel)
			if !e.it.Folder {
				if _, err := s.transferFile(ctx, tx, e.id, e.it, dstRepo, d, by, atMs, move); err != nil {
					return err
				}
			} else {
				id, err := s.ensureFolders(ctx, tx, dstRepo, d, by, atMs)
				if err != nil {
					return err
				}
				if err := s.copyPropsTx(ctx, tx, e.id, id); err != nil {
					return err
				}
			}
			n++
		}
		if !move {
			return nil
		}
		if srcPath == "" {
			return s.deleteIDs(ctx, tx, "repo = ?", srcRepo)
		}
		where, args = descendants("", srcRepo, srcPath)
		return s.deleteIDs(ctx, tx, "id = ? OR ("+where+")", append([]any{srcID}, args...)...)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// transferFile writes the file src (row srcID) at dstRepo/dstPath, whose parents exist, with
// src's properties, and for a move src's times and statistics. It returns the new row id.
func (s *Store) transferFile(ctx context.Context, tx *sql.Tx, srcID int64, src arca.Item, dstRepo, dstPath, by string, atMs int64, move bool) (int64, error) {
	f := src
	f.Repo, f.Path = dstRepo, dstPath
	at := fromMs(atMs)
	if !move {
		f.Created, f.CreatedBy, f.Modified, f.ModifiedBy = at, by, at, by
	}
	f.Updated = at
	id, err := s.upsertFile(ctx, tx, f, move)
	if err != nil {
		return 0, err
	}
	if err := s.copyPropsTx(ctx, tx, srcID, id); err != nil {
		return 0, err
	}
	if move {
		if err := s.moveStatsTx(ctx, tx, srcID, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// deleteIDs deletes the items matching where (unaliased columns).
func (s *Store) deleteIDs(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	if _, err := s.exec(ctx, tx, "DELETE FROM items WHERE "+where, args...); err != nil {
		return fmt.Errorf("meta: delete: %w", err)
	}
	return nil
}
