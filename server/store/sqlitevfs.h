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
// it: before SQLite publishes the frames to readers and before the commit returns. Any other
// call on the file (read, sync, size, truncate, close) writes what is gathered first; so
// does a write elsewhere in the file, or more than MaxGathered bytes. Other files (the
// database, its -shm) pass straight through.

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
