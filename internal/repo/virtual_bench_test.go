package repo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/format/generic"
	"arca/internal/format/npm"
	"arca/internal/meta/itemcache"
	"arca/internal/repoconfig"
)

// packumentMember is a local member whose Open answers every packument path with a generated
// document of a few versions, so a benchmark can merge any number of distinct packages through a
// virtual without storing them: what grows is then the virtual's own state, nothing else.
type packumentMember struct {
	Repository
	tag string // distinguishes the members' versions
}

func (m packumentMember) Open(_ context.Context, p string) (arca.Item, blob.File, error) {
	name := npm.PackageOf(p)
	var b strings.Builder
	fmt.Fprintf(&b, `{"name":%q,"dist-tags":{"latest":"1.0.%s"},"versions":{`, name, m.tag)
	for i := range 8 {
		if i > 0 {
			b.WriteByte(',')
		}
		v := fmt.Sprintf("1.%d.%s", i, m.tag)
		fmt.Fprintf(&b, `%q:{"name":%q,"version":%q,"description":"%s","dist":{"tarball":"http://x/%s/-/%s-%s.tgz","shasum":"%040d"}}`,
			v, name, v, strings.Repeat("d", 300), name, name, v, i)
	}
	b.WriteString(`}}`)
	doc := []byte(b.String())
	return arca.Item{Repo: m.Config().Key(), Path: p, Size: int64(len(doc))}, blob.BytesFile(doc), nil
}

// npmVirtualFixture is a registry over real stores (an item cache of items entries) with two
// local npm repositories a and b and the virtual v over them.
func npmVirtualFixture(b *testing.B, items int) (context.Context, *Registry) {
	b.Helper()
	ctx := context.Background()
	db, blobs := openStores(b)
	formats := format.NewRegistry(generic.Format{}, npm.New(64<<20))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := NewRegistry(ctx, itemcache.New(db, items, time.Hour), blobs, formats, time.Now, log, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, body := range []string{
		`{"key":"a","rclass":"local","packageType":"npm"}`,
		`{"key":"b","rclass":"local","packageType":"npm"}`,
		`{"key":"v","rclass":"virtual","packageType":"npm","repositories":["a","b"]}`,
	} {
		cfg, err := repoconfig.Parse("", []byte(body))
		if err != nil {
			b.Fatal(err)
		}
		if err := reg.Create(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
	return ctx, reg
}

// BenchmarkVirtualMergedHeap merges 100,000 distinct npm packuments (two members, about 7 KiB
// merged each) through one virtual repository and reports the Go heap in use after a GC at
// 10,000, 50,000 and 100,000 packages. A bounded merged-document cache keeps the figures flat
// once its budget is full; an unbounded one grows with every package. Run it once:
//
//	go test -run '^$' -bench VirtualMergedHeap -benchtime 1x ./internal/repo/
func BenchmarkVirtualMergedHeap(b *testing.B) {
	ctx, reg := npmVirtualFixture(b, 10000)
	reg.mu.Lock()
	for _, k := range []string{"a", "b"} {
		reg.repos[k] = packumentMember{Repository: reg.repos[k], tag: k}
	}
	reg.mu.Unlock()
	v, err := reg.Get("v")
	if err != nil {
		b.Fatal(err)
	}
	heapMiB := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	for range b.N {
		base := heapMiB()
		for i := 1; i <= 100_000; i++ {
			_, f, err := v.Open(ctx, npm.DocPath(fmt.Sprintf("pkg-%d", i)))
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
			switch i {
			case 10_000, 50_000, 100_000:
				h := heapMiB()
				b.ReportMetric(h-base, fmt.Sprintf("heapMiB@%dk", i/1000))
			}
		}
	}
}
