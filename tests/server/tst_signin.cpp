// SPDX-License-Identifier: GPL-3.0-or-later
// Sign-in budgets against a real cpm-server, each test on a fresh one so the counts start
// at zero: wrong passwords are counted per address and per network source, an attempt
// still being checked counts at once (a burst is checked no more often than the limit),
// token guesses count for their source only (nobody is locked out by guesses at their
// tokens), and a full queue of password checks is answered at once.

#include "failonwarning.h"
#include "protocol.h"
#include "testserver.h"
#include "wsclient.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace cpm::test;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Password = QStringLiteral("pw-alice");

int retryAfter(const QJsonObject& response)
{
    return response.value(QLatin1StringView("error"))
        .toObject()
        .value(QLatin1StringView("retryAfter"))
        .toInt();
}

QString message(const QJsonObject& response)
{
    return response.value(QLatin1StringView("error"))
        .toObject()
        .value(QLatin1StringView("message"))
        .toString();
}

std::unique_ptr<WsClient> negotiated(const QUrl& url)
{
    auto c = std::make_unique<WsClient>();
    if (!c->open(url) || !c->hello()) {
        return nullptr;
    }
    return c;
}

QJsonObject registerArgs(const QString& address, const QString& password, const QString& instance)
{
    return { { QStringLiteral("address"), address }, { QStringLiteral("password"), password },
        { QStringLiteral("device"),
            QJsonObject { { QStringLiteral("instanceId"), instance },
                { QStringLiteral("name"), instance },
                { QStringLiteral("kind"), QStringLiteral("laptop") },
                { QStringLiteral("capabilities"), QJsonArray { QStringLiteral("text") } } } } };
}
} // namespace

class tst_SignIn : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void testWrongPasswordsThrottleTheAddressNotItsTokens();
    void testABurstIsCheckedNoMoreOftenThanTheLimit();
    void testTokenGuessesCountForTheirSourceOnly();
    void testAFullQueueOfChecksIsAnsweredAtOnce();

private:
    Device registerDevice(const QString& instance);
    //! Sends one `register` with each of \a attempts, each on its own connection, all at
    //! once; answers the responses in the same order (an empty object: never answered).
    QList<QJsonObject> registerAtOnce(const QList<QJsonObject>& attempts);

    std::unique_ptr<TestServer> m_server;
};

void tst_SignIn::init()
{
    failOnWarnings();
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
    QVERIFY(m_server->addUser(Alice, Password));
}

void tst_SignIn::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server->dumpLog();
    }
    m_server.reset();
}

Device tst_SignIn::registerDevice(const QString& instance)
{
    auto c = negotiated(m_server->url());
    if (!c) {
        return {};
    }
    const QJsonObject r = result(c->registerDevice(Alice, Password, instance));
    return { Alice, {}, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
}

QList<QJsonObject> tst_SignIn::registerAtOnce(const QList<QJsonObject>& attempts)
{
    std::vector<std::unique_ptr<WsClient>> clients;
    for (qsizetype i = 0; i < attempts.size(); ++i) {
        clients.push_back(negotiated(m_server->url()));
        if (!clients.back()) {
            return {};
        }
    }
    QList<qint64> ids;
    for (qsizetype i = 0; i < attempts.size(); ++i) {
        ids.append(clients[i]->post(QStringLiteral("register"), attempts.at(i)));
    }
    QList<QJsonObject> responses;
    for (qsizetype i = 0; i < attempts.size(); ++i) {
        responses.append(clients[i]->response(ids.at(i)));
    }
    return responses;
}

void tst_SignIn::testWrongPasswordsThrottleTheAddressNotItsTokens()
{
    const Device laptop = registerDevice(QStringLiteral("laptop"));
    QVERIFY(laptop.id > 0);
    QVERIFY(m_server->setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("3")));
    auto guesser = negotiated(m_server->url());
    QVERIFY(guesser);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(code(guesser->registerDevice(Alice, QStringLiteral("wrong"), QStringLiteral("x"))),
            codeName(cpm::ErrorCode::AuthFailed));
    }
    const QJsonObject throttled
        = guesser->registerDevice(Alice, QStringLiteral("wrong"), QStringLiteral("x"));
    QCOMPARE(code(throttled), codeName(cpm::ErrorCode::Throttled));
    QVERIFY2(
        retryAfter(throttled) > 0 && retryAfter(throttled) <= 300, qPrintable(describe(throttled)));
    QVERIFY2(message(throttled).contains(QLatin1StringView("this address")),
        qPrintable(message(throttled)));
    // The right password does not help while throttled.
    QCOMPARE(code(guesser->registerDevice(Alice, Password, QStringLiteral("x"))),
        codeName(cpm::ErrorCode::Throttled));
    // The owner's devices sign in with their tokens throughout.
    auto owner = negotiated(m_server->url());
    QVERIFY(owner);
    QVERIFY_OK(owner->login(laptop));
}

