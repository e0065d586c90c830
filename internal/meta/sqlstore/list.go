package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"arca"
	"arca/internal/meta"
)

// fullPathExpr is an item's repository-relative path computed from its columns. It must match
// the expression of the items_repo_fullpath index (migration 0002) character for character,
// bar the alias, for the planner to page deep listings on that index.
const fullPathExpr = "(CASE WHEN i.path = '.' THEN i.name ELSE i.path || '/' || i.name END)"

// ListPage returns a page of List's result: the children (with opt.Deep every descendant) of
// dir after opt.After in full-path order, at most opt.Limit of them, without folders when
// opt.FilesOnly and, deep, at most opt.MaxDepth levels below dir.
//
// Children page on the (repo, path, name) index (one folder's names in order are its full
// paths in order); a deep listing pages on items_repo_fullpath. Either way a page costs what it
// returns, whatever its position. A dir that does not exist or is a file, or an unknown
// repository: arca.ErrNotFound.
func (s *Store) ListPage(ctx context.Context, repo, dir string, opt meta.ListOptions) ([]arca.Item, error) {
	var out []arca.Item
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.mustBeFolder(ctx, tx, repo, dir); err != nil {
			return err
		}
		q, args := listPageQuery(repo, dir, opt)
		var err error
		out, err = s.items(ctx, tx, q, args...)
		return err
	})
	return out, err
}

// listPageQuery builds ListPage's statement.
func listPageQuery(repo, dir string, opt meta.ListOptions) (string, []any) {
	var conds []string
	var args []any
	var order string
	if !opt.Deep {
		conds, args = []string{"i.repo = ?", "i.path = ?"}, []any{repo, storedDir(dir)}
		if opt.After != "" {
			// A child's path is prefix+name, so it sorts after After exactly when its name sorts
			// after After without the prefix; an After outside dir sorts before or after all of
			// dir's children.
			switch prefix := dirPrefix(dir); {
			case strings.HasPrefix(opt.After, prefix):
				conds, args = append(conds, "i.name > ?"), append(args, opt.After[len(prefix):])
			case opt.After > prefix:
				conds = append(conds, "1 = 0")
			}
		}
		order = "i.name"
	} else {
		fp := fullPathExpr
		conds, args = []string{"i.repo = ?"}, []any{repo}
		if dir != "" {
			// dir/ <= path < dir0 ('0' is '/'+1): the subtree, as a range of the index.
			conds, args = append(conds, fp+" > ?", fp+" < ?"), append(args, dir+"/", dir+"0")
		}
		if opt.After != "" {
			conds, args = append(conds, fp+" > ?"), append(args, opt.After)
		}
		if opt.MaxDepth > 0 {
			conds, args = append(conds, "i.depth <= ?"), append(args, strings.Count(dir, "/")+boolInt(dir != "")+opt.MaxDepth)
		}
		order = fp
	}
	if opt.FilesOnly {
		conds = append(conds, "i.folder = 0")
	}
	q := selectItem + " WHERE " + strings.Join(conds, " AND ") + " ORDER BY " + order
	if opt.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, opt.Limit)
	}
	return q, args
}

// dirPrefix is what the paths of dir's descendants start with ("" at the root).
func dirPrefix(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + "/"
}
