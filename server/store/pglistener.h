// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// How a node hears of what other nodes committed (docs/scaling.md): a PostgreSQL session of
// its own that LISTENs on the events channel (PgDatabase::EventsChannel) and the broadcast
// channel (PgDatabase::BroadcastChannel), watched by the event loop. NOTIFY is only the wake-up;
// the events table stays the truth. When the session is lost, notifications sent meanwhile are lost
// with it: the listener says so (missedEvents), every live device then catches up from the table,
// and it reconnects.

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

struct pg_conn;
class QSocketNotifier;

namespace cpm::server {

class PgListener final : public QObject {
    Q_OBJECT

public:
    //! Listens through \a conninfo; notifications from \a ownNodeId are this node's own.
    PgListener(const QString& conninfo, const QByteArray& ownNodeId, QObject* parent = nullptr);
    ~PgListener() override;

    //! Connects and LISTENs; on failure tries again in the background (and says so).
    void start();
    bool isListening() const { return m_conn != nullptr && m_notifier != nullptr; }

    //! Parses one payload ("<node> <user>:<seq> ..."): calls \a each for every entry; false
    //! when it is malformed.
    template <typename Each>
    static bool parse(const QByteArray& payload, QByteArray* node, Each each);

Q_SIGNALS:
    //! Another node committed events of \a userId up to \a seq.
    void eventsCommitted(qint64 userId, qint64 seq);
    //! Notifications may have been lost (the session dropped): catch every live device up.
    void missedEvents();
    //! Another node broadcast \a message (Store::broadcast).
    void broadcastReceived(const QByteArray& message);

private:
    void connectNow();
    void readNotifications();
    void drop(const QString& why);

    QString m_conninfo;
    QByteArray m_nodeId;
    pg_conn* m_conn = nullptr;
    QSocketNotifier* m_notifier = nullptr;
    QTimer m_retry;
    int m_failures = 0;
};

template <typename Each>
bool PgListener::parse(const QByteArray& payload, QByteArray* node, Each each)
{
    const QList<QByteArray> parts = payload.split(' ');
    if (parts.size() < 2 || parts.constFirst().isEmpty()) {
        return false;
    }
    *node = parts.constFirst();
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const qsizetype colon = parts.at(i).indexOf(':');
        bool userOk = false;
        bool seqOk = false;
        const qint64 user = parts.at(i).left(colon).toLongLong(&userOk);
        const qint64 seq = parts.at(i).mid(colon + 1).toLongLong(&seqOk);
        if (colon <= 0 || !userOk || !seqOk || user <= 0 || seq <= 0) {
            return false;
        }
        each(user, seq);
    }
    return true;
}

} // namespace cpm::server
