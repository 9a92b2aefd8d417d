// SPDX-License-Identifier: GPL-3.0-or-later
// Guest devices on the server (GST-1, GST-4, GST-5): a real cpm-server, bare protocol
// clients. Who may sign in as a guest, what a guest may not do, and that a guest device
// ends — at sign-out, from another device, at the end of its lifetime, when idle — with
// its token refused, its connection closed within a second and the device forgotten.

#include "testserver.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QTest>

#include <memory>

using namespace cpm;
using namespace cpm::test;

namespace {
const QString Bob = QStringLiteral("bob@cpm.example");
const QString Password = QStringLiteral("pw-bob");
} // namespace

class tst_Guest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.stop(); }

    void testGuestSignInIsMarkedAndBounded();
    void testOperatorOrUserPreferenceRefusesGuests();
    void testAGuestCannotDoWhatOnlyOwnDevicesMay();
    void testSignOutForgetsTheGuestWithinASecond();
    void testSignOutFromAnotherDeviceEndsTheGuest();
    void testLifetimeAndIdleExpiryEndTheGuest();

private:
    //! A connection signed in as a guest of Bob's, or the error answer in \a refusal.
    std::unique_ptr<WsClient> guest(
        const QString& instance, Device* device = nullptr, QJsonObject* refusal = nullptr);
    std::unique_ptr<WsClient> connectAs(const Device& device);
    //! The ids in Bob's device list as his laptop sees it.
    QList<qint64> bobsDevices();
    //! Waits until \a client was closed with 4001, at most \a ms; the time it took.
    qint64 closedWithin(WsClient& client, int ms);

    test::TestServer m_server;
    Device m_laptop;
    std::unique_ptr<WsClient> m_laptopConnection;
};

void tst_Guest::initTestCase()
{
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Bob, Password));
    auto client = std::make_unique<WsClient>();
    QVERIFY(client->open(m_server.url()) && client->hello());
    const QJsonObject r = result(client->registerDevice(Bob, Password, QStringLiteral("laptop")));
    m_laptop = { Bob, Password, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
    QVERIFY(m_laptop.id > 0);
    client->syncAll();
    m_laptopConnection = std::move(client);
}

std::unique_ptr<WsClient> tst_Guest::guest(
    const QString& instance, Device* device, QJsonObject* refusal)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(m_server.url()) || !client->hello()) {
        return nullptr;
    }
    const QJsonObject answer = client->request(QStringLiteral("register"),
        { { QStringLiteral("address"), Bob }, { QStringLiteral("password"), Password },
            { QStringLiteral("guest"), true },
            { QStringLiteral("device"),
                QJsonObject { { QStringLiteral("instanceId"), instance },
                    { QStringLiteral("name"), QStringLiteral("Alice's desktop (guest)") },
                    { QStringLiteral("kind"), QStringLiteral("desktop") } } } });
    if (refusal) {
        *refusal = answer;
    }
    const QJsonObject r = result(answer);
    if (r.isEmpty()) {
        return nullptr;
    }
    if (device) {
        *device = { Bob, Password, r.value(QLatin1StringView("deviceId")).toInteger(),
            r.value(QLatin1StringView("token")).toString() };
    }
    client->syncAll();
    return client;
}

std::unique_ptr<WsClient> tst_Guest::connectAs(const Device& device)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(m_server.url()) || !client->hello()) {
        return nullptr;
    }
    const QJsonObject r = client->login(device);
    return result(r).isEmpty() ? nullptr : std::move(client);
}

QList<qint64> tst_Guest::bobsDevices()
{
    QList<qint64> ids;
    const QJsonArray list = result(m_laptopConnection->request(QStringLiteral("devices.list")))
                                .value(QLatin1StringView("devices"))
                                .toArray();
    for (const QJsonValue& d : list) {
        ids.append(d.toObject().value(QLatin1StringView("id")).toInteger());
    }
    return ids;
}

