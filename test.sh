#!/usr/bin/env bash
# Runs every test of Arca: vet, the unit/conformance/end-to-end tests of the main module (with
# the race detector), the end-to-end tests again on PostgreSQL metadata, and the acceptance
# suite that drives Arca through jfrog-client-go. Ends with which real-client suites ran and
# which were skipped, and why; with CI set, a skipped client suite fails the run (CI installs
# every client: .ci/install-clients).
set -euo pipefail
cd "$(dirname "$0")"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
export ARCA_CLIENT_REPORT="$report"

echo "== go vet"
go vet ./...
echo "== unit, conformance and end-to-end tests"
status=0
go test -race -count=1 ./... || status=$?
# The metadata store's suites (metatest, the AQL corpus) ran on SQLite and PostgreSQL above;
# the end-to-end tests run once more with every server's metadata in PostgreSQL.
echo "== end-to-end tests on PostgreSQL metadata"
ARCA_TEST_METADATA=postgres go test -count=1 ./e2e/ || status=$?
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
