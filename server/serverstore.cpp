// SPDX-License-Identifier: GPL-3.0-or-later
#include "serverstore.h"

#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "wirejson.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSet>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QUuid>
#include <QWaitCondition>

#include <algorithm>
#include <atomic>
#include <sqlite3.h>

namespace cpm::server {

namespace {
namespace ev = protocol::event;
namespace rep = protocol::report;

// Migration N brings the schema from version N-1 to N. Never edit a released one:
// append a new migration instead, since existing data directories have run the old.
const QList<QStringList>& migrations()
{
    static const QList<QStringList> list = {
        // 1: everything of protocol v1.
        {
            QStringLiteral("CREATE TABLE users ("
                           " id INTEGER PRIMARY KEY,"
                           " address TEXT NOT NULL UNIQUE,"
                           " pwhash TEXT NOT NULL,"
                           " enabled INTEGER NOT NULL DEFAULT 1,"
                           " status TEXT NOT NULL DEFAULT 'available',"
                           " status_text TEXT NOT NULL DEFAULT '',"
                           " head_seq INTEGER NOT NULL DEFAULT 0,"
                           " quota_day INTEGER NOT NULL DEFAULT 0,"
                           " quota_count INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE devices ("
                           " id INTEGER PRIMARY KEY,"
                           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
                           " instance_id TEXT NOT NULL,"
                           " name TEXT NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " capabilities TEXT NOT NULL DEFAULT '',"
                           " token_hash BLOB,"
                           " delivery TEXT NOT NULL DEFAULT 'full',"
                           " notify_sessions INTEGER NOT NULL DEFAULT 1,"
                           " acked_seq INTEGER NOT NULL DEFAULT 0,"
                           " last_seen INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL,"
                           " signed_out INTEGER,"
                           " UNIQUE (user_id, instance_id))"),
            // sender_seq: the sentbox event's seq, so a duplicate submit answers the same.
            QStringLiteral("CREATE TABLE messages ("
                           " id INTEGER PRIMARY KEY,"
                           " sender_id INTEGER NOT NULL REFERENCES users(id),"
                           " client_id TEXT NOT NULL,"
                           " from_addr TEXT NOT NULL,"
                           " to_addr TEXT NOT NULL,"
                           " subject TEXT NOT NULL DEFAULT '',"
                           " body TEXT NOT NULL,"
                           " created INTEGER NOT NULL,"
                           " sender_seq INTEGER NOT NULL,"
                           " UNIQUE (sender_id, client_id))"),
            QStringLiteral("CREATE TABLE mailbox ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " message_id INTEGER NOT NULL REFERENCES messages(id),"
                           " folder TEXT NOT NULL CHECK (folder IN ('inbox', 'sent')),"
                           " read INTEGER NOT NULL DEFAULT 0,"
                           " status TEXT NOT NULL DEFAULT 'sent',"
                           " event_seq INTEGER NOT NULL,"
                           " created INTEGER NOT NULL,"
                           " delivered_at INTEGER,"
                           " displayed_at INTEGER,"
                           " PRIMARY KEY (user_id, message_id)) WITHOUT ROWID"),
            // Pending = an inbox copy no device has acknowledged: what ack and expiry scan.
            QStringLiteral("CREATE INDEX mailbox_pending ON mailbox(user_id, event_seq)"
                           " WHERE folder = 'inbox' AND delivered_at IS NULL"),
            QStringLiteral("CREATE INDEX mailbox_pending_age ON mailbox(created)"
                           " WHERE folder = 'inbox' AND delivered_at IS NULL"),
            QStringLiteral("CREATE INDEX mailbox_message ON mailbox(message_id)"),
            QStringLiteral("CREATE TABLE events ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " seq INTEGER NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " message_id INTEGER,"
                           " payload TEXT NOT NULL DEFAULT '{}',"
                           " created INTEGER NOT NULL,"
                           " PRIMARY KEY (user_id, seq)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE contacts ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " address TEXT NOT NULL,"
                           " name TEXT NOT NULL DEFAULT '',"
                           " PRIMARY KEY (user_id, address)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE prefs ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " key TEXT NOT NULL,"
                           " value TEXT NOT NULL,"
                           " PRIMARY KEY (user_id, key)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE settings ("
                           " key TEXT PRIMARY KEY,"
                           " value TEXT NOT NULL) WITHOUT ROWID"),
        },
    };
    return list;
}

DeviceRecord deviceFrom(const QSqlQuery& q)
{
    DeviceRecord d;
    d.id = q.value(0).toLongLong();
    d.userId = q.value(1).toLongLong();
    d.instanceId = q.value(2).toString();
    d.name = q.value(3).toString();
    d.kind = q.value(4).toString();
    const QString caps = q.value(5).toString();
    d.capabilities = caps.isEmpty() ? QStringList() : caps.split(QLatin1Char(','));
    d.tokenHash = q.value(6).toByteArray();
    d.delivery = q.value(7).toString();
    d.notifySessions = q.value(8).toBool();
    d.ackedSeq = q.value(9).toLongLong();
    d.lastSeen = q.value(10).toLongLong();
    d.created = q.value(11).toLongLong();
    d.signedOut = q.value(12).toLongLong();
    return d;
}

constexpr const char* UserColumns
    = "id, address, pwhash, enabled, status, status_text, head_seq, created";

UserRecord userFrom(const QSqlQuery& q)
{
    UserRecord u;
    u.id = q.value(0).toLongLong();
    u.address = q.value(1).toString();
    u.passwordHash = q.value(2).toByteArray();
    u.enabled = q.value(3).toBool();
    u.status = q.value(4).toString();
    u.statusText = q.value(5).toString();
    u.headSeq = q.value(6).toLongLong();
    u.created = q.value(7).toLongLong();
    return u;
}

QJsonObject deviceData(const DeviceRecord& d, bool removed)
{
    // The stored form of a `device` event; `online` and `current` depend on who looks
    // and when, so the connection adds them when it sends the event.
    QJsonObject device {
        { QStringLiteral("id"), d.id },
        { QStringLiteral("instanceId"), d.instanceId },
        { QStringLiteral("name"), d.name },
        { QStringLiteral("kind"), d.kind },
        { QStringLiteral("capabilities"), QJsonArray::fromStringList(d.capabilities) },
        { QStringLiteral("delivery"), d.delivery },
        { QStringLiteral("notifySessions"), d.notifySessions },
        { QStringLiteral("lastSeen"), d.lastSeen },
    };
    return { { QStringLiteral("device"), device }, { QStringLiteral("removed"), removed } };
}

template <typename T> QVariant sqlValue(const T& value) { return QVariant::fromValue(value); }
// A null QString binds as SQL NULL; text columns here are NOT NULL, and an absent
// optional field (a subject, a device without capabilities) means "empty".
QVariant sqlValue(const QString& value)
{
    return value.isNull() ? QVariant(QString(QLatin1StringView(""))) : QVariant(value);
}

// Binds positional values to a prepared statement.
template <typename... Values> void bind(QSqlQuery& q, const Values&... values)
{
    int i = 0;
    (q.bindValue(i++, sqlValue(values)), ...);
}

// Resets a reused statement when it goes out of scope: an active SELECT would keep a
// read transaction open, pinning an old snapshot and blocking WAL checkpoints.
class Finisher {
public:
    explicit Finisher(QSqlQuery& q)
        : m_q(q)
    {
    }
    ~Finisher() { m_q.finish(); }
    Q_DISABLE_COPY_MOVE(Finisher)

private:
    QSqlQuery& m_q;
};
} // namespace

// A write. Alone, BEGIN IMMEDIATE ... COMMIT; BEGIN IMMEDIATE takes the write lock up front:
// a deferred transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT if
// the admin CLI wrote meanwhile. With group commit, a savepoint in the batch's transaction.
class ServerStore::Transaction {
public:
    explicit Transaction(ServerStore* store)
        : m_store(store)
        , m_active(store->beginWrite())
    {
    }
    ~Transaction()
    {
        if (m_active) {
            m_store->endWrite(false);
        }
    }
    Q_DISABLE_COPY_MOVE(Transaction)

