#!/usr/bin/env bash
# Side-by-side download benchmark: Arca versus nginx and a bare Go net/http server serving the
# same bytes, under wrk.
#
#   bash bench/download.sh
#
# Measures authenticated GETs of a 1 KiB and a 10 MiB artifact from a local generic
# repository in Arca, the same two files served by nginx (with basic auth) at the same URL
# path, and by bench/baseline (the least a net/http server can do: one header comparison, the
# headers Arca sent for that file, the bytes), then prints req/s and throughput for all three
# and the ratios arca/nginx and arca/bare against the design targets. It is a measurement, not a test: it exits 0 whatever the figures, and
# non-zero only when the setup fails. See bench/README.md for the knobs.
set -euo pipefail
BENCH=download.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10}          # seconds of each measured wrk run
WARMUP=${WARMUP:-2}               # seconds of the warm-up run before each measurement
CONNECTIONS=${CONNECTIONS:-32}    # wrk -c
THREADS=${THREADS:-2}             # wrk -t
PIN=${PIN:-auto}                  # auto|1|0: pin wrk and the servers to disjoint cores with taskset
NGINX_AUTH=${NGINX_AUTH:-sha}     # sha|apr1|plain|none: how nginx's htpasswd stores the password
SIZES=${SIZES:-"1k 10m"}          # which of the two files to measure
ROUNDS=${ROUNDS:-3}               # interleaved nginx/bare/arca rounds per size; medians are reported
# ARCA_BIN=path: use this arca binary instead of building ./cmd/arca; KEEP_TMP=1: keep the temp
# dir; WRK_OUT=file: save wrk's raw output there.
ARCA_PASSWORD=secret

# Design targets: 1 KiB req/s against the bare net/http server (the limit of Arca's stack for
# small files), 10 MiB throughput against nginx.
TARGET_1K_BARE_RPS=0.90
TARGET_10M_MBPS=0.95


for v in DURATION WARMUP CONNECTIONS THREADS ROUNDS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
[[ $DURATION -ge 1 && $CONNECTIONS -ge 1 && $THREADS -ge 1 && $ROUNDS -ge 1 ]] || die "DURATION, CONNECTIONS, THREADS and ROUNDS must be >= 1"
[[ $CONNECTIONS -ge $THREADS ]] || die "CONNECTIONS ($CONNECTIONS) must be >= THREADS ($THREADS)"

