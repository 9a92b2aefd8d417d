// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The legacy networks' far ends for interworking tests (issue 11), real and on loopback:
// an SMTP server (Debian's aiosmtpd, delivering into a Maildir) and an HTTP SMS gateway
// that records what it is sent. Each test starts its own and stops it after.

#include "freeport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

namespace cpm::test {

//! Debian's Python, which has python3-aiosmtpd: a `python3` earlier on PATH may not.
inline const QString DebianPython = QStringLiteral("/usr/bin/python3");

/*!
 * aiosmtpd on 127.0.0.1, delivering every message into a Maildir. start() fails loudly
 * (qCritical and false) when it cannot run: tests QVERIFY it, they never skip.
 */
class SmtpSink {
public:
    SmtpSink() = default;
    ~SmtpSink() { stop(); }
    Q_DISABLE_COPY_MOVE(SmtpSink)

    /*!
     * Starts on \a port (0: a free one) with \a extra arguments (e.g. --tlscert/--tlskey,
     * --smtpscert/--smtpskey), delivering through \a handlerClass (given the Maildir as its
     * argument); \a pythonPath, when set, is the PYTHONPATH a handler of the test's own is
     * imported from.
     */
    bool start(quint16 port = 0, const QStringList& extra = {},
        const QString& handlerClass = QStringLiteral("aiosmtpd.handlers.Mailbox"),
        const QString& pythonPath = {})
    {
        m_port = port != 0 ? port : freeLoopbackPort();
        if (!pythonPath.isEmpty()) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("PYTHONPATH"), pythonPath);
            m_process.setProcessEnvironment(env);
        }
        m_process.start(DebianPython,
            QStringList { QStringLiteral("-m"), QStringLiteral("aiosmtpd"), QStringLiteral("-n"),
                QStringLiteral("-l"), QStringLiteral("127.0.0.1:%1").arg(m_port),
                QStringLiteral("-c"), handlerClass, maildir() }
                + extra);
        if (!m_process.waitForStarted(5000)) {
            qCritical("cannot run %s -m aiosmtpd: %s", qPrintable(DebianPython),
                qPrintable(m_process.errorString()));
            return false;
        }
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 20000 && m_process.state() == QProcess::Running) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(500)) {
                probe.abort();
                return true;
            }
            QThread::msleep(50);
        }
        qCritical("aiosmtpd (%s %s) did not listen on port %d: %s", qPrintable(handlerClass),
            qPrintable(extra.join(u' ')), m_port, m_process.readAllStandardError().constData());
        return false;
    }
    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    quint16 port() const { return m_port; }
    QUrl url() const { return QUrl(QStringLiteral("smtp://127.0.0.1:%1").arg(m_port)); }
    QString maildir() const { return m_dir.filePath(QStringLiteral("Maildir")); }
    //! The files of the messages delivered so far.
    QStringList mails() const
    {
        QStringList out;
        for (const QString& sub : { QStringLiteral("/new"), QStringLiteral("/cur") }) {
            const QDir d(maildir() + sub);
            for (const QString& name : d.entryList(QDir::Files, QDir::Name)) {
                out.append(d.filePath(name));
            }
        }
        return out;
    }
    //! The file of the delivered message whose bytes contain \a needle; empty when none.
    QString mailContaining(const QByteArray& needle) const
    {
        for (const QString& path : mails()) {
            QFile file(path);
            if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle)) {
                return path;
            }
        }
        return {};
    }
    /*!
     * One delivered message read with Python's e-mail parser (policy.default decodes RFC 2047
     * words and transfer encodings), so checks do not share our idea of MIME: subject,
     * fromName, fromAddress, to, dateMs, messageId, cpmSender, type (of the whole message),
     * headerNames (lower case), text and its charset, and attachments [{name, type, encoding
     * (Content-Transfer-Encoding), data (base64)}]. Empty (and qCritical) when it cannot.
     */
    static QJsonObject parse(const QString& path)
    {
        static const QByteArray script = R"(import sys, json, base64, email
from email import policy
from email.utils import parsedate_to_datetime
with open(sys.argv[1], 'rb') as f:
    msg = email.message_from_binary_file(f, policy=policy.default)
sender = msg['from'].addresses[0]
date = msg['date']
out = {'subject': str(msg['subject']), 'fromName': sender.display_name,
       'fromAddress': sender.addr_spec, 'to': msg['to'].addresses[0].addr_spec,
       'dateMs': int(parsedate_to_datetime(str(date)).timestamp() * 1000) if date else None,
       'messageId': str(msg['message-id']), 'cpmSender': str(msg['x-cpm-sender']),
       'type': msg.get_content_type(), 'attachments': [],
       'headerNames': [k.lower() for k in msg.keys()]}
for part in msg.walk():
    if part.is_multipart():
        continue
    if part.get_filename():
        out['attachments'].append({'name': part.get_filename(), 'type': part.get_content_type(),
            'encoding': str(part['content-transfer-encoding']),
            'data': base64.b64encode(part.get_payload(decode=True)).decode()})
    elif part.get_content_type() == 'text/plain':
        out['text'] = part.get_content()
        out['charset'] = part.get_content_charset()
print(json.dumps(out))
)";
        QProcess python;
        python.start(DebianPython, { QStringLiteral("-c"), QString::fromUtf8(script), path });
        if (!python.waitForFinished(20000) || python.exitCode() != 0) {
            qCritical(
                "cannot parse %s: %s", qPrintable(path), python.readAllStandardError().constData());
            return {};
        }
        return QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

