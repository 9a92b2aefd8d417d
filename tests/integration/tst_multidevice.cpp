// SPDX-License-Identifier: GPL-3.0-or-later
// Seed 003 §6.1.11 steps 1–10 and seed 000 R2, end to end: a real cpm-server on a free
// loopback port, Alice on three devices, Bob on three, Carol on one that is mostly away.
// The test functions run in order and follow the flow, each step building on the last.

#include "client.h"
#include "failonwarning.h"
#include "freeport.h"
#include "must.h"
#include "protocol.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cpm;
using cpm::test::must;

namespace {

constexpr int Timeout = 15000;
const QString Password = QStringLiteral("correct horse battery staple");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
const QString Carol = QStringLiteral("carol@cpm.example");

//! One device: a profile directory and the Client over it.
struct TestDevice {
    QString profile;
    std::unique_ptr<Client> client;

    Client* operator->() const { return client.get(); }
};

std::optional<Message> findBySubject(Client* client, const QString& peer, const QString& subject)
{
    const QList<Message> list = must(client->messages(peer, 200));
    for (const Message& m : list) {
        if (m.subject == subject) {
            return m;
        }
    }
    return std::nullopt;
}

} // namespace

class tst_MultiDevice : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }
    void cleanupTestCase();

    void testWrongPasswordIsRefused();
    void testMessageReachesEveryDeviceOfTheRecipient();
    void testNotificationOnlyDeviceLoadsBodyWhenOpened();
    void testSentboxIsSyncedToSendersOtherDevices();
    void testOpeningOnLaptopMarksReadEverywhereAndSenderSeesDisplayed();
    void testLocalDeleteStaysDeletedAfterResync();
    void testDeleteEverywhereRemovesFromAllDevices();
    void testRecipientWithNoDeviceOnlineGetsMessageLater();
    void testAMessageJustBeforeQuittingIsDelivered();
    void testExpiredMessageIsReportedToSender();
    void testOutboxSurvivesClientRestartAndSendsOnce();
    void testServerKilledAfterAckStillDelivers();
    void testDeviceCannotReachAnotherUsersData();
    void testRemoteSignOutDisconnectsAndWipes();
    void testANewDeviceSyncsTheLargestMessages();
    void testDevicesFailOverToTheNextServer();

private:
    TestDevice makeDevice(const QString& name);
    void registerDevice(
        TestDevice& device, const QString& address, const QString& deviceName, const QString& kind);
    //! Reopens a device's profile in a fresh Client, as after a process restart.
    void restart(TestDevice& device);
    void reconnectAll();

    QTemporaryDir m_profiles;
    test::TestServer m_server;
    TestDevice m_aliceLaptop, m_alicePhone, m_aliceFixed;
    TestDevice m_bobLaptop, m_bobMobile, m_bobPda;
    TestDevice m_carol;
    qint64 m_holidayId = 0;
};

TestDevice tst_MultiDevice::makeDevice(const QString& name)
{
    TestDevice d;
    d.profile = m_profiles.filePath(name);
    d.client = std::make_unique<Client>(d.profile);
    QString error;
    [&] { QVERIFY(must(d.client->open())); }();
    d.client->setServerUrl(m_server.url());
    return d;
}

void tst_MultiDevice::registerDevice(
    TestDevice& device, const QString& address, const QString& deviceName, const QString& kind)
{
    device = makeDevice(deviceName);
    bool done = false;
    Error result;
    device->registerDevice(address, Password, deviceName, kind, [&](const Error& error) {
        result = error;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.name() + QLatin1Char(' ') + result.message));
    QTRY_COMPARE_WITH_TIMEOUT(device->state(), ConnectionState::Online, Timeout);
}

void tst_MultiDevice::restart(TestDevice& device)
{
    device.client.reset();
    device.client = std::make_unique<Client>(device.profile);
    QVERIFY(device->open());
    device->setServerUrl(m_server.url());
    device->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(device->state(), ConnectionState::Online, Timeout);
}

void tst_MultiDevice::reconnectAll()
{
    for (TestDevice* d :
        { &m_aliceLaptop, &m_alicePhone, &m_aliceFixed, &m_bobLaptop, &m_bobMobile, &m_bobPda }) {
        (*d)->setServerUrl(m_server.url());
        (*d)->connectToServer();
    }
    for (TestDevice* d :
        { &m_aliceLaptop, &m_alicePhone, &m_aliceFixed, &m_bobLaptop, &m_bobMobile, &m_bobPda }) {
        QTRY_COMPARE_WITH_TIMEOUT((*d)->state(), ConnectionState::Online, Timeout);
    }
}

