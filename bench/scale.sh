#!/usr/bin/env bash
# Scale-of-content benchmark: Arca on a data set of a million artifacts versus an empty Arca.
#
#   bash bench/scale.sh
#
# Generates (once; the data dir is cached, keyed on the generator's parameters, its source and
# the schema version) ITEMS files with properties in FOLDERS folders across REPOS local generic
# repositories plus GARBAGE unreferenced blobs, with bench/scalegen, straight through the stores.
# Then, on a copy of it and on an empty data dir, it measures start-to-ready, GET latency, pages
# of a wide folder and of a deep listing, AQL by name, property and checksum, and request latency
# during a garbage collection of the unreferenced blobs; it prints medians and the spread over
# rounds against the targets of the scale goal. It is a measurement, not a test: it exits 0
# whatever the figures, non-zero only when the setup fails. See bench/README.md for the knobs.
set -euo pipefail
BENCH=scale.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ITEMS=${ITEMS:-1000000}     # files
FOLDERS=${FOLDERS:-10000}   # leaf folders holding them
REPOS=${REPOS:-20}          # repositories
WIDE=${WIDE:-10000}         # files in the one wide folder (scale-00/wide)
BLOBS=${BLOBS:-10000}       # distinct blobs the files share
GARBAGE=${GARBAGE:-100000}  # unreferenced blobs for the GC run
ROUNDS=${ROUNDS:-3}         # rounds of each latency measurement (medians and spread reported)
STARTS=${STARTS:-5}         # starts of each server for start-to-ready
REQUESTS=${REQUESTS:-400}   # sequential requests per latency round
PAGE=${PAGE:-1000}          # page size of the listings
EMPTY_FILES=${EMPTY_FILES:-5000} # files deployed to the "empty" server (its first touches)
GC_IDLE=${GC_IDLE:-5}       # seconds of idle GETs measured before the GC run
PIN=${PIN:-auto}            # auto|1|0: the server and the client on disjoint CPUs (taskset)
SCALE_CACHE=${SCALE_CACHE:-/var/tmp/arca-scale} # where generated data dirs are kept
# ARCA_BIN=path: use this arca binary; KEEP_TMP=1: keep the temp dir.
ARCA_PASSWORD=secret

# Targets of the scale goal.
TARGET_READY_MS=500
TARGET_GET_RATIO=1.2
TARGET_PAGE_MS=50
TARGET_AQL_MS=20
TARGET_GC_RATIO=2

for v in ITEMS FOLDERS REPOS WIDE BLOBS GARBAGE ROUNDS STARTS REQUESTS PAGE EMPTY_FILES GC_IDLE; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((ROUNDS >= 1 && STARTS >= 1 && REQUESTS >= 10 && PAGE >= 1 && EMPTY_FILES >= 2000)) || die "ROUNDS, STARTS >= 1, REQUESTS >= 10, PAGE >= 1, EMPTY_FILES >= 2000"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
[[ -f $repo_root/go.mod && -d $repo_root/cmd/arca ]] || die "cannot find the repository root (go.mod, cmd/arca) above $script_dir"
command -v go >/dev/null 2>&1 || die "go is not on PATH"
command -v curl >/dev/null 2>&1 || die "curl is required"

pin_cpus
if ((pin)); then
	pin_desc="pinned: servers on CPU $srv_cpus, the client on CPU $cli_cpus (taskset)"
else
	pin_desc="not pinned: the client and the server share all ${#cpus[@]} CPUs"
fi

# ---------------------------------------------------------------- build
build_arca
(cd "$repo_root" && go build -o "$TMP/scalegen" ./bench/scalegen && go build -o "$TMP/scaleprobe" ./bench/scaleprobe) ||
	die "go build of bench/scalegen or bench/scaleprobe failed"
probe=(${cli_run[@]+"${cli_run[@]}"} "$TMP/scaleprobe")

