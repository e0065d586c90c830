package restapi

import (
	"context"

	"arca"
	"net/http"
	"time"
)

// Cluster reports the instance's nodes (app's node implements it).
type Cluster interface {
	Status(ctx context.Context) (ClusterStatus, error)
}

// ClusterStatus is the answer of GET /api/system/status.
type ClusterStatus struct {
	Node     string       `json:"node"`   // the id of the node answering
	Leader   string       `json:"leader"` // the node running the background work ("" while none holds it)
	Metadata string       `json:"metadata"`
	Blobs    string       `json:"blobs"`
	Nodes    []NodeStatus `json:"nodes"`
}

// NodeStatus is one node as it last reported itself.
type NodeStatus struct {
	ID        string    `json:"id"`
	Address   string    `json:"address"`
	Version   string    `json:"version"`
	Started   time.Time `json:"started"`
	Heartbeat time.Time `json:"heartbeat"`
	Leader    bool      `json:"leader"`
	Self      bool      `json:"self"`
}

// SystemStatus handles GET /api/system/status (admin): the answering node, the leader of the
// background work and every node that reported itself lately, with the storage they share.
func (a *API) SystemStatus(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	st, err := a.Cluster.Status(r.Context())
	if err != nil {
		return err
	}
	st.Metadata, st.Blobs = a.Storage.Metadata, a.Storage.Blobs
	return writeJSON(w, http.StatusOK, st)
}

// Liveness handles GET /api/v1/system/liveness: the process serves (for an orchestrator's
// restart decision; it does not look at the database, so an outage restarts nothing).
func (a *API) Liveness(w http.ResponseWriter, r *http.Request) error {
	return writeText(w, http.StatusOK, "OK")
}

// Readiness handles GET /api/v1/system/readiness: as ping, whether the node can serve (its
// database and blob store answer), for a load balancer's rotation.
func (a *API) Readiness(w http.ResponseWriter, r *http.Request) error { return a.Ping(w, r) }

// Metrics handles GET /metrics and GET /api/v1/metrics (admin): the Prometheus exposition of
// API.Metrics. Not world-readable: a scraper authenticates like any client (Basic or a token).
func (a *API) Metrics(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	if a.MetricsHandler == nil {
		return arca.Errorf(arca.ErrNotFound, "metrics are not enabled")
	}
	a.MetricsHandler.ServeHTTP(w, r)
	return nil
}
