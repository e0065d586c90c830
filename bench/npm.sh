#!/usr/bin/env bash
# Side-by-side npm benchmark: Arca versus Verdaccio 6.8.0 on the same machine.
#
#   bash bench/npm.sh
#
# Part "install": a synthetic dependency tree of PACKAGES (50) small packages, 2-5 versions
# each (bench/npm/gen.js: real tarballs, a DAG with a few nested majors; ~55 packages end up in
# node_modules), is published to Arca's local npm-local and to Verdaccio. A consumer project
# is installed with real `npm install`, through Arca's virtual npm-virtual (over npm-local,
# npm-local2, npm-local3) and directly from Verdaccio:
#   cold: no package-lock.json, empty npm cache, no node_modules;
#   warm: package-lock.json of the previous run, servers warm, still an empty npm cache and
#         no node_modules (so every tarball comes from the server).
# Part "remote": cold installs through a proxy of the same origin (the Verdaccio above): a new
# Arca remote repository per run vs a fresh Verdaccio instance whose uplink is that origin.
# Part "packument": one package with BIG_VERSIONS (2,000) versions. In Arca its versions are
# spread round-robin over the 3 locals behind npm-virtual (merged on GET); Verdaccio holds all
# of them in one package. wrk measures GET of the packument, full (Accept: application/json)
# and abbreviated (Accept: application/vnd.npm.install-v1+json), and curl times the first GET
# after the package changed (Arca caches the merged document; that GET merges anew).
#
# Prints medians and ratios. It is a measurement, not a test: it exits 0 whatever the figures,
# and non-zero only when the setup fails. See bench/README.md ("npm").
set -euo pipefail
BENCH=npm.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PARTS=${PARTS:-install remote packument}   # which parts to run
RUNS=${RUNS:-5}                  # measured install rounds (each: cold + warm per server, one remote cold per proxy)
WARMUP_RUNS=${WARMUP_RUNS:-1}    # discarded install rounds before them
PACKAGES=${PACKAGES:-50}         # packages in the dependency tree
SEED=${SEED:-1}                  # the tree generator's seed
NPM_TIMEOUT=${NPM_TIMEOUT:-300}  # seconds before a single npm install is killed
BIG_VERSIONS=${BIG_VERSIONS:-2000} # versions of the packument benchmark's package
ROUNDS=${ROUNDS:-3}              # wrk rounds per form and encoding (medians)
FIRST_GETS=${FIRST_GETS:-5}      # timed first GETs of the packument after a change, per server and form
DURATION=${DURATION:-10}         # seconds of each measured wrk run
WARMUP=${WARMUP:-2}              # seconds of the discarded wrk warm-up before each (0: none)
CONNECTIONS=${CONNECTIONS:-4}    # wrk -c (Verdaccio is one node process: more connections only add latency)
THREADS=${THREADS:-2}            # wrk -t
ENCODINGS=${ENCODINGS:-identity gzip} # packument responses without / with Accept-Encoding: gzip (npm sends gzip)
PIN=${PIN:-auto}                 # auto|1|0: servers and clients (npm, wrk) on disjoint CPUs
VERDACCIO_DIR=${VERDACCIO_DIR:-} # where Verdaccio 6.8.0 is installed (default: bench/out/verdaccio-6.8.0)
# ARCA_BIN=path: use this arca binary instead of building ./cmd/arca; KEEP_TMP=1: keep the temp dir.
ARCA_PASSWORD=secret
VERDACCIO_VERSION=6.8.0
BIG_NAME=bench-many-versions
BIG_MEMBERS=(npm-local npm-local2 npm-local3)

for v in RUNS WARMUP_RUNS PACKAGES SEED NPM_TIMEOUT BIG_VERSIONS ROUNDS FIRST_GETS DURATION WARMUP CONNECTIONS THREADS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((RUNS >= 1 && ROUNDS >= 1 && DURATION >= 1 && PACKAGES >= 5 && PACKAGES <= 500)) ||
	die "RUNS, ROUNDS and DURATION must be >= 1, PACKAGES 5..500"