void tst_SignIn::testABurstIsCheckedNoMoreOftenThanTheLimit()
{
    // 29 wrong passwords and then the right one, all at once on 30 connections.
    constexpr int Attempts = 30;
    QList<QJsonObject> attempts;
    for (int i = 0; i < Attempts; ++i) {
        const bool last = i == Attempts - 1;
        attempts.append(registerArgs(Alice, last ? Password : QStringLiteral("wrong-%1").arg(i),
            QStringLiteral("burst-%1").arg(i)));
    }
    const QList<QJsonObject> responses = registerAtOnce(attempts);
    QCOMPARE(responses.size(), Attempts);
    int checkedAndWrong = 0;
    int throttled = 0;
    QJsonObject rightOne;
    for (int i = 0; i < Attempts; ++i) {
        const QJsonObject& r = responses.at(i);
        QVERIFY2(!r.isEmpty(), qPrintable(QStringLiteral("attempt %1 was never answered").arg(i)));
        if (code(r) == codeName(cpm::ErrorCode::AuthFailed)) {
            ++checkedAndWrong;
        } else if (code(r) == codeName(cpm::ErrorCode::Throttled)) {
            ++throttled;
        }
        if (i == Attempts - 1) {
            rightOne = r;
        }
    }
    // The default budget is 5: no more passwords than that were checked.
    QVERIFY2(
        checkedAndWrong >= 1 && checkedAndWrong <= 5, qPrintable(QString::number(checkedAndWrong)));
    QCOMPARE(checkedAndWrong + throttled, Attempts); // the right one among the throttled
    // The right password came in the burst, after the budget was spent: refused.
    QCOMPARE(code(rightOne), codeName(cpm::ErrorCode::Throttled));
}

void tst_SignIn::testTokenGuessesCountForTheirSourceOnly()
{
    const Device laptop = registerDevice(QStringLiteral("laptop"));
    QVERIFY(laptop.id > 0);
    QVERIFY(m_server->setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("3")));
    QVERIFY(
        m_server->setSetting(QStringLiteral("login.maxFailuresPerSource"), QStringLiteral("5")));
    auto guesser = negotiated(m_server->url());
    QVERIFY(guesser);
    Device forged = laptop;
    forged.token = QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(code(guesser->login(forged)), codeName(cpm::ErrorCode::AuthFailed));
    }
    // This network has used its budget: it is refused, whatever it tries.
    const QJsonObject throttled = guesser->login(forged);
    QCOMPARE(code(throttled), codeName(cpm::ErrorCode::Throttled));
    QVERIFY2(message(throttled).contains(QLatin1StringView("your network")),
        qPrintable(message(throttled)));

    // Anywhere else (here: the same machine with the per-source budget lifted) the guesses
    // left nothing on Alice's address: her token and her password both work at once,
    // although five failures passed the address's limit of three.
    QVERIFY(
        m_server->setSetting(QStringLiteral("login.maxFailuresPerSource"), QStringLiteral("0")));
    auto owner = negotiated(m_server->url());
    QVERIFY(owner);
    QVERIFY_OK(owner->login(laptop));
    auto newDevice = negotiated(m_server->url());
    QVERIFY(newDevice);
    QVERIFY_OK(newDevice->registerDevice(Alice, Password, QStringLiteral("phone")));
}

void tst_SignIn::testAFullQueueOfChecksIsAnsweredAtOnce()
{
    // Checks at the real Argon2id cost: at the minimum the suite's servers otherwise use
    // (CPM_TEST_FAST_PASSWORD_HASH, set by ctest) a check takes microseconds and the queue
    // may drain as fast as the storm arrives.
    m_server = std::make_unique<TestServer>();
    m_server->removeEnvironment(QStringLiteral("CPM_TEST_FAST_PASSWORD_HASH"));
    QVERIFY(m_server->start());
    QVERIFY(m_server->addUser(Alice, Password));
    // Budgets out of the way: only the queue of password checks limits this storm.
    QVERIFY(m_server->setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("0")));
    QVERIFY(
        m_server->setSetting(QStringLiteral("login.maxFailuresPerSource"), QStringLiteral("0")));
    constexpr int Attempts = 40;
    QList<QJsonObject> attempts;
    for (int i = 0; i < Attempts; ++i) {
        attempts.append(registerArgs(QStringLiteral("nobody-%1@cpm.example").arg(i),
            QStringLiteral("guess"), QStringLiteral("storm-%1").arg(i)));
    }
    const QList<QJsonObject> responses = registerAtOnce(attempts);
    QCOMPARE(responses.size(), Attempts);
    int busy = 0;
    for (int i = 0; i < Attempts; ++i) {
        const QJsonObject& r = responses.at(i);
        QVERIFY2(!r.isEmpty(), qPrintable(QStringLiteral("attempt %1 was never answered").arg(i)));
        if (code(r) == codeName(cpm::ErrorCode::Throttled)) {
            QCOMPARE(retryAfter(r), 1);
            QVERIFY2(
                message(r).contains(QLatin1StringView("being checked")), qPrintable(message(r)));
            ++busy;
        } else {
            QCOMPARE(code(r), codeName(cpm::ErrorCode::AuthFailed));
        }
    }
    // At most 16 checks wait or run at a time, each takes tens of milliseconds, and the
    // forty arrive within a few: most were told to come back at once.
    QVERIFY2(busy >= Attempts - 24, qPrintable(QString::number(busy)));
    // The queue drains: a real sign-in goes through afterwards.
    auto owner = negotiated(m_server->url());
    QVERIFY(owner);
    QVERIFY_OK(owner->registerDevice(Alice, Password, QStringLiteral("laptop")));
}

QTEST_GUILESS_MAIN(tst_SignIn)
#include "tst_signin.moc"
