#!/usr/bin/env bash
# Runs every test of Arca: vet, the unit/conformance/end-to-end tests of the main module (with
# the race detector), the S3 blob store's suite on MinIO, the end-to-end tests again on
# PostgreSQL metadata and S3 blobs, and the acceptance suite that drives Arca through
# jfrog-client-go. Ends with which real-client suites ran and
# which were skipped, and why; with CI set, a skipped client suite fails the run (CI installs
# every client: .ci/install-clients).
set -euo pipefail
cd "$(dirname "$0")"
report="$(mktemp)"
export ARCA_CLIENT_REPORT="$report"

# MinIO, a real S3 server, for the S3 blob store's suites: $ARCA_MINIO, else minio on PATH,
# else built once from the Go module proxy into the cache (about 10 minutes on 2 cores), in
# the background while the other suites run.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
minio_pid=""
minio_log="$(mktemp)"
trap 'rm -f "$report" "$minio_log"' EXIT
if [ -z "${ARCA_MINIO:-}" ]; then
  if command -v minio >/dev/null 2>&1; then
    ARCA_MINIO="$(command -v minio)"
  else
    minio_cache="${XDG_CACHE_HOME:-$HOME/.cache}/arca/minio-$MINIO_VERSION"
    ARCA_MINIO="$minio_cache/minio"
    if [ ! -x "$ARCA_MINIO" ]; then
      echo "== building MinIO $MINIO_VERSION into $minio_cache (background)"
      (rm -rf "$minio_cache.partial" && mkdir -p "$minio_cache.partial" &&
        GOBIN="$minio_cache.partial" nice go install "github.com/minio/minio@$MINIO_VERSION" &&
        rm -rf "$minio_cache" && mv "$minio_cache.partial" "$minio_cache") >"$minio_log" 2>&1 &
      minio_pid=$!
    fi
  fi
fi
export ARCA_MINIO

echo "== go vet"
go vet ./...
echo "== unit, conformance and end-to-end tests"
status=0
# Everything but the S3 store's own suite, which waits for MinIO below.
go test -race -count=1 $(go list ./... | grep -v '/internal/blob/s3blob$') || status=$?
if [ -n "$minio_pid" ] && ! wait "$minio_pid"; then
  echo "building MinIO failed:" >&2
  tail -20 "$minio_log" >&2
  rm -f "$ARCA_MINIO"
fi
# The metadata store's suites (metatest, the AQL corpus) ran on SQLite and PostgreSQL above;
# the blob store's conformance suite runs on MinIO here, and the end-to-end tests once more
# with every server on PostgreSQL metadata and S3 blobs, as the nodes of a cluster run.
echo "== S3 blob store on MinIO"
go test -race -count=1 ./internal/blob/s3blob/ || status=$?
echo "== end-to-end tests on PostgreSQL metadata and S3 blobs"
if [ -x "$ARCA_MINIO" ] && command -v initdb >/dev/null 2>&1 || [ -n "${CI:-}" ]; then
  ARCA_TEST_METADATA=postgres ARCA_TEST_BLOBS=s3 go test -count=1 ./e2e/ || status=$?
else
  echo "SKIPPED: needs MinIO ($ARCA_MINIO) and the PostgreSQL server binaries (initdb on PATH)"
fi
echo "== acceptance (jfrog-client-go)"
(cd acceptance && go vet ./... && go test -count=1 ./...) || status=$?

echo "== client suites"
skipped=0
for c in mvn npm pnpm yarn bun; do
  if grep -q "^$c	ran" "$report"; then
    echo "ran      $c"
  elif why="$(grep -m1 "^$c	skipped: " "$report" | cut -f2-)"; [ -n "$why" ]; then
    echo "SKIPPED  $c: ${why#skipped: }"
    skipped=1
  else
    echo "SKIPPED  $c: no test looked for it (a -run filter, or a build failure)"
    skipped=1
  fi
done
if [ "$skipped" = 1 ] && [ -n "${CI:-}" ]; then
  echo "CI is set and a client suite was skipped: failing" >&2
  status=1
fi
exit "$status"
