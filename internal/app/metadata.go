package app

import (
	"context"
	"path/filepath"

	"arca/internal/config"
	"arca/internal/meta/sqlstore"
)

// OpenMetadata opens the metadata store cfg names: PostgreSQL when cfg.DB is set, else SQLite
// (arca.db) in cfg.DataDir. The schema is brought up to date either way.
func OpenMetadata(ctx context.Context, cfg config.Config) (*sqlstore.Store, error) {
	if cfg.DB != "" {
		return sqlstore.OpenPostgres(ctx, cfg.DB)
	}
	return sqlstore.OpenSQLite(ctx, filepath.Join(cfg.DataDir, "arca.db"))
}

// metadataName describes where the metadata lives, for logs: never the URL, which may hold a
// password.
func metadataName(cfg config.Config) string {
	if cfg.DB != "" {
		return "postgresql"
	}
	return "sqlite"
}
