// SPDX-License-Identifier: GPL-3.0-or-later
// Connections against a real cpm-server, each test on a fresh one: every stage has a
// deadline (upgrade, hello, sign-in, idle), open connections are capped per source and in
// total with a log line, running out of file descriptors pauses accepting for a moment
// instead of stopping it, the listen backlog is what was asked, and a client that does not
// read what it is sent costs the server a bounded amount of memory, returned at close.

#include "failonwarning.h"
#include "procstat.h"
#include "protocol.h"
#include "testserver.h"
#include "wsclient.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QProcess>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

#include <memory>
#include <vector>

using namespace cpm::test;

namespace {
constexpr int TimedOut = cpm::protocol::close::TimedOut;

std::unique_ptr<WsClient> negotiated(const QUrl& url)
{
    auto c = std::make_unique<WsClient>();
    if (!c->open(url) || !c->hello()) {
        return nullptr;
    }
    return c;
}

//! Seconds (as a double) until \a closed holds, or -1 after \a limitMs.
template <typename Closed> double secondsUntil(Closed closed, int limitMs)
{
    QElapsedTimer t;
    t.start();
    if (!QTest::qWaitFor(closed, limitMs)) {
        return -1;
    }
    return static_cast<double>(t.elapsed()) / 1000.0;
}

/*!
 * A WebSocket client written on a bare TCP socket, so that it can stop reading: after the
 * upgrade its read buffer is a few bytes, and what the server sends piles up in the
 * kernel and then in the server.
 */
class StubbornClient {
public:
    //! Upgrades to WebSocket and then reads no more, or (\a reading) goes on reading.
    //! \a early is written together with the upgrade request, before the answer.
    bool open(const QUrl& url, bool reading = false, const QByteArray& early = {})
    {
        m_socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(url.port()));
        if (!m_socket.waitForConnected(5000)) {
            return false;
        }
        m_socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n"
            + early);
        QByteArray head;
        while (!head.contains("\r\n\r\n")) {
            if (!m_socket.waitForReadyRead(5000)) {
                return false;
            }
            // One byte at a time: nothing after the head is taken from the kernel.
            char c = 0;
            while (!head.contains("\r\n\r\n") && m_socket.getChar(&c)) {
                head.append(c);
            }
        }
        if (!reading) {
            m_socket.setReadBufferSize(16);
        }
        return head.startsWith("HTTP/1.1 101");
    }
    //! One text frame (RFC 6455 5.2) with \a payload, masked as a client must, or not.
    static QByteArray frame(const QByteArray& payload, bool masked = true)
    {
        QByteArray frame;
        frame.append(char(0x81));
        const char maskBit = masked ? char(0x80) : char(0);
        if (payload.size() < 126) {
            frame.append(char(maskBit | payload.size()));
        } else if (payload.size() <= 0xffff) {
            frame.append(char(maskBit | 126));
            frame.append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
        } else {
            frame.append(char(maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.append(char((quint64(payload.size()) >> shift) & 0xff));
            }
        }
        if (!masked) {
            return frame + payload;
        }
        const char mask[4] = { 0x11, 0x22, 0x33, 0x44 };
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i) {
            frame.append(char(payload.at(i) ^ mask[i % 4]));
        }
        return frame;
    }
    static QByteArray requestText(qint64 id, const QString& op, const QJsonObject& args = {})
    {
        return QJsonDocument(QJsonObject { { QStringLiteral("id"), id },
                                 { QStringLiteral("op"), op }, { QStringLiteral("args"), args } })
            .toJson(QJsonDocument::Compact);
    }
    void write(const QByteArray& bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    void send(const QByteArray& payload) { write(frame(payload)); }
    void request(qint64 id, const QString& op, const QJsonObject& args)
    {
        send(requestText(id, op, args));
    }
    //! What arrives until \a what is among it, the connection closes, or 5 s pass.
    QByteArray readUntil(const QByteArray& what)
    {
        QDeadlineTimer deadline(5000);
        while (!m_received.contains(what) && !deadline.hasExpired()) {
            m_received += m_socket.readAll();
            if (!m_received.contains(what)
                && !m_socket.waitForReadyRead(int(deadline.remainingTime()))) {
                m_received += m_socket.readAll();
                break;
            }
        }
        return m_received;
    }
    bool waitForClose()
    {
        return m_socket.state() == QAbstractSocket::UnconnectedState
            || m_socket.waitForDisconnected(5000);
    }
    void abort() { m_socket.abort(); }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

//! The status line the server answers a WebSocket upgrade with ("" if none in 3 s).
QByteArray upgradeStatus(const QUrl& url)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(url.port()));
    if (!socket.waitForConnected(3000)) {
        return {};
    }
    socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    QDeadlineTimer deadline(3000);
    while (!socket.canReadLine() && socket.waitForReadyRead(int(deadline.remainingTime()))) { }
    return socket.readLine().trimmed();
}

