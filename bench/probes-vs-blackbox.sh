#!/usr/bin/env bash
# Probe cost side by side in one run (issue 11): the node's uptime prober (bench/Crawler.Bench.Uptime: the uptime
# actors, the real SiteProber, DNS through the simulation's name server, results stored in SQLite) against
# blackbox_exporter (Debian's prometheus-blackbox-exporter, http prober), on the same simulated sites at the same
# rate, one after the other in the same loopback-only network namespace. The figure is CPU per probe of the prober's
# own process (utime + stime from /proc/PID/stat over the measured window).
#
# usage: bench/probes-vs-blackbox.sh [--sites N] [--interval S] [--intervals N] [--out DIR]
#
# blackbox_exporter gets every target as the address the crawler's resolver returns and the simulation's port, with the
# site's name as Host header (one module per site: blackbox_exporter has no per-target header), no redirect following
# and 2xx/3xx as success; it is driven as Prometheus would drive it, one GET /probe per target per interval, by a small
# Python load generator whose CPU is not counted (as Prometheus's would not be). The crawler's prober resolves each name
# through the simulation's DNS server (cached for the answer's TTL), follows redirects and stores every result.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sites=200 interval=5 intervals=12 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --intervals) intervals=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/probes-vs-blackbox.XXXXXX)}
mkdir -p "$out"
crawler_dll="$repo/src/Crawler.Node/bin/Release/net10.0/crawler.dll"
bench_dll="$out/publish/crawler-bench-uptime.dll"
blackbox=$(command -v prometheus-blackbox-exporter || command -v blackbox_exporter || true)

# ---- stage 1 (normal network namespace): prerequisites and the Release builds -----------------
if [[ -z "${PROBE_BENCH_INNER:-}" ]]; then
  for tool in jq python3 unshare ip; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  [[ -n "$blackbox" ]] || { echo "missing: blackbox_exporter (apt-get install prometheus-blackbox-exporter)" >&2; exit 1; }
  echo "building Release..." >&2
  dotnet build "$repo/src/Crawler.Node" -c Release -nologo -v quiet >>"$out/build.log" 2>&1 \
    || { tail -20 "$out/build.log" >&2; exit 1; }
  # The prober host compiled as the node's image is (Dockerfile): ReadyToRun, so a fresh process does not spend its
  # first minutes JIT-compiling (a third of the idle floor's samples were the tiered-compilation thread).
  rm -rf "$out/publish"
  dotnet publish "$repo/bench/Crawler.Bench.Uptime/Crawler.Bench.Uptime.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$out/publish" -nologo -v quiet >>"$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 1; }
  exec unshare -rn env PROBE_BENCH_INNER=1 "$0" --sites "$sites" --interval "$interval" --intervals "$intervals" --out "$out"
fi

# ---- stage 2 (loopback-only namespace): both probers, one after the other ---------------------
source "$(dirname "$0")/lib/simulation.sh"
require_loopback_only
clk_tck=$(getconf CLK_TCK)
warmup=$(python3 -c "print(max($interval, 10))")

start_sim "$out" --sites "$sites" --pages 1

# 1. The crawler's prober.
dotnet "$bench_dll" --info "$out/info.json" --sites "$sites" --interval "$interval" --intervals "$intervals" \
  --warmup "$warmup" --label crawler --clk-tck "$clk_tck" >"$out/crawler.out" 2>"$out/crawler.err" \
  || { cat "$out/crawler.err" >&2; exit 1; }
grep '^{' "$out/crawler.out" | tail -1 >"$out/crawler.json" # Akka's shutdown lines go to stdout too

# 2. blackbox_exporter on the same sites.
dotnet "$bench_dll" --info "$out/info.json" --sites "$sites" --list-targets "$out/targets.tsv" 2>>"$out/crawler.err"
python3 - "$out/targets.tsv" "$interval" >"$out/blackbox.yml" <<'EOF'
import sys
targets = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
timeout = max(1, int(float(sys.argv[2])) - 1)
print("modules:")
for i, (host, address, port, path) in enumerate(targets):
    print(f"  s{i}:\n    prober: http\n    timeout: {timeout}s\n    http:\n      method: GET\n      headers:\n        Host: {host}\n"
          f"      no_follow_redirects: true\n      valid_status_codes: [200, 301, 302]\n      preferred_ip_protocol: ip4\n      ip_protocol_fallback: false")
EOF
bb_port=19115
"$blackbox" --config.file="$out/blackbox.yml" --web.listen-address="127.0.0.1:$bb_port" --log.level=warn >"$out/blackbox.log" 2>&1 &
bb_pid=$!
helper_pids+=("$bb_pid")
wait_listening "$bb_port"
python3 - "$out/targets.tsv" "$interval" "$intervals" "$warmup" "$bb_port" "$bb_pid" "$clk_tck" >"$out/blackbox.json" <<'EOF'
import json, sys, threading, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
targets = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
interval, intervals, warmup = float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
port, pid, hz = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
ok = 0; done = 0; lock = threading.Lock()
def probe(i):
    global ok, done
    host, address, tport, path = targets[i]
    url = f"http://127.0.0.1:{port}/probe?module=s{i}&target=http://{address}:{tport}{path}"
    body = urllib.request.urlopen(url, timeout=interval + 5).read().decode()
    success = any(l.startswith("probe_success 1") for l in body.splitlines())
    with lock:
        done += 1; ok += success
def run(seconds, count):
    start = time.monotonic(); n = len(targets); slots = int(round(seconds / interval)) * n
    with ThreadPoolExecutor(max_workers=64) as pool:
        for k in range(slots):
            at = start + k * interval / n
            delay = at - time.monotonic()
            if delay > 0: time.sleep(delay)
            pool.submit(probe, k % n)
run(warmup, False)
ok = 0; done = 0
c0, t0 = cpu(), time.monotonic()
run(interval * intervals, True)
c1, t1 = cpu(), time.monotonic()
print(json.dumps({"Label": "blackbox_exporter", "Targets": len(targets), "IntervalSeconds": interval, "WindowSeconds": round(t1 - t0, 2),
                  "Probes": done, "Ok": ok, "CpuSeconds": round(c1 - c0, 3),
                  "CpuPercentOfOneCore": round(100 * (c1 - c0) / (t1 - t0), 2),
                  "CpuMicrosecondsPerProbe": round(1e6 * (c1 - c0) / max(1, done), 1)}))
EOF
stop_sim

jq -r '"crawler prober: \(.Probes) probes (\(.Ok) ok) every \(.IntervalSeconds) s, CPU \(.CpuPercentOfOneCore) % of one core, \(.CpuMicrosecondsPerProbe) µs/probe"' "$out/crawler.json" >&2 || cat "$out/crawler.json" >&2
jq -r '"blackbox_exporter: \(.Probes) probes (\(.Ok) ok) of \(.Targets) targets every \(.IntervalSeconds) s, CPU \(.CpuPercentOfOneCore) % of one core, \(.CpuMicrosecondsPerProbe) µs/probe"' "$out/blackbox.json" >&2
echo "results in $out" >&2
