// SPDX-License-Identifier: GPL-3.0-or-later
#include "server.h"

#include "clientconnection.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QWebSocket>

namespace cpm::server {

namespace {
constexpr int TickMs = 1000;
// How long shutdown waits for peers to answer the close handshake.
constexpr int ShutdownGraceMs = 2000;
// Writes per group commit at most. A turn rarely has more; when a client pipelines
// hundreds of requests, the first answers should not wait for the last.
constexpr int MaxBatchWrites = 128;
} // namespace

Server::Server(QObject* parent)
    : QObject(parent)
    , m_registrar(*this)
    , m_router(*this)
    , m_mailbox(*this)
    , m_profile(*this)
    , m_sessions(*this)
    , m_attachments(*this)
    , m_interworking(*this)
    , m_acceptor(new Acceptor(QStringLiteral("cpm-server/" CPM_VERSION), this))
{
    // Who answers what.
    m_registrar.addOperations(m_operations);
    m_router.addOperations(m_operations);
    m_mailbox.addOperations(m_operations);
    m_profile.addOperations(m_operations);
    m_sessions.addOperations(m_operations);
    m_attachments.addOperations(m_operations);
    m_interworking.addOperations(m_operations);

    connect(m_acceptor, &Acceptor::connected, this, &Server::acceptWebSocket);
    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, &Server::tick);
    m_shutdownDeadline.setSingleShot(true);
    m_shutdownDeadline.setInterval(ShutdownGraceMs);
    connect(&m_shutdownDeadline, &QTimer::timeout, this, &Server::finishShutdown);
    // Zero: fires once the event loop has handled what is ready now, i.e. at the end of
    // the turn, after every readable socket had its say.
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &Server::flush);
}

Server::~Server()
{
    if (m_store && m_store->isOpen()) {
        // Nobody hears of them any more, but what was written is kept.
        [[maybe_unused]] const Result<void> committed = m_store->commit();
    }
    m_held.clear();
    // Connections reference the store: delete them first.
    const QSet<ClientConnection*> connections = std::exchange(m_connections, {});
    qDeleteAll(connections);
    m_registrar.waitForChecks();
}

Result<void> Server::open(const StoreLocation& where)
{
    Result<std::unique_ptr<Store>> store = openStore(where, StoreUse::Serving);
    if (!store) {
        return store.error();
    }
    qCInfo(lcServer).noquote() << "store" << where.describe() << "data directory" << where.dataDir;
    if (const Result<void> files
        = m_attachments.setDirectory(where.dataDir + QStringLiteral("/attachments"));
        !files) {
        return files;
    }
    open(std::move(*store));
    // What a crash left behind in the attachments directory, before anything is served.
    if (const Result<int> orphans = m_attachments.removeOrphans(); !orphans) {
        return orphans.error();
    } else if (*orphans > 0) {
        qCInfo(lcServer) << "removed" << *orphans << "orphaned attachment files";
    }
    return {};
}

void Server::open(std::unique_ptr<Store> store)
{
    m_store = std::move(store);
    m_store->setWriteListener([this] { scheduleFlush(); });
    m_store->setRemoteEventListener(
        [this](qint64 userId, qint64 seq) { remoteEventsCommitted(userId, seq); });
    m_store->setBroadcastListener(
        [this](const QByteArray& message) { broadcastReceived(message); });
    if (m_store->isShared()) {
        refreshPresenceElsewhere(QDateTime::currentMSecsSinceEpoch());
    }
}

namespace {
// Broadcasts between nodes (Store::broadcast): one JSON object with a kind.
const QLatin1StringView KindKey("k");
const QLatin1StringView TransientKind("transient");
const QLatin1StringView SignOutKind("signOut");
} // namespace

