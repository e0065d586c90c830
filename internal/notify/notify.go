// Package notify carries change notices between the Arca processes that share one metadata
// database, so that each drops what it caches about what another one changed: items of a
// repository, a repository's configuration, a user, a token, a setting.
//
// A notice is a topic and a key ("items", "libs-local"). The process that made a change
// publishes after the change is committed, and applies it to its own caches itself: a Bus
// never delivers a process's own notices back to it. Delivery is best effort; where notices
// may have been lost (the listening connection dropped and came back), the Bus delivers a
// reset, the key "", to every subscriber, which must then drop everything of its topic. The
// caches' TTLs remain the bound on staleness should a process die between its commit and its
// publish.
package notify

import "context"

// Topics of the notices.
const (
	Items    = "items"    // key: a repository key; its items changed
	Repos    = "repos"    // key: a repository key; its configuration was created, updated or deleted
	Users    = "users"    // key: a user name; the user changed or was deleted
	Tokens   = "tokens"   // key: a token id; the token was revoked
	Settings = "settings" // key: a setting's name
)

// Bus publishes notices to the other processes and delivers theirs.
type Bus interface {
	// Publish sends a notice to every other process. It never fails the caller's change:
	// errors are logged by the Bus, and the receivers' TTLs bound the consequence.
	Publish(ctx context.Context, topic, key string)
	// Subscribe calls fn for each notice of topic from another process, and with key "" when
	// notices may have been lost. fn runs on the Bus's goroutine: it must not block for long.
	// Subscribe before the first notice can arrive (before serving).
	Subscribe(topic string, fn func(key string))
}

// Local is the Bus of a process that shares its database with no other (SQLite): it publishes
// nothing and delivers nothing.
type Local struct{}

func (Local) Publish(context.Context, string, string) {}
func (Local) Subscribe(string, func(string))          {}
