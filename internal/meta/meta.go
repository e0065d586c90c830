// Package meta defines Arca's metadata store: repositories, items, properties, statistics,
// users, tokens and settings. Implementations live in sqlstore (SQLite by default, PostgreSQL
// for scale-out); the conformance suite in metatest runs against each of them.
//
// The interfaces are small roles; Store composes them. Every method that names an item takes a
// repository key and a path already cleaned by arca.CleanPath ("" is the repository root).
// Errors wrap the sentinels of package arca: ErrNotFound, ErrExists, ErrConflict, ErrInvalid.
//
// # Schema (the contract the AQL compiler relies on)
//
//	items(id INTEGER PRIMARY KEY, repo TEXT, path TEXT, name TEXT, depth INTEGER, folder INTEGER,
//	      size INTEGER, sha256 TEXT, sha1 TEXT, md5 TEXT, orig_sha256 TEXT, orig_sha1 TEXT,
//	      orig_md5 TEXT, mime TEXT, created INTEGER, created_by TEXT, modified INTEGER,
//	      modified_by TEXT, updated INTEGER)            UNIQUE(repo, path, name)
//	props(item_id INTEGER, k TEXT, v TEXT)              one row per value
//	stats(item_id INTEGER PRIMARY KEY, downloads INTEGER, last_downloaded INTEGER, last_downloaded_by TEXT)
//	remote_stats(item_id INTEGER, origin TEXT, downloads INTEGER, last_downloaded INTEGER,
//	      last_downloaded_by TEXT)                      PRIMARY KEY(item_id, origin)
//
// Lookups that must stay fast with millions of items use indexes: (repo, path, name) for a path
// and a folder's children, (repo, full path) for deep listings in full-path order, name,
// sha256/sha1/md5, and props (k, v) for property criteria.
//
// items.path is the parent folder ("." at the repository root), items.name the last segment,
// depth the number of segments (1 at the root). Times are Unix milliseconds (UTC). Folders are
// stored as rows (folder=1) and created implicitly for every parent of a file.
package meta

import (
	"context"
	"time"

	"arca"
	"arca/internal/aql"
)

// RepoRecord is a repository as stored: its identity and its configuration JSON (Artifactory's
// field names; the repository layer owns its meaning).
type RepoRecord struct {
	Key         string
	Class       string // local, remote, virtual, federated
	PackageType string
	Config      []byte
	Created     time.Time
}

// Repos stores repository configurations. Keys are unique case-insensitively.
type Repos interface {
	// CreateRepo stores a new repository; a key that exists (in any case) is arca.ErrExists.
	CreateRepo(ctx context.Context, r RepoRecord) error
	// UpdateRepo replaces Class/PackageType/Config of an existing key; unknown key: ErrNotFound.
	UpdateRepo(ctx context.Context, r RepoRecord) error
	GetRepo(ctx context.Context, key string) (RepoRecord, error)
	// ListRepos returns all repositories ordered by key.
	ListRepos(ctx context.Context) ([]RepoRecord, error)
	// DeleteRepo removes the repository and all its items, properties and statistics.
	DeleteRepo(ctx context.Context, key string) error
}

// PutOptions controls how PutFile writes an item.
type PutOptions struct {
	// Props replace all properties of the item (nil: none).
	Props arca.Properties
}