void tst_MultiDevice::initTestCase()
{
    QVERIFY(m_profiles.isValid());
    QVERIFY(m_server.start());
    for (const QString& user : { Alice, Bob, Carol }) {
        QVERIFY(m_server.addUser(user, Password));
    }
    registerDevice(
        m_aliceLaptop, Alice, QStringLiteral("Alice's laptop"), QStringLiteral("laptop"));
    registerDevice(m_alicePhone, Alice, QStringLiteral("Alice's phone"), QStringLiteral("mobile"));
    registerDevice(
        m_aliceFixed, Alice, QStringLiteral("Alice's fixed phone"), QStringLiteral("fixed"));
    registerDevice(m_bobLaptop, Bob, QStringLiteral("Bob's laptop"), QStringLiteral("laptop"));
    registerDevice(m_bobMobile, Bob, QStringLiteral("Bob's mobile"), QStringLiteral("mobile"));
    registerDevice(m_bobPda, Bob, QStringLiteral("Bob's PDA"), QStringLiteral("tablet"));
    registerDevice(m_carol, Carol, QStringLiteral("Carol's desktop"), QStringLiteral("desktop"));

    // Step 8b: Alice's phone only wants a notification (sender and subject).
    bool done = false;
    m_aliceLaptop->setDelivery(
        m_alicePhone->deviceId(), QStringLiteral("notification"), [&](const Error& e) {
            QVERIFY(e.isNull());
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const cpm::Device& d : must(m_alicePhone->devices())) {
                if (d.current) {
                    return d.delivery == QLatin1StringView("notification");
                }
            }
            return false;
        }(),
        Timeout);
}

void tst_MultiDevice::cleanupTestCase() { m_server.stop(); }

