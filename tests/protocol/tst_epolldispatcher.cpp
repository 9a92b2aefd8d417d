// SPDX-License-Identifier: GPL-3.0-or-later
// The epoll event dispatcher (issue 12) that cpm-server runs on: Qt's timers, sockets,
// posted events and loops must behave as on Qt's own dispatchers. The server's whole test
// suite runs on it too; these are the edges that suite would only hit by chance.

#include "epolldispatcher.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using cpm::protocol::EpollDispatcher;

class tst_EpollDispatcher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void testItIsTheMainThreadsDispatcher();
    void testTimersFireInDeadlineOrder();
    void testRepeatingTimerKeepsItsPace();
    void testTimerStoppedInItsOwnTimeoutDoesNotFireAgain();
    void testRemainingTime();
    void testZeroTimerDoesNotStarveSockets();
    void testNestedLoopDoesNotReenterTheRunningTimer();
    void testPostFromAnotherThreadWakesTheLoop();
    void testQuitEndsABlockedLoop();
    void testDeleteLaterRuns();
    void testNotifierDisabledFromAnotherNotifiersActivation();
    void testPeerHangingUpIsReadable();
    void testDescriptorNumberReusedInOneTurnIsWatched();
    void testManyConnectionsEchoTheirBytes();
};

void tst_EpollDispatcher::testItIsTheMainThreadsDispatcher()
{
    QVERIFY(qobject_cast<EpollDispatcher*>(QAbstractEventDispatcher::instance()));
}

void tst_EpollDispatcher::testTimersFireInDeadlineOrder()
{
    QList<int> fired;
    for (const int ms : { 30, 10, 20, 0 }) {
        QTimer::singleShot(ms, Qt::PreciseTimer, this, [&fired, ms] { fired.append(ms); });
    }
    QTRY_COMPARE(fired.size(), 4);
    QCOMPARE(fired, (QList<int> { 0, 10, 20, 30 }));
}

void tst_EpollDispatcher::testRepeatingTimerKeepsItsPace()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(10);
    int ticks = 0;
    QElapsedTimer clock;
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    clock.start();
    timer.start();
    QTRY_VERIFY(ticks >= 10);
    // Never early: ten ticks of 10 ms take at least 100 ms.
    QVERIFY2(clock.elapsed() >= 100, qPrintable(QString::number(clock.elapsed())));
}

void tst_EpollDispatcher::testTimerStoppedInItsOwnTimeoutDoesNotFireAgain()
{
    QTimer timer;
    timer.setInterval(0);
    int fired = 0;
    connect(&timer, &QTimer::timeout, this, [&] {
        ++fired;
        timer.stop();
    });
    timer.start();
    QTest::qWait(50);
    QCOMPARE(fired, 1);
}

void tst_EpollDispatcher::testRemainingTime()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.start(5000);
    QVERIFY(timer.remainingTime() > 4000 && timer.remainingTime() <= 5000);
    timer.stop();
    QCOMPARE(timer.remainingTime(), -1);
}

// A zero timer that restarts itself (Qt's idle work pattern) still lets sockets through.
void tst_EpollDispatcher::testZeroTimerDoesNotStarveSockets()
{
    int fds[2];
    QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    QSocketNotifier readable(fds[0], QSocketNotifier::Read);
    bool read = false;
    connect(&readable, &QSocketNotifier::activated, this, [&] {
        char c = 0;
        QCOMPARE(::read(fds[0], &c, 1), ssize_t(1));
        read = true;
    });
    QTimer busy;
    busy.setInterval(0);
    int spins = 0;
    connect(&busy, &QTimer::timeout, this, [&] { ++spins; });
    busy.start();
    QCOMPARE(::write(fds[1], "x", 1), ssize_t(1));
    QTRY_VERIFY(read);
    QVERIFY(spins > 0);
    busy.stop();
    readable.setEnabled(false);
    ::close(fds[0]);
    ::close(fds[1]);
}

void tst_EpollDispatcher::testNestedLoopDoesNotReenterTheRunningTimer()
{
    QTimer timer;
    timer.setInterval(1);
    int depth = 0;
    int maxDepth = 0;
    int fired = 0;
    connect(&timer, &QTimer::timeout, this, [&] {
        ++fired;
        maxDepth = std::max(maxDepth, ++depth);
        if (fired == 1) {
            QTest::qWait(30); // a nested loop while this timeout runs
        }
        --depth;
    });
    timer.start();
    QTRY_VERIFY(fired >= 3);
    timer.stop();
    QCOMPARE(maxDepth, 1);
}

void tst_EpollDispatcher::testPostFromAnotherThreadWakesTheLoop()
{
    QEventLoop loop;
    bool arrived = false;
    // No timer of ours is pending: only the wake-up can end the wait.
    std::thread poster([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        QMetaObject::invokeMethod(
            &loop,
            [&] {
                arrived = true;
                loop.quit();
            },
            Qt::QueuedConnection);
    });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit); // only if the wake-up is lost
    QElapsedTimer clock;
    clock.start();
    loop.exec();
    poster.join();
    QVERIFY(arrived);
    QVERIFY(clock.elapsed() < 5000);
}

