#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's run command: installs what is missing, builds, starts cpm-server on a local
# SQLite data directory with demo accounts and opens cpm-desktop connected to it.
#   scripts/run.sh          one window, you sign in (the demo accounts are printed)
#   scripts/run.sh --demo   three windows already signed in: Alice's laptop, Alice's phone
#                           and Bob's tablet, to try the multi-device flow at once; the
#                           first run of a data directory also writes a few conversations
#                           (seed_demo below), so there is something to look at
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

cli() { # profile command args…: the headless client on one of the demo's profiles
    # Its connection chatter (connecting, closed) is not news here; warnings still show.
    QT_LOGGING_RULES=${QT_LOGGING_RULES:-cpm.*.info=false} \
        "$bin/app/cli/cpm-cli" --profile "$data/profiles/$1" "${@:2}"
}

if ((demo)); then
    pw=$(mktemp)
    printf 'demo-password' >"$pw"
    register() { # profile address name kind
        # A profile that already holds a registered device keeps it across runs.
        if ! grep -qs '^deviceId=[1-9]' "$data/profiles/$1/profile.ini"; then
            local out
            if ! out=$(cli "$1" --server "$url" register-device \
                --address "$2" --password-file "$pw" --name "$3" --kind "$4"); then
                echo "Cannot register $1: $out" >&2
                rm -f "$pw"
                exit 1
            fi
        fi
    }
    register alice-laptop alice@cpm.example "Alice's laptop" laptop
    register alice-phone alice@cpm.example "Alice's phone" mobile
    register bob-tablet bob@cpm.example "Bob's tablet" tablet
    # Carol has no window: this device only writes her part of the demo conversations.
    register carol-seed carol@cpm.example "Carol's desktop" desktop
    rm -f "$pw"

    quiet() { # profile command args…: its answer is shown only when it failed
        local out
        out=$(cli "$@") || {
            echo "$out" >&2
            return 1
        }
    }
    # say profile to [subject] text: sends and waits for the server's answer, so each
    # message is stored (and timed) after the one before.
    say() {
        local out subject=()
        (($# == 4)) && subject=(--subject "$3")
        out=$(cli "$1" send --to "$2" "${subject[@]}" "${@: -1}") || {
            echo "$out" >&2
            return 1
        }
        # Exit 0 with "pending" means queued, not sent: the order would no longer hold.
        [[ $out != *'"status":"pending"'* ]] || {
            echo "$out" >&2
            return 1
        }
    }
    # read_from profile peer: marks read on that device (and so on every device of its user,
    # and "read" for the sender) what it has from peer. One {…} of the answer is one message:
    # the demo's texts hold no braces.
    read_from() {
        local out ids id
        out=$(cli "$1" messages --with "$2") || {
            echo "$out" >&2
            return 1
        }
        ids=$(grep -o '{[^{}]*}' <<<"$out" | grep '"folder":"inbox"' | grep '"read":false' |
            sed -n 's/.*"id":\([0-9]*\).*/\1/p') || true # none unread: nothing to do
        for id in $ids; do
            quiet "$1" read "$id" || return 1
        done
    }
    # What a newcomer sees first: a thread with ticks of every kind and unread badges.
    seed_demo() {
        local alice=alice@cpm.example bob=bob@cpm.example carol=carol@cpm.example
        # Contacts (synced to every device of the user) give the list names, not addresses.
        quiet alice-laptop add-contact $bob Bob &&
            quiet alice-laptop add-contact $carol Carol &&
            quiet bob-tablet add-contact $alice Alice &&
            quiet bob-tablet add-contact $carol Carol &&
            say bob-tablet $alice "Dinner on Friday?" "Hi Alice! Are you free for dinner on Friday?" &&
            read_from alice-laptop $bob &&
            say alice-laptop $bob "Friday works for me. Where shall we go?" &&
            read_from bob-tablet $alice &&
            say bob-tablet $alice "The new Italian place on Market Street, at 7?" &&
            say carol-seed $alice "Slides for Monday" \
                "Hi Alice, could you look over my slides before Monday's review?" &&
            read_from alice-phone $bob &&
            read_from alice-phone $carol &&
            say alice-phone $bob "Perfect, see you there!" &&
            say alice-phone $carol "Sure, send them over." &&
            read_from carol-seed $alice &&
            say carol-seed $alice "Thanks! They are in the shared folder. No rush." &&
            read_from alice-laptop $carol &&
            say alice-laptop $carol "Got them, I'll have a look tonight." &&
            say bob-tablet $alice "Booked a table for three: Carol is coming too."
    }
    # Once per data directory: the marker is written only when every step succeeded, so a
    # rerun neither adds a second copy nor leaves a half-written demo behind for good.
    marker=$data/seeded
    if [[ -e $marker ]]; then
        echo "Demo conversations: kept as they are (seeded on $(cat "$marker"))."
    elif seed_demo; then
        date '+%F %T' >"$marker"
        echo "Demo conversations seeded: Bob and Alice plan dinner (his last message unread" \
            "for Alice), Carol asks Alice about slides (Alice's last reply not yet delivered)."
    else
        echo "Could not seed the demo conversations (see above); the next run tries again." >&2
    fi
fi

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "No display found: cpm-server keeps running at $url (Ctrl+C stops it)."
    if ((demo)); then
        echo "Look as Alice: $bin/app/cli/cpm-cli --profile $data/profiles/alice-laptop conversations"
    else
        echo "Try the headless client: $bin/app/cli/cpm-cli --profile /tmp/p --server $url --help"
    fi
    # Ctrl+C is how this mode ends: a normal end (the EXIT trap stops the server), not a
    # failure for whoever started the script.
    trap 'exit 0' INT
    wait "$server"
    exit 0
fi

if ((demo)); then
    windows=()
    offset=0
    for p in alice-laptop alice-phone bob-tablet; do
        # Cascade the windows so all three titles ("address — device") are visible at once.
        # -geometry is X11's (xcb); another platform (offscreen, wayland) refuses it.
        geometry=()
        if [[ ${QT_QPA_PLATFORM:-xcb} == xcb* ]]; then
            geometry=(-geometry "960x640+$((offset * 320))+$((offset * 60))")
        fi
        "$bin/app/desktop/cpm-desktop" --profile "$data/profiles/$p" --server "$url" \
            "${geometry[@]}" &
        windows+=($!)
        offset=$((offset + 1))
    done
    wait "${windows[@]}"
else
    "$bin/app/desktop/cpm-desktop" --profile "$data/profiles/default" --server "$url"
fi
