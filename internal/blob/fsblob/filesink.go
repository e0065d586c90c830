package fsblob

import "os"

// writebackStep is the stretch of a large blob after which fileSink hands the bytes just
// written to the kernel's writeback and drops from the page cache the stretch written back
// before. 8 MiB: large enough that the two system calls cost nothing, small enough that a
// large upload keeps only a few steps of dirty and cached pages.
const writebackStep = 8 << 20

// fileSink appends the bytes of one blob to its temp file.
//
// For a large blob it also keeps the page cache small: every writebackStep bytes it starts
// writeback of the step just written (sync_file_range without waiting) and drops the pages of
// the step three back, which are clean by then (posix_fadvise DONTNEED skips any that are not).
// The pages so freed are the ones the next writes get, so a large upload recycles a few hot
// megabytes instead of making the kernel find (and, in a VM, the hypervisor back) a fresh page
// for every 4 KiB: that allocation cost as much CPU as hashing on the machines Arca is
// benchmarked on. It also spreads the disk writes over the upload, so the fsync in Commit has
// little left to do, and it keeps a multi-gigabyte upload from evicting the cache of hot
// small files. Durability is unchanged: Commit fsyncs the file, which writes and flushes
// whatever is still dirty. On systems without these calls (see writeback_other.go) the hints are
// no-ops.
//
// Every syncStep bytes it also starts an fsync on a goroutine of its own (one at a time): on a
// virtual disk the fsync in Commit otherwise waits for the host to write out everything the
// upload wrote (about a third of a second per GiB here), while the early ones overlap that
// with the hashing of what follows. Their errors are ignored: Commit's fsync, after waiting
// for them (wait), is the one that counts.
type fileSink struct {
	f       *os.File
	off     int64         // bytes written
	syncing chan struct{} // closed when the background fsync ends; nil: none started
}

// syncStep is how often (in bytes written) fileSink starts a background fsync.
const syncStep = 64 << 20

// write appends b to the file.
func (s *fileSink) write(b []byte) error {
	n, err := s.f.Write(b)
	before := s.off
	s.off += int64(n)
	if err != nil {
		return err
	}
	if s.off/writebackStep != before/writebackStep {
		end := s.off / writebackStep * writebackStep
		startWriteback(s.f, end-writebackStep, writebackStep)
		if old := end - 3*writebackStep; old >= 0 {
			dropCache(s.f, old, writebackStep)
		}
	}
	if s.off/syncStep != before/syncStep && !s.busy() {
		done := make(chan struct{})
		s.syncing = done
		go func(f *os.File) {
			defer close(done)
			_ = f.Sync()
		}(s.f)
	}
	return nil
}

// busy reports a background fsync in progress.
func (s *fileSink) busy() bool {
	if s.syncing == nil {
		return false
	}
	select {
	case <-s.syncing:
		return false
	default:
		return true
	}
}

// wait waits for the background fsync, if one is running. (Closing the file without waiting is
// safe too: the close completes when the fsync returns.)
func (s *fileSink) wait() {
	if s.syncing != nil {
		<-s.syncing
	}
}