((BIG_VERSIONS >= 10 && BIG_VERSIONS <= 2000)) || die "BIG_VERSIONS must be 10..2000"
for p in $PARTS; do [[ $p == install || $p == remote || $p == packument ]] || die "PARTS: unknown part '$p' (install, remote, packument)"; done
[[ -n ${ENCODINGS// /} ]] || die "ENCODINGS must name identity and/or gzip"
for e in $ENCODINGS; do [[ $e == identity || $e == gzip ]] || die "ENCODINGS: unknown encoding '$e' (identity, gzip)"; done
part() { [[ " $PARTS " == *" $1 "* ]]; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
[[ -f $repo_root/go.mod && -d $repo_root/cmd/arca ]] || die "cannot find the repository root (go.mod, cmd/arca) above $script_dir"
GEN=$script_dir/npm/gen.js
[[ -f $GEN ]] || die "missing $GEN"
VERDACCIO_DIR=${VERDACCIO_DIR:-$repo_root/bench/out/verdaccio-$VERDACCIO_VERSION}

# ---------------------------------------------------------------- tools
command -v node >/dev/null 2>&1 || die "node is missing (Node 20 with npm 11)"
command -v npm >/dev/null 2>&1 || die "npm is missing"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) is required"
[[ -n ${ARCA_BIN:-} ]] || command -v go >/dev/null 2>&1 || die "go is not on PATH"
if part packument && ! command -v wrk >/dev/null 2>&1; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		say "installing wrk ..."
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 ||
			{ apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null 2>&1; } ||
			die "could not install wrk"
	else
		die "wrk is missing: install it (apt-get install wrk), or run without the packument part (PARTS='install remote')"
	fi
fi

# Verdaccio, installed once outside the repository's tracked files (bench/out/ is ignored).
verdaccio_js=$VERDACCIO_DIR/node_modules/verdaccio/bin/verdaccio
have_verdaccio() {
	[[ -f $verdaccio_js ]] &&
		[[ $(node -p 'require(process.argv[1]).version' "$VERDACCIO_DIR/node_modules/verdaccio/package.json" 2>/dev/null) == "$VERDACCIO_VERSION" ]]
}
if ! have_verdaccio; then
	say "installing Verdaccio $VERDACCIO_VERSION into $VERDACCIO_DIR (about a minute, once) ..."
	mkdir -p "$VERDACCIO_DIR"
	# The override: verdaccio-audit asks for node-fetch@cjs, a dist-tag that mirrors may lack.
	cat >"$VERDACCIO_DIR/package.json" <<EOF
{ "name": "verdaccio-peer", "private": true, "dependencies": { "verdaccio": "$VERDACCIO_VERSION" },
  "overrides": { "node-fetch@cjs": "2.7.0", "verdaccio-audit": { "node-fetch": "2.7.0" } } }
EOF
	(cd "$VERDACCIO_DIR" && NPM_CONFIG_UPDATE_NOTIFIER=false npm install --no-audit --no-fund --loglevel=error) >"$TMP/verdaccio-install.log" 2>&1 ||
		{ tail -n 20 "$TMP/verdaccio-install.log" >&2; die "npm install verdaccio@$VERDACCIO_VERSION failed"; }
	have_verdaccio || die "Verdaccio $VERDACCIO_VERSION is not in $VERDACCIO_DIR after npm install"
fi

# ---------------------------------------------------------------- CPU pinning (as download.sh)
pin_cpus
if ((pin)); then
	pin_desc="pinned: servers on CPU $srv_cpus, clients (npm, wrk) on CPU $cli_cpus (taskset)"
else
	pin_desc="not pinned: clients and servers share all ${#cpus[@]} CPUs"
fi
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---------------------------------------------------------------- Arca
build_arca
start_arca
arca_npm=$arca_base/api/npm

acurl() { curl -sS --fail-with-body --max-time 60 -u "admin:$ARCA_PASSWORD" "$@"; }
mkrepo() { # key json
	acurl -o /dev/null -X PUT -H 'Content-Type: application/json' "$arca_base/api/repositories/$1" -d "$2" ||
		die "could not create the Arca repository $1"
}
for r in "${BIG_MEMBERS[@]}"; do mkrepo "$r" '{"rclass":"local","packageType":"npm"}'; done
mkrepo npm-virtual "{\"rclass\":\"virtual\",\"packageType\":\"npm\",\"repositories\":[\"npm-local\",\"npm-local2\",\"npm-local3\"],\"defaultDeploymentRepo\":\"npm-local\"}"
arca_token=$(acurl -X POST "$arca_base/api/security/token" -d username=admin -d expires_in=0 -d scope=member-of-groups:\* |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).access_token||""))') ||
	die "could not create an Arca access token"
[[ -n $arca_token ]] || die "Arca returned no access token"

# ---------------------------------------------------------------- Verdaccio
# verdaccio_config DIR PORT [UPLINK_URL]: htpasswd auth,
# JWT API tokens (verified by signature: no password hash per request), every package
# readable and publishable by authenticated users only (as in Arca), audit middleware off, web
# UI off, only warnings logged (Arca logs no requests either). With UPLINK_URL, a proxy of it.
# htpasswd uses {SHA} entries: only the origin's basic-auth logins of the proxies (Arca's
# remote and the Verdaccio proxy alike) check a password per request, and cheaply.
verdaccio_config() {
	local dir=$1 port=$2 uplink=${3:-} proxy_line="" uplinks="uplinks: {}"
	mkdir -p "$dir/storage"
	if [[ -n $uplink ]]; then
		uplinks="uplinks:
  origin:
    url: $uplink
    auth:
      type: basic
      token: \"$(printf 'admin:%s' "$ARCA_PASSWORD" | base64)\"
    maxage: 10m
    timeout: 60s"
		proxy_line="    proxy: origin"
	fi
	cat >"$dir/config.yaml" <<EOF
storage: $dir/storage
auth:
  htpasswd:
    file: $dir/htpasswd
    max_users: 100
    algorithm: sha1
security:
  api:
    jwt:
      sign:
        expiresIn: 30d
  web:
    sign:
      expiresIn: 7d
$uplinks
packages:
  '@*/*':
    access: \$authenticated
    publish: \$authenticated
    unpublish: \$authenticated
$proxy_line
  '**':
    access: \$authenticated
    publish: \$authenticated
    unpublish: \$authenticated
$proxy_line
middlewares:
  audit:
    enabled: false
web:
  enable: false
max_body_size: 1000mb
listen: 127.0.0.1:$port
log: { type: stdout, format: pretty, level: warn }
EOF
}
# verdaccio_start DIR PORT: starts it (pinned like Arca), sets v_pid, v_token (a JWT from the
# adduser PUT).
verdaccio_start() {
	local dir=$1 port=$2
	${srv_run[@]+"${srv_run[@]}"} node "$verdaccio_js" -c "$dir/config.yaml" >"$dir/verdaccio.log" 2>&1 &
	v_pid=$!
	pids+=("$v_pid")
	wait_http "http://127.0.0.1:$port/-/ping" "$v_pid" || { tail -n 20 "$dir/verdaccio.log" >&2; die "verdaccio did not start on port $port"; }
	v_token=$(curl -sS --max-time 30 -X PUT -H 'Content-Type: application/json' "http://127.0.0.1:$port/-/user/org.couchdb.user:admin" \
		-d "{\"name\":\"admin\",\"password\":\"$ARCA_PASSWORD\",\"email\":\"admin@example.invalid\",\"type\":\"user\",\"roles\":[]}" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).token||"")}catch(e){}})') || true
	[[ -n $v_token ]] || die "could not add a user to verdaccio on port $port"
}
verdaccio_stop() { # pid
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	local keep=() p
	for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
	pids=(${keep[@]+"${keep[@]}"})
}

