#!/usr/bin/env bash
# Memory and end of epoch on a page with 1,000,000 links (issue 11), against a normal crawl of the same size.
#
# usage: bench/many-links.sh [--links N] [--out DIR]
#
# Two `crawler run --exit-when-done` processes (default settings, politeness off), one after the other, each against
# one site served on 127.0.0.1 by a small Python server (bench/lib/link-site.py) in a loopback-only network namespace:
#   hostile: the front page links to N pages (default 1,000,000, about 24 MB of HTML); every page is small, without links;
#   normal:  the same number of pages the hostile crawl archives, reached as a normal site is: 100 listing pages of
#            100 links each, chained.
# Per run: pages archived, wall time, peak RSS (/usr/bin/time), the time from the last capture to the epoch's end, and
# the crawl log's rows (what was declined and why).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
links=1000000 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --links) links=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/many-links.XXXXXX)}
mkdir -p "$out"
crawler_dll="$repo/src/Crawler.Node/bin/Release/net10.0/crawler.dll"

if [[ -z "${LINKS_BENCH_INNER:-}" ]]; then
  for tool in jq python3 unshare ip sqlite3; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  [[ -x /usr/bin/time ]] || { echo "missing: /usr/bin/time (Debian package time)" >&2; exit 1; }
  echo "building Release..." >&2
  dotnet build "$repo/src/Crawler.Node" -c Release -nologo -v quiet >>"$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 1; }
  exec unshare -rn env LINKS_BENCH_INNER=1 "$0" --links "$links" --out "$out"
fi

source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only

run() { # $1 = kind (hostile|normal), $2 = pages the normal site has
  local kind=$1 pages=$2 dir="$out/$1" port=18080
  mkdir -p "$dir"
  python3 "$(dirname "$0")/lib/link-site.py" --kind "$kind" --links "$links" --pages "$pages" --port "$port" >"$dir/site.log" 2>&1 &
  helper_pids+=("$!")
  wait_listening "$port"
  local start end
  start=$(date +%s.%N)
  env Crawler__DataDirectory="$dir/data" Crawler__Seeds__File= Crawler__Seeds__Urls__0="http://127.0.0.1:$port/" \
    Crawler__Crawl__ScopeAddressRanges__0=127.0.0.0/8 Crawler__AddressGuard__Allow__0=127.0.0.0/8 Crawler__AddressGuard__AllowPublic=false \
    Crawler__Dns__Servers__0=127.0.0.1:53 Crawler__Crawl__Politeness__MinDelay=00:00:00 Crawler__Crawl__Politeness__DelayFactor=0 \
    Crawler__Crawl__Politeness__RespectCrawlDelay=false Crawler__Uptime__Enabled=false Crawler__Discovery__Enabled=false Crawler__Http__Urls= \
    /usr/bin/time -v -o "$dir/time.txt" dotnet "$crawler_dll" run --no-live --exit-when-done >"$dir/crawler.log" 2>&1
  end=$(date +%s.%N)
  for p in "${helper_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  helper_pids=()
  local db="$dir/data/crawler.db" captures last rss
  captures=$(sqlite3 "$db" "select count(*) from captures")
  last=$(sqlite3 "$db" "select max(fetched_at) from captures")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time.txt")
  sqlite3 -separator ' ' "$db" "select reason, count(*) from crawl_log group by reason" >"$dir/crawl-log.txt" 2>/dev/null || true
  jq -n --arg kind "$kind" --argjson captures "$captures" --arg last "$last" --argjson rss "$rss" \
    --argjson t0 "$start" --argjson t1 "$end" --rawfile log "$dir/crawl-log.txt" \
    '{kind: $kind, captures: $captures, seconds: ((($t1 - $t0) * 10 | round) / 10), peakRssMb: (($rss / 1024) | round),
      lastCapture: $last, crawlLog: $log}'
}

hostile=$(run hostile 0)
echo "$hostile" | tee "$out/hostile.json" >&2
pages=$(echo "$hostile" | jq .captures)
normal=$(run normal "$pages")
echo "$normal" | tee "$out/normal.json" >&2
echo "results in $out (each run's crawler.log ends with the epoch's completion; compare its time with lastCapture)" >&2