/*!
 * An HTTP SMS gateway: one HTTP/1.1 request per connection, recorded; each answered with
 * the status statusAt gives for its index (200 when none). listenTls() makes it HTTPS.
 */
class SmsGatewaySink : public QObject {
public:
    struct Request {
        QByteArray target;
        QMap<QByteArray, QByteArray> headers; //!< names in lower case
        QJsonObject json;
    };

    SmsGatewaySink()
    {
        for (QTcpServer* server : { &m_server, static_cast<QTcpServer*>(&m_tlsServer) }) {
            // pendingConnectionAvailable, not newConnection: an HTTPS connection is
            // pending only once its handshake is done.
            QObject::connect(server, &QTcpServer::pendingConnectionAvailable, this, [this, server] {
                while (QTcpSocket* socket = server->nextPendingConnection()) {
                    QObject::connect(
                        socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                    QObject::connect(
                        socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                }
            });
        }
    }

    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    //! HTTPS with the PEM certificate and key in \a certFile and \a keyFile.
    bool listenTls(const QString& certFile, const QString& keyFile)
    {
        QFile certIn(certFile);
        QFile keyIn(keyFile);
        if (!certIn.open(QIODevice::ReadOnly) || !keyIn.open(QIODevice::ReadOnly)) {
            qCritical("cannot read %s or %s", qPrintable(certFile), qPrintable(keyFile));
            return false;
        }
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(&certIn, QSsl::Pem));
        tls.setPrivateKey(QSslKey(&keyIn, QSsl::Rsa, QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients show no certificate
        m_tlsServer.setSslConfiguration(tls);
        m_tls = true;
        return m_tlsServer.listen(QHostAddress::LocalHost, 0);
    }
    void close() { server().close(); }
    quint16 port() const { return server().serverPort(); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2/sms/send")
                        .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
                        .arg(port()));
    }

    QList<Request> requests;
    QMap<int, int> statusAt;

private:
    void read(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            return;
        }
        Request request;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        request.target = lines.value(0).split(' ').value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0) {
                request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                    lines.at(i).mid(colon + 1).trimmed());
            }
        }
        const qsizetype length = request.headers.value("content-length").toLongLong();
        if (buffer.size() < end + 4 + length) {
            return;
        }
        request.json = QJsonDocument::fromJson(buffer.mid(end + 4, length)).object();
        m_buffers.remove(socket);
        const int status = statusAt.value(int(requests.size()), 200);
        requests.append(request);
        const QByteArray body = status == 200 ? QByteArrayLiteral("{\"queued\":true}")
                                              : QByteArrayLiteral("{\"error\":\"test says no\"}");
        socket->write("HTTP/1.1 " + QByteArray::number(status)
            + " Test\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer& server() { return m_tls ? m_tlsServer : m_server; }
    const QTcpServer& server() const { return m_tls ? m_tlsServer : m_server; }

    QTcpServer m_server;
    QSslServer m_tlsServer;
    bool m_tls = false;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

} // namespace cpm::test