qint64 tst_Guest::closedWithin(WsClient& client, int ms)
{
    QElapsedTimer t;
    t.start();
    if (!QTest::qWaitFor([&] { return client.isClosed(); }, ms)) {
        return -1;
    }
    return client.closeCode() == 4001 ? t.elapsed() : -2;
}

void tst_Guest::testGuestSignInIsMarkedAndBounded()
{
    Device d;
    auto g = guest(QStringLiteral("marked"), &d);
    QVERIFY(g);
    const QJsonObject me = result(g->request(QStringLiteral("whoami")));
    const QJsonObject device = me.value(QLatin1StringView("device")).toObject();
    QCOMPARE(device.value(QLatin1StringView("guest")).toBool(), true);
    // Twelve hours by default, counted from now.
    const qint64 expires = device.value(QLatin1StringView("expires")).toInteger();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(expires > now + 11 * 3600 * 1000 && expires <= now + 12 * 3600 * 1000,
        qPrintable(QString::number(expires - now)));
    // Bob's own devices see it marked as a guest.
    const QJsonObject event = m_laptopConnection->eventWith(
        QStringLiteral("device"), QLatin1StringView("removed"), false);
    QCOMPARE(event.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("device"))
                 .toObject()
                 .value(QLatin1StringView("guest"))
                 .toBool(),
        true);
    QVERIFY_OK(
        g->request(QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), d.id } }));
}

void tst_Guest::testOperatorOrUserPreferenceRefusesGuests()
{
    QJsonObject refusal;
    QVERIFY(m_server.setSetting(QStringLiteral("guest.enabled"), QStringLiteral("0")));
    QVERIFY(!guest(QStringLiteral("refused-1"), nullptr, &refusal));
    QCOMPARE(code(refusal), QStringLiteral("guest_disabled"));
    QVERIFY(m_server.setSetting(QStringLiteral("guest.enabled"), QStringLiteral("1")));

    QVERIFY_OK(m_laptopConnection->request(QStringLiteral("prefs.set"),
        { { QStringLiteral("key"), QStringLiteral("guestSignIn") },
            { QStringLiteral("value"), QStringLiteral("deny") } }));
    QVERIFY(!guest(QStringLiteral("refused-2"), nullptr, &refusal));
    QCOMPARE(code(refusal), QStringLiteral("guest_not_allowed"));
    // Only allow and deny are values of it.
    QCOMPARE(code(m_laptopConnection->request(QStringLiteral("prefs.set"),
                 { { QStringLiteral("key"), QStringLiteral("guestSignIn") },
                     { QStringLiteral("value"), QStringLiteral("maybe") } })),
        QStringLiteral("bad_request"));
    QVERIFY_OK(m_laptopConnection->request(QStringLiteral("prefs.set"),
        { { QStringLiteral("key"), QStringLiteral("guestSignIn") },
            { QStringLiteral("value"), QStringLiteral("allow") } }));
    // A wrong password is refused as ever, whatever the settings: they are not told to it.
    auto client = std::make_unique<WsClient>();
    QVERIFY(client->open(m_server.url()) && client->hello());
    QCOMPARE(code(client->registerDevice(Bob, QStringLiteral("wrong"), QStringLiteral("x"))),
        QStringLiteral("auth_failed"));
    // Nothing of the refused ones was registered.
    QCOMPARE(bobsDevices(), QList<qint64> { m_laptop.id });
}

void tst_Guest::testAGuestCannotDoWhatOnlyOwnDevicesMay()
{
    Device d;
    auto g = guest(QStringLiteral("limited"), &d);
    QVERIFY(g);
    // Sign out Bob's laptop: no.
    QCOMPARE(code(g->request(QStringLiteral("devices.signOut"),
                 { { QStringLiteral("deviceId"), m_laptop.id } })),
        QStringLiteral("forbidden"));
    // Change who may sign in as a guest: no.
    QCOMPARE(code(g->request(QStringLiteral("prefs.set"),
                 { { QStringLiteral("key"), QStringLiteral("guestSignIn") },
                     { QStringLiteral("value"), QStringLiteral("allow") } })),
        QStringLiteral("forbidden"));
    // (Protocol v1 has no password change; docs/protocol.md says a guest will be refused it.)
    // Everything else works: a preference of the user, a message.
    QVERIFY_OK(g->request(QStringLiteral("prefs.set"),
        { { QStringLiteral("key"), QStringLiteral("theme") },
            { QStringLiteral("value"), QStringLiteral("dark") } }));
    QVERIFY(bobsDevices().contains(m_laptop.id));
    QVERIFY_OK(
        g->request(QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), d.id } }));
    QVERIFY(closedWithin(*g, 1000) >= 0);
}

