package gc_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/blob"
	"arca/internal/blob/blobtest"
	"arca/internal/blob/fsblob"
	"arca/internal/gc"
	"arca/internal/meta"
)

var (
	_ gc.Referencer = meta.Items(nil)
	_ gc.AgeDeleter = (*fsblob.Store)(nil)
)

// refs is a fake Referencer: a set of referenced digests, plus an optional hook run on every
// call (before the lookup) to simulate what happens concurrently with a collection.
type refs struct {
	used  map[string]bool
	calls int
	hook  func(ctx context.Context, digest string, call int) error
}

func (r *refs) BlobReferenced(ctx context.Context, digest string) (bool, error) {
	r.calls++
	if r.hook != nil {
		if err := r.hook(ctx, digest, r.calls); err != nil {
			return false, err
		}
	}
	return r.used[digest], nil
}

type fixture struct {
	s       *fsblob.Store
	digests map[string]string // name → digest
	now     time.Time
}

// blobSpec is one blob of a fixture: its content (also its name), age and whether an item
// references it.
type blobSpec struct {
	name       string
	age        time.Duration
	referenced bool
}

const grace = time.Hour

func newFixture(t *testing.T, specs []blobSpec) (*fixture, *refs) {
	t.Helper()
	s, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, digests: map[string]string{}, now: time.Now()}
	r := &refs{used: map[string]bool{}}
	for _, b := range specs {
		info := blobtest.Put(t, s, []byte(b.name), arca.Checksums{})
		f.digests[b.name] = info.Digest
		r.used[info.Digest] = b.referenced
		f.setAge(t, info.Digest, b.age)
	}
	return f, r
}

