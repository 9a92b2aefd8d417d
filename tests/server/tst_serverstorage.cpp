// SPDX-License-Identifier: GPL-3.0-or-later
// A real cpm-server whose storage fails: a disk that fills up (a tmpfs of its own, so the
// kernel answers ENOSPC), a data directory on a read-only file system, a damaged database
// file, a database another process holds locked. Each gets a typed answer or a clear
// refusal to start, and nothing stored is lost. Also the operator's side: admin exit codes,
// a private data directory, and addresses kept out of the log.

#include "failonwarning.h"
#include "protocol.h"
#include "testserver.h"
#include "writelock.h"
#include "wsclient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm::test;
namespace proto = cpm::protocol;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

//! A new connection, negotiated and signed in as \a device, live after a full sync.
std::unique_ptr<WsClient> connectAs(const QUrl& url, const Device& device)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(url) || !client->hello() || result(client->login(device)).isEmpty()) {
        return nullptr;
    }
    client->syncAll();
    return client;
}

Device registerNew(const QUrl& url, const QString& address, const QString& instance)
{
    WsClient c;
    if (!c.open(url) || !c.hello()) {
        return {};
    }
    const QJsonObject r = result(
        c.registerDevice(address, QStringLiteral("pw-") + address.section(u'@', 0, 0), instance));
    return { address, {}, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
}

//! Runs `cpm-server ARGS` and answers its exit code (stderr in \a err).
int admin(const QStringList& args, QByteArray* err = nullptr)
{
    QProcess p;
    p.start(TestServer::binary(), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (err) {
        *err = p.readAllStandardError();
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}
} // namespace

class tst_ServerStorage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testFullDiskRefusesWritesKeepsReadsAndRecovers();
    void testReadOnlyDataDirectoryRefusesToStart();
    void testDamagedStoreRefusesToStartAndSaysWhatToDo();
    void testBusyStoreAtSignInIsUnavailableAndNotCounted();
    void testAdminExitCodes_data();
    void testAdminExitCodes();
    void testDataDirectoryIsPrivate();
};

void tst_ServerStorage::testFullDiskRefusesWritesKeepsReadsAndRecovers()
{
    TestServer server;
    QVERIFY2(server.startOnOwnDisk(8 * 1024 * 1024), server.log().constData());
    QVERIFY(server.addUser(Alice, QStringLiteral("pw-alice")));
    QVERIFY(server.addUser(Bob, QStringLiteral("pw-bob")));
    const Device alice = registerNew(server.url(), Alice, QStringLiteral("alice-1"));
    const Device bob = registerNew(server.url(), Bob, QStringLiteral("bob-1"));
    QVERIFY(alice.id > 0 && bob.id > 0);
    auto sender = connectAs(server.url(), alice);
    QVERIFY(sender);
    const qint64 before
        = result(sender->send(QStringLiteral("full-0"), Bob, QStringLiteral("stored before")))
              .value(QLatin1StringView("messageId"))
              .toInteger();
    QVERIFY(before > 0);

    // Fill the server's disk (the test reaches it through the server's /proc/PID/root).
    QFile filler(QDir(server.dataDir()).filePath(QStringLiteral("../filler")));
    QVERIFY2(filler.open(QIODevice::WriteOnly), qPrintable(filler.fileName()));
    const QByteArray chunk(64 * 1024, 'f');
    while (filler.write(chunk) == chunk.size() && filler.flush()) { }
    filler.close();

    // A write now fails for lack of room. Whether the first one is refused at once or its
    // batch's commit fails (then its connection is closed with 4003 and nothing of it was
    // answered), what follows is the same: writes answer `storage_full`, reads work.
    bool refused = false;
    for (int i = 1; i <= 50 && !refused && sender; ++i) {
        const QJsonObject r
            = sender->send(QStringLiteral("full-%1").arg(i), Bob, QString(4000, QLatin1Char('x')));
        if (code(r) == codeName(ErrorCode::StorageFull)) {
            refused = true;
        } else if (r.isEmpty()) {
            QVERIFY(sender->waitClosed());
            QCOMPARE(sender->closeCode(), proto::close::ServerShutdown);
            sender = connectAs(server.url(), alice);
        } else {
            QVERIFY_OK(r);
        }
    }
    QVERIFY2(refused, "no write was refused with storage_full on a full disk");
    sender = connectAs(server.url(), alice); // signing in works on a full disk
    QVERIFY(sender);
    QCOMPARE(code(sender->send(QStringLiteral("full-x"), Bob, QStringLiteral("refused"))),
        codeName(ErrorCode::StorageFull));
    QCOMPARE(code(sender->request(QStringLiteral("prefs.set"),
                 { { QStringLiteral("key"), QStringLiteral("k") },
                     { QStringLiteral("value"), QStringLiteral("v") } })),
        codeName(ErrorCode::StorageFull));
    // Reads: the recipient's sync brings what was stored before.
    auto reader = connectAs(server.url(), bob);
    QVERIFY(reader);
    const QJsonObject fetched = result(
        reader->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), before } }));
    QCOMPARE(fetched.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("body"))
                 .toString(),
        QStringLiteral("stored before"));

    // Room again: within the server's next tick, writes are taken again.
    QVERIFY(filler.remove());
    QTRY_VERIFY_WITH_TIMEOUT(
        result(sender->send(QStringLiteral("full-after"), Bob, QStringLiteral("room again")))
                .value(QLatin1StringView("messageId"))
                .toInteger()
            > 0,
        10000);
    // The connection that was refused stayed usable throughout.
    QVERIFY_OK(sender->request(QStringLiteral("ping")));
    server.stop();
}

