//go:build !linux

package fsblob

import "os"

// startWriteback is a no-op where sync_file_range(2) does not exist; Commit's fsync writes
// everything.
func startWriteback(f *os.File, off, n int64) {}

// dropCache is a no-op here: the page cache keeps the blob until the kernel evicts it.
func dropCache(f *os.File, off, n int64) {}
