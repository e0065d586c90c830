-- 0001: the initial schema (see package meta for the items/props/stats contract).
-- Times are Unix milliseconds (UTC); 0 means "unset". Text columns are NOT NULL with '' for unset.

CREATE TABLE repos (
	key          TEXT    NOT NULL PRIMARY KEY,
	class        TEXT    NOT NULL,
	package_type TEXT    NOT NULL DEFAULT '',
	config       BLOB    NOT NULL DEFAULT x'',
	created      INTEGER NOT NULL
);
CREATE UNIQUE INDEX repos_key_ci ON repos (lower(key));

CREATE TABLE items (
	id          INTEGER PRIMARY KEY,
	repo        TEXT    NOT NULL REFERENCES repos (key) ON DELETE CASCADE,
	path        TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	depth       INTEGER NOT NULL,
	folder      INTEGER NOT NULL DEFAULT 0,
	size        INTEGER NOT NULL DEFAULT 0,
	sha256      TEXT    NOT NULL DEFAULT '',
	sha1        TEXT    NOT NULL DEFAULT '',
	md5         TEXT    NOT NULL DEFAULT '',
	orig_sha256 TEXT    NOT NULL DEFAULT '',
	orig_sha1   TEXT    NOT NULL DEFAULT '',
	orig_md5    TEXT    NOT NULL DEFAULT '',
	mime        TEXT    NOT NULL DEFAULT '',
	created     INTEGER NOT NULL,
	created_by  TEXT    NOT NULL DEFAULT '',
	modified    INTEGER NOT NULL,
	modified_by TEXT    NOT NULL DEFAULT '',
	updated     INTEGER NOT NULL
);
CREATE UNIQUE INDEX items_repo_path_name ON items (repo, path, name);
CREATE INDEX items_sha256 ON items (sha256);
CREATE INDEX items_sha1 ON items (sha1);
CREATE INDEX items_md5 ON items (md5);
CREATE INDEX items_name ON items (name);

-- id keeps the insertion order of the values of one key.
CREATE TABLE props (
	id      INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	k       TEXT    NOT NULL,
	v       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX props_item ON props (item_id);
CREATE INDEX props_k_v ON props (k, v);

CREATE TABLE stats (
	item_id            INTEGER NOT NULL PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
	downloads          INTEGER NOT NULL DEFAULT 0,
	last_downloaded    INTEGER NOT NULL DEFAULT 0,
	last_downloaded_by TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE remote_stats (
	item_id            INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	origin             TEXT    NOT NULL,
	downloads          INTEGER NOT NULL DEFAULT 0,
	last_downloaded    INTEGER NOT NULL DEFAULT 0,
	last_downloaded_by TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (item_id, origin)
);

CREATE TABLE users (
	name          TEXT    NOT NULL PRIMARY KEY,
	email         TEXT    NOT NULL DEFAULT '',
	password_hash TEXT    NOT NULL DEFAULT '',
	admin         INTEGER NOT NULL DEFAULT 0,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created       INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_name_ci ON users (lower(name));

CREATE TABLE tokens (
	id           TEXT    NOT NULL PRIMARY KEY,
	subject      TEXT    NOT NULL,
	scope        TEXT    NOT NULL DEFAULT '',
	hash         TEXT    NOT NULL DEFAULT '',
	refresh_hash TEXT    NOT NULL DEFAULT '',
	created      INTEGER NOT NULL,
	expires      INTEGER NOT NULL DEFAULT 0,
	revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_subject ON tokens (subject);
CREATE INDEX tokens_refresh ON tokens (refresh_hash) WHERE refresh_hash <> '';

CREATE TABLE settings (
	k TEXT NOT NULL PRIMARY KEY,
	v TEXT NOT NULL
);
