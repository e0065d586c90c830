#!/usr/bin/env bash
# Upload benchmark: PUT of a large file to Arca versus hashing the same bytes in-process.
#
#   bash bench/upload.sh
#
# Deploys a random SIZE-byte file (default 1 GiB) with `curl -T` to a local generic repository,
# ROUNDS times, each to a fresh path, and compares the upload's throughput with the in-process
# baseline bench/hashbase (read the same file, compute SHA-1, MD5 and SHA-256, nothing else),
# run on the same CPUs as Arca. While each upload runs it samples Arca's resident memory
# (VmRSS) every SAMPLE_MS ms and reports the peak above the idle figure measured just before.
# It checks that the stored checksums equal sha1sum/md5sum/sha256sum of the file. Targets:
# upload ≥ 0.8 × baseline throughput, peak RSS ≤ 32 MiB above idle. It is a measurement, not a
# test: it exits 0 whatever the figures, and non-zero only when the setup fails. See
# bench/README.md for the knobs.
set -euo pipefail
BENCH=upload.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE=${SIZE:-1g}          # file size: bytes, or with a k/m/g suffix (binary units)
ROUNDS=${ROUNDS:-3}       # rounds (baseline, then upload); medians are reported
PIN=${PIN:-auto}          # auto|1|0: pin curl and arca (and the baseline) to disjoint CPUs
SAMPLE_MS=${SAMPLE_MS:-50} # RSS sampling period
# ARCA_BIN=path: use this arca binary instead of building ./cmd/arca; KEEP_TMP=1: keep the
# temp dir (data, log, the file).
ARCA_PASSWORD=secret

TARGET_RATIO=0.8 # upload MiB/s ÷ baseline MiB/s
TARGET_RSS=32    # MiB above idle

[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || die "ROUNDS must be a whole number >= 1, got '$ROUNDS'"
[[ $SAMPLE_MS =~ ^[0-9]+$ && $SAMPLE_MS -ge 1 ]] || die "SAMPLE_MS must be a whole number >= 1, got '$SAMPLE_MS'"
case ${SIZE,,} in
*k) bytes=$((${SIZE%?} * 1024)) ;;
*m) bytes=$((${SIZE%?} * 1024 * 1024)) ;;
*g) bytes=$((${SIZE%?} * 1024 * 1024 * 1024)) ;;
*) bytes=$SIZE ;;
esac 2>/dev/null || die "SIZE must be bytes or a number with k, m or g, got '$SIZE'"
[[ $bytes =~ ^[0-9]+$ && $bytes -ge 1 ]] || die "SIZE must be bytes or a number with k, m or g, got '$SIZE'"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
[[ -f $repo_root/go.mod && -d $repo_root/cmd/arca ]] || die "cannot find the repository root (go.mod, cmd/arca) above $script_dir"
command -v go >/dev/null 2>&1 || die "go is not on PATH (needed for bench/hashbase)"
for t in curl sha1sum md5sum sha256sum; do command -v $t >/dev/null 2>&1 || die "$t is required"; done

# ---------------------------------------------------------------- CPU pinning
pin_cpus
if ((pin)); then
	pin_desc="pinned: arca and the baseline on CPU $srv_cpus, curl on CPU $cli_cpus (taskset)"
else
	pin_desc="not pinned: arca, curl and the baseline share all ${#cpus[@]} CPUs"
fi

# ---------------------------------------------------------------- build, start, file
build_arca
say "building bench/hashbase ..."
(cd "$repo_root" && go build -o "$TMP/hashbase" ./bench/hashbase) || die "go build ./bench/hashbase failed"
start_arca

acurl() { curl -sS --fail-with-body -u "admin:$ARCA_PASSWORD" "$@"; }
acurl -o /dev/null --max-time 60 -X PUT -H 'Content-Type: application/json' "$arca_base/api/repositories/bench-local" \
	-d '{"key":"bench-local","rclass":"local","packageType":"generic"}' || die "could not create repository bench-local"

file=$TMP/upload.bin
say "writing $bytes random bytes to $file ..."
head -c "$bytes" /dev/urandom >"$file" || die "could not write $file"
[[ $(stat -c %s "$file") == "$bytes" ]] || die "$file has the wrong size"
# new_content ROUND: make the file a new artifact for this round (its first 16 bytes spell the
# round) and compute its checksums. Re-sending the same bytes would measure, besides the upload,
# the removal of the duplicate's temp file (a 1 GiB unlink) inside the PUT.
new_content() {
	printf '%016d' "$1" | dd of="$file" bs=16 count=1 conv=notrunc status=none || die "could not rewrite $file"
	want_sha1=$(sha1sum <"$file" | cut -d' ' -f1)
	want_md5=$(md5sum <"$file" | cut -d' ' -f1)
	want_sha256=$(sha256sum <"$file" | cut -d' ' -f1)
}

