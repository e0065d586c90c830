#!/usr/bin/env bash
# Side-by-side Maven benchmark: real mvn resolving a project's dependency set through an Arca
# virtual repository of 10 local members, versus from nginx serving the same files.
#
#   bash bench/maven.sh
#
# Generates ARTIFACTS small artifacts com.acme.bench:lib-NN:1.0 (jar + pom), deploys them
# round-robin over the local maven repositories m0..m9 in Arca (virtual "mv" over them), and
# writes the same files, with .sha1 and .md5, into a Maven-layout tree that nginx serves at the
# same URL path. A consumer project depends on all of them. Each round runs, with a fresh empty
# local repository every time,
#     mvn -B -q -s settings.xml org.apache.maven.plugins:maven-dependency-plugin:3.5.0:resolve
# once against each server (mirror *,!debian; plugins come from Debian's /usr/share/maven-repo),
# alternating which goes first, plus once for a consumer with no dependencies (the baseline:
# JVM start, Maven start-up, plugin resolution from the Debian file repository; no HTTP).
# Prints medians and the ratio arca/nginx. It is a measurement, not a test: it exits 0 whatever
# the figures, and non-zero only when the setup fails. See bench/README.md ("Maven").
set -euo pipefail
BENCH=maven.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=${RUNS:-5}                   # measured rounds (each: one run per server + one baseline run)
WARMUP=${WARMUP:-1}               # discarded rounds before the measured ones
ARTIFACTS=${ARTIFACTS:-60}        # number of libraries the consumer depends on
MEMBERS=10                        # local repositories behind the virtual
NGINX_AUTH=${NGINX_AUTH:-sha}     # sha|plain|none: basic auth on nginx too (htpasswd scheme)
MVN_TIMEOUT=${MVN_TIMEOUT:-180}   # seconds: a single mvn run is killed after this
LOG_REQUESTS=${LOG_REQUESTS:-1}   # 1: both servers log each request (counted in the report)
# ARCA_BIN=path: use this arca binary instead of building ./cmd/arca; KEEP_TMP=1: keep the temp
# dir (settings, poms, logs, the last local repositories).
ARCA_PASSWORD=secret


for v in RUNS WARMUP ARTIFACTS MVN_TIMEOUT; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
[[ $RUNS -ge 1 && $ARTIFACTS -ge 1 && $ARTIFACTS -le 999 && $MVN_TIMEOUT -ge 10 ]] ||
	die "RUNS must be >= 1, ARTIFACTS 1..999, MVN_TIMEOUT >= 10"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
[[ -f $repo_root/go.mod && -d $repo_root/cmd/arca ]] || die "cannot find the repository root (go.mod, cmd/arca) above $script_dir"

# ---------------------------------------------------------------- tools
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] ||
	die "nginx is missing: install it, e.g. 'apt-get install --no-install-recommends nginx-light'"
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
command -v mvn >/dev/null 2>&1 || die "mvn is missing (see docs/development.md)"
DEP_PLUGIN=/usr/share/maven-repo/org/apache/maven/plugins/maven-dependency-plugin/3.5.0
[[ -d $DEP_PLUGIN ]] || die "maven-dependency-plugin 3.5.0 is not in /usr/share/maven-repo: apt-get install --no-install-recommends libmaven-dependency-plugin-java maven-debian-helper"
[[ -n ${ARCA_BIN:-} ]] || command -v go >/dev/null 2>&1 || die "go is not on PATH"
command -v python3 >/dev/null 2>&1 || die "python3 is required (it writes the jars and checksums)"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) is required"

# ---------------------------------------------------------------- build and start Arca
build_arca

mkdir -p "$TMP/www/artifactory/mv"
arca_flags=()
[[ $LOG_REQUESTS == 1 ]] && arca_flags+=(--log-requests)
start_arca ${arca_flags[@]+"${arca_flags[@]}"}