//! `login` arguments for \a address with a `register` result \a device.
QJsonObject loginArgs(const QString& address, const QJsonObject& device)
{
    return { { QStringLiteral("address"), address },
        { QStringLiteral("deviceId"), device.value(QLatin1StringView("deviceId")) },
        { QStringLiteral("token"), device.value(QLatin1StringView("token")) } };
}

//! CPU seconds the process \a pid has used (utime + stime of /proc/PID/stat).
double cpuSeconds(qint64 pid)
{
    const qint64 ns = cpm::test::processCpuNs(pid);
    return ns < 0 ? -1 : static_cast<double>(ns) / 1e9;
}
} // namespace

class tst_Connections : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void testABareConnectionIsDroppedAfterTheUpgradeDeadline();
    void testATricklingUpgradeIsDroppedAtTheSameDeadline();
    void testAConnectionWithoutHelloIsClosed();
    void testAConnectionThatDoesNotSignInIsClosed();
    void testAnIdleSignedInConnectionIsClosedAndAPingingOneIsNot();
    void testConnectionsPerSourceAreCapped();
    void testConnectionsInTotalAreCapped();
    void testTheListenBacklogIsWhatWasAsked();
    void testRunningOutOfDescriptorsPausesAcceptingAndRecovers();
    void testAClientThatDoesNotReadCostsBoundedMemory();
    void testALiveDeviceThatDoesNotReadIsDroppedAndLosesNothing();
    void testAnUnmaskedFrameClosesTheConnection();
    void testFramesBeforeTheUpgradeAnswerCloseTheConnection();

private:
    //! The server reads its net.* settings once a second: this waits for that.
    bool setNet(const char* key, int value)
    {
        if (!m_server->setSetting(QLatin1StringView(key), QString::number(value))) {
            return false;
        }
        QTest::qWait(1100);
        return true;
    }
    //! Registers a laptop for bob@cpm.example; its `register` result (deviceId, token).
    QJsonObject registerBob()
    {
        auto laptop = negotiated(m_server->url());
        return laptop ? result(laptop->registerDevice(QStringLiteral("bob@cpm.example"),
                   QStringLiteral("pw"), QStringLiteral("laptop")))
                      : QJsonObject();
    }
    //! The messages a reading device of \a address (\a device: deviceId, token) syncs.
    qsizetype messagesSyncedBy(const QString& address, const QJsonObject& device)
    {
        WsClient reader;
        if (!reader.open(m_server->url()) || !reader.hello()
            || result(reader.request(QStringLiteral("login"), loginArgs(address, device)))
                   .isEmpty()) {
            return -1;
        }
        qsizetype messages = 0;
        for (const QJsonObject& e : reader.syncAll()) {
            messages
                += e.value(QLatin1StringView("event")).toString() == QLatin1StringView("message");
        }
        return messages;
    }
    //! Closes the last of \a open and waits until a new connection is upgraded again.
    bool closingOneMakesRoom(std::vector<std::unique_ptr<WsClient>>& open)
    {
        open.back()->close();
        if (!open.back()->waitClosed()) {
            return false;
        }
        open.pop_back();
        // One probe at a time: each stays counted until the server has seen it go.
        return QTest::qWaitFor(
            [this] { return upgradeStatus(m_server->url()) == "HTTP/1.1 101 Switching Protocols"; },
            30000);
    }
    bool addUsers(const QStringList& locals)
    {
        for (const QString& l : locals) {
            if (!m_server->addUser(l + QStringLiteral("@cpm.example"), QStringLiteral("pw"))) {
                return false;
            }
        }
        return true;
    }

    std::unique_ptr<TestServer> m_server;
};

