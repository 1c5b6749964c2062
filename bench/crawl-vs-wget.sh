#!/usr/bin/env bash
# Crawl benchmark (issue 2): this crawler vs `wget --recursive --warc-file` over the same simulated
# .kp web, politeness off, robots.txt on for both. Prints a markdown table of pages/s, peak RSS
# and CPU seconds per 1,000 pages (medians over RUNS alternating runs) and the crawler/wget ratios.
#
# usage: bench/crawl-vs-wget.sh [--sites N] [--pages N] [--seed N] [--runs N] [--no-wget]
#                               [--preset quick|large] [--out DIR] [--crawler-env KEY=VALUE]...
#   quick (default): 24 sites x 150 pages  (~9,800 manifest entries), crawler and wget
#   large:           24 sites x 1700 pages (~104,000 manifest entries): the 100k-page memory case
#
# Every measured process runs in a fresh network namespace that has only a loopback interface
# (`unshare -rn`), so no packet can leave loopback whatever a tool tries to resolve or connect to.
# wget reaches plain-HTTP sites through the simulation itself (it accepts absolute-form proxy
# requests, so wget resolves no names) and HTTPS-only sites through bench/connect-proxy.py.
# Each measured run gets its own fresh simulation process (server-side retry counters and the
# endless-trap state start from zero); the simulation's CPU and memory are not counted.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sites=24 pages=150 seed=1 runs=2 wget_on=1 out="" crawler_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-wget) wget_on=0; shift ;;
    --out) out=$2; shift 2 ;;
    --crawler-env) crawler_env+=("$2"); shift 2 ;;
    --preset)
      case "$2" in
        quick) sites=24 pages=150 ;;
        large) sites=24 pages=1700 ;;
        *) echo "unknown preset $2" >&2; exit 2 ;;
      esac
      shift 2 ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/crawl-bench.XXXXXX)}
mkdir -p "$out"
crawler_dll="$repo/src/Crawler.Node/bin/Release/net10.0/crawler.dll"
warcio_cli="$repo/tools/warcio/node_modules/warcio/dist/cli.js"

# ---- stage 1 (normal network namespace): prerequisites and the one Release build -------------
if [[ -z "${CRAWL_BENCH_INNER:-}" ]]; then
  if [[ ! -x /usr/bin/time ]]; then
    apt-get install -y time >/dev/null
  fi
  for tool in wget jq python3 node sqlite3 unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  [[ -f "$warcio_cli" ]] || npm ci --prefix "$repo/tools/warcio" >/dev/null
  echo "building Release once..." >&2
  dotnet build "$repo/src/Crawler.Node" -c Release -nologo -v quiet >"$out/build.log" 2>&1 \
    || { tail -20 "$out/build.log" >&2; exit 1; }
  # Re-run this script inside a loopback-only network namespace.
  exec unshare -rn env CRAWL_BENCH_INNER=1 "$0" --sites "$sites" --pages "$pages" --seed "$seed" \
    --runs "$runs" --out "$out" $([[ $wget_on == 0 ]] && echo --no-wget) \
    ${crawler_env[@]+$(printf -- '--crawler-env %s ' "${crawler_env[@]}")}
fi

# ---- stage 2 (loopback-only namespace): the measured runs -----------------------------------
source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only

sim_still_alive() { kill -0 "$sim_pid" 2>/dev/null; }

record() { # tool run pages responses wall cpu rss_kb
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out/results.tsv"
}

