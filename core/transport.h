// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the Connection needs from a socket, as an interface, so the protocol logic can be
// tested without one: a fake transport captures what is sent and injects what arrives.

#include "error.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

namespace cpm {

class Transport : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;
    ~Transport() override = default;

    //! Starts connecting; opened() or closed() follows.
    virtual void open(const QUrl& url) = 0;
    //! Closes (a no-op when not open); closed() follows unless already closed.
    virtual void close() = 0;
    virtual bool isOpen() const = 0;
    //! Sends one text frame.
    virtual void sendText(const QByteArray& utf8) = 0;
    //! Sends one binary frame (an attachment chunk, docs/protocol.md "Binary frames").
    virtual void sendBinary(const QByteArray& frame) = 0;
    //! For wss://: certificate authorities trusted besides the system's, from the next open().
    virtual void setExtraCaCertificates(const QList<QSslCertificate>& certificates)
    {
        Q_UNUSED(certificates)
    }

Q_SIGNALS:
    //! The TLS handshake failed (TlsUntrusted, TlsExpired, TlsWrongHost or TlsFailed);
    //! closed() follows.
    void tlsFailed(const cpm::Error& error);
    //! The server was not reached as a CPM server, and why: HostNotFound,
    //! ConnectionRefused, NotCpmServer, Timeout or Unreachable; closed() follows.
    void unreachable(const cpm::Error& error);
    void opened();
    //! The connection ended or could not be made; \a closeCode is the WebSocket close
    //! code (1006 when there was none).
    void closed(int closeCode, const QString& reason);
    void textReceived(const QByteArray& utf8);
    //! A binary frame arrived (the answer to an `attachment.get`), undecoded.
    void binaryReceived(const QByteArray& frame);
};

//! The real transport: a QWebSocket.
class WebSocketTransport final : public Transport {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketTransport)

public:
    explicit WebSocketTransport(QObject* parent = nullptr);
    ~WebSocketTransport() override;

    void open(const QUrl& url) override;
    void close() override;
    bool isOpen() const override;
    void sendText(const QByteArray& utf8) override;
    void sendBinary(const QByteArray& frame) override;
    void setExtraCaCertificates(const QList<QSslCertificate>& certificates) override;

    //! The typed error for what a TLS handshake found wrong (the first that matters).
    static Error tlsError(const QList<QSslError>& errors);
    //! How long from open() to the finished WebSocket upgrade before giving up.
    static constexpr int UpgradeTimeoutMs = 15000;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace cpm