void tst_Connections::init()
{
    failOnWarnings();
    m_server = std::make_unique<TestServer>();
    // Every connection's start and end in the log a failed test prints.
    m_server->addEnvironment(QStringLiteral("QT_LOGGING_RULES"),
        QStringLiteral("cpm.server.net.debug=true"), QStringLiteral(";"));
}

void tst_Connections::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server->dumpLog();
    }
    m_server.reset();
}

void tst_Connections::testABareConnectionIsDroppedAfterTheUpgradeDeadline()
{
    QVERIFY(m_server->start());
    QVERIFY(setNet("net.handshakeTimeoutSeconds", 1));
    QTcpSocket bare;
    bare.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(m_server->url().port()));
    QVERIFY(bare.waitForConnected(5000));
    const double s
        = secondsUntil([&] { return bare.state() == QAbstractSocket::UnconnectedState; }, 10000);
    QVERIFY2(s >= 0.8 && s < 4, qPrintable(QString::number(s)));
}

void tst_Connections::testATricklingUpgradeIsDroppedAtTheSameDeadline()
{
    QVERIFY(m_server->start());
    QVERIFY(setNet("net.handshakeTimeoutSeconds", 2));
    QTcpSocket trickle;
    trickle.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(m_server->url().port()));
    QVERIFY(trickle.waitForConnected(5000));
    // A byte every 200 ms: each arrives well within any per-read timeout.
    const QByteArray request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";
    QElapsedTimer t;
    t.start();
    for (char c : request) {
        if (trickle.state() != QAbstractSocket::ConnectedState) {
            break;
        }
        trickle.write(&c, 1);
        trickle.flush();
        QTest::qWait(200);
    }
    QVERIFY(
        trickle.state() == QAbstractSocket::UnconnectedState || trickle.waitForDisconnected(5000));
    const double s = static_cast<double>(t.elapsed()) / 1000.0;
    QVERIFY2(s >= 1.8 && s < 5, qPrintable(QString::number(s)));
}

void tst_Connections::testAConnectionWithoutHelloIsClosed()
{
    QVERIFY(m_server->start());
    QVERIFY(setNet("net.helloTimeoutSeconds", 1));
    WsClient silent;
    QVERIFY(silent.open(m_server->url()));
    QVERIFY(silent.waitClosed());
    QCOMPARE(silent.closeCode(), TimedOut);
    QVERIFY(m_server->log().contains("no 'hello' in time"));
}

void tst_Connections::testAConnectionThatDoesNotSignInIsClosed()
{
    QVERIFY(m_server->start());
    QVERIFY(setNet("net.signInTimeoutSeconds", 2));
    auto c = negotiated(m_server->url());
    QVERIFY(c);
    // A ping is not progress towards signing in.
    QVERIFY_OK(c->request(QStringLiteral("ping")));
    const double s = secondsUntil([&] { return c->waitClosed(); }, 10000);
    QVERIFY2(s >= 0, "still open");
    QCOMPARE(c->closeCode(), TimedOut);
    QVERIFY(m_server->log().contains("no sign-in in time"));
}

void tst_Connections::testAnIdleSignedInConnectionIsClosedAndAPingingOneIsNot()
{
    QVERIFY(m_server->start());
    QVERIFY(addUsers({ QStringLiteral("idle"), QStringLiteral("busy") }));
    QVERIFY(setNet("net.idleTimeoutSeconds", 2));
    auto idle = negotiated(m_server->url());
    auto pinging = negotiated(m_server->url());
    QVERIFY(idle && pinging);
    QVERIFY_OK(idle->registerDevice(
        QStringLiteral("idle@cpm.example"), QStringLiteral("pw"), QStringLiteral("laptop")));
    QVERIFY_OK(pinging->registerDevice(
        QStringLiteral("busy@cpm.example"), QStringLiteral("pw"), QStringLiteral("laptop")));
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 5000) {
        QVERIFY_OK(pinging->request(QStringLiteral("ping")));
        QTest::qWait(500);
    }
    QVERIFY(idle->waitClosed());
    QCOMPARE(idle->closeCode(), TimedOut);
    QVERIFY_OK(pinging->request(QStringLiteral("ping")));
}

