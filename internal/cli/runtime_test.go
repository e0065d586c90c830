package cli

import (
	"testing"

	"arca/internal/config"
)

func TestGCFor(t *testing.T) {
	const gib = 1 << 30
	mem := func(n int64) func() int64 { return func() int64 { return n } }
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		memory int64
		want   gcSettings
	}{
		{"defaults", nil, nil, 8 * gib, gcSettings{percent: DefaultGCPercent, limit: 2 * gib}},
		{"memory unknown: no limit", nil, nil, 0, gcSettings{percent: DefaultGCPercent, limit: 0}},
		{"GOGC and GOMEMLIMIT are left to the runtime", nil, map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}, 8 * gib,
			gcSettings{percent: -1, limit: -1}},
		{"flags win over GOGC and GOMEMLIMIT", []string{"--gc-percent=200", "--memory-limit=512MiB"},
			map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}, 8 * gib, gcSettings{percent: 200, limit: 512 << 20}},
		{"ARCA_ variables", nil, map[string]string{"ARCA_GC_PERCENT": "off", "ARCA_MEMORY_LIMIT": "0"}, 8 * gib,
			gcSettings{percent: -1, off: true, limit: 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			cfg, err := config.Load("arca serve", tc.args, getenv)
			if err != nil {
				t.Fatal(err)
			}
			if got := gcFor(cfg, getenv, mem(tc.memory)); got != tc.want {
				t.Errorf("gcFor = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestGCPercentRefusesNonsense(t *testing.T) {
	for _, v := range []string{"0", "-5", "lots", "1.5"} {
		if _, err := config.Load("arca serve", []string{"--gc-percent", v}, func(string) string { return "" }); err == nil {
			t.Errorf("--gc-percent %s accepted", v)
		}
	}
	if _, err := config.Load("arca serve", []string{"--memory-limit", "-1"}, func(string) string { return "" }); err == nil {
		t.Error("--memory-limit -1 accepted")
	}
}

func TestTotalMemoryIsKnownHere(t *testing.T) {
	if m := totalMemory(); m <= 0 {
		t.Skip("memory size not readable on this system")
	}
}