    bool isActive() const { return m_active; }
    bool commit()
    {
        if (!m_active) {
            return false;
        }
        m_active = false;
        return m_store->endWrite(true);
    }

private:
    ServerStore* m_store;
    bool m_active;
};

// A statement on the hot path (a message, an ack, transaction control), run through SQLite's
// C API on the connection QtSql opened. Measured on the fan-out bench, QtSql's layer (a
// QVariant per bound value, the result columns described again on each run) cost about as
// much as SQLite's own work for these short statements. Resets the statement when it goes
// out of scope, like Finisher.
class ServerStore::Query {
public:
    Query(ServerStore* store, const char* sql)
        : m_db(store->m_handle)
        , m_stmt(store->statement(sql))
    {
    }
    ~Query()
    {
        if (m_stmt) {
            sqlite3_reset(m_stmt);
        }
    }
    Q_DISABLE_COPY_MOVE(Query)

    //! Binds \a values to the parameters, in order.
    template <typename... Values> void bind(const Values&... values)
    {
        int i = 1;
        (bindOne(i++, values), ...);
    }
    //! Steps to the next row: true when there is one; ok() tells the end from a failure.
    bool next()
    {
        if (!m_stmt) {
            m_ok = false;
            return false;
        }
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc != SQLITE_DONE) {
            m_ok = false;
            qCWarning(lcStore) << "query failed:" << sqlite3_sql(m_stmt) << sqlite3_errmsg(m_db);
        }
        return false;
    }
    //! Runs a statement that returns no rows; true when it succeeded.
    bool exec()
    {
        next();
        return m_ok;
    }
    bool ok() const { return m_ok; }
    qint64 int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
    bool isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    QString text(int column) const
    {
        const auto* data = static_cast<const char16_t*>(sqlite3_column_text16(m_stmt, column));
        return QString(reinterpret_cast<const QChar*>(data),
            sqlite3_column_bytes16(m_stmt, column) / qsizetype(sizeof(char16_t)));
    }
    qint64 changes() const { return sqlite3_changes64(m_db); }
    qint64 lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

private:
    void bindOne(int i, qint64 value) { sqlite3_bind_int64(m_stmt, i, value); }
    void bindOne(int i, int value) { sqlite3_bind_int(m_stmt, i, value); }
    // A null QString binds as '' as with QtSql above (sqlValue): text columns are NOT NULL.
    void bindOne(int i, const QString& value)
    {
        static constexpr char16_t Empty[] = u"";
        const void* text = value.isNull() ? static_cast<const void*>(Empty)
                                          : static_cast<const void*>(value.utf16());
        sqlite3_bind_text16(m_stmt, i, text,
            static_cast<int>(value.size() * qsizetype(sizeof(char16_t))), SQLITE_TRANSIENT);
    }
    void bindOne(int i, QLatin1StringView value)
    {
        sqlite3_bind_text(
            m_stmt, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    }
    void bindOne(int i, std::nullptr_t) { sqlite3_bind_null(m_stmt, i); }

    sqlite3* m_db;
    sqlite3_stmt* m_stmt;
    bool m_ok = true;
};

// Checkpoints the WAL into the database file from a thread of its own, with its own
// connection: a checkpoint copies pages and fsyncs twice, which on the serving thread would
// stall every connection behind it. PASSIVE never blocks the writer.
//
// The WAL only starts over when a write transaction begins while every frame in it has been
// copied back. With group commit the serving thread is nearly always inside a transaction
// when busy, so a checkpoint here almost never finishes in such a gap and the file would grow
// without end. So this thread does the copying and reports the WAL's size, and when it is
// large the serving thread copies the last few commits itself, between two batches
// (ServerStore::maintainWal()), so that its next write resets the WAL. Only if even that
// fails for long (a reader pinning an old snapshot) does TRUNCATE hold writers back briefly.
class ServerStore::Checkpointer final : public QThread {
public:
    explicit Checkpointer(const QString& path)
        : m_path(path)
    {
        setObjectName(QStringLiteral("cpm-checkpoint"));
    }
    ~Checkpointer() override { stop(); }
    Q_DISABLE_COPY_MOVE(Checkpointer)

    //! Frames in the WAL after the last checkpoint (-1: it failed).
    qint64 walFrames() const { return m_walFrames.load(std::memory_order_relaxed); }
    void setWalFrames(qint64 frames) { m_walFrames.store(frames, std::memory_order_relaxed); }

    void stop()
    {
        {
            const QMutexLocker lock(&m_mutex);
            m_stopping = true;
        }
        m_wake.wakeAll();
        wait();
    }

protected:
    void run() override
    {
        const QString name
            = QStringLiteral("cpm-server-checkpoint-") + QUuid::createUuid().toString();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(m_path);
            // Only TRUNCATE waits for the lock, and not for long.
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(TruncateWaitMs));
            if (db.open()) {
                loop(db);
            } else {
                qCWarning(lcStore)
                    << "the checkpoint thread cannot open the database:" << db.lastError().text();
            }
        }
        QSqlDatabase::removeDatabase(name);
    }

private:
    static constexpr int IntervalMs = 50;
    static constexpr int TruncateWaitMs = 50;
    // In 4 KiB pages: 256 MiB.
    static constexpr qint64 HugeWalFrames = 65536;

    //! Frames in the WAL after the checkpoint, or -1 on failure.
    static qint64 checkpoint(QSqlQuery& q)
    {
        qint64 frames = -1;
        // Columns: busy, frames in the WAL, frames checkpointed.
        if (q.exec() && q.next()) {
            frames = q.value(1).toLongLong();
        }
        q.finish();
        return frames;
    }

    void loop(const QSqlDatabase& db)
    {
        QSqlQuery setup(db);
        setup.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        QSqlQuery passive(db);
        passive.setForwardOnly(true);
        passive.prepare(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
        QSqlQuery truncate(db);
        truncate.setForwardOnly(true);
        truncate.prepare(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        for (;;) {
            {
                QMutexLocker lock(&m_mutex);
                if (!m_stopping) {
                    m_wake.wait(&m_mutex, IntervalMs);
                }
                if (m_stopping) {
                    return;
                }
            }
            qint64 frames = checkpoint(passive);
            if (frames > HugeWalFrames) {
                qCInfo(lcStore) << "forcing a reset of a WAL of" << frames << "frames";
                frames = checkpoint(truncate);
            }
            m_walFrames.store(frames, std::memory_order_relaxed);
        }
    }

    QString m_path;
    QMutex m_mutex;
    QWaitCondition m_wake;
    bool m_stopping = false;
    std::atomic<qint64> m_walFrames { 0 };
};

ServerStore::ServerStore()
    : m_connectionName(QStringLiteral("cpm-server-store-") + QUuid::createUuid().toString())
{
}

ServerStore::~ServerStore() { close(); }

bool ServerStore::open(const QString& dataDir, QString* error)
{
    close();
    if (!QDir().mkpath(dataDir)) {
        if (error) {
            *error = QStringLiteral("cannot create the data directory %1").arg(dataDir);
        }
        return false;
    }
    m_path = QDir(dataDir).filePath(QStringLiteral("cpm.sqlite"));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path);
    // A second process (the admin CLI) may hold the write lock for a moment.
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db.open()) {
        if (error) {
            *error = m_db.lastError().text();
        }
        return false;
    }
    // The hot path talks to SQLite directly (Query); QSQLITE hands out its handle.
    const QVariant handle = m_db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0) {
        m_handle = *static_cast<sqlite3* const*>(handle.constData());
    }
    if (!m_handle) {
        if (error) {
            *error = QStringLiteral("the SQLite driver gives no handle");
        }
        close();
        return false;
    }
    // WAL: readers never block the writer. synchronous=NORMAL: a commit is in the WAL
    // (the OS has it) before we answer, so a killed process loses nothing; only a power
    // loss can lose the last commits, a trade the throughput target needs.
    const QStringList pragmas = { QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"), QStringLiteral("PRAGMA foreign_keys=ON"),
        // Savepoints (group commit) journal pages they change; keep that off the disk.
        QStringLiteral("PRAGMA temp_store=MEMORY"), QStringLiteral("PRAGMA busy_timeout=5000") };
    for (const QString& pragma : pragmas) {
        if (!execSql(pragma)) {
            if (error) {
                *error = QStringLiteral("cannot configure the database: %1").arg(pragma);
            }
            close();
            return false;
        }
    }
    if (!migrate(error)) {
        close();
        return false;
    }
    return true;
}