void tst_EpollDispatcher::testQuitEndsABlockedLoop()
{
    QEventLoop loop;
    std::thread quitter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        loop.quit(); // thread-safe: interrupts the dispatcher
    });
    QTimer::singleShot(10000, &loop, [&] { loop.exit(1); });
    QCOMPARE(loop.exec(), 0);
    quitter.join();
}

void tst_EpollDispatcher::testDeleteLaterRuns()
{
    QPointer<QObject> object = new QObject;
    object->deleteLater();
    QTRY_VERIFY(object.isNull());
}

// One activation disables another descriptor's notifier that is ready in the same wake-up:
// that one must not be activated after it went.
void tst_EpollDispatcher::testNotifierDisabledFromAnotherNotifiersActivation()
{
    int a[2];
    int b[2];
    QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    auto first = std::make_unique<QSocketNotifier>(a[0], QSocketNotifier::Read);
    auto second = std::make_unique<QSocketNotifier>(b[0], QSocketNotifier::Read);
    int activations = 0;
    const auto onEither = [&] {
        ++activations;
        first.reset();
        second.reset(); // whichever comes second is gone
    };
    connect(first.get(), &QSocketNotifier::activated, this, onEither);
    connect(second.get(), &QSocketNotifier::activated, this, onEither);
    QCOMPARE(::write(a[1], "x", 1), ssize_t(1));
    QCOMPARE(::write(b[1], "y", 1), ssize_t(1));
    QTRY_COMPARE(activations, 1);
    QTest::qWait(20);
    QCOMPARE(activations, 1);
    for (const int fd : { a[0], a[1], b[0], b[1] }) {
        ::close(fd);
    }
}

// A connection ends and the next one gets its descriptor number within one turn of the loop
// (the server accepts right after a close): the new socket must be watched.
void tst_EpollDispatcher::testDescriptorNumberReusedInOneTurnIsWatched()
{
    int a[2];
    QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    auto old = std::make_unique<QSocketNotifier>(a[0], QSocketNotifier::Read);
    QCOMPARE(::write(a[1], "x", 1), ssize_t(1));
    int b[2] = { -1, -1 };
    std::unique_ptr<QSocketNotifier> fresh;
    bool freshRead = false;
    connect(old.get(), &QSocketNotifier::activated, this, [&] {
        const int number = a[0];
        old->setEnabled(false); // as Qt's sockets do before they close
        old.release()->deleteLater();
        ::close(a[0]);
        ::close(a[1]);
        QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
        QCOMPARE(b[0], number); // the lowest free number comes back
        fresh = std::make_unique<QSocketNotifier>(b[0], QSocketNotifier::Read);
        connect(fresh.get(), &QSocketNotifier::activated, this, [&] { freshRead = true; });
        QCOMPARE(::write(b[1], "y", 1), ssize_t(1));
    });
    QTRY_VERIFY(freshRead);
    fresh.reset();
    ::close(b[0]);
    ::close(b[1]);
}

void tst_EpollDispatcher::testPeerHangingUpIsReadable()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_VERIFY(server.hasPendingConnections());
    std::unique_ptr<QTcpSocket> accepted(server.nextPendingConnection());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    bool gone = false;
    connect(accepted.get(), &QTcpSocket::disconnected, this, [&] { gone = true; });
    client.abort();
    QTRY_VERIFY(gone);
}

// Many sockets at once, each with reads and writes in flight: every byte comes back.
void tst_EpollDispatcher::testManyConnectionsEchoTheirBytes()
{
    constexpr int Connections = 200;
    constexpr int Bytes = 64 * 1024;
    QTcpServer server;
    server.setListenBacklogSize(Connections); // all at once, no SYN retries
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket* s = server.nextPendingConnection()) {
            s->setParent(&server);
            connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
        }
    });
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    std::vector<QByteArray> received(Connections);
    QByteArray payload(Bytes, Qt::Uninitialized);
    for (int i = 0; i < Bytes; ++i) {
        payload[i] = char(i * 7);
    }
    for (int i = 0; i < Connections; ++i) {
        auto c = std::make_unique<QTcpSocket>();
        QTcpSocket* raw = c.get();
        connect(raw, &QTcpSocket::readyRead, this,
            [&received, raw, i] { received[size_t(i)] += raw->readAll(); });
        connect(raw, &QTcpSocket::connected, this, [raw, &payload] { raw->write(payload); });
        c->connectToHost(QHostAddress::LocalHost, server.serverPort());
        clients.push_back(std::move(c));
    }
    const auto whole = [&] {
        return std::count_if(received.cbegin(), received.cend(),
            [&](const QByteArray& r) { return r.size() == Bytes; });
    };
    QTRY_VERIFY2_WITH_TIMEOUT(whole() == Connections, qPrintable(QString::number(whole())), 30000);
    for (const QByteArray& r : received) {
        QCOMPARE(r, payload);
    }
}

int main(int argc, char** argv)
{
    if (qEnvironmentVariable("CPM_EVENT_DISPATCHER") != QLatin1StringView("qt")) {
        QCoreApplication::setEventDispatcher(new EpollDispatcher);
    }
    QCoreApplication app(argc, argv);
    tst_EpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
