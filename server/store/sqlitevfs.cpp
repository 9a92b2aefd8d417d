// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitevfs.h"

#include "logging.h"

#include <cstring>
#include <mutex>
#include <new>
#include <sqlite3.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cpm::server::sqlitevfs {

namespace {

// A WAL frame header (SQLite's file format, "WAL Frame Format"): page number, then the
// database size in pages after a commit, zero for every frame but a commit's last.
constexpr int FrameHeaderSize = 24;
// The shared-memory lock slot a WAL writer holds for its whole transaction (wal.c).
constexpr int WalWriteLock = 0;

sqlite3_vfs* g_real = nullptr;

struct File {
    sqlite3_file base; // first: SQLite sees a File as a sqlite3_file
    sqlite3_file* real = nullptr; // the "unix" VFS's file, right after this struct
    bool wal = false;
    // The writes gathered so far: bytes for the file from `offset` on. Kept when writing
    // them fails, so that they are tried again before anything else is done to the file.
    std::vector<char> gathered;
    sqlite3_int64 offset = 0;
    // The last write gathered a commit frame's header: its page completes the commit.
    bool commitFollows = false;
    // The last call was a read: SQLite rewrites a frame's header right after reading the
    // frame when it recomputes checksums (walRewriteChecksums), and nothing follows the
    // commit frame's.
    bool afterRead = false;
    // A database file's WAL (opened through this VFS by the same connection), and back.
    File* walFile = nullptr;
    File* database = nullptr;
    sqlite3_filename name = nullptr;
};

// Rounded up so that the real file after it is aligned as SQLite aligns a sqlite3_file.
constexpr int fileSize() { return int((sizeof(File) + 7) & ~std::size_t(7)); }
static_assert(alignof(File) <= 8);

File* asFile(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

// Open database files by the name SQLite gave them (one pointer per connection), so that a
// WAL opened later finds its database's file. Opens and closes only.
std::mutex g_databasesMutex;
std::unordered_map<sqlite3_filename, File*>& databases()
{
    static std::unordered_map<sqlite3_filename, File*> map;
    return map;
}

int flush(File* f)
{
    if (f->gathered.empty()) {
        return SQLITE_OK;
    }
    const int rc = f->real->pMethods->xWrite(
        f->real, f->gathered.data(), int(f->gathered.size()), f->offset);
    if (rc == SQLITE_OK) {
        f->gathered.clear();
    }
    return rc;
}

// Before any call but a write: what is gathered goes first.
int settle(File* f)
{
    f->commitFollows = false;
    return flush(f);
}

int xClose(sqlite3_file* file)
{
    File* f = asFile(file);
    const int flushed = settle(f);
    {
        const std::lock_guard lock(g_databasesMutex);
        if (f->database) {
            f->database->walFile = nullptr;
        }
        if (f->walFile) {
            f->walFile->database = nullptr;
        }
        if (f->name) {
            databases().erase(f->name);
        }
    }
    const int rc = f->real->pMethods->xClose(f->real);
    f->~File();
    return flushed != SQLITE_OK ? flushed : rc;
}

int xRead(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset)
{
    File* f = asFile(file);
    if (const int rc = settle(f); rc != SQLITE_OK) {
        return rc;
    }
    f->afterRead = f->wal;
    return f->real->pMethods->xRead(f->real, buffer, amount, offset);
}

int xWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset)
{
    File* f = asFile(file);
    if (!f->wal) {
        return f->real->pMethods->xWrite(f->real, data, amount, offset);
    }
    const char* bytes = static_cast<const char*>(data);
    const bool afterRead = std::exchange(f->afterRead, false);
    const bool completes = std::exchange(f->commitFollows, false);
    const bool commitHeader
        = amount == FrameHeaderSize && std::memcmp(bytes + 4, "\0\0\0\0", 4) != 0;
    if (commitHeader && afterRead) {
        // A rewritten header (or a one-page commit right after a read): written now, as
        // nothing may follow it.
        if (const int rc = flush(f); rc != SQLITE_OK) {
            return rc;
        }
        f->commitFollows = true;
        return f->real->pMethods->xWrite(f->real, data, amount, offset);
    }
    const bool follows = !f->gathered.empty()
        && offset == f->offset + sqlite3_int64(f->gathered.size())
        && f->gathered.size() + std::size_t(amount) <= MaxGathered;
    if (!follows) {
        if (const int rc = flush(f); rc != SQLITE_OK) {
            return rc;
        }
        f->offset = offset;
    }
    try {
        f->gathered.insert(f->gathered.end(), bytes, bytes + amount);
    } catch (const std::bad_alloc&) {
        // No memory to gather in: what is gathered, then this, as SQLite would write them.
        if (const int rc = flush(f); rc != SQLITE_OK) {
            return rc;
        }
        return f->real->pMethods->xWrite(f->real, data, amount, offset);
    }
    if (completes) {
        return flush(f); // the commit's last page: the whole commit goes now
    }
    f->commitFollows = commitHeader;
    return SQLITE_OK;
}

// Every other call writes what is gathered first, then does what the real file does.
#define CPM_SETTLE_THEN(call)                                                                      \
    File* f = asFile(file);                                                                        \
    if (const int rc = settle(f); rc != SQLITE_OK) {                                               \
        return rc;                                                                                 \
    }                                                                                              \
    return f->real->pMethods->call;

int xTruncate(sqlite3_file* file, sqlite3_int64 size) { CPM_SETTLE_THEN(xTruncate(f->real, size)) }
int xSync(sqlite3_file* file, int flags) { CPM_SETTLE_THEN(xSync(f->real, flags)) }
int xFileSize(sqlite3_file* file, sqlite3_int64* size) { CPM_SETTLE_THEN(xFileSize(f->real, size)) }
int xFileControl(sqlite3_file* file, int op, void* arg)
{
    CPM_SETTLE_THEN(xFileControl(f->real, op, arg))
}
#undef CPM_SETTLE_THEN

// Locks, shared memory and memory maps concern the database file, never gathered.
int xLock(sqlite3_file* file, int lock)
{
    return asFile(file)->real->pMethods->xLock(asFile(file)->real, lock);
}
int xUnlock(sqlite3_file* file, int lock)
{
    return asFile(file)->real->pMethods->xUnlock(asFile(file)->real, lock);
}
int xCheckReservedLock(sqlite3_file* file, int* out)
{
    return asFile(file)->real->pMethods->xCheckReservedLock(asFile(file)->real, out);
}
int xSectorSize(sqlite3_file* file)
{
    return asFile(file)->real->pMethods->xSectorSize(asFile(file)->real);
}
int xDeviceCharacteristics(sqlite3_file* file)
{
    return asFile(file)->real->pMethods->xDeviceCharacteristics(asFile(file)->real);
}
int xShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out)
{
    return asFile(file)->real->pMethods->xShmMap(asFile(file)->real, page, size, extend, out);
}
int xShmLock(sqlite3_file* file, int offset, int n, int flags)
{
    File* f = asFile(file);
    if ((flags & SQLITE_SHM_UNLOCK) && offset <= WalWriteLock && WalWriteLock < offset + n
        && f->walFile) {
        // The write transaction is over. Whatever is still gathered was never committed
        // (commits are written when their last page is): frames of a transaction rolled
        // back after its pages spilled. Written now, while the lock still keeps everyone
        // else off those offsets, or dropped: never written over another writer's frames.
        if (settle(f->walFile) != SQLITE_OK) {
            qCWarning(lcStore) << "dropped the WAL frames of a rolled-back transaction that"
                                  " could not be written";
            f->walFile->gathered.clear();
        }
    }
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}
void xShmBarrier(sqlite3_file* file)
{
    File* f = asFile(file);
    // SQLite publishes a commit to readers after this barrier (walIndexWriteHdr). A commit
    // is written when its last page is, so nothing should be left; if something is, it
    // goes to the file before anyone may read it.
    if (f->walFile && !f->walFile->gathered.empty() && settle(f->walFile) != SQLITE_OK) {
        qCCritical(lcStore) << "could not write WAL frames before publishing them";
    }
    f->real->pMethods->xShmBarrier(f->real);
}
int xShmUnmap(sqlite3_file* file, int deleteFlag)
{
    return asFile(file)->real->pMethods->xShmUnmap(asFile(file)->real, deleteFlag);
}
int xFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out)
{
    return asFile(file)->real->pMethods->xFetch(asFile(file)->real, offset, amount, out);
}
int xUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* p)
{
    return asFile(file)->real->pMethods->xUnfetch(asFile(file)->real, offset, p);
}

