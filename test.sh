#!/usr/bin/env bash
# Runs every test of the repository: installs the pinned warcio reader the WARC tests check
# against and ReplayWeb.page 2.5.3 (the WACZ test), then the whole solution's tests, and closes with the failed tests (name and error
# message, so the end of a CI log says what failed) and one summary line.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefix tools/warcio --no-audit --no-fund --loglevel=error
# ReplayWeb.page (the WACZ test opens an export in it): `npm install replaywebpage` fails on a warcio version the
# registry lacks, so the published package is fetched with npm pack and unpacked (its built index.html, ui.js, sw.js).
if [ ! -f tools/replaywebpage/package/sw.js ]; then
  mkdir -p tools/replaywebpage
  (cd tools/replaywebpage && npm pack replaywebpage@2.5.3 --silent >/dev/null && tar xzf replaywebpage-2.5.3.tgz && rm replaywebpage-2.5.3.tgz)
fi
log=$(mktemp)
set +e
dotnet test Crawler.sln --configuration Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# Each failure as the console logger prints it: "  Failed NAME [time]", "  Error Message:", the
# message lines, then "  Stack Trace:". Keep the name and the message (at most 15 lines each).
awk '/^  Failed [^ ]/ { print "failed:" substr($0, 9); inmsg = 0; n = 0; next }
     /^  Error Message:/ { inmsg = 1; next }
     /^  Stack Trace:/ || /^  (Passed|Skipped|Standard Output Messages:)/ { inmsg = 0; next }
     inmsg && n < 15 { print "    " $0; n++ }' "$log"
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