void tst_Connections::testConnectionsPerSourceAreCapped()
{
    QVERIFY(m_server->start());
    QVERIFY(setNet("net.maxConnectionsPerSource", 3));
    std::vector<std::unique_ptr<WsClient>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(negotiated(m_server->url()));
        QVERIFY(open.back());
    }
    QCOMPARE(upgradeStatus(m_server->url()), QByteArray("HTTP/1.1 503 Service Unavailable"));
    QVERIFY(m_server->log().contains(
        "refusing connections from 127.0.0.1: 3 open, the limit per source is 3"));
    // The three still work, and one closing makes room.
    QVERIFY_OK(open.front()->request(QStringLiteral("ping")));
    QVERIFY(closingOneMakesRoom(open));
}

void tst_Connections::testConnectionsInTotalAreCapped()
{
    QVERIFY(m_server->start());
    QVERIFY(setNet("net.maxConnections", 4));
    std::vector<std::unique_ptr<WsClient>> open;
    for (int i = 0; i < 4; ++i) {
        open.push_back(negotiated(m_server->url()));
        QVERIFY(open.back());
    }
    QTcpSocket refused;
    refused.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(m_server->url().port()));
    QVERIFY(refused.waitForConnected(5000));
    // Before the upgrade the refusal is HTTP's.
    QTRY_VERIFY_WITH_TIMEOUT(refused.bytesAvailable() > 0 || refused.waitForReadyRead(100), 5000);
    QVERIFY(refused.readAll().startsWith("HTTP/1.1 503 Service Unavailable"));
    QVERIFY(
        refused.state() == QAbstractSocket::UnconnectedState || refused.waitForDisconnected(5000));
    QVERIFY(m_server->log().contains(
        "refusing connections: 4 open, the limit is 4 (setting net.maxConnections)"));
    QVERIFY(closingOneMakesRoom(open));
}

void tst_Connections::testTheListenBacklogIsWhatWasAsked()
{
    // ss shows a listening socket's backlog in its Send-Q column.
    const auto backlog = [this] {
        QProcess ss;
        ss.start(QStringLiteral("ss"),
            { QStringLiteral("-ltnH"), QStringLiteral("sport = :%1").arg(m_server->url().port()) });
        if (!ss.waitForFinished(5000)) {
            return -1;
        }
        const QList<QByteArray> fields = ss.readAllStandardOutput().simplified().split(' ');
        return fields.size() > 2 ? fields.at(2).toInt() : -1;
    };
    QVERIFY(m_server->start());
    QCOMPARE(backlog(), 1024);
    m_server->stop();
    m_server->setExtraArguments({ QStringLiteral("--backlog"), QStringLiteral("77") });
    QVERIFY(m_server->start());
    QCOMPARE(backlog(), 77);
}

void tst_Connections::testRunningOutOfDescriptorsPausesAcceptingAndRecovers()
{
    m_server->setFileLimit(96);
    QVERIFY(m_server->start());
    // Above what the file limit allows: the kernel's EMFILE is what stops the server.
    QVERIFY(setNet("net.maxConnections", 1000));
    QVERIFY(setNet("net.maxConnectionsPerSource", 0));
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < 150; ++i) {
        flood.push_back(std::make_unique<QTcpSocket>());
        flood.back()->connectToHost(
            QHostAddress::LocalHost, static_cast<quint16>(m_server->url().port()));
        QVERIFY(flood.back()->waitForConnected(5000));
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_server->log().contains("out of file descriptors"), 5000);
    // Not spinning on accept(): well under half a core over two seconds.
    const double before = cpuSeconds(m_server->pid());
    QTest::qWait(2000);
    const double used = cpuSeconds(m_server->pid()) - before;
    QVERIFY2(used < 0.5, qPrintable(QString::number(used)));
    flood.clear();
    QVERIFY(addUsers({ QStringLiteral("late") }));
    // Room again: a device connects and signs up as usual.
    std::unique_ptr<WsClient> late;
    QTRY_VERIFY_WITH_TIMEOUT((late = negotiated(m_server->url())) != nullptr, 10000);
    QVERIFY_OK(late->registerDevice(
        QStringLiteral("late@cpm.example"), QStringLiteral("pw"), QStringLiteral("laptop")));
}

