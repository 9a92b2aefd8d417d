// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One WebSocket connection of one device: validates every frame, runs the protocol's
// state machine and answers the operations of docs/protocol.md.

#include "frame.h"
#include "serverstore.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <array>
#include <optional>

class QWebSocket;

namespace cpm::server {

class Server;

//! A stream event rendered once per view (whole, or a notification), shared by the
//! connections that get the same text: three devices of a user cost one rendering.
struct RenderedEvent {
    std::array<std::optional<QString>, 2> texts;
};

/*!
 * States: Connected (no `hello` yet) -> Negotiated -> Authenticated (after `register` or
 * `login`) -> Live (after a `sync` answered `more: false`; from then on stream events are
 * pushed) -> Closing. Requests are handled in arrival order; while a password check runs
 * on the hash pool, later frames wait in a small queue so a pipelined `register` + `sync`
 * behaves as if each had been answered before the next was sent.
 */
class ClientConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientConnection)

public:
    enum class State { Connected, Negotiated, Authenticated, Live, Closing };

    //! Takes ownership of \a socket.
    ClientConnection(QWebSocket* socket, Server* server);
    ~ClientConnection() override;

    State state() const { return m_state; }
    //! The signed-in user and device; 0 before sign-in.
    qint64 userId() const { return m_userId; }
    qint64 deviceId() const { return m_device.id; }

    /*!
     * A stream event of this connection's user, just written: pushed when live (the server
     * holds the frame until the write is committed). \a shared caches the rendered text
     * across the user's connections; may be null.
     */
    void handleEvent(const StoredEvent& event, RenderedEvent* shared = nullptr);
    void sendTransient(QLatin1StringView name, const QJsonObject& data);
    //! The device was signed out: tells it (`signedOut`) and closes with 4001.
    void signOut(const QString& reason);
    //! Starts the closing handshake; the peer gets \a code (after anything held for it).
    void close(int code, const QString& reason);

    // --- for Server, which decides when output may leave (see Server::transmit) ----------
    void transmitNow(const QString& text);
    void closeNow(int code, const QString& reason);

Q_SIGNALS:
    //! The socket is gone; the server deletes the connection.
    void closed(cpm::server::ClientConnection* connection);

private:
    using Handler = void (ClientConnection::*)(const QJsonValue& id, const QJsonObject& args);
    struct Operation {
        QLatin1StringView name;
        Handler handler;
        bool needsAuth;
    };
    static const Operation* findOperation(const QString& name);

    void onTextMessage(const QString& text);
    void onBinaryMessage(const QByteArray& data);
    void process(const QString& text);
    void drainQueue();
    void dispatch(const protocol::Frame& request);

    void send(const QJsonObject& frame);
    enum class View { Skip, Whole, Partial, Own };
    //! How this device sees \a event: not at all, as shared text, or rendered for it alone.
    View viewOf(const StoredEvent& event) const;
    void reply(const QJsonValue& id, const QJsonObject& result = {});
    void fail(const QJsonValue& id, const protocol::Error& error);
    void fail(const QJsonValue& id, QLatin1StringView code, const QString& message);
    //! Renders a stream event for this device, or nothing when it is not for it.
    std::optional<QJsonObject> render(const StoredEvent& event) const;
    QJsonObject deviceJson(const DeviceRecord& device) const;
    void becomeAuthenticated(const UserRecord& user, const DeviceRecord& device);
    //! Non-zero seconds to wait when \a address is throttled (and then answers \a id).
    bool throttled(const QJsonValue& id, const QString& address);

    // operations
    void opHello(const QJsonValue& id, const QJsonObject& args);
    void opRegister(const QJsonValue& id, const QJsonObject& args);
    void finishRegister(const QJsonValue& id, const QString& address, bool passwordOk,
        const ServerStore::NewDevice& device);
    void opLogin(const QJsonValue& id, const QJsonObject& args);
    void opWhoami(const QJsonValue& id, const QJsonObject& args);
    void opPing(const QJsonValue& id, const QJsonObject& args);
    void opSync(const QJsonValue& id, const QJsonObject& args);
    void opAck(const QJsonValue& id, const QJsonObject& args);
    void opSend(const QJsonValue& id, const QJsonObject& args);
    void opFetch(const QJsonValue& id, const QJsonObject& args);
    void opRead(const QJsonValue& id, const QJsonObject& args);
    void opDelete(const QJsonValue& id, const QJsonObject& args);
    void opDevicesList(const QJsonValue& id, const QJsonObject& args);
    void applyDeviceChange(
        const QJsonValue& id, qint64 deviceId, const ServerStore::DeviceChange& change);
    void opDevicesRename(const QJsonValue& id, const QJsonObject& args);
    void opDevicesSignOut(const QJsonValue& id, const QJsonObject& args);
    void opDevicesSetDelivery(const QJsonValue& id, const QJsonObject& args);
    void opProfileGet(const QJsonValue& id, const QJsonObject& args);
    void opContactsAdd(const QJsonValue& id, const QJsonObject& args);
    void opContactsRemove(const QJsonValue& id, const QJsonObject& args);
    void opStatusSet(const QJsonValue& id, const QJsonObject& args);
    void opPrefsSet(const QJsonValue& id, const QJsonObject& args);

    QWebSocket* m_socket;
    Server* m_server;
    State m_state = State::Connected;
    qint64 m_userId = 0;
    QString m_address;
    DeviceRecord m_device;
    int m_protocolErrors = 0;
    //! A password check is running; frames wait in m_queue meanwhile.
    bool m_busy = false;
    QStringList m_queue;
    QTimer m_closeDeadline;
};

} // namespace cpm::server