void tst_MultiDevice::testWrongPasswordIsRefused()
{
    TestDevice intruder = makeDevice(QStringLiteral("intruder"));
    bool done = false;
    Error result;
    intruder->registerDevice(Alice, QStringLiteral("not her password"), QStringLiteral("x"),
        QStringLiteral("laptop"), [&](const Error& e) {
            result = e;
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QCOMPARE(result.code, ErrorCode::AuthFailed);
    QVERIFY(!intruder->hasAccount());
    QVERIFY(must(intruder->conversations()).isEmpty());
}

void tst_MultiDevice::testMessageReachesEveryDeviceOfTheRecipient()
{
    // Steps 1–9: Bob sends from his laptop; each of Alice's devices tells her.
    QSignalSpy laptop(m_aliceLaptop.client.get(), &Client::incomingMessage);
    QSignalSpy phone(m_alicePhone.client.get(), &Client::incomingMessage);
    QSignalSpy fixed(m_aliceFixed.client.get(), &Client::incomingMessage);
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);

    const QString clientId = must(m_bobLaptop->send(Alice, QStringLiteral("Holidays"),
        QStringLiteral("Back from Sydney — the pictures are amazing!")));
    QVERIFY(!clientId.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    m_holidayId = sent.at(0).at(1).toLongLong();
    QVERIFY(m_holidayId > 0);

    QTRY_COMPARE_WITH_TIMEOUT(laptop.size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phone.size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(fixed.size(), 1, Timeout);
    for (QSignalSpy* spy : { &laptop, &phone, &fixed }) {
        QCOMPARE(spy->at(0).at(1).toString(), Bob);
        QCOMPARE(spy->at(0).at(2).toString(), QStringLiteral("Holidays"));
    }
    const auto onLaptop = must(m_aliceLaptop->message(m_holidayId));
    QVERIFY(onLaptop);
    QCOMPARE(onLaptop->body, QStringLiteral("Back from Sydney — the pictures are amazing!"));
    QVERIFY(!onLaptop->read);
    QCOMPARE(must(m_aliceLaptop->unreadCount()), 1);
    QCOMPARE(must(m_aliceFixed->unreadCount()), 1);
}

void tst_MultiDevice::testNotificationOnlyDeviceLoadsBodyWhenOpened()
{
    // Step 8b: the phone got the sender and subject only, and the body when opened.
    auto onPhone = must(m_alicePhone->message(m_holidayId));
    QVERIFY(onPhone);
    QVERIFY(onPhone->partial);
    QVERIFY(onPhone->body.isNull());
    QCOMPARE(onPhone->from, Bob);
    QCOMPARE(onPhone->subject, QStringLiteral("Holidays"));

    bool done = false;
    m_alicePhone->fetchBody(m_holidayId, [&](const Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    onPhone = must(m_alicePhone->message(m_holidayId));
    QVERIFY(!onPhone->partial);
    QCOMPARE(onPhone->body, QStringLiteral("Back from Sydney — the pictures are amazing!"));
    // Fetching is not reading: it stays unread until Alice opens it somewhere.
    QVERIFY(!onPhone->read);
}

void tst_MultiDevice::testSentboxIsSyncedToSendersOtherDevices()
{
    // Step 5: the message is in Bob's sentbox on his other devices.
    for (TestDevice* d : { &m_bobMobile, &m_bobPda }) {
        QTRY_VERIFY_WITH_TIMEOUT(must((*d)->message(m_holidayId)).has_value(), Timeout);
        const Message m = *must((*d)->message(m_holidayId));
        QVERIFY(m.outgoing);
        QCOMPARE(m.to, Alice);
        QCOMPARE(m.body, QStringLiteral("Back from Sydney — the pictures are amazing!"));
    }
    // Alice's devices acknowledged it, so Bob sees it delivered.
    QTRY_COMPARE_WITH_TIMEOUT(
        must(m_bobLaptop->message(m_holidayId))->status, Message::Status::Delivered, Timeout);
}

void tst_MultiDevice::testOpeningOnLaptopMarksReadEverywhereAndSenderSeesDisplayed()
{
    // Step 10: Alice opens it on her computer; her other devices show it read and clear
    // their notification; Bob's devices see "displayed".
    QSignalSpy phoneCleared(m_alicePhone.client.get(), &Client::messageReadElsewhere);
    QSignalSpy fixedCleared(m_aliceFixed.client.get(), &Client::messageReadElsewhere);
    m_aliceLaptop->markRead(m_holidayId);

    QTRY_VERIFY_WITH_TIMEOUT(must(m_alicePhone->message(m_holidayId))->read, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(must(m_aliceFixed->message(m_holidayId))->read, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phoneCleared.size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(fixedCleared.size(), 1, Timeout);
    QCOMPARE(phoneCleared.at(0).at(0).toLongLong(), m_holidayId);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_alicePhone->unreadCount()), 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_aliceFixed->unreadCount()), 0, Timeout);

    for (TestDevice* d : { &m_bobLaptop, &m_bobMobile, &m_bobPda }) {
        QTRY_COMPARE_WITH_TIMEOUT(
            must((*d)->message(m_holidayId))->status, Message::Status::Displayed, Timeout);
    }
}

void tst_MultiDevice::testLocalDeleteStaysDeletedAfterResync()
{
    // Step 10f: deleted on the phone only; the network and the other devices keep it,
    // and neither a re-sync nor a restart brings it back.
    must(m_alicePhone->deleteLocally(m_holidayId));
    QVERIFY(!must(m_alicePhone->message(m_holidayId)));
    restart(m_alicePhone);
    QVERIFY(!must(m_alicePhone->message(m_holidayId)));
    QVERIFY(!findBySubject(m_alicePhone.client.get(), Bob, QStringLiteral("Holidays")));
    QVERIFY(must(m_aliceLaptop->message(m_holidayId)));
    QVERIFY(must(m_aliceFixed->message(m_holidayId)));

    // A brand-new device of Alice's still finds it in her network storage.
    TestDevice fresh;
    registerDevice(fresh, Alice, QStringLiteral("Alice's tablet"), QStringLiteral("tablet"));
    QTRY_VERIFY_WITH_TIMEOUT(must(fresh->message(m_holidayId)).has_value(), Timeout);
    bool done = false;
    m_aliceLaptop->signOutDevice(fresh->deviceId(), [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
}

void tst_MultiDevice::testDeleteEverywhereRemovesFromAllDevices()
{
    // Step 10g: deleted from the network storage and every device of Alice; Bob's
    // sentbox is Bob's and keeps it.
    QSignalSpy fixedRemoved(m_aliceFixed.client.get(), &Client::messageRemoved);
    bool done = false;
    Error result;
    m_aliceLaptop->deleteEverywhere(m_holidayId, [&](const Error& e) {
        result = e;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.message));
    QTRY_VERIFY_WITH_TIMEOUT(!must(m_aliceLaptop->message(m_holidayId)), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!must(m_aliceFixed->message(m_holidayId)), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(fixedRemoved.size() >= 1, Timeout);
    QVERIFY(!must(m_alicePhone->message(m_holidayId)));
    restart(m_aliceFixed);
    QVERIFY(!must(m_aliceFixed->message(m_holidayId)));
    QVERIFY(must(m_bobLaptop->message(m_holidayId)));
}

void tst_MultiDevice::testRecipientWithNoDeviceOnlineGetsMessageLater()
{
    // Seed 000 R2: Carol has no device online; the message waits in her network storage
    // and arrives when her device registers again.
    m_carol->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_carol->state(), ConnectionState::Disconnected, Timeout);
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    must(m_bobLaptop->send(
        Carol, QStringLiteral("Dinner"), QStringLiteral("Are you coming tonight?")));
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const qint64 id = sent.at(0).at(1).toLongLong();
    QCOMPARE(must(m_bobLaptop->message(id))->status, Message::Status::Sent);

    QSignalSpy incoming(m_carol.client.get(), &Client::incomingMessage);
    m_carol->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 1, Timeout);
    QCOMPARE(must(m_carol->message(id))->body, QStringLiteral("Are you coming tonight?"));
    QTRY_COMPARE_WITH_TIMEOUT(
        must(m_bobLaptop->message(id))->status, Message::Status::Delivered, Timeout);
}

void tst_MultiDevice::testAMessageJustBeforeQuittingIsDelivered()
{
    // Carol's app quits the moment a message arrived, before its ack was due: it is
    // acknowledged on the way out, so Bob sees it delivered now, not when Carol is back.
    QTRY_COMPARE_WITH_TIMEOUT(m_carol->state(), ConnectionState::Online, Timeout);
    QSignalSpy incoming(m_carol.client.get(), &Client::incomingMessage);
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    must(m_bobLaptop->send(Carol, QStringLiteral("Quick"), QStringLiteral("Still there?")));
    QVERIFY(incoming.wait(Timeout));
    m_carol.client.reset();
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const qint64 id = sent.at(0).at(1).toLongLong();
    QTRY_COMPARE_WITH_TIMEOUT(
        must(m_bobLaptop->message(id))->status, Message::Status::Delivered, Timeout);
    restart(m_carol);
}

void tst_MultiDevice::testExpiredMessageIsReportedToSender()
{
    // MSG-7: the operator keeps pending messages for one second here; one that no device
    // of Carol's picked up in time expires and Bob's devices are told.
    m_carol->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_carol->state(), ConnectionState::Disconnected, Timeout);
    QVERIFY(m_server.setSetting(QStringLiteral("deferred.maxAgeSeconds"), QStringLiteral("1")));
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    must(m_bobLaptop->send(Carol, QStringLiteral("Too late"), QStringLiteral("Never mind.")));
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const qint64 id = sent.at(0).at(1).toLongLong();
    QTRY_COMPARE_WITH_TIMEOUT(
        must(m_bobLaptop->message(id))->status, Message::Status::Expired, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        must(m_bobPda->message(id))->status, Message::Status::Expired, Timeout);
    QVERIFY(
        m_server.setSetting(QStringLiteral("deferred.maxAgeSeconds"), QStringLiteral("604800")));

    m_carol->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_carol->state(), ConnectionState::Online, Timeout);
    QVERIFY(!must(m_carol->message(id)));
}

void tst_MultiDevice::testOutboxSurvivesClientRestartAndSendsOnce()
{
    // A message written while offline is in the outbox on disk; the process goes away
    // before any answer; after a restart it is sent, and Alice gets it exactly once.
    m_bobMobile->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_bobMobile->state(), ConnectionState::Disconnected, Timeout);
    const QString clientId = must(m_bobMobile->send(
        Alice, QStringLiteral("From the train"), QStringLiteral("Signal is bad here")));
    QVERIFY(!clientId.isEmpty());
    QCOMPARE(must(m_bobMobile->outboxSize()), 1);
    m_bobMobile.client.reset(); // gone before the server ever answered

    QSignalSpy incoming(m_aliceLaptop.client.get(), &Client::incomingMessage);
    restart(m_bobMobile);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_bobMobile->outboxSize()), 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 1, Timeout);
    // Reconnecting again does not send it a second time. The barrier: a marker sent after
    // the restart reaches Alice after anything the restart could have sent (one outbox, in
    // order; one stream, in order), so when it is there, nothing else came before it.
    restart(m_bobMobile);
    must(m_bobMobile->send(Alice, QStringLiteral("Marker"), QStringLiteral("after the restart")));
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 2, Timeout);
    QCOMPARE(incoming.at(1).at(2).toString(), QStringLiteral("Marker"));
    int copies = 0;
    for (const Message& m : must(m_aliceLaptop->messages(Bob, 200))) {
        copies += m.clientId == clientId;
    }
    QCOMPARE(copies, 1);
}

