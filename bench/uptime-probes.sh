#!/usr/bin/env bash
# Uptime benchmark (issue 4): how many probes per second one node's uptime monitor sustains against the
# simulated web, and how late the probes start against their schedule. bench/Crawler.Bench.Uptime hosts only
# the uptime part of a node (Akka.Hosting + UptimeHosting.WithUptimeActors, the real SiteProber,
# DnsClientResolver, loopback-only AddressGuard, SQLite uptime store) and probes the seed URLs of SITES
# simulated sites. Goal: 1,000 sites every 60 s with p99 lateness < 1 s and < 5 % of one core.
#
# usage: bench/uptime-probes.sh [--runs N] [--sites N] [--intervals N] [--stress 5,2,1] [--stress-seconds S] [--out DIR]
#
# Per run: a fresh `crawler simulate --sites SITES --pages 1` (a separate process; its CPU is read from
# /proc/PID/stat and not counted against the bench), then
#   1. the goal run: every site every 60 s; one interval of warm-up, then --intervals whole intervals measured
#      (default 3, i.e. 3,000 probes), in one bench process;
#   2. stress runs: every site every S seconds for each S of --stress (a fresh bench process each), 10 s of
#      warm-up (at least one interval), then --stress-seconds (default 30) of whole intervals measured.
# Everything runs inside a network namespace with only loopback (`unshare -rn`), so no packet can leave.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=2 sites=1000 intervals=3 stress=5,2,1 stress_seconds=30 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --sites) sites=$2; shift 2 ;;
    --intervals) intervals=$2; shift 2 ;;
    --stress) stress=$2; shift 2 ;;
    --stress-seconds) stress_seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/uptime-bench.XXXXXX)}
mkdir -p "$out"
crawler_dll="$repo/src/Crawler.Node/bin/Release/net10.0/crawler.dll"
bench_dll="$repo/bench/Crawler.Bench.Uptime/bin/Release/net10.0/crawler-bench-uptime.dll"

# ---- stage 1 (normal network namespace): prerequisites and the Release builds -----------------
if [[ -z "${UPTIME_BENCH_INNER:-}" ]]; then
  for tool in jq python3 unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  echo "building Release..." >&2
  for project in src/Crawler.Node bench/Crawler.Bench.Uptime; do
    dotnet build "$repo/$project" -c Release -nologo -v quiet >>"$out/build.log" 2>&1 \
      || { tail -20 "$out/build.log" >&2; exit 1; }
  done
  exec unshare -rn env UPTIME_BENCH_INNER=1 "$0" --runs "$runs" --sites "$sites" --intervals "$intervals" \
    --stress "$stress" --stress-seconds "$stress_seconds" --out "$out"
fi

# ---- stage 2 (loopback-only namespace): the measured runs -------------------------------------
source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only
clk_tck=$(getconf CLK_TCK)

measure() { # $1 = run dir, $2 = run, $3 = kind, $4 = interval s, $5 = intervals, $6 = warm-up s
  local dir=$1 run=$2 kind=$3 interval=$4 n=$5 warmup=$6
  local f="$dir/$kind-$interval"
  dotnet "$bench_dll" --info "$dir/info.json" --sites "$sites" --interval "$interval" --intervals "$n" \
    --warmup "$warmup" --label "$kind" --server-pid "$sim_pid" --clk-tck "$clk_tck" >"$f.json" 2>"$f.err" \
    || { cat "$f.err" >&2; exit 1; }
  kill -0 "$sim_pid" 2>/dev/null || { echo "simulation died in run $run" >&2; exit 1; }
  jq -c --arg run "$run" '. + {Run: ($run | tonumber)}' "$f.json" >>"$out/results.jsonl"
  jq -r --arg run "$run" '"run \($run) \(.Label) every \(.IntervalSeconds) s: \(.Probes)/\(.ExpectedProbes) probes, \(.Ok) ok, \(.ProbesPerSecond)/s, lateness p99 \(.LatenessP99Ms) ms, CPU \(.CpuPercentOfOneCore) % of one core"' "$f.json" >&2
}

