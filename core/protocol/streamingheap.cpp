// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamingheap.h"

#include <cstdlib> // defines __GLIBC__ on glibc; it is not predefined by the compiler

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cpm::protocol {

namespace {
//! Blocks up to this size come from the heap: a chunk's buffers (256 KiB and a little) and
//! a socket buffer holding a few of them.
constexpr int MmapThresholdBytes = 4 * 1024 * 1024;
//! Freed heap kept at the top before it goes back to the kernel: 8 chunks in flight of
//! about 4 buffers each, with room to spare.
constexpr int TrimThresholdBytes = 16 * 1024 * 1024;
} // namespace

void setUpHeapForStreaming()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes);
    mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes);
#endif
}

} // namespace cpm::protocol