void ServerStore::close()
{
    if (m_checkpointer) {
        m_checkpointer->stop();
        m_checkpointer.reset();
    }
    // Nobody heard of these writes yet, but keeping them is better than dropping them.
    commitBatch();
    m_groupCommit = false;
    m_batchStarted = nullptr;
    // Before the connection closes: it does not close with statements left open.
    for (sqlite3_stmt* statement : std::as_const(m_statements)) {
        sqlite3_finalize(statement);
    }
    m_statements.clear();
    m_handle = nullptr;
    m_queries.clear();
    m_settings.clear();
    m_dataVersion = -1;
    m_changesVersion = -1;
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool ServerStore::isOpen() const { return m_db.isOpen(); }

int ServerStore::latestSchemaVersion() { return static_cast<int>(migrations().size()); }

// --- group commit ----------------------------------------------------------------------

void ServerStore::setGroupCommit(std::function<void()> batchStarted)
{
    m_groupCommit = true;
    m_batchStarted = std::move(batchStarted);
}

bool ServerStore::beginWrite()
{
    if (!m_groupCommit) {
        return execPrepared("BEGIN IMMEDIATE");
    }
    if (m_batchBroken) {
        return false; // the batch fails as a whole; the next one starts afresh
    }
    if (!m_batchOpen) {
        if (!execPrepared("BEGIN IMMEDIATE")) {
            return false;
        }
        m_batchOpen = true;
        m_batchWrites = 0;
        m_settingsCheckedInBatch = false;
        if (m_batchStarted) {
            m_batchStarted();
        }
    }
    return execPrepared("SAVEPOINT op");
}

bool ServerStore::endWrite(bool commit)
{
    if (!m_groupCommit) {
        if (commit && execPrepared("COMMIT")) {
            return true;
        }
        execPrepared("ROLLBACK");
        return false;
    }
    ++m_batchWrites;
    if (commit && execPrepared("RELEASE op")) {
        return true;
    }
    // ROLLBACK TO leaves the savepoint open: release it as well.
    if (!execPrepared("ROLLBACK TO op") || !execPrepared("RELEASE op")) {
        // SQLite rolled back the whole transaction (I/O error, full disk): the writes before
        // this one are gone too, so the batch must not be reported as committed.
        qCCritical(lcStore) << "a failed write took its batch with it";
        m_batchBroken = true;
    }
    return false;
}

bool ServerStore::commitBatch()
{
    if (!m_batchOpen) {
        return true;
    }
    m_batchOpen = false;
    m_batchWrites = 0;
    m_settingsCheckedInBatch = false;
    const bool broken = std::exchange(m_batchBroken, false);
    if (!broken && execPrepared("COMMIT")) {
        return true;
    }
    qCCritical(lcStore) << "a group commit failed; its writes are rolled back";
    execPrepared("ROLLBACK"); // fails harmlessly when SQLite already rolled back
    return false;
}

void ServerStore::maintainWal()
{
    // 4,096 pages of 4 KiB: 16 MiB. Reset the WAL about that often under a steady load.
    constexpr qint64 LargeWalFrames = 4096;
    if (!m_checkpointer || m_batchOpen || m_checkpointer->walFrames() < LargeWalFrames) {
        return;
    }
    // The background thread has copied all but the last few commits: copying those here,
    // outside a transaction, lets the next write start the WAL over. Costs two fsyncs.
    QSqlQuery& q = prepared("PRAGMA wal_checkpoint(PASSIVE)");
    Finisher f(q);
    if (exec(q) && q.next()) {
        qCDebug(lcStore) << "checkpointed the tail of a WAL of" << q.value(1).toLongLong()
                         << "frames";
        m_checkpointer->setWalFrames(0);
    }
}

bool ServerStore::startBackgroundCheckpoints(QString* error)
{
    if (m_checkpointer) {
        return true;
    }
    // Commits no longer checkpoint; the thread does. When the WAL is reset, a file that
    // grew past 64 MiB (see Checkpointer) is cut back; below that it is reused as it is.
    if (!execSql(QStringLiteral("PRAGMA wal_autocheckpoint=0"))
        || !execSql(QStringLiteral("PRAGMA journal_size_limit=67108864"))) {
        if (error) {
            *error = QStringLiteral("cannot configure checkpoints");
        }
        return false;
    }
    m_checkpointer = std::make_unique<Checkpointer>(m_path);
    m_checkpointer->start();
    return true;
}

QSqlQuery& ServerStore::prepared(const char* sql)
{
    auto it = m_queries.find(sql);
    if (it == m_queries.end()) {
        QSqlQuery q(m_db);
        // Rows are read once, in order: no cache of every row in QVariants.
        q.setForwardOnly(true);
        if (!q.prepare(QString::fromLatin1(sql))) {
            qCCritical(lcStore) << "cannot prepare" << sql << q.lastError().text();
        }
        it = m_queries.insert(sql, q);
    }
    return it.value();
}

sqlite3_stmt* ServerStore::statement(const char* sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (!m_handle
            || sqlite3_prepare_v3(m_handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr)
                != SQLITE_OK) {
            qCCritical(lcStore) << "cannot prepare" << sql
                                << (m_handle ? sqlite3_errmsg(m_handle) : "(closed)");
            return nullptr; // not kept: the next call tries again
        }
        it = m_statements.insert(sql, stmt);
    }
    return it.value();
}

bool ServerStore::exec(QSqlQuery& query)
{
    if (!query.exec()) {
        qCWarning(lcStore) << "query failed:" << query.lastQuery() << query.lastError().text();
        return false;
    }
    return true;
}

bool ServerStore::execPrepared(const char* sql)
{
    // Transaction control runs for every write: prepared once, on the fast path.
    Query q(this, sql);
    return q.exec();
}

bool ServerStore::execSql(const QString& sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        qCWarning(lcStore) << "statement failed:" << sql << q.lastError().text();
        return false;
    }
    return true;
}

int ServerStore::schemaVersion()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT version FROM schema_version")) || !q.next()) {
        return 0;
    }
    return q.value(0).toInt();
}