: >"$out/results.jsonl"
IFS=, read -r -a stress_list <<<"$stress"
for run in $(seq 1 "$runs"); do
  dir="$out/run-$run"; mkdir -p "$dir"
  start_sim "$dir" --sites "$sites" --pages 1
  measure "$dir" "$run" goal 60 "$intervals" 60
  for s in "${stress_list[@]}"; do
    [[ -n "$s" ]] || continue
    n=$(python3 -c "import math; print(max(1, math.floor($stress_seconds / $s)))")
    w=$(python3 -c "print(max($s, 10))")
    measure "$dir" "$run" stress "$s" "$n" "$w"
  done
  stop_sim
done

# ---- report ------------------------------------------------------------------------------------
python3 - "$out/results.jsonl" "$sites" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sites = int(sys.argv[2])
print(f"{sites} simulated sites (front page of each, `crawler simulate --pages 1`); one row per bench process\n")
print("| run | kind | interval s | window s | probes / slots | ok | probes/s | lateness p50 ms | p95 ms | p99 ms | max ms "
      "| p99 per interval ms | probe time p50 / p99 ms | store write p50 / p99 / max ms | max pool threads | CPU % of one core | CPU µs/probe "
      "| alloc KB/probe | peak WS MB | DNS queries | simulation CPU % |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in sorted(rows, key=lambda r: (r["Label"] != "goal", -r["IntervalSeconds"], r["Run"])):
    sim = r["ServerCpuSeconds"]
    sim_pct = f"{sim / r['CpuWindowSeconds'] * 100:.1f}" if sim is not None else "—"
    per = ", ".join(f"{x:,.0f}" for x in r["LatenessP99MsPerInterval"])
    if len(r["LatenessP99MsPerInterval"]) > 6:
        per = ", ".join(f"{x:,.0f}" for x in r["LatenessP99MsPerInterval"][:3]) + ", …, " + f"{r['LatenessP99MsPerInterval'][-1]:,.0f}"
    print(f"| {r['Run']} | {r['Label']} | {r['IntervalSeconds']:g} | {r['WindowSeconds']:.0f} | {r['Probes']:,} / {r['ExpectedProbes']:,} | "
          f"{r['Ok']:,} | {r['ProbesPerSecond']:.1f} | {r['LatenessP50Ms']:,.1f} | {r['LatenessP95Ms']:,.1f} | {r['LatenessP99Ms']:,.1f} | "
          f"{r['LatenessMaxMs']:,.1f} | {per} | {r['ProbeTotalP50Ms']:.1f} / {r['ProbeTotalP99Ms']:.1f} | "
          f"{r.get('StoreWriteP50Ms', 0):.1f} / {r.get('StoreWriteP99Ms', 0):.1f} / {r.get('StoreWriteMaxMs', 0):,.0f} | {r.get('PoolMaxThreads', 0)} | {r['CpuPercentOfOneCore']:.2f} | "
          f"{r['CpuMicrosecondsPerProbe']:,.0f} | {r['AllocatedBytesPerProbe'] / 1024:,.0f} | {r['PeakWorkingSetMb']:.0f} | {r['DnsQueries']:,} | {sim_pct} |")
print()
goal = [r for r in rows if r["Label"] == "goal"]
if goal:
    p99 = statistics.median(r["LatenessP99Ms"] for r in goal)
    cpu = statistics.median(r["CpuPercentOfOneCore"] for r in goal)
    ok = sum(r["Ok"] for r in goal); slots = sum(r["ExpectedProbes"] for r in goal)
    per_run = ", ".join(f"{r['CpuPercentOfOneCore']:.2f}" for r in goal)
    print(f"goal ({sites} sites every 60 s), median of {len(goal)} runs: p99 lateness {p99:,.1f} ms "
          f"(< 1,000 ms: {'met' if p99 < 1000 else 'NOT met'}), CPU {cpu:.2f} % of one core "
          f"(< 5 %: {'met' if cpu < 5 else 'NOT met'}; per run: {per_run}); "
          f"{ok:,} of {slots:,} slots probed ok")
for r in rows:
    if r["Failures"]:
        print(f"run {r['Run']} {r['Label']} {r['IntervalSeconds']:g} s failures: {r['Failures']}")
PY
echo "raw results and logs: $out" >&2