void Server::sendTransient(qint64 userId, QLatin1StringView name, const QJsonObject& data,
    qint64 exceptDevice, qint64 onlyDevice)
{
    deliverTransient(userId, name, data, exceptDevice, onlyDevice);
    if (!m_store || !m_store->isOpen() || !m_store->isShared()) {
        return;
    }
    const QJsonObject message { { KindKey, TransientKind }, { QStringLiteral("user"), userId },
        { QStringLiteral("event"), QString(name) }, { QStringLiteral("data"), data },
        { QStringLiteral("except"), exceptDevice }, { QStringLiteral("only"), onlyDevice } };
    if (const Result<void> sent
        = m_store->broadcast(QJsonDocument(message).toJson(QJsonDocument::Compact));
        !sent) {
        qCWarning(lcServer) << "other nodes were not told of a" << name
                            << "event:" << sent.error().message;
    }
}

void Server::deliverTransient(qint64 userId, QLatin1StringView name, const QJsonObject& data,
    qint64 exceptDevice, qint64 onlyDevice)
{
    const QList<ClientConnection*> connections = m_live.ofUser(userId);
    for (ClientConnection* c : connections) {
        if (c->deviceId() != exceptDevice && (onlyDevice == 0 || c->deviceId() == onlyDevice)) {
            c->sendTransient(name, data);
        }
    }
}

void Server::broadcastReceived(const QByteArray& message)
{
    const QJsonObject m = QJsonDocument::fromJson(message).object();
    const QString kind = m.value(KindKey).toString();
    const qint64 userId = m.value(QLatin1StringView("user")).toInteger();
    if (userId <= 0) {
        qCWarning(lcServer) << "ignored a malformed broadcast:" << message.left(100);
        return;
    }
    if (kind == TransientKind) {
        const QString name = m.value(QLatin1StringView("event")).toString();
        const QJsonObject data = m.value(QLatin1StringView("data")).toObject();
        if (name == protocol::event::Presence) {
            const Result<protocol::PresenceEvent> p = protocol::PresenceEvent::fromJson(data);
            if (p) {
                m_live.setOnlineElsewhere(userId, p->deviceId, p->online);
            }
        }
        const QByteArray latin = name.toLatin1();
        deliverTransient(userId, QLatin1StringView(latin), data,
            m.value(QLatin1StringView("except")).toInteger(),
            m.value(QLatin1StringView("only")).toInteger());
    } else if (kind == SignOutKind) {
        signOutHere(userId, m.value(QLatin1StringView("device")).toInteger(),
            m.value(QLatin1StringView("reason")).toString(), nullptr);
    }
}

void Server::refreshPresenceElsewhere(qint64 now)
{
    const Result<QList<std::pair<qint64, qint64>>> elsewhere = m_store->presenceElsewhere(now);
    if (!elsewhere) {
        qCWarning(lcServer) << "cannot read the other nodes' presence:"
                            << elsewhere.error().message;
        return;
    }
    // Devices of a node that died without a word go offline for this node's devices too.
    const QList<std::pair<qint64, qint64>> gone = m_live.replaceOnlineElsewhere(*elsewhere);
    for (const auto& [userId, deviceId] : gone) {
        deliverTransient(userId, protocol::event::Presence,
            protocol::PresenceEvent { deviceId, false, now }.toJson(), deviceId, 0);
    }
}

void Server::remoteEventsCommitted(qint64 userId, qint64 seq)
{
    if (userId == 0) {
        // Some may have gone unheard: every live connection reads what it has not had.
        const QSet<ClientConnection*> connections = m_connections; // closing may remove
        for (ClientConnection* c : connections) {
            c->catchUp();
        }
        return;
    }
    const QList<ClientConnection*> connections = m_live.ofUser(userId);
    for (ClientConnection* c : connections) {
        if (c->streamPosition() < seq) {
            c->catchUp();
        }
    }
}

bool Server::listen(const QHostAddress& address, quint16 port, QString* error)
{
    readConnectionSettings();
    if (!m_acceptor->listen(address, port, m_backlog, error)) {
        return false;
    }
    m_address = address;
    if (!address.isLoopback() && !m_acceptor->isTls()) {
        qCWarning(lcServer).noquote()
            << "listening on" << address.toString()
            << "without TLS: passwords and messages cross the network in the clear";
    }
    m_tick.start();
    return true;
}