bool ServerStore::migrate(QString* error)
{
    if (!execSql(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
                                "NOT NULL)"))) {
        if (error) {
            *error = QStringLiteral("cannot create the schema_version table");
        }
        return false;
    }
    const int latest = latestSchemaVersion();
    int version = schemaVersion();
    if (version > latest) {
        if (error) {
            *error = QStringLiteral("the database has schema version %1, newer than this "
                                    "server's %2")
                         .arg(version)
                         .arg(latest);
        }
        return false;
    }
    while (version < latest) {
        // Each migration is one transaction: a crash leaves the schema at N-1 or N.
        Transaction tx(this);
        bool ok = tx.isActive();
        // Re-read inside the lock: another process may have migrated meanwhile.
        version = schemaVersion();
        if (version >= latest) {
            break;
        }
        for (const QString& sql : migrations().at(version)) {
            ok = ok && execSql(sql);
        }
        ok = ok
            && execSql(version == 0
                    ? QStringLiteral("INSERT INTO schema_version (version) VALUES (1)")
                    : QStringLiteral("UPDATE schema_version SET version = %1").arg(version + 1));
        if (!ok || !tx.commit()) {
            if (error) {
                *error = QStringLiteral("migration %1 failed").arg(version + 1);
            }
            return false;
        }
        qCInfo(lcStore) << "migrated the database to schema version" << version + 1;
        ++version;
    }
    return true;
}

// --- settings --------------------------------------------------------------------------

void ServerStore::loadSettings()
{
    // PRAGMA data_version changes when another connection commits: then, and only then,
    // re-read the settings, so `cpm-server settings set` reaches a running server. Inside an
    // open batch we hold the write lock, so nobody can commit: once per batch is enough.
    if (m_batchOpen && m_settingsCheckedInBatch) {
        return;
    }
    m_settingsCheckedInBatch = m_batchOpen;
    qint64 version = -1;
    {
        Query v(this, "PRAGMA data_version");
        if (v.next()) {
            version = v.int64(0);
        }
    }
    if (version == m_dataVersion && version != -1) {
        return;
    }
    m_dataVersion = version;
    QSqlQuery& q = prepared("SELECT key, value FROM settings");
    Finisher f(q);
    if (!exec(q)) {
        return;
    }
    m_settings.clear();
    while (q.next()) {
        m_settings.insert(q.value(0).toString(), q.value(1).toString());
    }
}

std::optional<QString> ServerStore::setting(const QString& key)
{
    loadSettings();
    const auto it = m_settings.constFind(key);
    if (it == m_settings.constEnd()) {
        return std::nullopt;
    }
    return it.value();
}

qint64 ServerStore::settingInt(QLatin1StringView key)
{
    const settings::Definition* def = settings::find(key);
    const qint64 fallback = def ? def->defaultValue : 0;
    const std::optional<QString> value = setting(QString(key));
    if (!value) {
        return fallback;
    }
    bool ok = false;
    const qint64 v = value->toLongLong(&ok);
    return ok && v >= 0 ? v : fallback;
}

bool ServerStore::setSetting(const QString& key, const QString& value)
{
    QSqlQuery& q = prepared("INSERT INTO settings (key, value) VALUES (?, ?)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    Finisher f(q);
    bind(q, key, value);
    if (!exec(q)) {
        return false;
    }
    m_settings.insert(key, value);
    return true;
}

QMap<QString, QString> ServerStore::settings()
{
    loadSettings();
    return m_settings;
}

bool ServerStore::hasExternalChanges()
{
    QSqlQuery& v = prepared("PRAGMA data_version");
    Finisher f(v);
    if (!exec(v) || !v.next()) {
        return false;
    }
    const qint64 version = v.value(0).toLongLong();
    const bool changed = m_changesVersion != -1 && version != m_changesVersion;
    m_changesVersion = version;
    return changed;
}

// --- users -----------------------------------------------------------------------------

ServerStore::CreateUser ServerStore::createUser(
    const QString& address, const QByteArray& passwordHash, qint64 now)
{
    if (userByAddress(address)) {
        return CreateUser::Exists;
    }
    QSqlQuery& q = prepared("INSERT INTO users (address, pwhash, created) VALUES (?, ?, ?)");
    Finisher f(q);
    bind(q, address, QString::fromLatin1(passwordHash), now);
    return exec(q) ? CreateUser::Created : CreateUser::Failed;
}

std::optional<UserRecord> ServerStore::userByAddress(const QString& address)
{
    QSqlQuery& q = prepared("SELECT id, address, pwhash, enabled, status, status_text, head_seq,"
                            " created FROM users WHERE address = ?");
    Finisher f(q);
    bind(q, address);
    if (!exec(q) || !q.next()) {
        return std::nullopt;
    }
    return userFrom(q);
}

std::optional<UserRecord> ServerStore::userById(qint64 id)
{
    QSqlQuery& q = prepared("SELECT id, address, pwhash, enabled, status, status_text, head_seq,"
                            " created FROM users WHERE id = ?");
    Finisher f(q);
    bind(q, id);
    if (!exec(q) || !q.next()) {
        return std::nullopt;
    }
    return userFrom(q);
}

bool ServerStore::setUserEnabled(const QString& address, bool enabled)
{
    QSqlQuery& q = prepared("UPDATE users SET enabled = ? WHERE address = ?");
    Finisher f(q);
    bind(q, enabled ? 1 : 0, address);
    return exec(q) && q.numRowsAffected() > 0;
}

QList<UserRecord> ServerStore::users()
{
    QList<UserRecord> out;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT %1 FROM users ORDER BY address")
                    .arg(QLatin1StringView(UserColumns)))) {
        return out;
    }
    while (q.next()) {
        out.append(userFrom(q));
    }
    return out;
}

QList<qint64> ServerStore::disabledUserIds()
{
    QList<qint64> out;
    QSqlQuery& q = prepared("SELECT id FROM users WHERE enabled = 0");
    Finisher f(q);
    if (exec(q)) {
        while (q.next()) {
            out.append(q.value(0).toLongLong());
        }
    }
    return out;
}

// --- events ----------------------------------------------------------------------------

bool ServerStore::insertEvent(qint64 userId, qint64 seq, QLatin1StringView kind, qint64 messageId,
    const QString& payload, qint64 now)
{
    Query q(this,
        "INSERT INTO events (user_id, seq, kind, message_id, payload, created)"
        " VALUES (?, ?, ?, NULLIF(?, 0), ?, ?)");
    q.bind(userId, seq, kind, messageId, payload, now);
    return q.exec();
}

std::optional<qint64> ServerStore::appendEvent(qint64 userId, QLatin1StringView kind,
    qint64 messageId, const QJsonObject& data, qint64 now, QList<StoredEvent>* events)
{
    // Called inside a write transaction, so the head cannot move under us.
    QSqlQuery& q = prepared("UPDATE users SET head_seq = head_seq + 1 WHERE id = ?"
                            " RETURNING head_seq");
    qint64 seq = 0;
    {
        Finisher f(q);
        bind(q, userId);
        if (!exec(q) || !q.next()) {
            return std::nullopt;
        }
        seq = q.value(0).toLongLong();
    }
    const QString payload = data.isEmpty()
        ? QStringLiteral("{}")
        : QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact));
    if (!insertEvent(userId, seq, kind, messageId, payload, now)) {
        return std::nullopt;
    }
    if (events) {
        StoredEvent e;
        e.userId = userId;
        e.seq = seq;
        e.kind = QString(kind);
        e.messageId = messageId;
        e.data = data;
        e.dataJson = payload;
        events->append(std::move(e));
    }
    return seq;
}

