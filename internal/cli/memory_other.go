//go:build !linux

package cli

// totalMemory is unknown outside Linux: no default memory limit is set.
func totalMemory() int64 { return 0 }
