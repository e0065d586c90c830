#!/usr/bin/env bash
# Storage configurations side by side: SQLite + files with one node, PostgreSQL + MinIO with
# one node and with three nodes, each measured for authenticated 1 KiB GETs and 1 MiB PUTs of
# new artifacts in one run (bench/clusterbench), with the ratios to the embedded default.
#
#   bash bench/cluster.sh
#
# Needs the PostgreSQL server binaries (initdb, pg_ctl, postgres) and MinIO ($ARCA_MINIO, minio
# on PATH, or the one ./test.sh builds into ~/.cache/arca/). Knobs: SECONDS_EACH (10),
# GET_CLIENTS (32), PUT_CLIENTS (8). Every process shares the machine's CPUs: on a 2-core VM
# the figures say what the storage costs per request more than what a cluster of real
# machines would serve.
set -euo pipefail
BENCH=cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
command -v initdb >/dev/null 2>&1 || die "the PostgreSQL server binaries (initdb) are not on PATH"
if [[ -z ${ARCA_MINIO:-} ]]; then
	ARCA_MINIO=$(command -v minio || ls "${XDG_CACHE_HOME:-$HOME/.cache}"/arca/minio-*/minio 2>/dev/null | tail -1 || true)
fi
[[ -n $ARCA_MINIO && -x $ARCA_MINIO ]] || die "no MinIO: set ARCA_MINIO (./test.sh builds one into ~/.cache/arca/)"
export ARCA_MINIO
(cd "$repo_root" && go build -o "$TMP/arca" ./cmd/arca && go build -o "$TMP/clusterbench" ./bench/clusterbench) ||
	die "go build failed"
echo "CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?'), $(nproc) CPUs; arca $(cd "$repo_root" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "other CPU use before: $(busy_pct)%"
"$TMP/clusterbench" -arca "$TMP/arca" -seconds "${SECONDS_EACH:-10}" -get-clients "${GET_CLIENTS:-32}" -put-clients "${PUT_CLIENTS:-8}"
