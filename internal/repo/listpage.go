package repo

import (
	"context"
	"strings"

	"arca"
	"arca/internal/meta"
)

// Pager is implemented by repositories that read a page of a listing straight from the
// metadata store, at a cost that does not grow with the folder.
type Pager interface {
	// ListPage returns the page opt selects of what List(ctx, dir, opt.Deep) returns, filtered
	// by opt (see meta.ListOptions), in List's order.
	ListPage(ctx context.Context, dir string, opt meta.ListOptions) ([]arca.Item, error)
}

// ListPage returns the page opt selects of rep's listing of dir: through rep's own ListPage
// when it is a Pager, else by listing the whole folder and cutting the page out (remote and
// virtual repositories, whose listings merge several sources).
func ListPage(ctx context.Context, rep Repository, dir string, opt meta.ListOptions) ([]arca.Item, error) {
	if p, ok := rep.(Pager); ok {
		return p.ListPage(ctx, dir, opt)
	}
	items, err := rep.List(ctx, dir, opt.Deep)
	if err != nil {
		return nil, err
	}
	return cutPage(items, dir, opt), nil
}

// cutPage applies opt to the complete, ordered listing items of dir.
func cutPage(items []arca.Item, dir string, opt meta.ListOptions) []arca.Item {
	base := 0
	if dir != "" {
		base = strings.Count(dir, "/") + 1
	}
	var out []arca.Item
	for _, it := range items {
		switch {
		case opt.After != "" && it.Path <= opt.After:
		case opt.FilesOnly && it.Folder:
		case opt.Deep && opt.MaxDepth > 0 && strings.Count(it.Path, "/")+1-base > opt.MaxDepth:
		default:
			out = append(out, it)
		}
		if opt.Limit > 0 && len(out) == opt.Limit {
			break
		}
	}
	return out
}

// ListPage implements Pager. With include or exclude patterns, which the store cannot apply,
// it pages the filtered List instead.
func (l *Local) ListPage(ctx context.Context, dir string, opt meta.ListOptions) ([]arca.Item, error) {
	if err := l.checkRead(dir); err != nil {
		return nil, err
	}
	if !l.cfg.Filter().IsDefault() {
		items, err := l.List(ctx, dir, opt.Deep)
		if err != nil {
			return nil, err
		}
		return cutPage(items, dir, opt), nil
	}
	items, err := l.meta.ListPage(ctx, l.key, dir, opt)
	if err != nil {
		return nil, notFound(err, l.key, dir)
	}
	return items, nil
}
