package smart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestStatsPusherTargetKey(t *testing.T) {
	tests := []struct {
		key      string
		hasLocal func(string) bool
		want     string
	}{
		{"libs", nil, "libs-cache"},
		{"libs-cache", nil, "libs-cache"},
		{"libs-CACHE", nil, "libs-CACHE"},
		{"libs", func(k string) bool { return k == "libs" }, "libs"},
		{"libs", func(k string) bool { return false }, "libs-cache"},
	}
	for _, tt := range tests {
		sp := NewStatsPusher(Peer{Key: tt.key}, StatsOptions{HasLocal: tt.hasLocal})
		if got := sp.TargetKey(); got != tt.want {
			t.Errorf("key %q: TargetKey = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestStatsPusherFlush(t *testing.T) {
	up := newUpstream(t, map[string]http.HandlerFunc{
		"PUT /artifactory/api/storage/statistics/libs-cache": text(200, ""),
	})
	sp := NewStatsPusher(up.peer("libs"), StatsOptions{})
	t0 := time.UnixMilli(1763700000000)
	sp.Record(Event{RepoPath: "org/b.jar", By: "bob", At: t0})
	sp.Record(Event{RepoPath: "/org/a.jar", By: "alice", At: t0.Add(time.Second)})
	sp.Record(Event{RepoPath: "org/a.jar", By: "carol", At: t0.Add(3 * time.Second)})
	sp.Record(Event{RepoPath: "org/a.jar", By: "dave", At: t0.Add(2 * time.Second)}) // older: keeps carol
	sp.Record(Event{RepoPath: "", By: "x", At: t0})                                  // ignored

	ctx := context.Background()
	if err := sp.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sp.Flush(ctx); err != nil { // nothing queued: no request
		t.Fatal(err)
	}
	reqs, bodies := up.recorded()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if ct := reqs[0].Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(bodies[0]), &got); err != nil {
		t.Fatalf("body %s: %v", bodies[0], err)
	}
	entry := func(p string, n int, last time.Time, by string) map[string]any {
		return map[string]any{"downloadCount": float64(n), "lastDownloaded": float64(last.UnixMilli()), "lastDownloadedBy": by,
			"remoteDownloadCount": float64(0), "remoteLastDownloaded": float64(0), "remoteLastDownloadedBy": nil,
			"repoPath": p, "path": p, "origin": nil}
	}
	want := []map[string]any{entry("org/a.jar", 3, t0.Add(3*time.Second), "carol"), entry("org/b.jar", 1, t0, "bob")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if sp.Pending() != 0 {
		t.Errorf("Pending = %d after a successful flush", sp.Pending())
	}
}

func TestStatsPusherFailures(t *testing.T) {
	tests := []struct {
		status   int
		wantErr  error
		wantKept int
	}{
		{200, nil, 0},
		{204, nil, 0},
		{500, arca.ErrUnavailable, 2},
		{401, arca.ErrUnauthorized, 2},
		{404, arca.ErrNotFound, 2},
		{400, arca.ErrInvalid, 0}, // a path missing upstream: retrying would fail forever
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			up := newUpstream(t, map[string]http.HandlerFunc{
				"PUT /artifactory/api/storage/statistics/libs-cache": text(tt.status, ""),
			})
			sp := NewStatsPusher(up.peer("libs"), StatsOptions{})
			sp.Record(Event{RepoPath: "a", By: "u", At: time.UnixMilli(1000)})
			sp.Record(Event{RepoPath: "b", By: "u", At: time.UnixMilli(1000)})
			if err := sp.Flush(context.Background()); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := sp.Pending(); got != tt.wantKept {
				t.Errorf("Pending = %d, want %d", got, tt.wantKept)
			}
		})
	}
}

// TestStatsPusherRetry checks that a failed batch is merged with newer events and sent whole
// by the next flush.
func TestStatsPusherRetry(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	up := newUpstream(t, map[string]http.HandlerFunc{
		"PUT /artifactory/api/storage/statistics/libs-cache": func(w http.ResponseWriter, r *http.Request) {
			if fail.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		},
	})
	sp := NewStatsPusher(up.peer("libs"), StatsOptions{MaxPaths: 2})
	ctx := context.Background()
	sp.Record(Event{RepoPath: "a", By: "old", At: time.UnixMilli(1000)})
	sp.Record(Event{RepoPath: "b", By: "old", At: time.UnixMilli(1000)})
	sp.Record(Event{RepoPath: "c", By: "old", At: time.UnixMilli(1000)}) // queue full: dropped
	if err := sp.Flush(ctx); err == nil {
		t.Fatal("Flush succeeded against a failing upstream")
	}
	sp.Record(Event{RepoPath: "a", By: "new", At: time.UnixMilli(2000)})
	fail.Store(false)
	if err := sp.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	_, bodies := up.recorded()
	var got []statsEntry
	if err := json.Unmarshal([]byte(bodies[1]), &got); err != nil {
		t.Fatal(err)
	}
	want := []statsEntry{
		{DownloadCount: 2, LastDownloaded: 2000, LastDownloadedBy: "new", RepoPath: "a", Path: "a"},
		{DownloadCount: 1, LastDownloaded: 1000, LastDownloadedBy: "old", RepoPath: "b", Path: "b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second push (-want +got):\n%s", diff)
	}
}

// TestStatsPusherRun records concurrently while Run pushes, and checks every download is
// reported once Run has returned.
func TestStatsPusherRun(t *testing.T) {
	var mu sync.Mutex
	total := int64(0)
	up := newUpstream(t, map[string]http.HandlerFunc{
		"PUT /artifactory/api/storage/statistics/libs-cache": func(w http.ResponseWriter, r *http.Request) {
			var es []statsEntry
			if err := json.NewDecoder(r.Body).Decode(&es); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			mu.Lock()
			for _, e := range es {
				total += e.DownloadCount
			}
			mu.Unlock()
		},
	})
	sp := NewStatsPusher(up.peer("libs"), StatsOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sp.Run(ctx, 5*time.Millisecond); close(done) }()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				sp.Record(Event{RepoPath: fmt.Sprintf("p%d", i%10), By: fmt.Sprint(g), At: time.Now()})
				if i%25 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if total != 800 {
		t.Errorf("upstream counted %d downloads, want 800", total)
	}
}
