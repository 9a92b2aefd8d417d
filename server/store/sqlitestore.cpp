// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitestore.h"

#include "logging.h"
#include "sqlitecheckpointer.h"
#include "sqlitemigrations.h"

#include <QDir>
#include <QFileInfo>

namespace cpm::server {

namespace {
// A second process (the admin CLI) may hold the write lock for a moment.
constexpr int BusyTimeoutMs = 5000;
} // namespace

SqliteStore::SqliteStore() = default;

SqliteStore::~SqliteStore() { close(); }

int SqliteStore::latestSchemaVersion() { return sqlitemigrations::latestVersion(); }

QString SqliteStore::explainOpenFailure(const QString& dataDir, const Error& error)
{
    const QString file = QDir(dataDir).filePath(QString::fromLatin1(FileName));
    switch (error.code) {
    case ErrorCode::StoreCorrupt:
        return QStringLiteral("the database %1 is damaged: %2.\n"
                              "Restore it from a backup, or keep what can be read:\n"
                              "  sqlite3 %1 .recover | sqlite3 %1.recovered\n"
                              "then move %1.recovered to %1 and start again.")
            .arg(file, error.message);
    case ErrorCode::StoreReadOnly:
        return QStringLiteral("cannot write to the data directory %1 (%2). Give the server a "
                              "directory it may write, or remount the file system read-write.")
            .arg(dataDir, error.message);
    case ErrorCode::DiskFull:
        return QStringLiteral("no space left for the data directory %1 (%2). Make room on "
                              "that file system and start again.")
            .arg(dataDir, error.message);
    case ErrorCode::StoreBusy:
        return QStringLiteral("the database %1 is locked by another process (%2). Is another "
                              "cpm-server running on it?")
            .arg(file, error.message);
    default:
        break;
    }
    return QStringLiteral("cannot open the data directory %1: %2").arg(dataDir, error.message);
}

Result<int> SqliteStore::schemaVersion() { return sqlitemigrations::schemaVersion(m_db); }

Result<void> SqliteStore::open(const QString& dataDir, Mode mode)
{
    close();
    m_dataDir = QDir(dataDir).absolutePath();
    // The data directory holds password hashes, tokens' hashes and every message: only the
    // server's user may look in.
    if (!QFileInfo::exists(m_dataDir)) {
        const QFileInfo info(m_dataDir);
        if (!QDir().mkpath(info.absolutePath())
            || !QDir().mkdir(m_dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)) {
            return makeError(ErrorCode::StoreFailed,
                QStringLiteral("cannot create the data directory %1").arg(m_dataDir));
        }
    } else if (!QFileInfo(m_dataDir).isDir()) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("the data directory %1 is not a directory").arg(m_dataDir));
    }
    const QString path = QDir(m_dataDir).filePath(QString::fromLatin1(FileName));
    if (const Result<void> opened = m_db.open(path, true, BusyTimeoutMs); !opened) {
        return opened;
    }
    // A damaged page would otherwise only surface later, as a failed request.
    const Result<QString> check = m_db.quickCheck();
    if (!check || !check->isEmpty()) {
        const QString what = check ? *check : check.error().message;
        m_db.close();
        return makeError(check ? ErrorCode::StoreCorrupt : check.error().code,
            QStringLiteral("%1 is damaged (%2)").arg(path, what.left(500)));
    }
    if (const Result<void> migrated = sqlitemigrations::migrate(m_db); !migrated) {
        m_db.close();
        return migrated;
    }
    if (mode == Mode::Serving) {
        // Commits no longer checkpoint; the thread does. When the WAL is reset, a file that
        // grew past 64 MiB (see SqliteCheckpointer) is cut back; below that it is reused.
        const Result<void> configured = m_db.exec(
            QStringLiteral("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;"));
        if (!configured) {
            m_db.close();
            return configured;
        }
        m_checkpointer = std::make_unique<SqliteCheckpointer>(path);
        m_checkpointer->start();
    }
    return {};
}

void SqliteStore::close()
{
    if (m_checkpointer) {
        m_checkpointer->stop();
        m_checkpointer.reset();
    }
    if (m_db.isOpen()) {
        // Nobody heard of these writes yet, but keeping them is better than dropping them.
        [[maybe_unused]] const Result<void> committed = m_db.commitBatch();
    }
    m_db.close();
    m_settings.clear();
    m_dataVersion = -1;
    m_changesVersion = -1;
    m_settingsCheckedInBatch = false;
}

// --- durability ------------------------------------------------------------------------

void SqliteStore::setWriteListener(std::function<void()> listener)
{
    m_db.setGroupCommit(std::move(listener));
}

Result<void> SqliteStore::commit()
{
    m_settingsCheckedInBatch = false;
    return m_db.commitBatch();
}

void SqliteStore::maintain()
{
    m_db.checkSpace();
    // 4,096 pages of 4 KiB: 16 MiB. Reset the WAL about that often under a steady load.
    constexpr qint64 LargeWalFrames = 4096;
    if (!m_checkpointer || m_db.hasPendingBatch() || m_checkpointer->walFrames() < LargeWalFrames) {
        return;
    }
    // The background thread has copied all but the last few commits: copying those here,
    // outside a transaction, lets the next write start the WAL over. Costs two fsyncs.
    Query q(m_db, "PRAGMA wal_checkpoint(PASSIVE)");
    if (q.next()) {
        qCDebug(lcStore) << "checkpointed the tail of a WAL of" << q.int64(1) << "frames";
        m_checkpointer->setWalFrames(0);
    }
}

bool SqliteStore::changedElsewhere()
{
    Query v(m_db, "PRAGMA data_version");
    if (!v.next()) {
        return false;
    }
    const qint64 version = v.int64(0);
    const bool changed = m_changesVersion != -1 && version != m_changesVersion;
    m_changesVersion = version;
    return changed;
}

// --- settings --------------------------------------------------------------------------

Result<void> SqliteStore::loadSettings()
{
    // PRAGMA data_version changes when another connection commits: then, and only then,
    // re-read the settings, so `cpm-server settings set` reaches a running server. Inside an
    // open batch we hold the write lock, so nobody can commit: once per batch is enough.
    if (m_db.hasPendingBatch() && m_settingsCheckedInBatch) {
        return {};
    }
    m_settingsCheckedInBatch = m_db.hasPendingBatch();
    qint64 version = -1;
    {
        Query v(m_db, "PRAGMA data_version");
        if (!v.next()) {
            return v.ok() ? Result<void>() : Result<void>(v.error());
        }
        version = v.int64(0);
    }
    if (version == m_dataVersion) {
        return {};
    }
    QMap<QString, QString> settings;
    Query q(m_db, "SELECT key, value FROM settings");
    while (q.next()) {
        settings.insert(q.text(0), q.text(1));
    }
    if (!q.ok()) {
        return q.error();
    }
    m_settings = std::move(settings);
    m_dataVersion = version;
    return {};
}

} // namespace cpm::server