declare -A size_label=([1k]="1 KiB" [10m]="10 MiB")
for s in $SIZES; do [[ -n ${size_label[$s]:-} ]] || die "SIZES: unknown size '$s' (use 1k and/or 10m)"; done
[[ -n ${SIZES// /} ]] || die "SIZES is empty"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
[[ -f $repo_root/go.mod && -d $repo_root/cmd/arca ]] || die "cannot find the repository root (go.mod, cmd/arca) above $script_dir"

# ---------------------------------------------------------------- tools
need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
if ((${#need_install[@]})); then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		say "installing ${need_install[*]} ..."
		apt-get update -qq >/dev/null || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_install[@]}" >/dev/null ||
			die "apt-get install ${need_install[*]} failed"
	else
		die "missing ${need_install[*]}: install them, e.g. 'sudo apt-get install --no-install-recommends ${need_install[*]}', and run again"
	fi
fi
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
command -v go >/dev/null 2>&1 || die "go is not on PATH (it builds bench/baseline, and arca unless ARCA_BIN is set)"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is required"

# ---------------------------------------------------------------- CPU pinning
pin_cpus
wrk_run=(${cli_run[@]+"${cli_run[@]}"})
if ((pin)); then
	pin_desc="pinned: servers on CPU $srv_cpus, wrk on CPU $cli_cpus (taskset)"
else
	pin_desc="not pinned: wrk and the server share all ${#cpus[@]} CPUs"
fi



# ---------------------------------------------------------------- build and start Arca
build_arca

mkdir -p "$TMP/www/artifactory/bench-local/f"
start_arca

acurl() { curl -sS --fail-with-body --max-time 120 -u "admin:$ARCA_PASSWORD" "$@"; }
acurl -o /dev/null -X PUT -H 'Content-Type: application/json' "$arca_base/api/repositories/bench-local" \
	-d '{"key":"bench-local","rclass":"local","packageType":"generic"}' || die "could not create repository bench-local"

# ---------------------------------------------------------------- the files
www=$TMP/www/artifactory/bench-local/f
head -c 1024 /dev/urandom >"$www/1k.bin"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$www/10m.bin"
for s in 1k 10m; do
	acurl -o /dev/null -T "$www/$s.bin" "$arca_base/bench-local/f/$s.bin" || die "could not deploy $s.bin to arca"
done

# ---------------------------------------------------------------- nginx
auth_note=""
htpasswd_line() { # scheme -> "admin:<hash>" on stdout, or fail
	case $1 in
	sha) # {SHA}base64(sha1(password)): one cheap hash per request, like a cached credential check
		if command -v openssl >/dev/null 2>&1; then
			printf 'admin:{SHA}%s\n' "$(printf '%s' "$ARCA_PASSWORD" | openssl dgst -sha1 -binary | base64)"
		elif command -v python3 >/dev/null 2>&1; then
			python3 -c 'import base64,hashlib,sys; print("admin:{SHA}"+base64.b64encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode())' "$ARCA_PASSWORD"
		else return 1; fi ;;
	apr1) # Apache MD5-crypt: 1000 MD5 rounds on every request (nginx does not cache)
		if command -v openssl >/dev/null 2>&1; then
			printf 'admin:%s\n' "$(openssl passwd -apr1 "$ARCA_PASSWORD")"
		elif command -v python3 >/dev/null 2>&1 && python3 -c 'import crypt' 2>/dev/null; then
			python3 -W ignore -c 'import crypt,sys; print("admin:"+crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_MD5)))' "$ARCA_PASSWORD"
		else return 1; fi ;;
	plain) printf 'admin:{PLAIN}%s\n' "$ARCA_PASSWORD" ;;
	*) return 1 ;;
	esac
}
auth_conf=""
case $NGINX_AUTH in
sha | apr1 | plain)
	if htpasswd_line "$NGINX_AUTH" >"$TMP/htpasswd" 2>/dev/null && [[ -s $TMP/htpasswd ]]; then
		auth_conf="auth_basic \"bench\"; auth_basic_user_file $TMP/htpasswd;"
		auth_note="nginx requires basic auth too (htpasswd scheme: $NGINX_AUTH)"
	else
		auth_note="WARNING: neither openssl nor python3 could make an htpasswd entry: nginx serves WITHOUT auth (not like for like)"
	fi ;;
none) auth_note="nginx serves WITHOUT auth (NGINX_AUTH=none): not like for like" ;;
*) die "NGINX_AUTH must be sha, apr1, plain or none" ;;
esac

# worker_processes: one per CPU the server may use ("auto" would count all online CPUs in
# nginx < 1.25 even when pinned to fewer).
start_nginx "$srv_ncpu" "access_log off;"

# ---------------------------------------------------------------- the bare net/http server
# It sends, for each file, exactly the headers Arca sent for it (recorded here with curl -D).
say "building bench/baseline ..."
(cd "$repo_root" && go build -o "$TMP/baseline" ./bench/baseline) || die "go build ./bench/baseline failed"
mkdir -p "$TMP/hdr"
bare_files=()
for s in 1k 10m; do
	acurl -D "$TMP/hdr/$s.txt" -o /dev/null "$arca_base/bench-local/f/$s.bin" || die "could not record arca's headers for $s.bin"
	bare_files+=(-file "/artifactory/bench-local/f/$s.bin=$www/$s.bin=$TMP/hdr/$s.txt")
done
bare_port=$(free_port) || die "no free port for the bare server"
${srv_run[@]+"${srv_run[@]}"} "$TMP/baseline" -listen "127.0.0.1:$bare_port" \
	-auth "Basic $(printf 'admin:%s' "$ARCA_PASSWORD" | base64)" "${bare_files[@]}" >"$TMP/baseline.log" 2>&1 &
pids+=($!)
bare_base=http://127.0.0.1:$bare_port/artifactory
wait_http "$bare_base/" "${pids[-1]}" || { cat "$TMP/baseline.log" >&2; die "the bare server did not start"; }

