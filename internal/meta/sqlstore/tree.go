package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"arca"
)

// splitPath splits a non-root item path into its stored (path, name) columns.
func splitPath(p string) (dir, name string) { return arca.ParentDir(p), arca.BaseName(p) }

// parentPath is the parent of p as an item path ("" at the root, unlike arca.ParentDir).
func parentPath(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// storedDir is the items.path value of the children of folder dir.
func storedDir(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// descendants returns a condition matching every item strictly below folder dir of repo (every
// item of repo when dir is ""), with columns prefixed by alias ("i." or ""). The range test
// on path ("dir/" ≤ path < "dir0", '0' being '/'+1) stays on the (repo, path, name) index;
// it needs byte-wise collation (PostgreSQL: COLLATE "C" on items.path).
func descendants(alias, repo, dir string) (string, []any) {
	if dir == "" {
		return alias + "repo = ?", []any{repo}
	}
	return alias + "repo = ? AND (" + alias + "path = ? OR (" + alias + "path >= ? AND " + alias + "path < ?))",
		[]any{repo, dir, dir + "/", dir + "0"}
}

// lookup returns the id and item at repo/p (p non-empty); missing: arca.ErrNotFound.
func (s *Store) lookup(ctx context.Context, db querier, repo, p string) (int64, arca.Item, error) {
	dir, name := splitPath(p)
	id, it, err := scanItem(s.queryRow(ctx, db, selectItem+" WHERE i.repo = ? AND i.path = ? AND i.name = ?", repo, dir, name))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, arca.Item{}, notFound("%s/%s not found", repo, p)
	}
	if err != nil {
		// Text the engine refuses is arca.ErrInvalid: inside a write, the transaction is
		// now aborted, so not finding it cannot be the answer.
		return 0, arca.Item{}, s.classify(fmt.Errorf("meta: get %s/%s: %w", repo, p, err))
	}
	return id, it, nil
}

// lookupOrRoot is lookup that also accepts the root (""), reported with id 0 as a folder dated
// like its repository; an unknown repository is arca.ErrNotFound.
func (s *Store) lookupOrRoot(ctx context.Context, db querier, repo, p string) (int64, arca.Item, error) {
	if p != "" {
		return s.lookup(ctx, db, repo, p)
	}
	created, err := s.repoCreated(ctx, db, repo)
	if err != nil {
		return 0, arca.Item{}, err
	}
	t := fromMs(created)
	return 0, arca.Item{Repo: repo, Folder: true, Created: t, Modified: t, Updated: t}, nil
}

// itemByID returns the item with the given row id.
func (s *Store) itemByID(ctx context.Context, db querier, id int64) (arca.Item, error) {
	_, it, err := scanItem(s.queryRow(ctx, db, selectItem+" WHERE i.id = ?", id))
	if err != nil {
		return arca.Item{}, fmt.Errorf("meta: item %d: %w", id, err)
	}
	return it, nil
}

// ensureFolders makes p (non-empty) and its parents folders, creating the missing ones as owned
// by `by` at `at` (ms), and returns the id of p. It walks up only to the first existing folder,
// whose parents exist by the invariant. A file on the way is arca.ErrConflict.
func (s *Store) ensureFolders(ctx context.Context, tx querier, repo, p, by string, at int64) (int64, error) {
	var missing []string
	var id int64
	for cur := p; cur != ""; cur = parentPath(cur) {
		fid, it, err := s.lookup(ctx, tx, repo, cur)
		if errors.Is(err, arca.ErrNotFound) {
			missing = append(missing, cur)
			continue
		}
		if err != nil {
			return 0, err
		}
		if !it.Folder {
			return 0, arca.Errorf(arca.ErrConflict, "%s/%s is a file", repo, cur)
		}
		if cur == p {
			id = fid
		}
		break
	}
	for i := len(missing) - 1; i >= 0; i-- {
		fp := missing[i]
		dir, name := splitPath(fp)
		err := s.queryRow(ctx, tx, `INSERT INTO items (repo, path, name, depth, folder, created, created_by, modified, modified_by, updated)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT (repo, path, name) DO NOTHING RETURNING id`,
			repo, dir, name, strings.Count(fp, "/")+1, at, by, at, by, at).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) { // raced with another writer (PostgreSQL): check what won
			var it arca.Item
			if id, it, err = s.lookup(ctx, tx, repo, fp); err == nil && !it.Folder {
				err = arca.Errorf(arca.ErrConflict, "%s/%s is a file", repo, fp)
			}
		}
		if err != nil {
			return 0, fmt.Errorf("meta: create folder %s/%s: %w", repo, fp, err)
		}
	}
	return id, nil
}

// upsertFile inserts the file row of f (defaults applied, parents existing) or updates the file
// already at its path, in one statement, and returns the row id. Updating keeps created and
// created_by unless overwriteCreated. A folder at the path is arca.ErrConflict.
func (s *Store) upsertFile(ctx context.Context, tx querier, f arca.Item, overwriteCreated bool) (int64, error) {
	dir, name := splitPath(f.Path)
	set := `size = excluded.size, sha256 = excluded.sha256, sha1 = excluded.sha1, md5 = excluded.md5,
		orig_sha256 = excluded.orig_sha256, orig_sha1 = excluded.orig_sha1, orig_md5 = excluded.orig_md5,
		mime = excluded.mime, modified = excluded.modified, modified_by = excluded.modified_by, updated = excluded.updated`
	if overwriteCreated {
		set += ", created = excluded.created, created_by = excluded.created_by"
	}
	var id int64
	err := s.queryRow(ctx, tx, `INSERT INTO items (repo, path, name, depth, folder, size, sha256, sha1, md5,
			orig_sha256, orig_sha1, orig_md5, mime, created, created_by, modified, modified_by, updated)
		VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, path, name) DO UPDATE SET `+set+` WHERE items.folder = 0
		RETURNING id`,
		f.Repo, dir, name, strings.Count(f.Path, "/")+1, f.Size,
		f.Checksums.SHA256, f.Checksums.SHA1, f.Checksums.MD5,
		f.Original.SHA256, f.Original.SHA1, f.Original.MD5,
		f.MimeType, ms(f.Created), f.CreatedBy, ms(f.Modified), f.ModifiedBy, ms(f.Updated)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, arca.Errorf(arca.ErrConflict, "%s/%s is a folder", f.Repo, f.Path)
	}
	if err != nil {
		return 0, fmt.Errorf("meta: put %s/%s: %w", f.Repo, f.Path, err)
	}
	return id, nil
}
