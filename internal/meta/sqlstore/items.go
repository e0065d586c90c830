package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"arca"
	"arca/internal/meta"
)

// Items are rows of the items table (see package meta): path is the parent folder ("." at the
// root), name the last segment. Every folder row's parents exist as folder rows; the writes
// below keep that invariant, which lets ensureFolders stop at the first existing folder.

const itemCols = "i.id, i.repo, i.path, i.name, i.folder, i.size, i.sha256, i.sha1, i.md5, " +
	"i.orig_sha256, i.orig_sha1, i.orig_md5, i.mime, i.created, i.created_by, i.modified, i.modified_by, i.updated"

const selectItem = "SELECT " + itemCols + " FROM items i"

// GetItem returns the item at path, the root ("") as a folder dated like its repository.
// Missing item or repository: arca.ErrNotFound.
func (s *Store) GetItem(ctx context.Context, repo, path string) (arca.Item, error) {
	if path == "" {
		_, it, err := s.lookupOrRoot(ctx, s.r, repo, "")
		return it, err
	}
	dir, name := splitPath(path)
	start := time.Now()
	_, it, err := scanItem(s.getItem.QueryRowContext(ctx, repo, dir, name))
	s.timed("get", start, err)
	if errors.Is(err, sql.ErrNoRows) || s.d.IsInvalidText(err) { // text no row can hold
		return arca.Item{}, notFound("%s/%s not found", repo, path)
	}
	if err != nil {
		return arca.Item{}, fmt.Errorf("meta: get %s/%s: %w", repo, path, err)
	}
	return it, nil
}

// PutFile creates or replaces the file at f.Repo/f.Path with its missing parent folders (created
// by f.CreatedBy at f.Created) in one transaction, and returns the item as stored.
//
// Defaults: Created is now when zero; Modified is Created, Updated is Modified, ModifiedBy is
// CreatedBy when unset; each Original checksum that is "" is the actual one. Replacing a file
// keeps its Created/CreatedBy and its statistics, and replaces all its properties by opt.Props.
// Errors: an unknown repository is arca.ErrNotFound; a file without Checksums.SHA256 or with
// Folder set is arca.ErrInvalid; a parent that is a file, or a folder at f.Path (the root
// included), is arca.ErrConflict.
func (s *Store) PutFile(ctx context.Context, f arca.Item, opt meta.PutOptions) (arca.Item, error) {
	switch {
	case f.Path == "":
		return arca.Item{}, arca.Errorf(arca.ErrConflict, "%s: the repository root is a folder", f.Repo)
	case f.Folder:
		return arca.Item{}, arca.Errorf(arca.ErrInvalid, "PutFile of a folder")
	case f.Checksums.SHA256 == "":
		return arca.Item{}, arca.Errorf(arca.ErrInvalid, "%s/%s: file without sha256", f.Repo, f.Path)
	}
	if err := checkProps(opt.Props); err != nil {
		return arca.Item{}, err
	}
	f = fileDefaults(f)
	var out arca.Item
	err := s.writeItems(ctx, []string{f.Repo}, func(tx *sql.Tx) error {
		if _, err := s.repoCreated(ctx, tx, f.Repo); err != nil {
			return err
		}
		if dir := parentPath(f.Path); dir != "" {
			if _, err := s.ensureFolders(ctx, tx, f.Repo, dir, f.CreatedBy, ms(f.Created)); err != nil {
				return err
			}
		}
		id, err := s.upsertFile(ctx, tx, f, false)
		if err != nil {
			return err
		}
		if err := s.replacePropsTx(ctx, tx, id, opt.Props); err != nil {
			return err
		}
		out, err = s.itemByID(ctx, tx, id)
		return err
	})
	return out, err
}

// fileDefaults fills the unset times, ModifiedBy and Original checksums of a file to store.
func fileDefaults(f arca.Item) arca.Item {
	f.Created = orNow(f.Created)
	if f.Modified.IsZero() {
		f.Modified = f.Created
	}
	if f.Updated.IsZero() {
		f.Updated = f.Modified
	}
	if f.ModifiedBy == "" {
		f.ModifiedBy = f.CreatedBy
	}
	if f.Original.SHA256 == "" {
		f.Original.SHA256 = f.Checksums.SHA256
	}
	if f.Original.SHA1 == "" {
		f.Original.SHA1 = f.Checksums.SHA1
	}
	if f.Original.MD5 == "" {
		f.Original.MD5 = f.Checksums.MD5
	}
	return f
}

// MakeFolder creates the folder at path and its missing parents (created by `by` at `at`, now
// when zero) and returns it; an existing folder is returned as is, and the root ("") is reported
// as GetItem does. A file in the way is arca.ErrConflict; an unknown repository arca.ErrNotFound.
func (s *Store) MakeFolder(ctx context.Context, repo, path, by string, at time.Time) (arca.Item, error) {
	if path == "" {
		return s.GetItem(ctx, repo, "")
	}
	var out arca.Item
	err := s.writeItems(ctx, []string{repo}, func(tx *sql.Tx) error {
		if _, err := s.repoCreated(ctx, tx, repo); err != nil {
			return err
		}
		id, err := s.ensureFolders(ctx, tx, repo, path, by, ms(orNow(at)))
		if err != nil {
			return err
		}
		out, err = s.itemByID(ctx, tx, id)
		return err
	})
	return out, err
}

