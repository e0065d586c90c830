#!/usr/bin/env bash
# Builds the release binary: static (CGO_ENABLED=0; the SQLite driver is modernc.org/sqlite,
# pure Go), without local paths (-trimpath) or debug symbols (-s -w), stamped with the version
# `arca version` prints (git describe; override with VERSION=…). Cross-compile with GOOS/GOARCH.
#   ./release.sh                 → ./arca
#   GOOS=darwin GOARCH=arm64 OUT=arca-darwin-arm64 ./release.sh
set -euo pipefail
cd "$(dirname "$0")"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
out="${OUT:-arca}"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$out" ./cmd/arca
echo "built $out ($version, $(du -h "$out" | cut -f1))"
