// SPDX-License-Identifier: GPL-3.0-or-later
#include "pglistener.h"

#include "logging.h"
#include "pgdatabase.h"

#include <QSocketNotifier>

#include <libpq-fe.h>

namespace cpm::server {

namespace {
// Reconnecting: 0.5 s, doubling to 8 s.
constexpr int FirstRetryMs = 500;
constexpr int MaxRetryMs = 8000;
} // namespace

PgListener::PgListener(const QString& conninfo, const QByteArray& ownNodeId, QObject* parent)
    : QObject(parent)
    , m_conninfo(conninfo)
    , m_nodeId(ownNodeId)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &PgListener::connectNow);
}

PgListener::~PgListener()
{
    delete m_notifier;
    if (m_conn) {
        PQfinish(m_conn);
    }
}

void PgListener::start() { connectNow(); }

void PgListener::connectNow()
{
    m_conn = PQconnectdb(m_conninfo.toUtf8().constData());
    if (m_conn) {
        PgDatabase::logNotices(m_conn);
    }
    if (!m_conn || PQstatus(m_conn) != CONNECTION_OK) {
        drop(m_conn ? QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()
                    : QStringLiteral("out of memory"));
        return;
    }
    const QByteArray listen = QByteArrayLiteral("LISTEN ") + QByteArray(PgDatabase::EventsChannel)
        + QByteArrayLiteral("; LISTEN ") + QByteArray(PgDatabase::BroadcastChannel);
    PGresult* result = PQexec(m_conn, listen.constData());
    const bool ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!ok) {
        drop(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed());
        return;
    }
    m_notifier = new QSocketNotifier(PQsocket(m_conn), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &PgListener::readNotifications);
    if (m_failures > 0) {
        qCInfo(lcStore) << "listening for other nodes' events again";
        // What was committed while nobody listened is in the table: catch up from there.
        Q_EMIT missedEvents();
    }
    m_failures = 0;
}

void PgListener::readNotifications()
{
    if (PQconsumeInput(m_conn) == 0) {
        drop(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed());
        return;
    }
    while (PGnotify* n = PQnotifies(m_conn)) {
        QByteArray node;
        const QByteArray payload(n->extra);
        const bool broadcast = qstrcmp(n->relname, PgDatabase::BroadcastChannel) == 0;
        PQfreemem(n);
        if (broadcast) {
            const qsizetype space = payload.indexOf(' ');
            if (space > 0 && payload.left(space) != m_nodeId) {
                Q_EMIT broadcastReceived(payload.mid(space + 1));
            }
            continue;
        }
        const bool parsed = parse(payload, &node, [this, &node](qint64 user, qint64 seq) {
            if (node != m_nodeId) {
                Q_EMIT eventsCommitted(user, seq);
            }
        });
        if (!parsed) {
            qCWarning(lcStore) << "ignored a malformed notification:" << payload.left(100);
        }
    }
    if (PQstatus(m_conn) != CONNECTION_OK) {
        drop(QStringLiteral("the connection closed"));
    }
}

void PgListener::drop(const QString& why)
{
    delete m_notifier;
    m_notifier = nullptr;
    if (m_conn) {
        PQfinish(m_conn);
        m_conn = nullptr;
    }
    const int delay = std::min(MaxRetryMs, FirstRetryMs << std::min(m_failures, 4));
    if (m_failures == 0) {
        qCWarning(lcStore).noquote()
            << QStringLiteral("not listening for other nodes' events (%1); retrying").arg(why);
        // From now until it listens again, nothing tells this node of other nodes' events.
        Q_EMIT missedEvents();
    }
    ++m_failures;
    m_retry.start(delay);
}

} // namespace cpm::server
