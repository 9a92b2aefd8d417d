// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What an operator's long transaction does to a running server: another connection holds
// the database's write lock (BEGIN IMMEDIATE) until release() or destruction. Link
// SQLite::SQLite3 to use it.

#include <QDir>
#include <QFile>

#include <sqlite3.h>

namespace cpm::test {

class WriteLock final {
public:
    //! Takes the write lock of `cpm.sqlite` in \a dataDir; isHeld() tells whether it did.
    explicit WriteLock(const QString& dataDir)
    {
        const QByteArray path
            = QFile::encodeName(QDir(dataDir).filePath(QStringLiteral("cpm.sqlite")));
        // The server may be in one of its own short writes (a device signing in): wait for
        // it to end, as an operator's tool would, instead of failing at once.
        m_held
            = sqlite3_open_v2(path.constData(), &m_db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK
            && sqlite3_busy_timeout(m_db, 5000) == SQLITE_OK
            && sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    ~WriteLock() { release(); }
    WriteLock(const WriteLock&) = delete;
    WriteLock& operator=(const WriteLock&) = delete;

    bool isHeld() const { return m_held; }
    void release()
    {
        if (m_db) {
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
            sqlite3_close(m_db);
            m_db = nullptr;
        }
        m_held = false;
    }

private:
    sqlite3* m_db = nullptr;
    bool m_held = false;
};

} // namespace cpm::test
