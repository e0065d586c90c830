package lock_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"arca/internal/lock"
)

// TestKeyed: holders of one name never overlap, other names do not wait, and a cancelled wait
// fails without taking the lock.
func TestKeyed(t *testing.T) {
	var k lock.Keyed
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			unlock, err := k.Lock(context.Background(), "a")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if m := most.Load(); m != 1 {
		t.Errorf("%d holders of one name at once, want 1", m)
	}

	unlockA, err := k.Lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	unlockB, err := k.Lock(context.Background(), "b") // another name: no wait
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := k.Lock(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock of a held name with a deadline = %v, want context.DeadlineExceeded", err)
	}
	unlockA()
	unlockA2, err := k.Lock(context.Background(), "a") // the cancelled wait did not keep it
	if err != nil {
		t.Fatal(err)
	}
	unlockA2()
}