vd_port=$(free_port) || die "no free port for verdaccio"
verdaccio_config "$TMP/verdaccio" "$vd_port"
verdaccio_start "$TMP/verdaccio" "$vd_port"
vd_pid=$v_pid vd_token=$v_token
vd_base=http://127.0.0.1:$vd_port

# ---------------------------------------------------------------- fixtures and publishing
elapsed() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
if part install || part remote; then
	node "$GEN" tree "$TMP/tree" "$PACKAGES" "$SEED" >"$TMP/tree.txt" || die "could not generate the dependency tree"
	tree_desc=$(cat "$TMP/tree.txt")
	say "tree: $tree_desc"
	t0=$(date +%s%N)
	node "$GEN" publish-tree "$TMP/tree" "$arca_npm/npm-local/" "$arca_token" 4 >/dev/null || die "publishing the tree to arca's npm-local failed"
	say "published the tree to arca npm-local in $(elapsed "$t0") s"
	t0=$(date +%s%N)
	node "$GEN" publish-tree "$TMP/tree" "$vd_base/" "$vd_token" 4 >/dev/null || die "publishing the tree to verdaccio failed"
	say "published the tree to verdaccio in $(elapsed "$t0") s"
	# One more package with the real client, to both, as a check that npm publish works the same.
	mkdir -p "$TMP/npmpub"
	cat >"$TMP/npmpub/package.json" <<EOF
{ "name": "bench-npm-published", "version": "1.0.0", "description": "published with npm", "main": "index.js", "license": "MIT" }
EOF
	echo "module.exports = 42;" >"$TMP/npmpub/index.js"
	for s in arca verdaccio; do
		if [[ $s == arca ]]; then reg=$arca_npm/npm-local/ tok=$arca_token; else reg=$vd_base/ tok=$vd_token; fi
		printf '//%s:_authToken=%s\n' "${reg#http://}" "$tok" >"$TMP/npmrc-publish-$s"
		(cd "$TMP/npmpub" && NPM_CONFIG_USERCONFIG=$TMP/npmrc-publish-$s NPM_CONFIG_CACHE=$TMP/cache-publish-$s NPM_CONFIG_UPDATE_NOTIFIER=false \
			timeout 120 npm publish --registry "$reg" --loglevel=error) >"$TMP/npm-publish-$s.log" 2>&1 ||
			{ tail -n 20 "$TMP/npm-publish-$s.log" >&2; die "npm publish to $s failed"; }
	done
fi
if part packument; then
	t0=$(date +%s%N)
	regs=()
	for r in "${BIG_MEMBERS[@]}"; do regs+=("$arca_npm/$r/"); done
	node "$GEN" publish-big "$BIG_NAME" "$BIG_VERSIONS" "$arca_token" "$(IFS=,; echo "${regs[*]}")" >/dev/null ||
		die "publishing $BIG_NAME to arca failed"
	say "published $BIG_VERSIONS versions of $BIG_NAME round-robin over arca ${BIG_MEMBERS[*]} in $(elapsed "$t0") s"
	# Verdaccio rewrites its whole package.json on every publish (2,000 PUTs take minutes):
	# publish the first 3 versions with PUT, add the others to its storage in the same shape.
	t0=$(date +%s%N)
	node "$GEN" publish-big "$BIG_NAME" 3 "$vd_token" "$vd_base/" >/dev/null || die "publishing $BIG_NAME to verdaccio failed"
	node "$GEN" seed-verdaccio "$TMP/verdaccio/storage" "$BIG_NAME" "$BIG_VERSIONS" 3 "$vd_base/" >/dev/null ||
		die "seeding $BIG_NAME into verdaccio's storage failed"
	say "stored $BIG_VERSIONS versions of $BIG_NAME in verdaccio (3 published, the rest seeded) in $(elapsed "$t0") s"
	# Both serve all versions, with the same tarball checksums, in both forms?
	declare -A big_bytes big_digest
	for form in full abbreviated; do
		if [[ $form == full ]]; then acc=application/json; else acc=application/vnd.npm.install-v1+json; fi
		for s in arca verdaccio; do
			if [[ $s == arca ]]; then u=$arca_npm/npm-virtual/$BIG_NAME tok=$arca_token; else u=$vd_base/$BIG_NAME tok=$vd_token; fi
			out=$(node "$GEN" check-big "$u" "$tok" "$BIG_NAME" "$BIG_VERSIONS" "$acc") || die "$s: the $form packument of $BIG_NAME is wrong"
			read -r _ bytes digest <<<"$out"
			big_bytes[$s.$form]=$bytes
			big_digest[$s.$form]=$digest
		done
		[[ ${big_digest[arca.$form]} == "${big_digest[verdaccio.$form]}" ]] ||
			die "the $form packuments of $BIG_NAME list different tarball checksums on arca and verdaccio"
	done
