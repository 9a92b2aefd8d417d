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

# The client core and the headless client it serves, without any widget in the build. The
# server and the benchmarks are left out to keep the run within its 20 minutes: cpm-server
# links no UI in any build (server/ shares only core/protocol/), and `cmake --preset dev`
# and `release` build the benchmarks. It compiles at the lowest priority while the tests
# run (they wait on sockets and timers much of the time), in the CPU they leave idle.
cmake --preset headless >/dev/null
headless_log=$(mktemp)
nice -n 19 cmake --build --preset headless -j "$jobs" --target cpmcore cpm-cli \
    >"$headless_log" 2>&1 &
headless=$!

# Tests spend much of their time waiting for a server or a timeout: one more than the
# cores keeps both busy.
tests_ok=0
ctest --preset asan -j "$((jobs + 1))" || tests_ok=$?

headless_ok=0
wait "$headless" || headless_ok=$?
if ((headless_ok != 0)); then
    cat "$headless_log"
    echo "headless build (no Qt Widgets): FAILED" >&2
else
    echo "headless build (no Qt Widgets): ok"
fi
rm -f "$headless_log"
exit $((tests_ok != 0 || headless_ok != 0))
