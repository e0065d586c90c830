package cli

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// totalMemory returns the memory this process may use: the machine's RAM, or its cgroup's
// limit (v2 memory.max, v1 memory.limit_in_bytes) when lower; 0 when unknown.
func totalMemory() int64 {
	var si syscall.Sysinfo_t
	var total int64
	if syscall.Sysinfo(&si) == nil {
		total = int64(si.Totalram) * int64(si.Unit)
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
