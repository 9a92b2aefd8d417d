// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// How the programs that stream attachments set up glibc's allocator, once, first thing in
// main(): cpm-server, cpm-desktop, cpm-cli (and bench-media, which measures what they do).

namespace cpm::protocol {

/*!
 * Keeps the buffers of attachment chunks (about 256 KiB each, several per chunk and side:
 * the file's bytes, the frame, QWebSocket's masked copy, the socket's buffer) in the heap
 * and the heap's top in place between chunks.
 *
 * glibc's defaults serve a block of 128 KiB or more with its own mmap() (raising that
 * threshold only after the first such block is freed) and give the heap's top back to the
 * kernel as soon as 2 × that threshold lies free there. Streaming then maps, faults in
 * and zeroes fresh pages for every chunk, and under a hypervisor each page fault is dear:
 * bench-media measured the first 200 MiB upload of a process at 3.5 × the client CPU of the
 * next. Fixed thresholds (which also turn glibc's adaptive ones off) keep at most a few MiB
 * of freed heap mapped; docs/performance.md has the figures.
 *
 * Does nothing on a C library other than glibc.
 */
void setUpHeapForStreaming();

} // namespace cpm::protocol