acurl() { curl -sS --fail-with-body --max-time 60 -u "admin:$ARCA_PASSWORD" "$@"; }
members=()
for ((m = 0; m < MEMBERS; m++)); do
	acurl -o /dev/null -X PUT -H 'Content-Type: application/json' "$arca_base/api/repositories/m$m" \
		-d '{"rclass":"local","packageType":"maven"}' || die "could not create repository m$m"
	members+=("\"m$m\"")
done
acurl -o /dev/null -X PUT -H 'Content-Type: application/json' "$arca_base/api/repositories/mv" \
	-d "{\"rclass\":\"virtual\",\"packageType\":\"maven\",\"repositories\":[$(IFS=,; echo "${members[*]}")]}" ||
	die "could not create the virtual repository mv"

# ---------------------------------------------------------------- the artifacts
# The nginx tree doubles as the source of the deploys: www/artifactory/mv/<maven layout>.
www=$TMP/www/artifactory/mv
python3 - "$www" "$ARTIFACTS" <<'EOF' || die "could not generate the artifacts"
import hashlib, io, os, sys, zipfile
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    a = "lib-%02d" % i
    d = os.path.join(root, "com/acme/bench", a, "1.0")
    os.makedirs(d, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        # fixed timestamp: the same bytes on every run
        zi = zipfile.ZipInfo("com/acme/bench/lib%02d/VERSION.txt" % i, (2024, 1, 1, 0, 0, 0))
        z.writestr(zi, "com.acme.bench:%s:1.0\n" % a)
    pom = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
           "  <modelVersion>4.0.0</modelVersion>\n"
           "  <groupId>com.acme.bench</groupId>\n"
           "  <artifactId>%s</artifactId>\n"
           "  <version>1.0</version>\n"
           "  <packaging>jar</packaging>\n"
           "</project>\n" % a).encode()
    for ext, data in (("jar", buf.getvalue()), ("pom", pom)):
        f = os.path.join(d, "%s-1.0.%s" % (a, ext))
        with open(f, "wb") as fh: fh.write(data)
        for alg in ("sha1", "md5"):
            with open(f + "." + alg, "w") as fh: fh.write(hashlib.new(alg, data).hexdigest())
EOF

say "deploying $ARTIFACTS artifacts (jar + pom + .sha1 each) round-robin over m0..m$((MEMBERS - 1)) ..."
for ((i = 0; i < ARTIFACTS; i++)); do
	a=$(printf 'lib-%02d' "$i")
	p=com/acme/bench/$a/1.0/$a-1.0
	repo=m$((i % MEMBERS))
	# One curl per artifact, four uploads on one connection.
	acurl -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		-T "$www/$p.jar" "$arca_base/$repo/$p.jar" -T "$www/$p.jar.sha1" "$arca_base/$repo/$p.jar.sha1" \
		-T "$www/$p.pom" "$arca_base/$repo/$p.pom" -T "$www/$p.pom.sha1" "$arca_base/$repo/$p.pom.sha1" ||
		die "could not deploy $a to $repo"
done

# ---------------------------------------------------------------- nginx
auth_conf=""
case $NGINX_AUTH in
sha)
	python3 -c 'import base64,hashlib,sys; print("admin:{SHA}"+base64.b64encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode())' \
		"$ARCA_PASSWORD" >"$TMP/htpasswd"
	auth_note="nginx requires basic auth too (htpasswd {SHA})" ;;
plain)
	printf 'admin:{PLAIN}%s\n' "$ARCA_PASSWORD" >"$TMP/htpasswd"
	auth_note="nginx requires basic auth too (htpasswd {PLAIN})" ;;
none) auth_note="nginx serves WITHOUT auth (NGINX_AUTH=none)" ;;
*) die "NGINX_AUTH must be sha, plain or none" ;;
esac
[[ $NGINX_AUTH == none ]] || auth_conf="auth_basic \"bench\"; auth_basic_user_file $TMP/htpasswd;"
if [[ $LOG_REQUESTS == 1 ]]; then
	nginx_access="access_log $TMP/nginx-access.log;"
	log_note="both servers log each request (nginx access_log, arca --log-requests)"
