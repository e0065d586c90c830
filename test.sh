#!/usr/bin/env bash
# Runs every test of Arca: vet, the unit/conformance/end-to-end tests of the main module (with
# the race detector; the storage suites on SQLite and PostgreSQL, files and MinIO), the
# end-to-end tests again on PostgreSQL metadata and S3 blobs, and the acceptance suite that
# drives Arca through jfrog-client-go. Ends with which real-client suites ran and which were
# skipped, and why; with CI set, a skipped client suite fails the run (CI installs every
# client: .ci/install-clients).
set -euo pipefail
cd "$(dirname "$0")"
report="$(mktemp)"
export ARCA_CLIENT_REPORT="$report"

# MinIO, a real S3 server, for the S3 blob store's suites: $ARCA_MINIO, else minio on PATH,
# else built once from the Go module proxy into the cache (about 8 minutes on 2 cores; before
# the tests, not beside them: the end-to-end tests' timeouts are tight).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
trap 'rm -f "$report"' EXIT
if [ -z "${ARCA_MINIO:-}" ]; then
  if command -v minio >/dev/null 2>&1; then
    ARCA_MINIO="$(command -v minio)"
  else
    minio_cache="${XDG_CACHE_HOME:-$HOME/.cache}/arca/minio-$MINIO_VERSION"
    ARCA_MINIO="$minio_cache/minio"
    if [ ! -x "$ARCA_MINIO" ]; then
      echo "== building MinIO $MINIO_VERSION into $minio_cache (once)"
      rm -rf "$minio_cache.partial" && mkdir -p "$minio_cache.partial"
      if GOBIN="$minio_cache.partial" go install "github.com/minio/minio@$MINIO_VERSION"; then
        rm -rf "$minio_cache" && mv "$minio_cache.partial" "$minio_cache"
      else
        echo "building MinIO failed: the S3 suites cannot run" >&2
      fi
    fi
  fi
fi
export ARCA_MINIO

echo "== go vet"
go vet ./...
echo "== unit, conformance and end-to-end tests"
status=0
go test -race -count=1 ./... || status=$?
# The metadata store's suites (metatest, the AQL corpus) and the blob store's ran above on
# SQLite and PostgreSQL, on files and MinIO; the end-to-end tests run once more with every
# server on PostgreSQL metadata and S3 blobs, as the nodes of a cluster run.
echo "== end-to-end tests on PostgreSQL metadata and S3 blobs"
if [ -x "$ARCA_MINIO" ] && command -v initdb >/dev/null 2>&1 || [ -n "${CI:-}" ]; then
  ARCA_TEST_METADATA=postgres ARCA_TEST_BLOBS=s3 go test -count=1 ./e2e/ || status=$?
else
  echo "SKIPPED: needs MinIO ($ARCA_MINIO) and the PostgreSQL server binaries (initdb on PATH)"
fi
echo "== cluster test: 3 nodes on PostgreSQL and MinIO behind nginx, one killed and restarted"
if [ -x "$ARCA_MINIO" ] && command -v initdb >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || [ -n "${CI:-}" ]; then
  ARCA_CLUSTER_TEST=1 go test -count=1 -v -run '^TestCluster$' ./e2e/cluster/ 2>&1 | grep -v '^=== ' || status=1
else
  echo "SKIPPED: needs MinIO, the PostgreSQL server binaries and nginx"
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
