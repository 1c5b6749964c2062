#!/usr/bin/env bash
# Samples where the crawler's CPU goes during one politeness-off crawl of the simulated web
# (perf with the .NET perf map), and counts the TCP connections it opens (strace, second run).
# usage: bench/profile-crawler.sh [--sites N] [--pages N] [--out DIR]   (build Release first)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sites=24 pages=150 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;; --pages) pages=$2; shift 2 ;; --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "${CRAWL_BENCH_INNER:-}" ]]; then
  out=${out:-$(mktemp -d /tmp/crawl-profile.XXXXXX)}; mkdir -p "$out"
  exec unshare -rn env CRAWL_BENCH_INNER=1 "$0" --sites "$sites" --pages "$pages" --out "$out"
fi
ip link set lo up
dll="$repo/src/Crawler.Node/bin/Release/net10.0/crawler.dll"
sim_pid=""
trap '[[ -n "$sim_pid" ]] && kill -TERM "$sim_pid" 2>/dev/null; wait' EXIT

crawl() { # $1 = label, rest = wrapper command
  local label=$1; shift
  local dir="$out/$label"; mkdir -p "$dir"
  dotnet "$dll" simulate --sites "$sites" --pages "$pages" --info "$dir/info.json" >"$dir/simulate.log" 2>&1 &
  sim_pid=$!
  until [[ -s "$dir/info.json" ]] && jq -e . "$dir/info.json" >/dev/null 2>&1; do sleep 0.2; done
  (
    while IFS=$'\t' read -r k v; do export "$k=$v"; done < <(jq -r '.environment | to_entries[] | "\(.key)\t\(.value)"' "$dir/info.json")
    export Crawler__DataDirectory="$dir/data" Crawler__Crawl__Politeness__MinDelay=00:00:00 \
      Crawler__Crawl__Politeness__DelayFactor=0 Crawler__Crawl__Politeness__RespectCrawlDelay=false \
      DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
    cd "$dir"
    "$@" dotnet "$dll" run --no-live --exit-when-done >"$dir/crawler.log" 2>&1
  )
  kill -TERM "$sim_pid"; wait "$sim_pid" || true; sim_pid=""
}

[[ "${SKIP_PERF:-}" ]] || crawl perf perf record -F 999 -g -o "$out/perf/perf.data" --
[[ "${SKIP_PERF:-}" ]] || perf report -i "$out/perf/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep '%' | head -25 >"$out/by-thread-dso.txt" || true
[[ "${SKIP_PERF:-}" ]] || perf report -i "$out/perf/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep '%' | head -60 >"$out/by-symbol.txt" || true
[[ "${SKIP_PERF:-}" ]] || perf report -i "$out/perf/perf.data" --children --sort sym --stdio -g none 2>/dev/null | grep '%' | head -80 >"$out/inclusive.txt" || true
crawl strace strace -f -e trace=connect -o "$out/strace/connect.txt"
echo "captures: $(sqlite3 "$out/strace/data/crawler.db" 'select count(*) from captures')" >"$out/connections.txt"
echo "TCP connects to the web (not the DNS server): $(grep 'connect(' "$out/strace/connect.txt" | grep 'AF_INET' | grep -vc "htons($(jq -r .dns "$out/strace/info.json" | cut -d: -f2))")" >>"$out/connections.txt"
cat "$out/by-thread-dso.txt" "$out/connections.txt"
echo "profile: $out" >&2