void tst_MultiDevice::testServerKilledAfterAckStillDelivers()
{
    // Durability: once Bob's device has the server's answer, a SIGKILL of the server
    // loses nothing; Alice's devices, offline meanwhile, get it after the restart.
    for (TestDevice* d : { &m_aliceLaptop, &m_alicePhone, &m_aliceFixed }) {
        (*d)->disconnectFromServer();
    }
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    must(m_bobLaptop->send(Alice, QStringLiteral("Durable"), QStringLiteral("Survives a crash")));
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const qint64 id = sent.at(0).at(1).toLongLong();
    m_server.kill();
    QVERIFY(m_server.restart());
    reconnectAll();
    QTRY_VERIFY_WITH_TIMEOUT(must(m_aliceLaptop->message(id)).has_value(), Timeout);
    QCOMPARE(must(m_aliceLaptop->message(id))->body, QStringLiteral("Survives a crash"));
    QTRY_VERIFY_WITH_TIMEOUT(must(m_aliceFixed->message(id)).has_value(), Timeout);
    m_carol->setServerUrl(m_server.url());
    m_carol->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_carol->state(), ConnectionState::Online, Timeout);
}

void tst_MultiDevice::testDeviceCannotReachAnotherUsersData()
{
    // Carol asks for a message that is in Alice's and Bob's storage only, and tries to
    // rename one of Alice's devices: she gets not_found and learns nothing.
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    must(m_bobLaptop->send(Alice, QStringLiteral("Private"), QStringLiteral("Just for Alice")));
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const qint64 id = sent.at(0).at(1).toLongLong();

    Error fetchError, deleteError, renameError;
    int answers = 0;
    m_carol->fetchBody(id, [&](const Error& e) {
        fetchError = e;
        ++answers;
    });
    m_carol->deleteEverywhere(id, [&](const Error& e) {
        deleteError = e;
        ++answers;
    });
    m_carol->renameDevice(
        m_aliceLaptop->deviceId(), QStringLiteral("mine now"), [&](const Error& e) {
            renameError = e;
            ++answers;
        });
    QTRY_COMPARE_WITH_TIMEOUT(answers, 3, Timeout);
    QCOMPARE(fetchError.code, ErrorCode::NotFound);
    QCOMPARE(deleteError.code, ErrorCode::NotFound);
    QCOMPARE(renameError.code, ErrorCode::NotFound);
    QVERIFY(!must(m_carol->message(id)));
    QTRY_VERIFY_WITH_TIMEOUT(must(m_aliceLaptop->message(id)).has_value(), Timeout);
    QCOMPARE(must(m_bobLaptop->message(id))->body, QStringLiteral("Just for Alice"));
    for (const cpm::Device& d : must(m_aliceLaptop->devices())) {
        QVERIFY(d.name != QLatin1StringView("mine now"));
    }
}

