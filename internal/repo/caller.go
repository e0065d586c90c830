package repo

import "context"

// Caller is what repositories need to know about who asks: virtual repositories skip members
// the caller may not read, and remote members for requests from other instances. The REST
// layer's per-request state implements it.
type Caller interface {
	// CanRead reports whether the caller may read repo/path.
	CanRead(ctx context.Context, repo, path string) bool
	// FromInstance reports a request made by another Arca or Artifactory instance (it carried
	// X-Artifactory-Originated or Origin-Artifactory).
	FromInstance() bool
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, or nil when there is none (internal calls), which
// repositories treat as allowed to read everything and not from another instance.
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

func canRead(ctx context.Context, repo, path string) bool {
	c := CallerFrom(ctx)
	return c == nil || c.CanRead(ctx, repo, path)
}

func fromInstance(ctx context.Context) bool {
	c := CallerFrom(ctx)
	return c != nil && c.FromInstance()
}