std::optional<QList<StoredEvent>> ServerStore::eventsAfter(qint64 userId, qint64 since, int limit)
{
    QSqlQuery& q
        = prepared("SELECT e.seq, e.kind, e.message_id, e.payload, b.folder, b.read, b.status,"
                   " m.client_id, m.from_addr, m.to_addr, m.subject, m.body, m.created"
                   " FROM events e"
                   " LEFT JOIN mailbox b ON b.user_id = e.user_id AND b.message_id = e.message_id"
                   " LEFT JOIN messages m ON e.kind = 'message' AND m.id = b.message_id"
                   " WHERE e.user_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?");
    Finisher f(q);
    bind(q, userId, since, limit);
    if (!exec(q)) {
        return std::nullopt;
    }
    QList<StoredEvent> out;
    while (q.next()) {
        StoredEvent e;
        e.userId = userId;
        e.seq = q.value(0).toLongLong();
        e.kind = q.value(1).toString();
        e.messageId = q.value(2).toLongLong();
        const bool stored = !q.value(4).isNull();
        e.messageGone = e.messageId > 0 && !stored;
        if (e.kind == ev::Message) {
            if (stored) {
                MessageView m;
                m.id = e.messageId;
                m.folder = q.value(4).toString();
                m.read = q.value(5).toBool();
                m.status = q.value(6).toString();
                m.clientId = q.value(7).toString();
                m.from = q.value(8).toString();
                m.to = q.value(9).toString();
                m.subject = q.value(10).toString();
                m.body = q.value(11).toString();
                m.time = q.value(12).toLongLong();
                e.message = std::move(m);
            }
        } else {
            e.data = QJsonDocument::fromJson(q.value(3).toByteArray()).object();
        }
        out.append(std::move(e));
    }
    return out;
}

qint64 ServerStore::ack(qint64 userId, qint64 deviceId, qint64 seq, bool reached, qint64 now,
    QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return -1;
    }
    const std::optional<UserRecord> user = userById(userId);
    const std::optional<DeviceRecord> device = deviceOf(userId, deviceId);
    if (!user || !device) {
        return -1;
    }
    const qint64 position = std::max(device->ackedSeq, std::min(seq, user->headSeq));
    if (position > device->ackedSeq) {
        Query u(this, "UPDATE devices SET acked_seq = ? WHERE id = ?");
        u.bind(position, deviceId);
        if (!u.exec()) {
            return -1;
        }
    }
    if (reached && !markDelivered(*user, position, now, events)) {
        return -1;
    }
    if (!tx.commit()) {
        return -1;
    }
    return position;
}

bool ServerStore::markDelivered(
    const UserRecord& user, qint64 position, qint64 now, QList<StoredEvent>* events)
{
    // A device acknowledges every ~50 ms, covering many messages at once: a few set-based
    // statements for all of them, not four statements per message.
    // 1. The senders' copies that still say `sent` now say `delivered`; each is a report.
    QList<QPair<qint64, qint64>> reports; // message id, sender id
    {
        Query q(this,
            "UPDATE mailbox SET status = 'delivered' WHERE folder = 'sent' AND status = 'sent'"
            " AND (user_id, message_id) IN (SELECT m.sender_id, b.message_id FROM mailbox b"
            " JOIN messages m ON m.id = b.message_id WHERE b.user_id = ? AND b.folder = 'inbox'"
            " AND b.delivered_at IS NULL AND b.event_seq <= ?)"
            " RETURNING message_id, user_id");
        q.bind(user.id, position);
        while (q.next()) {
            reports.append({ q.int64(0), q.int64(1) });
        }
        if (!q.ok()) {
            return false;
        }
    }
    // 2. The user's copies are delivered: no longer pending, so expiry leaves them alone.
    {
        Query q(this,
            "UPDATE mailbox SET delivered_at = ?, status = CASE"
            " WHEN status = 'sent' THEN 'delivered' ELSE status END"
            " WHERE user_id = ? AND folder = 'inbox' AND delivered_at IS NULL AND event_seq <= ?");
        q.bind(now, user.id, position);
        if (!q.exec()) {
            return false;
        }
    }
    if (reports.isEmpty()) {
        return true;
    }
    // 3. One `report` per message, in the order the messages arrived, each sender's seqs
    // reserved with one statement.
    std::sort(reports.begin(), reports.end());
    QHash<qint64, qint64> nextSeq; // sender id -> first seq of the reserved block
    {
        QHash<qint64, qint64> counts;
        for (const auto& report : std::as_const(reports)) {
            ++counts[report.second];
        }
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            Query q(
                this, "UPDATE users SET head_seq = head_seq + ? WHERE id = ? RETURNING head_seq");
            q.bind(it.value(), it.key());
            if (!q.next()) {
                return false;
            }
            nextSeq.insert(it.key(), q.int64(0) - it.value() + 1);
        }
    }
    // The payload as text, written once for the row and for every push of it.
    QString by;
    wire::appendString(by, user.address);
    const QString tail = QStringLiteral(",\"status\":\"%1\",\"by\":%2,\"time\":%3}")
                             .arg(rep::Delivered, by, QString::number(now));
    for (const auto& [messageId, senderId] : std::as_const(reports)) {
        const qint64 seq = nextSeq[senderId]++;
        const QString payload
            = QStringLiteral("{\"messageId\":") + QString::number(messageId) + tail;
        if (!insertEvent(senderId, seq, ev::Report, messageId, payload, now)) {
            return false;
        }
        if (events) {
            StoredEvent e;
            e.userId = senderId;
            e.seq = seq;
            e.kind = QString(ev::Report);
            e.messageId = messageId;
            e.data = { { QStringLiteral("messageId"), messageId },
                { QStringLiteral("status"), QString(rep::Delivered) },
                { QStringLiteral("by"), user.address }, { QStringLiteral("time"), now } };
            e.dataJson = payload;
            events->append(std::move(e));
        }
    }
    return true;
}

bool ServerStore::setReport(qint64 senderId, qint64 messageId, QLatin1StringView status,
    const QStringList& replaceable, const QString& by, qint64 now, QList<StoredEvent>* events,
    bool* reported)
{
    // The sender's sentbox copy carries the state the sender sees; a state only moves
    // forward (sent -> delivered -> displayed), and each step is reported once.
    *reported = false;
    QSqlQuery& q = prepared("UPDATE mailbox SET status = ? WHERE user_id = ? AND message_id = ?"
                            " AND folder = 'sent' AND status IN (?, ?)");
    {
        Finisher f(q);
        bind(q, QString(status), senderId, messageId, replaceable.value(0),
            replaceable.value(1, replaceable.value(0)));
        if (!exec(q)) {
            return false;
        }
        if (q.numRowsAffected() == 0) {
            return true; // the sender deleted the copy, or it was reported already
        }
    }
    *reported = true;
    const QJsonObject data { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("status"), QString(status) }, { QStringLiteral("by"), by },
        { QStringLiteral("time"), now } };
    return appendEvent(senderId, ev::Report, messageId, data, now, events).has_value();
}

// --- devices ---------------------------------------------------------------------------

std::optional<DeviceRecord> ServerStore::registerDevice(
    qint64 userId, const NewDevice& device, qint64 now, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return std::nullopt;
    }
    {
        // A known instance id keeps its id, delivery preference and position: the same
        // installation signing in again (also after a remote sign-out).
        QSqlQuery& q = prepared(
            "INSERT INTO devices (user_id, instance_id, name, kind, capabilities, token_hash,"
            " last_seen, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, instance_id) DO UPDATE SET name = excluded.name,"
            " kind = excluded.kind, capabilities = excluded.capabilities,"
            " token_hash = excluded.token_hash, last_seen = excluded.last_seen,"
            " signed_out = NULL");
        Finisher f(q);
        bind(q, userId, device.instanceId, device.name, device.kind,
            device.capabilities.join(QLatin1Char(',')), device.tokenHash, now, now);
        if (!exec(q)) {
            return std::nullopt;
        }
    }
    std::optional<DeviceRecord> record;
    {
        QSqlQuery& q = prepared("SELECT id, user_id, instance_id, name, kind, capabilities,"
                                " token_hash, delivery, notify_sessions, acked_seq, last_seen,"
                                " created, signed_out FROM devices"
                                " WHERE user_id = ? AND instance_id = ?");
        Finisher f(q);
        bind(q, userId, device.instanceId);
        if (!exec(q) || !q.next()) {
            return std::nullopt;
        }
        record = deviceFrom(q);
    }
    if (!appendEvent(userId, ev::Device, 0, deviceData(*record, false), now, events)
        || !tx.commit()) {
        return std::nullopt;
    }
    return record;
}

