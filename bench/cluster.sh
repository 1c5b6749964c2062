#!/usr/bin/env bash
# Cluster benchmark (issue 8): pages/s of one node and of three nodes on one machine, side by side in
# one run (alternating, each on a fresh simulated web and a fresh store), and the failover time: three
# nodes crawl, the node holding the singletons (the coordinator) is killed with SIGKILL once a third of
# the manifest is archived, and the time until each of its sites fetches again on a survivor is taken
# from the store (the first capture after the kill). Prints a markdown table.
#
# usage: bench/cluster.sh [--sites N] [--pages N] [--runs N] [--kills N] [--out DIR]
#   defaults: 24 sites x 60 pages, 3 throughput runs of each, 5 kills
#
# Everything runs inside a fresh network namespace with only a loopback interface (`unshare -rn`).
# The nodes share the store by file (SQLite, as the tests do); the simulation's CPU is not counted
# but shares the same two cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sites=24 pages=60 runs=3 kills=5 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/cluster-bench.XXXXXX)}
mkdir -p "$out"
# A build of its own (not the repository's bin/, which a build during the run would replace under the nodes).
crawler_dll="$out/bin/crawler.dll"

if [[ -z "${CLUSTER_BENCH_INNER:-}" ]]; then
  for tool in jq sqlite3 curl unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  echo "building Release once..." >&2
  dotnet build "$repo/src/Crawler.Node" -c Release -nologo -v quiet -o "$out/bin" >"$out/build.log" 2>&1 \
    || { tail -20 "$out/build.log" >&2; exit 1; }
  exec unshare -rn env CLUSTER_BENCH_INNER=1 "$0" --sites "$sites" --pages "$pages" --runs "$runs" --kills "$kills" --out "$out"
fi

source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only

now_ms() { date +%s%3N; }

# One node's environment: the simulation's, the shared store, its ports, the seed nodes.
node_env() { # $1 = dir, $2 = node index, $3 = node count
  local dir=$1 i=$2 n=$3
  while IFS=$'\t' read -r k v; do printf '%s=%s\n' "$k" "$v"; done < <(jq -r '.environment | to_entries[] | "\(.key)\t\(.value)"' "$dir/info.json")
  echo "Crawler__DataDirectory=$dir/data"
  echo "Crawler__Http__Urls=http://127.0.0.1:$((9600 + i))"
  if [[ $n -gt 1 ]]; then
    echo "Crawler__Cluster__Config=local-three-node.hocon"
    echo "Crawler__Cluster__Port=$((4650 + i))"
    echo "Crawler__Cluster__SeedNodes__0=akka.tcp://crawler@127.0.0.1:4650"
    echo "Crawler__Cluster__SeedNodes__1=akka.tcp://crawler@127.0.0.1:4651"
    echo "Crawler__Cluster__MinimumMembers=$n"
  fi
}

pids=()
start_nodes() { # $1 = dir, $2 = node count
  local dir=$1 n=$2
  pids=()
  for ((i = 0; i < n; i++)); do
    ( cd "$dir"; exec env $(node_env "$dir" "$i" "$n" | tr '\n' ' ') dotnet "$crawler_dll" run --no-live --exit-when-done >"$dir/node$i.log" 2>&1 ) &
    pids+=($!)
  done
}

wait_nodes() { for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }

captures() { sqlite3 "$1/data/crawler.db" "select count(*) from captures" 2>/dev/null || echo 0; }

throughput_run() { # $1 = label, $2 = node count, $3 = run
  local dir="$out/$1-$3"; mkdir -p "$dir"
  start_sim "$dir" --sites "$sites" --pages "$pages" --seed "$3"
  local t0; t0=$(now_ms)
  start_nodes "$dir" "$2"
  wait_nodes
  local t1; t1=$(now_ms)
  stop_sim
  local n; n=$(captures "$dir")
  local entries; entries=$(jq -r .manifestEntries "$dir/info.json")
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$n" "$entries" "$(( t1 - t0 ))" >>"$out/throughput.tsv"
  echo "$1 run $3: $n captures ($entries manifest entries) in $(( t1 - t0 )) ms" >&2
}

failover_run() { # $1 = run
  local dir="$out/failover-$1"; mkdir -p "$dir"
  start_sim "$dir" --sites "$sites" --pages "$pages" --seed "$((100 + $1))"
  local entries; entries=$(jq -r .manifestEntries "$dir/info.json")
  start_nodes "$dir" 3
  while (( $(captures "$dir") < entries / 3 )); do sleep 0.2; done
  # Every node holds sites (the shards spread as the nodes joined), then find the singletons' node.
  local holder="" view
  for _ in $(seq 1 300); do
    local spread=1
    for i in 0 1 2; do
      view=$(curl -sf "http://127.0.0.1:$((9600 + i))/cluster" || echo '{}')
      [[ $(jq '.localSites | length' <<<"$view" 2>/dev/null || echo 0) -gt 0 ]] || spread=0
    done
    [[ $spread == 1 ]] && break
    sleep 0.2
  done
  view=$(curl -sf "http://127.0.0.1:9600/cluster")
  holder=$(jq -r '.singletonsOn' <<<"$view" | sed 's/.*:\([0-9]*\)$/\1/')
  local victim=$(( holder - 4650 ))
  curl -sf "http://127.0.0.1:$((9600 + victim))/cluster" | jq -r '.localSites[]' >"$dir/victim-sites"
  local kill_ms; kill_ms=$(now_ms)
  kill -9 "${pids[$victim]}"
  wait_nodes
  stop_sim
  # Per victim site with work left: its first capture after the kill.
  local worst=0 count=0
  while read -r host; do
    local first; first=$(sqlite3 "$dir/data/crawler.db" "select min(fetched_at) from captures where host = '$host' and fetched_at > $kill_ms")
    [[ -n "$first" ]] || continue
    count=$((count + 1))
    (( first - kill_ms > worst )) && worst=$(( first - kill_ms ))
  done <"$dir/victim-sites"
  local missing; missing=$(sqlite3 "$dir/data/crawler.db" "select count(*) from frontier where state = 0")
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$victim" "$count" "$worst" "$missing" >>"$out/failover.tsv"
  echo "kill $1: node $victim, $count of its sites fetched again, the last after $worst ms; $missing URLs still pending" >&2
}

: >"$out/throughput.tsv"; : >"$out/failover.tsv"
for ((r = 1; r <= runs; r++)); do
  throughput_run one-node 1 "$r"
  throughput_run three-nodes 3 "$r"
done
for ((k = 1; k <= kills; k++)); do
  failover_run "$k"
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
one=$(awk -F'\t' '$1 == "one-node" { printf "%.1f\n", $3 / ($5 / 1000) }' "$out/throughput.tsv" | median)
three=$(awk -F'\t' '$1 == "three-nodes" { printf "%.1f\n", $3 / ($5 / 1000) }' "$out/throughput.tsv" | median)
fail=$(awk -F'\t' '{ printf "%.1f\n", $4 / 1000 }' "$out/failover.tsv" | median)
echo
echo "| measure | 1 node | 3 nodes |"
echo "|---|---|---|"
echo "| pages/s (median of $runs, $sites sites x $pages pages) | $one | $three |"
echo "| 3 nodes / 1 node | | $(awk -v a="$one" -v b="$three" 'BEGIN { printf "%.2f", b / a }') |"
echo "| failover: last site of the killed node fetching again (median of $kills kills, s) | | $fail |"
echo
echo "raw: $out/throughput.tsv, $out/failover.tsv" >&2
