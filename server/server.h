// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The reference server: listens for WebSocket connections, owns the store and the
// components that answer requests (Registrar, Router, Mailbox, ProfileService,
// SessionController), and holds
// every frame until the writes it speaks of are committed.

#include "acceptor.h"
#include "attachmentservice.h"
#include "clientconnection.h"
#include "interworking.h"
#include "liveconnections.h"
#include "mailbox.h"
#include "openstore.h"
#include "profileservice.h"
#include "protocol.h"
#include "registrar.h"
#include "request.h"
#include "router.h"
#include "sessioncontroller.h"
#include "store.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <memory>

class QWebSocket;

namespace cpm::server {

/*!
 * Everything runs on the thread the Server lives on, except password hashing (the
 * Registrar's pool) and WAL checkpoints (the store's own thread). A store write and the
 * rendering of its events happen together, so each connection sees its user's events in seq
 * order and none between a sync and going live.
 *
 * Writes may wait for the store's commit() (group commit: the writes of one event-loop turn
 * share one transaction, committed when the turn ends or after MaxBatchWrites writes).
 * Until that commit, every frame and close produced meanwhile is held, then sent in the
 * order it was produced: nobody hears of a write before it is committed.
 */
class Server final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    //! The WebSocket layer cuts anything larger with close code 1009; frames between the
    //! protocol limit and this still reach us and get the documented `frame_too_large`.
    static constexpr qint64 TransportFrameLimit = 2 * protocol::limits::MaxFrameBytes;

    explicit Server(QObject* parent = nullptr);
    ~Server() override;

    //! Opens (creating, checking and migrating) the store at \a where; attachments are kept
    //! in its data directory.
    Result<void> open(const StoreLocation& where);
    //! Opens the SQLite store in \a dataDir.
    Result<void> open(const QString& dataDir) { return open(StoreLocation { dataDir, {} }); }
    //! Serves from \a store, open already (a benchmark's store; later another engine).
    void open(std::unique_ptr<Store> store);
    //! Serves wss:// with \a config (see loadServerTls()); call before listen().
    void setTls(const QSslConfiguration& config) { m_acceptor->setTls(config); }
    //! The listen backlog for listen() (default Acceptor::DefaultBacklog).
    void setListenBacklog(int backlog) { m_backlog = backlog; }
    //! Starts accepting connections; \a port 0 picks a free one (see url()).
    bool listen(const QHostAddress& address, quint16 port, QString* error = nullptr);
    //! `ws://HOST:PORT/` (or `wss://`) once listening.
    QUrl url() const;
    //! Closes every connection with 4003, stops listening and closes the store, then
    //! emits stopped().
    void shutdown();

    // --- for the components and ClientConnection ------------------------------------------
    Store& store() { return *m_store; }
    bool hasOpenStore() const { return m_store && m_store->isOpen(); }
    LiveConnections& live() { return m_live; }
    const Operations& operations() const { return m_operations; }
    SessionController& sessions() { return m_sessions; }
    AttachmentService& attachments() { return m_attachments; }
    Interworking& interworking() { return m_interworking; }
    //! Delivers just-written stream events to the live connections of their users.
    void publish(const Events& events);
    //! Another node committed events of \a userId up to \a seq (0, 0: some went unheard).
    void remoteEventsCommitted(qint64 userId, qint64 seq);
    //! Sends \a text to \a connection now or, while writes wait for their commit, after it.
    void transmit(ClientConnection* connection, const QString& text);
    //! The same for a binary frame (an attachment chunk).
    void transmitBinary(ClientConnection* connection, const QByteArray& frame);
    //! Closes \a connection now or, while output is held, after what is held for it.
    void transmitClose(ClientConnection* connection, int code, const QString& reason);
    //! Applies what the admin CLI changed meanwhile (disabled accounts are closed with
    //! 1008). Runs every second, and before every request of a signed-in connection, so
    //! that nothing is written for an account once `user disable` has returned.
    void applyAdminChanges();
    //! Expires deferred messages past the operator's age or count (MSG-7).
    void expireDeferred(qint64 now);
    //! A request was handled: commits early when the batch has grown large.
    void requestDone();
    //! Commits the pending writes, then sends what was held for them, in order.
    void flush();
    //! A connection signed in: it starts receiving its user's events and presence.
    void connectionSignedIn(ClientConnection* connection);
    //! A connection's socket is gone: forgets it (it is offline for the others if it was
    //! the device's last) and deletes it later. A call, not a signal connection: one less
    //! per connection.
    void connectionClosed(ClientConnection* connection);
    //! Tells the device's live connections (but \a except) they were signed out, and closes
    //! them with 4001, on this node and on the others sharing the store.
    void signOutDevice(
        qint64 userId, qint64 deviceId, const QString& reason, ClientConnection* except = nullptr);
    /*!
     * Sends an event that is stored nowhere (presence, typing, a peer's status) to the
     * signed-in connections of \a userId, here and on the other nodes sharing the store:
     * all but those of \a exceptDevice, or (when not 0) only those of \a onlyDevice.
     */
    void sendTransient(qint64 userId, QLatin1StringView name, const QJsonObject& data,
        qint64 exceptDevice = 0, qint64 onlyDevice = 0);

Q_SIGNALS:
    //! shutdown() finished: connections closed and the store closed.
    void stopped();

private:
    void acceptWebSocket(QWebSocket* socket);
    //! Reads the connection settings (timeouts, caps) from the store.
    void readConnectionSettings();
    void sendPresence(qint64 userId, qint64 deviceId, bool online, qint64 lastSeen);
    //! sendTransient() on this node only.
    void deliverTransient(qint64 userId, QLatin1StringView name, const QJsonObject& data,
        qint64 exceptDevice, qint64 onlyDevice);
    void signOutHere(
        qint64 userId, qint64 deviceId, const QString& reason, ClientConnection* except);
    //! What another node broadcast (a transient event, a sign-out).
    void broadcastReceived(const QByteArray& message);
    //! Re-reads which devices are online on the other nodes (a node may have died).
    void refreshPresenceElsewhere(qint64 now);
    void touch(qint64 deviceId, qint64 now);
    void tick();
    void finishShutdown();
    bool isHolding() const
    {
        return m_flushing || !m_held.isEmpty() || (m_store && m_store->hasUncommittedWrites());
    }
    void scheduleFlush();

    //! A frame (closeCode 0) or a close (\a text is the reason) waiting for a commit.
    struct Held {
        QPointer<ClientConnection> connection;
        QString text;
        int closeCode = 0;
        QByteArray binary; //!< a binary frame, when text is empty and closeCode 0
    };

    std::unique_ptr<Store> m_store;
    LiveConnections m_live;
    Operations m_operations;
    Registrar m_registrar;
    Router m_router;
    Mailbox m_mailbox;
    ProfileService m_profile;
    SessionController m_sessions;
    AttachmentService m_attachments;
    Interworking m_interworking;
    Acceptor* m_acceptor = nullptr;
    int m_backlog = Acceptor::DefaultBacklog;
    ConnectionTimeouts m_timeouts;
    QHostAddress m_address;
    QSet<ClientConnection*> m_connections;
    QTimer m_tick;
    QTimer m_flushTimer;
    QList<Held> m_held;
    //! Users whose events the open batch produced (closed if its commit fails).
    QSet<qint64> m_batchUsers;
    bool m_flushing = false;
    //! The disabled accounts changed but could not be read: tick() tries again.
    bool m_disabledUnread = false;
    QTimer m_shutdownDeadline;
    bool m_shuttingDown = false;
};

} // namespace cpm::server
