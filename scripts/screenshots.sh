#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders every screen (light, dark, and German) to docs/screenshots/ against a real
# cpm-server, offscreen. Run after changing anything a person sees.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target cpm-screenshots cpm-server
CPM_KEYSTORE=file QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='cpm.*=false' \
    build/dev/tests/ui/cpm-screenshots docs/screenshots
