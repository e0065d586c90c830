package gc_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca/internal/gc"
)

// batchRefs is a Referencer that also answers in batches, recording the size of each batch.
type batchRefs struct {
	*refs
	batches []int
	single  int
}

func (b *batchRefs) BlobReferenced(ctx context.Context, digest string) (bool, error) {
	b.single++
	return b.refs.BlobReferenced(ctx, digest)
}

func (b *batchRefs) BlobsReferenced(_ context.Context, digests []string) (map[string]bool, error) {
	b.batches = append(b.batches, len(digests))
	out := map[string]bool{}
	for _, d := range digests {
		if b.used[d] {
			out[d] = true
		}
	}
	return out, nil
}

// TestCollectBatches: with a BatchReferencer the walk asks a step of blobs at a time, and the
// deletion asks again for each step of garbage, never one blob at a time.
func TestCollectBatches(t *testing.T) {
	var specs []blobSpec
	for i := range 25 {
		specs = append(specs, blobSpec{fmt.Sprintf("blob %02d", i), 2 * grace, i%5 == 0}) // 5 used, 20 garbage
	}
	specs = append(specs, blobSpec{"young", 0, false})
	f, r := newFixture(t, specs)
	b := &batchRefs{refs: r}
	got, err := gc.CollectPaced(context.Background(), f.s, b, grace, f.now, nil, gc.Pace{Batch: 10, Rest: -1})
	if err != nil {
		t.Fatalf("CollectPaced: %v", err)
	}
	var freed int64
	for _, s := range specs[:25] {
		if !s.referenced {
			freed += int64(len(s.name))
		}
	}
	if want := (gc.Result{Scanned: 26, Deleted: 20, Freed: freed}); !cmp.Equal(want, got) {
		t.Errorf("Result = %+v, want %+v", got, want)
	}
	// Walk: 25 old blobs in steps of 10; deletion: 20 garbage blobs in steps of 10.
	if want := []int{10, 10, 5, 10, 10}; !cmp.Equal(want, b.batches) || b.single != 0 {
		t.Errorf("batches %v and %d single questions, want %v and none", b.batches, b.single, want)
	}
	want := []string{"blob 00", "blob 05", "blob 10", "blob 15", "blob 20", "young"}
	if d := cmp.Diff(want, f.remaining(t)); d != "" {
		t.Errorf("remaining (-want +got):\n%s", d)
	}
}

// TestCollectRests: the default pace rests after each step about as long as the step took,
// so a collection takes at least twice its work; Rest < 0 does not rest.
func TestCollectRests(t *testing.T) {
	specs := []blobSpec{{"a", 2 * grace, false}, {"b", 2 * grace, false}}
	slow := func(r *refs) {
		r.hook = func(context.Context, string, int) error { time.Sleep(20 * time.Millisecond); return nil }
	}
	f, r := newFixture(t, specs)
	slow(r)
	var rests []time.Duration
	record := func(_ context.Context, d time.Duration) error { rests = append(rests, d); return nil }
	if _, err := gc.CollectPaced(context.Background(), f.s, r, grace, f.now, nil, gc.Pace{Batch: 1, Sleep: record}); err != nil {
		t.Fatal(err)
	}
	// 4 questions (2 blobs, asked before and again before deleting), one per step, each of which
	// takes at least 20 ms: every such step is followed by a rest at least as long (Rest 1).
	long := 0
	for _, d := range rests {
		if d >= 20*time.Millisecond {
			long++
		}
	}
	if long < 4 {
		t.Errorf("rests %v: want at least 4 of >= 20ms, one after each slow step", rests)
	}
	f, r = newFixture(t, specs)
	slow(r)
	ctx, cancel := context.WithCancel(context.Background())
	r.hook = func(context.Context, string, int) error { cancel(); return nil }
	if _, err := gc.CollectPaced(ctx, f.s, r, grace, f.now, nil, gc.Pace{Batch: 1}); err == nil {
		t.Error("a collection cancelled during a rest returned no error")
	}
}

// sleepyRefs counts the collections running at once.
type sleepyRefs struct {
	running, most atomic.Int32
}

func (s *sleepyRefs) BlobReferenced(context.Context, string) (bool, error) {
	n := s.running.Add(1)
	defer s.running.Add(-1)
	if n > s.most.Load() {
		s.most.Store(n)
	}
	time.Sleep(5 * time.Millisecond)
	return true, nil
}

// TestRunnerOneAtATime: concurrent Runs do not overlap.
func TestRunnerOneAtATime(t *testing.T) {
	f, _ := newFixture(t, []blobSpec{{"a", 2 * grace, false}, {"b", 2 * grace, false}})
	s := &sleepyRefs{}
	run := &gc.Runner{Blobs: f.s, Refs: s, Grace: grace, Pace: gc.Pace{Rest: -1}}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := run.Run(context.Background()); err != nil || res.Scanned != 2 {
				t.Errorf("Run = %+v, %v", res, err)
			}
		}()
	}
	wg.Wait()
	if m := s.most.Load(); m != 1 {
		t.Errorf("%d collections ran at once, want 1", m)
	}
}
