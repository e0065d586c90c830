#!/usr/bin/env bash
# Cold fetch of a 4 MiB artifact through an Arca remote repository against fetching it directly
# from the same upstream, side by side in one run (`go test -bench BenchmarkRemoteColdFetch`,
# e2e/bench_test.go): an upstream at loopback memory speed, and one paced to 100 MB/s. Prints
# the medians and ratios; the design target is arca/direct <= 1.1.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-20x}
out=$(go test -run '^$' -bench '^BenchmarkRemoteColdFetch$' -benchtime "$BENCHTIME" -count "$COUNT" ./e2e)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
	/^BenchmarkRemoteColdFetch\// {
		split($1, part, "/"); up = part[2]; kind = part[3]; sub(/-[0-9]+$/, "", kind)
		v[up, kind, ++n[up, kind]] = $3; ups[up] = 1
	}
	function median(up, kind,   i, j, t, m, a) {
		m = n[up, kind]
		for (i = 1; i <= m; i++) a[i] = v[up, kind, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		for (up in ups) {
			d = median(up, "direct"); c = median(up, "arca-cold")
			printf "%-20s direct %.1f ms, through arca (cold) %.1f ms, ratio %.2f (target <= 1.10: %s)\n",
				up, d / 1e6, c / 1e6, c / d, (c / d <= 1.1) ? "PASS" : "ABOVE"
		}
	}'
