#!/usr/bin/env bash
# CDX query benchmark (issue 10): GET /cdx over 1,000,000 captures. bench/Crawler.Bench.Cdx fills a SQLite store
# through the real SqliteCrawlStore (ICrawlStore.CommitAsync, 1,000 captures per commit) with a seeded corpus
# (60 sites, four state-media sites holding 25/20/15/10 % of the captures, 1-8 captures per URL over 40 epochs,
# statuses 200/301/404/304), then serves it with the node's serve host (NodeHost.BuildServeHost on 127.0.0.1) and
# times a mix of pywb CDX queries one at a time over HTTP: p50/p95/p99 per query kind (exact, prefix, host and
# domain matches, with limits, pages 1 to 1000 and page counts) and over all of them. Prints the fill time and file
# size, and the markdown table. A store filled by an older crawler gains what it lacks when the query step opens it:
# its CDX keys (schema 5, about 10 s for 1,000,000 captures), its key blocks (schema 6).
#
# usage: bench/cdx-queries.sh [--captures N] [--samples K] [--db FILE] [--keep]
#   --db FILE: reuse (or create) this store instead of a new one in a temporary directory; the fill is skipped when
#   it exists (it must have been filled with the same --captures). --keep: leave the temporary store behind.
# The queries run inside a network namespace with only loopback (`unshare -rn`): no packet can leave this machine.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
captures=1000000 samples=200 db="" keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --captures) captures=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bench_dll="$repo/bench/Crawler.Bench.Cdx/bin/Release/net10.0/crawler-bench-cdx.dll"
echo "building Release..." >&2
log=$(mktemp /tmp/cdx-bench-build.XXXXXX)
dotnet build "$repo/bench/Crawler.Bench.Cdx" -c Release -nologo -v quiet >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }

if [[ -z "$db" ]]; then
  dir=$(mktemp -d /tmp/cdx-bench.XXXXXX)
  db="$dir/cdx.db"
  [[ $keep == 1 ]] || trap 'rm -rf "$dir"' EXIT
fi

if [[ ! -f "$db" ]]; then
  echo "filling $db with $captures captures..." >&2
  dotnet "$bench_dll" fill --db "$db" --captures "$captures"
else
  echo "reusing $db ($(stat -c %s "$db") bytes)" >&2
fi

echo "querying..." >&2
unshare -rn bash -c "source '$repo/bench/lib/simulation.sh'; require_loopback_only; \
  exec dotnet '$bench_dll' query --db '$db' --captures '$captures' --samples '$samples'"