QUrl Server::url() const
{
    QUrl url;
    url.setScheme(m_acceptor->isTls() ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(m_address.toString());
    url.setPort(m_acceptor->port());
    url.setPath(QStringLiteral("/"));
    return url;
}

void Server::acceptWebSocket(QWebSocket* socket)
{
    socket->setMaxAllowedIncomingFrameSize(TransportFrameLimit);
    socket->setMaxAllowedIncomingMessageSize(TransportFrameLimit);
    auto* connection = new ClientConnection(socket, this);
    m_connections.insert(connection);
    if (m_shuttingDown) {
        connection->close(protocol::close::ServerShutdown, QStringLiteral("shutting down"));
    }
}

void Server::readConnectionSettings()
{
    if (!m_store || !m_store->isOpen()) {
        return;
    }
    const auto ms = [this](QLatin1StringView key) { return m_store->settingInt(key) * 1000; };
    ConnectionLimits limits;
    limits.maxConnections = static_cast<int>(m_store->settingInt(settings::NetMaxConnections));
    limits.maxPerSource
        = static_cast<int>(m_store->settingInt(settings::NetMaxConnectionsPerSource));
    limits.handshakeTimeoutMs = static_cast<int>(ms(settings::NetHandshakeTimeoutSeconds));
    m_acceptor->setLimits(limits);
    m_timeouts.helloMs = ms(settings::NetHelloTimeoutSeconds);
    m_timeouts.signInMs = ms(settings::NetSignInTimeoutSeconds);
    m_timeouts.idleMs = ms(settings::NetIdleTimeoutSeconds);
    m_timeouts.stalledOutputMs = ms(settings::NetStalledOutputSeconds);
}

void Server::touch(qint64 deviceId, qint64 now)
{
    if (!m_store || !m_store->isOpen()) {
        return;
    }
    // Last seen is a courtesy: a store that refuses writes (a full disk) must not keep a
    // device from connecting.
    if (const Result<void> touched = m_store->touchDevice(deviceId, now); !touched) {
        qCDebug(lcStore) << "last-seen of device" << deviceId
                         << "not stored:" << touched.error().message;
    }
}

void Server::connectionClosed(ClientConnection* connection)
{
    if (!m_connections.remove(connection)) {
        return;
    }
    qCDebug(lcNet) << "connection from" << connection->peer() << "closed";
    m_attachments.connectionClosed(connection);
    if (m_live.remove(connection)) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        touch(connection->deviceId(), now);
        sendPresence(connection->userId(), connection->deviceId(), false, now);
    }
    connection->deleteLater();
    if (m_shuttingDown && m_connections.isEmpty()) {
        finishShutdown();
    }
}

void Server::connectionSignedIn(ClientConnection* connection)
{
    if (m_live.add(connection)) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        touch(connection->deviceId(), now);
        sendPresence(connection->userId(), connection->deviceId(), true, now);
    }
}

void Server::sendPresence(qint64 userId, qint64 deviceId, bool online, qint64 lastSeen)
{
    if (m_store && m_store->isOpen()) {
        if (const Result<void> stored = m_store->setPresence(userId, deviceId, online, lastSeen);
            !stored) {
            qCWarning(lcServer) << "presence of device" << deviceId
                                << "not shared:" << stored.error().message;
        }
    }
    sendTransient(userId, protocol::event::Presence,
        protocol::PresenceEvent { deviceId, online, lastSeen }.toJson(), deviceId);
}

void Server::publish(const Events& events)
{
    if (m_store->hasUncommittedWrites()) {
        for (const StoredEvent& event : events) {
            m_batchUsers.insert(event.userId);
        }
    }
    m_router.publish(events);
}

