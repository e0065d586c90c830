#!/usr/bin/env bash
# npm publish and virtual merge costs as a package's history grows.
#
#   bash bench/npm-history.sh
#
# Part "publish": VERSIONS (2,000) versions of one package are published to Arca's local
# npm-local, one PUT each with the body npm publish sends (bench/npm/history.go, a small Go
# client). Reported: the latency of the WINDOW (21) publishes around the 1st, the 1,000th and the
# 2,000th (median and min-max), and Arca's CPU time per publish over each window (less affected
# by other load). ROUNDS (3) packages, one after the other; medians over rounds, and the spread
# of the rounds' medians.
# Part "merge": a package with VERSIONS/2 versions in npm-local and as many in npm-local2 is read
# through npm-virtual (both members). Timed: the first GET after one version was published to
# npm-local2 (GETS, 5, each after its own publish), full (Accept: application/json) and as npm
# install asks (abbreviated, gzip); a warm GET; and the first GET after a restart of Arca
# (COLD_GETS, 3, restarts: nothing parsed, assembled, merged or rendered yet), the full merge.
#
# It is a measurement, not a test: it exits 0 whatever the figures, and non-zero only when the
# setup fails. ARCA_BIN=path measures another arca binary (an older build, for before/after).
# See bench/README.md ("npm publish and merge history").
set -euo pipefail
BENCH=npm-history.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSIONS=${VERSIONS:-2000}   # versions per package
WINDOW=${WINDOW:-21}         # publishes timed around each mark
ROUNDS=${ROUNDS:-3}          # packages published (publish part)
GETS=${GETS:-5}              # first GETs after a change, per form
COLD_GETS=${COLD_GETS:-3}    # first GETs after a restart
PARTS=${PARTS:-publish merge}
PIN=${PIN:-auto}             # auto|1|0: server and client on disjoint CPUs
ARCA_PASSWORD=secret

for v in VERSIONS WINDOW ROUNDS GETS COLD_GETS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((VERSIONS >= 10 && WINDOW >= 1 && WINDOW <= VERSIONS && ROUNDS >= 1 && GETS >= 1)) ||
	die "VERSIONS must be >= 10, WINDOW 1..VERSIONS, ROUNDS and GETS >= 1"
for p in $PARTS; do [[ $p == publish || $p == merge ]] || die "PARTS: unknown part '$p' (publish, merge)"; done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
[[ -f $repo_root/go.mod && -d $repo_root/cmd/arca ]] || die "cannot find the repository root (go.mod, cmd/arca) above $script_dir"
command -v go >/dev/null 2>&1 || die "go is not on PATH (it builds the client, and arca unless ARCA_BIN is set)"
command -v curl >/dev/null 2>&1 || die "curl is required"

pin_cpus
if ((pin)); then
	pin_desc="pinned: arca on CPU $srv_cpus, the client on CPU $cli_cpus (taskset)"
else
	pin_desc="not pinned: client and server share all ${#cpus[@]} CPUs"
fi
build_arca
(cd "$repo_root" && go build -o "$TMP/history" bench/npm/history.go) || die "building bench/npm/history.go failed"
start_arca
acurl() { curl -sS --fail-with-body --max-time 60 -u "admin:$ARCA_PASSWORD" "$@"; }
mkrepo() {
	acurl -o /dev/null -X PUT -H 'Content-Type: application/json' "$arca_base/api/repositories/$1" -d "$2" ||
		die "could not create the Arca repository $1"
}
mkrepo npm-local '{"rclass":"local","packageType":"npm"}'
mkrepo npm-local2 '{"rclass":"local","packageType":"npm"}'
mkrepo npm-virtual '{"rclass":"virtual","packageType":"npm","repositories":["npm-local","npm-local2"]}'

client() { ${cli_run[@]+"${cli_run[@]}"} "$TMP/history" -base "$arca_base" -auth "admin:$ARCA_PASSWORD" -pid "$arca_pid" \
	-versions "$VERSIONS" -window "$WINDOW" -rounds "$ROUNDS" -gets "$GETS" "$@"; }

