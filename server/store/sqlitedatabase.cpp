// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitedatabase.h"

#include "logging.h"
#include "sqlitevfs.h"

#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>

#include <sqlite3.h>

namespace cpm::server {

namespace {
// Room the file system must have again before writes are tried after a full disk.
constexpr qint64 RoomBytes = 4 * 1024 * 1024;

//! Process-wide SQLite settings, before the first connection initializes the library.
void configureSqlite()
{
    static const bool configured = [] {
        // Memory statistics take a global mutex on every allocation and free, and a
        // message costs SQLite a few dozen of them; nothing here reads the statistics.
        // SQLITE_MISUSE (initialized already, by someone else) leaves the default.
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    Q_UNUSED(configured);
}
} // namespace

SqliteDatabase::SqliteDatabase() = default;

SqliteDatabase::~SqliteDatabase() { close(); }

Error SqliteDatabase::lastError(const QString& what) const
{
    if (!m_db) {
        return makeError(ErrorCode::StoreFailed, what + QStringLiteral(": the database is closed"));
    }
    return makeError(Error::fromSqlite(sqlite3_extended_errcode(m_db), m_path),
        QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(m_db))));
}

Result<void> SqliteDatabase::open(const QString& path, bool create, int busyTimeoutMs)
{
    close();
    configureSqlite();
    m_path = path;
    // NOMUTEX: a connection is used by one thread only (the checkpointer has its own), so
    // SQLite's per-call mutex would be pure cost on the hot path (4 % of the network
    // thread's time on the fan-out bench).
    const int flags
        = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    const char* vfs
        = qEnvironmentVariableIsSet("CPM_SQLITE_PLAIN_VFS") ? nullptr : sqlitevfs::name();
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, flags, vfs);
    if (rc != SQLITE_OK) {
        Error e = m_db ? lastError(QStringLiteral("cannot open %1").arg(path))
                       : makeError(ErrorCode::StoreFailed,
                           QStringLiteral("cannot open %1: out of memory").arg(path));
        if (rc == SQLITE_CANTOPEN && QFileInfo::exists(path)) {
            e.code = ErrorCode::StoreReadOnly; // there, but not ours to open for writing
        }
        close();
        return e;
    }
    sqlite3_extended_result_codes(m_db, 1);
    // SQLite silently opens a file it may not write read-only; a server must write.
    if (sqlite3_db_readonly(m_db, "main") == 1) {
        close();
        return makeError(ErrorCode::StoreReadOnly,
            QStringLiteral("%1 is read-only (file permissions or a read-only file system)")
                .arg(path));
    }
    sqlite3_busy_timeout(m_db, busyTimeoutMs);
    // WAL: readers never block the writer. synchronous=NORMAL: a commit is in the WAL (the
    // OS has it) before we answer, so a killed process loses nothing; only a power loss can
    // lose the last commits, a trade the throughput target needs. Savepoints (group commit)
    // journal the pages they change: temp_store=MEMORY keeps that off the disk.
    const Result<void> configured = exec(QStringLiteral("PRAGMA journal_mode=WAL;"
                                                        "PRAGMA synchronous=NORMAL;"
                                                        "PRAGMA foreign_keys=ON;"
                                                        "PRAGMA temp_store=MEMORY;"));
    if (!configured) {
        close();
        return configured;
    }
    return {};
}

void SqliteDatabase::close()
{
    // Statements first: a connection does not close with statements left open.
    for (sqlite3_stmt* statement : std::as_const(m_statements)) {
        sqlite3_finalize(statement);
    }
    m_statements.clear();
    if (m_db) {
        sqlite3_close(m_db);
        m_db = nullptr;
    }
    m_groupCommit = false;
    m_batchStarted = nullptr;
    m_batchOpen = false;
    m_batchBroken = false;
    m_batchWrites = 0;
    m_full = false;
}

Result<void> SqliteDatabase::exec(const QString& sql)
{
    if (!m_db) {
        return lastError(sql);
    }
    if (sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        const Error e = lastError(sql.left(80));
        noteFailure(e);
        return e;
    }
    return {};
}