else
	nginx_access="access_log off;"
	log_note="request logging off on both servers"
fi

ncpu=$(nproc 2>/dev/null || echo 1)
start_nginx "$ncpu" "$nginx_access" "types { application/java-archive jar; text/xml pom; }"

# ---------------------------------------------------------------- identical bytes?
# Every file Maven will ask for (jar, pom and their .sha1), from both servers, through the URL
# the mirror uses. One curl per server and artifact.
say "checking that both servers serve the same $((ARTIFACTS * 4)) files ..."
for ((i = 0; i < ARTIFACTS; i++)); do
	a=$(printf 'lib-%02d' "$i")
	p=com/acme/bench/$a/1.0/$a-1.0
	want=$(cat "$www/$p.jar" "$www/$p.jar.sha1" "$www/$p.pom" "$www/$p.pom.sha1" | cksum)
	for base in "$arca_base/mv" "$nginx_base/mv"; do
		got=$(curl -sS --fail --max-time 30 -u "admin:$ARCA_PASSWORD" \
			"$base/$p.jar" "$base/$p.jar.sha1" "$base/$p.pom" "$base/$p.pom.sha1" | cksum) ||
			die "GET $base/$p.{jar,pom}(.sha1) failed"
		[[ $got == "$want" ]] || die "$base serves different bytes for $p.{jar,pom}(.sha1)"
	done
done
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$arca_base/mv/com/acme/bench/lib-00/1.0/lib-00-1.0.pom")
[[ $code == 401 ]] || say "note: arca answered $code (not 401) to an anonymous GET through mv"

# ---------------------------------------------------------------- the Maven projects
deps=""
for ((i = 0; i < ARTIFACTS; i++)); do
	deps+=$(printf '    <dependency><groupId>com.acme.bench</groupId><artifactId>lib-%02d</artifactId><version>1.0</version></dependency>\n' "$i")
	deps+=$'\n'
done
mkproject() { # dir artifactId dependencies-xml
	mkdir -p "$1"
	cat >"$1/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme.bench</groupId>
  <artifactId>$2</artifactId>
  <version>1.0</version>
  <packaging>pom</packaging>
  <dependencies>
$3  </dependencies>
</project>
EOF
}
mkproject "$TMP/consumer" consumer "$deps"
mkproject "$TMP/baseline" baseline ""

mksettings() { # file mirror-url
	cat >"$1" <<EOF
<settings>
  <servers><server><id>bench</id><username>admin</username><password>$ARCA_PASSWORD</password></server></servers>
  <mirrors><mirror><id>bench</id><mirrorOf>*,!debian</mirrorOf><url>$2</url></mirror></mirrors>
  <profiles><profile><id>debian-plugins</id>
    <pluginRepositories><pluginRepository><id>debian</id><url>file:///usr/share/maven-repo</url>
      <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
      <snapshots><enabled>false</enabled></snapshots></pluginRepository></pluginRepositories>
  </profile></profiles>
  <activeProfiles><activeProfile>debian-plugins</activeProfile></activeProfiles>
</settings>
EOF
}
mksettings "$TMP/settings-arca.xml" "$arca_base/mv/"
mksettings "$TMP/settings-nginx.xml" "$nginx_base/mv/"

# ---------------------------------------------------------------- one timed mvn run
# Counting requests: the lines each server's log grew by during the run.
log_lines() { # name -> lines of request log so far
	if [[ $LOG_REQUESTS != 1 ]]; then echo 0; return; fi
	if [[ $1 == nginx ]]; then
		[[ -f $TMP/nginx-access.log ]] && wc -l <"$TMP/nginx-access.log" || echo 0
	else
		grep -c 'msg=request' "$TMP/arca.log" || true
	fi
}
# Status histogram of the request-log lines after line $2 of server $1, e.g. "200:120 401:1".
log_statuses() {
	if [[ $1 == nginx ]]; then
		tail -n +"$(($2 + 1))" "$TMP/nginx-access.log" | awk '{ c[$9]++ } END { for (s in c) printf "%s:%d ", s, c[s] }'
	else
		grep 'msg=request' "$TMP/arca.log" | tail -n +"$(($2 + 1))" |
			awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^status=/) { sub(/^status=/, "", $i); c[$i]++ } }
				END { for (s in c) printf "%s:%d ", s, c[s] }'
	fi
}