# ---------------------------------------------------------------- helpers
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
median() { # of the arguments, with as many decimals as they have
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1; if (match($1, /\.[0-9]+$/)) d = RLENGTH - 1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else printf("%." d + 0 "f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
minmax() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status 2>/dev/null || echo 0; }
json_field() { grep -o "\"$1\" *: *\"[0-9a-f]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }

# sample_rss PID OUT: every SAMPLE_MS ms, write the highest VmRSS (KiB) seen so far to OUT,
# until killed. Pure bash between the sleeps, so it costs next to nothing.
sample_rss() {
	local pid=$1 out=$2 peak=0 k v _ period
	period=$(awk -v ms="$SAMPLE_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
	while :; do
		while read -r k v _; do
			if [[ $k == VmRSS: ]]; then ((v > peak)) && peak=$v && echo "$peak" >"$out"; break; fi
		done </proc/"$pid"/status || return 0
		sleep "$period"
	done
}

# run_bg CMD...: run in the background and wait, so that a signal reaches our trap at once.
run_bg() {
	"$@" &
	child_pid=$!
	local rc=0
	wait "$child_pid" || rc=$?
	child_pid=""
	return "$rc"
}

srv=(${srv_run[@]+"${srv_run[@]}"})
cli=(${cli_run[@]+"${cli_run[@]}"})
declare -a base_mibs base_all_mibs up_mibs up_ratio rss_peak rss_idle cpu_per_gib base_mode
bad_sums=0

busy_before=$(busy_pct)
for ((round = 1; round <= ROUNDS; round++)); do
	new_content "$round"
	# (a) the baseline, on arca's CPUs (and, when pinned, also on all CPUs, for reference).
	say "round $round/$ROUNDS: baseline ..."
	run_bg "${srv[@]}" "$TMP/hashbase" -file "$file" >"$TMP/base.out" || die "hashbase failed"
	line=$(head -1 "$TMP/base.out")
	base_mibs+=("$(sed 's/^mibs=\([0-9.]*\).*/\1/' <<<"$line")")
	base_mode+=("$(sed 's/.* mode=\([a-z]*\).*/\1/' <<<"$line")")
	for f in sha1 md5 sha256; do
		got=$(sed "s/.* $f=\([0-9a-f]*\).*/\1/" <<<"$line") w=want_$f
		[[ $got == "${!w}" ]] || die "hashbase computed $f $got, coreutils ${!w}"
	done
	if ((pin)); then
		run_bg "$TMP/hashbase" -file "$file" >"$TMP/base.out" || die "hashbase failed"
		base_all_mibs+=("$(sed 's/^mibs=\([0-9.]*\).*/\1/' <<<"$(head -1 "$TMP/base.out")")")
	fi

	# (b) the upload.
	say "round $round/$ROUNDS: PUT ..."
	# Every round starts with a clean page cache: the previous round's gigabyte may still be on
	# its way to a virtual disk, and its writeback would stall this round's fsync.
	sync
	sleep 0.5 # let the runtime settle after the previous round
	idle=$(rss_kib "$arca_pid")
	rss_idle+=("$idle")
	echo "$idle" >"$TMP/rss.peak"
	${cli[@]+"${cli[@]}"} bash -c "$(declare -f sample_rss); SAMPLE_MS=$SAMPLE_MS; sample_rss $arca_pid $TMP/rss.peak" &
	sampler=$!
	pids+=("$sampler")
	t0=$(cpu_ticks "$arca_pid")
	run_bg "${cli[@]}" curl -sS --fail-with-body -u "admin:$ARCA_PASSWORD" -T "$file" \
		-H 'Expect:' -o "$TMP/put.json" -w '%{time_total}\n' "$arca_base/bench-local/upload/r$round/upload.bin" \
		>"$TMP/put.time" || { cat "$TMP/put.json" >&2 2>/dev/null; die "PUT failed in round $round"; }
	t1=$(cpu_ticks "$arca_pid")
	kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
	unset 'pids[-1]'
	peak=$(cat "$TMP/rss.peak")
	rss_peak+=("$peak")
	secs=$(cat "$TMP/put.time")
	up_mibs+=("$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / 1048576 / s }')")
	up_ratio+=("$(ratio "${up_mibs[-1]}" "${base_mibs[-1]}")")
	cpu_per_gib+=("$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v b="$bytes" 'BEGIN { printf "%.2f", d / hz * 1073741824 / b }')")

	# The stored checksums are the file's.
	for f in sha1 md5 sha256; do
		got=$(json_field "$f" <"$TMP/put.json") w=want_$f
		if [[ $got != "${!w}" ]]; then say "round $round: stored $f '$got', file's ${!w}"; bad_sums=$((bad_sums + 1)); fi
	done
	acurl -o /dev/null --max-time 60 -X DELETE "$arca_base/bench-local/upload/r$round" || die "could not delete the round's upload"
done
busy_after=$(busy_pct)
kill -0 "$arca_pid" 2>/dev/null || die "arca died during the benchmark"

# ---------------------------------------------------------------- report
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
above=() per_round=()
for ((i = 0; i < ROUNDS; i++)); do
	above+=("$(awk -v p="${rss_peak[i]}" -v d="${rss_idle[i]}" 'BEGIN { printf "%.1f", (p - d) / 1024 }')")
done
# Over all rounds: the highest peak above the idle figure of the first round.
max_peak=$(printf '%s\n' "${rss_peak[@]}" | sort -g | tail -1)
above_first=$(awk -v p="$max_peak" -v d="${rss_idle[0]}" 'BEGIN { printf "%.1f", (p - d) / 1024 }')
m_base=$(median "${base_mibs[@]}") m_up=$(median "${up_mibs[@]}") m_ratio=$(median "${up_ratio[@]}")
m_above=$(median "${above[@]}")
size_desc=$(awk -v b="$bytes" 'BEGIN { if (b >= 1073741824) printf "%.2f GiB", b / 1073741824; else if (b >= 1048576) printf "%.1f MiB", b / 1048576; else printf "%d bytes", b }')

echo
echo "Arca upload: PUT of $size_desc (random) to a local generic repository vs in-process hashing"
echo "  $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $ncpu CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown CPU))"
echo "  command: SIZE=$SIZE ROUNDS=$ROUNDS PIN=$PIN bash bench/upload.sh; $ROUNDS round(s), medians shown"
echo "  $pin_desc"
echo "  upload:   curl -T (HTTP/1.1, Content-Length, basic auth), wall time of the whole PUT incl. fsync and response"
echo "  baseline: bench/hashbase -mode best (one reader, SHA-1+MD5+SHA-256; sequential or one goroutine per hash, the faster)"
echo "  arca $("$TMP/arca" version 2>/dev/null | awk 'NR==1{print $2}') ($(go version 2>/dev/null | awk '{print $3}')); RSS sampled every ${SAMPLE_MS} ms from /proc/$arca_pid/status"
echo "  other CPU use on the machine (all CPUs, 2 s sample): ${busy_before}% before, ${busy_after}% after"
echo
printf '%-6s | %14s %14s %6s | %10s %10s %10s | %s\n' round "baseline MiB/s" "upload MiB/s" ratio "idle MiB" "peak MiB" "above MiB" "arca CPU s/GiB"
printf '%s\n' "-------+---------------------------------------+----------------------------------+---------------"
for ((i = 0; i < ROUNDS; i++)); do
	printf '%-6s | %14s %14s %6s | %10s %10s %10s | %s\n' "$((i + 1))" "${base_mibs[i]} (${base_mode[i]})" "${up_mibs[i]}" "${up_ratio[i]}" \
		"$(mib "${rss_idle[i]}")" "$(mib "${rss_peak[i]}")" "${above[i]}" "${cpu_per_gib[i]}"
done
printf '%-6s | %14s %14s %6s | %10s %10s %10s | %s\n' median "$m_base" "$m_up" "$m_ratio" "" "" "$m_above" "$(median "${cpu_per_gib[@]}")"
echo "  spread: baseline $(minmax "${base_mibs[@]}") MiB/s, upload $(minmax "${up_mibs[@]}") MiB/s, ratio $(minmax "${up_ratio[@]}")"
if ((pin)); then
	m_all=$(median "${base_all_mibs[@]}")
	echo "  baseline on all $ncpu CPUs (not like for like: arca has CPU $srv_cpus only): median $m_all MiB/s ($(minmax "${base_all_mibs[@]}")); upload/that $(ratio "$m_up" "$m_all")"
fi
echo "  peak RSS above the idle RSS of round 1, over all rounds: $above_first MiB"
if ((bad_sums)); then
	echo "  CHECKSUMS: $bad_sums stored checksum(s) differ from sha1sum/md5sum/sha256sum of the file"
else
	echo "  stored sha1, md5 and sha256 equal sha1sum, md5sum and sha256sum of the file in every round"
fi
echo
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { if (v == "n/a") print "n/a"; else if ((dir == "ge" && v + 0 >= t + 0) || (dir == "le" && v + 0 <= t + 0)) print "PASS"; else print "MISS" }'; }
echo "Design targets:"
printf '  throughput upload/baseline >= %s:  %s (median %s, rounds %s)\n' "$TARGET_RATIO" "$(verdict "$m_ratio" "$TARGET_RATIO" ge)" "$m_ratio" "${up_ratio[*]}"
worst_above=$(printf '%s\n' "${above[@]}" "$above_first" | sort -g | tail -1)
printf '  RSS above idle <= %s MiB:          %s (worst %s MiB; per round %s)\n' "$TARGET_RSS" "$(verdict "$worst_above" "$TARGET_RSS" le)" "$worst_above" "${above[*]}"
if awk -v a="$busy_before" -v b="$busy_after" 'BEGIN { exit !(a + 0 > 10 || b + 0 > 10) }'; then
	echo "WARNING: other processes were using the CPUs (${busy_before}% before, ${busy_after}% after): MiB/s figures are"
	echo "noisy (see the per-round ratios); arca CPU s/GiB is the more reliable figure for before/after comparisons."
fi
exit 0
