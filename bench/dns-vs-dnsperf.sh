#!/usr/bin/env bash
# DNS benchmark (issue 3): the crawler's resolver engine (Crawler.Net.DnsClientResolver, driven by
# bench/Crawler.Bench.Dns with its answer cache off) vs dnsperf, both querying the simulated .kp
# name server (`crawler simulate`, the 2016 zones) in the same run. dnsperf is the anchor of what
# the server itself can answer on this machine. Prints a markdown table of lookups/s, queries/s,
# p50/p99 latency, client and server CPU (medians over RUNS runs) and the crawler/dnsperf ratios.
#
# usage: bench/dns-vs-dnsperf.sh [--runs N] [--seconds S] [--levels 1,8,24] [--out DIR]
#
# Names: the domains of datasets/kp/kp-domains.csv plus the simulation's site hosts, kept only if
# their A query is answered NOERROR with an IPv4 address (25 names). dnsperf gets them as A queries.
# Concurrency c: dnsperf -c c -q c (c sockets, at most c queries outstanding); the resolver runs c
# workers, each owning its own share of the names, so no name is in flight twice and its in-flight
# coalescing never merges lookups (hence c <= number of names). A+AAAA lookups put 2c queries in flight.
# Each measurement runs S seconds; the levels and tools alternate (their order flips every run).
# One fresh simulation process per run, warmed up by a discarded dnsperf pass; its CPU is measured
# separately (/proc/PID/stat) and counted against neither client. Everything runs inside a network
# namespace with only loopback (`unshare -rn`), so no packet can leave this machine.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3 seconds=10 levels=1,8,24 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --levels) levels=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/dns-bench.XXXXXX)}
mkdir -p "$out"
crawler_dll="$repo/src/Crawler.Node/bin/Release/net10.0/crawler.dll"
bench_dll="$repo/bench/Crawler.Bench.Dns/bin/Release/net10.0/crawler-bench-dns.dll"

# ---- stage 1 (normal network namespace): prerequisites and the Release builds -----------------
if [[ -z "${DNS_BENCH_INNER:-}" ]]; then
  command -v dnsperf >/dev/null || apt-get install -y dnsperf >/dev/null
  [[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
  for tool in dnsperf jq python3 unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  echo "building Release..." >&2
  for project in src/Crawler.Node bench/Crawler.Bench.Dns; do
    dotnet build "$repo/$project" -c Release -nologo -v quiet >>"$out/build.log" 2>&1 \
      || { tail -20 "$out/build.log" >&2; exit 1; }
  done
  exec unshare -rn env DNS_BENCH_INNER=1 "$0" --runs "$runs" --seconds "$seconds" --levels "$levels" --out "$out"
fi

# ---- stage 2 (loopback-only namespace): the measured runs -------------------------------------
source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only
clk_tck=$(getconf CLK_TCK)

sim_cpu() { # user+sys seconds of the simulation so far
  awk -v hz="$clk_tck" '{ sub(/.*\) /, ""); split($0, f, " "); printf "%.2f\n", (f[12] + f[13]) / hz }' "/proc/$sim_pid/stat"
}

# results.tsv: run tool c lookups lookups/s queries/s p50ms p99ms client_cpu_s server_cpu_s errors timeouts
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out/results.tsv"; }

run_dnsperf() { # $1 = run dir, $2 = run, $3 = c, $4 = server, $5 = max outstanding (default c)
  local dir=$1 run=$2 c=$3 server=$4 q=${5:-$3}
  local tool; tool=$([[ $q == "$c" ]] && echo dnsperf || echo "dnsperf-q$q")
  local f="$dir/$tool-c$c"
  local cpu0; cpu0=$(sim_cpu)
  /usr/bin/time -f '%U %S' -o "$f.time" \
    dnsperf -s "${server%:*}" -p "${server##*:}" -d "$dir/queries.txt" -c "$c" -q "$q" -l "$seconds" -t 5 -v \
    >"$f.out" 2>"$f.err" || { cat "$f.err" >&2; exit 1; }
  local cpu1; cpu1=$(sim_cpu)
  # -v prints one line per answer: "> RCODE name type latency-seconds"
  python3 - "$f.out" "$f.time" "$cpu0" "$cpu1" <<'PY' >"$f.row"
import math, re, sys
out = open(sys.argv[1]).read()
lat, bad = [], 0
for m in re.finditer(r"^> (\S+) \S+ \S+ ([0-9.]+)$", out, re.M):
    lat.append(float(m.group(2)))
    bad += m.group(1) != "NOERROR"
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, max(0, math.ceil(q * len(lat)) - 1))] * 1000 if lat else 0
completed = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
run_time = float(re.search(r"Run time \(s\):\s+([0-9.]+)", out).group(1))
assert completed == len(lat), (completed, len(lat))
user, sys_ = map(float, open(sys.argv[2]).read().split()[-2:])
qps = completed / run_time
print("\t".join(str(x) for x in (completed, f"{qps:.1f}", f"{qps:.1f}", f"{pct(0.5):.4f}", f"{pct(0.99):.4f}",
      f"{user + sys_:.2f}", f"{float(sys.argv[4]) - float(sys.argv[3]):.2f}", bad, lost)))
PY
  record "$run" "$tool" "$c" $(cat "$f.row")
}

