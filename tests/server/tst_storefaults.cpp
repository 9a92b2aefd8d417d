// SPDX-License-Identifier: GPL-3.0-or-later
// The server in this process, over a SQLite store made to fail on purpose where a real
// disk or lock cannot be timed: a group commit lost (its transaction rolled back under it,
// as an I/O error would), a read that fails at sign-in. What a lost batch said must not
// leave (no answer, no event, no sign-out close that would make a device wipe itself while
// the server still has it signed in), and a store's failure is never the user's.

#include "credentials.h"
#include "failonwarning.h"
#include "must.h"
#include "protocol.h"
#include "server.h"
#include "sqlitestore.h"
#include "wsclient.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;
using namespace cpm::server;
using namespace cpm::test;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

//! A store whose next commit, or next reads of a user, fail.
class FaultyStore final : public SqliteStore {
public:
    void failNextCommit() { m_failNext = true; }
    void failUserReads(int count) { m_failReads = count; }

    Result<std::optional<UserRecord>> userByAddress(const QString& address) override
    {
        if (m_failReads > 0) {
            --m_failReads;
            return makeError(ErrorCode::StoreBusy, QStringLiteral("database is locked"));
        }
        return SqliteStore::userByAddress(address);
    }

    Result<void> commit() override
    {
        if (std::exchange(m_failNext, false)) {
            Query rollback(database(), "ROLLBACK");
            [[maybe_unused]] const Result<void> done = rollback.exec();
        }
        return SqliteStore::commit();
    }

private:
    bool m_failNext = false;
    int m_failReads = 0;
};
//! The log lines a lost commit writes: the failed COMMIT, and what it means.
void expectLostCommit()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot commit")));
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("group commit failed")));
}
} // namespace

class tst_StoreFaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void testAnswersOfALostBatchNeverLeave();
    void testASignOutNotStoredIsNotAnnounced();
    void testAStoreThatCannotReadAtSignInIsNotAWrongPassword();

private:
    Device signUp(const QString& address, const QString& instance);
    std::unique_ptr<WsClient> connectAs(const Device& device);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Server> m_server;
    FaultyStore* m_store = nullptr;
};

void tst_StoreFaults::init()
{
    failOnWarnings();
    QVERIFY(credentials::init());
    m_dir = std::make_unique<QTemporaryDir>();
    auto store = std::make_unique<FaultyStore>();
    QVERIFY(must(store->open(m_dir->filePath(QStringLiteral("data")), SqliteStore::Mode::Serving)));
    for (const QString& address : { Alice, Bob }) {
        must(store->createUser(address,
            credentials::hashPassword(QStringLiteral("pw-%1").arg(address).toUtf8()),
            QDateTime::currentMSecsSinceEpoch()));
    }
    m_store = store.get();
    m_server = std::make_unique<Server>();
    m_server->open(std::move(store));
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
}

void tst_StoreFaults::cleanup()
{
    m_server.reset();
    m_store = nullptr;
    m_dir.reset();
}

Device tst_StoreFaults::signUp(const QString& address, const QString& instance)
{
    WsClient c;
    if (!c.open(m_server->url()) || !c.hello()) {
        return {};
    }
    const QJsonObject r
        = result(c.registerDevice(address, QStringLiteral("pw-%1").arg(address), instance));
    return { address, {}, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
}

std::unique_ptr<WsClient> tst_StoreFaults::connectAs(const Device& device)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(m_server->url()) || !client->hello()
        || result(client->login(device)).isEmpty()) {
        return nullptr;
    }
    client->syncAll();
    return client;
}

void tst_StoreFaults::testAnswersOfALostBatchNeverLeave()
{
    const Device alice = signUp(Alice, QStringLiteral("alice-1"));
    const Device bob = signUp(Bob, QStringLiteral("bob-1"));
    QVERIFY(alice.id > 0 && bob.id > 0);
    auto sender = connectAs(alice);
    auto recipient = connectAs(bob);
    QVERIFY(sender && recipient);

    m_store->failNextCommit();
    expectLostCommit();
    const QJsonObject lost = sender->send(QStringLiteral("c-1"), Bob, QStringLiteral("lost?"));
    QVERIFY2(lost.isEmpty(), qPrintable(describe(lost))); // no answer for what is not stored
    QVERIFY(sender->waitClosed());
    QCOMPARE(sender->closeCode(), protocol::close::ServerShutdown);
    QVERIFY(recipient->waitClosed()); // its user was in the batch: it starts afresh too
    QVERIFY(!recipient->hasEvent(QStringLiteral("message")));

    // The client resends under the same clientId: stored once, now.
    sender = connectAs(alice);
    QVERIFY(sender);
    const QJsonObject stored
        = result(sender->send(QStringLiteral("c-1"), Bob, QStringLiteral("lost?")));
    QVERIFY(stored.value(QLatin1StringView("messageId")).toInteger() > 0);
    QCOMPARE(stored.value(QLatin1StringView("duplicate")).toBool(), false);
}

void tst_StoreFaults::testASignOutNotStoredIsNotAnnounced()
{
    const Device laptop = signUp(Alice, QStringLiteral("laptop"));
    const Device phone = signUp(Alice, QStringLiteral("phone"));
    QVERIFY(laptop.id > 0 && phone.id > 0);
    auto fromLaptop = connectAs(laptop);
    auto onPhone = connectAs(phone);
    QVERIFY(fromLaptop && onPhone);

    m_store->failNextCommit();
    expectLostCommit();
    const QJsonObject lost = fromLaptop->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), phone.id } });
    QVERIFY2(lost.isEmpty(), qPrintable(describe(lost)));
    // 4001 would make the phone wipe itself; the server still has it signed in.
    QVERIFY(onPhone->waitClosed());
    QCOMPARE(onPhone->closeCode(), protocol::close::ServerShutdown);
    QVERIFY(!onPhone->hasEvent(QStringLiteral("signedOut")));

    // And so it is: the phone signs in again with its token.
    onPhone = connectAs(phone);
    QVERIFY(onPhone);
    const QJsonObject whoami = result(onPhone->request(QStringLiteral("whoami")));
    QCOMPARE(whoami.value(QLatin1StringView("deviceId")).toInteger(), phone.id);
}

void tst_StoreFaults::testAStoreThatCannotReadAtSignInIsNotAWrongPassword()
{
    // One failure would throttle the address.
    QVERIFY(must(m_store->setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("1"))));
    WsClient c;
    QVERIFY(c.open(m_server->url()));
    QVERIFY(c.hello());
    m_store->failUserReads(1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("database is locked")));
    const QJsonObject busy
        = c.registerDevice(Alice, QStringLiteral("pw-%1").arg(Alice), QStringLiteral("i-1"));
    QCOMPARE(code(busy), codeName(ErrorCode::Unavailable));
    // Not counted as a failed sign-in: the next one is checked, and succeeds.
    QVERIFY_OK(c.registerDevice(Alice, QStringLiteral("pw-%1").arg(Alice), QStringLiteral("i-1")));
}

QTEST_GUILESS_MAIN(tst_StoreFaults)
#include "tst_storefaults.moc"
