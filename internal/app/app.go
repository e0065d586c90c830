// Package app wires Arca together: it opens the stores, builds the services and the HTTP
// server from a config.Config. cmd/arca and the end-to-end tests both start Arca through it,
// so the tests run exactly what users run.
package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"arca"
	"arca/internal/auth"
	"arca/internal/blob"
	"arca/internal/blob/blobcache"
	"arca/internal/config"
	"arca/internal/dirlock"
	"arca/internal/format"
	"arca/internal/format/generic"
	"arca/internal/format/maven"
	"arca/internal/format/npm"
	"arca/internal/gc"
	"arca/internal/meta"
	"arca/internal/meta/itemcache"
	"arca/internal/metrics"
	"arca/internal/notify"
	"arca/internal/repo"
	"arca/internal/restapi"
	"arca/internal/server"
)

// App is a running Arca.
type App struct {
	// Addr is the address the server listens on (useful with port 0).
	Addr string
	// AdminPasswordFile is the file holding the generated admin password ("" when the password
	// came from ARCA_ADMIN_PASSWORD or the admin already existed).
	AdminPasswordFile string

	log   *slog.Logger
	lock  *dirlock.Lock
	srv   *http.Server
	repos *repo.Registry
	store meta.Store
	done  chan error
	stop  context.CancelFunc
	// flushed is closed when the statistics flusher has made its final flush, left when the
	// node has given up its lease and left the list of nodes.
	flushed, left chan struct{}

	shutdownOnce sync.Once
	shutdownErr  error
}

