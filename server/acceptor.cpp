// SPDX-License-Identifier: GPL-3.0-or-later
#include "acceptor.h"

#include "logging.h"
#include "maskcheck.h"

#include <QPointer>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cpm::server {

namespace {
// After the process ran out of file descriptors, how long accepting pauses; the kernel
// queues new connections meanwhile.
constexpr int ResumeAfterMs = 1000;
// A refused connection gets this long to read its 503 before the socket is dropped.
constexpr int RefusalLingerMs = 2000;
constexpr int LogEveryMs = 10000;
enum LogKind { TotalCap, SourceCap, OutOfDescriptors };

QString keyOf(const QHostAddress& address, quint16 port)
{
    return address.toString() + QLatin1Char('|') + QString::number(port);
}

int fileLimitCap()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY
        || limit.rlim_cur > static_cast<rlim_t>(INT_MAX)) {
        return INT_MAX;
    }
    return std::max(16, static_cast<int>(limit.rlim_cur) - Acceptor::ReservedDescriptors);
}
} // namespace

Acceptor::Acceptor(const QString& serverName, QObject* parent)
    : QObject(parent)
    , m_tcp(new QTcpServer(this))
    , m_ws(new QWebSocketServer(serverName, QWebSocketServer::NonSecureMode, this))
    , m_fileLimitCap(fileLimitCap())
{
    connect(m_ws, &QWebSocketServer::newConnection, this, &Acceptor::onUpgraded);
    m_resume.setSingleShot(true);
    m_resume.setInterval(ResumeAfterMs);
    connect(&m_resume, &QTimer::timeout, this, &Acceptor::resume);
}

Acceptor::~Acceptor() { releaseReserve(); }

bool Acceptor::listen(const QHostAddress& address, quint16 port, int backlog, QString* error)
{
    m_tcp->setListenBacklogSize(backlog > 0 ? backlog : DefaultBacklog);
    if (!m_tcp->listen(address, port)) {
        if (error) {
            *error = m_tcp->errorString();
        }
        return false;
    }
    // QTcpServer binds and listens; we accept. Qt 6.4 cannot report running out of file
    // descriptors once its socket engine has seen EAGAIN (it sets an error only once), so
    // on EMFILE it spins on accept() at full CPU, or pauses for good if that came first.
    m_tcp->pauseAccepting();
    m_notifier = new QSocketNotifier(m_tcp->socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &Acceptor::acceptPending);
    takeReserve();
    return true;
}

bool Acceptor::takeReserve()
{
    for (int& fd : m_reserve) {
        if (fd < 0) {
            fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0) {
            return false;
        }
    }
    return true;
}

void Acceptor::releaseReserve()
{
    for (int& fd : m_reserve) {
        if (fd >= 0) {
            ::close(std::exchange(fd, -1));
        }
    }
}

void Acceptor::close()
{
    m_resume.stop();
    delete std::exchange(m_notifier, nullptr);
    m_tcp->close();
    releaseReserve();
}

quint16 Acceptor::port() const { return m_tcp->serverPort(); }

void Acceptor::setLimits(const ConnectionLimits& limits) { m_limits = limits; }

int Acceptor::effectiveMaxConnections() const
{
    return m_limits.maxConnections > 0 ? m_limits.maxConnections : m_fileLimitCap;
}

void Acceptor::acceptPending()
{
    while (m_notifier) {
        const int fd = ::accept4(static_cast<int>(m_tcp->socketDescriptor()), nullptr, nullptr,
            SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue; // a peer that gave up while queued; the next one may be there
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                pauseAfterError(errno);
            }
            return;
        }
        QSslSocket* tls = m_tls ? new QSslSocket(this) : nullptr;
        QTcpSocket* socket = tls ? tls : new QTcpSocket(this);
        if (!socket->setSocketDescriptor(fd)) {
            qCWarning(lcNet) << "cannot use an accepted socket:" << socket->errorString();
            ::close(fd);
            delete socket;
            continue;
        }
        // Qt 6.4 sets TCP_NODELAY only on client sockets. Without it Nagle holds small
        // event frames back: fan-out p99 measured 20.5 ms without, 0.30 ms with it.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const QString source = socket->peerAddress().toString();
        const QString key = keyOf(socket->peerAddress(), socket->peerPort());
        ++m_open;
        const int fromSource = ++m_perSource[source];
        // Counted out when it goes; until its upgrade, also forgotten as upgrading (only its
        // own entry: a new socket from the same address and port may have one by then).
        auto* deadline = new QTimer(socket);
        const QMetaObject::Connection onDestroyed
            = connect(socket, &QObject::destroyed, this, [this, source, key, deadline] {
                  if (const auto it = m_upgrading.constFind(key);
                      it != m_upgrading.constEnd() && it->deadline == deadline) {
                      m_upgrading.erase(it);
                  }
                  forget(source);
              });

        const int max = effectiveMaxConnections();
        if (m_open > max) {
            logLimited(TotalCap,
                QStringLiteral("refusing connections: %1 open, the limit is %2"
                               " (setting net.maxConnections)")
                    .arg(m_open - 1)
                    .arg(max));
            refuse(socket, QStringLiteral("too many connections"));
            continue;
        }
        if (m_limits.maxPerSource > 0 && fromSource > m_limits.maxPerSource) {
            logLimited(SourceCap,
                QStringLiteral("refusing connections from %1: %2 open, the limit per source is"
                               " %3 (setting net.maxConnectionsPerSource)")
                    .arg(source)
                    .arg(fromSource - 1)
                    .arg(m_limits.maxPerSource));
            refuse(socket, QStringLiteral("too many connections from your address"));
            continue;
        }
        // The timer also marks the socket as ours to delete once upgraded (onUpgraded).
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, socket, [socket] {
            qCDebug(lcNet) << "dropping" << socket->peerAddress().toString()
                           << ": no WebSocket upgrade in time";
            socket->abort();
            socket->deleteLater();
        });
        if (m_limits.handshakeTimeoutMs > 0) {
            deadline->start(m_limits.handshakeTimeoutMs);
        }
        // Made before the upgrade starts, so that it sees every arrival before Qt reads it.
        MaskCheck* maskCheck = MaskCheck::watch(socket);
        m_upgrading.insert(key, { deadline, maskCheck, onDestroyed, source });
        if (!tls) {
            m_ws->handleConnection(socket);
            continue;
        }
        // The WebSocket upgrade runs over the encrypted socket once the TLS handshake is
        // done; a failed handshake (a client that does not trust us, or not TLS at all)
        // ends the socket.
        tls->setSslConfiguration(*m_tls);
        const QMetaObject::Connection failed
            = connect(tls, &QSslSocket::errorOccurred, tls, [tls](QAbstractSocket::SocketError) {
                  qCDebug(lcNet) << "TLS with" << tls->peerAddress().toString()
                                 << "failed:" << tls->errorString();
                  tls->abort();
                  tls->deleteLater();
              });
        connect(tls, &QSslSocket::encrypted, this, [this, tls, failed] {
            disconnect(failed); // from here on the WebSocket handles the socket's end
            m_ws->handleConnection(tls);
        });
        tls->startServerEncryption();
    }
}