# ---------------------------------------------------------------- the data set (cached)
gen_args=(-items "$ITEMS" -folders "$FOLDERS" -repos "$REPOS" -wide "$WIDE" -blobs "$BLOBS" -garbage "$GARBAGE")
schema=$("$TMP/scalegen" -schema-version) || die "scalegen -schema-version failed"
gen_hash=$(cat "$repo_root"/bench/scalegen/*.go | sha256sum | cut -c1-12)
key="i$ITEMS-f$FOLDERS-r$REPOS-w$WIDE-b$BLOBS-g$GARBAGE-schema$schema-$gen_hash"
cache=$SCALE_CACHE/$key
gen_note="reused from $cache"
if [[ ! -f $cache/scale.env ]]; then
	mkdir -p "$SCALE_CACHE" || die "cannot create $SCALE_CACHE"
	rm -rf "$cache.partial"
	say "generating the data set into $cache (a few minutes; cached for later runs) ..."
	t0=$(date +%s)
	"$TMP/scalegen" -out "$cache.partial" "${gen_args[@]}" >&2 || die "scalegen failed"
	mv "$cache.partial" "$cache"
	gen_note="generated in $(($(date +%s) - t0)) s into $cache"
fi
# shellcheck disable=SC1091
source "$cache/scale.env"

# A copy to run on: the database is copied (Arca writes to it); the blobs are hard links when
# the file systems allow it (the collection unlinks only the copy's names).
say "copying the data set ..."
mkdir -p "$TMP/scale"
cp --reflink=auto "$cache/arca.db" "$TMP/scale/arca.db" || die "copying arca.db failed"
cp -al "$cache/blobs" "$TMP/scale/blobs" 2>/dev/null || cp -a "$cache/blobs" "$TMP/scale/blobs" || die "copying the blobs failed"
mkdir -p "$TMP/empty"

# ---------------------------------------------------------------- helpers
# serve DIR [PORT]: start Arca on DIR on PORT or a free port (pinned like the other servers);
# sets port, pid, base.
serve() {
	port=${2:-$(free_port)} || die "no free port"
	ARCA_ADMIN_PASSWORD=$ARCA_PASSWORD ${srv_run[@]+"${srv_run[@]}"} "$TMP/arca" serve --listen "127.0.0.1:$port" \
		--data-dir "$1" >"$TMP/arca.log" 2>&1 &
	pids+=($!)
	pid=${pids[-1]}
	base=http://127.0.0.1:$port/artifactory
	wait_http "$base/api/system/ping" "$pid" || die "arca did not start on $1 (see its log below)"
}
stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}
acurl() { curl -sS --fail-with-body --max-time 300 -u "admin:$ARCA_PASSWORD" "$@"; }
export ARCA_USER=admin ARCA_PASSWORD

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { if (v == "?") print "?"; else if ((dir == "le" && v + 0 <= t + 0) || (dir == "ge" && v + 0 >= t + 0)) print "PASS"; else print "MISS" }'; }

# measure NAME PROBE-ARGS…: ROUNDS rounds of a probe whose output has "<kind> p50 p99 max n"
# lines; stores, per kind, the rounds' p50s and p99s in r50[NAME.kind] and r99[NAME.kind].
declare -A r50 r99 ready_runs
measure() {
	local name=$1
	shift
	for ((round = 1; round <= ROUNDS; round++)); do
		"${probe[@]}" "$@" >"$TMP/probe.out" || die "scaleprobe $1 for $name failed"
		while read -r kind p50 p99 _; do
			case $kind in latency | page-* | ready | idle | during-gc) ;; *) continue ;; esac
			r50[$name.$kind]+="$p50 "
			r99[$name.$kind]+="$p99 "
		done <"$TMP/probe.out"
	done
}
# row LABEL KEY TARGET_MS: a line with the median p50/p99 over rounds and their spread.
row() {
	local label=$1 k=$2 target=${3:-} m50 m99 v=""
	# shellcheck disable=SC2086
	m50=$(median ${r50[$k]}) m99=$(median ${r99[$k]})
	if [[ -n $target ]]; then v="  (≤ $target ms: $(verdict "$m99" "$target" le) at p99)"; fi
	# shellcheck disable=SC2086
	printf '  %-44s p50 %8s ms  p99 %8s ms   spread p50 %s, p99 %s%s\n' "$label" "$m50" "$m99" "$(spread ${r50[$k]})" "$(spread ${r99[$k]})" "$v"
}

busy_before=$(busy_pct)

# ---------------------------------------------------------------- start to ready
say "start to ready: $STARTS starts of each server ..."
for which in empty scale; do
	rp=$(free_port) || die "no free port"
	ARCA_ADMIN_PASSWORD=$ARCA_PASSWORD "${probe[@]}" ready -url "http://127.0.0.1:$rp/artifactory/api/system/ping" -n "$STARTS" -- \
		${srv_run[@]+"${srv_run[@]}"} "$TMP/arca" serve --listen "127.0.0.1:$rp" --data-dir "$TMP/$which" >"$TMP/ready.$which" 2>"$TMP/arca-ready.log" ||
		{ cat "$TMP/arca-ready.log" >&2; die "start-to-ready on the $which data dir failed"; }
	ready_runs[$which]="$(awk '$1 == "ready-run" { printf "%s ", $2 }' "$TMP/ready.$which")"
done

# ---------------------------------------------------------------- the empty server
say "empty server: GET latency ..."
serve "$TMP/empty"
acurl -o /dev/null -X PUT -H 'Content-Type: application/json' "$base/api/repositories/bench-local" \
	-d '{"key":"bench-local","rclass":"local","packageType":"generic"}' || die "could not create bench-local"
"${probe[@]}" put -url "$base/bench-local/f" -n "$EMPTY_FILES" >"$TMP/empty.urls" || die "deploy to the empty server failed"
stop
# Restarted, so that its item and blob caches are empty like the scale server's: its first
# touches are cold lookups in a small database (the files' bytes are in the OS page cache, having
# just been written; the scale server's are read into it below). Same port: the URLs stay valid.
serve "$TMP/empty" "$port"
measure get-empty latency -url "@$TMP/empty.urls" -n "$REQUESTS"
head -100 "$TMP/empty.urls" >"$TMP/empty-hot.urls"
measure get-empty-hot latency -url "@$TMP/empty-hot.urls" -n "$REQUESTS"
tail -2000 "$TMP/empty.urls" >"$TMP/empty-warm.urls"
measure get-empty-warm latency -url "@$TMP/empty-warm.urls" -n "$REQUESTS" -warm
stop

# ---------------------------------------------------------------- the scale server
say "scale server: GET, listings, AQL ..."
# The copy's blobs and database into the OS page cache (hard links share the cached set's
# pages, which may have been evicted since it was generated): the comparison is of Arca's
# caches and database size, not of the disk.
find "$TMP/scale" -type f -print0 | xargs -0 cat >/dev/null || die "reading the data set failed"
serve "$TMP/scale"
"$TMP/scalegen" -print-samples 20000 "${gen_args[@]}" | sed "s|^|$base/|" >"$TMP/scale.urls" || die "scalegen -print-samples failed"
acurl -o /dev/null "$base/$SCALE_GET" || die "GET $SCALE_GET failed on the scale server"
measure get-scale latency -url "@$TMP/scale.urls" -n "$REQUESTS"
head -100 "$TMP/scale.urls" >"$TMP/scale-hot.urls"
measure get-scale-hot latency -url "@$TMP/scale-hot.urls" -n "$REQUESTS"
tail -2000 "$TMP/scale.urls" >"$TMP/scale-warm.urls" # not among the spread ones measured above
measure get-scale-warm latency -url "@$TMP/scale-warm.urls" -n "$REQUESTS" -warm

page_n=$((REQUESTS / 10 > 10 ? REQUESTS / 10 : 10))
measure wide-children pages -url "$base/api/storage/$SCALE_WIDE" -limit "$PAGE" -n "$page_n"
measure wide-list pages -url "$base/api/storage/$SCALE_WIDE?list" -limit "$PAGE" -n "$page_n"
measure deep-list pages -url "$base/api/storage/$SCALE_DEEP?list&deep=1&listFolders=1" -limit "$PAGE" -n "$page_n"
deep_entries=$(awk '$1 == "entries" { print $2 }' "$TMP/probe.out")
measure wide-complete latency -url "$base/api/storage/$SCALE_WIDE" -n 20
measure wide-html latency -url "$base/$SCALE_WIDE/?limit=$PAGE&after=/file-0004999.bin" -n "$page_n"

declare -A aql_body=(
	[name]="items.find({\"name\":\"$SCALE_NAME\"})"
	[property]="items.find({\"@$SCALE_PROP_KEY\":\"$SCALE_PROP_VALUE\"})"
	[checksum]="items.find({\"sha256\":\"$SCALE_SHA256\"})"
)
declare -A aql_want=([name]=1 [property]=1 [checksum]=$SCALE_SHA256_MATCHES)
declare -A aql_got
for k in name property checksum; do
	aql_got[$k]=$(acurl -X POST -H 'Content-Type: text/plain' --data-binary "${aql_body[$k]}" "$base/api/search/aql" |
		grep -o '"total" *: *[0-9]*' | grep -o '[0-9]*$') || die "AQL by $k failed"
	measure "aql-$k" latency -url "$base/api/search/aql" -method POST -body "${aql_body[$k]}" -n "$REQUESTS"
done

# ---------------------------------------------------------------- GC under load
say "garbage collection of $GARBAGE unreferenced blobs under GET load ..."
"${probe[@]}" gc -base "$base" -url "@$TMP/scale-warm.urls" -idle "${GC_IDLE}s" >"$TMP/gc.out" || die "the GC run failed"
read -r _ gi50 gi99 _ < <(grep '^idle ' "$TMP/gc.out")
read -r _ gd50 gd99 _ gdn < <(grep '^during-gc ' "$TMP/gc.out")
gc_ms=$(awk '$1 == "gc-duration" { print $2 }' "$TMP/gc.out")
gc_answer=$(sed -n 's/^gc-answer //p' "$TMP/gc.out")
blobs_left=$(find "$TMP/scale/blobs/sha256" -type f | wc -l)
stop
busy_after=$(busy_pct)

# ---------------------------------------------------------------- report
echo
echo "Scale benchmark: $ITEMS files in $FOLDERS leaf folders across $REPOS repositories (SQLite, fsblob)"
echo "  command: bash bench/scale.sh  (ITEMS=$ITEMS FOLDERS=$FOLDERS REPOS=$REPOS WIDE=$WIDE BLOBS=$BLOBS GARBAGE=$GARBAGE"
echo "           ROUNDS=$ROUNDS STARTS=$STARTS REQUESTS=$REQUESTS PAGE=$PAGE GC_IDLE=$GC_IDLE)"
echo "  CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?'), $(nproc) CPUs; $pin_desc"
echo "  arca $("$TMP/arca" version 2>/dev/null | awk 'NR==1{print $2}') ($(go version 2>/dev/null | awk '{print $3}')); schema $schema"
echo "  data set: $gen_note; arca.db $(du -h "$cache/arca.db" | cut -f1), $BLOBS shared blobs + $GARBAGE unreferenced"
echo "  latencies: sequential requests from one client (keep-alive), $REQUESTS per round, $ROUNDS rounds;"
echo "  each figure is the median over rounds of that round's p50/p99, the spread is min–max over rounds"
echo "  other CPU use on the machine (2 s sample): ${busy_before}% before, ${busy_after}% after"
echo
echo "Start to ready (process start until /api/system/ping answers; $STARTS starts each; the first start"
echo "of a fresh copy also creates the admin user and the planner statistics):"
for which in empty scale; do
	# shellcheck disable=SC2086
	m=$(median ${ready_runs[$which]})
	printf '  %-6s median %8s ms   runs: %s\n' "$which" "$m" "${ready_runs[$which]}"
	[[ $which == scale ]] && ready_scale=$m
done
printf '  target ≤ %s ms: %s\n' "$TARGET_READY_MS" "$(verdict "$ready_scale" "$TARGET_READY_MS" le)"
echo
echo "GET of a ~1 KiB artifact (the empty server holds $EMPTY_FILES files, restarted after deploying them):"
row "empty server, 100 files in turn" get-empty-hot.latency
row "empty server, 2,000 files, caches warm" get-empty-warm.latency
row "empty server, $EMPTY_FILES files, first touch" get-empty.latency
row "scale server, 100 files in turn" get-scale-hot.latency
row "scale server, 2,000 files, caches warm" get-scale-warm.latency
row "scale server, 20,000 files, first touch" get-scale.latency
for k in get-scale-hot:get-empty-hot:"100 files" get-scale-warm:get-empty-warm:"2,000 warm" get-scale:get-empty:"first touch" get-scale:get-empty-hot:"first touch vs empty's 100 files"; do
	IFS=: read -r ks ke label <<<"$k"
	# shellcheck disable=SC2086
	gs50=$(median ${r50[$ks.latency]}) gs99=$(median ${r99[$ks.latency]}) ge50=$(median ${r50[$ke.latency]}) ge99=$(median ${r99[$ke.latency]})
	printf '  ratio scale/empty, %s: p50 %s, p99 %s   (target ≤ %s: p50 %s, p99 %s)\n' "$label" "$(ratio "$gs50" "$ge50")" "$(ratio "$gs99" "$ge99")" \
		"$TARGET_GET_RATIO" "$(verdict "$(ratio "$gs50" "$ge50")" "$TARGET_GET_RATIO" le)" "$(verdict "$(ratio "$gs99" "$ge99")" "$TARGET_GET_RATIO" le)"
done
echo "  (first touch: each request is the first for its file, missing Arca's item and blob caches and"
echo "  SQLite's pages; both servers' files are in the OS page cache. The last ratio is the old,"
echo "  unfair one: cold lookups on the scale server against always-cached ones on the empty server)"
echo
echo "Listings, pages of $PAGE entries (limit=$PAGE&after=…):"
for l in wide-children:"folder info of $SCALE_WIDE ($SCALE_WIDE_CHILDREN children)" wide-list:"?list of $SCALE_WIDE" deep-list:"?list&deep=1 of $SCALE_DEEP ($deep_entries entries)"; do
	k=${l%%:*}
	echo "  ${l#*:}:"
	for p in first middle last; do row "  $p page" "$k.page-$p" "$TARGET_PAGE_MS"; done
done
row "HTML index of $SCALE_WIDE, a middle page" wide-html.latency "$TARGET_PAGE_MS"
row "complete folder info, $SCALE_WIDE_CHILDREN children (streamed)" wide-complete.latency
echo
echo "AQL (POST /api/search/aql), results checked:"
for k in name property checksum; do
	row "by $k (${aql_got[$k]} of ${aql_want[$k]} expected)" "aql-$k.latency" "$TARGET_AQL_MS"
done
echo
echo "Garbage collection of $GARBAGE unreferenced blobs (one run: it deletes them) under sequential GETs"
echo "of the 2,000 warm files:"
printf '  %-44s p50 %8s ms  p99 %8s ms\n' "idle (${GC_IDLE} s)" "$gi50" "$gi99"
printf '  %-44s p50 %8s ms  p99 %8s ms   (%s requests)\n' "during the collection" "$gd50" "$gd99" "$gdn"
printf '  p99 during/idle %s (target ≤ %s: %s); the collection took %s ms\n' "$(ratio "$gd99" "$gi99")" "$TARGET_GC_RATIO" \
	"$(verdict "$(ratio "$gd99" "$gi99")" "$TARGET_GC_RATIO" le)" "$gc_ms"
echo "  server: $gc_answer"
echo "  blobs left on disk: $blobs_left (want $BLOBS)"
if awk -v a="$busy_before" -v b="$busy_after" 'BEGIN { exit !(a + 0 > 10 || b + 0 > 10) }'; then
	echo "WARNING: other processes were using the CPUs (${busy_before}% before, ${busy_after}% after): latencies are noisy."
fi
exit 0