// Start locks the data directory, binds cfg.Listen, prepares the stores and starts serving. It
// returns once the listener is bound. Logs go to logOut.
//
// A second Arca on the same data directory fails with a *dirlock.HeldError naming the holder's
// PID. A failed start writes no admin.password: the admin is created last, once everything
// that can fail (the lock, the port, the stores) has succeeded.
func Start(ctx context.Context, cfg config.Config, logOut io.Writer) (*App, error) {
	log := newLogger(cfg.LogLevel, logOut)
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	// undo releases what a failed start has taken, in reverse order.
	var undo []func()
	ok := false
	defer func() {
		for i := len(undo) - 1; i >= 0 && !ok; i-- {
			undo[i]()
		}
	}()
	lock, err := dirlock.Acquire(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { lock.Release() })
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { ln.Close() })
	db, err := OpenMetadata(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening the metadata database: %w", err)
	}
	// Item metadata is cached (see itemcache): every write goes through this process, or, on
	// PostgreSQL, the other processes' writes arrive as notices on the bus.
	store := itemcache.New(db, 100_000, 10*time.Minute)
	undo = append(undo, func() { store.Close() })
	nodeID := randomID() // this process among the instance's nodes
	bus, pgBus, err := openBus(cfg, nodeID, log)
	if err != nil {
		return nil, err
	}
	if pgBus != nil {
		// Item changes are announced inside their transactions: a node killed between its
		// commit and a separate NOTIFY would leave the others' caches stale until expiry.
		db.OnItemsChanged(func(ctx context.Context, tx *sql.Tx, repo string) error {
			return pgBus.PublishTx(ctx, tx, notify.Items, repo)
		})
	}
	store.Watch(bus, pgBus == nil)
	a := &App{log: log, lock: lock, store: store, done: make(chan error, 1), flushed: make(chan struct{}), left: make(chan struct{})}
	files, err := openBlobs(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening the blob store: %w", err)
	}
	mets := metrics.New()
	db.Observe(mets.DB) // before anything uses the store concurrently
	// Small blobs are served from memory: 64 MiB of blobs up to 64 KiB each; what reaches the
	// store is timed.
	blobs := blobcache.New(metrics.Blobs(files, mets), 64<<10, 64<<20)
	if c, ok := files.(blob.TempCleaner); ok {
		if n, err := c.CleanTemp(ctx, time.Hour); err != nil {
			log.Warn("cleaning stale uploads", "err", err)
		} else if n > 0 {
			log.Info("removed stale partial uploads", "count", n)
		}
	}
	id, err := store.SetSettingIfAbsent(ctx, "instance.id", randomID())
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(store, store, id, time.Now)
	if err != nil {
		return nil, err
	}
	// The one registration list of formats: a new format is one more entry here.
	npmFormat := npm.New(64 << 20)
	formats := format.NewRegistry(generic.Format{}, append(maven.Formats(), npmFormat)...)
	merged := int64(cfg.VirtualMetadataCache)
	if merged == 0 {
		merged = -1 // the configuration's 0 keeps none; the registry's 0 means its default
	}
	ropts := repo.Options{GlobalVirtual: cfg.GlobalVirtual, InstanceID: id,
		StatisticsPushInterval: cfg.StatisticsPushInterval, MergedCacheBytes: merged, OnFetch: mets.Fetch}
	if cfg.DB != "" { // nodes share the database: their remotes' fetches and npm writes lock in it
		ropts.Locks = db
		npmFormat.UseLocker(db)
	}
	repos, err := repo.NewRegistry(ctx, store, blobs, formats, time.Now, log, ropts)
	if err != nil {
		return nil, err
	}
	undo = append(undo, repos.Close)
	repos.Watch(bus)
	switches, err := loadSwitches(ctx, store, cfg)
	if err != nil {
		return nil, err
	}
	watchSwitches(bus, store, switches, log)
	// Last step that can fail: see the contract above.
	admin, err := auth.EnsureAdmin(ctx, store, cfg.DataDir, cfg.AdminPassword, time.Now())
	if err != nil {
		return nil, fmt.Errorf("creating the admin user: %w", err)
	}
	a.AdminPasswordFile = admin.PasswordFile
	logAdmin(log, admin, cfg.DataDir)

	a.repos = repos
	anonymous := switches.Anonymous.Load
	authn := auth.NewAuthenticator(store, tokens, anonymous, nil)
	authn.Watch(bus)
	collector := &gc.Runner{Blobs: blobs, Refs: store, Grace: gcGrace, Log: log, Observe: observeGC(mets)}
	downloads := repo.NewDownloads(store, log)
	downloads.Listen(repos.Downloaded)
	api := &restapi.API{
		Repos: repos, Meta: store, Blobs: blobs, Downloads: downloads,
		Authz: auth.DefaultPolicy{AnonymousRead: anonymous}, Authn: authn, Tokens: tokens,
		InstanceID: id, NodeID: nodeID, BaseURL: cfg.BaseURL, ArcaVersion: version, Switches: switches, Now: time.Now, Log: log,
		Formats: formats, GC: collector, Bus: bus,
		Health: (&health{db: db, blobs: files, log: log}).check,
	}
	a.Addr = ln.Addr().String()
	self := &node{id: nodeID, address: a.Addr, version: version, started: time.Now(), store: store, log: log}
	self.beat(ctx) // listed, and the leader if no other node is, before serving
	api.Cluster, api.Storage = self, restapi.StorageKinds{Metadata: metadataName(cfg), Blobs: blobsKind(cfg)}
	api.MetricsHandler = mets.Handler()
	registerMetrics(mets, db, store, blobs, self)
	a.srv = &http.Server{
		Handler: server.New(api, authn, log, server.Options{LogRequests: cfg.LogRequests, Metrics: mets,
			KnownRepo: func(key string) bool { _, err := repos.Get(key); return err == nil }}),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	if pgBus != nil {
		// Listen before serving, so that no other node's change made from now on is missed.
		go pgBus.Run(bg)
		select {
		case <-pgBus.Ready():
		case <-time.After(30 * time.Second):
			stop()
			return nil, errors.New("listening for the other nodes' changes on PostgreSQL: no connection after 30 s")
		}
	}
	go func() {
		downloads.Run(bg)
		close(a.flushed)
	}()
	go func() {
		self.run(bg)
		close(a.left)
	}()
	go collectGarbage(bg, collector, self.isLeader, log)
	go cleanupRemoteCaches(bg, repos, self.isLeader, log)
	go func() {
		err := a.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.done <- err
	}()
	ok = true
	log.Info("arca started", "version", version, "listen", a.Addr, "data", cfg.DataDir, "metadata", metadataName(cfg), "blobs", blobsName(cfg), "instance", id)
	return a, nil
}

