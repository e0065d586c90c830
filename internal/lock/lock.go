// Package lock provides named locks: Keyed within one process, and the Locker interface that a
// metadata store implements across every process sharing its database (sqlstore on PostgreSQL:
// advisory locks), for the few read-modify-write sequences that must not interleave between
// nodes (an npm packument's update, the one upstream fetch of a missing artifact).
package lock

import (
	"context"
	"sync"
)

// Locker hands out named locks.
type Locker interface {
	// Lock takes the lock name, waiting while another holder has it, and returns its release,
	// which must be called exactly once. It fails only when ctx is done first or the lock's
	// backing store fails; a holder that dies (its process, its connection) releases its
	// locks, so no wait outlives the holder.
	Lock(ctx context.Context, name string) (unlock func(), err error)
}

// Keyed is a Locker within one process: a mutex per name, held in a map only while in use. The
// zero value is ready.
type Keyed struct {
	mu    sync.Mutex
	locks map[string]*entry
}

type entry struct {
	ch    chan struct{} // a token: held by whoever has the lock
	users int
}

var _ Locker = (*Keyed)(nil)

// Lock implements Locker.
func (k *Keyed) Lock(ctx context.Context, name string) (func(), error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*entry{}
	}
	e := k.locks[name]
	if e == nil {
		e = &entry{ch: make(chan struct{}, 1)}
		k.locks[name] = e
	}
	e.users++
	k.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	case <-ctx.Done():
		k.release(name, e)
		return nil, ctx.Err()
	}
	return func() {
		<-e.ch
		k.release(name, e)
	}, nil
}

// release drops one user of e, and e itself with the last one.
func (k *Keyed) release(name string, e *entry) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e.users--; e.users == 0 {
		delete(k.locks, name)
	}
}