// Items stores the tree of items of every repository.
type Items interface {
	// GetItem returns the item at path; the root ("") is reported as a folder even though no row
	// stores it. Missing: arca.ErrNotFound.
	GetItem(ctx context.Context, repo, path string) (arca.Item, error)
	// PutFile creates or replaces the file at f.Repo/f.Path in one transaction, creating missing
	// parent folders (owned by f.CreatedBy). Replacing keeps the original Created/CreatedBy.
	// A parent that is a file, or a folder at f.Path, is arca.ErrConflict.
	// It returns the item as stored.
	PutFile(ctx context.Context, f arca.Item, opt PutOptions) (arca.Item, error)
	// MakeFolder creates a folder and its missing parents; an existing folder is returned as is.
	// A file in the way is arca.ErrConflict. MakeFolder of the root is a no-op.
	MakeFolder(ctx context.Context, repo, path, by string, at time.Time) (arca.Item, error)
	// List returns the children of the folder at dir (all descendants when deep), ordered by
	// path. A dir that does not exist or is a file: arca.ErrNotFound.
	List(ctx context.Context, repo, dir string, deep bool) ([]arca.Item, error)
	// Delete removes the item and, for a folder, its whole subtree (the root: every item of the
	// repository). It returns the number of rows removed; missing: arca.ErrNotFound.
	Delete(ctx context.Context, repo, path string) (int, error)
	// Copy copies the item (a folder with its subtree) with its properties to dst, creating
	// dst's parents. Existing files at the destination are replaced. Statistics are not copied.
	// Copying a folder into itself is arca.ErrInvalid.
	Copy(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error)
	// Move is Copy followed by Delete of the source, in one transaction; statistics move along.
	Move(ctx context.Context, srcRepo, srcPath, dstRepo, dstPath, by string, at time.Time) (int, error)
	// ListPage returns one page of the listing List would return for dir, in the same order
	// (full path, byte-wise), holding the items after opt.After, at most opt.Limit of them. The
	// page starts after opt.After whether or not an item is at that path, so a caller continues
	// with After set to the Path of the last item it got; a page shorter than Limit is the last.
	// Errors as List's.
	ListPage(ctx context.Context, repo, dir string, opt ListOptions) ([]arca.Item, error)
	// FindByChecksum returns files whose actual checksum of the given kind ("sha256", "sha1" or
	// "md5") equals value, limited to repos when repos is non-empty.
	FindByChecksum(ctx context.Context, kind, value string, repos []string) ([]arca.Item, error)
	// BlobReferenced reports whether any item references the blob (for garbage collection).
	BlobReferenced(ctx context.Context, sha256 string) (bool, error)
	// FindItems returns the item at exactly path in each of repos that has one, in no particular
	// order and at most one per repository: what a virtual repository needs to pick the first
	// member holding a content path, in one indexed lookup instead of one per member. Keys are
	// matched exactly as stored (the case they were created with); unknown keys, duplicates and
	// an empty list are not errors. The root ("") is reported as GetItem reports it, once for
	// each listed repository that exists. When no repository has the path the result is empty
	// (len 0) with a nil error, never arca.ErrNotFound. FindItems neither keeps nor modifies
	// repos, and the caller owns the returned slice. Callers that look up many paths in one
	// list (virtual repositories) should prepare a RepoSet and call FindItemsIn.
	FindItems(ctx context.Context, repos []string, path string) ([]arca.Item, error)
}

// ListOptions selects a page of a listing (Items.ListPage).
type ListOptions struct {
	// Deep lists every descendant of the folder instead of its children.
	Deep bool
	// After is an item path (arca.Item.Path, the repository-relative path): the page holds
	// only items whose path sorts after it. "" starts at the beginning.
	After string
	// Limit is the most items returned; 0 or less: no limit.
	Limit int
	// FilesOnly leaves out folders.
	FilesOnly bool
	// MaxDepth, with Deep, keeps only items at most MaxDepth levels below the folder (1: its
	// children); 0 or less: no bound.
	MaxDepth int
}

// FilePut is one file of a BulkItems.PutFiles batch: what PutFile takes.
type FilePut struct {
	Item  arca.Item
	Props arca.Properties
}

// BulkItems is implemented by stores that can write many files in one transaction, for bulk
// imports (and the scale benchmark's generator). Discover it with a type assertion.
type BulkItems interface {
	// PutFiles stores each file as PutFile would, in order, in one transaction: on the first
	// error nothing of the batch is stored and the error names the file.
	PutFiles(ctx context.Context, files []FilePut) error
}

// BatchReferencer is implemented by stores that answer Items.BlobReferenced for many blobs in
// one query (garbage collection). Discover it with a type assertion.
type BatchReferencer interface {
	// BlobsReferenced returns the subset of the given hex sha256 digests that some item
	// references, as a set. Duplicates and an empty list are not errors.
	BlobsReferenced(ctx context.Context, sha256s []string) (map[string]bool, error)
}

// Generations is implemented by stores that can tell when a repository's items changed (the
// item cache of package itemcache). Discover it with a type assertion.
type Generations interface {
	// Generation returns the generation of the items of repo (a key in any case): a strictly
	// increasing counter that differs after every change to those items. A change counts once
	// the write that made it has returned, so a value read before reading items that is still
	// current later proves the items read are still current; a write racing the read can only
	// make that proof fail, never pass wrongly. Unknown repositories have a generation too.
	Generation(repo string) uint64
}

// Props stores item properties.
type Props interface {
	// GetProps returns the properties of an item (an empty, non-nil map when it has none).
	// Missing item: arca.ErrNotFound.
	GetProps(ctx context.Context, repo, path string) (arca.Properties, error)
	// SetProps replaces the values of each given key (other keys are kept), on the item and, when
	// recursive, on every item of its subtree.
	SetProps(ctx context.Context, repo, path string, props arca.Properties, recursive bool) error
	// DeleteProps removes the given keys, likewise.
	DeleteProps(ctx context.Context, repo, path string, keys []string, recursive bool) error
	// ReplaceProps replaces all properties of one item.
	ReplaceProps(ctx context.Context, repo, path string, props arca.Properties) error
}

