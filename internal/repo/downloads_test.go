package repo

import (
	"context"
	"errors"
	"io"
	"log/slog"
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

func TestDownloadsKeepOrderAcrossFailuresAndStayBounded(t *testing.T) {
	store := &failingStats{}
	d := NewDownloads(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.limit = 3
	at := time.Unix(0, 0)
	for _, p := range []string{"a", "b"} {
		d.Record("r", p, "u", at)
	}
	if err := d.Flush(context.Background()); err == nil {
		t.Fatal("Flush succeeded against a failing store")
	}
	for _, p := range []string{"c", "d"} {
		d.Record("r", p, "u", at)
	}
	if err := d.Flush(context.Background()); err == nil {
		t.Fatal("Flush succeeded against a failing store")
	}
	store.ok = true
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range store.batches {
		for _, dl := range b {
			got = append(got, dl.Path)
		}
	}
	// Four recorded, limit three: the oldest ("a") was dropped, the rest kept in order.
	if len(got) != 3 || got[0] != "b" || got[1] != "c" || got[2] != "d" {
		t.Fatalf("flushed %v, want [b c d]", got)
	}
}
