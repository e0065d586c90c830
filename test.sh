#!/usr/bin/env bash
# Runs every test of Arca: vet, the unit/conformance/end-to-end tests of the main module (with
# the race detector), and the acceptance suite that drives Arca through jfrog-client-go.
set -euo pipefail
cd "$(dirname "$0")"
echo "== go vet"
go vet ./...
echo "== unit, conformance and end-to-end tests"
go test -race -count=1 ./...
echo "== acceptance (jfrog-client-go)"
(cd acceptance && go vet ./... && go test -count=1 ./...)
