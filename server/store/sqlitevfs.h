// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A VFS over SQLite's own ("unix") that writes each commit's WAL frames with one system
// call instead of two per page.
//
// SQLite appends a commit to the WAL as a 24-byte frame header and then the page, one
// write() each: a message among many users dirties ~15 pages, so ~30 pwrite() calls, and on
// a virtualised machine a system call costs more than copying a page. Here the writes to a
// WAL file that follow on from each other are gathered in memory and written together when
// the commit's last page is written (its frame header says it ends a commit), so a commit
// still reaches the OS, and its error still surfaces, inside the write call that completes
// it: before SQLite publishes the frames to readers and before the commit returns.
//
// What is gathered is written first, before
// - any other call on the WAL file (read, sync, size, truncate, file control, close),
//   a write elsewhere in it, or more than MaxGathered bytes;
// - a commit frame's header written right after a read: SQLite rewrites headers that way
//   when it recomputes checksums after changing a page it had spilled, and nothing follows
//   the commit frame's (so it is written at once);
// - the shared-memory barrier of the WAL's database (SQLite publishes a commit after it),
//   and the release of the WAL write lock (a rolled-back transaction's spilled frames are
//   written while no one else may write there, or dropped if they cannot be).
// A write that fails keeps what is gathered: every later call tries it again first and
// fails while it fails. Other files (the database, its -shm) pass straight through.
// tests/server/tst_sqlitevfs.cpp holds each of these to what SQLite's own VFS does.

#include <cstddef>

namespace cpm::server::sqlitevfs {

//! How much of a commit is gathered before it is written anyway: less than the 128 KiB
//! the "unix" VFS writes per call (it masks the length with 0x1ffff, so a write of exactly
//! 128 KiB would write nothing and report a full disk). 31 frames of 4 KiB pages.
inline constexpr std::size_t MaxGathered = 0x1ffff;

/*!
 * The VFS's name for sqlite3_open_v2(), registered with SQLite on the first call (not as the
 * default). Null when SQLite has no "unix" VFS to build on: open with the default then.
 */
const char* name();

} // namespace cpm::server::sqlitevfs