# cpu_ticks PID: utime+stime, in clock ticks, of PID and its direct children (nginx's
# workers), read from /proc. Server CPU per run is much less sensitive to other load on the
# machine than wall time.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
# busy_pct: share of all CPUs busy over 2 s while nothing of ours runs (that is other work).
declare -A server_pid=([nginx]=$nginx_pid [arca]=$arca_pid)

declare -A secs reqs stats cpums
mvn_run() { # name(nginx|arca|baseline) label -> secs[label]
	local name=$1 label=$2 m2=$TMP/m2-$2 project=$TMP/consumer settings
	case $name in
	nginx) settings=$TMP/settings-nginx.xml ;;
	arca) settings=$TMP/settings-arca.xml ;;
	baseline) settings=$TMP/settings-nginx.xml project=$TMP/baseline ;;
	esac
	rm -rf "$m2"
	mkdir -p "$m2"
	local n0=0 t0 t1 c0=0 c1=0 rc=0
	if [[ $name != baseline ]]; then
		n0=$(log_lines "$name")
		c0=$(cpu_ticks "${server_pid[$name]}")
	fi
	t0=$(date +%s%N)
	# In the background so that a signal reaches our trap at once.
	timeout "$MVN_TIMEOUT" mvn -B -q -s "$settings" -Dmaven.repo.local="$m2" -f "$project/pom.xml" \
		org.apache.maven.plugins:maven-dependency-plugin:3.5.0:resolve >"$TMP/mvn-$label.log" 2>&1 &
	child_pid=$!
	wait "$child_pid" || rc=$?
	child_pid=""
	t1=$(date +%s%N)
	[[ $name == baseline ]] || c1=$(cpu_ticks "${server_pid[$name]}")
	if ((rc)); then
		tail -n 30 "$TMP/mvn-$label.log" >&2
		die "mvn against $name failed (exit $rc$( ((rc == 124)) && echo ", timed out after ${MVN_TIMEOUT}s"))"
	fi
	if [[ $name != baseline ]]; then
		local got
		got=$(find "$m2/com/acme/bench" -name 'lib-*-1.0.jar' 2>/dev/null | wc -l)
		((got == ARTIFACTS)) || die "mvn against $name left $got jars in its local repository, want $ARTIFACTS"
		# Same bytes as generated?
		(cd "$m2/com/acme/bench" && find . -name 'lib-*-1.0.jar' -o -name 'lib-*-1.0.pom' | sort | xargs sha1sum) >"$TMP/got.sha1"
		(cd "$www/com/acme/bench" && find . -name 'lib-*-1.0.jar' -o -name 'lib-*-1.0.pom' | sort | xargs sha1sum) >"$TMP/want.sha1"
		cmp -s "$TMP/got.sha1" "$TMP/want.sha1" || die "mvn against $name stored different jar/pom bytes than were deployed"
		cpums[$label]=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", d * 1000 / hz }')
		if [[ $LOG_REQUESTS == 1 ]]; then
			sleep 0.05 # let the last log lines land
			reqs[$label]=$(($(log_lines "$name") - n0))
			stats[$label]=$(log_statuses "$name" "$n0")
		fi
	fi
	secs[$label]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	[[ ${KEEP_TMP:-0} != 0 ]] || rm -rf "$m2"
}