void tst_Connections::testAClientThatDoesNotReadCostsBoundedMemory()
{
    // Freed memory goes back to the system at once, so what is measured is what is held.
    m_server->addEnvironment(QStringLiteral("ASAN_OPTIONS"),
        QStringLiteral("quarantine_size_mb=0:allocator_release_to_os_interval_ms=100"),
        QStringLiteral(":"));
    QVERIFY(m_server->start());
    QVERIFY(addUsers({ QStringLiteral("alice"), QStringLiteral("bob") }));
    QVERIFY(setNet("net.stalledOutputSeconds", 3));
    const QString bob = QStringLiteral("bob@cpm.example");
    auto alice = negotiated(m_server->url());
    QVERIFY(alice);
    QVERIFY_OK(alice->registerDevice(
        QStringLiteral("alice@cpm.example"), QStringLiteral("pw"), QStringLiteral("laptop")));
    const QJsonObject bobDevice = registerBob();
    QVERIFY(!bobDevice.isEmpty());
    // Every `sync` from 0 is then answered with a frame of about 480 KB.
    for (int i = 0; i < 10; ++i) {
        QVERIFY_OK(
            alice->send(QStringLiteral("m%1").arg(i), bob, QString(60000, QLatin1Char('x'))));
    }
    QTest::qWait(500);
    const qint64 baseline = m_server->residentBytes();
    QVERIFY(baseline > 0);

    StubbornClient stubborn;
    QVERIFY(stubborn.open(m_server->url()));
    qint64 id = 0;
    stubborn.request(
        ++id, QStringLiteral("hello"), { { QStringLiteral("versions"), QJsonArray { 1 } } });
    stubborn.request(++id, QStringLiteral("login"), loginArgs(bob, bobDevice));
    // 60 pipelined syncs: about 29 MB of answers if the server produced them all.
    for (int i = 0; i < 60; ++i) {
        stubborn.request(++id, QStringLiteral("sync"), { { QStringLiteral("since"), 0 } });
    }
    // Paused while its output is unread, then closed for stalling. (The client does not
    // read, so it does not notice: the server's word is its log.)
    const auto closed
        = [this] { return m_server->log().contains("the client does not read what it is sent"); };
    qint64 peak = baseline;
    QElapsedTimer t;
    t.start();
    while (!closed() && t.elapsed() < 15000) {
        QTest::qWait(100);
        peak = std::max(peak, m_server->residentBytes());
    }
    QVERIFY2(closed(), "the server kept a client that never reads");
    QVERIFY(!m_server->log().contains("too many requests in flight"));
    constexpr qint64 MiB = 1024 * 1024;
    const qint64 grown = peak - baseline;
    qInfo() << "resident memory grew by" << grown / MiB << "MiB at most";
    QVERIFY2(grown < 24 * MiB, qPrintable(QString::number(grown / MiB)));

    // The close frame cannot reach it either: the server drops the socket after the close
    // grace (3 s, checked each second) without waiting for the client, and the memory is
    // given back.
    QTRY_VERIFY_WITH_TIMEOUT(m_server->log().contains("the close was not taken in time"), 6000);
    stubborn.abort();
    QTRY_VERIFY_WITH_TIMEOUT(m_server->residentBytes() - baseline < 8 * MiB, 5000);
    // Nothing was lost: Bob's stream is intact for a device that reads.
    QCOMPARE(messagesSyncedBy(bob, bobDevice), 10);
}

