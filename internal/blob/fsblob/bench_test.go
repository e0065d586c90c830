package fsblob_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"arca"
)

// BenchmarkWrite measures ingest: create, write in 32 KiB chunks (what io.Copy hands over),
// hash SHA-256, SHA-1 and MD5, fsync, rename. Every iteration stores new content, so the
// dedupe shortcut never kicks in; the blob is deleted again to keep the disk usage flat.
func BenchmarkWrite(b *testing.B) {
	for _, bm := range []struct {
		name string
		size int
	}{
		{"1KiB", 1 << 10},
		{"10MiB", 10 << 20},
	} {
		b.Run(bm.name, func(b *testing.B) {
			s := newStore(b)
			data := make([]byte, bm.size)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			ctx := context.Background()
			b.SetBytes(int64(bm.size))
			var n uint64
			for b.Loop() {
				n++
				binary.LittleEndian.PutUint64(data, n) // new content every time
				w, err := s.Create(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for rest := data; len(rest) > 0; {
					k := min(32<<10, len(rest))
					if _, err := w.Write(rest[:k]); err != nil {
						b.Fatal(err)
					}
					rest = rest[k:]
				}
				info, err := w.Commit(ctx, arca.Checksums{})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Delete(ctx, info.Digest); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
