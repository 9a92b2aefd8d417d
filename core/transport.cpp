// SPDX-License-Identifier: GPL-3.0-or-later
#include "transport.h"

#include "binaryframecodec.h"
#include "frame.h"
#include "logging.h"
#include "protocol.h"

#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>

namespace cpm {

class WebSocketTransport::Private {
public:
    std::unique_ptr<QWebSocket> socket;
    bool closedSignalled = true;
    bool opened = false; //!< the WebSocket upgrade of this attempt finished
    bool tcpConnected = false; //!< the upgrade request went out: something is listening
    bool unreachableSignalled = false;
    QTimer upgradeTimer;
    QList<QSslCertificate> extraCa;

    //! Says once per attempt why it did not reach a CPM server (the socket reports the
    //! error and the disconnection in either order).
    void reportUnreachable(
        WebSocketTransport* transport, QAbstractSocket::SocketError error, const QString& detail)
    {
        upgradeTimer.stop();
        if (!unreachableSignalled) {
            unreachableSignalled = true;
            Q_EMIT transport->unreachable(unreachable(error, detail));
        }
    }

    //! Why this attempt did not reach a CPM server, from the socket's error.
    Error unreachable(QAbstractSocket::SocketError error, const QString& detail) const
    {
        if (tcpConnected) {
            // Connected, the upgrade request sent, and then refused or answered with
            // something else: a web server, another service, a proxy.
            return makeError(ErrorCode::NotCpmServer, detail);
        }
        switch (error) {
        case QAbstractSocket::HostNotFoundError:
            return makeError(ErrorCode::HostNotFound, detail);
        case QAbstractSocket::ConnectionRefusedError:
            return makeError(ErrorCode::ConnectionRefused, detail);
        case QAbstractSocket::SocketTimeoutError:
            return makeError(ErrorCode::Timeout, detail);
        default:
            return makeError(ErrorCode::Unreachable, detail);
        }
    }
};

void WebSocketTransport::setExtraCaCertificates(const QList<QSslCertificate>& certificates)
{
    d->extraCa = certificates;
}

Error WebSocketTransport::tlsError(const QList<QSslError>& errors)
{
    const auto has = [&](std::initializer_list<QSslError::SslError> kinds) {
        return std::any_of(errors.cbegin(), errors.cend(), [&](const QSslError& e) {
            return std::find(kinds.begin(), kinds.end(), e.error()) != kinds.end();
        });
    };
    const QString detail = errors.isEmpty() ? QString() : errors.first().errorString();
    if (has({ QSslError::SelfSignedCertificate, QSslError::SelfSignedCertificateInChain,
            QSslError::UnableToGetLocalIssuerCertificate, QSslError::UnableToGetIssuerCertificate,
            QSslError::UnableToVerifyFirstCertificate, QSslError::CertificateUntrusted,
            QSslError::CertificateRejected, QSslError::InvalidCaCertificate })) {
        return makeError(ErrorCode::TlsUntrusted, detail);
    }
    if (has({ QSslError::CertificateExpired, QSslError::CertificateNotYetValid })) {
        return makeError(ErrorCode::TlsExpired, detail);
    }
    if (has({ QSslError::HostNameMismatch })) {
        return makeError(ErrorCode::TlsWrongHost, detail);
    }
    return makeError(ErrorCode::TlsFailed, detail);
}

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
    // A text frame is one JSON object, a binary one a chunk of at most 4 + 16 KiB + 256 KiB
    // (binaryframecodec.h): the server never sends more than the larger of the two.
    constexpr qsizetype MaxIncoming = std::max(protocol::limits::MaxFrameBytes,
        binaryframe::LengthBytes + binaryframe::MaxHeaderBytes + binaryframe::MaxPayloadBytes);
    d->socket->setMaxAllowedIncomingFrameSize(MaxIncoming);
    d->socket->setMaxAllowedIncomingMessageSize(MaxIncoming);
    d->closedSignalled = false;
    d->opened = false;
    d->tcpConnected = false;
    d->unreachableSignalled = false;
    QWebSocket* socket = d->socket.get();
    // The upgrade request is the first thing written: once it went out, the TCP
    // connection stands and what fails after is the server's answer.
    connect(socket, &QWebSocket::bytesWritten, this, [this] { d->tcpConnected = true; });
    d->upgradeTimer.setSingleShot(true);
    d->upgradeTimer.disconnect(this);
    connect(&d->upgradeTimer, &QTimer::timeout, this, [this, socket] {
        if (d->opened || d->closedSignalled) {
            return;
        }
        // Something took the connection and never answered the upgrade, or nothing
        // answered at all.
        const Error error = d->tcpConnected
            ? makeError(ErrorCode::NotCpmServer, QStringLiteral("no answer to the upgrade"))
            : makeError(ErrorCode::Timeout, QStringLiteral("no connection in time"));
        qCInfo(lcConnection) << "giving up connecting:" << error.name();
        d->unreachableSignalled = true;
        Q_EMIT unreachable(error);
        socket->abort();
        if (!d->closedSignalled) {
            d->closedSignalled = true;
            Q_EMIT closed(1006, error.message);
        }
    });
    d->upgradeTimer.start(UpgradeTimeoutMs);
    if (url.scheme() == QLatin1StringView("wss")) {
        // The system's authorities, those of SSL_CERT_FILE (OpenSSL's variable, which Qt
        // does not read) and the profile's own.
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        QList<QSslCertificate> extra = d->extraCa;
        if (const QString file = qEnvironmentVariable("SSL_CERT_FILE"); !file.isEmpty()) {
            extra += QSslCertificate::fromPath(file, QSsl::Pem);
        }
        config.addCaCertificates(extra);
        socket->setSslConfiguration(config);
        connect(socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError>& errors) {
            const Error error = tlsError(errors);
            qCInfo(lcConnection) << "TLS failed:" << error.name() << error.message;
            Q_EMIT tlsFailed(error);
        });
    }
    connect(socket, &QWebSocket::connected, this, [this] {
        d->opened = true;
        d->upgradeTimer.stop();
        Q_EMIT opened();
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        if (d->closedSignalled) {
            return;
        }
        if (!d->opened) {
            d->reportUnreachable(this, socket->error(), socket->errorString());
        }
        d->closedSignalled = true;
        Q_EMIT closed(int(socket->closeCode()), socket->closeReason());
    });
    connect(socket, &QWebSocket::textMessageReceived, this,
        [this](const QString& text) { Q_EMIT textReceived(text.toUtf8()); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
        [this](const QByteArray& frame) { Q_EMIT binaryReceived(frame); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this, socket](QAbstractSocket::SocketError error) {
            qCInfo(lcConnection) << "socket error:" << socket->errorString();
            if (!d->opened && !d->closedSignalled) {
                d->reportUnreachable(this, error, socket->errorString());
            }
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

void WebSocketTransport::sendBinary(const QByteArray& frame)
{
    if (isOpen()) {
        d->socket->sendBinaryMessage(frame);
    }
}

} // namespace cpm