void tst_Connections::testALiveDeviceThatDoesNotReadIsDroppedAndLosesNothing()
{
    QVERIFY(m_server->start());
    QVERIFY(addUsers({ QStringLiteral("alice"), QStringLiteral("bob") }));
    const QString bob = QStringLiteral("bob@cpm.example");
    auto alice = negotiated(m_server->url());
    QVERIFY(alice);
    QVERIFY_OK(alice->registerDevice(
        QStringLiteral("alice@cpm.example"), QStringLiteral("pw"), QStringLiteral("laptop")));
    const QJsonObject bobDevice = registerBob();
    QVERIFY(!bobDevice.isEmpty());

    // Bob's phone goes live (a sync to the head), then stops reading.
    StubbornClient phone;
    QVERIFY(phone.open(m_server->url()));
    phone.request(1, QStringLiteral("hello"), { { QStringLiteral("versions"), QJsonArray { 1 } } });
    phone.request(2, QStringLiteral("login"), loginArgs(bob, bobDevice));
    phone.request(3, QStringLiteral("sync"), { { QStringLiteral("since"), 0 } });
    QTest::qWait(300);

    // 20 MB of events pushed at it: more than the kernel's buffers and the server's limit.
    constexpr int Count = 330;
    const QString body(60000, QLatin1Char('y'));
    QList<qint64> ids;
    for (int i = 0; i < Count; ++i) {
        ids.append(alice->post(QStringLiteral("send"),
            { { QStringLiteral("clientId"), QStringLiteral("p%1").arg(i) },
                { QStringLiteral("to"), bob }, { QStringLiteral("body"), body } }));
    }
    for (qint64 id : ids) {
        QVERIFY_OK(alice->response(QJsonValue(id)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_server->log().contains("bytes of output unread"), 10000);
    phone.abort();

    // Everything is there for the next device that reads.
    QCOMPARE(messagesSyncedBy(bob, bobDevice), Count);
}

void tst_Connections::testAnUnmaskedFrameClosesTheConnection()
{
    QVERIFY(m_server->start());
    StubbornClient client;
    QVERIFY(client.open(m_server->url(), true));
    client.request(
        1, QStringLiteral("hello"), { { QStringLiteral("versions"), QJsonArray { 1 } } });
    QVERIFY(client.readUntil("\"version\":1").contains("\"version\":1"));
    // A frame larger than one read, arriving in pieces: its payload is not mistaken for
    // a header (a payload full of bytes with the mask bit clear).
    const QByteArray big = StubbornClient::frame(StubbornClient::requestText(2,
        QStringLiteral("ping"), { { QStringLiteral("pad"), QString(300000, QLatin1Char('a')) } }));
    for (qsizetype at = 0; at < big.size(); at += 7000) {
        client.write(big.mid(at, 7000));
        QTest::qWait(1);
    }
    QVERIFY(client.readUntil("\"id\":2").contains("\"id\":2"));

    // Not masked: the server answers with close 1002 and ends the connection; the request
    // in it is not carried out.
    client.write(
        StubbornClient::frame(StubbornClient::requestText(3, QStringLiteral("ping")), false));
    const QByteArray close("\x88\x10\x03\xea"
                           "unmasked frame",
        18);
    QVERIFY(client.readUntil(close).contains(close));
    QVERIFY(client.waitForClose());
    QVERIFY(!client.readUntil("\"id\":3").contains("\"id\":3"));
    QTRY_VERIFY(m_server->log().contains("a frame without a mask"));
}

void tst_Connections::testFramesBeforeTheUpgradeAnswerCloseTheConnection()
{
    // RFC 6455 4.1: a client waits for the server's answer before it sends a frame. One
    // that does not is closed, masked or not, and what it sent is not carried out.
    QVERIFY(m_server->start());
    StubbornClient client;
    const QByteArray hello = StubbornClient::requestText(
        1, QStringLiteral("hello"), { { QStringLiteral("versions"), QJsonArray { 1 } } });
    QVERIFY(!client.open(m_server->url(), true, StubbornClient::frame(hello, false)));
    QVERIFY(client.waitForClose());
    QVERIFY(!client.readUntil("\"version\"").contains("\"version\""));
    QTRY_VERIFY(m_server->log().contains("data sent before the upgrade was answered"));
    // A well-behaved client still gets in.
    QVERIFY(negotiated(m_server->url()));
}

QTEST_GUILESS_MAIN(tst_Connections)
#include "tst_connections.moc"
