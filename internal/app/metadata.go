package app

import (
	"arca"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"arca/internal/config"
	"arca/internal/meta"
	"arca/internal/meta/sqlstore"
	"arca/internal/notify"
	"arca/internal/restapi"
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

// openBus returns the bus that carries change notices between the processes sharing the
// metadata database: PostgreSQL's LISTEN/NOTIFY (returned a second time, to be Run), or
// nothing to carry for SQLite, which only this process opens.
func openBus(cfg config.Config, nodeID string, log *slog.Logger) (notify.Bus, *notify.Postgres, error) {
	if cfg.DB == "" {
		return notify.Local{}, nil, nil
	}
	bus, err := notify.NewPostgres(cfg.DB, nodeID, log)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	return bus, bus, nil
}

// watchSwitches makes the run-time switches follow the changes other processes persist.
func watchSwitches(bus notify.Bus, store meta.Settings, sw *restapi.Switches, log *slog.Logger) {
	bus.Subscribe(notify.Settings, func(key string) {
		if key != "" && key != restapi.SettingAnonymous {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v, err := store.GetSetting(ctx, restapi.SettingAnonymous)
		switch {
		case errors.Is(err, arca.ErrNotFound):
		case err != nil:
			log.Error("following another node's change of anonymous access failed", "err", err)
		default:
			sw.Anonymous.Store(v == "true")
		}
	})
}
