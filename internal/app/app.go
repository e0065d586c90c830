// Package app wires Arca together: it opens the stores, builds the services and the HTTP
// server from a config.Config. cmd/arca and the end-to-end tests both start Arca through it,
// so the tests run exactly what users run.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"arca"
	"arca/internal/auth"
	"arca/internal/blob"
	"arca/internal/blob/blobcache"
	"arca/internal/blob/fsblob"
	"arca/internal/config"
	"arca/internal/format"
	"arca/internal/format/generic"
	"arca/internal/format/maven"
	"arca/internal/format/npm"
	"arca/internal/gc"
	"arca/internal/meta"
	"arca/internal/meta/itemcache"
	"arca/internal/meta/sqlstore"
	"arca/internal/repo"
	"arca/internal/restapi"
	"arca/internal/server"
)

// Version is Arca's own version.
const Version = "0.1.0"

// App is a running Arca.
type App struct {
	// Addr is the address the server listens on (useful with port 0).
	Addr string
	// AdminPasswordFile is the file holding the generated admin password ("" when the password
	// came from ARCA_ADMIN_PASSWORD or the admin already existed).
	AdminPasswordFile string

	srv   *http.Server
	repos *repo.Registry
	store meta.Store
	done  chan error
	stop  context.CancelFunc
	// flushed is closed when the statistics flusher has made its final flush.
	flushed chan struct{}

	shutdownOnce sync.Once
	shutdownErr  error
}

// Start opens the data directory, prepares the stores and starts serving on cfg.Listen. It
// returns once the listener is bound. Logs go to logOut.
func Start(ctx context.Context, cfg config.Config, logOut io.Writer) (*App, error) {
	log := newLogger(cfg.LogLevel, logOut)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	db, err := sqlstore.OpenSQLite(ctx, filepath.Join(cfg.DataDir, "arca.db"))
	if err != nil {
		return nil, fmt.Errorf("opening the metadata database: %w", err)
	}
	// Every write goes through this process, so item metadata can be cached (see itemcache).
	store := itemcache.New(db, 100_000, 10*time.Minute)
	a := &App{store: store, done: make(chan error, 1), flushed: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			store.Close()
		}
	}()
	files, err := fsblob.New(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("opening the blob store: %w", err)
	}
	// Small blobs are served from memory: 64 MiB of blobs up to 64 KiB each.
	blobs := blobcache.New(files, 64<<10, 64<<20)
	if n, err := files.CleanTemp(time.Hour); err != nil {
		log.Warn("cleaning stale uploads", "err", err)
	} else if n > 0 {
		log.Info("removed stale partial uploads", "count", n)
	}
	id, err := store.SetSettingIfAbsent(ctx, "instance.id", randomID())
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(store, store, id, time.Now)
	if err != nil {
		return nil, err
	}
	pwFile, created, err := auth.EnsureAdmin(ctx, store, cfg.DataDir, cfg.AdminPassword, time.Now())
	if err != nil {
		return nil, fmt.Errorf("creating the admin user: %w", err)
	}
	if created {
		a.AdminPasswordFile = pwFile
	}
	// The one registration list of formats: a new format is one more entry here.
	formats := format.NewRegistry(generic.Format{}, append(maven.Formats(), npm.New(64<<20))...)
	merged := int64(cfg.VirtualMetadataCache)
	if merged == 0 {
		merged = -1 // the configuration's 0 keeps none; the registry's 0 means its default
	}
	repos, err := repo.NewRegistry(ctx, store, blobs, formats, time.Now, log, repo.Options{GlobalVirtual: cfg.GlobalVirtual,
		InstanceID: id, StatisticsPushInterval: cfg.StatisticsPushInterval, MergedCacheBytes: merged})
	if err != nil {
		return nil, err
	}
	switches, err := loadSwitches(ctx, store, cfg)
	if err != nil {
		return nil, err
	}
	a.repos = repos
	anonymous := switches.Anonymous.Load
	authn := auth.NewAuthenticator(store, tokens, anonymous, time.Now)
	downloads := repo.NewDownloads(store, log)
	downloads.Listen(repos.Downloaded)
	api := &restapi.API{
		Repos: repos, Meta: store, Blobs: blobs, Downloads: downloads,
		Authz: auth.DefaultPolicy{AnonymousRead: anonymous}, Authn: authn, Tokens: tokens,
		InstanceID: id, BaseURL: cfg.BaseURL, ArcaVersion: Version, Switches: switches, Now: time.Now, Log: log,
		Formats: formats,
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	a.Addr = ln.Addr().String()
	a.srv = &http.Server{
		Handler:           server.New(api, authn, log, server.Options{LogRequests: cfg.LogRequests}),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	go func() {
		downloads.Run(bg)
		close(a.flushed)
	}()
	go collectGarbage(bg, blobs, store, log)
	go cleanupRemoteCaches(bg, repos, log)
	go func() {
		err := a.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.done <- err
	}()
	ok = true
	log.Info("arca started", "version", Version, "listen", a.Addr, "data", cfg.DataDir, "instance", id)
	return a, nil
}

// Wait blocks until the server stops and returns why.
func (a *App) Wait() error { return <-a.done }

// Shutdown stops accepting requests, waits for running ones (bounded by ctx), flushes download
// statistics and closes the stores.
// Calling it again returns the first call's result.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() {
		err := a.srv.Shutdown(ctx)
		a.repos.Close()
		a.stop()
		select {
		case <-a.flushed:
		case <-ctx.Done():
		}
		a.shutdownErr = errors.Join(err, a.store.Close())
	})
	return a.shutdownErr
}

// collectGarbage removes unreferenced blobs periodically. The grace period protects blobs of
// uploads that committed their bytes but not yet their item row.
func collectGarbage(ctx context.Context, blobs blob.Collector, store meta.Items, log *slog.Logger) {
	// The first collection runs a few minutes after start (leftovers of a crash), then every 6 h.
	t := time.NewTimer(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			t.Reset(6 * time.Hour)
		}
		res, err := gc.Collect(ctx, blobs, store, 24*time.Hour, time.Now(), log)
		if err != nil {
			log.Warn("blob garbage collection", "err", err)
			continue
		}
		log.Info("blob garbage collection", "scanned", res.Scanned, "deleted", res.Deleted, "freed", res.Freed)
	}
}

// loadSwitches reads the run-time switches: a value set through the API (persisted in the
// settings) wins over the configuration's default.
func loadSwitches(ctx context.Context, store meta.Settings, cfg config.Config) (*restapi.Switches, error) {
	sw := &restapi.Switches{}
	sw.Anonymous.Store(cfg.AnonymousAccess)
	v, err := store.GetSetting(ctx, restapi.SettingAnonymous)
	switch {
	case errors.Is(err, arca.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		sw.Anonymous.Store(v == "true")
	}
	return sw, nil
}

// cleanupRemoteCaches removes unused cached artifacts of the remote repositories that ask for it
// (unusedArtifactsCleanupPeriodHours), every hour.
func cleanupRemoteCaches(ctx context.Context, repos *repo.Registry, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := repos.CleanupUnused(ctx)
		if err != nil {
			log.Warn("cleaning up remote caches", "err", err)
		} else if n > 0 {
			log.Info("removed unused cached artifacts", "count", n)
		}
	}
}

func newLogger(level string, out io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: l}))
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
