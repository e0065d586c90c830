package repo

import (
	"context"
	"slices"
	"sync"

	"arca/internal/format"
)

// Guard is the dependency-confusion guard of one virtual repository for one request: every view
// of the virtual (downloads, merged metadata, folder listings, the storage API, AQL and the
// classic searches) asks it, so they agree on what is hidden. When the guard is on (the
// virtual's dependencyConfusionGuard, or else the format's default), the remote members and
// remote caches of a virtual take no part for a package that exists in any of its local
// members. Every local member counts, even one whose patterns or permissions hide the path
// from this caller: the package name is taken there either way. A remote whose own include
// pattern names the path explicitly (anything but the default "**") is trusted for it: that is
// how an administrator lets one name through.
//
// Lookups are memoized per package for the Guard's life; create one per request (Virtual.Guard).
// Safe for concurrent use.
type Guard struct {
	v   *Virtual
	ctx context.Context
	on  bool

	mu     sync.Mutex
	locals []string
	listed bool
	held   map[string]string // package path → a local member holding it ("" for none)
}

// guardOn is the virtual's effective guard setting.
func (v *Virtual) guardOn() bool {
	if on, set := v.cfg.DependencyConfusionGuard(); set {
		return on
	}
	return format.GuardDefault(v.format)
}

// Guard returns the virtual's guard for one request with context ctx.
func (v *Virtual) Guard(ctx context.Context) *Guard {
	return &Guard{v: v, ctx: ctx, on: v.guardOn()}
}

// HeldBy returns the local member that holds fp's package when the guard hides the package's
// remote copies, "" when it does not (guard off, no package, no local holds it). A failed
// lookup counts as held: the guard fails closed.
func (g *Guard) HeldBy(fp format.Path) string {
	if !g.on || fp.PackagePath == "" {
		return ""
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if by, ok := g.held[fp.PackagePath]; ok {
		return by
	}
	if !g.listed {
		g.listed = true
		for _, m := range g.v.reg.resolution(g.v.cfg.Key()).Members {
			if m.Class == ClassLocal && !containsKey(g.locals, m.Config.Key()) {
				g.locals = append(g.locals, m.Config.Key())
			}
		}
	}
	by := ""
	if len(g.locals) > 0 {
		items, err := g.v.meta.FindItems(g.ctx, g.locals, fp.PackagePath)
		switch {
		case err != nil:
			by = "(lookup failed)"
		case len(items) > 0:
			by = items[0].Repo
		}
	}
	if g.held == nil {
		g.held = map[string]string{}
	}
	g.held[fp.PackagePath] = by
	return by
}

// Hides reports whether the guard hides path p (a file or folder) of member m: m is a remote or
// remote cache that does not include p explicitly, and p's package is held by a local member.
func (g *Guard) Hides(m Member, p string) bool {
	if !g.on || m.Class == ClassLocal {
		return false
	}
	return g.hides(m, p, g.v.format.Classify(p))
}

func (g *Guard) hides(m Member, p string, fp format.Path) bool {
	if !g.on || m.Class == ClassLocal || m.Config.Filter().IncludesExplicitly(p) {
		return false
	}
	return g.HeldBy(fp) != ""
}

// exempt returns the candidates the guard lets serve p, and whether it left any out.
func (g *Guard) exempt(cands []candidate, p string, fp format.Path) ([]candidate, bool) {
	if g.HeldBy(fp) == "" {
		return cands, false
	}
	out := slices.DeleteFunc(slices.Clone(cands), func(c candidate) bool { return g.hides(c.Member, p, fp) })
	return out, len(out) < len(cands)
}

// refused records that the guard left the remote members out for p: logged at info, and noted
// for the response header when the request carries a format.GuardNote.
func (g *Guard) refused(p string, fp format.Path, by string) {
	format.GuardNoteFrom(g.ctx).Add(fp.Package, by)
	g.v.reg.log.InfoContext(g.ctx, "dependency-confusion guard: remote members left out",
		"virtual", g.v.cfg.Key(), "path", p, "package", fp.Package, "held_by", by)
}

func containsKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}
