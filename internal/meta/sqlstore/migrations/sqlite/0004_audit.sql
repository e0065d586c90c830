-- 0004: the audit log (meta.Audit): configuration, security and deletion changes of every node.
CREATE TABLE audit (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	at      INTEGER NOT NULL,
	node    TEXT    NOT NULL DEFAULT '',
	actor   TEXT    NOT NULL DEFAULT '',
	address TEXT    NOT NULL DEFAULT '',
	action  TEXT    NOT NULL,
	target  TEXT    NOT NULL DEFAULT '',
	detail  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);
