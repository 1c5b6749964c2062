#!/usr/bin/env bash
# Runs every test of the repository: installs the pinned warcio reader the WARC tests check
# against, then the whole solution's tests.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefix tools/warcio --no-audit --no-fund --loglevel=error
dotnet test Crawler.sln --configuration Release "$@"