# ---------------------------------------------------------------- the rounds
total=$((WARMUP + RUNS))
busy_before=$(busy_pct)
for ((round = 1; round <= total; round++)); do
	if ((round <= WARMUP)); then tag="warm-up $round/$WARMUP"; else tag="round $((round - WARMUP))/$RUNS"; fi
	if ((round % 2)); then order=(nginx arca baseline); else order=(arca nginx baseline); fi
	line="$tag:"
	for name in "${order[@]}"; do
		mvn_run "$name" "$name.$round"
		line+=" $name ${secs[$name.$round]}s"
	done
	say "$line"
done
kill -0 "$arca_pid" 2>/dev/null || die "arca died during the benchmark"
busy_after=$(busy_pct)

# ---------------------------------------------------------------- report
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

declare -A med range cmed
for name in nginx arca baseline; do
	v=() c=()
	for ((round = WARMUP + 1; round <= total; round++)); do
		v+=("${secs[$name.$round]}")
		[[ $name == baseline ]] || c+=("${cpums[$name.$round]}")
	done
	med[$name]=$(median "${v[@]}")
	range[$name]=$(minmax "${v[@]}")
	[[ $name == baseline ]] || cmed[$name]=$(median "${c[@]}")
done
pr=()
for ((round = WARMUP + 1; round <= total; round++)); do pr+=("$(ratio "${secs[arca.$round]}" "${secs[nginx.$round]}")"); done

echo
echo "Maven resolve: Arca virtual (${MEMBERS} local members) vs nginx, $ARTIFACTS artifacts (jar + pom)"
echo "  $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $ncpu CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown CPU))"
echo "  $(mvn -v 2>/dev/null | sed -n '1s/\x1b\[[0-9;]*m//g; 1p'); $(java -version 2>&1 | head -1)"
echo "  mvn -B -q maven-dependency-plugin:3.5.0:resolve, fresh local repository per run, mirror *,!debian"
echo "  $RUNS measured round(s) after $WARMUP warm-up round(s), alternating order; medians of wall time"
echo "  nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), $ncpu worker(s); $auth_note; $log_note"
echo "  other CPU use on the machine (all CPUs, 2 s sample): ${busy_before}% before, ${busy_after}% after"
echo "  arca $("$TMP/arca" version 2>/dev/null | awk 'NR==1{print $2}') ($(go version 2>/dev/null | awk '{print $3}')), virtual mv over m0..m$((MEMBERS - 1)), lib-NN in m(NN mod $MEMBERS)"
echo
printf '%-28s | %9s %12s | %s\n' "" "median s" "min-max s" "server CPU ms/run (median)"
printf '%s\n' "-----------------------------+------------------------+---------------------------"
printf '%-28s | %9.2f %12s | %6.0f\n' "nginx" "${med[nginx]}" "${range[nginx]}" "${cmed[nginx]}"
printf '%-28s | %9.2f %12s | %6.0f\n' "arca (virtual mv)" "${med[arca]}" "${range[arca]}" "${cmed[arca]}"
printf '%-28s | %9.2f %12s |\n' "baseline (no deps, no HTTP)" "${med[baseline]}" "${range[baseline]}"
echo
echo "ratio arca/nginx (wall): $(ratio "${med[arca]}" "${med[nginx]}")   per round: ${pr[*]}"
awk -v n="${med[nginx]}" -v a="${med[arca]}" -v b="${med[baseline]}" -v k="$ARTIFACTS" 'BEGIN {
	rn = n - b; ra = a - b
	printf "resolution time without JVM/Maven start-up (median - baseline): nginx %.2f s, arca %.2f s", rn, ra
	if (rn > 0.05) printf ", ratio %.2f", ra / rn
	printf "\n"
	printf "difference per artifact (arca - nginx) / %d: %+.1f ms (4 requests each: pom, pom.sha1, jar, jar.sha1)\n", k, (a - n) * 1000 / k }'
if [[ $LOG_REQUESTS == 1 ]]; then
	r=$((WARMUP + 1))
	echo "requests in round 1: nginx ${reqs[nginx.$r]} (${stats[nginx.$r]% }), arca ${reqs[arca.$r]} (${stats[arca.$r]% })"
fi
exit 0
