// SPDX-License-Identifier: GPL-3.0-or-later
#include "postgresstore.h"

#include "logging.h"
#include "pglistener.h"
#include "pgmigrations.h"

#include <QRegularExpression>

namespace cpm::server {

namespace {
// How old a node's copy of the settings may be: a change made by another node or by the
// admin CLI that much earlier is in effect (SQLite's store sees one at once; here the copy is
// read again at most every 5 ms, a few rows, ~200 reads a second under load).
constexpr qint64 SettingsRereadMs = 5;
} // namespace

PostgresStore::PostgresStore() = default;

PostgresStore::~PostgresStore() { close(); }

bool PostgresStore::isConnectionString(const QString& store)
{
    return store.startsWith(QLatin1StringView("postgresql://"))
        || store.startsWith(QLatin1StringView("postgres://"));
}

QString PostgresStore::redacted(const QString& conninfo)
{
    QString out = conninfo;
    // postgresql://user:secret@host/db and password=secret
    static const QRegularExpression inUri(QStringLiteral("^(postgres(?:ql)?://[^:/@]*:)[^@]*@"));
    static const QRegularExpression inParams(QStringLiteral("password=[^&\\s]*"));
    out.replace(inUri, QStringLiteral("\\1***@"));
    out.replace(inParams, QStringLiteral("password=***"));
    return out;
}

int PostgresStore::latestSchemaVersion() { return pgmigrations::latestVersion(); }

Result<int> PostgresStore::schemaVersion() { return pgmigrations::schemaVersion(m_db); }

QString PostgresStore::explainOpenFailure(const QString& conninfo, const Error& error)
{
    const QString where = redacted(conninfo);
    if (error.code == ErrorCode::StoreBusy) {
        return QStringLiteral("cannot reach the PostgreSQL database %1 (%2). Is PostgreSQL "
                              "running, and does the connection string name the right host, "
                              "port, database and user?")
            .arg(where, error.message);
    }
    if (error.code == ErrorCode::StoreReadOnly) {
        return QStringLiteral("the PostgreSQL database %1 takes no writes (%2): is it a "
                              "standby? Point the server at the primary.")
            .arg(where, error.message);
    }
    return QStringLiteral("cannot use the PostgreSQL database %1: %2").arg(where, error.message);
}

Result<void> PostgresStore::open(const QString& conninfo)
{
    close();
    m_conninfo = conninfo;
    if (const Result<void> opened = m_db.open(conninfo); !opened) {
        return opened;
    }
    if (const Result<void> migrated = pgmigrations::migrate(m_db); !migrated) {
        m_db.close();
        return migrated;
    }
    return {};
}

PgListener* PostgresStore::listener()
{
    if (!m_listener && isOpen()) {
        m_listener = std::make_unique<PgListener>(m_conninfo, m_db.nodeId());
        QObject::connect(m_listener.get(), &PgListener::eventsCommitted, m_listener.get(),
            [this](qint64 userId, qint64 seq) {
                if (m_eventListener) {
                    m_eventListener(userId, seq);
                }
            });
        QObject::connect(m_listener.get(), &PgListener::missedEvents, m_listener.get(), [this] {
            if (m_eventListener) {
                m_eventListener(0, 0);
            }
        });
        QObject::connect(m_listener.get(), &PgListener::broadcastReceived, m_listener.get(),
            [this](const QByteArray& message) {
                if (m_broadcastListener) {
                    m_broadcastListener(message);
                }
            });
        m_listener->start();
    }
    return m_listener.get();
}

void PostgresStore::setRemoteEventListener(std::function<void(qint64 userId, qint64 seq)> listener)
{
    m_eventListener = std::move(listener);
    if (m_eventListener) {
        this->listener();
    }
}

void PostgresStore::setBroadcastListener(std::function<void(const QByteArray& message)> listener)
{
    m_broadcastListener = std::move(listener);
    if (m_broadcastListener) {
        this->listener();
    }
}

// The database's clock, in ms since the epoch: nodes compare one another's heartbeats, and
// their own clocks may disagree.
#define CPM_DB_NOW_MS "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"

Result<void> PostgresStore::heartbeat(qint64 now)
{
    Q_UNUSED(now)
    {
        Query q(m_db,
            "INSERT INTO nodes (node, seen) VALUES (?, " CPM_DB_NOW_MS ")"
            " ON CONFLICT (node) DO UPDATE SET seen = excluded.seen");
        q.bind(QString::fromUtf8(m_db.nodeId()));
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    {
        // The alive node (a heartbeat within NodeTimeoutMs) with the least id leads, without
        // a vote; a frozen one loses the lead when its heartbeat ages, as its devices their
        // presence.
        Query q(m_db, "SELECT MIN(node) FROM nodes WHERE seen >= " CPM_DB_NOW_MS " - ?");
        q.bind(NodeTimeoutMs);
        if (!q.next()) {
            return q.ok() ? Result<void>() : Result<void>(q.error());
        }
        const bool leads = q.text(0) == QString::fromUtf8(m_db.nodeId());
        if (leads != m_leads) {
            qCInfo(lcStore) << (leads ? "this node now does" : "another node now does")
                            << "the upkeep of all users";
        }
        m_leads = leads;
    }
    // Now and then, the rows of nodes long gone (killed, never restarted under that name).
    if (++m_heartbeats % 30 != 1) {
        return {};
    }
    Query q(m_db,
        "WITH gone AS (DELETE FROM nodes WHERE seen < " CPM_DB_NOW_MS " - ? RETURNING node)"
        " DELETE FROM presence WHERE node IN (SELECT node FROM gone)");
    q.bind(NodeForgottenMs);
    return q.exec();
}

Result<void> PostgresStore::setPresence(qint64 userId, qint64 deviceId, bool online, qint64 now)
{
    if (online) {
        Query q(m_db,
            "INSERT INTO presence (device_id, node, user_id, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (device_id, node) DO NOTHING");
        q.bind(deviceId, QString::fromUtf8(m_db.nodeId()), userId, now);
        return q.exec();
    }
    Query q(m_db, "DELETE FROM presence WHERE device_id = ? AND node = ?");
    q.bind(deviceId, QString::fromUtf8(m_db.nodeId()));
    return q.exec();
}

Result<QList<std::pair<qint64, qint64>>> PostgresStore::presenceElsewhere(qint64 now)
{
    Q_UNUSED(now)
    Query q(m_db,
        "SELECT DISTINCT p.user_id, p.device_id FROM presence p JOIN nodes n ON n.node = p.node"
        " WHERE p.node <> ? AND n.seen >= " CPM_DB_NOW_MS " - ?");
    q.bind(QString::fromUtf8(m_db.nodeId()), NodeTimeoutMs);
    QList<std::pair<qint64, qint64>> out;
    while (q.next()) {
        out.append({ q.int64(0), q.int64(1) });
    }
    if (!q.ok()) {
        return q.error();
    }
    return out;
}

#undef CPM_DB_NOW_MS

Result<QList<qint64>> PostgresStore::loginFailuresElsewhere(const QString& key, qint64 since)
{
    Query q(
        m_db, "SELECT at FROM login_failures WHERE key = ? AND at > ? AND node <> ? LIMIT 1000");
    q.bind(key, since, QString::fromUtf8(m_db.nodeId()));
    QList<qint64> out;
    while (q.next()) {
        out.append(q.int64(0));
    }
    if (!q.ok()) {
        return q.error();
    }
    return out;
}

Result<void> PostgresStore::recordLoginFailure(const QString& key, qint64 now)
{
    Query q(m_db, "INSERT INTO login_failures (key, node, at) VALUES (?, ?, ?)");
    q.bind(key, QString::fromUtf8(m_db.nodeId()), now);
    return q.exec();
}

Result<void> PostgresStore::clearLoginFailures(const QString& key)
{
    Query q(m_db, "DELETE FROM login_failures WHERE key = ?");
    q.bind(key);
    return q.exec();
}

Result<void> PostgresStore::pruneLoginFailures(qint64 before)
{
    Query q(m_db, "DELETE FROM login_failures WHERE at <= ?");
    q.bind(before);
    return q.exec();
}

Result<void> PostgresStore::broadcast(const QByteArray& message)
{
    Query q(m_db, "SELECT pg_notify(?, ?)");
    q.bind(QLatin1StringView(PgDatabase::BroadcastChannel),
        QString::fromUtf8(m_db.nodeId() + ' ' + message));
    return q.exec();
}

void PostgresStore::close()
{
    if (m_db.isOpen() && m_heartbeats > 0) {
        // A node that stops says so: its devices are offline for the others at once.
        Query q(m_db, "DELETE FROM presence WHERE node = ?");
        q.bind(QString::fromUtf8(m_db.nodeId()));
        [[maybe_unused]] const Result<void> cleared = q.exec();
        Query n(m_db, "DELETE FROM nodes WHERE node = ?");
        n.bind(QString::fromUtf8(m_db.nodeId()));
        [[maybe_unused]] const Result<void> left = n.exec();
    }
    m_listener.reset();
    m_db.close();
    m_settings.clear();
    m_settingsRead.invalidate();
}

bool PostgresStore::changedElsewhere()
{
    // Any node or the admin CLI may have disabled an account: the caller looks at every
    // tick (a second), one query on a partial index of the disabled accounts.
    return true;
}

Result<void> PostgresStore::loadSettings()
{
    if (m_settingsRead.isValid() && m_settingsRead.elapsed() < SettingsRereadMs) {
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
    m_settingsRead.start();
    return {};
}

} // namespace cpm::server