std::optional<DeviceRecord> ServerStore::deviceById(qint64 deviceId)
{
    QSqlQuery& q = prepared("SELECT id, user_id, instance_id, name, kind, capabilities,"
                            " token_hash, delivery, notify_sessions, acked_seq, last_seen,"
                            " created, signed_out FROM devices WHERE id = ?");
    Finisher f(q);
    bind(q, deviceId);
    if (!exec(q) || !q.next()) {
        return std::nullopt;
    }
    return deviceFrom(q);
}

std::optional<DeviceRecord> ServerStore::deviceOf(qint64 userId, qint64 deviceId)
{
    std::optional<DeviceRecord> d = deviceById(deviceId);
    if (!d || d->userId != userId) {
        return std::nullopt;
    }
    return d;
}

QList<DeviceRecord> ServerStore::devices(qint64 userId, bool includeSignedOut)
{
    QList<DeviceRecord> out;
    QSqlQuery& q = prepared("SELECT id, user_id, instance_id, name, kind, capabilities,"
                            " token_hash, delivery, notify_sessions, acked_seq, last_seen,"
                            " created, signed_out FROM devices WHERE user_id = ? ORDER BY id");
    Finisher f(q);
    bind(q, userId);
    if (!exec(q)) {
        return out;
    }
    while (q.next()) {
        DeviceRecord d = deviceFrom(q);
        if (includeSignedOut || d.isSignedIn()) {
            out.append(std::move(d));
        }
    }
    return out;
}

std::optional<DeviceRecord> ServerStore::updateDevice(
    qint64 userId, qint64 deviceId, const DeviceChange& change, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return std::nullopt;
    }
    std::optional<DeviceRecord> d = deviceOf(userId, deviceId);
    if (!d || !d->isSignedIn()) {
        return std::nullopt;
    }
    if (change.name) {
        d->name = *change.name;
    }
    if (change.delivery) {
        d->delivery = *change.delivery;
    }
    if (change.notifySessions) {
        d->notifySessions = *change.notifySessions;
    }
    {
        QSqlQuery& q = prepared(
            "UPDATE devices SET name = ?, delivery = ?, notify_sessions = ? WHERE id = ?");
        Finisher f(q);
        bind(q, d->name, d->delivery, d->notifySessions ? 1 : 0, deviceId);
        if (!exec(q)) {
            return std::nullopt;
        }
    }
    if (!appendEvent(userId, ev::Device, 0, deviceData(*d, false), d->lastSeen, events)
        || !tx.commit()) {
        return std::nullopt;
    }
    return d;
}

ServerStore::SignOut ServerStore::signOutDevice(
    qint64 userId, qint64 deviceId, qint64 now, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return SignOut::Failed;
    }
    std::optional<DeviceRecord> d = deviceOf(userId, deviceId);
    if (!d) {
        return SignOut::NotFound;
    }
    if (!d->isSignedIn()) {
        return SignOut::AlreadySignedOut;
    }
    {
        // The token hash stays, so a login with the old token is told `device_signed_out`
        // rather than `auth_failed`; register replaces it.
        QSqlQuery& q = prepared("UPDATE devices SET signed_out = ? WHERE id = ?");
        Finisher f(q);
        bind(q, now, deviceId);
        if (!exec(q)) {
            return SignOut::Failed;
        }
    }
    d->signedOut = now;
    if (!appendEvent(userId, ev::Device, 0, deviceData(*d, true), now, events) || !tx.commit()) {
        return SignOut::Failed;
    }
    return SignOut::Done;
}

void ServerStore::touchDevice(qint64 deviceId, qint64 now)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return;
    }
    {
        QSqlQuery& q = prepared("UPDATE devices SET last_seen = ? WHERE id = ?");
        Finisher f(q);
        bind(q, now, deviceId);
        if (!exec(q)) {
            return;
        }
    }
    tx.commit();
}

// --- messages --------------------------------------------------------------------------

ServerStore::SubmitResult ServerStore::submitMessage(const Submit& s, QList<StoredEvent>* events)
{
    // The hot path of the server: nine short statements per message, each prepared once and
    // run through Query.
    using Outcome = SubmitResult::Outcome;
    SubmitResult result;
    Transaction tx(this);
    if (!tx.isActive()) {
        return result;
    }
    struct Party {
        qint64 id = 0;
        QString address;
        qint64 head = 0;
        bool enabled = false;
        qint64 quotaDay = 0;
        qint64 quotaCount = 0;
    };
    auto loadParty = [](const Query& q, Party* p) {
        p->id = q.int64(0);
        p->address = q.text(1);
        p->head = q.int64(2);
        p->enabled = q.int64(3) != 0;
        p->quotaDay = q.int64(4);
        p->quotaCount = q.int64(5);
    };

    Party sender;
    qint64 previous = 0; // the message an earlier submit with this clientId stored
    {
        // The sender, and whether this clientId was used before (idempotency).
        Query q(this,
            "SELECT u.id, u.address, u.head_seq, u.enabled, u.quota_day, u.quota_count, m.id"
            " FROM users u LEFT JOIN messages m ON m.sender_id = u.id AND m.client_id = ?"
            " WHERE u.id = ?");
        q.bind(s.clientId, s.senderId);
        if (!q.next()) {
            return result;
        }
        loadParty(q, &sender);
        previous = q.int64(6);
    }
    // Rights first (MSG-2): a disabled account sends nothing, not even a retry.
    if (!sender.enabled) {
        result.outcome = Outcome::Disabled;
        return result;
    }
    if (previous > 0) {
        // Idempotency before the quota: a retry of a message that used the last unit of
        // quota must still get its original answer.
        Query q(
            this, "SELECT to_addr, subject, body, created, sender_seq FROM messages WHERE id = ?");
        q.bind(previous);
        if (!q.next()) {
            return result;
        }
        const bool same = q.text(0) == s.to && q.text(1) == s.subject && q.text(2) == s.body;
        result.outcome = same ? Outcome::Duplicate : Outcome::Conflict;
        if (same) {
            result.messageId = previous;
            result.time = q.int64(3);
            result.seq = q.int64(4);
        }
        return result;
    }
    const qint64 day = s.now / (24 * 3600 * 1000);
    const qint64 sentToday = sender.quotaDay == day ? sender.quotaCount : 0;
    if (s.dailyQuota > 0 && sentToday >= s.dailyQuota) {
        result.outcome = Outcome::QuotaExceeded;
        return result;
    }
    Party recipient;
    {
        Query q(this,
            "SELECT id, address, head_seq, enabled, quota_day, quota_count FROM users"
            " WHERE address = ?");
        q.bind(s.to);
        if (!q.next()) {
            result.outcome = q.ok() ? Outcome::NoSuchUser : Outcome::Failed;
            return result;
        }
        loadParty(q, &recipient);
    }
    if (recipient.id == sender.id) {
        result.outcome = Outcome::SelfSend;
        return result;
    }

    // Both heads were read under the write lock, so the next seqs are known without
    // another round trip.
    const qint64 recipientSeq = recipient.head + 1;
    const qint64 senderSeq = sender.head + 1;
    qint64 messageId = 0;
    {
        Query q(this,
            "INSERT INTO messages (sender_id, client_id, from_addr, to_addr, subject, body,"
            " created, sender_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(sender.id, s.clientId, sender.address, recipient.address, s.subject, s.body, s.now,
            senderSeq);
        if (!q.exec()) {
            return result;
        }
        messageId = q.lastInsertId();
    }
    // One row per statement: a multi-row INSERT with foreign keys checked needs a statement
    // journal (a copy of every page it touches); single-row ones do not.
    auto addCopy = [&](qint64 userId, QLatin1StringView folder, qint64 seq) {
        {
            Query q(this,
                "INSERT INTO mailbox (user_id, message_id, folder, event_seq, created)"
                " VALUES (?, ?, ?, ?, ?)");
            q.bind(userId, messageId, folder, seq, s.now);
            if (!q.exec()) {
                return false;
            }
        }
        Query q(this,
            "INSERT INTO events (user_id, seq, kind, message_id, payload, created)"
            " VALUES (?, ?, 'message', ?, '{}', ?)");
        q.bind(userId, seq, messageId, s.now);
        return q.exec();
    };
    if (!addCopy(recipient.id, QLatin1StringView("inbox"), recipientSeq)
        || !addCopy(sender.id, QLatin1StringView("sent"), senderSeq)) {
        return result;
    }
    {
        // Two statements: an IN list would build a temporary table on every run.
        Query q(this, "UPDATE users SET head_seq = ? WHERE id = ?");
        q.bind(recipientSeq, recipient.id);
        if (!q.exec()) {
            return result;
        }
    }
    {
        Query q(this, "UPDATE users SET head_seq = ?, quota_day = ?, quota_count = ? WHERE id = ?");
        q.bind(senderSeq, day, sentToday + 1, sender.id);
        if (!q.exec()) {
            return result;
        }
    }
    if (!tx.commit()) {
        return result;
    }

    MessageView view;
    view.id = messageId;
    view.clientId = s.clientId;
    view.from = sender.address;
    view.to = recipient.address;
    view.subject = s.subject;
    view.body = s.body;
    view.time = s.now;
    view.status = QString(rep::Sent);
    if (events) {
        StoredEvent in;
        in.userId = recipient.id;
        in.seq = recipientSeq;
        in.kind = QString(ev::Message);
        in.messageId = messageId;
        in.message = view;
        in.message->folder = QStringLiteral("inbox");
        StoredEvent out = in;
        out.userId = sender.id;
        out.seq = senderSeq;
        out.message->folder = QStringLiteral("sent");
        events->append(std::move(in));
        events->append(std::move(out));
    }
    result.outcome = Outcome::Stored;
    result.messageId = messageId;
    result.seq = senderSeq;
    result.time = s.now;
    return result;
}