run_resolver() { # $1 = run dir, $2 = run, $3 = c, $4 = server, $5 = true|false (AAAA too)
  local dir=$1 run=$2 c=$3 server=$4 aaaa=$5
  local tool; tool=$([[ $aaaa == true ]] && echo "resolver-A+AAAA" || echo "resolver-A")
  local f="$dir/$tool-c$c"
  dotnet "$bench_dll" run --server "$server" --names "$dir/names.txt" --concurrency "$c" --seconds "$seconds" \
    --warmup 2 --aaaa "$aaaa" --server-pid "$sim_pid" --clk-tck "$clk_tck" >"$f.json" 2>"$f.err" \
    || { cat "$f.err" >&2; exit 1; }
  record "$run" "$tool" "$c" $(jq -r '[.Lookups, .LookupsPerSecond, .QueriesPerSecond, .P50Ms, .P99Ms, .CpuSeconds,
    .ServerCpuSeconds, (.Lookups - .Ok), .Timeouts] | @tsv' "$f.json")
  [[ $(jq -r .Coalesced "$f.json") == 0 ]] || { echo "lookups were coalesced: $f.json" >&2; exit 1; }
}

: >"$out/results.tsv"
IFS=, read -r -a level_list <<<"$levels"
for run in $(seq 1 "$runs"); do
  dir="$out/run-$run"; mkdir -p "$dir"
  start_sim "$dir"
  server=$(jq -r .dns "$dir/info.json")
  jq -r '.hosts[]' "$dir/info.json" >"$dir/hosts.txt"
  dotnet "$bench_dll" names --server "$server" --csv "$repo/datasets/kp/kp-domains.csv" --hosts "$dir/hosts.txt" \
    --out "$dir/names.txt" 2>"$dir/names.log" || { cat "$dir/names.log" >&2; exit 1; }
  awk '{ print $0 " A" }' "$dir/names.txt" >"$dir/queries.txt"
  # Warm the server up (JIT) with a discarded pass.
  dnsperf -s "${server%:*}" -p "${server##*:}" -d "$dir/queries.txt" -c 8 -q 8 -l 3 >"$dir/warmup.out" 2>&1
  order=(dnsperf resolver-A resolver-A+AAAA)
  (( run % 2 == 0 )) && order=(resolver-A+AAAA resolver-A dnsperf)
  # The server's ceiling: dnsperf at its default 100 outstanding queries over the most sockets used here.
  ceiling() { run_dnsperf "$dir" "$run" "${level_list[-1]}" "$server" 100
    echo "run $run dnsperf -c ${level_list[-1]} -q 100: $(tail -1 "$out/results.tsv" | cut -f5) queries/s" >&2; }
  (( run % 2 == 1 )) && ceiling
  for c in "${level_list[@]}"; do
    for tool in "${order[@]}"; do
      case "$tool" in
        dnsperf) run_dnsperf "$dir" "$run" "$c" "$server" ;;
        resolver-A) run_resolver "$dir" "$run" "$c" "$server" false ;;
        resolver-A+AAAA) run_resolver "$dir" "$run" "$c" "$server" true ;;
      esac
      kill -0 "$sim_pid" 2>/dev/null || { echo "simulation died in run $run" >&2; exit 1; }
      echo "run $run c=$c $tool: $(tail -1 "$out/results.tsv" | cut -f5) lookups/s" >&2
    done
  done
  (( run % 2 == 0 )) && ceiling
  stop_sim