// logAdmin tells the operator what EnsureAdmin did that they need to know.
func logAdmin(log *slog.Logger, b auth.Bootstrap, dataDir string) {
	switch {
	case b.PasswordFile != "":
		log.Info("created user admin with a generated password", "file", b.PasswordFile,
			"use", AdminPasswordHint(b.PasswordFile))
	case b.EnvPasswordIgnored:
		log.Warn("ARCA_ADMIN_PASSWORD is set but is not the password of the existing user admin: it is ignored, "+
			"as it only applies when Arca creates admin on first start; to change the password, stop Arca and run "+
			"arca admin reset-password (it reads ARCA_ADMIN_PASSWORD)", "data", dataDir)
	}
}

// AdminPasswordHint is the shell command that puts the password in file into ARCA_ADMIN_PASSWORD.
func AdminPasswordHint(file string) string {
	return "export ARCA_ADMIN_PASSWORD=\"$(cat " + shellQuote(file) + ")\""
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain path characters.
func shellQuote(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@%,=", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Wait blocks until the server stops and returns why.
func (a *App) Wait() error { return <-a.done }

// flushGrace is how long Shutdown still waits for the final flush of download statistics when
// draining used up its context.
const flushGrace = 5 * time.Second

// Shutdown stops accepting connections and waits for in-flight requests until ctx is done; then
// it closes the connections still open, flushes download statistics, closes the stores and
// releases the data directory. It logs "shutdown complete" with the time taken. When ctx ends
// before the requests finish, the error wraps ctx's error (context.DeadlineExceeded).
// Calling it again returns the first call's result.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() {
		begin := time.Now()
		attrs := []any{}
		if d, ok := ctx.Deadline(); ok {
			attrs = append(attrs, "timeout", time.Until(d).Round(time.Millisecond))
		}
		a.log.Info("shutting down: accepting no more connections, draining in-flight requests", attrs...)
		err := a.srv.Shutdown(ctx)
		drained := err == nil
		if !drained {
			a.log.Warn("shutdown: in-flight requests did not finish in time; closing their connections",
				"waited", time.Since(begin).Round(time.Millisecond))
			a.srv.Close()
			err = fmt.Errorf("draining in-flight requests: %w", err)
		}
		a.repos.Close()
		a.stop()
		flushCtx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			flushCtx, cancel = context.WithTimeout(context.Background(), flushGrace)
			defer cancel()
		}
		for _, done := range []chan struct{}{a.flushed, a.left} {
			select {
			case <-done:
			case <-flushCtx.Done():
			}
		}
		a.shutdownErr = errors.Join(err, a.store.Close(), a.lock.Release())
		a.log.Info("shutdown complete", "took", time.Since(begin).Round(time.Millisecond), "drained", drained)
	})
	return a.shutdownErr
}

// gcGrace is how old an unreferenced blob must be to be collected: it protects blobs of
// uploads that committed their bytes but not yet their item row.
const gcGrace = 24 * time.Hour

// collectGarbage removes unreferenced blobs periodically, when this node is the leader of the
// background work.
func collectGarbage(ctx context.Context, collector *gc.Runner, leader func() bool, log *slog.Logger) {
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
		if !leader() {
			continue // another node runs the collection
		}
		res, err := collector.Run(ctx)
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
// (unusedArtifactsCleanupPeriodHours), every hour, when this node is the leader of the
// background work.
func cleanupRemoteCaches(ctx context.Context, repos *repo.Registry, leader func() bool, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !leader() {
			continue // another node cleans up
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