func (f *fixture) setAge(t *testing.T, digest string, age time.Duration) {
	t.Helper()
	mt := f.now.Add(-age)
	p := filepath.Join(f.s.Root(), "sha256", digest[:2], digest)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// remaining returns the names of the blobs still stored, sorted.
func (f *fixture) remaining(t *testing.T) []string {
	t.Helper()
	var names []string
	for name, d := range f.digests {
		_, err := f.s.Stat(context.Background(), d)
		switch {
		case err == nil:
			names = append(names, name)
		case !errors.Is(err, arca.ErrNotFound):
			t.Fatalf("Stat(%s): %v", name, err)
		}
	}
	sort.Strings(names)
	return names
}

func TestCollect(t *testing.T) {
	tests := []struct {
		name   string
		blobs  []blobSpec
		want   gc.Result
		remain []string
	}{
		{
			name:   "empty store",
			remain: nil,
		},
		{
			name: "grace period protects young unreferenced blobs",
			blobs: []blobSpec{
				{"just committed", 0, false},
				{"in flight", grace / 2, false},
				{"at the cutoff", grace, false},
			},
			want:   gc.Result{Scanned: 3},
			remain: []string{"at the cutoff", "in flight", "just committed"},
		},
		{
			name: "referenced blobs are kept at any age",
			blobs: []blobSpec{
				{"old", 100 * grace, true},
				{"young", 0, true},
			},
			want:   gc.Result{Scanned: 2},
			remain: []string{"old", "young"},
		},
		{
			name: "old unreferenced blobs are deleted",
			blobs: []blobSpec{
				{"garbage", 2 * grace, false},
				{"more garbage", grace + time.Second, false},
				{"used", 2 * grace, true},
				{"young", 0, false},
			},
			want:   gc.Result{Scanned: 4, Deleted: 2, Freed: int64(len("garbage") + len("more garbage"))},
			remain: []string{"used", "young"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := newFixture(t, tt.blobs)
			got, err := gc.Collect(context.Background(), f.s, r, grace, f.now, nil)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.remain, f.remaining(t)); diff != "" {
				t.Errorf("remaining blobs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectRaces covers what may happen between the scan and the deletion of a blob.
func TestCollectRaces(t *testing.T) {
	specs := []blobSpec{{"garbage", 2 * grace, false}, {"other garbage", 2 * grace, false}}
	tests := []struct {
		name string
		// during is called on every BlobReferenced call with the call's number.
		during func(t *testing.T, f *fixture, r *refs, digest string, call int)
	}{
		{
			// An upload commits the same bytes again: the store refreshes the ModTime.
			name: "recommitted during the walk",
			during: func(t *testing.T, f *fixture, r *refs, digest string, call int) {
				if digest == f.digests["garbage"] && call <= len(specs) {
					blobtest.Put(t, f.s, []byte("garbage"), arca.Checksums{})
				}
			},
		},
		{
			// Deploy by checksum: an item now points at the blob, which was not committed again.
			name: "referenced after the walk",
			during: func(t *testing.T, f *fixture, r *refs, digest string, call int) {
				if call == len(specs) { // the walk's last question
					r.used[f.digests["garbage"]] = true
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := newFixture(t, specs)
			r.hook = func(_ context.Context, digest string, call int) error {
				tt.during(t, f, r, digest, call)
				return nil
			}
			got, err := gc.Collect(context.Background(), f.s, r, grace, f.now, nil)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			want := gc.Result{Scanned: 2, Deleted: 1, Freed: int64(len("other garbage"))}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"garbage"}, f.remaining(t)); diff != "" {
				t.Errorf("remaining blobs (-want +got):\n%s", diff)
			}
		})
	}
}

// collectorOnly hides every method of the store but blob.Collector's, so Collect cannot use
// DeleteIfOlder.
type collectorOnly struct{ blob.Collector }

func TestCollectPlainDelete(t *testing.T) {
	f, r := newFixture(t, []blobSpec{{"garbage", 2 * grace, false}, {"used", 2 * grace, true}})
	got, err := gc.Collect(context.Background(), collectorOnly{f.s}, r, grace, f.now, nil)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	want := gc.Result{Scanned: 2, Deleted: 1, Freed: int64(len("garbage"))}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"used"}, f.remaining(t)); diff != "" {
		t.Errorf("remaining blobs (-want +got):\n%s", diff)
	}
}

func TestCollectErrors(t *testing.T) {
	errDB := errors.New("database is down")
	specs := []blobSpec{{"a", 2 * grace, false}, {"b", 2 * grace, false}, {"c", 2 * grace, false}}
	tests := []struct {
		name    string
		grace   time.Duration
		cancel  bool // cancel ctx before Collect
		hook    func(cancel context.CancelFunc) func(context.Context, string, int) error
		wantErr error
	}{
		{name: "cancelled before", grace: grace, cancel: true, wantErr: context.Canceled},
		{
			name:  "cancelled during the walk",
			grace: grace,
			hook: func(cancel context.CancelFunc) func(context.Context, string, int) error {
				return func(context.Context, string, int) error { cancel(); return nil }
			},
			wantErr: context.Canceled,
		},
		{
			name:  "cancelled before deleting",
			grace: grace,
			hook: func(cancel context.CancelFunc) func(context.Context, string, int) error {
				return func(_ context.Context, _ string, call int) error {
					if call == len(specs) { // the walk's last question
						cancel()
					}
					return nil
				}
			},
			wantErr: context.Canceled,
		},
		{
			name:  "referencer fails",
			grace: grace,
			hook: func(context.CancelFunc) func(context.Context, string, int) error {
				return func(context.Context, string, int) error { return errDB }
			},
			wantErr: errDB,
		},
		{name: "zero grace", grace: 0, wantErr: arca.ErrInvalid},
		{name: "negative grace", grace: -time.Hour, wantErr: arca.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := newFixture(t, specs)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			if tt.hook != nil {
				r.hook = tt.hook(cancel)
			}
			got, err := gc.Collect(ctx, f.s, r, tt.grace, f.now, nil)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Collect error = %v, want %v", err, tt.wantErr)
			}
			if got.Deleted != 0 {
				t.Errorf("Result = %+v, want nothing deleted", got)
			}
			if diff := cmp.Diff([]string{"a", "b", "c"}, f.remaining(t)); diff != "" {
				t.Errorf("remaining blobs (-want +got):\n%s", diff)
			}
		})
	}
}
