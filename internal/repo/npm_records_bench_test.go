package repo

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"arca/internal/format/npm"
)

// BenchmarkNpmRecordsRemerge stores one package as npm's per-version records, 1,000 versions in
// each of two local members of a virtual, and measures the virtual's Open of the packument
// after one version record (and the package record) changed in the second member: the
// assembly of that member from its records and the merge, without rendering (see the npm
// package's BenchmarkRemergeAfterChange for that).
//
//	go test -run '^$' -bench NpmRecordsRemerge -benchtime 20x ./internal/repo/
func BenchmarkNpmRecordsRemerge(b *testing.B) {
	ctx, reg := npmVirtualFixture(b, 100000)
	put := func(key, p, body string) {
		r, err := reg.Get(key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Put(ctx, p, strings.NewReader(body), PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	record := func(key, v string) {
		put(key, "big/.npm/versions/"+v+".json", fmt.Sprintf(`{"version":%q,"time":"2024-01-01T00:00:00.000Z","manifest":{"name":"big","version":%q,"description":"%s","dist":{"shasum":"%040d","tarball":"big/-/big-%s.tgz"}}}`,
			v, v, strings.Repeat("d", 600), 0, v))
		put(key, "big/.npm/package.json", fmt.Sprintf(`{"name":"big","dist-tags":{"latest":%q},"time":{"created":"2024-01-01T00:00:00.000Z","modified":%q}}`, v, time.Now().Format(time.RFC3339Nano)))
	}
	for i := range 1000 {
		record("a", fmt.Sprintf("1.%d.%d", i/100, i%100))
		record("b", fmt.Sprintf("2.%d.%d", i/100, i%100))
	}
	v, err := reg.Get("v")
	if err != nil {
		b.Fatal(err)
	}
	open := func() {
		_, f, err := v.Open(ctx, npm.DocPath("big"))
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	open()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		record("b", fmt.Sprintf("3.0.%d", i))
		b.StartTimer()
		open()
	}
}
