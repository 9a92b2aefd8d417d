#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's run command: installs what is missing, builds, starts cpm-server on a local
# SQLite data directory with demo accounts and opens cpm-desktop connected to it.
#   scripts/run.sh          one window, you sign in (the demo accounts are printed)
#   scripts/run.sh --demo   three windows already signed in: Alice's laptop, Alice's phone
#                           and Bob's tablet, to try the multi-device flow at once
# Environment: CPM_DATA (default ./demo-data), CPM_PORT (default 7878).
set -euo pipefail
cd "$(dirname "$0")/.."

demo=0
[[ "${1:-}" == "--demo" ]] && demo=1

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target cpm-server cpm-desktop cpm-cli

bin=build/release
data=${CPM_DATA:-$PWD/demo-data}
port=${CPM_PORT:-7878}
url="ws://127.0.0.1:${port}/"
mkdir -p "$data"

"$bin/server/cpm-server" --data "$data/server" demo
"$bin/server/cpm-server" --data "$data/server" --port "$port" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "No display found: cpm-server keeps running at $url (Ctrl+C stops it)."
    echo "Try the headless client: $bin/app/cli/cpm-cli --profile /tmp/p --server $url --help"
    wait "$server"
    exit 0
fi

if ((demo)); then
    pw=$(mktemp)
    printf 'demo-password' >"$pw"
    register() { # profile address name kind
        # A profile that already holds a registered device keeps it across runs.
        if ! grep -qs '^deviceId=[1-9]' "$data/profiles/$1/profile.ini"; then
            "$bin/app/cli/cpm-cli" --profile "$data/profiles/$1" --server "$url" register-device \
                --address "$2" --password-file "$pw" --name "$3" --kind "$4" >/dev/null
        fi
    }
    register alice-laptop alice@cpm.example "Alice's laptop" laptop
    register alice-phone alice@cpm.example "Alice's phone" mobile
    register bob-tablet bob@cpm.example "Bob's tablet" tablet
    rm -f "$pw"
    windows=()
    offset=0
    for p in alice-laptop alice-phone bob-tablet; do
        # Cascade the windows so all three titles ("address — device") are visible at once.
        "$bin/app/desktop/cpm-desktop" --profile "$data/profiles/$p" --server "$url" \
            -geometry "960x640+$((offset * 320))+$((offset * 60))" &
        windows+=($!)
        offset=$((offset + 1))
    done
    wait "${windows[@]}"
else
    "$bin/app/desktop/cpm-desktop" --profile "$data/profiles/default" --server "$url"
fi
