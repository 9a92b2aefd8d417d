// SPDX-License-Identifier: GPL-3.0-or-later
#include "maskcheck.h"

#include "logging.h"

#include <QTcpSocket>

#include <algorithm>
#include <limits>

namespace cpm::server {

namespace {
constexpr char MaskBit = char(0x80);
constexpr QByteArrayView EndOfRequest("\r\n\r\n");
} // namespace

MaskCheck* MaskCheck::watch(QTcpSocket* socket)
{
    auto* check = new MaskCheck(socket);
    QObject::connect(socket, &QIODevice::readyRead, socket, [check] { check->beforeQt(); });
    QObject::connect(socket, &QObject::destroyed, [check] { delete check; });
    return check;
}

void MaskCheck::upgraded()
{
    // QWebSocket connected to readyRead while upgrading: this comes after it.
    QObject::connect(m_socket, &QIODevice::readyRead, m_socket, [this] { afterQt(); });
    m_upgraded = true;
    m_seen = 0;
    beforeQt(); // nothing can have arrived since the request (checked there), but be sure
    afterQt();
}

void MaskCheck::beforeQt()
{
    const qint64 available = m_socket->bytesAvailable();
    if (m_refused) {
        m_socket->skip(available); // nobody reads another byte of this connection
        return;
    }
    if (!m_upgraded) {
        // QWebSocketServer takes the request once complete, up to its blank line.
        const QByteArray head = m_socket->peek(available);
        const qsizetype end = head.indexOf(EndOfRequest);
        if (end >= 0 && end + EndOfRequest.size() < head.size()) {
            refuse("data sent before the upgrade was answered");
        }
        return;
    }
    const qint64 fresh = available - m_seen;
    if (fresh <= 0) {
        return;
    }
    if (fresh <= m_payloadLeft) {
        m_payloadLeft -= fresh; // inside a frame's payload: no header to look at
    } else if (!scan(QByteArrayView(m_socket->peek(available)).sliced(m_seen))) {
        refuse("a frame without a mask (RFC 6455 section 5.1)");
        return;
    }
    m_seen = available;
}

void MaskCheck::afterQt()
{
    if (!m_refused) {
        m_seen = m_socket->bytesAvailable();
    }
}

bool MaskCheck::scan(QByteArrayView bytes)
{
    qsizetype i = 0;
    while (i < bytes.size()) {
        if (m_payloadLeft > 0) {
            const qint64 skip = std::min<qint64>(m_payloadLeft, bytes.size() - i);
            m_payloadLeft -= skip;
            i += skip;
            continue;
        }
        m_header.append(bytes.at(i++));
        if (m_header.size() < 2) {
            continue;
        }
        if (!(m_header.at(1) & MaskBit)) {
            return false;
        }
        const quint8 length7 = quint8(m_header.at(1)) & 0x7f;
        const int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        if (m_header.size() < 2 + lengthBytes + 4) { // the mask key ends the header
            continue;
        }
        quint64 length = length7;
        if (lengthBytes > 0) {
            length = 0;
            for (int k = 0; k < lengthBytes; ++k) {
                length = (length << 8) | quint8(m_header.at(2 + k));
            }
        }
        // QWebSocket refuses lengths over its limit itself; only skipping them matters here.
        m_payloadLeft = qint64(std::min<quint64>(length, std::numeric_limits<qint64>::max()));
        m_header.clear();
    }
    return true;
}

void MaskCheck::refuse(const char* why)
{
    m_refused = true;
    qCInfo(lcNet) << "closing a connection from" << m_socket->peerAddress().toString() << ":"
                  << why;
    m_socket->skip(m_socket->bytesAvailable());
    if (m_upgraded) {
        // A close frame, 1002 protocol error, as a server writes it: not masked.
        static constexpr char Reason[] = "unmasked frame";
        QByteArray close;
        close.append(char(0x88));
        close.append(char(2 + sizeof(Reason) - 1));
        close.append(char(1002 >> 8));
        close.append(char(1002 & 0xff));
        close.append(Reason, sizeof(Reason) - 1);
        m_socket->write(close);
    }
    m_socket->disconnectFromHost();
}

} // namespace cpm::server