void tst_ServerStorage::testReadOnlyDataDirectoryRefusesToStart()
{
    TestServer server;
    QVERIFY(!server.startOnOwnDisk(4 * 1024 * 1024, true));
    QTRY_VERIFY(server.exitCode() >= 0);
    QCOMPARE(server.exitCode(), 1);
    const QString log = QString::fromUtf8(server.log());
    QVERIFY2(log.contains(QLatin1StringView("cannot write to the data directory"))
            && log.contains(QLatin1StringView("read-only")),
        qPrintable(log));
}

void tst_ServerStorage::testDamagedStoreRefusesToStartAndSaysWhatToDo()
{
    TestServer server;
    QVERIFY(server.start());
    QVERIFY(server.addUser(Alice, QStringLiteral("pw-alice")));
    QVERIFY(server.addUser(Bob, QStringLiteral("pw-bob")));
    const Device alice = registerNew(server.url(), Alice, QStringLiteral("alice-1"));
    auto sender = connectAs(server.url(), alice);
    QVERIFY(sender);
    for (int i = 0; i < 100; ++i) {
        QVERIFY_OK(
            sender->send(QStringLiteral("d-%1").arg(i), Bob, QString(500, QLatin1Char('d'))));
    }
    sender.reset();
    server.stop();

    const QString path = QDir(server.dataDir()).filePath(QStringLiteral("cpm.sqlite"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.size() > 10 * 4096);
    file.seek(8 * 4096);
    file.write(QByteArray(4096, '\x5a'));
    file.close();

    QVERIFY(!server.start());
    QCOMPARE(server.exitCode(), 1);
    const QString log = QString::fromUtf8(server.log());
    QVERIFY2(log.contains(path) && log.contains(QLatin1StringView("damaged"))
            && log.contains(QLatin1StringView(".recover")),
        qPrintable(log));
    // The admin commands refuse it the same way.
    QByteArray err;
    QCOMPARE(admin({ QStringLiteral("--data"), server.dataDir(), QStringLiteral("user"),
                       QStringLiteral("list") },
                 &err),
        1);
    QVERIFY2(err.contains("damaged"), err.constData());
}

void tst_ServerStorage::testBusyStoreAtSignInIsUnavailableAndNotCounted()
{
    TestServer server;
    QVERIFY(server.start());
    QVERIFY(server.addUser(Alice, QStringLiteral("pw-alice")));
    // One failure would throttle the address: a busy store must not count as one.
    QVERIFY(server.setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("1")));
    WsClient c;
    QVERIFY(c.open(server.url()));
    QVERIFY(c.hello());

    // Another process (an operator's long transaction) holds the write lock.
    WriteLock lock(server.dataDir());
    QVERIFY(lock.isHeld());
    const QJsonObject busy
        = c.registerDevice(Alice, QStringLiteral("pw-alice"), QStringLiteral("alice-1"));
    lock.release();
    QCOMPARE(code(busy), codeName(ErrorCode::Unavailable));
    QVERIFY(busy.value(QLatin1StringView("error"))
                .toObject()
                .value(QLatin1StringView("retryAfter"))
                .toInt()
        > 0);

    // Not counted: the next attempt is checked, and the right password signs in.
    QVERIFY_OK(c.registerDevice(Alice, QStringLiteral("pw-alice"), QStringLiteral("alice-1")));
    // Addresses are not in the log unless debug logging is asked for.
    QVERIFY2(!server.log().contains("@cpm.example"), server.log().constData());
}

