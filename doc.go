// Package arca holds Arca's domain: the nouns every layer shares (Item, Checksums, Properties,
// Stats, User, Token), path cleaning, and the sentinel errors with the one table that maps them
// to HTTP statuses.
//
// # Architecture
//
// Arca is a universal artifact repository manager that speaks Artifactory's REST API. A request
// travels:
//
//	client ─► internal/server   route table (routes.go), middleware: recover → request id/log →
//	          │                 Artifactory headers → authenticate (cached; no bcrypt per request)
//	          ├─ internal/restapi  Artifactory REST: repositories, deploy/download/delete, storage
//	          │                    API, searches + AQL, copy/move, security, system. Handlers return
//	          │                    errors; server.renderError writes {"errors":[…]} in one place.
//	          ├─ format.Native     package APIs /api/<type>/{repo}/… (and routes a format.Router
//	          │                    declares): mounted for every registered format; the format
//	          │                    gets the resolved repository as a format.Repository and the
//	          │                    server's services as a format.Host (restapi/formats.go), and
//	          │                    renders its own errors (format.ErrorWriter). See docs/formats.md.
//	          ▼
//	   internal/repo    Registry: the live repositories (in memory, loaded from meta).
//	                    Repository: one interface, implemented by Local (also federated),
//	                    Remote (+ its "<key>-cache" view) and Virtual. Downloads batches
//	                    download statistics off the request path. Virtual resolves through a
//	                    per-configuration plan (Resolve: flattened, deduplicated, locals →
//	                    remote caches → remotes) with one FindItems query over all stored
//	                    members, and merges metadata through the format's Merger.
//	                    Remote fetches a miss once (a flight per path), streams it to the
//	                    client while the blob is written, verifies before the last byte, and
//	                    keeps a negative cache and an assumed-offline window.
//	   internal/upstream  the remotes' HTTP client (originated headers, timeouts, classified
//	                    failures); internal/smart the smart-remote protocol (detection,
//	                    statistics push, property fetch, folder listings).
//	          ▼
//	   internal/format  Format (classify a path: content/metadata, package, release kind),
//	                    optional hooks (Merger, Indexer, Declarer, Upstream, …) and the native
//	                    protocol boundary (Native, Host, Repository, Settings); one package per
//	                    ecosystem (generic by default, maven, npm), registered in one list in
//	                    internal/app; formattest is the conformance suite each format passes.
//	          ▼
//	   internal/meta    Store: role interfaces (Repos, Items, Props, Stats, Searcher, Users,
//	                    Tokens, Settings); sqlstore implements them on SQLite (WAL, one writer,
//	                    a read pool); metatest is the conformance suite every backend runs;
//	                    itemcache is a decorator caching item lookups by repository generation.
//	   internal/blob    Store: content-addressed by SHA-256 (SHA-1 and MD5 in the same pass);
//	                    fsblob writes temp file → fsync → rename, ingesting through a few
//	                    reusable 1 MiB chunks (constant memory; MD5 on a second goroutine
//	                    when there are two CPUs); blobtest is the conformance
//	                    suite; blobcache keeps small blobs in memory; internal/gc collects
//	                    unreferenced blobs after a grace period.
//
// Supporting packages: internal/aql (AQL parser keeping duplicate keys, compiled to SQL over the
// schema documented in package meta), internal/pattern (Ant include/exclude matching),
// internal/repoconfig (Artifactory's repository JSON: validation, defaults, partial updates,
// redaction), internal/auth (passwords, JWT access tokens, authentication cache, authorization
// policy, admin bootstrap and reset), internal/config (the one Settings table: defaults → ARCA_*
// env → flags, and the help rendered from it), internal/app (wires everything; used by the
// command line and the e2e tests; the lifecycle: lock the data dir, bind, open the stores, create
// the admin last, drain on shutdown), internal/dirlock (one process per data directory),
// internal/cli (the commands behind cmd/arca: serve, admin, version, help),
// internal/format/<type> (one package per package format), internal/lru (the one in-memory
// cache type: a cost budget, least recently used out first, optional TTL per entry; every cache
// above is one, with its validity rules, such as generations, kept in the values it stores).
//
// Atomicity: a deploy commits the blob first (invisible until renamed into place) and then the
// item row in one transaction, so a failed or cancelled upload leaves nothing visible and a crash
// between the two leaves only an unreferenced blob for the collector.
package arca
