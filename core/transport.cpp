// SPDX-License-Identifier: GPL-3.0-or-later
#include "transport.h"

#include "frame.h"
#include "logging.h"
#include "protocol.h"

#include <QWebSocket>

namespace cpm {

class WebSocketTransport::Private {
public:
    std::unique_ptr<QWebSocket> socket;
    bool closedSignalled = true;
};

WebSocketTransport::WebSocketTransport(QObject* parent)
    : Transport(parent)
    , d(std::make_unique<Private>())
{
}

WebSocketTransport::~WebSocketTransport()
{
    if (d->socket) {
        d->socket->disconnect(this);
        d->socket->abort();
    }
}

void WebSocketTransport::open(const QUrl& url)
{
    if (d->socket) {
        d->socket->disconnect(this);
        d->socket->abort();
        d->socket.release()->deleteLater();
    }
    d->socket
        = std::make_unique<QWebSocket>(QStringLiteral("cpm"), QWebSocketProtocol::VersionLatest);
    // One frame is one JSON object; the server never sends more than this.
    d->socket->setMaxAllowedIncomingFrameSize(protocol::limits::MaxFrameBytes);
    d->socket->setMaxAllowedIncomingMessageSize(protocol::limits::MaxFrameBytes);
    d->closedSignalled = false;
    QWebSocket* socket = d->socket.get();
    connect(socket, &QWebSocket::connected, this, &Transport::opened);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        if (d->closedSignalled) {
            return;
        }
        d->closedSignalled = true;
        Q_EMIT closed(int(socket->closeCode()), socket->closeReason());
    });
    connect(socket, &QWebSocket::textMessageReceived, this,
        [this](const QString& text) { Q_EMIT textReceived(text.toUtf8()); });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [](const QByteArray& data) {
        qCWarning(lcConnection) << "ignoring a binary frame of" << data.size() << "bytes";
    });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this, socket](QAbstractSocket::SocketError) {
            qCInfo(lcConnection) << "socket error:" << socket->errorString();
            if (socket->state() == QAbstractSocket::UnconnectedState && !d->closedSignalled) {
                d->closedSignalled = true;
                Q_EMIT closed(1006, socket->errorString());
            }
        });
    socket->open(url);
}

void WebSocketTransport::close()
{
    if (!d->socket) {
        return;
    }
    if (d->socket->state() == QAbstractSocket::ConnectedState) {
        d->socket->close();
        return;
    }
    // Still connecting: there is no handshake to close, and QWebSocket may not report it.
    d->socket->abort();
    if (!d->closedSignalled) {
        d->closedSignalled = true;
        Q_EMIT closed(1006, QStringLiteral("closed while connecting"));
    }
}

bool WebSocketTransport::isOpen() const
{
    return d->socket && d->socket->state() == QAbstractSocket::ConnectedState;
}

void WebSocketTransport::sendText(const QByteArray& utf8)
{
    if (isOpen()) {
        d->socket->sendTextMessage(QString::fromUtf8(utf8));
    }
}

} // namespace cpm
