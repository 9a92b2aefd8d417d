#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's test command: installs what is missing, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, runs every test headless with ctest, then proves the client
# core builds without any UI (qBittorrent's trick: a core that links no widget).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

jobs=$(nproc)
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

cmake --preset headless >/dev/null
# The client core and the headless client it serves, without any widget in the build. The
# server and the benchmarks are left out to keep the run within its 20 minutes: cpm-server
# links no UI in any build (server/ shares only core/protocol/), and `cmake --preset dev`
# and `release` build the benchmarks.
cmake --build --preset headless -j "$jobs" --target cpmcore cpm-cli
echo "headless build (no Qt Widgets): ok"
