#!/usr/bin/env bash
# One site, politeness off (issue 11): this crawler vs `wget --recursive --warc-file`, side by side in one run, on a
# static news-style site served by nginx on loopback. Prints a markdown table: pages, wall seconds, pages/s, CPU ms per
# page, peak RSS, and the ratios to wget of the same round; then which pages wget archived that the crawler did not.
#
# usage: bench/one-site-vs-wget.sh [--articles 20000] [--depth 100] [--runs 2] [--concurrency "1 4"] [--out DIR]
#
# The site (bench/lib/static-site.py): 8 sections, each a chain of --depth paginated index pages, --articles articles in
# all (~20,800 HTML pages by default), written once into the output directory. nginx (Debian package) serves it on
# 127.0.0.1:18081 with keep-alive; its CPU is not counted. Every measured process runs in a loopback-only network
# namespace (`unshare -rn`). The crawler runs with politeness off (no delay, keep-alive, robots.txt on), once per
# --concurrency value (Crawler:Crawl:Politeness:MaxConcurrentPerHost), then wget; runs alternate per round. The crawler
# measured is the node as the image ships it: `dotnet publish -r linux-x64 -p:PublishReadyToRun=true` (see Dockerfile).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
articles=20000 depth=100 runs=2 concurrency="1 4" out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --articles) articles=$2; shift 2 ;;
    --depth) depth=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/one-site.XXXXXX)}
mkdir -p "$out"
crawler_dll="$out/publish/crawler.dll"
warcio_cli="$repo/tools/warcio/node_modules/warcio/dist/cli.js"
port=18081

if [[ -z "${ONE_SITE_INNER:-}" ]]; then
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || apt-get install -y nginx-light >/dev/null
  [[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
  for tool in wget jq python3 node sqlite3 unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  [[ -f "$warcio_cli" ]] || npm ci --prefix "$repo/tools/warcio" >/dev/null
  # The node as the image ships it (Dockerfile): published Release, ReadyToRun (precompiled, less JIT at start).
  echo "publishing Release (ReadyToRun)..." >&2
  rm -rf "$out/publish"
  dotnet publish "$repo/src/Crawler.Node/Crawler.Node.csproj" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$out/publish" -nologo -v quiet >"$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 1; }
  if [[ ! -s "$out/site/pages" ]]; then
    echo "writing the site..." >&2
    mkdir -p "$out/site"
    python3 "$repo/bench/lib/static-site.py" "$out/site/root" --articles "$articles" --depth "$depth" >"$out/site/pages.tmp"
    mv "$out/site/pages.tmp" "$out/site/pages"
  fi
  exec unshare -rn env ONE_SITE_INNER=1 "$0" --articles "$articles" --depth "$depth" --runs "$runs" --concurrency "$concurrency" --out "$out"
fi

source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

mkdir -p "$out/nginx"
cat >"$out/nginx/nginx.conf" <<EOF
daemon off;
user root root;
master_process off;
worker_processes 1;
error_log $out/nginx/error.log;
pid $out/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $out/nginx/tmp;
  proxy_temp_path $out/nginx/tmp;
  fastcgi_temp_path $out/nginx/tmp;
  uwsgi_temp_path $out/nginx/tmp;
  scgi_temp_path $out/nginx/tmp;
  server {
    listen 127.0.0.1:$port;
    root $out/site/root;
  }
}
EOF
mkdir -p "$out/nginx/tmp"
"$nginx_bin" -c "$out/nginx/nginx.conf" &
helper_pids+=($!)
wait_listening "$port"

record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out/results.tsv"; } # tool round pages wall cpu rss_kb
measure() { # $1 = time -v file: prints "wall cpu rss_kb"
  echo "$(wall_seconds "$(time_field "$1" 'Elapsed (wall clock)')") $(awk '{s+=$1} END {print s}' <<<"$(time_field "$1" 'User time'; time_field "$1" 'System time')") $(time_field "$1" 'Maximum resident set size')"
}

