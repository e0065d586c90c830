package auth

import (
	"context"
	"strconv"
)

// Action is what a request does to a repository path, with Artifactory's permission names.
type Action int

const (
	Read     Action = iota // download, list, search
	Annotate               // set and delete properties
	Deploy                 // upload, create folders, copy/move into
	Delete                 // delete, overwrite, move out of
	Manage                 // administer the repository, its permissions and users
)

var actionNames = [...]string{Read: "read", Annotate: "annotate", Deploy: "deploy", Delete: "delete", Manage: "manage"}

// String returns the Artifactory permission name ("read", "deploy", …).
func (a Action) String() string {
	if a >= 0 && int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Authorizer decides whether a principal may perform an action on a path of a repository (path
// "" is the repository itself; repo "" is an instance-wide action such as user management).
// Implementations must be safe for concurrent use and fast: the server asks once per request.
// A false answer becomes 401 for an anonymous principal (to invite credentials) and 403
// otherwise; that mapping is the server's, not the Authorizer's.
type Authorizer interface {
	Allowed(ctx context.Context, p Principal, a Action, repo, path string) bool
}

// DefaultPolicy is the authorization of an instance without permission targets:
//   - an admin may do everything;
//   - an authenticated user may Read, Annotate, Deploy and Delete in every repository, but not
//     Manage;
//   - an anonymous principal (or the zero Principal) may Read, and only when AnonymousRead
//     reports that anonymous access is on (nil: never).
//
// Groups and permission targets will replace the middle rule: an Authorizer that evaluates the
// targets matching repo and path for the principal and its groups, keeping the admin and
// anonymous rules (anonymous then being a user that targets may name).
type DefaultPolicy struct {
	AnonymousRead func() bool
}

var _ Authorizer = DefaultPolicy{}

// Allowed implements Authorizer.
func (d DefaultPolicy) Allowed(_ context.Context, p Principal, a Action, _, _ string) bool {
	switch {
	case a < Read || a > Manage:
		return false
	case p.Anonymous || p.Name == "":
		return a == Read && d.AnonymousRead != nil && d.AnonymousRead()
	case p.Admin:
		return true
	default:
		return a != Manage
	}
}