// One table per version of the real file's methods: SQLite looks at iVersion before it
// calls the shared-memory (2) or memory-map (3) methods, and the real file may lack them.
constexpr sqlite3_io_methods makeMethods(int version)
{
    sqlite3_io_methods m {};
    m.iVersion = version;
    m.xClose = xClose;
    m.xRead = xRead;
    m.xWrite = xWrite;
    m.xTruncate = xTruncate;
    m.xSync = xSync;
    m.xFileSize = xFileSize;
    m.xLock = xLock;
    m.xUnlock = xUnlock;
    m.xCheckReservedLock = xCheckReservedLock;
    m.xFileControl = xFileControl;
    m.xSectorSize = xSectorSize;
    m.xDeviceCharacteristics = xDeviceCharacteristics;
    if (version >= 2) {
        m.xShmMap = xShmMap;
        m.xShmLock = xShmLock;
        m.xShmBarrier = xShmBarrier;
        m.xShmUnmap = xShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = xFetch;
        m.xUnfetch = xUnfetch;
    }
    return m;
}

constexpr sqlite3_io_methods g_methods[3] = { makeMethods(1), makeMethods(2), makeMethods(3) };

int xOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags)
{
    File* f = new (file) File;
    f->base.pMethods = nullptr;
    f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + fileSize());
    f->real->pMethods = nullptr;
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    const int rc = g_real->xOpen(g_real, name, f->real, flags, outFlags);
    if (f->real->pMethods == nullptr) {
        // Nothing to close: SQLite calls no method of a file whose pMethods is null.
        f->~File();
        return rc;
    }
    const int version = f->real->pMethods->iVersion;
    f->base.pMethods = &g_methods[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
    if (name && (flags & SQLITE_OPEN_MAIN_DB)) {
        const std::lock_guard lock(g_databasesMutex);
        f->name = name;
        databases()[name] = f;
    } else if (name && f->wal) {
        const std::lock_guard lock(g_databasesMutex);
        const auto it = databases().find(sqlite3_filename_database(name));
        if (it != databases().end()) {
            f->database = it->second;
            it->second->walFile = f;
        }
    }
    return rc;
}