void tst_MultiDevice::testRemoteSignOutDisconnectsAndWipes()
{
    // DEV-2: Alice signs her fixed phone out from the laptop; it is disconnected at once,
    // wipes its data, and its old token is refused.
    QSignalSpy signedOut(m_aliceFixed.client.get(), &Client::signedOut);
    const qint64 fixedId = m_aliceFixed->deviceId();
    bool done = false;
    m_aliceLaptop->signOutDevice(fixedId, [&](const Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(signedOut.size(), 1, Timeout);
    QCOMPARE(m_aliceFixed->state(), ConnectionState::SignedOut);
    QVERIFY(!m_aliceFixed->hasAccount());
    QVERIFY(must(m_aliceFixed->conversations()).isEmpty());
    // Nothing on the disk says whose device it was: not the address, not the token.
    QVERIFY(m_aliceFixed->address().isEmpty());
    QFile ini(m_aliceFixed.profile + QStringLiteral("/profile.ini"));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray settings = ini.readAll();
    QVERIFY2(!settings.contains("alice@cpm.example"), settings.constData());
    QVERIFY(!settings.contains("token"));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const cpm::Device& d : must(m_aliceLaptop->devices())) {
                if (d.id == fixedId) {
                    return false;
                }
            }
            return true;
        }(),
        Timeout);
}