void Acceptor::onUpgraded()
{
    while (QWebSocket* socket = m_ws->nextPendingConnection()) {
        const QString key = keyOf(socket->peerAddress(), socket->peerPort());
        if (const auto it = m_upgrading.constFind(key); it != m_upgrading.constEnd()) {
            // From now on the WebSocket stands for the connection in the counts. Qt 6.4
            // leaves the TCP socket a child of the QTcpServer, never deleted: it goes with
            // the WebSocket here, or every connection ever made would keep its object.
            const Upgrading u = *it;
            m_upgrading.erase(it);
            disconnect(u.onDestroyed);
            u.maskCheck->upgraded(); // the socket is alive: so is its check
            const QPointer<QObject> tcp = u.deadline->parent();
            delete u.deadline;
            // QWebSocketServer stays connected to every upgraded socket's disconnected() and
            // asks sender() there, a walk of all its connections: with thousands open, each
            // disconnect cost O(n). The socket goes with its WebSocket (below) instead.
            QObject::disconnect(tcp, nullptr, m_ws, nullptr);
            const QString source = u.source;
            connect(socket, &QObject::destroyed, this, [this, tcp, source] {
                if (tcp) {
                    tcp->deleteLater();
                }
                forget(source);
            });
        }
        Q_EMIT connected(socket);
    }
}

void Acceptor::resume()
{
    if (!m_notifier) {
        return;
    }
    // Accept only with the reserve back in hand, so the next EMFILE finds room again.
    if (!takeReserve()) {
        m_resume.start();
        return;
    }
    m_notifier->setEnabled(true);
}

void Acceptor::pauseAfterError(int error)
{
    // First give the process some room: out of descriptors, nothing (the store, the log,
    // a sanitizer's own checks) could open a file.
    releaseReserve();
    // Accepting again at once would fail again at once: wait a moment (or until one of
    // ours closes); the kernel keeps new connections queued meanwhile.
    m_notifier->setEnabled(false);
    m_resume.start();
    if (error == EMFILE || error == ENFILE) {
        logLimited(OutOfDescriptors,
            QStringLiteral("out of file descriptors with %1 connections open: not accepting"
                           " for %2 ms (raise the file limit, or lower net.maxConnections)")
                .arg(m_open)
                .arg(ResumeAfterMs));
    } else {
        logLimited(OutOfDescriptors,
            QStringLiteral("accepting a connection failed (%1): not accepting for %2 ms")
                .arg(QString::fromLocal8Bit(std::strerror(error)))
                .arg(ResumeAfterMs));
    }
}

void Acceptor::refuse(QTcpSocket* socket, const QString& why)
{
    // Before the upgrade the only polite word is HTTP's: a client sees a failed handshake
    // with status 503 and retries later, as it would after any failed connect.
    const QByteArray body = why.toUtf8();
    socket->write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nConnection: close\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(RefusalLingerMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->disconnectFromHost();
}

void Acceptor::forget(const QString& source)
{
    --m_open;
    if (--m_perSource[source] <= 0) {
        m_perSource.remove(source);
    }
    // A connection closed: if accepting paused for want of descriptors, one is free now.
    if (m_resume.isActive()) {
        m_resume.stop();
        resume();
    }
}

void Acceptor::logLimited(int kind, const QString& line)
{
    LogState& state = m_logs[kind];
    if (state.last.isValid() && state.last.elapsed() < LogEveryMs) {
        ++state.suppressed;
        return;
    }
    if (state.suppressed > 0) {
        qCWarning(lcNet).noquote()
            << line << QStringLiteral("(%1 more since the last such line)").arg(state.suppressed);
    } else {
        qCWarning(lcNet).noquote() << line;
    }
    state.last.start();
    state.suppressed = 0;
}

} // namespace cpm::server
