package cli

import (
	"runtime/debug"

	"arca/internal/config"
)

// DefaultGCPercent is the garbage collector's target when neither --gc-percent nor GOGC sets
// one. Go's own default (100) suits programs whose heap is mostly live data; a server's heap is
// mostly short-lived per-request garbage over a small live set (caches aside), and collecting
// a quarter as often saves several percent of the CPU of small downloads. The memory limit
// bounds what the larger target could otherwise cost.
const DefaultGCPercent = 400

// gcSettings are the collector settings a server runs with; -1 in a field leaves the runtime's
// value (set from GOGC or GOMEMLIMIT in the environment).
type gcSettings struct {
	percent int   // -1: leave
	off     bool  // collector off (GOGC=off)
	limit   int64 // bytes; -1: leave; 0: none
}

// gcFor decides the collector settings: an explicit setting wins, then Go's own variables,
// then Arca's defaults (DefaultGCPercent, a quarter of total memory as the soft limit; no limit
// where the memory cannot be read).
func gcFor(cfg config.Config, getenv func(string) string, totalMemory func() int64) gcSettings {
	s := gcSettings{percent: -1, limit: -1}
	switch {
	case cfg.GCPercent == -1:
		s.off = true
	case cfg.GCPercent > 0:
		s.percent = cfg.GCPercent
	case getenv("GOGC") == "":
		s.percent = DefaultGCPercent
	}
	switch {
	case cfg.MemoryLimit >= 0:
		s.limit = int64(cfg.MemoryLimit)
	case getenv("GOMEMLIMIT") == "":
		if m := totalMemory(); m > 0 {
			s.limit = m / 4
		} else {
			s.limit = 0
		}
	}
	return s
}

// apply sets s on the runtime.
func (s gcSettings) apply() {
	switch {
	case s.off:
		debug.SetGCPercent(-1)
	case s.percent > 0:
		debug.SetGCPercent(s.percent)
	}
	switch {
	case s.limit > 0:
		debug.SetMemoryLimit(s.limit)
	case s.limit == 0:
		debug.SetMemoryLimit(1<<63 - 1) // Go's "no limit"
	}
}
