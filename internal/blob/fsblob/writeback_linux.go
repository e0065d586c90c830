package fsblob

import (
	"os"
	"syscall"
)

// startWriteback starts writing the dirty pages of f in [off, off+n) to disk and returns
// without waiting (sync_file_range(2) with SYNC_FILE_RANGE_WRITE). It is a hint: errors are
// ignored (Commit's fsync reports any that matter).
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE
	control(f, func(fd uintptr) {
		_, _, _ = syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, fd, uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
	})
}

// dropCache drops the clean cached pages of f in [off, off+n) (posix_fadvise(2)
// POSIX_FADV_DONTNEED; dirty pages and pages under writeback stay). A hint: errors are ignored.
func dropCache(f *os.File, off, n int64) {
	const fadvDontneed = 4 // POSIX_FADV_DONTNEED
	control(f, func(fd uintptr) {
		_, _, _ = syscall.Syscall6(syscall.SYS_FADVISE64, fd, uintptr(off), uintptr(n), fadvDontneed, 0, 0)
	})
}

func control(f *os.File, fn func(fd uintptr)) {
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(fn)
	}
}