busy_before=$(busy_pct)
out=$TMP/figures
: >"$out"
t0=$(date +%s)
for p in $PARTS; do
	say "part $p ..."
	client -part "$p" >>"$out" || die "the client failed in part $p"
done
if [[ " $PARTS " == *" merge "* ]] && ((COLD_GETS > 0)); then
	for i in $(seq "$COLD_GETS"); do
		kill -TERM "$arca_pid" 2>/dev/null; wait "$arca_pid" 2>/dev/null || true
		start_arca
		ms=$(curl -sS --fail --max-time 120 -o /dev/null -w '%{time_total}' -u "admin:$ARCA_PASSWORD" -H 'Accept: application/json' \
			"$arca_base/api/npm/npm-virtual/hist-merged") || die "GET of the merged packument after a restart failed"
		echo "merge restart full $(awk -v s="$ms" 'BEGIN { printf "%.2f", s * 1000 }')" >>"$out"
	done
fi
busy_after=$(busy_pct)

# ---------------------------------------------------------------- report
med() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit } if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi; else print "-" }'; }
echo
echo "npm history benchmark ($BENCH)"
echo "  $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $ncpu CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown CPU)); $pin_desc"
echo "  command: VERSIONS=$VERSIONS WINDOW=$WINDOW ROUNDS=$ROUNDS GETS=$GETS COLD_GETS=$COLD_GETS PARTS='$PARTS' bash bench/npm-history.sh${ARCA_BIN:+ (ARCA_BIN=$ARCA_BIN)}"
echo "  other load: ${busy_before}% of all CPUs busy before, ${busy_after}% after; $(($(date +%s) - t0)) s"
if grep -q '^publish ' "$out"; then
	echo
	echo "Publish of one version (PUT with the tarball attached), $WINDOW publishes around each mark, $ROUNDS rounds:"
	printf '  %-10s %12s %16s %18s %16s\n' "publish" "median ms" "rounds' medians" "min-max, all" "arca CPU ms/op"
	for m in first middle last; do
		at=$(awk -v m="$m" '$1 == "publish" && $2 == m { print $4; exit }' "$out")
		meds=$(awk -v m="$m" '$1 == "publish" && $2 == m { print $5 }' "$out")
		los=$(awk -v m="$m" '$1 == "publish" && $2 == m { print $6 }' "$out" | sort -n | head -1)
		his=$(awk -v m="$m" '$1 == "publish" && $2 == m { print $7 }' "$out" | sort -n | tail -1)
		cpu=$(awk -v m="$m" '$1 == "publish" && $2 == m { print $8 }' "$out" | med)
		printf '  %-10s %12s %16s %18s %16s\n' "#$at.." "$(med <<<"$meds")" "$(spread <<<"$meds")" "$los-$his" "$cpu"
	done
fi
if grep -q '^merge ' "$out"; then
	echo
	echo "GET of the merged packument through npm-virtual ($((VERSIONS / 2)) versions in npm-local + $((VERSIONS / 2)) in npm-local2), ms:"
	printf '  %-70s %10s %14s\n' "" "median" "min-max"
	row() { printf '  %-70s %10s %14s\n' "$1" "$2" "$3"; }
	for f in full abbreviated-gzip; do
		row "first GET after one version published to npm-local2, $f" \
			"$(awk -v f="$f" '$2 == "changed" && $3 == f { print $4 }' "$out")" \
			"$(awk -v f="$f" '$2 == "changed" && $3 == f { print $5 "-" $6 }' "$out")"
		row "warm GET (cached), $f" \
			"$(awk -v f="$f" '$2 == "warm" && $3 == f { print $4 }' "$out")" \
			"$(awk -v f="$f" '$2 == "warm" && $3 == f { print $5 "-" $6 }' "$out")"
	done
	row "first GET ever (full, right after the publishes)" "$(awk '$2 == "cold" && $3 == "full" { print $4 }' "$out")" ""
	if grep -q '^merge restart' "$out"; then
		row "first GET after a restart of arca (full merge from cold), full" \
			"$(awk '$2 == "restart" { print $4 }' "$out" | med)" "$(awk '$2 == "restart" { print $4 }' "$out" | spread)"
	fi
fi
