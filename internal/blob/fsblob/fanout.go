package fsblob

import (
	"sync"
	"sync/atomic"
)

// chunk is one reusable buffer of an ingest: the writer fills data[:n], then hands it to every
// sink of a fanout.
type chunk struct {
	data []byte // len(data) is the chunk size
	n    int    // bytes filled
	refs atomic.Int32
}

// fanout hands a stream of chunks to several sinks, in the order the chunks are put. Inline
// sinks run on the producer's goroutine, in put; each async sink has its own goroutine. A chunk
// goes back to the free list when all async sinks are done with it, so an ingest never holds
// more than the chunks it was given, whatever the blob's size.
//
// Why not every sink on its own goroutine: the producer reads the request body, and a reader
// that waits for the network while other goroutines keep every P busy is woken only when a P
// runs out of work or by the runtime's 10 ms background poll. On one CPU that stalls the client
// for as long as the socket buffer lasts. A producer that does a share of the work itself reads
// again as soon as it is done with it, and finds the bytes that arrived meanwhile waiting.
//
// Sinks must accept the stream split anywhere: inline sinks get each chunk in pieces of
// inlinePiece bytes, all inline sinks one piece after the other, so that the piece is still in
// the CPU's cache for the second and third hash.
//
// After a sink's first error every sink skips the remaining chunks (the blob is lost anyway);
// put still accepts chunks, so the producer needs no special path, and errNow reports the
// error. A fanout is used by one producer goroutine: get, put, release, wait and close are not
// safe for concurrent use.
type fanout struct {
	free   chan *chunk
	inline []func([]byte) error
	work   []chan *chunk // one per async sink
	owned  int           // chunks in circulation (free, being filled, or with the sinks)
	wg     sync.WaitGroup
	failed atomic.Bool
	mu     sync.Mutex
	err    error
	closed bool
}

// inlinePiece is the piece size in which inline sinks see a chunk: small enough to stay in a
// core's L2 cache between the sinks.
const inlinePiece = 256 << 10

// newFanout starts one goroutine per async sink. The chunks in circulation are spare (free
// from the start) and held more that the caller already has and will put or release (a chunk
// it filled before it knew it needed a fanout). Stop it with close.
func newFanout(spare []*chunk, held int, inline []func([]byte) error, async ...func([]byte) error) *fanout {
	n := len(spare) + held
	f := &fanout{free: make(chan *chunk, n), owned: n, inline: inline}
	for _, c := range spare {
		c.n = 0
		f.free <- c
	}
	for _, sink := range async {
		in := make(chan *chunk, n)
		f.work = append(f.work, in)
		f.wg.Add(1)
		go f.run(sink, in)
	}
	return f
}

func (f *fanout) run(sink func([]byte) error, in <-chan *chunk) {
	defer f.wg.Done()
	for c := range in {
		if !f.failed.Load() {
			if err := sink(c.data[:c.n]); err != nil {
				f.fail(err)
			}
		}
		if c.refs.Add(-1) == 0 {
			f.recycle(c)
		}
	}
}

func (f *fanout) fail(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
	f.failed.Store(true)
}

func (f *fanout) recycle(c *chunk) {
	c.n = 0
	f.free <- c
}

// get returns an empty chunk, waiting until the sinks are done with one.
func (f *fanout) get() *chunk { return <-f.free }

// put runs the inline sinks on c (from get) and hands it to every async sink; the caller must
// not touch c afterwards. An empty chunk just goes back to the free list.
func (f *fanout) put(c *chunk) {
	if c.n > 0 && len(f.inline) > 0 && !f.failed.Load() {
		f.runInline(c.data[:c.n])
	}
	if c.n == 0 || len(f.work) == 0 {
		f.recycle(c)
		return
	}
	c.refs.Store(int32(len(f.work)))
	for _, in := range f.work {
		in <- c
	}
}

func (f *fanout) runInline(b []byte) {
	for len(b) > 0 {
		piece := b[:min(len(b), inlinePiece)]
		b = b[len(piece):]
		for _, sink := range f.inline {
			if err := sink(piece); err != nil {
				f.fail(err)
				return
			}
		}
	}
}

// release gives back a chunk from get without handing it to the sinks.
func (f *fanout) release(c *chunk) { f.recycle(c) }

// wait blocks until the sinks are done with every chunk put so far and returns the first sink
// error. The caller must hold no chunk (put or release it first).
func (f *fanout) wait() error {
	held := make([]*chunk, 0, f.owned)
	for range f.owned {
		held = append(held, <-f.free)
	}
	for _, c := range held {
		f.free <- c
	}
	return f.errNow()
}

// errNow returns the first sink error so far, without waiting.
func (f *fanout) errNow() error {
	if !f.failed.Load() {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// close waits for the sinks, stops their goroutines and returns the chunks (to be reused
// elsewhere) and the first sink error. The caller must hold no chunk. A second close returns
// no chunks and the same error.
func (f *fanout) close() ([]*chunk, error) {
	if f.closed {
		return nil, f.errNow()
	}
	f.closed = true
	for _, in := range f.work {
		close(in)
	}
	f.wg.Wait()
	chunks := make([]*chunk, 0, f.owned)
	for range f.owned {
		chunks = append(chunks, <-f.free)
	}
	return chunks, f.errNow()
}