void tst_MultiDevice::testANewDeviceSyncsTheLargestMessages()
{
    // The largest messages the limits allow, in the character that grows most when escaped
    // (U+0001: one byte, six in JSON), and plain large ones: together far more than one
    // frame. They must neither be refused on the way in nor stop a device's sync.
    const QString worst(protocol::limits::MaxBodyBytes, QChar(1));
    const QString plain(60000, QLatin1Char('x'));
    m_carol->setServerUrl(m_server.url()); // the server was restarted, maybe on a new port
    m_carol->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_carol->state(), ConnectionState::Online, Timeout);
    QStringList subjects;
    for (int i = 0; i < 6; ++i) {
        subjects << QStringLiteral("large-%1").arg(i);
        must(m_carol->send(Bob, subjects.constLast(), i % 2 == 0 ? worst : plain));
    }
    QTRY_COMPARE_WITH_TIMEOUT(must(m_carol->outboxSize()), 0, 4 * Timeout);

    TestDevice newcomer;
    registerDevice(newcomer, Bob, QStringLiteral("Bob's new desktop"), QStringLiteral("desktop"));
    for (int i = 0; i < subjects.size(); ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(
            findBySubject(newcomer.client.get(), Carol, subjects.at(i)), Timeout);
        const std::optional<Message> m
            = findBySubject(newcomer.client.get(), Carol, subjects.at(i));
        QCOMPARE(m->body, i % 2 == 0 ? worst : plain);
    }
}

void tst_MultiDevice::testDevicesFailOverToTheNextServer()
{
    // Several nodes of one service (issue 13, the client's side): each device knows two
    // addresses and moves to the next when its connection drops. The second node here is
    // a server started on the same data at another port once the first one was killed.
    const QUrl first = m_server.url();
    const QUrl second(QStringLiteral("ws://127.0.0.1:%1/").arg(test::freeLoopbackPort()));
    QVERIFY(second.port() > 0 && second != first);
    const QList<TestDevice*> devices { &m_aliceLaptop, &m_alicePhone, &m_bobLaptop };
    for (TestDevice* d : devices) {
        (*d)->setServerUrls({ first, second });
        (*d)->connectToServer();
    }
    for (TestDevice* d : devices) {
        QTRY_COMPARE_WITH_TIMEOUT((*d)->state(), ConnectionState::Online, Timeout);
        QCOMPARE((*d)->currentServerUrl(), first);
    }

    m_server.kill();
    for (TestDevice* d : devices) {
        QTRY_VERIFY_WITH_TIMEOUT((*d)->state() != ConnectionState::Online, Timeout);
    }
    // Written while no node is up: the outbox keeps it and sends it once one is.
    must(m_bobLaptop->send(Alice, QStringLiteral("Failover"), QStringLiteral("Any node will do")));
    m_server.setExtraArguments({ QStringLiteral("--port"), QString::number(second.port()) });
    QVERIFY(m_server.start());
    m_server.setExtraArguments({});
    QCOMPARE(m_server.url(), second);
    for (TestDevice* d : devices) {
        // Backoff 0.5, 1, 2, 4 s, alternating between the two: there within seconds.
        QTRY_COMPARE_WITH_TIMEOUT((*d)->state(), ConnectionState::Online, 2 * Timeout);
        QCOMPARE((*d)->currentServerUrl(), second);
        QCOMPARE((*d)->diagnostics().serverUrls, QList<QUrl>({ first, second }));
    }
    for (TestDevice* d : { &m_aliceLaptop, &m_alicePhone }) {
        QTRY_VERIFY_WITH_TIMEOUT(
            findBySubject(d->client.get(), Bob, QStringLiteral("Failover")).has_value(), Timeout);
    }
    // Sent once, whatever the connection went through.
    int copies = 0;
    for (const Message& m : must(m_alicePhone->messages(Bob, 200))) {
        copies += m.subject == QLatin1StringView("Failover") ? 1 : 0;
    }
    QCOMPARE(copies, 1);
}

QTEST_GUILESS_MAIN(tst_MultiDevice)
#include "tst_multidevice.moc"
