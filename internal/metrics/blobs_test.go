package metrics_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"arca/internal/blob"
	"arca/internal/blob/blobtest"
	"arca/internal/blob/fsblob"
	"arca/internal/metrics"
)

// TestTimedBlobsConformance: the wrapper keeps the blob store's contract.
func TestTimedBlobsConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := fsblob.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return metrics.Blobs(s, metrics.New())
	})
}

// TestTimedBlobsObserve: operations are counted by op and result, not-found apart from errors.
func TestTimedBlobsObserve(t *testing.T) {
	s, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	b := metrics.Blobs(s, m)
	info := blobtest.Put(t, b, []byte("x"), blobtest.Sums([]byte("x")))
	if _, err := b.Stat(t.Context(), info.Digest); err != nil {
		t.Fatal(err)
	}
	_, _ = b.Stat(t.Context(), strings.Repeat("0", 64))
	n, err := testutil.GatherAndCount(metrics.Gatherer(m), "arca_blob_operation_duration_seconds")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // commit ok, stat ok, stat not_found
		t.Errorf("%d blob operation series, want 3", n)
	}
}
