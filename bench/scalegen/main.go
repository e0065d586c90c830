// Command scalegen writes the data directory of the scale benchmark (bench/scale.sh): many
// artifacts with properties in many folders across several local generic repositories, written
// straight through the metadata store (sqlstore, in large transactions) and the blob store
// (fsblob), plus blobs that nothing references, dated past the garbage collector's grace
// period.
//
//	go run ./bench/scalegen -out DIR [-items N -folders N -repos N -wide N -blobs N -garbage N]
//
// The data is deterministic for given parameters. Items share -blobs distinct blobs (item k has
// blob k mod blobs, so a checksum matches items/blobs items); one folder of repository 0 holds
// -wide files, the others share the rest. Every file has the properties build.number (k mod
// 1000), team (one of 7) and scale.id (k, unique). DIR must not exist or be empty; on success
// scalegen writes DIR/scale.env, shell assignments naming what the benchmark requests.
// -print-samples N prints N paths of files of the data set the parameters describe, without
// writing anything.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"arca"
	"arca/internal/blob/fsblob"
	"arca/internal/meta"
	"arca/internal/meta/sqlstore"
	"arca/internal/repoconfig"
)

type params struct {
	items, folders, repos, wide, blobs, garbage, batch int
}

func main() {
	var p params
	out := flag.String("out", "", "data directory to create (required)")
	flag.IntVar(&p.items, "items", 1_000_000, "files in total")
	flag.IntVar(&p.folders, "folders", 10_000, "leaf folders holding them (the wide folder included)")
	flag.IntVar(&p.repos, "repos", 20, "local generic repositories")
	flag.IntVar(&p.wide, "wide", 10_000, "files in the one wide folder (scale-00/wide)")
	flag.IntVar(&p.blobs, "blobs", 10_000, "distinct blobs the files share")
	flag.IntVar(&p.garbage, "garbage", 100_000, "unreferenced blobs, older than the GC grace period")
	flag.IntVar(&p.batch, "batch", 10_000, "files per metadata transaction")
	version := flag.Bool("schema-version", false, "print the metadata schema version and exit")
	samples := flag.Int("print-samples", 0, "print this many paths (repo/path) of files spread over the data set and exit")
	flag.Parse()
	if *version {
		v, err := sqlstore.SchemaVersion()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(v)
		return
	}
	if *samples > 0 {
		for i := range *samples {
			k := int(int64(i) * 2_654_435_761 % int64(p.items))
			repo, dir := folderOf(k, p)
			fmt.Printf("%s/%s/%s\n", repo, dir, fileName(k))
		}
		return
	}
	if *out == "" || p.items < p.wide || p.folders < 2 || p.repos < 1 || p.blobs < 1 || p.batch < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), *out, p); err != nil {
		log.Fatalf("scalegen: %v", err)
	}
}

