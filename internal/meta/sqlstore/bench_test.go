package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"arca"
	"arca/internal/meta"
)

// benchStore returns a store with 10,000 files in 100 folders of one repository, and the paths.
func benchStore(b *testing.B) (*Store, []string) { return benchStoreT(b) }

func benchStoreT(b testing.TB) (*Store, []string) {
	b.Helper()
	ctx := context.Background()
	s := open(b)
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "libs", Class: "local", PackageType: "maven"}); err != nil {
		b.Fatal(err)
	}
	// One transaction: 10,000 separately fsynced commits would dominate the run.
	var paths []string
	err := s.write(ctx, func(tx *sql.Tx) error {
		for d := range 100 {
			for f := range 100 {
				p := fmt.Sprintf("org/example/mod%d/1.%d/mod%d-1.%d.jar", d, f, d, f)
				if _, err := s.ensureFolders(ctx, tx, "libs", parentPath(p), "u", 1); err != nil {
					return err
				}
				it := fileDefaults(arca.Item{Repo: "libs", Path: p, Size: 1024, Checksums: arca.Checksums{SHA256: fmt.Sprintf("%064x", d*100+f)}})
				if _, err := s.upsertFile(ctx, tx, it, false); err != nil {
					return err
				}
				paths = append(paths, p)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, paths
}

// BenchmarkGetItem is the download hot path's metadata lookup.
func BenchmarkGetItem(b *testing.B) {
	s, paths := benchStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.GetItem(ctx, "libs", paths[i%len(paths)]); err != nil {
			b.Fatal(err)
		}
		i += 7919 // a prime stride: no cache-friendly order
	}
}

// BenchmarkGetItemParallel is the same lookup from concurrent downloads, on the read pool.
func BenchmarkGetItemParallel(b *testing.B) {
	s, paths := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.GetItem(ctx, "libs", paths[i%len(paths)]); err != nil {
				b.Error(err)
				return
			}
			i += 7919
		}
	})
}