std::optional<MessageView> ServerStore::message(qint64 userId, qint64 messageId)
{
    QSqlQuery& q = prepared("SELECT b.folder, b.read, b.status, m.client_id, m.from_addr,"
                            " m.to_addr, m.subject, m.body, m.created FROM mailbox b"
                            " JOIN messages m ON m.id = b.message_id"
                            " WHERE b.user_id = ? AND b.message_id = ?");
    Finisher f(q);
    bind(q, userId, messageId);
    if (!exec(q) || !q.next()) {
        return std::nullopt;
    }
    MessageView m;
    m.id = messageId;
    m.folder = q.value(0).toString();
    m.read = q.value(1).toBool();
    m.status = q.value(2).toString();
    m.clientId = q.value(3).toString();
    m.from = q.value(4).toString();
    m.to = q.value(5).toString();
    m.subject = q.value(6).toString();
    m.body = q.value(7).toString();
    m.time = q.value(8).toLongLong();
    return m;
}

ServerStore::Change ServerStore::markRead(
    qint64 userId, qint64 messageId, qint64 now, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return Change::Failed;
    }
    QString folder;
    qint64 senderId = 0;
    {
        QSqlQuery& q = prepared("SELECT b.folder, b.read, m.sender_id FROM mailbox b"
                                " JOIN messages m ON m.id = b.message_id"
                                " WHERE b.user_id = ? AND b.message_id = ?");
        Finisher f(q);
        bind(q, userId, messageId);
        if (!exec(q)) {
            return Change::Failed;
        }
        if (!q.next()) {
            return Change::NotFound;
        }
        if (q.value(1).toBool()) {
            return Change::Unchanged; // read already: nothing new to tell anyone
        }
        folder = q.value(0).toString();
        senderId = q.value(2).toLongLong();
    }
    const bool incoming = folder == QLatin1StringView("inbox");
    {
        // Opening an incoming message also means it reached a device: it is no longer
        // pending, so expiry leaves it alone.
        QSqlQuery& q = prepared(
            "UPDATE mailbox SET read = 1,"
            " status = CASE WHEN ? THEN 'displayed' ELSE status END,"
            " displayed_at = CASE WHEN ? THEN ? ELSE displayed_at END,"
            " delivered_at = CASE WHEN ? THEN COALESCE(delivered_at, ?) ELSE delivered_at END"
            " WHERE user_id = ? AND message_id = ?");
        Finisher f(q);
        bind(q, incoming ? 1 : 0, incoming ? 1 : 0, now, incoming ? 1 : 0, now, userId, messageId);
        if (!exec(q)) {
            return Change::Failed;
        }
    }
    const QJsonObject flags { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("read"), true } };
    if (!appendEvent(userId, ev::Flags, messageId, flags, now, events)) {
        return Change::Failed;
    }
    if (incoming) {
        const std::optional<UserRecord> reader = userById(userId);
        bool reported = false;
        if (!reader
            || !setReport(senderId, messageId, rep::Displayed,
                { QString(rep::Sent), QString(rep::Delivered) }, reader->address, now, events,
                &reported)) {
            return Change::Failed;
        }
    }
    return tx.commit() ? Change::Done : Change::Failed;
}

bool ServerStore::dropUnreferencedMessage(qint64 messageId)
{
    QSqlQuery& q = prepared("DELETE FROM messages WHERE id = ?"
                            " AND NOT EXISTS (SELECT 1 FROM mailbox WHERE message_id = ?)");
    Finisher f(q);
    bind(q, messageId, messageId);
    return exec(q);
}

ServerStore::Change ServerStore::deleteMessage(
    qint64 userId, qint64 messageId, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return Change::Failed;
    }
    {
        QSqlQuery& q = prepared("DELETE FROM mailbox WHERE user_id = ? AND message_id = ?");
        Finisher f(q);
        bind(q, userId, messageId);
        if (!exec(q)) {
            return Change::Failed;
        }
        if (q.numRowsAffected() == 0) {
            return Change::NotFound;
        }
    }
    const QJsonObject data { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("reason"), QStringLiteral("user") } };
    if (!appendEvent(
            userId, ev::Deleted, messageId, data, QDateTime::currentMSecsSinceEpoch(), events)
        || !dropUnreferencedMessage(messageId)) {
        return Change::Failed;
    }
    return tx.commit() ? Change::Done : Change::Failed;
}