run_crawler() { # $1 = round, $2 = MaxConcurrentPerHost
  local dir="$out/crawler-c$2-$1"; rm -rf "$dir"; mkdir -p "$dir"
  env Crawler__DataDirectory="$dir/data" Crawler__Seeds__File= Crawler__Seeds__Urls__0="http://127.0.0.1:$port/" \
    Crawler__Crawl__ScopeAddressRanges__0=127.0.0.0/8 Crawler__AddressGuard__Allow__0=127.0.0.0/8 Crawler__AddressGuard__AllowPublic=false \
    Crawler__Dns__Servers__0=127.0.0.1:53 Crawler__Crawl__Politeness__MinDelay=00:00:00 Crawler__Crawl__Politeness__DelayFactor=0 \
    Crawler__Crawl__Politeness__RespectCrawlDelay=false Crawler__Crawl__Politeness__MaxConcurrentPerHost="$2" \
    Crawler__Fetcher__KeepAlive=true Crawler__Uptime__Enabled=false Crawler__Discovery__Enabled=false Crawler__Http__Urls= \
    /usr/bin/time -v -o "$dir/time.txt" dotnet "$crawler_dll" run --no-live --exit-when-done >"$dir/crawler.log" 2>&1
  local pages; pages=$(sqlite3 "$dir/data/crawler.db" "select count(*) from captures where status = 200 and (url like '%.html' or url like '%/')")
  sqlite3 "$dir/data/crawler.db" "select url from captures where status = 200" | sort -u >"$dir/urls.txt"
  read -r wall cpu rss <<<"$(measure "$dir/time.txt")"
  record "crawler c=$2" "$1" "$pages" "$wall" "$cpu" "$rss"
  echo "crawler c=$2 round $1: $pages pages in $wall s" >&2
}

run_wget() { # $1 = round
  local dir="$out/wget-$1"; rm -rf "$dir"; mkdir -p "$dir/root"
  (cd "$dir/root" && /usr/bin/time -v -o "$dir/time.txt" wget --recursive --level=inf --no-verbose --delete-after \
    --no-host-directories --warc-file="$dir/wget" "http://127.0.0.1:$port/" >"$dir/wget.log" 2>&1) || true
  node "$warcio_cli" index "$dir/wget.warc.gz" --fields warc-type,warc-target-uri,http:status 2>/dev/null \
    | jq -r 'select(."warc-type" == "response" and (."http:status" | tostring) == "200") | ."warc-target-uri"' | sort -u >"$dir/urls.txt"
  local pages; pages=$(grep -c -E '(\.html|/)$' "$dir/urls.txt" || true)
  read -r wall cpu rss <<<"$(measure "$dir/time.txt")"
  record wget "$1" "$pages" "$wall" "$cpu" "$rss"
  echo "wget round $1: $pages pages in $wall s" >&2
}

: >"$out/results.tsv"
for round in $(seq 1 "$runs"); do
  for c in $concurrency; do run_crawler "$round" "$c"; done
  run_wget "$round"
done

{
  echo "| round | tool | pages | wall s | pages/s | CPU ms/page | peak RSS MB | pages/s vs wget | CPU/page vs wget |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    { tool[NR]=$1; round[NR]=$2; pages[NR]=$3; wall[NR]=$4; cpu[NR]=$5; rss[NR]=$6
      if ($1 == "wget") { wrate[$2] = $3 / $4; wcpu[$2] = $5 * 1000 / $3 } }
    END { for (i = 1; i <= NR; i++) { rate = pages[i] / wall[i]; cpp = cpu[i] * 1000 / pages[i]
      printf "| %s | %s | %d | %.1f | %.0f | %.3f | %.0f | %.2f× | %.2f× |\n", round[i], tool[i], pages[i], wall[i], rate, cpp, rss[i] / 1024, rate / wrate[round[i]], cpp / wcpu[round[i]] } }' "$out/results.tsv"
} | tee "$out/table.md"

for d in "$out"/crawler-*-1; do
  missing=$(comm -23 "$out/wget-1/urls.txt" "$d/urls.txt" | wc -l)
  echo "$(basename "$d"): pages wget archived (status 200) that the crawler did not: $missing" | tee -a "$out/table.md"
  comm -23 "$out/wget-1/urls.txt" "$d/urls.txt" | head -5
done
echo "results in $out" >&2
