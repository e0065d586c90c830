package app

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"arca/internal/meta"
	"arca/internal/restapi"
)

// The cadence of the cluster's bookkeeping: every node reports itself and renews (or tries
// for) the background lease every heartbeatEvery; a node silent for peerTimeout is no longer
// listed, and a leader silent for leaseTTL loses the lease to the next node that asks.
const (
	heartbeatEvery = 5 * time.Second
	leaseTTL       = 15 * time.Second
	peerTimeout    = 15 * time.Second
	backgroundWork = "background" // the lease of garbage collection and cache cleanup
)

// node is this process among the instance's nodes (on SQLite, the only one). One node at a
// time holds the background lease and runs the periodic work that must not run twice at once
// on shared storage; when it dies, another takes the lease over within leaseTTL.
type node struct {
	id      string
	address string
	version string
	started time.Time
	store   meta.Cluster
	log     *slog.Logger
	leader  atomic.Bool
}

// isLeader reports whether this node holds the background lease.
func (n *node) isLeader() bool { return n.leader.Load() }

// beat reports the node and renews or tries for the lease once.
func (n *node) beat(ctx context.Context) {
	now := time.Now()
	if err := n.store.Heartbeat(ctx, meta.Node{ID: n.id, Address: n.address, Version: n.version, Started: n.started, Heartbeat: now}); err != nil {
		n.log.Warn("cluster heartbeat failed", "err", err)
	}
	got, err := n.store.AcquireLease(ctx, backgroundWork, n.id, now, now.Add(leaseTTL))
	if err != nil {
		n.log.Warn("renewing the background lease failed", "err", err)
		got = false // unsure: let another node run the work rather than two
	}
	if was := n.leader.Swap(got); was != got {
		n.log.Info("background work", "leader", got, "node", n.id)
	}
}

// run beats until ctx is done, then gives the lease up and leaves the list of nodes, so that
// another node takes the background work over at once.
func (n *node) run(ctx context.Context) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			bye, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if n.leader.Swap(false) {
				_ = n.store.ReleaseLease(bye, backgroundWork, n.id)
			}
			_ = n.store.RemoveNode(bye, n.id)
			return
		case <-t.C:
			n.beat(ctx)
		}
	}
}

// Status implements restapi.Cluster: this node, the leader, and every node heard of lately.
func (n *node) Status(ctx context.Context) (restapi.ClusterStatus, error) {
	nodes, err := n.store.Nodes(ctx, time.Now().Add(-peerTimeout))
	if err != nil {
		return restapi.ClusterStatus{}, err
	}
	holder, expires, err := n.store.Lease(ctx, backgroundWork)
	if err != nil {
		return restapi.ClusterStatus{}, err
	}
	if expires.Before(time.Now()) {
		holder = ""
	}
	st := restapi.ClusterStatus{Node: n.id, Leader: holder}
	for _, p := range nodes {
		st.Nodes = append(st.Nodes, restapi.NodeStatus{ID: p.ID, Address: p.Address, Version: p.Version,
			Started: p.Started, Heartbeat: p.Heartbeat, Leader: p.ID == holder, Self: p.ID == n.id})
	}
	return st, nil
}
