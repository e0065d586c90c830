-- 0003: the nodes of the instance and the leases that elect one for background work
-- (meta.Cluster). Times are Unix milliseconds.
CREATE TABLE nodes (
	id        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	address   TEXT COLLATE "C" NOT NULL DEFAULT '',
	version   TEXT COLLATE "C" NOT NULL DEFAULT '',
	started   BIGINT NOT NULL,
	heartbeat BIGINT NOT NULL
);

CREATE TABLE leases (
	name    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	holder  TEXT COLLATE "C" NOT NULL,
	expires BIGINT NOT NULL
);
