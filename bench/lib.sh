# Shared by the bench/*.sh scripts: source it after setting BENCH (the script's name, for
# messages). It creates $TMP, and on exit stops the processes listed in pids (and child_pid),
# shows the logs' last lines after a setup failure, and removes $TMP unless KEEP_TMP=1.

say() { printf '%s\n' "$*" >&2; }
die() { say "${BENCH:-bench}: $*"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/arca-${BENCH%.sh}.XXXXXX")
pids=()
child_pid=""
cleanup() {
	local rc=$?
	set +e
	[[ -n ${child_pid:-} ]] && kill -TERM "$child_pid" 2>/dev/null && wait "$child_pid" 2>/dev/null
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [[ -f $TMP/nginx.pid ]]; then # a master that outlived its parent shell (should not happen)
		p=$(cat "$TMP/nginx.pid" 2>/dev/null) && [[ -n $p ]] && kill -QUIT "$p" 2>/dev/null
	fi
	if [[ $rc -eq 1 && ${KEEP_TMP:-0} == 0 ]]; then
		for f in "$TMP/arca.log" "$TMP/nginx-error.log"; do
			[[ -s $f ]] && { say "--- last lines of $(basename "$f"):"; tail -n 20 "$f" >&2; }
		done
	fi
	if [[ ${KEEP_TMP:-0} != 0 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback TCP port (the kernel picks it; there is a small race until it is bound).
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' && return
	fi
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	return 1
}

wait_http() { # url pid: wait until anything answers over HTTP (max ~15 s) while pid lives
	for _ in $(seq 150); do
		curl -s -o /dev/null --max-time 1 "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# CPU time (clock ticks) used by a process and its children.
cpu_ticks() {
	local root=$1 files=() c
	for c in "$root" $(cat /proc/"$root"/task/*/children 2>/dev/null); do
		if [[ -r /proc/$c/stat ]]; then files+=("/proc/$c/stat"); fi
	done
	((${#files[@]})) || { echo 0; return; }
	# after "pid (comm) ": $1=state $2=ppid ... $12=utime $13=stime
	cat "${files[@]}" 2>/dev/null | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

# Percentage of all CPUs busy over 2 s (other load on the machine).
busy_pct() {
	local a b
	a=$(head -1 /proc/stat 2>/dev/null) || { echo "?"; return; }
	sleep 2
	b=$(head -1 /proc/stat 2>/dev/null) || { echo "?"; return; }
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 2; i <= n && i <= 9; i++) { d = y[i] - x[i]; tot += d; if (i == 5 || i == 6) idle += d }
		if (tot > 0) printf "%.0f", 100 * (tot - idle) / tot; else print "?" }'
}

# build_arca puts the arca binary at $TMP/arca: a copy of ARCA_BIN when set, else built from
# this tree (repo_root).
build_arca() {
	if [[ -n ${ARCA_BIN:-} ]]; then
		[[ -x $ARCA_BIN ]] || die "ARCA_BIN=$ARCA_BIN is not an executable"
		cp "$ARCA_BIN" "$TMP/arca"
	else
		say "building arca ..."
		(cd "$repo_root" && go build -o "$TMP/arca" ./cmd/arca) || die "go build ./cmd/arca failed"
	fi
}

# pin_cpus decides, from PIN (auto, 1 or 0), whether servers and the load client run on
# separate CPUs. It sets ncpu, pin (1 or 0), cpus (the CPUs this process may use: cgroups or an outer
# taskset may restrict them), and when pinned srv_cpus/cli_cpus (the client gets the last
# allowed CPU, the servers all the others), srv_ncpu, and the command prefixes srv_run and
# cli_run (empty arrays when not pinned).
pin_cpus() {
	ncpu=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	pin=0
	case $PIN in
	auto) command -v taskset >/dev/null 2>&1 && ((ncpu >= 2)) && pin=1 ;;
	1 | yes | true) command -v taskset >/dev/null 2>&1 || die "PIN=1 but taskset is missing"
		((ncpu >= 2)) || die "PIN=1 needs at least 2 CPUs"
		pin=1 ;;
	0 | no | false) ;;
	*) die "PIN must be auto, 1 or 0" ;;
	esac
	mapfile -t cpus < <(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status 2>/dev/null | tr ',' '\n' |
		awk -F- '{ if (NF == 2) for (i = $1; i <= $2; i++) print i; else if ($1 != "") print $1 }')
	((${#cpus[@]})) || cpus=($(seq 0 $((ncpu - 1))))
	if ((pin)) && ((${#cpus[@]} < 2)); then pin=0; fi
	srv_run=()
	cli_run=()
	srv_ncpu=${#cpus[@]}
	if ((pin)); then
		cli_cpus=${cpus[-1]}
		local srv_list=("${cpus[@]:0:${#cpus[@]}-1}")
		srv_cpus=$(IFS=,; echo "${srv_list[*]}")
		srv_ncpu=${#srv_list[@]}
		srv_run=(taskset -c "$srv_cpus")
		cli_run=(taskset -c "$cli_cpus")
	fi
}

# start_arca starts $TMP/arca (see build_arca) on a free port with its data in $TMP/data, on
# the servers' CPUs (srv_run, when pin_cpus pinned them), passing any extra flags, and waits
# for it. It sets arca_port, arca_pid and arca_base (…/artifactory); its log is $TMP/arca.log.
start_arca() {
	mkdir -p "$TMP/data"
	arca_port=$(free_port) || die "no free port for arca"
	ARCA_ADMIN_PASSWORD=$ARCA_PASSWORD ${srv_run[@]+"${srv_run[@]}"} "$TMP/arca" serve --listen "127.0.0.1:$arca_port" \
		--data-dir "$TMP/data" "$@" >"$TMP/arca.log" 2>&1 &
	pids+=($!)
	arca_pid=${pids[-1]}
	arca_base=http://127.0.0.1:$arca_port/artifactory
	wait_http "$arca_base/api/system/ping" "$arca_pid" || die "arca did not start on port $arca_port (see its log below)"
}

# start_nginx starts nginx ($NGINX) serving $TMP/www on a free port, with sendfile and
# tcp_nopush, $1 worker processes, the access_log directive $2, further http-level lines $3,
# and $auth_conf (auth_basic lines, may be empty) on every location; on the servers' CPUs when
# pinned. It sets nginx_port, nginx_pid and nginx_base.
start_nginx() {
	local workers=$1 access=$2 extra=${3:-} user_line=""
	nginx_port=$(free_port) || die "no free port for nginx"
	mkdir -p "$TMP/nginx"
	[[ $(id -u) -eq 0 ]] && user_line="user root;" # workers must read the 0700 temp dir
	cat >"$TMP/nginx.conf" <<EOF
daemon off;
$user_line
worker_processes $workers;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events {
    worker_connections 4096;
}
http {
    $access
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    $extra
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $TMP/www;
        location / {
            $auth_conf
        }
    }
}
EOF
	${srv_run[@]+"${srv_run[@]}"} "$NGINX" -e "$TMP/nginx-error.log" -p "$TMP/nginx" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 &
	pids+=($!)
	nginx_pid=${pids[-1]}
	nginx_base=http://127.0.0.1:$nginx_port/artifactory
	wait_http "http://127.0.0.1:$nginx_port/" "$nginx_pid" || { cat "$TMP/nginx.out" >&2; die "nginx did not start on port $nginx_port"; }
}
