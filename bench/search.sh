#!/usr/bin/env bash
# Full-text search bench (issue 10): indexes 100,000 generated pages into SQLite FTS5 and times a set of searches.
# Usage: bench/search.sh [--pages N] [--runs N] [--seed N]   (writes into a temporary folder, removed afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build bench/Crawler.Bench.Search -c Release -o "$out/bin" -v q -nologo >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD) $(nproc) cores" >&2
dotnet "$out/bin/crawler-bench-search.dll" --data "$out/data" "$@"
