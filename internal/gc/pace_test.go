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
	got, err := gc.CollectPaced(context.Background(), f.s, b, grace, f.now, nil, gc.Pace{Batch: 10, Step: -1, Rest: -1})
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

// clockRefs is a batchRefs on a fake clock that each question moves on by a millisecond a
// digest: the only time that passes is the reference queries'.
type clockRefs struct {
	*batchRefs
	now time.Time
}

func (c *clockRefs) BlobReferenced(ctx context.Context, digest string) (bool, error) {
	c.now = c.now.Add(time.Millisecond)
	return c.batchRefs.BlobReferenced(ctx, digest)
}

func (c *clockRefs) BlobsReferenced(ctx context.Context, digests []string) (map[string]bool, error) {
	c.now = c.now.Add(time.Duration(len(digests)) * time.Millisecond)
	return c.batchRefs.BlobsReferenced(ctx, digests)
}

// TestCollectStepTime: a deletion step whose time is up after its question deletes one blob
// and asks again about the others in the next step, so every blob is still asked about just
// before it goes, and every garbage blob goes.
func TestCollectStepTime(t *testing.T) {
	var specs []blobSpec
	for i := range 15 {
		specs = append(specs, blobSpec{fmt.Sprintf("blob %02d", i), 2 * grace, i%3 == 0}) // 5 used, 10 garbage
	}
	f, r := newFixture(t, specs)
	c := &clockRefs{batchRefs: &batchRefs{refs: r}, now: f.now}
	p := gc.Pace{Batch: 4, Step: 3 * time.Millisecond, Rest: -1, Now: func() time.Time { return c.now }}
	got, err := gc.CollectPaced(context.Background(), f.s, c, grace, f.now, nil, p)
	if err != nil {
		t.Fatalf("CollectPaced: %v", err)
	}
	if got.Deleted != 10 || got.Scanned != 15 {
		t.Errorf("Result = %+v, want 15 scanned and 10 deleted", got)
	}
	// The walk: steps of 4 (the clock stands still between questions). The deletion: a
	// question of 4 blobs takes 4 ms, past Step, so that step deletes one blob and hands the
	// others on; the next step asks about twice what the last got through, 2, within Step,
	// so both go and the next asks about 4 again; the last blob is asked about alone.
	want := []int{4, 4, 4, 3, 4, 2, 4, 2, 4, 2}
	if !cmp.Equal(want, c.batches) || c.single != 1 {
		t.Errorf("batches %v and %d single questions, want %v and 1", c.batches, c.single, want)
	}
	if d := cmp.Diff([]string{"blob 00", "blob 03", "blob 06", "blob 09", "blob 12"}, f.remaining(t)); d != "" {
		t.Errorf("remaining (-want +got):\n%s", d)
	}
}

// TestCollectStepTimeWalk: on a clock that moves a millisecond at every reading, the walk's
// steps end on time, before they reach Batch blobs.
func TestCollectStepTimeWalk(t *testing.T) {
	var specs []blobSpec
	for i := range 12 {
		specs = append(specs, blobSpec{fmt.Sprintf("blob %02d", i), 2 * grace, true})
	}
	f, r := newFixture(t, specs)
	b := &batchRefs{refs: r}
	now := f.now
	tick := func() time.Time { now = now.Add(time.Millisecond); return now }
	got, err := gc.CollectPaced(context.Background(), f.s, b, grace, f.now, nil, gc.Pace{Batch: 10, Step: 3 * time.Millisecond, Rest: -1, Now: tick})
	if err != nil || got.Scanned != 12 || got.Deleted != 0 {
		t.Fatalf("CollectPaced = %+v, %v; want 12 scanned, none deleted", got, err)
	}
	total := 0
	for _, n := range b.batches {
		total += n
		if n >= 10 {
			t.Errorf("batches %v: a step of %d blobs, want steps cut short by Step", b.batches, n)
		}
	}
	if total != 12 {
		t.Errorf("batches %v ask about %d blobs, want 12", b.batches, total)
	}
}
