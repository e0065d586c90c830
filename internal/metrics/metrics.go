// Package metrics is Arca's Prometheus instrumentation: one registry per server (no global
// state), the collectors the request path and the background work feed, and the exposition
// handler. Label values come from small, bounded sets: a route class, a repository key the
// server knows ("other" for any other), a method, a status code.
package metrics

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"arca"
)

// Metrics holds a server's collectors. Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // class, repo, method, code
	duration *prometheus.HistogramVec // class
	bytesIn  *prometheus.CounterVec   // class
	bytesOut *prometheus.CounterVec   // class
	fetches  *prometheus.CounterVec   // remote, result
	blobOps  *prometheus.HistogramVec // op, result
	gcRuns   *prometheus.CounterVec   // result
	gcFreed  prometheus.Counter
	dbOps    *prometheus.HistogramVec // kind, result

	byClass map[string]classMetrics // the per-class children, resolved once (read-only after New)
}

// classMetrics are a route class's children of the per-class vectors.
type classMetrics struct {
	duration          prometheus.Observer
	bytesIn, bytesOut prometheus.Counter
}

// New returns a Metrics with the Go runtime's and the process's collectors registered.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "arca_http_requests_total",
		Help: "HTTP requests answered, by route class, repository, method and status code."},
		[]string{"class", "repo", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "arca_http_request_duration_seconds",
		Help:    "Time from the request's arrival to the end of its response, by route class.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
		[]string{"class"})
	m.bytesIn = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "arca_http_request_bytes_total",
		Help: "Bytes of request bodies received, by route class."}, []string{"class"})
	m.bytesOut = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "arca_http_response_bytes_total",
		Help: "Bytes of response bodies sent, by route class."}, []string{"class"})
	m.fetches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "arca_upstream_fetches_total",
		Help: "Fetches of missing artifacts by remote repositories: fetched from the upstream, failed, or joined (a request that waited for a fetch in progress)."},
		[]string{"remote", "result"})
	m.blobOps = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "arca_blob_operation_duration_seconds",
		Help:    "Blob store operations (open, stat, commit, delete), by result.",
		Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5, 30}},
		[]string{"op", "result"})
	m.gcRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "arca_gc_runs_total",
		Help: "Blob garbage collections, by result."}, []string{"result"})
	m.gcFreed = prometheus.NewCounter(prometheus.CounterOpts{Name: "arca_gc_freed_bytes_total",
		Help: "Bytes of blobs garbage collection deleted."})
	m.dbOps = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "arca_db_operation_duration_seconds",
		Help:    "Metadata database work: write transactions (each attempt), read transactions, item lookups; by result.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1, 5}},
		[]string{"kind", "result"})
	m.reg.MustRegister(m.requests, m.duration, m.bytesIn, m.bytesOut, m.fetches, m.blobOps, m.gcRuns, m.gcFreed, m.dbOps,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// The route classes the server names (server.routeClass) are resolved once, so that
	// observing a request looks up only its counter; another class is resolved per request.
	m.byClass = map[string]classMetrics{}
	for _, c := range []string{"download", "deploy", "delete", "npm", "maven", "pypi", "go", "docker", "helm", "generic",
		"storage", "system", "security", "repositories", "search", "v1", "v2", "api", "other"} {
		m.byClass[c] = classMetrics{m.duration.WithLabelValues(c), m.bytesIn.WithLabelValues(c), m.bytesOut.WithLabelValues(c)}
	}
	return m
}

// Handler serves the registry in Prometheus's text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gatherer returns the registry of m (for tests that read the metrics back).
func Gatherer(m *Metrics) prometheus.Gatherer { return m.reg }

// Register adds collectors of the caller's (gauges read from a component at scrape time).
func (m *Metrics) Register(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// codes holds the label values of the usual status codes, so that observing one allocates
// nothing.
var codes = func() map[int]string {
	out := map[int]string{}
	for _, c := range []int{200, 201, 204, 206, 301, 302, 304, 307, 400, 401, 403, 404, 405, 409, 412, 413, 416, 422, 500, 502, 503, 504} {
		out[c] = strconv.Itoa(c)
	}
	return out
}()

func code(c int) string {
	if s, ok := codes[c]; ok {
		return s
	}
	return strconv.Itoa(c)
}

// Request records one answered request.
func (m *Metrics) Request(class, repo, method string, status int, in, out int64, took time.Duration) {
	m.requests.WithLabelValues(class, repo, method, code(status)).Inc()
	c, ok := m.byClass[class]
	if !ok {
		c = classMetrics{m.duration.WithLabelValues(class), m.bytesIn.WithLabelValues(class), m.bytesOut.WithLabelValues(class)}
	}
	c.duration.Observe(took.Seconds())
	if in > 0 {
		c.bytesIn.Add(float64(in))
	}
	if out > 0 {
		c.bytesOut.Add(float64(out))
	}
}

// Fetch records a remote repository's fetch outcome: "fetched", "failed" or "joined".
func (m *Metrics) Fetch(remote, result string) { m.fetches.WithLabelValues(remote, result).Inc() }

// DB records a metadata database operation (sqlstore.Store.Observe's hook). A lookup that
// finds nothing is a result of its own, not an error.
func (m *Metrics) DB(kind string, took time.Duration, err error) {
	result := "ok"
	switch {
	case errors.Is(err, sql.ErrNoRows) || errors.Is(err, arca.ErrNotFound):
		result = "not_found"
	case err != nil:
		result = "error"
	}
	m.dbOps.WithLabelValues(kind, result).Observe(took.Seconds())
}

// GC records a garbage collection.
func (m *Metrics) GC(err error, freed int64) {
	if err != nil {
		m.gcRuns.WithLabelValues("error").Inc()
		return
	}
	m.gcRuns.WithLabelValues("ok").Inc()
	m.gcFreed.Add(float64(freed))
}

// Gauge returns a gauge named name whose value fn reads at scrape time.
func Gauge(name, help string, fn func() float64) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn)
}

// CacheStats returns the collector of a cache's hits and misses (read at scrape time):
// arca_cache_hits_total and arca_cache_misses_total with the label cache=name.
func CacheStats(name string, stats func() (hits, misses uint64)) prometheus.Collector {
	return &cacheCollector{name: name, stats: stats,
		hits:   prometheus.NewDesc("arca_cache_hits_total", "Lookups a cache answered.", nil, prometheus.Labels{"cache": name}),
		misses: prometheus.NewDesc("arca_cache_misses_total", "Lookups a cache could not answer.", nil, prometheus.Labels{"cache": name})}
}

type cacheCollector struct {
	name         string
	stats        func() (uint64, uint64)
	hits, misses *prometheus.Desc
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.hits; ch <- c.misses }

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	h, mi := c.stats()
	ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(h))
	ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(mi))
}
