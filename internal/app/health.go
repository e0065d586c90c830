package app

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"arca"
	"arca/internal/blob"
)

// pinger is what the health check needs of the metadata store.
type pinger interface {
	Ping(ctx context.Context) error
}

// health checks the metadata database and the blob store for /api/system/ping, at most once a
// second whatever the rate of pings (a load balancer per node may ping several times a
// second), each check bounded to 2 s. Failures are logged with their cause; the answer names
// only the part.
type health struct {
	db    pinger
	blobs blob.Reader
	log   *slog.Logger

	mu   sync.Mutex
	at   time.Time
	last error
}

// probeDigest is a digest no blob has in practice: Stat of it must answer "not found".
var probeDigest = strings.Repeat("0", 64)

func (h *health) check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.at) < time.Second {
		return h.last
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	h.last = nil
	if err := h.db.Ping(ctx); err != nil {
		h.log.Error("health check: the metadata database is unreachable", "err", err)
		h.last = errors.New("the metadata database is unreachable")
	} else if _, err := h.blobs.Stat(ctx, probeDigest); err != nil && !errors.Is(err, arca.ErrNotFound) {
		h.log.Error("health check: the blob store is unreachable", "err", err)
		h.last = errors.New("the blob store is unreachable")
	}
	h.at = time.Now()
	return h.last
}
