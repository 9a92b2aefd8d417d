// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The listening socket and the time before a connection is a WebSocket: caps on open
// connections (in total and per network address), a deadline for the upgrade, and the
// file-descriptor limit met without stalling.

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

#include <optional>

class QSocketNotifier;
class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace cpm::server {

class MaskCheck;

struct ConnectionLimits {
    //! Sockets open at once, upgrading ones included (0: the file limit less a reserve).
    int maxConnections = 0;
    //! Sockets open at once from one network address (0: no cap).
    int maxPerSource = 100;
    //! From TCP accept to a completed WebSocket upgrade (0: no deadline).
    int handshakeTimeoutMs = 10000;
};

/*!
 * Accepts TCP connections and upgrades them (QWebSocketServer in non-listening mode).
 * A connection over a cap gets an HTTP 503 and is closed; one that does not finish its
 * upgrade in time is dropped. Every socket counts from accept until it is destroyed, so
 * the caps hold for half-open and upgrading ones too.
 */
class Acceptor final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Acceptor)

public:
    static constexpr int DefaultBacklog = 1024;
    //! File descriptors kept free of connections for the store, logs and the admin CLI.
    static constexpr int ReservedDescriptors = 64;

    explicit Acceptor(const QString& serverName, QObject* parent = nullptr);
    ~Acceptor() override;

    bool listen(const QHostAddress& address, quint16 port, int backlog, QString* error);
    //! Stops listening; connections already handed out are not touched.
    void close();
    quint16 port() const;

    void setLimits(const ConnectionLimits& limits);
    //! Serves TLS (wss://) with \a config from now on: the TLS handshake comes first and
    //! counts towards the upgrade deadline.
    void setTls(const QSslConfiguration& config) { m_tls = config; }
    bool isTls() const { return m_tls.has_value(); }
    //! maxConnections as in force (0 resolved from the process's file limit).
    int effectiveMaxConnections() const;
    int openConnections() const { return m_open; }

Q_SIGNALS:
    //! A connection finished its upgrade; the receiver takes the socket.
    void connected(QWebSocket* socket);

private:
    void acceptPending();
    //! accept() failed with \a error (errno): logs it and pauses accepting a moment.
    void pauseAfterError(int error);
    void resume();
    //! Descriptors held in reserve (/dev/null) while accepting, released when the process
    //! runs out, so that it can still open files while it waits.
    bool takeReserve();
    void releaseReserve();
    void onUpgraded();
    void refuse(QTcpSocket* socket, const QString& why);
    //! A socket from \a source is gone: counted out.
    void forget(const QString& source);
    //! Logs \a line at most once per 10 s per \a kind, with how often it was suppressed.
    void logLimited(int kind, const QString& line);

    //! Binds and listens; accepting is ours (m_notifier), see listen().
    QTcpServer* m_tcp;
    QSocketNotifier* m_notifier = nullptr;
    int m_reserve[2] = { -1, -1 };
    QWebSocketServer* m_ws;
    ConnectionLimits m_limits;
    std::optional<QSslConfiguration> m_tls;
    int m_fileLimitCap = 0;
    int m_open = 0;
    QHash<QString, int> m_perSource;
    //! A socket until its upgrade: its deadline (a child of the socket) and the connection
    //! that counts it out should it go before.
    struct Upgrading {
        QTimer* deadline = nullptr;
        MaskCheck* maskCheck = nullptr; //!< deleted with the socket
        QMetaObject::Connection onDestroyed;
        QString source;
    };
    //! By "address|port".
    QHash<QString, Upgrading> m_upgrading;
    QTimer m_resume;
    struct LogState {
        QElapsedTimer last;
        int suppressed = 0;
    };
    LogState m_logs[3];
};

} // namespace cpm::server