func run(ctx context.Context, out string, p params) error {
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", out)
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	begin := time.Now()
	blobs, err := fsblob.New(filepath.Join(out, "blobs"))
	if err != nil {
		return err
	}
	sums, err := writeBlobs(ctx, blobs, p.blobs, func(i int) []byte { return content("used", i, 512+i%1536) })
	if err != nil {
		return err
	}
	log.Printf("%d referenced blobs written in %v", len(sums), time.Since(begin).Round(time.Millisecond))

	t := time.Now()
	garbage, err := writeBlobs(ctx, blobs, p.garbage, func(i int) []byte { return content("garbage", i, 256) })
	if err != nil {
		return err
	}
	old := time.Now().Add(-72 * time.Hour) // well past the collector's 24 h grace period
	for _, s := range garbage {
		if err := os.Chtimes(filepath.Join(out, "blobs", "sha256", s.SHA256[:2], s.SHA256), old, old); err != nil {
			return err
		}
	}
	log.Printf("%d unreferenced blobs written in %v", len(garbage), time.Since(t).Round(time.Millisecond))

	t = time.Now()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(out, "arca.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for r := range p.repos {
		key := repoKey(r)
		cfg, err := repoconfig.Parse(key, []byte(`{"rclass":"local","packageType":"generic"}`))
		if err != nil {
			return err
		}
		if err := st.CreateRepo(ctx, meta.RepoRecord{Key: key, Class: string(cfg.Class()), PackageType: cfg.PackageType(),
			Config: cfg.StoredJSON(), Created: created}); err != nil {
			return err
		}
	}
	var batch []meta.FilePut
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.PutFiles(ctx, batch)
		batch = batch[:0]
		return err
	}
	k := 0
	rest := p.items - p.wide
	for f := range p.folders {
		n := p.wide
		if f > 0 {
			n = rest / (p.folders - 1)
			if f-1 < rest%(p.folders-1) {
				n++
			}
		}
		repo, dir := folder(f, p.repos)
		for range n {
			s := sums[k%len(sums)]
			batch = append(batch, meta.FilePut{
				Item: arca.Item{Repo: repo, Path: dir + "/" + fileName(k), Size: int64(512 + (k%len(sums))%1536),
					Checksums: s, MimeType: "application/octet-stream", CreatedBy: "scalegen",
					Created: created.Add(time.Duration(k) * time.Millisecond)},
				Props: arca.Properties{"build.number": {strconv.Itoa(k % 1000)}, "team": {teams[k%len(teams)]},
					"scale.id": {strconv.Itoa(k)}},
			})
			k++
			if len(batch) >= p.batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if f%1000 == 999 {
			log.Printf("%d files in %d folders, %v", k, f+1, time.Since(t).Round(time.Second))
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	log.Printf("%d files written in %v", k, time.Since(t).Round(time.Millisecond))

	// What the benchmark asks for: a file in the middle, the wide folder, a deep listing, and one
	// name, property value and checksum to search.
	mid := p.items / 2
	midRepo, midDir := folderOf(mid, p)
	env := fmt.Sprintf("SCALE_GET=%s/%s/%s\nSCALE_WIDE=%s/%s\nSCALE_DEEP=%s\nSCALE_NAME=%s\nSCALE_PROP_KEY=scale.id\nSCALE_PROP_VALUE=%d\n"+
		"SCALE_SHA256=%s\nSCALE_SHA256_MATCHES=%d\nSCALE_ITEMS=%d\nSCALE_GARBAGE=%d\nSCALE_REPOS=%d\nSCALE_FOLDERS=%d\nSCALE_WIDE_CHILDREN=%d\n",
		midRepo, midDir, fileName(mid), repoKey(0), "wide", repoKey(1), fileName(mid), mid,
		sums[mid%len(sums)].SHA256, (p.items+len(sums)-1-mid%len(sums))/len(sums), p.items, p.garbage, p.repos, p.folders, p.wide)
	if err := os.WriteFile(filepath.Join(out, "scale.env"), []byte(env), 0o600); err != nil {
		return err
	}
	log.Printf("done in %v", time.Since(begin).Round(time.Second))
	return nil
}

var teams = []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"}

func repoKey(r int) string { return fmt.Sprintf("scale-%02d", r) }

func fileName(k int) string { return fmt.Sprintf("file-%07d.bin", k) }

// folder names leaf folder f: 0 is scale-00/wide; the others go round the repositories, three
// levels deep (group/artifact/version), so that a repository's deep listing is long.
func folder(f, repos int) (string, string) {
	if f == 0 {
		return repoKey(0), "wide"
	}
	r := f % repos
	i := f / repos
	return repoKey(r), fmt.Sprintf("org/group-%02d/artifact-%03d/%d.0", i%50, i/50%1000, i)
}

// folderOf returns the folder of file k, by the distribution of run.
func folderOf(k int, p params) (string, string) {
	if k < p.wide {
		return folder(0, p.repos)
	}
	rest, n := p.items-p.wide, p.folders-1
	base, extra := rest/n, rest%n
	k -= p.wide
	// The first extra folders hold base+1 files.
	if k < extra*(base+1) {
		return folder(1+k/(base+1), p.repos)
	}
	return folder(1+extra+(k-extra*(base+1))/base, p.repos)
}

// content is deterministic pseudo-random bytes for blob i of a kind.
func content(kind string, i, size int) []byte {
	b := make([]byte, 0, size+32)
	seed := sha256.Sum256([]byte(kind + "/" + strconv.Itoa(i)))
	for len(b) < size {
		b = append(b, seed[:]...)
		seed = sha256.Sum256(seed[:])
	}
	return b[:size]
}

// writeBlobs commits n blobs made by gen through the blob store, a few at a time, and returns
// their checksums in order.
func writeBlobs(ctx context.Context, st *fsblob.Store, n int, gen func(int) []byte) ([]arca.Checksums, error) {
	sums := make([]arca.Checksums, n)
	workers := 4 * runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				w, err := st.Create(ctx)
				if err == nil {
					_, err = w.Write(gen(i))
				}
				if err == nil {
					_, err = w.Commit(ctx, arca.Checksums{})
					sums[i] = w.Sums()
				}
				if w != nil {
					_ = w.Cancel()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
	for i := range n {
		select {
		case next <- i:
			continue
		case err = <-errs:
		}
		break
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	select {
	case err = <-errs:
		return nil, err
	default:
	}
	return sums, nil
}
