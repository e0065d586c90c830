// Command hashbase is bench/upload.sh's in-process baseline: how fast this machine can read a
// file and compute its SHA-1, MD5 and SHA-256, with no network, no second copy and no disk
// write. An upload that hashes on the way is compared with it.
//
//	go run ./bench/hashbase -file big.bin [-mode best|seq|par] [-buf 1048576]
//
// seq hashes every buffer with the three hashes one after the other on one goroutine; par
// reads on one goroutine and hands each buffer to three goroutines (one per hash) through a
// small ring of reusable buffers, so on several CPUs the pass runs at the speed of the slowest
// hash (MD5) instead of the sum of all three. best (the default) runs both and reports the
// faster, which is the honest baseline: what a good implementation could do on the CPUs it is
// given (restrict them with taskset; GOMAXPROCS follows).
//
// It prints one line: "mibs=<MiB/s> mode=<seq|par> bytes=<n> seconds=<s> sha1=… md5=… sha256=…",
// and, with best, the figure of each mode on the following lines.
package main

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"time"
)

type result struct {
	mode    string
	bytes   int64
	elapsed time.Duration
	sums    [3]string // sha1, md5, sha256
}

func (r result) mibs() float64 { return float64(r.bytes) / (1 << 20) / r.elapsed.Seconds() }

func main() {
	file := flag.String("file", "", "the file to hash")
	mode := flag.String("mode", "best", "seq, par or best (both, report the faster)")
	bufSize := flag.Int("buf", 1<<20, "read size in bytes")
	flag.Parse()
	if *file == "" || *bufSize <= 0 {
		fmt.Fprintln(os.Stderr, "usage: hashbase -file FILE [-mode best|seq|par] [-buf BYTES]")
		os.Exit(2)
	}
	var modes []string
	switch *mode {
	case "seq", "par":
		modes = []string{*mode}
	case "best":
		modes = []string{"seq", "par"}
	default:
		fmt.Fprintf(os.Stderr, "hashbase: unknown -mode %q\n", *mode)
		os.Exit(2)
	}
	var results []result
	for _, m := range modes {
		r, err := run(*file, m, *bufSize)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hashbase:", err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	best := results[0]
	for _, r := range results[1:] {
		if r.sums != best.sums {
			fmt.Fprintln(os.Stderr, "hashbase: the modes disagree on the checksums")
			os.Exit(1)
		}
		if r.mibs() > best.mibs() {
			best = r
		}
	}
	print := func(r result) {
		fmt.Printf("mibs=%.1f mode=%s bytes=%d seconds=%.3f sha1=%s md5=%s sha256=%s\n",
			r.mibs(), r.mode, r.bytes, r.elapsed.Seconds(), r.sums[0], r.sums[1], r.sums[2])
	}
	print(best)
	if len(results) > 1 {
		for _, r := range results {
			print(r)
		}
	}
}

func run(name, mode string, bufSize int) (result, error) {
	f, err := os.Open(name)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	hs := [3]hash.Hash{sha1.New(), md5.New(), sha256.New()}
	start := time.Now()
	var n int64
	if mode == "seq" {
		n, err = hashSeq(f, hs, bufSize)
	} else {
		n, err = hashPar(f, hs, bufSize)
	}
	elapsed := time.Since(start)
	if err != nil {
		return result{}, err
	}
	r := result{mode: mode, bytes: n, elapsed: elapsed}
	for i, h := range hs {
		r.sums[i] = hex.EncodeToString(h.Sum(nil))
	}
	return r, nil
}

// hashSeq reads f and writes every buffer to the three hashes in turn.
func hashSeq(f io.Reader, hs [3]hash.Hash, bufSize int) (int64, error) {
	buf := make([]byte, bufSize)
	var n int64
	for {
		k, err := io.ReadFull(f, buf)
		for _, h := range hs {
			h.Write(buf[:k])
		}
		n += int64(k)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// ring is the number of buffers in flight in hashPar: the reader fills one while the hashers
// work on the others.
const ring = 4

// hashPar reads f on this goroutine and hashes on one goroutine per hash. A buffer is reused
// once all three hashers are done with it (its WaitGroup).
func hashPar(f io.Reader, hs [3]hash.Hash, bufSize int) (int64, error) {
	type chunk struct {
		b  []byte
		wg *sync.WaitGroup
	}
	var work [3]chan chunk
	var done sync.WaitGroup
	for i := range work {
		work[i] = make(chan chunk, ring)
		done.Add(1)
		go func(h hash.Hash, c <-chan chunk) {
			defer done.Done()
			for ch := range c {
				h.Write(ch.b)
				ch.wg.Done()
			}
		}(hs[i], work[i])
	}
	bufs := make([][]byte, ring)
	wgs := make([]sync.WaitGroup, ring)
	for i := range bufs {
		bufs[i] = make([]byte, bufSize)
	}
	var n int64
	var rerr error
	for i := 0; ; i = (i + 1) % ring {
		wgs[i].Wait() // the hashers are done with this buffer's previous content
		k, err := io.ReadFull(f, bufs[i])
		if k > 0 {
			wgs[i].Add(len(work))
			for _, c := range work {
				c <- chunk{bufs[i][:k], &wgs[i]}
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	for _, c := range work {
		close(c)
	}
	done.Wait()
	return n, rerr
}