void tst_Guest::testSignOutForgetsTheGuestWithinASecond()
{
    Device d;
    auto g = guest(QStringLiteral("self"), &d);
    QVERIFY(g);
    QVERIFY(bobsDevices().contains(d.id));
    g->request(QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), d.id } });
    const qint64 ms = closedWithin(*g, 1000);
    QVERIFY2(ms >= 0, qPrintable(QString::number(ms)));
    // Forgotten: gone from the list (a `removed` event told the laptop), the token refused.
    // The earlier tests' guests were removed too: look for this one's event among theirs.
    const auto removedId = [this] {
        return m_laptopConnection
            ->eventWith(QStringLiteral("device"), QLatin1StringView("removed"), true)
            .value(QLatin1StringView("data"))
            .toObject()
            .value(QLatin1StringView("device"))
            .toObject()
            .value(QLatin1StringView("id"))
            .toInteger();
    };
    qint64 removed = removedId();
    while (removed != 0 && removed != d.id) {
        removed = removedId();
    }
    QCOMPARE(removed, d.id);
    QVERIFY(!bobsDevices().contains(d.id));
    auto again = std::make_unique<WsClient>();
    QVERIFY(again->open(m_server.url()) && again->hello());
    QCOMPARE(code(again->login(d)), QStringLiteral("auth_failed"));
}

void tst_Guest::testSignOutFromAnotherDeviceEndsTheGuest()
{
    Device d;
    auto g = guest(QStringLiteral("remote"), &d);
    QVERIFY(g);
    QVERIFY_OK(m_laptopConnection->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), d.id } }));
    const qint64 ms = closedWithin(*g, 1000);
    QVERIFY2(ms >= 0, qPrintable(QString::number(ms)));
    QVERIFY(g->hasEvent(QStringLiteral("signedOut")));
    QVERIFY(!bobsDevices().contains(d.id));
    QVERIFY(!connectAs(d));
}

void tst_Guest::testLifetimeAndIdleExpiryEndTheGuest()
{
    // Lifetime: two seconds; the server checks once a second, so it ends within three.
    QVERIFY(m_server.setSetting(QStringLiteral("guest.lifetimeSeconds"), QStringLiteral("2")));
    Device d;
    auto g = guest(QStringLiteral("short"), &d);
    QVERIFY(g);
    QVERIFY(closedWithin(*g, 3500) >= 0);
    QVERIFY(!bobsDevices().contains(d.id));
    QVERIFY(!connectAs(d));
    QVERIFY(m_server.setSetting(QStringLiteral("guest.lifetimeSeconds"), QStringLiteral("43200")));

    // Idle: a guest that stays disconnected past guest.idleSeconds is forgotten too.
    QVERIFY(m_server.setSetting(QStringLiteral("guest.idleSeconds"), QStringLiteral("1")));
    Device idle;
    auto h = guest(QStringLiteral("idle"), &idle);
    QVERIFY(h);
    h->close();
    QVERIFY(h->waitClosed());
    QTRY_VERIFY_WITH_TIMEOUT(!bobsDevices().contains(idle.id), 4000);
    QVERIFY(!connectAs(idle));
    QVERIFY(m_server.setSetting(QStringLiteral("guest.idleSeconds"), QStringLiteral("3600")));
}

QTEST_GUILESS_MAIN(tst_Guest)
#include "tst_guest.moc"
