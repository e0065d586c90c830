package repo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"arca"
	"arca/internal/meta"
)

// failingStats is a meta.Stats whose AddDownloads fails until ok is set, recording batches.
type failingStats struct {
	meta.Stats
	ok      bool
	batches [][]arca.Download
}

func (f *failingStats) AddDownloads(_ context.Context, ds []arca.Download) error {
	if !f.ok {
		return errors.New("database unavailable")
	}
	f.batches = append(f.batches, ds)
	return nil
}

// counts sums the flushed counts per path, and the latest user per path.
func (f *failingStats) counts() (map[string]int64, map[string]string) {
	n, by := map[string]int64{}, map[string]string{}
	for _, b := range f.batches {
		for _, dl := range b {
			n[dl.Path] += max(dl.Count, 1)
			by[dl.Path] = dl.By
		}
	}
	return n, by
}

func TestDownloadsTallyPerItem(t *testing.T) {
	store := &failingStats{ok: true}
	d := NewDownloads(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := range 1000 {
		d.Record("r", "a", "u"+strconv.Itoa(i%3), time.Unix(int64(i), 0))
	}
	d.Record("r", "b", "late", time.Unix(5000, 0))
	d.Record("r", "b", "early", time.Unix(1, 0)) // recorded later, but older: not the latest
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(store.batches) != 1 || len(store.batches[0]) != 2 {
		t.Fatalf("batches %v, want one batch of one record per item", store.batches)
	}
	n, by := store.counts()
	if n["a"] != 1000 || n["b"] != 2 || by["a"] != "u0" || by["b"] != "late" {
		t.Errorf("counts %v, latest users %v; want a:1000 (u0), b:2 (late)", n, by)
	}
	if err := d.Flush(context.Background()); err != nil || len(store.batches) != 1 {
		t.Errorf("an empty flush wrote %v (err %v)", store.batches[1:], err)
	}
}

func TestDownloadsSurviveFailuresAndStayBounded(t *testing.T) {
	store := &failingStats{}
	d := NewDownloads(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.limit = 3
	at := time.Unix(0, 0)
	for _, p := range []string{"a", "b", "a"} {
		d.Record("r", p, "u", at)
	}
	if err := d.Flush(context.Background()); err == nil {
		t.Fatal("Flush succeeded against a failing store")
	}
	for _, p := range []string{"a", "c", "d", "e"} {
		d.Record("r", p, "u", at)
	}
	if err := d.Flush(context.Background()); err == nil {
		t.Fatal("Flush succeeded against a failing store")
	}
	store.ok = true
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, _ := store.counts()
	// While the store fails at most limit (3) items are kept; each kept item has its whole
	// count, none counted twice.
	want := map[string]int64{"a": 3, "b": 1, "c": 1, "d": 1, "e": 1}
	if len(n) != 3 {
		t.Errorf("flushed %d items (%v), want the limit, 3", len(n), n)
	}
	for p, c := range n {
		if c != want[p] {
			t.Errorf("item %s flushed with count %d, want %d", p, c, want[p])
		}
	}
}
