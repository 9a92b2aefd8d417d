// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// RFC 6455 section 5.1: a client masks every frame it sends, and a server closes the
// connection on a frame that is not masked. Qt's QWebSocket (6.4) accepts unmasked frames
// and offers no hook to refuse them, so this reads the frame headers of one connection as
// they arrive, ahead of QWebSocket, and ends the connection at the first one without the
// mask bit, before QWebSocket reads that frame.
//
// It only peeks: QWebSocket stays the one that reads. It runs first on each readyRead
// (connected before the upgrade starts) and, once upgraded, once more last (afterQt), to
// learn how much QWebSocket left unread: what lies beyond that on the next readyRead is
// new. A client must not send before the server's 101 answer (RFC 6455 section 4.1), so
// bytes after the upgrade request that arrive before the upgrade is done are refused too;
// that keeps QWebSocket from reading any frame unchecked.

#include <QByteArray>

class QTcpSocket;

namespace cpm::server {

// Not a QObject, and nothing polymorphic: it is deleted with a plain `delete` when the
// socket goes. (A QObject child of the socket was destroyed while the process was out of
// file descriptors, where UBSan's first vptr check of a type cannot probe memory — it needs
// a pipe — and reports a false "invalid vptr".)
class MaskCheck final {
public:
    /*!
     * Watches \a socket for as long as it lives (and is deleted with it); call before the
     * socket is handed to QWebSocketServer::handleConnection, so that it reads each
     * arrival first.
     */
    static MaskCheck* watch(QTcpSocket* socket);

    //! The upgrade is done and QWebSocket reads the socket from now on.
    void upgraded();

private:
    explicit MaskCheck(QTcpSocket* socket)
        : m_socket(socket)
    {
    }

    void beforeQt();
    void afterQt();
    //! Reads the next bytes of the stream; false at a frame without the mask bit.
    bool scan(QByteArrayView bytes);
    void refuse(const char* why);

    QTcpSocket* m_socket;
    bool m_upgraded = false;
    bool m_refused = false;
    qint64 m_seen = 0; //!< bytes at the front of the socket's buffer already scanned
    QByteArray m_header; //!< the frame header read so far
    qint64 m_payloadLeft = 0; //!< payload bytes of the current frame still to come
};

} // namespace cpm::server
