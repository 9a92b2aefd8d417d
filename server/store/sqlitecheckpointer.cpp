// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitecheckpointer.h"

#include "logging.h"

#include <QFile>

#include <sqlite3.h>

namespace cpm::server {

namespace {
constexpr int IntervalMs = 50;
// Only TRUNCATE waits for the lock, and not for long.
constexpr int TruncateWaitMs = 50;
// In 4 KiB pages: 256 MiB.
constexpr qint64 HugeWalFrames = 65536;

//! Frames in the WAL after the checkpoint, or -1 on failure.
qint64 checkpoint(sqlite3* db, int mode)
{
    int walFrames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, mode, &walFrames, &copied);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? walFrames : -1;
}
} // namespace

SqliteCheckpointer::SqliteCheckpointer(const QString& path, QObject* parent)
    : QThread(parent)
    , m_path(path)
{
    setObjectName(QStringLiteral("cpm-checkpoint"));
}

SqliteCheckpointer::~SqliteCheckpointer() { stop(); }

void SqliteCheckpointer::stop()
{
    {
        const QMutexLocker lock(&m_mutex);
        m_stopping = true;
    }
    m_wake.wakeAll();
    wait();
}

void SqliteCheckpointer::run()
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(m_path).constData(), &db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        qCWarning(lcStore) << "the checkpoint thread cannot open the database:"
                           << (db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, TruncateWaitMs);
    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    for (;;) {
        {
            QMutexLocker lock(&m_mutex);
            if (!m_stopping) {
                m_wake.wait(&m_mutex, IntervalMs);
            }
            if (m_stopping) {
                break;
            }
        }
        qint64 frames = checkpoint(db, SQLITE_CHECKPOINT_PASSIVE);
        if (frames > HugeWalFrames) {
            qCInfo(lcStore) << "forcing a reset of a WAL of" << frames << "frames";
            frames = checkpoint(db, SQLITE_CHECKPOINT_TRUNCATE);
        }
        m_walFrames.store(frames, std::memory_order_relaxed);
    }
    sqlite3_close(db);
}

} // namespace cpm::server