void Server::signOutDevice(
    qint64 userId, qint64 deviceId, const QString& reason, ClientConnection* except)
{
    signOutHere(userId, deviceId, reason, except);
    if (!m_store || !m_store->isOpen() || !m_store->isShared()) {
        return;
    }
    const QJsonObject message { { KindKey, SignOutKind }, { QStringLiteral("user"), userId },
        { QStringLiteral("device"), deviceId }, { QStringLiteral("reason"), reason } };
    if (const Result<void> sent
        = m_store->broadcast(QJsonDocument(message).toJson(QJsonDocument::Compact));
        !sent) {
        // Its token is revoked: a node that missed this refuses it at the next sign-in.
        qCWarning(lcServer) << "other nodes were not told of a sign-out:" << sent.error().message;
    }
}

void Server::signOutHere(
    qint64 userId, qint64 deviceId, const QString& reason, ClientConnection* except)
{
    const QList<ClientConnection*> connections = m_live.ofUser(userId);
    for (ClientConnection* c : connections) {
        if (c->deviceId() == deviceId && c != except) {
            c->signOut(reason);
        }
    }
}

// --- group commit ----------------------------------------------------------------------

void Server::scheduleFlush()
{
    if (!m_flushTimer.isActive()) {
        m_flushTimer.start();
    }
}

void Server::transmit(ClientConnection* connection, const QString& text)
{
    if (!isHolding()) {
        connection->transmitNow(text);
        connection->flushOutput();
        return;
    }
    m_held.append({ connection, text, 0, {} });
    scheduleFlush();
}

void Server::transmitBinary(ClientConnection* connection, const QByteArray& frame)
{
    if (!isHolding()) {
        connection->transmitBinaryNow(frame);
        connection->flushOutput();
        return;
    }
    m_held.append({ connection, {}, 0, frame });
    scheduleFlush();
}

void Server::transmitClose(ClientConnection* connection, int code, const QString& reason)
{
    if (!isHolding()) {
        connection->closeNow(code, reason);
        return;
    }
    m_held.append({ connection, reason, code, {} });
    scheduleFlush();
}

void Server::requestDone()
{
    if (m_store->uncommittedWrites() >= MaxBatchWrites) {
        flush();
    }
}

void Server::flush()
{
    if (m_flushing || !m_store) {
        return;
    }
    m_flushing = true;
    m_flushTimer.stop();
    const Result<void> committed = m_store->commit();
    const QList<Held> held = std::exchange(m_held, {});
    const QSet<qint64> users = std::exchange(m_batchUsers, {});
    // Sending may make a socket report its end at once; what that produces (presence,
    // a touched device) is held behind this loop by m_flushing.
    QSet<ClientConnection*> uninformed;
    QSet<ClientConnection*> closeDropped; // already Closing: close() would do nothing
    QList<QPointer<ClientConnection>> written; // flushOutput() once each (it says if needed)
    for (const Held& h : held) {
        ClientConnection* c = h.connection.data();
        if (!c) {
            continue; // gone meanwhile
        }
        // A sign-out close tells the device to wipe itself: it speaks of a write of the
        // batch just like an answer does. Other closes (abuse, shutdown) stand on their own.
        const bool speaksOfBatch = h.closeCode == 0 || h.closeCode == protocol::close::SignedOut;
        if (committed || !speaksOfBatch) {
            if (h.closeCode != 0) {
                c->closeNow(h.closeCode, h.text);
            } else if (!h.binary.isEmpty()) {
                c->transmitBinaryNow(h.binary);
            } else {
                c->transmitNow(h.text);
            }
            written.append(h.connection);
        } else {
            uninformed.insert(c);
            if (h.closeCode != 0) {
                closeDropped.insert(c);
            }
        }
    }
    // Each connection's frames of the batch in one write, now.
    for (const QPointer<ClientConnection>& c : std::as_const(written)) {
        if (c) {
            c->flushOutput();
        }
    }
    m_flushing = false;
    // Everything is out: a moment the next turn can spare for the store's upkeep.
    m_store->maintain();
    if (!committed) {
        // Their answers and events spoke of writes that are not stored, and connections
        // keep state (live, delivery preference) that followed them: start them afresh.
        // 4003 means "reconnect later"; the client resends its outbox and syncs.
        const QString reason = committed.error().code == ErrorCode::DiskFull
            ? QStringLiteral("the server's storage is full; reconnect")
            : QStringLiteral("the server could not store a change; reconnect");
        const QSet<ClientConnection*> connections = m_connections; // closing may remove
        for (ClientConnection* c : connections) {
            if (closeDropped.contains(c)) {
                c->closeNow(protocol::close::ServerShutdown, reason);
            } else if (uninformed.contains(c) || users.contains(c->userId())) {
                c->close(protocol::close::ServerShutdown, reason);
            }
        }
    }
    if (isHolding()) {
        scheduleFlush();
    }
}