Result<QString> SqliteDatabase::quickCheck()
{
    Query q(*this, "PRAGMA quick_check");
    QStringList problems;
    while (q.next()) {
        const QString line = q.text(0);
        if (line != QLatin1StringView("ok")) {
            problems.append(line);
        }
    }
    if (!q.ok()) {
        return q.error();
    }
    return problems.join(QStringLiteral("; "));
}

void SqliteDatabase::noteFailure(const Error& error)
{
    if (error.code == ErrorCode::DiskFull && !m_full) {
        m_full = true;
        qCCritical(lcStore) << "the disk holding" << m_path
                            << "is full: refusing writes until there is room again";
    }
}

void SqliteDatabase::checkSpace()
{
    if (!m_full) {
        return;
    }
    QStorageInfo storage(QFileInfo(m_path).absolutePath());
    if (storage.isValid() && storage.bytesAvailable() >= RoomBytes) {
        m_full = false;
        qCInfo(lcStore) << "the disk has room again: accepting writes";
    }
}

sqlite3_stmt* SqliteDatabase::statement(const char* sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (!m_db
            || sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr)
                != SQLITE_OK) {
            return nullptr; // not kept: the next call tries again
        }
        it = m_statements.insert(sql, stmt);
    }
    return it.value();
}

Result<void> SqliteDatabase::run(const char* sql)
{
    Query q(*this, sql);
    return q.exec();
}

// --- Query -----------------------------------------------------------------------------

SqliteDatabase::Query::Query(SqliteDatabase& db, const char* sql)
    : m_db(db)
    , m_stmt(db.statement(sql))
{
    if (!m_stmt) {
        m_error = db.lastError(QStringLiteral("cannot prepare %1").arg(QLatin1StringView(sql)));
        qCWarning(lcStore) << m_error.message;
        db.noteFailure(m_error);
    }
}

SqliteDatabase::Query::~Query()
{
    if (m_stmt) {
        // Bindings stay: every run binds all of a statement's parameters again.
        sqlite3_reset(m_stmt);
    }
}

void SqliteDatabase::Query::fail(int rc)
{
    Q_UNUSED(rc)
    const int extended = m_db.m_db ? sqlite3_extended_errcode(m_db.m_db) : rc;
    m_uniqueViolated
        = extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY;
    m_error = m_db.lastError(QString::fromUtf8(sqlite3_sql(m_stmt)));
    qCWarning(lcStore) << "query failed:" << m_error.message;
    m_db.noteFailure(m_error);
}

bool SqliteDatabase::Query::next()
{
    if (!m_stmt || !ok()) {
        return false;
    }
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc != SQLITE_DONE) {
        fail(rc);
    }
    return false;
}

Result<void> SqliteDatabase::Query::exec()
{
    next();
    if (!ok()) {
        return m_error;
    }
    return {};
}

qint64 SqliteDatabase::Query::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

bool SqliteDatabase::Query::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

QString SqliteDatabase::Query::text(int column) const
{
    const auto* data = static_cast<const char16_t*>(sqlite3_column_text16(m_stmt, column));
    if (!data) {
        return QStringLiteral("");
    }
    return QString(reinterpret_cast<const QChar*>(data),
        sqlite3_column_bytes16(m_stmt, column) / qsizetype(sizeof(char16_t)));
}

