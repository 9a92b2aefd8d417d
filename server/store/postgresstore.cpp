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

void PostgresStore::setRemoteEventListener(std::function<void(qint64 userId, qint64 seq)> listener)
{
    m_listener.reset();
    if (!listener || !isOpen()) {
        return;
    }
    m_listener = std::make_unique<PgListener>(m_conninfo, m_db.nodeId());
    QObject::connect(m_listener.get(), &PgListener::eventsCommitted, m_listener.get(), listener);
    QObject::connect(m_listener.get(), &PgListener::missedEvents, m_listener.get(),
        [listener] { listener(0, 0); });
    m_listener->start();
}

void PostgresStore::close()
{
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