bool ServerStore::expireOne(qint64 userId, qint64 messageId, qint64 now, QList<StoredEvent>* events)
{
    {
        QSqlQuery& q = prepared("DELETE FROM mailbox WHERE user_id = ? AND message_id = ?"
                                " AND folder = 'inbox' AND delivered_at IS NULL");
        Finisher f(q);
        bind(q, userId, messageId);
        if (!exec(q)) {
            return false;
        }
        if (q.numRowsAffected() == 0) {
            return true; // picked twice (by age and by count)
        }
    }
    qint64 senderId = 0;
    {
        QSqlQuery& q = prepared("SELECT sender_id FROM messages WHERE id = ?");
        Finisher f(q);
        bind(q, messageId);
        if (!exec(q) || !q.next()) {
            return false;
        }
        senderId = q.value(0).toLongLong();
    }
    const QJsonObject data { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("reason"), QStringLiteral("expired") } };
    if (!appendEvent(userId, ev::Deleted, messageId, data, now, events)) {
        return false;
    }
    const std::optional<UserRecord> recipient = userById(userId);
    bool reported = false;
    return recipient
        && setReport(senderId, messageId, rep::Expired, { QString(rep::Sent) }, recipient->address,
            now, events, &reported)
        && dropUnreferencedMessage(messageId);
}

int ServerStore::expirePending(
    qint64 createdBefore, qint64 maxCount, qint64 now, QList<StoredEvent>* events)
{
    // Bounded work per call: the timer calls again next second for the rest.
    constexpr int Batch = 1000;
    QList<QPair<qint64, qint64>> victims; // user id, message id
    if (createdBefore > 0) {
        QSqlQuery& q = prepared("SELECT user_id, message_id FROM mailbox"
                                " WHERE folder = 'inbox' AND delivered_at IS NULL"
                                " AND created < ? ORDER BY created LIMIT ?");
        Finisher f(q);
        bind(q, createdBefore, Batch);
        if (!exec(q)) {
            return -1;
        }
        while (q.next()) {
            victims.append({ q.value(0).toLongLong(), q.value(1).toLongLong() });
        }
    }
    if (maxCount > 0) {
        QList<QPair<qint64, qint64>> over; // user id, how many too many
        {
            QSqlQuery& q = prepared("SELECT user_id, COUNT(*) FROM mailbox"
                                    " WHERE folder = 'inbox' AND delivered_at IS NULL"
                                    " GROUP BY user_id HAVING COUNT(*) > ?");
            Finisher f(q);
            bind(q, maxCount);
            if (!exec(q)) {
                return -1;
            }
            while (q.next()) {
                over.append({ q.value(0).toLongLong(), q.value(1).toLongLong() - maxCount });
            }
        }
        for (const auto& [userId, excess] : over) {
            QSqlQuery& q = prepared("SELECT message_id FROM mailbox WHERE user_id = ?"
                                    " AND folder = 'inbox' AND delivered_at IS NULL"
                                    " ORDER BY event_seq LIMIT ?");
            Finisher f(q);
            bind(q, userId, std::min<qint64>(excess, Batch));
            if (!exec(q)) {
                return -1;
            }
            while (q.next()) {
                victims.append({ userId, q.value(0).toLongLong() });
            }
        }
    }
    // A message can be due by age and by count at once.
    QSet<QPair<qint64, qint64>> seen;
    victims.erase(std::remove_if(victims.begin(), victims.end(),
                      [&seen](const QPair<qint64, qint64>& v) {
                          if (seen.contains(v)) {
                              return true;
                          }
                          seen.insert(v);
                          return false;
                      }),
        victims.end());
    if (victims.isEmpty()) {
        return 0;
    }
    Transaction tx(this);
    if (!tx.isActive()) {
        return -1;
    }
    for (const auto& [userId, messageId] : victims) {
        if (!expireOne(userId, messageId, now, events)) {
            return -1;
        }
    }
    if (!tx.commit()) {
        return -1;
    }
    qCInfo(lcStore) << "expired" << victims.size() << "undelivered messages";
    return static_cast<int>(victims.size());
}

QList<qint64> ServerStore::pendingMessageIds(qint64 userId)
{
    QList<qint64> out;
    QSqlQuery& q = prepared("SELECT message_id FROM mailbox WHERE user_id = ?"
                            " AND folder = 'inbox' AND delivered_at IS NULL ORDER BY event_seq");
    Finisher f(q);
    bind(q, userId);
    if (exec(q)) {
        while (q.next()) {
            out.append(q.value(0).toLongLong());
        }
    }
    return out;
}

// --- profile ---------------------------------------------------------------------------

QList<Contact> ServerStore::contacts(qint64 userId)
{
    QList<Contact> out;
    QSqlQuery& q
        = prepared("SELECT address, name FROM contacts WHERE user_id = ? ORDER BY address");
    Finisher f(q);
    bind(q, userId);
    if (exec(q)) {
        while (q.next()) {
            out.append({ q.value(0).toString(), q.value(1).toString() });
        }
    }
    return out;
}

bool ServerStore::addContact(qint64 userId, const Contact& contact, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return false;
    }
    {
        QSqlQuery& q
            = prepared("INSERT INTO contacts (user_id, address, name) VALUES (?, ?, ?)"
                       " ON CONFLICT (user_id, address) DO UPDATE SET name = excluded.name");
        Finisher f(q);
        bind(q, userId, contact.address, contact.name);
        if (!exec(q)) {
            return false;
        }
    }
    const QJsonObject data { { QStringLiteral("address"), contact.address },
        { QStringLiteral("name"), contact.name }, { QStringLiteral("removed"), false } };
    return appendEvent(userId, ev::Contact, 0, data, QDateTime::currentMSecsSinceEpoch(), events)
        && tx.commit();
}

ServerStore::Change ServerStore::removeContact(
    qint64 userId, const QString& address, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return Change::Failed;
    }
    {
        QSqlQuery& q = prepared("DELETE FROM contacts WHERE user_id = ? AND address = ?");
        Finisher f(q);
        bind(q, userId, address);
        if (!exec(q)) {
            return Change::Failed;
        }
        if (q.numRowsAffected() == 0) {
            return Change::Unchanged;
        }
    }
    const QJsonObject data { { QStringLiteral("address"), address },
        { QStringLiteral("name"), QString() }, { QStringLiteral("removed"), true } };
    if (!appendEvent(userId, ev::Contact, 0, data, QDateTime::currentMSecsSinceEpoch(), events)) {
        return Change::Failed;
    }
    return tx.commit() ? Change::Done : Change::Failed;
}

bool ServerStore::setStatus(
    qint64 userId, const QString& status, const QString& text, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return false;
    }
    {
        QSqlQuery& q = prepared("UPDATE users SET status = ?, status_text = ? WHERE id = ?");
        Finisher f(q);
        bind(q, status, text, userId);
        if (!exec(q)) {
            return false;
        }
    }
    const QJsonObject data { { QStringLiteral("status"), status },
        { QStringLiteral("text"), text } };
    return appendEvent(userId, ev::Status, 0, data, QDateTime::currentMSecsSinceEpoch(), events)
        && tx.commit();
}

bool ServerStore::setPref(
    qint64 userId, const QString& key, const QString& value, QList<StoredEvent>* events)
{
    Transaction tx(this);
    if (!tx.isActive()) {
        return false;
    }
    {
        QSqlQuery& q = prepared("INSERT INTO prefs (user_id, key, value) VALUES (?, ?, ?)"
                                " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value");
        Finisher f(q);
        bind(q, userId, key, value);
        if (!exec(q)) {
            return false;
        }
    }
    const QJsonObject data { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } };
    return appendEvent(userId, ev::Pref, 0, data, QDateTime::currentMSecsSinceEpoch(), events)
        && tx.commit();
}

QMap<QString, QString> ServerStore::prefs(qint64 userId)
{
    QMap<QString, QString> out;
    QSqlQuery& q = prepared("SELECT key, value FROM prefs WHERE user_id = ?");
    Finisher f(q);
    bind(q, userId);
    if (exec(q)) {
        while (q.next()) {
            out.insert(q.value(0).toString(), q.value(1).toString());
        }
    }
    return out;
}

} // namespace cpm::server
