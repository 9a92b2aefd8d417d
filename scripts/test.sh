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
# The benchmarks are left out here to keep the run within its 20 minutes: `cmake --preset
# dev` and `release` build them (CPM_BUILD_BENCH is on there).
cmake --build --preset headless -j "$jobs" --target cpmcore cpm-cli cpm-server
echo "headless build (no Qt Widgets): ok"
