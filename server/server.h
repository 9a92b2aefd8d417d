// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The reference server: listens for WebSocket connections, owns the store and routes
// every committed stream event to the live connections of its user.

#include "loginthrottle.h"
#include "serverstore.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

class QTcpServer;
class QWebSocketServer;

namespace cpm::server {

class ClientConnection;

/*!
 * Everything runs on the thread the Server lives on, except password hashing (hashPool())
 * and WAL checkpoints (the store's own thread). A store write and the rendering of its
 * events happen together, so each connection sees its user's events in seq order and none
 * between a sync and going live.
 *
 * Group commit: the writes of one event-loop turn (from every connection) share one
 * transaction, committed when the turn ends (a zero timer) or after MaxBatchWrites writes.
 * Until that commit, every frame and close produced meanwhile is held, then sent in the
 * order it was produced: nobody hears of a write before it is committed.
 */
class Server final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    //! The WebSocket layer cuts anything larger with close code 1009; frames between the
    //! protocol limit and this still reach us and get the documented `frame_too_large`.
    static constexpr qint64 TransportFrameLimit = 4 * 256 * 1024;

    explicit Server(QObject* parent = nullptr);
    ~Server() override;

    //! Opens (creating and migrating) the store in \a dataDir.
    bool open(const QString& dataDir, QString* error = nullptr);
    //! Starts accepting connections; \a port 0 picks a free one (see url()).
    bool listen(const QHostAddress& address, quint16 port, QString* error = nullptr);
    //! `ws://HOST:PORT/` once listening.
    QUrl url() const;
    //! Closes every connection with 4003, stops listening and closes the store, then
    //! emits stopped().
    void shutdown();
    /*!
     * Benchmark baseline only (`--routing-only`): `send` routes messages to live devices
     * without storing them, so a benchmark can show what durability costs. Never for use.
     */
    void setRoutingOnly(bool routingOnly) { m_routingOnly = routingOnly; }
    bool isRoutingOnly() const { return m_routingOnly; }
    //! What `send` does in routing-only mode: the events a stored message would make.
    ServerStore::SubmitResult routeWithoutStoring(
        const ServerStore::Submit& submit, QList<StoredEvent>* events);

    // --- for ClientConnection ------------------------------------------------------------
    ServerStore& store() { return m_store; }
    LoginThrottle& throttle() { return m_throttle; }
    //! Where Argon2 runs, so a sign-in never stalls the network thread.
    QThreadPool* hashPool() { return &m_hashPool; }
    //! Delivers just-written stream events to the live connections of their users.
    void publish(const QList<StoredEvent>& events);
    //! Sends \a text to \a connection now or, while writes wait for their commit, after it.
    void transmit(ClientConnection* connection, const QString& text);
    //! Closes \a connection now or, while output is held, after what is held for it.
    void transmitClose(ClientConnection* connection, int code, const QString& reason);
    //! A request was handled: commits early when the batch has grown large.
    void requestDone();
    //! Commits the pending writes, then sends what was held for them, in order.
    void flush();
    //! A connection signed in: it starts receiving its user's events and presence.
    void connectionAuthenticated(ClientConnection* connection);
    //! True while at least one connection of the device is signed in.
    bool isOnline(qint64 deviceId) const;
    //! Tells the device's live connections they were signed out and closes them (4001).
    void disconnectSignedOutDevice(qint64 userId, qint64 deviceId);

Q_SIGNALS:
    //! shutdown() finished: connections closed and the store closed.
    void stopped();

private:
    void acceptTcpConnections();
    void acceptWebSocket();
    void connectionClosed(ClientConnection* connection);
    void sendPresence(qint64 userId, qint64 deviceId, bool online, qint64 lastSeen);
    void tick();
    void finishShutdown();
    bool isHolding() const { return m_flushing || !m_held.isEmpty() || m_store.hasPendingBatch(); }
    void scheduleFlush();

    //! A frame (closeCode 0) or a close (\a text is the reason) waiting for a commit.
    struct Held {
        QPointer<ClientConnection> connection;
        QString text;
        int closeCode = 0;
    };

    ServerStore m_store;
    LoginThrottle m_throttle;
    QThreadPool m_hashPool;
    QTcpServer* m_tcp = nullptr;
    QWebSocketServer* m_ws = nullptr;
    QHostAddress m_address;
    QSet<ClientConnection*> m_connections;
    //! Signed-in connections per user id.
    QHash<qint64, QList<ClientConnection*>> m_byUser;
    //! Signed-in connections per device id (a device may briefly have two while reconnecting).
    QHash<qint64, int> m_online;
    QTimer m_tick;
    QTimer m_flushTimer;
    QList<Held> m_held;
    //! Users whose events the open batch produced (closed if its commit fails).
    QSet<qint64> m_batchUsers;
    bool m_flushing = false;
    QTimer m_shutdownDeadline;
    bool m_shuttingDown = false;
    bool m_routingOnly = false;
    QHash<qint64, qint64> m_routingSeq; //!< routing-only: per-user seq counters
    qint64 m_routingMessageId = qint64(1) << 40;
};

} // namespace cpm::server