void tst_ServerStorage::testAdminExitCodes_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("list") << QStringList { QStringLiteral("user"), QStringLiteral("list") } << 0;
    QTest::newRow("negative-number") << QStringList { QStringLiteral("settings"),
        QStringLiteral("set"), QStringLiteral("quota.dailyMessages"), QStringLiteral("-5") }
                                     << 2;
    // Seconds become milliseconds in the server: a year is the most a window may be.
    QTest::newRow("over-the-maximum")
        << QStringList { QStringLiteral("settings"), QStringLiteral("set"),
               QStringLiteral("login.windowSeconds"), QStringLiteral("9223372036854775807") }
        << 2;
    QTest::newRow("at-the-maximum") << QStringList { QStringLiteral("settings"),
        QStringLiteral("set"), QStringLiteral("login.windowSeconds"), QStringLiteral("31622400") }
                                    << 0;
    QTest::newRow("not-a-number") << QStringList { QStringLiteral("settings"),
        QStringLiteral("set"), QStringLiteral("quota.dailyMessages"), QStringLiteral("many") }
                                  << 2;
    QTest::newRow("unknown-setting") << QStringList { QStringLiteral("settings"),
        QStringLiteral("set"), QStringLiteral("quota.nope"), QStringLiteral("1") }
                                     << 2;
    QTest::newRow("unknown-command") << QStringList { QStringLiteral("frobnicate") } << 2;
    QTest::newRow("unknown-option") << QStringList { QStringLiteral("--frob") } << 2;
    QTest::newRow("no-such-user") << QStringList { QStringLiteral("user"),
        QStringLiteral("disable"), QStringLiteral("nobody@cpm.example") }
                                  << 1;
}

void tst_ServerStorage::testAdminExitCodes()
{
    QFETCH(QStringList, command);
    QFETCH(int, exitCode);
    QTemporaryDir dir;
    QByteArray err;
    QCOMPARE(admin(QStringList { QStringLiteral("--data"), dir.filePath(QStringLiteral("data")) }
                     + command,
                 &err),
        exitCode);
    if (exitCode != 0) {
        QVERIFY2(err.contains("cpm-server: "), err.constData());
    }
}

void tst_ServerStorage::testDataDirectoryIsPrivate()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("var/lib/cpm"));
    QCOMPARE(admin({ QStringLiteral("--data"), data, QStringLiteral("settings"),
                 QStringLiteral("list") }),
        0);
    QCOMPARE(QFile::permissions(data)
            & (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther
                | QFile::WriteOther | QFile::ExeOther),
        QFile::Permissions());
}

QTEST_GUILESS_MAIN(tst_ServerStorage)
#include "tst_serverstorage.moc"
