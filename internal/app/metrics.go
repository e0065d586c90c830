package app

import (
	"github.com/prometheus/client_golang/prometheus/collectors"

	"arca/internal/blob/blobcache"
	"arca/internal/gc"
	"arca/internal/meta/itemcache"
	"arca/internal/meta/sqlstore"
	"arca/internal/metrics"
)

// registerMetrics adds the collectors read from the components at scrape time: the caches'
// hits and misses, the database pools, whether this node leads the background work.
func registerMetrics(m *metrics.Metrics, db *sqlstore.Store, items *itemcache.Store, blobs *blobcache.Store, self *node) {
	m.Register(
		metrics.CacheStats("items", items.Stats),
		metrics.CacheStats("blobs", blobs.Stats),
		metrics.Gauge("arca_node_leader", "1 while this node holds the lease of the background work (garbage collection, cache cleanup).",
			func() float64 {
				if self.isLeader() {
					return 1
				}
				return 0
			}),
	)
	w, r := db.Pools()
	if r == w { // PostgreSQL: one pool
		m.Register(collectors.NewDBStatsCollector(w, "pool"))
		return
	}
	m.Register(collectors.NewDBStatsCollector(w, "writer"), collectors.NewDBStatsCollector(r, "readers"))
}

// observeGC feeds the outcome of every collection into m.
func observeGC(m *metrics.Metrics) func(gc.Result, error) {
	return func(res gc.Result, err error) { m.GC(err, res.Freed) }
}