# ---------------------------------------------------------------- identical bytes?
for s in 1k 10m; do
	want=$(sha256sum <"$www/$s.bin" | cut -d' ' -f1)
	a=$(acurl "$arca_base/bench-local/f/$s.bin" | sha256sum | cut -d' ' -f1) || die "arca GET $s.bin failed"
	n=$(curl -sS --fail --max-time 60 -u "admin:$ARCA_PASSWORD" "$nginx_base/bench-local/f/$s.bin" | sha256sum | cut -d' ' -f1) ||
		die "nginx GET $s.bin failed"
	b=$(curl -sS --fail --max-time 60 -u "admin:$ARCA_PASSWORD" "$bare_base/bench-local/f/$s.bin" | sha256sum | cut -d' ' -f1) ||
		die "bare GET $s.bin failed"
	[[ $a == "$want" ]] || die "arca serves different bytes for $s.bin (sha256 $a, want $want)"
	[[ $n == "$want" ]] || die "nginx serves different bytes for $s.bin (sha256 $n, want $want)"
	[[ $b == "$want" ]] || die "the bare server serves different bytes for $s.bin (sha256 $b, want $want)"
done
# Auth really is enforced on all three (a wrong password must not get the file).
for base in "$arca_base" "$nginx_base" "$bare_base"; do
	[[ -z $auth_conf && $base == "$nginx_base" ]] && continue
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u admin:wrong "$base/bench-local/f/1k.bin")
	[[ $code == 401 ]] || say "note: $base answered $code (not 401) to a wrong password"
done
say "all three servers serve identical bytes (sha256 checked for 1k.bin and 10m.bin)"

# ---------------------------------------------------------------- wrk
auth_header="Authorization: Basic $(printf 'admin:%s' "$ARCA_PASSWORD" | base64)"

# to_mbs VALUE_WITH_UNIT -> MiB/s (wrk prints binary units: B, KB, MB, GB, TB = 1024^n)
to_mbs() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f["B"] = 1 / 1048576; f["KB"] = 1 / 1024; f["MB"] = 1; f["GB"] = 1024; f["TB"] = 1048576
		if (!(u in f)) { print "?"; exit }
		printf "%.1f", n * f[u] }'
}
# median of the arguments (numbers)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "?") printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "n/a") print "n/a"; else if (r + 0 >= t + 0) print "PASS"; else print "BELOW" }'; }

# cpu_ticks PID: utime+stime, in clock ticks, of PID and its direct children (nginx's
# workers), read from /proc. Server CPU per request is much less sensitive to other load on
# the machine than requests per second.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
declare -A server_pid

# wrk_bg SECONDS URL: run wrk into $TMP/wrk.cur, in the background so that a signal reaches
# our trap at once (bash defers traps until a foreground child ends).
child_pid=""
wrk_bg() {
	${wrk_run[@]+"${wrk_run[@]}"} wrk -t"$THREADS" -c"$CONNECTIONS" -d"${1}s" --timeout 10s \
		-H "$auth_header" "$2" >"$TMP/wrk.cur" 2>&1 &
	child_pid=$!
	local rc=0
	wait "$child_pid" || rc=$?
	child_pid=""
	return "$rc"
}