run_crawler() { # $1 = run number
  local dir="$out/crawler-$1"; mkdir -p "$dir"
  start_sim "$dir" --sites "$sites" --pages "$pages" --seed "$seed"
  local entries; entries=$(jq -r .manifestEntries "$dir/info.json")
  echo "$entries" >"$dir/manifest-entries"
  (
    cd "$dir"
    while IFS=$'\t' read -r k v; do export "$k=$v"; done < <(jq -r '.environment | to_entries[] | "\(.key)\t\(.value)"' info.json)
    export Crawler__DataDirectory="$dir/data"
    export Crawler__Crawl__Politeness__MinDelay=00:00:00
    export Crawler__Crawl__Politeness__DelayFactor=0
    export Crawler__Crawl__Politeness__RespectCrawlDelay=false
    # Politeness off also drops the Connection: close courtesy (Heritrix's sendConnectionClose):
    # connections are kept alive, as wget keeps them.
    export Crawler__Fetcher__KeepAlive=true
    for kv in ${crawler_env[@]+"${crawler_env[@]}"}; do export "$kv"; done
    /usr/bin/time -v -o "$dir/time.txt" dotnet "$crawler_dll" run --no-live --exit-when-done >"$dir/crawler.log" 2>&1
  )
  sim_still_alive || { echo "simulation died during crawler run $1" >&2; exit 1; }
  stop_sim
  local db="$dir/data/crawler.db"
  local captures responses
  captures=$(sqlite3 "$db" "select count(*) from captures")
  responses=$(sqlite3 "$db" "select count(*) from captures where status is not null")
  local t="$dir/time.txt"
  record crawler "$1" "$captures" "$responses" \
    "$(wall_seconds "$(time_field "$t" 'Elapsed (wall clock)')")" \
    "$(awk '{s+=$1} END {print s}' <<<"$(time_field "$t" 'User time'; time_field "$t" 'System time')")" \
    "$(time_field "$t" 'Maximum resident set size')"
  echo "crawler run $1: $captures captures ($responses with a response), manifest $entries" >&2
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_wget() { # $1 = run number
  local dir="$out/wget-$1"; mkdir -p "$dir/root"
  start_sim "$dir" --sites "$sites" --pages "$pages" --seed "$seed"
  local proxy https_port http_port
  proxy=$(jq -r .httpProxy "$dir/info.json")
  https_port=$(jq -r .httpsPort "$dir/info.json")
  http_port=$(jq -r .httpPort "$dir/info.json")
  # HTTPS-only sites: a CONNECT relay to the simulation's HTTPS port (the simulation has no CONNECT).
  local cport; cport=$(free_port)
  python3 "$repo/bench/connect-proxy.py" "$cport" "${proxy%:*}" "$https_port" "$http_port" &
  helper_pids+=($!)
  # One root page linking to every seed. wget keeps its "already visited" set per command-line URL
  # (per retrieve_tree), so with 24 seed URLs on the command line and --delete-after it re-crawls
  # the whole cross-linked web once per seed; a single root page makes it one crawl.
  {
    echo '<!doctype html><title>seeds</title>'
    jq -r '.seeds[] | "<a href=\"\(.)\">\(.)</a>"' "$dir/info.json"
  } >"$dir/root/seeds.html"
  local rport; rport=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$dir/root" "$rport" >/dev/null 2>&1 &
  helper_pids+=($!)
  local domains; domains=$(jq -r '[ "kp" ] + [ .hosts[] | select(endswith(".kp") | not) ] | join(",")' "$dir/info.json")
  # A fixed half-second was not always enough on a loaded machine: wget's first request was refused and it archived nothing.
  wait_listening "$cport"
  wait_listening "$rport"
  # Same limits as the crawler's simulation settings: MaxDepth 40 (+1 for the root page), 4 attempts,
  # 2 s body / 5 s connect time-outs, 429/503 retried ~1 s later.
  /usr/bin/time -v -o "$dir/time.txt" wget --recursive --level=41 --span-hosts --domains="$domains" \
    --warc-file="$dir/wget" --no-verbose --delete-after -P "$dir/files" \
    --no-check-certificate --timeout=5 --read-timeout=2 --tries=4 --waitretry=1 \
    --retry-on-http-error=429,503 -e robots=on \
    -e use_proxy=yes -e "http_proxy=http://$proxy/" -e "https_proxy=http://127.0.0.1:$cport/" \
    -e no_proxy=127.0.0.1 \
    "http://127.0.0.1:$rport/seeds.html" >"$dir/wget.log" 2>&1 || true  # wget exits 8 on any 4xx/5xx
  sim_still_alive || { echo "simulation died during wget run $1" >&2; exit 1; }
  stop_sim
  local responses records
  node "$warcio_cli" index "$dir/wget.warc.gz" >"$dir/index.jsonl"
  records=$(jq -r 'select(.["warc-type"] == "response") | .["warc-target-uri"]' "$dir/index.jsonl" | grep -vc '^http://127\.0\.0\.1' || true)
  responses=$records
  local t="$dir/time.txt"
  record wget "$1" "$records" "$responses" \
    "$(wall_seconds "$(time_field "$t" 'Elapsed (wall clock)')")" \
    "$(awk '{s+=$1} END {print s}' <<<"$(time_field "$t" 'User time'; time_field "$t" 'System time')")" \
    "$(time_field "$t" 'Maximum resident set size')"
  echo "wget run $1: $records response records" >&2
}

: >"$out/results.tsv"
for i in $(seq 1 "$runs"); do
  run_crawler "$i"
  [[ $wget_on == 1 ]] && run_wget "$i"
done

# ---- report ----------------------------------------------------------------------------------
entries=$(cat "$out/crawler-1/manifest-entries")
python3 - "$out/results.tsv" "$sites" "$pages" "$entries" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
sites, pages, entries = sys.argv[2], sys.argv[3], sys.argv[4]
by = {}
for tool, run, fetched, responses, wall, cpu, rss in rows:
    fetched, responses, wall, cpu, rss = int(fetched), int(responses), float(wall), float(cpu), int(rss)
    by.setdefault(tool, []).append(dict(run=run, pages=responses, captures=fetched, wall=wall, cpu=cpu,
        pps=responses / wall, mb=rss / 1024, cpk=cpu / responses * 1000))
print(f"simulation: {sites} sites x {pages} pages, {entries} manifest entries\n")
print("| tool | run | pages (responses) | wall s | pages/s | peak RSS MB | CPU s (user+sys) | CPU s / 1,000 pages |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
med = {}
for tool, rs in by.items():
    for r in rs:
        print(f"| {tool} | {r['run']} | {r['pages']} | {r['wall']:.2f} | {r['pps']:.0f} | {r['mb']:.0f} | {r['cpu']:.2f} | {r['cpk']:.2f} |")
    m = {k: statistics.median(r[k] for r in rs) for k in ("pages", "wall", "pps", "mb", "cpu", "cpk")}
    med[tool] = m
    print(f"| **{tool}** | median | {m['pages']:.0f} | {m['wall']:.2f} | **{m['pps']:.0f}** | **{m['mb']:.0f}** | {m['cpu']:.2f} | **{m['cpk']:.2f}** |")
if "crawler" in med and "wget" in med:
    c, w = med["crawler"], med["wget"]
    print()
    print(f"crawler/wget pages/s: {c['pps'] / w['pps']:.2f}x (goal >= 2x: {'met' if c['pps'] >= 2 * w['pps'] else 'NOT met'})")
    print(f"crawler/wget CPU per page: {c['cpk'] / w['cpk']:.2f}x (goal <= 1x: {'met' if c['cpk'] <= w['cpk'] else 'NOT met'})")
    print(f"crawler/wget peak RSS: {c['mb'] / w['mb']:.2f}x")
if "crawler" in med:
    print(f"crawler peak RSS median {med['crawler']['mb']:.0f} MB "
          f"({'>=' if int(entries) >= 100000 else '<'} 100,000 manifest entries; goal < 500 MB at 100k: "
          f"{'met' if med['crawler']['mb'] < 500 else 'NOT met'})")
PY
echo "raw results and logs: $out" >&2