// The rest of the VFS (delete, access, randomness, time, ...) is the real one's, called
// with the real VFS as SQLite would.
int xDelete(sqlite3_vfs*, const char* name, int syncDir)
{
    return g_real->xDelete(g_real, name, syncDir);
}
int xAccess(sqlite3_vfs*, const char* name, int flags, int* out)
{
    return g_real->xAccess(g_real, name, flags, out);
}
int xFullPathname(sqlite3_vfs*, const char* name, int size, char* out)
{
    return g_real->xFullPathname(g_real, name, size, out);
}
void* xDlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void xDlError(sqlite3_vfs*, int size, char* out) { g_real->xDlError(g_real, size, out); }
void (*xDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void)
{
    return g_real->xDlSym(g_real, handle, symbol);
}
void xDlClose(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int xRandomness(sqlite3_vfs*, int size, char* out)
{
    return g_real->xRandomness(g_real, size, out);
}
int xSleep(sqlite3_vfs*, int micros) { return g_real->xSleep(g_real, micros); }
int xCurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int xGetLastError(sqlite3_vfs*, int size, char* out)
{
    return g_real->xGetLastError(g_real, size, out);
}
int xCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out)
{
    return g_real->xCurrentTimeInt64(g_real, out);
}

const char* registerVfs()
{
    static sqlite3_vfs vfs {};
    g_real = sqlite3_vfs_find("unix");
    if (!g_real || g_real->iVersion < 2) {
        return nullptr;
    }
    vfs.iVersion = 2;
    vfs.szOsFile = fileSize() + g_real->szOsFile;
    vfs.mxPathname = g_real->mxPathname;
    vfs.zName = "cpm-wal-gather";
    vfs.xOpen = xOpen;
    vfs.xDelete = xDelete;
    vfs.xAccess = xAccess;
    vfs.xFullPathname = xFullPathname;
    vfs.xDlOpen = xDlOpen;
    vfs.xDlError = xDlError;
    vfs.xDlSym = xDlSym;
    vfs.xDlClose = xDlClose;
    vfs.xRandomness = xRandomness;
    vfs.xSleep = xSleep;
    vfs.xCurrentTime = xCurrentTime;
    vfs.xGetLastError = xGetLastError;
    vfs.xCurrentTimeInt64 = xCurrentTimeInt64;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
        return nullptr;
    }
    return vfs.zName;
}

} // namespace

const char* name()
{
    // C++ runs this once, whichever thread opens a database first.
    static const char* const registered = registerVfs();
    return registered;
}

} // namespace cpm::server::sqlitevfs