# Per run: rps[name.size.round], mbs[...], cpu[...] (server CPU µs per request); errors summed
# per name.size.
declare -A rps mbs cpu non2xx sockerr
run_wrk() { # name url size round
	local name=$1 url=$2 key=$3 round=$4 out
	if ((WARMUP > 0)); then
		wrk_bg "$WARMUP" "$url" || true
	fi
	say "wrk: round $round/$ROUNDS, $name, ${size_label[$key]}, ${DURATION}s ..."
	local t0 t1
	t0=$(cpu_ticks "${server_pid[$name]}")
	wrk_bg "$DURATION" "$url" || { cat "$TMP/wrk.cur" >&2; die "wrk failed against $name"; }
	out=$(cat "$TMP/wrk.cur")
	t1=$(cpu_ticks "${server_pid[$name]}")
	printf '== round %s: %s %s\n%s\n\n' "$round" "$name" "$key" "$out" >>"$TMP/wrk.txt"
	local r t n sock
	r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	t=$(awk '/^Transfer\/sec:/ {print $2}' <<<"$out")
	n=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
	sock=$(awk '/Socket errors:/ { for (i = 3; i <= NF; i += 2) s += $(i + 1) + 0; print s }' <<<"$out")
	[[ -n $r && -n $t ]] || { say "$out"; die "could not parse wrk output for $name"; }
	rps[$name.$key.$round]=$(printf '%.0f' "$r")
	local nreq
	nreq=$(awk '/ requests in / {print $1}' <<<"$out")
	cpu[$name.$key.$round]=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="${nreq:-0}" 'BEGIN { if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print 0 }')
	mbs[$name.$key.$round]=$(to_mbs "$t")
	non2xx[$name.$key]=$((${non2xx[$name.$key]:-0} + ${n:-0}))
	sockerr[$name.$key]=$((${sockerr[$name.$key]:-0} + ${sock:-0}))
}

server_pid[arca]=${pids[0]}
server_pid[nginx]=${pids[1]}
server_pid[bare]=${pids[2]}
# busy_pct: share of all CPUs busy over 2 s (both servers are idle then: this is other work).
busy_before=$(busy_pct)
for s in $SIZES; do
	for ((round = 1; round <= ROUNDS; round++)); do
		# Rotate which server goes first, so a drift in background load hits all alike.
		case $((round % 3)) in
		1) order=(nginx bare arca) ;; 2) order=(arca nginx bare) ;; 0) order=(bare arca nginx) ;;
		esac
		for name in "${order[@]}"; do
			case $name in nginx) base=$nginx_base ;; bare) base=$bare_base ;; *) base=$arca_base ;; esac
			run_wrk "$name" "$base/bench-local/f/$s.bin" "$s" "$round"
		done
	done
done
busy_after=$(busy_pct)
# Arca still alive and healthy after the load?
kill -0 "${pids[0]}" 2>/dev/null || die "arca died during the benchmark"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$arca_base/api/system/ping") || true
[[ $code == 200 ]] || say "note: arca's ping answered '$code' after the benchmark"

# ---------------------------------------------------------------- report
echo
echo "Arca vs nginx vs a bare net/http server: authenticated GET from a local generic repository"
echo "  $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $ncpu CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown CPU))"
echo "  wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after a ${WARMUP}s warm-up, keep-alive, $ROUNDS interleaved round(s), medians shown"
echo "  $pin_desc"
echo "  nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') with $srv_ncpu worker(s), sendfile, tcp_nopush; $auth_note"
echo "  bare: bench/baseline (net/http, one Authorization comparison, Arca's recorded headers)"
echo "  arca $("$TMP/arca" version 2>/dev/null | awk 'NR==1{print $2}') ($(go version 2>/dev/null | awk '{print $3}')), GOMAXPROCS from its CPU set"
echo "  other CPU use on the machine (all CPUs, 2 s sample): ${busy_before}% before, ${busy_after}% after"
echo
printf '%-7s | %8s %8s %8s %6s %6s | %8s %8s %8s %6s %6s\n' size nginx bare arca a/ngx a/bare nginx bare arca a/ngx a/bare
printf '%-7s | %8s %8s %8s %6s %6s | %8s %8s %8s %6s %6s\n' "" "req/s" "req/s" "req/s" "" "" "MB/s" "MB/s" "MB/s" "" ""
printf '%s\n' "--------+------------------------------------------+-----------------------------------------"
declare -A rr rb rm rmb spread cpu_med
for s in $SIZES; do
	declare -A col_r=() col_m=() col_c=()
	pr=() pb=() pm=()
	for name in nginx bare arca; do
		r=() m=() c=()
		for ((round = 1; round <= ROUNDS; round++)); do
			r+=("${rps[$name.$s.$round]}") m+=("${mbs[$name.$s.$round]}") c+=("${cpu[$name.$s.$round]}")
		done
		col_r[$name]=$(median "${r[@]}") col_m[$name]=$(median "${m[@]}") cpu_med[$name.$s]=$(median "${c[@]}")
	done
	for ((round = 1; round <= ROUNDS; round++)); do
		pr+=("$(ratio "${rps[arca.$s.$round]}" "${rps[nginx.$s.$round]}")")
		pb+=("$(ratio "${rps[arca.$s.$round]}" "${rps[bare.$s.$round]}")")
		pm+=("$(ratio "${mbs[arca.$s.$round]}" "${mbs[nginx.$s.$round]}")")
	done
	rr[$s]=$(ratio "${col_r[arca]}" "${col_r[nginx]}")
	rb[$s]=$(ratio "${col_r[arca]}" "${col_r[bare]}")
	rm[$s]=$(ratio "${col_m[arca]}" "${col_m[nginx]}")
	rmb[$s]=$(ratio "${col_m[arca]}" "${col_m[bare]}")
	spread[$s]="per round: req/s arca/nginx ${pr[*]}; arca/bare ${pb[*]}; MB/s arca/nginx ${pm[*]}"
	printf '%-7s | %8.0f %8.0f %8.0f %6s %6s | %8.1f %8.1f %8.1f %6s %6s\n' "${size_label[$s]}" \
		"${col_r[nginx]}" "${col_r[bare]}" "${col_r[arca]}" "${rr[$s]}" "${rb[$s]}" \
		"${col_m[nginx]}" "${col_m[bare]}" "${col_m[arca]}" "${rm[$s]}" "${rmb[$s]}"
