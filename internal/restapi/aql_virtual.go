package restapi

import (
	"context"
	"strings"

	"arca/internal/aql"
	"arca/internal/meta"
	"arca/internal/repo"
)

// virtualScope records what an AQL query's virtual repositories expanded to, to filter and
// annotate the rows: Artifactory searches a virtual's locals and remote caches, returns only
// items the virtual can reach (its and its members' patterns, and what Arca's
// dependency-confusion guard leaves visible), and names the virtuals in a row's "virtual_repos".
type virtualScope struct {
	// reach maps a storage key to the virtual repositories (and the member) that reach it.
	reach map[string][]virtualReach
	// direct are storage keys the query also names directly (their rows are not filtered).
	direct map[string]bool
}

type virtualReach struct {
	v *repo.Virtual
	g *repo.Guard
	m repo.Member
}

// expandVirtuals rewrites every `repo` equality naming a virtual repository into an OR over the
// storage keys of its locals and remote caches. It returns nil when the query names none.
func (a *API) expandVirtuals(ctx context.Context, q *aql.Query) *virtualScope {
	sc := &virtualScope{reach: map[string][]virtualReach{}, direct: map[string]bool{}}
	q.Criteria = sc.rewrite(ctx, a.Repos, q.Criteria)
	if len(sc.reach) == 0 {
		return nil
	}
	return sc
}

func (sc *virtualScope) rewrite(ctx context.Context, repos *repo.Registry, n aql.Node) aql.Node {
	switch n := n.(type) {
	case aql.And:
		out := make(aql.And, len(n))
		for i, c := range n {
			out[i] = sc.rewrite(ctx, repos, c)
		}
		return out
	case aql.Or:
		out := make(aql.Or, len(n))
		for i, c := range n {
			out[i] = sc.rewrite(ctx, repos, c)
		}
		return out
	case *aql.Cmp:
		key, ok := n.Value.(string)
		if n.Field != "repo" || n.Op != aql.Eq || !ok {
			return n
		}
		rep, err := repos.Get(key)
		v, isVirtual := rep.(*repo.Virtual)
		if err != nil || !isVirtual {
			sc.direct[key] = true
			return n
		}
		or := aql.Or{}
		g := v.Guard(ctx)
		for storage, m := range v.SearchTargets(ctx) {
			sc.reach[storage] = append(sc.reach[storage], virtualReach{v: v, g: g, m: m})
			or = append(or, &aql.Cmp{Field: "repo", Op: aql.Eq, Value: storage})
		}
		if len(or) == 0 {
			// A virtual with nothing to search matches nothing.
			return &aql.Cmp{Field: "repo", Op: aql.Eq, Value: ""}
		}
		return or
	}
	return n
}

// virtualsOf returns the virtual repositories through which row is visible, and whether the row
// may be returned at all.
func (sc *virtualScope) virtualsOf(row meta.Row) (names []string, keep bool) {
	reaches, ok := sc.reach[row.Item.Repo]
	if !ok {
		return nil, true
	}
	for _, r := range reaches {
		visible := r.v.Visible(r.m, row.Item.Path, row.Item.Folder) && !r.g.Hides(r.m, row.Item.Path)
		if visible && !containsFold(names, r.v.Config().Key()) {
			names = append(names, r.v.Config().Key())
		}
	}
	return names, len(names) > 0 || sc.direct[row.Item.Repo]
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