done

# ---- report ------------------------------------------------------------------------------------
python3 - "$out/results.tsv" "$seconds" "$(wc -l <"$out/run-1/names.txt")" "$runs" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
seconds, names, runs = sys.argv[2], sys.argv[3], sys.argv[4]
data = {}
for run, tool, c, n, lps, qps, p50, p99, cpu, scpu, err, tmo in rows:
    data.setdefault((tool, int(c)), {})[run] = dict(n=int(n), lps=float(lps), qps=float(qps), p50=float(p50),
        p99=float(p99), cpu=float(cpu), scpu=float(scpu), err=int(err), tmo=int(tmo))
med = lambda xs: statistics.median(xs)
print(f"{names} names, {seconds} s per measurement, {runs} runs; medians over runs, ratio = median of the per-run ratios\n")
print("| client | c | lookups/s | queries/s | p50 ms | p99 ms | client CPU s | client CPU µs/query | server CPU s | errors / timeouts | lookups/s ÷ dnsperf | queries/s ÷ dnsperf |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
tools = ["dnsperf", "resolver-A", "resolver-A+AAAA", "dnsperf-q100"]
best = 0.0
for c in sorted({c for _, c in data}):
    anchor = data.get(("dnsperf", c), {})
    for tool in tools:
        rs = data.get((tool, c))
        if not rs:
            continue
        m = {k: med([r[k] for r in rs.values()]) for k in ("lps", "qps", "p50", "p99", "cpu", "scpu")}
        cpq = med([r["cpu"] / (r["qps"] * float(seconds)) * 1e6 for r in rs.values()])
        err = sum(r["err"] for r in rs.values()); tmo = sum(r["tmo"] for r in rs.values())
        lr = med([r["lps"] / anchor[run]["qps"] for run, r in rs.items() if run in anchor]) if anchor else float("nan")
        qr = med([r["qps"] / anchor[run]["qps"] for run, r in rs.items() if run in anchor]) if anchor else float("nan")
        if tool.startswith("resolver"):
            best = max(best, m["lps"])
        name = {"dnsperf": "dnsperf (A)", "dnsperf-q100": "dnsperf (A), -q 100: server ceiling",
                "resolver-A": "crawler resolver, A only", "resolver-A+AAAA": "crawler resolver, A+AAAA"}[tool]
        ratios = "— | —" if tool == "dnsperf-q100" else f"{lr:.2f} | {qr:.2f}"
        print(f"| {name} | {c} | {m['lps']:,.0f} | {m['qps']:,.0f} | {m['p50']:.3f} | {m['p99']:.3f} | {m['cpu']:.2f} | "
              f"{cpq:.1f} | {m['scpu']:.2f} | {err} / {tmo} | {ratios} |")
print()
print(f"best crawler resolver median: {best:,.0f} lookups/s (goal >= 5,000 lookups/s: {'met' if best >= 5000 else 'NOT met'})")
ceil = [v for (t, _), v in data.items() if t == "dnsperf-q100"]
if ceil:
    cq = med([r["qps"] for r in ceil[0].values()])
    print(f"server ceiling (dnsperf -q 100) median: {cq:,.0f} queries/s; best crawler median / ceiling: {best / cq:.2f}")
for (tool, c), rs in sorted(data.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print(f"  {tool} c={c} per run lookups/s: " + ", ".join(f"{rs[r]['lps']:,.0f}" for r in sorted(rs)))
PY
echo "raw results and logs: $out" >&2