done
echo "(MB/s = MiB/s of wrk's Transfer/sec, headers included)"
if ((ROUNDS > 1)); then
	for s in $SIZES; do echo "  ${size_label[$s]}: ${spread[$s]}"; done
fi
echo
echo "Server CPU time per request (user+system, µs; lower is better; little affected by other load):"
printf '%-7s | %8s %8s %8s %10s %10s\n' size nginx bare arca arca/nginx arca/bare
for s in $SIZES; do
	printf '%-7s | %8.1f %8.1f %8.1f %10s %10s\n' "${size_label[$s]}" "${cpu_med[nginx.$s]}" "${cpu_med[bare.$s]}" "${cpu_med[arca.$s]}" \
		"$(ratio "${cpu_med[arca.$s]}" "${cpu_med[nginx.$s]}")" "$(ratio "${cpu_med[arca.$s]}" "${cpu_med[bare.$s]}")"
done
echo
echo "Design targets:"
if [[ -n ${rb[1k]:-} ]]; then
	printf '  1 KiB  req/s      arca/bare  >= %s: %s (%s)\n' "$TARGET_1K_BARE_RPS" "$(verdict "${rb[1k]}" "$TARGET_1K_BARE_RPS")" "${rb[1k]}"
fi
if [[ -n ${rm[10m]:-} ]]; then
	printf '  10 MiB throughput arca/nginx >= %s: %s (%s)\n' "$TARGET_10M_MBPS" "$(verdict "${rm[10m]}" "$TARGET_10M_MBPS")" "${rm[10m]}"
fi
echo
anom=""
for s in $SIZES; do
	for name in nginx bare arca; do
		if ((${non2xx[$name.$s]:-0} || ${sockerr[$name.$s]:-0})); then
			anom+="  $name ${size_label[$s]}: ${non2xx[$name.$s]:-0} non-2xx/3xx responses, ${sockerr[$name.$s]:-0} socket errors (all rounds)"$'\n'
		fi
	done
done
if [[ -n $anom ]]; then
	printf 'Errors under load (wrk):\n%s' "$anom"
else
	echo "No non-2xx/3xx responses or socket errors under load."
fi
if awk -v a="$busy_before" -v b="$busy_after" 'BEGIN { exit !(a + 0 > 10 || b + 0 > 10) }'; then
	echo "WARNING: other processes were using the CPUs (${busy_before}% before, ${busy_after}% after): req/s and MB/s"
	echo "are noisy (see the per-round ratios); CPU time per request is the more reliable comparison."
fi
if [[ -n ${WRK_OUT:-} ]]; then cp "$TMP/wrk.txt" "$WRK_OUT" && echo "raw wrk output: $WRK_OUT"; fi
exit 0