QByteArray SqliteDatabase::Query::blob(int column) const
{
    const auto* data = static_cast<const char*>(sqlite3_column_blob(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray SqliteDatabase::Query::utf8(int column) const
{
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

qint64 SqliteDatabase::Query::changes() const { return sqlite3_changes64(m_db.m_db); }

qint64 SqliteDatabase::Query::lastInsertId() const { return sqlite3_last_insert_rowid(m_db.m_db); }

void SqliteDatabase::Query::bindOne(int i, qint64 value)
{
    if (m_stmt) {
        sqlite3_bind_int64(m_stmt, i, value);
    }
}

void SqliteDatabase::Query::bindOne(int i, const QString& value)
{
    static constexpr char16_t Empty[] = u"";
    if (!m_stmt) {
        return;
    }
    const void* text = value.isNull() ? static_cast<const void*>(Empty)
                                      : static_cast<const void*>(value.utf16());
    sqlite3_bind_text16(m_stmt, i, text,
        static_cast<int>(value.size() * qsizetype(sizeof(char16_t))), SQLITE_TRANSIENT);
}

void SqliteDatabase::Query::bindOne(int i, QLatin1StringView value)
{
    if (m_stmt) {
        sqlite3_bind_text(
            m_stmt, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    }
}

void SqliteDatabase::Query::bindOne(int i, const QByteArray& value)
{
    if (m_stmt) {
        sqlite3_bind_blob(
            m_stmt, i, value.constData(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    }
}

void SqliteDatabase::Query::bindOne(int i, std::nullptr_t)
{
    if (m_stmt) {
        sqlite3_bind_null(m_stmt, i);
    }
}

// --- transactions and group commit ------------------------------------------------------

SqliteDatabase::Transaction::Transaction(SqliteDatabase& db)
    : m_db(db)
{
    const Result<void> begun = db.beginWrite();
    m_active = begun.ok();
    m_error = begun.error();
}

SqliteDatabase::Transaction::~Transaction()
{
    if (m_active) {
        [[maybe_unused]] const Result<void> rolledBack = m_db.endWrite(false);
    }
}

Result<void> SqliteDatabase::Transaction::commit()
{
    if (!m_active) {
        return m_error.isNull()
            ? makeError(ErrorCode::StoreFailed, QStringLiteral("no write to commit"))
            : m_error;
    }
    m_active = false;
    return m_db.endWrite(true);
}

void SqliteDatabase::setGroupCommit(std::function<void()> batchStarted)
{
    m_groupCommit = true;
    m_batchStarted = std::move(batchStarted);
}

Result<void> SqliteDatabase::beginWrite()
{
    if (m_full) {
        return makeError(ErrorCode::DiskFull,
            QStringLiteral("the disk holding %1 is full; writes are refused until there is "
                           "room again")
                .arg(m_path));
    }
    if (!m_groupCommit) {
        return run("BEGIN IMMEDIATE");
    }
    if (m_batchBroken) {
        // The batch fails as a whole; the next one starts afresh.
        return makeError(ErrorCode::StoreFailed, QStringLiteral("the open batch failed"));
    }
    if (!m_batchOpen) {
        if (const Result<void> begun = run("BEGIN IMMEDIATE"); !begun) {
            return begun;
        }
        m_batchOpen = true;
        m_batchWrites = 0;
        if (m_batchStarted) {
            m_batchStarted();
        }
    }
    return run("SAVEPOINT op");
}

Result<void> SqliteDatabase::endWrite(bool commit)
{
    // After some failures (a full disk, an I/O error) SQLite has already rolled back the
    // whole transaction: then there is nothing left to roll back, or to release.
    const auto transactionGone = [this] { return sqlite3_get_autocommit(m_db) != 0; };
    if (!m_groupCommit) {
        Result<void> committed;
        if (commit) {
            committed = run("COMMIT");
            if (committed) {
                return {};
            }
        }
        if (!transactionGone()) {
            [[maybe_unused]] const Result<void> rolledBack = run("ROLLBACK");
        }
        return committed;
    }
    ++m_batchWrites;
    Result<void> released;
    if (commit) {
        released = run("RELEASE op");
        if (released) {
            return {};
        }
    }
    // ROLLBACK TO leaves the savepoint open: release it as well.
    if (transactionGone() || !run("ROLLBACK TO op") || !run("RELEASE op")) {
        // The writes before this one in the batch are gone too, so the batch must not be
        // reported as committed.
        qCCritical(lcStore) << "a failed write took its batch with it";
        m_batchBroken = true;
    }
    return released;
}

Result<void> SqliteDatabase::commitBatch()
{
    if (!m_batchOpen) {
        return {};
    }
    m_batchOpen = false;
    m_batchWrites = 0;
    const bool broken = std::exchange(m_batchBroken, false);
    Result<void> committed = broken
        ? Result<void>(makeError(ErrorCode::StoreFailed, QStringLiteral("a write failed")))
        : run("COMMIT");
    if (committed) {
        return {};
    }
    qCCritical(lcStore) << "a group commit failed; its writes are rolled back:"
                        << committed.error().message;
    if (sqlite3_get_autocommit(m_db) == 0) {
        [[maybe_unused]] const Result<void> rolledBack = run("ROLLBACK");
    }
    return committed;
}

} // namespace cpm::server
