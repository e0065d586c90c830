package metatest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"

	"arca"
	"arca/internal/meta"
)

// concurrency has writers deploy distinct paths, the same path, and files under shared new
// folders, while readers look items up (GetItem, FindItems) and list; run it with -race. Every
// call must succeed, the shared path must hold exactly one writer's item (never a mix of two),
// and each folder must exist once.
func (h harness) concurrency(t *testing.T) {
	ctx := context.Background()
	st := h.fresh(t)
	const writers, perWriter = 8, 12

	// Every content a writer may deploy, by sha256, to recognise a mixed row.
	valid := map[string]arca.Checksums{}
	for w := range writers {
		for i := range perWriter {
			c := sums(fmt.Sprintf("writer %d round %d", w, i))
			valid[c.SHA256] = c
		}
	}

	var g errgroup.Group
	for w := range writers {
		g.Go(func() error {
			for i := range perWriter {
				for _, p := range []string{
					fmt.Sprintf("own/w%d/f%d", w, i),
					fmt.Sprintf("shared/sub%d/w%d", i, w),
					"same/file",
				} {
					content := fmt.Sprintf("writer %d round %d", w, i)
					f := file("r1", p, content)
					f.CreatedBy = fmt.Sprintf("w%d", w)
					if _, err := st.PutFile(ctx, f, meta.PutOptions{Props: arca.Properties{"content": {content}}}); err != nil {
						return fmt.Errorf("PutFile(%s): %w", p, err)
					}
				}
			}
			return nil
		})
	}
	for range 4 {
		g.Go(func() error {
			for range writers * perWriter {
				it, err := st.GetItem(ctx, "r1", "same/file")
				if err != nil && !errors.Is(err, arca.ErrNotFound) {
					return fmt.Errorf("GetItem: %w", err)
				}
				if err == nil && (valid[it.Checksums.SHA256] != it.Checksums || it.Original != it.Checksums) {
					return fmt.Errorf("GetItem: mixed item %+v", it)
				}
				if _, err := st.List(ctx, "r1", "", true); err != nil {
					return fmt.Errorf("List: %w", err)
				}
				items, err := st.FindItems(ctx, []string{"r2", "r1"}, "same/file")
				if err != nil {
					return fmt.Errorf("FindItems: %w", err)
				}
				for _, it := range items {
					if it.Repo != "r1" || valid[it.Checksums.SHA256] != it.Checksums {
						return fmt.Errorf("FindItems: wrong or mixed item %+v", it)
					}
				}
			}
			return nil
		})
	}
	must(t, "concurrent calls", g.Wait())

	same := mustGet(t, st, "r1", "same/file")
	props, err := st.GetProps(ctx, "r1", "same/file")
	must(t, "GetProps", err)
	content := props["content"]
	if len(content) != 1 {
		t.Fatalf("same/file has props %v, want one writer's", props)
	}
	if want := sums(content[0]); same.Checksums != want || same.Size != int64(len(content[0])) {
		t.Errorf("same/file = %+v, a mix of writers (props say %q)", same, content[0])
	}

	all, err := st.List(ctx, "r1", "", true)
	must(t, "List", err)
	seen := map[string]bool{}
	for _, it := range all {
		if seen[it.Path] {
			t.Errorf("%s listed twice", it.Path)
		}
		seen[it.Path] = true
	}
	// own, own/wN, own/wN/fI; shared, shared/subI, shared/subI/wN; same, same/file.
	want := 1 + writers + writers*perWriter + 1 + perWriter + perWriter*writers + 2
	if len(all) != want {
		t.Errorf("%d items after the race, want %d", len(all), want)
	}
}