// Stats stores download statistics.
type Stats interface {
	// AddDownloads records a batch of downloads in one transaction; each record counts
	// max(Count, 1) downloads. Downloads of items that no longer exist are dropped silently.
	AddDownloads(ctx context.Context, ds []arca.Download) error
	// AddRemoteDownloads adds downloads reported by a smart remote downstream from origin.
	AddRemoteDownloads(ctx context.Context, repo, path, origin string, count int64, last time.Time, by string) error
	// UnusedFiles returns up to limit files of repo that were neither downloaded nor created
	// since before (for the cleanup of remote caches), oldest use first.
	UnusedFiles(ctx context.Context, repo string, before time.Time, limit int) ([]arca.Item, error)
	// GetStats returns the statistics of an item (zero values when never downloaded).
	// Missing item: arca.ErrNotFound.
	GetStats(ctx context.Context, repo, path string) (arca.Stats, error)
}

// Row is one AQL result: the item, and its properties and statistics when the query asked.
type Row struct {
	Item  arca.Item
	Props arca.Properties
	Stats *arca.Stats
}

// Searcher runs AQL queries.
type Searcher interface {
	// Search runs q. withProps/withStats ask for Row.Props/Row.Stats to be filled.
	Search(ctx context.Context, q *aql.Query, withProps, withStats bool) ([]Row, error)
}

// Users stores accounts. Names are unique case-insensitively.
type Users interface {
	CreateUser(ctx context.Context, u arca.User) error // ErrExists
	UpdateUser(ctx context.Context, u arca.User) error // ErrNotFound
	GetUser(ctx context.Context, name string) (arca.User, error)
	ListUsers(ctx context.Context) ([]arca.User, error)
	DeleteUser(ctx context.Context, name string) error
}

// Tokens stores access tokens.
type Tokens interface {
	CreateToken(ctx context.Context, t arca.Token) error
	GetToken(ctx context.Context, id string) (arca.Token, error)
	// GetTokenByRefresh finds a token by the hash of its refresh token.
	GetTokenByRefresh(ctx context.Context, refreshHash string) (arca.Token, error)
	ListTokens(ctx context.Context, subject string) ([]arca.Token, error) // subject "": all
	RevokeToken(ctx context.Context, id string) error                     // ErrNotFound
}

// Settings is a small key-value store for instance-wide values (instance id, signing key, …).
type Settings interface {
	GetSetting(ctx context.Context, key string) (string, error) // ErrNotFound
	SetSetting(ctx context.Context, key, value string) error
	// SetSettingIfAbsent stores value unless the key exists and returns the stored value.
	SetSettingIfAbsent(ctx context.Context, key, value string) (string, error)
}

// Node is a running process of the instance (a node of a cluster; the only one on SQLite), as
// it last reported itself.
type Node struct {
	ID        string // unique per process start
	Address   string // where it listens, as configured
	Version   string
	Started   time.Time
	Heartbeat time.Time // its last report
}

// Cluster keeps the instance's nodes and the leases that elect one of them for background
// work. Times are whole milliseconds; every method is one statement, atomic across processes.
type Cluster interface {
	// Heartbeat stores n, replacing the row of n.ID.
	Heartbeat(ctx context.Context, n Node) error
	// Nodes returns the nodes whose last heartbeat is at or after since, ordered by ID.
	Nodes(ctx context.Context, since time.Time) ([]Node, error)
	// RemoveNode deletes the node's row (a node that stops); unknown: not an error.
	RemoveNode(ctx context.Context, id string) error
	// AcquireLease gives the lease name to holder until `until` when it is free, expired
	// (its expiry is before now) or holder's already (a renewal), and reports whether holder
	// has it afterwards.
	AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
	// ReleaseLease frees the lease if holder has it; otherwise it does nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
	// Lease returns the holder of the lease and its expiry; ("", zero) when none ever had it.
	Lease(ctx context.Context, name string) (holder string, expires time.Time, err error)
}

// AuditEvent is one configuration, security or deletion change, as the audit log keeps it.
type AuditEvent struct {
	ID      int64     // assigned by AddAudit, increasing
	At      time.Time // when (whole milliseconds)
	Node    string    // the node that made the change
	User    string    // who ("" for the system itself)
	Address string    // from where: the client's address as the node saw it
	Action  string    // what: "repository.create", "user.delete", "item.delete", …
	Target  string    // on what: a repository key, "repo/path", a user name, a token id
	Detail  string    // free text, never a secret
}

// Audit keeps the audit log of every node in one place.
type Audit interface {
	// AddAudit appends e (its ID is assigned) and returns its ID.
	AddAudit(ctx context.Context, e AuditEvent) (int64, error)
	// AuditEvents returns up to limit events with an ID above after and a time at or after
	// since (zero: any), oldest first.
	AuditEvents(ctx context.Context, since time.Time, after int64, limit int) ([]AuditEvent, error)
}

// Store is the complete metadata store.
type Store interface {
	Repos
	Items
	Props
	Stats
	Searcher
	Users
	Tokens
	Settings
	Cluster
	Audit
	Close() error
}