fi

# ---------------------------------------------------------------- one timed npm install
# npm_install SERVER LABEL MODE(cold|warm) REGISTRY TOKEN PID -> secs[LABEL], cpums[LABEL]
declare -A secs cpums ocpums reqs
ref_lockset=""
npm_install() {
	local server=$1 label=$2 mode=$3 registry=$4 token=$5 spid=$6
	local proj=$TMP/proj-$server cache=$TMP/cache-$label rc=0 t0 t1 c0 c1
	mkdir -p "$proj"
	cp "$TMP/tree/app/package.json" "$proj/package.json"
	rm -rf "$proj/node_modules" "$cache"
	if [[ $mode == cold ]]; then
		rm -f "$proj/package-lock.json"
	else
		[[ -f $proj/package-lock.json ]] || die "warm run against $server without a package-lock.json"
	fi
	printf 'registry=%s\n//%s:_authToken=%s\n' "$registry" "${registry#http://}" "$token" >"$TMP/npmrc-$server"
	c0=$(cpu_ticks "$spid")
	t0=$(date +%s%N)
	# In the background so that a signal reaches our trap at once.
	(cd "$proj" && NPM_CONFIG_USERCONFIG=$TMP/npmrc-$server NPM_CONFIG_CACHE=$cache NPM_CONFIG_UPDATE_NOTIFIER=false \
		exec ${cli_run[@]+"${cli_run[@]}"} timeout "$NPM_TIMEOUT" npm install --no-audit --no-fund --ignore-scripts \
		--no-progress --loglevel=http) >"$TMP/npm-$label.log" 2>&1 &
	child_pid=$!
	wait "$child_pid" || rc=$?
	child_pid=""
	t1=$(date +%s%N)
	c1=$(cpu_ticks "$spid")
	if ((rc)); then
		tail -n 30 "$TMP/npm-$label.log" >&2
		die "npm install ($mode) against $server failed (exit $rc$( ((rc == 124)) && echo ", timed out after ${NPM_TIMEOUT}s"))"
	fi
	# Same tree as every other run (paths, versions, integrity), and installed as locked?
	local got inst
	got=$(node "$GEN" lockset "$proj/package-lock.json") || die "no readable package-lock.json after installing from $server"
	inst=$(node "$GEN" lockset "$proj/node_modules/.package-lock.json") || die "no node_modules/.package-lock.json after installing from $server"
	[[ $got == "$inst" ]] || die "npm install from $server: node_modules differs from package-lock.json"
	if [[ -z $ref_lockset ]]; then
		ref_lockset=$got
		installed=$(wc -l <<<"$got")
	fi
	[[ $got == "$ref_lockset" ]] || { diff <(echo "$ref_lockset") <(echo "$got") | head -n 10 >&2; die "npm install ($mode) from $server resolved a different tree"; }
	grep -q "\"resolved\": \"$registry" "$proj/package-lock.json" || die "package-lock.json from $server does not resolve through $registry"
	# npm logs each request at level http: "npm http fetch GET 200 URL 12ms (cache miss)".
	reqs[$label]=$(awk '/ http fetch / { n++; if ($0 ~ /\.tgz /) t++; else p++; s[$5]++ }
		END { printf "%d (%d packuments, %d tarballs; status", n, p, t; for (k in s) printf " %s:%d", k, s[k]; printf ")" }' "$TMP/npm-$label.log")
	secs[$label]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	cpums[$label]=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", d * 1000 / hz }')
	[[ ${KEEP_TMP:-0} != 0 ]] || rm -rf "$cache"
}

# remote_run SERVER LABEL: a cold install through a fresh proxy of verdaccio (the origin).
remote_seq=0
remote_run() {
	local server=$1 label=$2
	remote_seq=$((remote_seq + 1))
	if [[ $server == arca ]]; then
		local key=npm-remote-$remote_seq
		mkrepo "$key" "{\"rclass\":\"remote\",\"packageType\":\"npm\",\"url\":\"$vd_base/\",\"username\":\"admin\",\"password\":\"$ARCA_PASSWORD\"}"
		local o0 o1
		o0=$(cpu_ticks "$vd_pid")
		npm_install arca-remote "$label" cold "$arca_npm/$key/" "$arca_token" "$arca_pid"
		o1=$(cpu_ticks "$vd_pid")
		ocpums[$label]=$(awk -v d=$((o1 - o0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", d * 1000 / hz }')
	else
		local dir=$TMP/vproxy-$remote_seq port
		port=$(free_port) || die "no free port for the verdaccio proxy"
		verdaccio_config "$dir" "$port" "$vd_base/"
		verdaccio_start "$dir" "$port"
		local ppid_=$v_pid
		local o0 o1
		o0=$(cpu_ticks "$vd_pid")
		npm_install verdaccio-proxy "$label" cold "http://127.0.0.1:$port/" "$v_token" "$ppid_"
		o1=$(cpu_ticks "$vd_pid")
		ocpums[$label]=$(awk -v d=$((o1 - o0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", d * 1000 / hz }')
		verdaccio_stop "$ppid_"
		[[ ${KEEP_TMP:-0} != 0 ]] || rm -rf "$dir"
	fi
}

# baseline_run LABEL: npm install with the lock file, a full npm cache and --offline: no HTTP at
# all, only npm's own work (start-up, reading the lock, extracting 55 tarballs from its cache).
baseline_run() {
	local label=$1 proj=$TMP/proj-baseline rc=0 t0 t1
	mkdir -p "$proj"
	cp "$TMP/tree/app/package.json" "$proj/package.json"
	if [[ ! -f $proj/package-lock.json ]]; then
		# fill the cache once (not timed), from verdaccio
		printf 'registry=%s/\n//%s/:_authToken=%s\n' "$vd_base" "${vd_base#http://}" "$vd_token" >"$TMP/npmrc-baseline"
		(cd "$proj" && NPM_CONFIG_USERCONFIG=$TMP/npmrc-baseline NPM_CONFIG_CACHE=$TMP/cache-baseline NPM_CONFIG_UPDATE_NOTIFIER=false \
			timeout "$NPM_TIMEOUT" npm install --no-audit --no-fund --ignore-scripts --no-progress --loglevel=error) >"$TMP/npm-baseline-fill.log" 2>&1 ||
			{ tail -n 20 "$TMP/npm-baseline-fill.log" >&2; die "filling the npm cache for the baseline failed"; }
	fi
	rm -rf "$proj/node_modules"
	t0=$(date +%s%N)
	(cd "$proj" && NPM_CONFIG_USERCONFIG=$TMP/npmrc-baseline NPM_CONFIG_CACHE=$TMP/cache-baseline NPM_CONFIG_UPDATE_NOTIFIER=false \
		exec ${cli_run[@]+"${cli_run[@]}"} timeout "$NPM_TIMEOUT" npm install --offline --no-audit --no-fund --ignore-scripts \
		--no-progress --loglevel=http) >"$TMP/npm-$label.log" 2>&1 &
	child_pid=$!
	wait "$child_pid" || rc=$?
	child_pid=""
	t1=$(date +%s%N)
	((rc == 0)) || { tail -n 20 "$TMP/npm-$label.log" >&2; die "the offline baseline npm install failed (exit $rc)"; }
	[[ $(node "$GEN" lockset "$proj/node_modules/.package-lock.json") == "$ref_lockset" ]] || die "the offline baseline installed a different tree"
	grep -q ' http fetch ' "$TMP/npm-$label.log" && die "the offline baseline npm install sent requests"
	secs[$label]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "?") printf "%.2f", a / b; else print "n/a" }'; }

# first_get SERVER FORM ROUND: the latency of the first GET after the package changed (a
# dist-tag added to one member: Arca must merge and render again; Verdaccio has no cache
# anyway), then the tag is removed (untimed). -> first_ms[SERVER.FORM.ROUND]
declare -A first_ms
first_get() {
	local s=$1 form=$2 k=$3 tag=bench-first-$3 tagurl url tok acc ms
	if [[ $form == full ]]; then acc=application/json; else acc=application/vnd.npm.install-v1+json; fi
	if [[ $s == arca ]]; then
		tagurl=$arca_npm/npm-local2/-/package/$BIG_NAME/dist-tags/$tag url=$arca_npm/npm-virtual/$BIG_NAME tok=$arca_token
	elif [[ $s == arca-member ]]; then
		tagurl=$arca_npm/npm-local2/-/package/$BIG_NAME/dist-tags/$tag url=$arca_npm/npm-local2/$BIG_NAME tok=$arca_token
	else
		tagurl=$vd_base/-/package/$BIG_NAME/dist-tags/$tag url=$vd_base/$BIG_NAME tok=$vd_token
	fi
	curl -sS --fail-with-body --max-time 60 -o /dev/null -X PUT -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		"$tagurl" -d '"0.0.1"' || die "$s: could not add dist-tag $tag"
	ms=$(${cli_run[@]+"${cli_run[@]}"} curl -sS --fail --max-time 60 -o /dev/null -w '%{time_total}' -H "Accept: $acc" \
		-H "Authorization: Bearer $tok" "$url") || die "$s: GET $url failed"
	first_ms[$s.$form.$k]=$(awk -v t="$ms" 'BEGIN { printf "%.1f", t * 1000 }')
	curl -sS --fail-with-body --max-time 60 -o /dev/null -X DELETE -H "Authorization: Bearer $tok" "$tagurl" ||
		die "$s: could not remove dist-tag $tag"
}

busy_before=$(busy_pct)

# ---------------------------------------------------------------- install rounds
total=$((WARMUP_RUNS + RUNS))
if part install || part remote; then
	for ((round = 1; round <= total; round++)); do
		if ((round <= WARMUP_RUNS)); then tag="warm-up $round/$WARMUP_RUNS"; else tag="round $((round - WARMUP_RUNS))/$RUNS"; fi
		if ((round % 2)); then order=(verdaccio arca); else order=(arca verdaccio); fi
		line="$tag:"
		if part install; then
			for s in "${order[@]}"; do
				for mode in cold warm; do
					if [[ $s == arca ]]; then
						npm_install arca "$s.$mode.$round" "$mode" "$arca_npm/npm-virtual/" "$arca_token" "$arca_pid"
					else
						npm_install verdaccio "$s.$mode.$round" "$mode" "$vd_base/" "$vd_token" "$vd_pid"
					fi
					line+=" $s-$mode ${secs[$s.$mode.$round]}s"
				done
			done
		fi
		if part remote; then
			for s in "${order[@]}"; do
				remote_run "$s" "$s.remote.$round"
				line+=" $s-remote ${secs[$s.remote.$round]}s"
			done
		fi
		baseline_run "baseline.$round"
		line+=" baseline ${secs[baseline.$round]}s"
		say "$line"
	done
fi

# ---------------------------------------------------------------- packument under wrk
declare -A rps kbr cpur non2xx sockerr
few_requests=()
wrk_bg() { # seconds url accept encoding token -> $TMP/wrk.cur
	local hdr=(-H "Accept: $3" -H "Authorization: Bearer $5" -H "User-Agent: npm/11.19.1 node/v20.20.2 linux x64 workspaces/false")
	[[ $4 == gzip ]] && hdr+=(-H "Accept-Encoding: gzip,deflate")
	${cli_run[@]+"${cli_run[@]}"} wrk -t"$THREADS" -c"$CONNECTIONS" -d"${1}s" --timeout 30s "${hdr[@]}" "$2" >"$TMP/wrk.cur" 2>&1 &
	child_pid=$!
	local rc=0
	wait "$child_pid" || rc=$?
	child_pid=""
	return "$rc"
}
# to_kib VALUE_WITH_UNIT -> KiB (wrk prints binary units)
to_kib() {
	awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f["B"] = 1 / 1024; f["KB"] = 1; f["MB"] = 1024; f["GB"] = 1048576
		if (!(u in f)) { print "?"; exit } printf "%.3f", n * f[u] }'
}
run_wrk() { # server key(form.enc) url accept enc token pid round
	local s=$1 key=$2 url=$3 acc=$4 enc=$5 tok=$6 spid=$7 round=$8 out t0 t1
	((WARMUP > 0)) && { wrk_bg "$WARMUP" "$url" "$acc" "$enc" "$tok" || true; }
	say "wrk: round $round/$ROUNDS, $s, ${key/./ }, ${DURATION}s ..."
	t0=$(cpu_ticks "$spid")
	wrk_bg "$DURATION" "$url" "$acc" "$enc" "$tok" || { cat "$TMP/wrk.cur" >&2; die "wrk failed against $s"; }
	t1=$(cpu_ticks "$spid")
	out=$(cat "$TMP/wrk.cur")
	printf '== round %s: %s %s\n%s\n\n' "$round" "$s" "$key" "$out" >>"$TMP/wrk.txt"
	local r nreq rd n sock
	r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	nreq=$(awk '/ requests in / {print $1}' <<<"$out")
	rd=$(awk '/ requests in / {print $5}' <<<"$out")
	n=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
	sock=$(awk '/Socket errors:/ { for (i = 3; i <= NF; i += 2) s += $(i + 1) + 0; print s }' <<<"$out")
	[[ -n $r && -n $nreq ]] || { say "$out"; die "could not parse wrk output for $s"; }
	rps[$s.$key.$round]=$r
	kbr[$s.$key.$round]=$(awk -v k="$(to_kib "${rd%,}")" -v n="$nreq" 'BEGIN { if (n > 0 && k != "?") printf "%.0f", k / n; else print "?" }')
	cpur[$s.$key.$round]=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$nreq" 'BEGIN { if (n > 0) printf "%.2f", d * 1000 / hz / n; else print 0 }')
	((nreq >= 20)) || few_requests+=("$s ${key/./, } round $round: $nreq")
	non2xx[$s]=$((${non2xx[$s]:-0} + ${n:-0}))
	sockerr[$s]=$((${sockerr[$s]:-0} + ${sock:-0}))
}
keys=()
if part packument; then
	say "first GET after a change, $FIRST_GETS time(s) per server and form ..."
	for ((k = 1; k <= FIRST_GETS; k++)); do
		for form in full abbreviated; do
			for s in verdaccio arca arca-member; do first_get "$s" "$form" "$k"; done
		done
	done
	for form in full abbreviated; do
		if [[ $form == full ]]; then acc=application/json; else acc=application/vnd.npm.install-v1+json; fi
		for enc in $ENCODINGS; do
			keys+=("$form.$enc")
			for ((round = 1; round <= ROUNDS; round++)); do
				if ((round % 2)); then order=(verdaccio arca); else order=(arca verdaccio); fi
				for s in "${order[@]}"; do
					if [[ $s == arca ]]; then
						run_wrk arca "$form.$enc" "$arca_npm/npm-virtual/$BIG_NAME" "$acc" "$enc" "$arca_token" "$arca_pid" "$round"
					else
						run_wrk verdaccio "$form.$enc" "$vd_base/$BIG_NAME" "$acc" "$enc" "$vd_token" "$vd_pid" "$round"
					fi
				done
			done
		done
	done
fi
busy_after=$(busy_pct)
kill -0 "$arca_pid" 2>/dev/null || die "arca died during the benchmark"
kill -0 "$vd_pid" 2>/dev/null || die "verdaccio died during the benchmark"

# ---------------------------------------------------------------- report
echo
echo "npm: Arca vs Verdaccio $VERDACCIO_VERSION"
echo "  $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $ncpu CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown CPU))"
echo "  arca $("$TMP/arca" version 2>/dev/null | awk 'NR==1{print $2}') ($(go version 2>/dev/null | awk '{print $3}')); Verdaccio $VERDACCIO_VERSION on node $(node -v); npm $(npm -v 2>/dev/null)"
echo "  $pin_desc"
echo "  both: token auth (Arca access token; Verdaccio JWT), every package readable by authenticated users only, no request logs"
echo "  other CPU use on the machine (all CPUs, 2 s sample): ${busy_before}% before, ${busy_after}% after"
if part install || part remote; then
	echo
	echo "npm install of a synthetic tree: $tree_desc; $installed packages installed"
	echo "  npm install --no-audit --no-fund --ignore-scripts, empty npm cache and no node_modules every run"
	echo "  $RUNS measured round(s) after $WARMUP_RUNS warm-up round(s), alternating order; medians of wall time; ratio = arca / verdaccio (below 1: Arca faster)"
	echo "  arca: through virtual npm-virtual (npm-local, npm-local2, npm-local3), packages in npm-local"
	v=()
	for ((round = WARMUP_RUNS + 1; round <= total; round++)); do v+=("${secs[baseline.$round]}"); done
	base_med=$(median "${v[@]}") base_rg=$(minmax "${v[@]}")
	echo "  baseline: the same install from a full npm cache with the lock file and --offline (no HTTP): npm's own work"
	echo
	printf '%-34s | %9s %9s %6s | %-23s | %s\n' "wall time, median" "verdaccio" "arca" "ratio" " minus baseline (ratio)" "server CPU ms/run"
	printf '%-34s | %9s %9s %6s | %-23s | %s\n' "" "" "" "" "" "verdaccio  arca"
	printf '%s\n' "-----------------------------------+----------------------------+-------------------------+------------------"
	rows=()
	part install && rows+=(cold warm)
	part remote && rows+=(remote)
	for mode in "${rows[@]}"; do
		declare -A med=() cm=() rg=()
		for s in verdaccio arca; do
			v=() c=()
			for ((round = WARMUP_RUNS + 1; round <= total; round++)); do
				v+=("${secs[$s.$mode.$round]}")
				c+=("${cpums[$s.$mode.$round]}")
			done
			med[$s]=$(median "${v[@]}")
			cm[$s]=$(median "${c[@]}")
			rg[$s]=$(minmax "${v[@]}")
		done
		case $mode in
		cold) desc="cold: no lock, empty cache" ;;
		warm) desc="warm: lock, empty cache" ;;
		remote) desc="cold through a proxy (see below)" ;;
		esac
		net=$(awk -v v="${med[verdaccio]}" -v a="${med[arca]}" -v b="$base_med" 'BEGIN {
			nv = v - b; na = a - b; printf "%5.2fs %5.2fs", nv, na; if (nv > 0.05) printf " (%.2f)", na / nv }')
		printf '%-34s | %8.2fs %8.2fs %6s | %-23s | %9.0f %5.0f\n' "$desc" "${med[verdaccio]}" "${med[arca]}" \
			"$(ratio "${med[arca]}" "${med[verdaccio]}")" "$net" "${cm[verdaccio]}" "${cm[arca]}"
		pr=()
		for ((round = WARMUP_RUNS + 1; round <= total; round++)); do pr+=("$(ratio "${secs[arca.$mode.$round]}" "${secs[verdaccio.$mode.$round]}")"); done
		mm_lines+=("  $mode: min-max verdaccio ${rg[verdaccio]} s, arca ${rg[arca]} s; ratio per round: ${pr[*]}")
		r=$((WARMUP_RUNS + 1))
		rq_lines+=("  $mode, round 1: verdaccio ${reqs[verdaccio.$mode.$r]}; arca ${reqs[arca.$mode.$r]}")
	done
	printf '%-34s | %8.2fs %9s %6s |\n' "baseline: npm --offline, no HTTP" "$base_med" "" ""
	echo "  baseline: min-max $base_rg s"
	printf '%s\n' "${mm_lines[@]}"
	echo "requests npm sent (from its http log):"
	printf '%s\n' "${rq_lines[@]}"
	if part remote; then
		o=() p=()
		for ((round = WARMUP_RUNS + 1; round <= total; round++)); do o+=("${ocpums[verdaccio.remote.$round]}"); p+=("${ocpums[arca.remote.$round]}"); done
		echo "  remote: the proxy is, for arca, a new remote repository per run (url: the verdaccio above, basic auth); for verdaccio, a"
		echo "  fresh instance per run with the verdaccio above as its uplink (basic auth). Server CPU is the proxy's; the origin"
		printf '  verdaccio used %.0f ms (median) per run behind the verdaccio proxy, %.0f ms behind arca\n' "$(median "${o[@]}")" "$(median "${p[@]}")"
	fi
fi
if part packument; then
	echo
	echo "Packument of one package with $BIG_VERSIONS versions: GET with wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after a ${WARMUP}s warm-up, $ROUNDS interleaved round(s), medians"
	echo "  arca: GET /artifactory/api/npm/npm-virtual/$BIG_NAME, versions round-robin over ${BIG_MEMBERS[*]} (merged)"
	echo "  verdaccio: GET /$BIG_NAME, all versions in one package"
	echo "  sizes: full verdaccio $((big_bytes[verdaccio.full] / 1024)) KiB, arca $((big_bytes[arca.full] / 1024)) KiB; abbreviated verdaccio $((big_bytes[verdaccio.abbreviated] / 1024)) KiB, arca $((big_bytes[arca.abbreviated] / 1024)) KiB (uncompressed)"
	echo
	printf '%-22s | %10s %10s %7s | %17s | %s\n' "req/s: form, encoding" "verdaccio" "arca" "ratio" "KiB/resp v / a" "server CPU ms/req v / a"
	printf '%s\n' "-----------------------+-------------------------------+-------------------+------------------------"
	declare -A pmed
	for key in "${keys[@]}"; do
		for s in verdaccio arca; do
			r=() k=() c=()
			for ((round = 1; round <= ROUNDS; round++)); do
				r+=("${rps[$s.$key.$round]}")
				k+=("${kbr[$s.$key.$round]}")
				c+=("${cpur[$s.$key.$round]}")
			done
			pmed[$s.r]=$(median "${r[@]}")
			pmed[$s.k]=$(median "${k[@]}")
			pmed[$s.c]=$(median "${c[@]}")
		done
		pmed[$key]=$(ratio "${pmed[arca.r]}" "${pmed[verdaccio.r]}")
		printf '%-22s | %10.1f %10.1f %7s | %8.0f %8.0f | %8.2f %8.2f\n' "${key/./, }" "${pmed[verdaccio.r]}" "${pmed[arca.r]}" "${pmed[$key]}x" \
			"${pmed[verdaccio.k]}" "${pmed[arca.k]}" "${pmed[verdaccio.c]}" "${pmed[arca.c]}"
		pr=()
		for ((round = 1; round <= ROUNDS; round++)); do pr+=("$(ratio "${rps[arca.$key.$round]}" "${rps[verdaccio.$key.$round]}")"); done
		pk_lines+=("  ${key/./, }: ratio per round: ${pr[*]}")
	done
	printf '%s\n' "${pk_lines[@]}"
	if ((FIRST_GETS > 0)); then
		echo
		echo "First GET after the package changed (a dist-tag added to npm-local2 / to the package; Arca merges and renders anew), one curl, median of $FIRST_GETS:"
		for form in full abbreviated; do
			v=() a=() m=()
			for ((k = 1; k <= FIRST_GETS; k++)); do
				v+=("${first_ms[verdaccio.$form.$k]}") a+=("${first_ms[arca.$form.$k]}") m+=("${first_ms[arca-member.$form.$k]}")
			done
			printf '  %-12s verdaccio %7.1f ms   arca npm-virtual %7.1f ms (ratio verdaccio/arca %s)   arca npm-local2 alone (%d versions) %7.1f ms\n' \
				"$form" "$(median "${v[@]}")" "$(median "${a[@]}")" "$(ratio "$(median "${v[@]}")" "$(median "${a[@]}")")" \
				$(((BIG_VERSIONS + 1) / 3)) "$(median "${m[@]}")"
		done
	fi
	echo
	echo "Design target: Arca's merged packument >= 10x Verdaccio's req/s"
	for key in "${keys[@]}"; do
		printf '  %-22s %s\n' "${key/./, }" "$(awk -v r="${pmed[$key]}" 'BEGIN { if (r == "n/a") print "n/a"; else if (r + 0 >= 10) printf "PASS (%.1fx)\n", r; else printf "BELOW (%.1fx)\n", r }')"
	done
	anom=""
	for s in verdaccio arca; do
		((${non2xx[$s]:-0} + ${sockerr[$s]:-0})) && anom+="  $s: ${non2xx[$s]:-0} non-2xx/3xx responses, ${sockerr[$s]:-0} socket errors (connect/read/write/timeout)"$'\n'
	done
	if [[ -n $anom ]]; then printf 'Errors under load (wrk):\n%s' "$anom"; else echo "No non-2xx/3xx responses or socket errors under load."; fi
	if ((${#few_requests[@]})); then
		echo "Too few completed requests for a reliable figure (raise DURATION): ${few_requests[*]}"
	fi
fi
exit 0
