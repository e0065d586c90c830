package fsblob

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// collector is a sink that keeps what it is given.
type collector struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *collector) sink(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(b)
	return nil
}

func (c *collector) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

// feed puts data through f in chunks as the writer does: fill a chunk from get, put it.
func feed(f *fanout, data []byte) {
	for len(data) > 0 {
		c := f.get()
		k := copy(c.data[c.n:], data)
		c.n += k
		data = data[k:]
		f.put(c)
	}
}

func TestFanoutDeliversEveryByteInOrder(t *testing.T) {
	const size = 16 // chunk size; inline sinks see pieces of inlinePiece, larger than this
	data := make([]byte, 5*size+7)
	for i := range data {
		data[i] = byte(i*31 + 7)
	}
	lengths := []int{0, 1, size - 1, size, size + 1, 3*size + 5, len(data)}
	shapes := []struct {
		name          string
		inline, async int
	}{
		{"all inline", 3, 0},
		{"all async", 0, 3},
		{"mixed", 2, 2},
	}
	for _, sh := range shapes {
		for _, ring := range []int{1, 2, 4} {
			for _, n := range lengths {
				t.Run(fmt.Sprintf("%s/ring%d/%dB", sh.name, ring, n), func(t *testing.T) {
					var spare []*chunk
					for range ring {
						spare = append(spare, &chunk{data: make([]byte, size)})
					}
					var inline, async []func([]byte) error
					var cols []*collector
					for i := range sh.inline + sh.async {
						c := &collector{}
						cols = append(cols, c)
						if i < sh.inline {
							inline = append(inline, c.sink)
						} else {
							async = append(async, c.sink)
						}
					}
					f := newFanout(spare, 0, inline, async...)
					feed(f, data[:n])
					if err := f.wait(); err != nil {
						t.Fatalf("wait: %v", err)
					}
					for i, c := range cols {
						if got := c.bytes(); !bytes.Equal(got, data[:n]) {
							t.Errorf("sink %d got %d bytes %x, want %x", i, len(got), got, data[:n])
						}
					}
					chunks, err := f.close()
					if err != nil || len(chunks) != ring {
						t.Errorf("close = %d chunks, %v; want %d, nil", len(chunks), err, ring)
					}
				})
			}
		}
	}
}

func TestFanoutHeldChunkJoinsTheRing(t *testing.T) {
	held := &chunk{data: make([]byte, 8)}
	held.n = copy(held.data, "abcdefgh")
	c := &collector{}
	f := newFanout([]*chunk{{data: make([]byte, 8)}}, 1, nil, c.sink)
	f.put(held)
	feed(f, []byte("ijklmnopqrstu"))
	if err := f.wait(); err != nil {
		t.Fatal(err)
	}
	if got := string(c.bytes()); got != "abcdefghijklmnopqrstu" {
		t.Errorf("sink got %q", got)
	}
	if chunks, _ := f.close(); len(chunks) != 2 {
		t.Errorf("close returned %d chunks, want 2 (the spare and the held one)", len(chunks))
	}
}

func TestFanoutSinkError(t *testing.T) {
	boom := errors.New("disk full")
	for _, where := range []string{"inline", "async"} {
		t.Run(where, func(t *testing.T) {
			var calls int
			failing := func(b []byte) error {
				calls++
				if calls == 2 {
					return boom
				}
				return nil
			}
			other := &collector{}
			var inline, async []func([]byte) error
			if where == "inline" {
				inline = append(inline, failing)
			} else {
				async = append(async, failing)
			}
			async = append(async, other.sink)
			spare := []*chunk{{data: make([]byte, 4)}, {data: make([]byte, 4)}}
			f := newFanout(spare, 0, inline, async...)
			feed(f, bytes.Repeat([]byte("x"), 4*10)) // ten chunks: no deadlock after the error
			if err := f.wait(); !errors.Is(err, boom) {
				t.Errorf("wait = %v, want %v", err, boom)
			}
			if err := f.errNow(); !errors.Is(err, boom) {
				t.Errorf("errNow = %v, want %v", err, boom)
			}
			if calls > 2 {
				t.Errorf("failing sink called %d times, want no call after its error", calls)
			}
			if n := len(other.bytes()); n == 40 {
				t.Errorf("the other sink got all 40 bytes: sinks should skip chunks after an error")
			}
			chunks, err := f.close()
			if !errors.Is(err, boom) || len(chunks) != 2 {
				t.Errorf("close = %d chunks, %v; want 2, %v", len(chunks), err, boom)
			}
			if chunks, err := f.close(); chunks != nil || !errors.Is(err, boom) {
				t.Errorf("second close = %v, %v; want no chunks, %v", chunks, err, boom)
			}
		})
	}
}
