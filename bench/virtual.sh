#!/usr/bin/env bash
# Latency of a GET through a virtual repository of 100 local members (the file only in the last
# member) against a direct GET from that member, measured side by side in one run by
# `go test -bench BenchmarkVirtual100` (e2e/bench_test.go: a real server on loopback, sequential
# requests on one keep-alive connection). Prints both figures and the ratio; the design target
# is virtual/direct <= 1.2.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-2s}
out=$(go test -run '^$' -bench '^BenchmarkVirtual100$' -benchtime "$BENCHTIME" -count "$COUNT" ./e2e)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
	/BenchmarkVirtual100\/direct/  { d[++nd] = $3 }
	/BenchmarkVirtual100\/virtual/ { v[++nv] = $3 }
	function median(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		if (nd == 0 || nv == 0) { print "no benchmark results"; exit 1 }
		md = median(d, nd); mv = median(v, nv)
		printf "median latency: direct %.1f us, virtual (100 members, hit in the last) %.1f us\n", md / 1000, mv / 1000
		printf "ratio virtual/direct: %.2f (target <= 1.20: %s)\n", mv / md, (mv / md <= 1.2) ? "PASS" : "ABOVE"
	}'
