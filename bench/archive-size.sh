#!/usr/bin/env bash
# Archive size benchmark (issue 9): bytes stored per page by this crawler's SQLite store vs wget's
# `--warc-file` gzip WARC of the same simulated .kp web. Crawls once with each tool through
# bench/crawl-vs-wget.sh (so every process runs in a loopback-only network namespace and no packet
# leaves loopback), then measures:
#   crawler: the SQLite file after VACUUM, split per table and index with dbstat
#   wget:    the .warc.gz (request + response records, robots.txt, its log record)
# Bytes per page divide each store by the pages (HTTP responses) that tool fetched. wget fetches URLs the crawler
# does not (robots.txt wildcard rules and 5xx robots.txt it ignores), so a second comparison counts wget's bytes only
# for the URLs both archived: its request + response gzip members of those URLs (offsets from warcio's index), per URL.
# The issue's measure is the archive: payloads + capture records + their indexes (and the dictionaries they name);
# the crawl state (frontier, recrawl schedules, jobs) is reported but not counted in it.
#
# usage: bench/archive-size.sh [--sites N] [--pages N] [--seed N] [--out DIR] [--db FILE --warc FILE]
#   default: 24 sites x 150 articles (~9,800 manifest entries), news-style sites of the simulation
#   --db/--warc: skip the crawls and only measure an existing crawler.db and wget.warc.gz
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sites=24 pages=150 seed=1 out="" db="" warc=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --warc) warc=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$db" ]]; then
  out=${out:-$(mktemp -d /tmp/archive-size.XXXXXX)}
  mkdir -p "$out"
  "$repo/bench/crawl-vs-wget.sh" --sites "$sites" --pages "$pages" --seed "$seed" --runs 1 --out "$out" >"$out/crawl-report.md"
  db="$out/crawler-1/data/crawler.db"
  warc="$out/wget-1/wget.warc.gz"
fi
warcio_cli="$repo/tools/warcio/node_modules/warcio/dist/cli.js"
[[ -f "$warcio_cli" ]] || npm ci --prefix "$repo/tools/warcio" >/dev/null

# Measure a vacuumed copy: the crawl's file may hold free pages from deleted frontier rows.
work=$(mktemp -d /tmp/archive-size-db.XXXXXX)
sqlite3 "$db" "VACUUM INTO '$work/vacuumed.db'"
vdb="$work/vacuumed.db"

pages_crawler=$(sqlite3 "$vdb" "select count(*) from captures where status is not null")
node "$warcio_cli" index "$warc" >"$work/wget-index.jsonl"
pages_wget=$(jq -r 'select(.["warc-type"] == "response") | .["warc-target-uri"]' "$work/wget-index.jsonl" | grep -vc '^http://127\.0\.0\.1' || true)
sqlite3 "$vdb" "select url from captures where status is not null" >"$work/crawler-urls.txt"
if [[ "$pages_wget" -eq 0 || "$pages_crawler" -eq 0 ]]; then
  echo "nothing to compare: the crawler stored $pages_crawler responses, wget's WARC $pages_wget ($warc)." >&2
  echo "A tool could not reach the simulation (see wget.log / crawler.log next to the files); run the bench again." >&2
  exit 1
fi
db_bytes=$(stat -c %s "$vdb")
warc_bytes=$(stat -c %s "$warc")

sqlite3 -separator $'\t' "$vdb" "select name, sum(pgsize), sum(payload) from dbstat group by name order by 2 desc" >"$work/dbstat.tsv"
sqlite3 -separator $'\t' "$vdb" "select compression, count(*), sum(raw_length), sum(stored_length) from payloads group by compression" >"$work/codecs.tsv"

python3 - "$work/dbstat.tsv" "$work/codecs.tsv" "$pages_crawler" "$pages_wget" "$db_bytes" "$warc_bytes" \
  "$work/wget-index.jsonl" "$work/crawler-urls.txt" <<'PY'
import collections, json, sys
dbstat, codecs, pc, pw, dbb, wb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
index, crawler_urls = sys.argv[7], sys.argv[8]

# Crawl state: not part of the archive (the issue's "payloads + capture records + indexes").
state = ("frontier", "frontier_host_state", "recrawl_schedules", "recrawl_schedules_host", "crawl_jobs", "settings",
         "sequences", "sqlite_autoindex_crawl_jobs_1", "sqlite_autoindex_settings_1")
tables = [line.rstrip("\n").split("\t") for line in open(dbstat)]
archive = sum(int(size) for name, size, _ in tables
              if name.startswith(("captures", "payloads", "dictionaries", "sqlite_autoindex_captures", "sqlite_autoindex_payloads", "sqlite_autoindex_dictionaries")))
crawl_state = sum(int(size) for name, size, _ in tables if name in state)

# wget's bytes per URL: each gzip member runs from its offset to the next record's.
records = [json.loads(line) for line in open(index)]
lengths = collections.defaultdict(int)
responses = set()
for i, r in enumerate(records):
    end = records[i + 1]["offset"] if i + 1 < len(records) else wb
    if r["warc-type"] in ("request", "response") and "warc-target-uri" in r:
        lengths[r["warc-target-uri"]] += end - r["offset"]
        if r["warc-type"] == "response":
            responses.add(r["warc-target-uri"])
crawled = set(open(crawler_urls).read().split())
common = crawled & responses
ws = sum(lengths[u] for u in common) / max(len(common), 1)

c, a, w = dbb / pc, archive / pc, wb / pw
print(f"crawler: {pc} pages, SQLite {dbb:,} bytes after VACUUM = **{c:,.0f} bytes/page**; archive (captures, payloads, "
      f"dictionaries and their indexes) {archive:,} bytes = **{a:,.0f} bytes/page**; crawl state {crawl_state / pc:,.0f} bytes/page")
print(f"wget:    {pw} pages, WARC.gz {wb:,} bytes = **{w:,.0f} bytes/page**")
print(f"wget, the URLs both archived: {len(common):,} URLs ({len(responses - crawled):,} only wget fetched, "
      f"{len(crawled - responses):,} only the crawler), their request + response records "
      f"{sum(lengths[u] for u in common):,} bytes = **{ws:,.0f} bytes/page**\n")
print("| crawler / wget | per own pages | same URLs |")
print("|---|---:|---:|")
for label, x in (("archive (the issue's measure)", a), ("whole SQLite file", c)):
    print(f"| {label} | **{x / w:.2f}x** | **{x / ws:.2f}x** |")
print(f"\ngoal <= 0.8x on the archive: {'met' if a <= 0.8 * w else 'NOT met'} per own pages, "
      f"{'met' if a <= 0.8 * ws else 'NOT met'} on the same URLs\n")
print("| table or index | bytes (pages) | bytes/page | share |")
print("|---|---:|---:|---:|")
for name, size, payload in tables:
    size = int(size)
    print(f"| {name} | {size:,} | {size / pc:,.0f} | {100 * size / dbb:.1f} % |")
print("\n| payload codec | payloads | raw bytes | stored bytes | stored/raw |")
print("|---|---:|---:|---:|---:|")
for line in open(codecs):
    codec, n, raw, stored = line.rstrip("\n").split("\t")
    print(f"| {codec} | {int(n):,} | {int(raw):,} | {int(stored):,} | {int(stored) / max(int(raw), 1):.3f} |")
PY
rm -rf "$work"
[[ -n "$out" ]] && echo "crawl results and logs: $out" >&2