void Server::tick()
{
    if (!m_store || !m_store->isOpen()) {
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_store->isShared()) {
        if (const Result<void> alive = m_store->heartbeat(now); !alive) {
            qCWarning(lcServer) << "heartbeat not stored:" << alive.error().message;
        }
        refreshPresenceElsewhere(now);
    }
    // What concerns every user is done by one node of several (the store says which);
    // the rest is about this node's own connections and memory.
    if (m_store->leadsUpkeep()) {
        expireDeferred(now);
        m_registrar.expireGuests(now);
        m_sessions.tick(now);
        m_attachments.expireUploads(now);
    } else {
        m_sessions.standBy();
    }
    m_registrar.prune(now);
    m_interworking.tick(now);

    readConnectionSettings();
    const qint64 monotonicNow = ClientConnection::monotonicMs();
    const QSet<ClientConnection*> open = m_connections; // closing may remove
    for (ClientConnection* c : open) {
        c->checkDeadlines(monotonicNow, m_timeouts);
    }

    applyAdminChanges();
    m_store->maintain();
}

void Server::expireDeferred(qint64 now)
{
    const qint64 maxAge = m_store->settingInt(settings::DeferredMaxAgeSeconds);
    const qint64 maxCount = m_store->settingInt(settings::DeferredMaxCount);
    Events events;
    const Result<int> expired
        = m_store->expirePending(maxAge > 0 ? now - maxAge * 1000 : 0, maxCount, now, &events);
    if (expired && *expired > 0) {
        publish(events);
    } else if (!expired && expired.error().code != ErrorCode::DiskFull) {
        qCWarning(lcServer) << "expiry failed:" << expired.error().message;
    }
}

void Server::applyAdminChanges()
{
    if (!m_store || !m_store->isOpen()) {
        return;
    }
    // The admin CLI may have disabled an account of a signed-in user: sign them off.
    // A failed read is tried again on the next tick, not taken for "nobody disabled".
    if (!m_store->changedElsewhere() && !m_disabledUnread) {
        return;
    }
    const Result<QList<qint64>> disabled = m_store->disabledUserIds();
    m_disabledUnread = !disabled;
    if (!disabled) {
        qCWarning(lcServer) << "cannot read the disabled accounts:" << disabled.error().message;
    }
    for (qint64 userId : disabled.valueOr({})) {
        const QList<ClientConnection*> connections = m_live.ofUser(userId);
        for (ClientConnection* c : connections) {
            qCInfo(lcServer) << "closing a connection of disabled user" << userId;
            c->close(1008, QStringLiteral("account disabled"));
        }
    }
}

void Server::shutdown()
{
    if (m_shuttingDown) {
        return;
    }
    m_shuttingDown = true;
    flush();
    qCInfo(lcServer) << "shutting down," << m_connections.size() << "connections open";
    m_tick.stop();
    m_acceptor->close();
    if (m_connections.isEmpty()) {
        finishShutdown();
        return;
    }
    const QSet<ClientConnection*> connections = m_connections;
    for (ClientConnection* c : connections) {
        c->close(protocol::close::ServerShutdown, QStringLiteral("server shutting down"));
    }
    m_shutdownDeadline.start();
}

void Server::finishShutdown()
{
    if (!m_store || !m_store->isOpen()) {
        return;
    }
    m_shutdownDeadline.stop();
    m_registrar.waitForChecks();
    flush();
    m_store->close();
    qCInfo(lcServer) << "stopped";
    Q_EMIT stopped();
}

} // namespace cpm::server
