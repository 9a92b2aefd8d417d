#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which tables and indexes a SQLite commit dirties: reads a WAL file's valid frames,
groups them into commits and prints, per table or index, the distinct pages a commit
writes on average (a page written twice in one commit counts once, as SQLite writes it).

Take a copy of a running server's files (stop it for the copy so they agree):

    kill -STOP $PID; cp $DATA/cpm.sqlite* /tmp/copy/; kill -CONT $PID
    bench/walpages.py /tmp/copy/cpm.sqlite

The database copy is opened (through its WAL) with the sqlite3 shell's dbstat table to map
pages to tables (Debian's `sqlite3` package: `apt-get install sqlite3`); pages the WAL
allocated past the copy's end show as "(new)".
"""
import collections
import shutil
import struct
import subprocess
import sys
import tempfile


def page_owners(database):
    # On a scratch copy: opening a database with a WAL may write to it.
    with tempfile.TemporaryDirectory() as scratch:
        for suffix in ("", "-wal", "-shm"):
            try:
                shutil.copy(database + suffix, f"{scratch}/db{suffix}")
            except FileNotFoundError:
                pass
        out = subprocess.run(["sqlite3", f"{scratch}/db", "SELECT pageno, name FROM dbstat"],
                             check=True, capture_output=True, text=True).stdout
    owners = {}
    for line in out.splitlines():
        page, name = line.split("|", 1)
        owners[int(page)] = name
    return owners


def commits(wal):
    data = open(wal, "rb").read()
    if len(data) < 32:
        return []
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">8I", data[:32])
    result, current, offset = [], [], 32
    while offset + 24 + page_size <= len(data):
        page, size_after, s1, s2 = struct.unpack(">4I", data[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier pass over the file
        current.append(page)
        if size_after:
            result.append(current)
            current = []
        offset += 24 + page_size
    return result


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DATABASE (its -wal beside it)")
    database = sys.argv[1]
    owners = page_owners(database)
    found = commits(database + "-wal")
    if not found:
        sys.exit("no commit in the WAL")
    per_table = collections.Counter()
    for commit in found:
        for page in set(commit):
            per_table[owners.get(page, "(new)")] += 1
    frames = sum(len(c) for c in found)
    print(f"{len(found)} commits, {frames} frames, {frames / len(found):.1f} frames a commit")
    print(f"{'table or index':32} {'pages/commit':>12}")
    for name, pages in per_table.most_common():
        print(f"{name:32} {pages / len(found):12.2f}")


if __name__ == "__main__":
    main()