// mustBeFolder returns nil when dir (in tx) is a folder of repo or its root; arca.ErrNotFound when
// it is missing, a file, or the repository is unknown.
func (s *Store) mustBeFolder(ctx context.Context, tx *sql.Tx, repo, dir string) error {
	_, d, err := s.lookupOrRoot(ctx, tx, repo, dir)
	if err != nil {
		return err
	}
	if !d.Folder {
		return notFound("%s/%s is not a folder", repo, dir)
	}
	return nil
}

// List returns the children of dir (every descendant, folders and files, when deep) ordered by
// full path, byte-wise. dir "" lists the repository root. A dir that does not exist or is a
// file, or an unknown repository: arca.ErrNotFound.
func (s *Store) List(ctx context.Context, repo, dir string, deep bool) ([]arca.Item, error) {
	var out []arca.Item
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.mustBeFolder(ctx, tx, repo, dir); err != nil {
			return err
		}
		var where string
		var args []any
		if deep {
			where, args = descendants("i.", repo, dir)
		} else {
			where, args = "i.repo = ? AND i.path = ?", []any{repo, storedDir(dir)}
		}
		var err error
		out, err = s.items(ctx, tx, selectItem+" WHERE "+where+" ORDER BY i.path, i.name", args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if deep { // (path, name) order is not full-path order: "a/b/c" sorts before "a/bc"
		slices.SortFunc(out, func(a, b arca.Item) int { return strings.Compare(a.Path, b.Path) })
	}
	return out, nil
}

// Delete removes the item and, for a folder, its subtree (the root: every item of the
// repository); properties and statistics go with the rows (ON DELETE CASCADE). It returns the
// number of items removed. Missing item or repository: arca.ErrNotFound.
func (s *Store) Delete(ctx context.Context, repo, path string) (int, error) {
	var n int64
	err := s.writeItems(ctx, []string{repo}, func(tx *sql.Tx) error {
		id, it, err := s.lookupOrRoot(ctx, tx, repo, path)
		if err != nil {
			return err
		}
		var res sql.Result
		switch {
		case path == "":
			res, err = s.exec(ctx, tx, "DELETE FROM items WHERE repo = ?", repo)
		case !it.Folder:
			res, err = s.exec(ctx, tx, "DELETE FROM items WHERE id = ?", id)
		default:
			where, args := descendants("", repo, path)
			res, err = s.exec(ctx, tx, "DELETE FROM items WHERE id = ? OR ("+where+")", append([]any{id}, args...)...)
		}
		if err != nil {
			return fmt.Errorf("meta: delete %s/%s: %w", repo, path, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// FindByChecksum returns the files whose actual checksum of kind ("sha256", "sha1" or "md5")
// equals value, in the given repositories (all when repos is empty), ordered by repository and
// path. An unknown kind is arca.ErrInvalid.
func (s *Store) FindByChecksum(ctx context.Context, kind, value string, repos []string) ([]arca.Item, error) {
	switch kind {
	case "sha256", "sha1", "md5":
	default:
		return nil, arca.Errorf(arca.ErrInvalid, "unknown checksum type %q", kind)
	}
	if value == "" {
		return nil, nil
	}
	q := selectItem + " WHERE i." + kind + " = ? AND i.folder = 0"
	args := []any{value}
	if len(repos) > 0 {
		q += " AND i.repo IN (" + placeholders(len(repos)) + ")"
		for _, r := range repos {
			args = append(args, r)
		}
	}
	out, err := s.items(ctx, s.r, q+" ORDER BY i.repo, i.path, i.name", args...)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b arca.Item) int {
		if c := strings.Compare(a.Repo, b.Repo); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out, nil
}

// BlobReferenced reports whether any file's actual sha256 is the given one.
func (s *Store) BlobReferenced(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := s.queryRow(ctx, s.r, "SELECT COUNT(*) FROM (SELECT 1 FROM items WHERE sha256 = ? LIMIT 1) x", sha256).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("meta: blob referenced: %w", err)
	}
	return n > 0, nil
}

// items runs a query selecting itemCols and returns the items.
func (s *Store) items(ctx context.Context, db querier, q string, args ...any) ([]arca.Item, error) {
	rows, err := s.query(ctx, db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("meta: query items: %w", err)
	}
	defer rows.Close()
	var out []arca.Item
	for rows.Next() {
		_, it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("meta: scan item: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: query items: %w", err)
	}
	return out, nil
}

// scanItem scans a row of itemCols into its id and item.
func scanItem(sc scanner) (int64, arca.Item, error) {
	var (
		id, folder, created, modified, updated int64
		dir, name                              string
		it                                     arca.Item
	)
	err := sc.Scan(&id, &it.Repo, &dir, &name, &folder, &it.Size,
		&it.Checksums.SHA256, &it.Checksums.SHA1, &it.Checksums.MD5,
		&it.Original.SHA256, &it.Original.SHA1, &it.Original.MD5,
		&it.MimeType, &created, &it.CreatedBy, &modified, &it.ModifiedBy, &updated)
	if err != nil {
		return 0, arca.Item{}, err
	}
	if dir == "." {
		it.Path = name
	} else {
		it.Path = dir + "/" + name
	}
	it.Folder = folder != 0
	it.Created, it.Modified, it.Updated = fromMs(created), fromMs(modified), fromMs(updated)
	return id, it, nil
}
