package format

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// GuardDefaulter is implemented by a format whose default for the dependency-confusion guard is
// not "on". The guard hides, in a virtual repository, the remote copies of packages that one of
// its local members holds. It is on by default because on most public registries anyone can
// claim any name; a format whose public registry verifies namespace ownership (Maven Central's
// groupIds, Go module paths) returns false, so a virtual keeps showing upstream's newer releases
// of a library that a team also deployed a patched build of. A virtual's own
// "dependencyConfusionGuard" setting overrides the default either way.
type GuardDefaulter interface {
	GuardDefault() bool
}

// GuardDefault is f's default for the dependency-confusion guard: true unless f says otherwise.
func GuardDefault(f Format) bool {
	if g, ok := f.(GuardDefaulter); ok {
		return g.GuardDefault()
	}
	return true
}

// GuardHeader is the response header that tells a client the dependency-confusion guard shaped
// the answer: remote members were left out because the local members it names hold the package.
const GuardHeader = "X-Arca-Dependency-Guard"

// GuardNote collects, during one request, the local members whose packages made the guard leave
// remote members out. A handler attaches one to the context before it reads from a virtual
// repository (WithGuardNote) and sets GuardHeader from it before writing its answer. Safe for
// concurrent use; the zero value is ready.
type GuardNote struct {
	mu  sync.Mutex
	by  []string
	pkg string
}

type guardNoteKey struct{}

// WithGuardNote returns ctx carrying a new note, and the note.
func WithGuardNote(ctx context.Context) (context.Context, *GuardNote) {
	n := &GuardNote{}
	return context.WithValue(ctx, guardNoteKey{}, n), n
}

// GuardNoteFrom returns the note ctx carries, nil when none.
func GuardNoteFrom(ctx context.Context) *GuardNote {
	n, _ := ctx.Value(guardNoteKey{}).(*GuardNote)
	return n
}

// Add records that the guard left remote members out for pkg, held by the local member. A nil
// note ignores the call.
func (n *GuardNote) Add(pkg, member string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.pkg == "" {
		n.pkg = pkg
	}
	if !slices.Contains(n.by, member) {
		n.by = append(n.by, member)
	}
}

// Members returns the local members recorded, in the order first seen.
func (n *GuardNote) Members() []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.by)
}

// SetHeader sets GuardHeader on h when the note recorded anything: the package and the local
// members holding it, e.g. `package="acme"; held-by="libs-local"`.
func (n *GuardNote) SetHeader(h http.Header) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.by) == 0 {
		return
	}
	h.Set(GuardHeader, `package="`+n.pkg+`"; held-by="`+strings.Join(n.by, ",")+`"`)
}
