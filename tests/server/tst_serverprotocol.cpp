// SPDX-License-Identifier: GPL-3.0-or-later
// docs/protocol.md against a real cpm-server, through a raw WebSocket: every malformed
// frame gets its documented code, abuse closes the connection, sign-in failures, the
// rights checks, idempotent send, delivery by preference, group commit of pipelined
// requests, and durability across SIGKILL.

#include "error.h"
#include "failonwarning.h"
#include "protocol.h"
#include "testserver.h"
#include "wsclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QWebSocket>

using cpm::ErrorCode;
using cpm::test::TestServer;
namespace proto = cpm::protocol;

namespace lim = cpm::protocol::limits;
using namespace cpm::test;

class tst_ServerProtocol : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void testHandshakeNegotiatesVersion1();
    void testMalformedFramesGetTheDocumentedCode_data();
    void testMalformedFramesGetTheDocumentedCode();
    void testOversizeTransportFrameCloses1009();
    void testRepeatedAbuseCloses4002AndKeepsData();
    void testWrongCredentialsFailAlike();
    void testIdempotentSend();
    void testPipelinedRequestsAreAnsweredOnceInOrderAndStored();
    void testDeliveryFollowsEachDevicesPreference();
    void testSyncPagesAndSkipsWhatIsNotForTheDevice();
    void testOtherUsersDataIsNotFound();
    void testRemoteSignOutRevokesTheToken();
    void testDisabledAccountIsRefused();
    void testDailyQuota();
    void testUndeliveredMessagesExpire();
    void testSendingDeviceGetsItsOwnSentCopy();
    void testRegisterSetsTheFirstPreferencesOnly();
    void testRegisteringAgainClosesTheOldConnection();
    void testSignOutSaysWhoDidIt();
    void testSecondReadIsQuietSecondDeleteIsNotFound();
    void testReplayedMessagesCarryTheirCurrentState();
    void testAckBeyondTheHeadIsClamped();
    void testAnAckNoticeIsCarriedOutUnanswered();
    void testASyncThatIsBehindPausesPushes();
    void testOnlyDevicesMessagesReachMakeThemDelivered();
    void testKillRightAfterAckLosesNothing();
    void testShutdownCloses4003();
    void testLimitsCountCharactersAndLoneSurrogatesAreRefused();
    void testDevicesPerUserAreCapped();
    void testProfileStaysWithinItsByteBudget();
    void testStatusIsSharedWithContactsOnly();
    void testRecentAnswersTheNewestMessagesInTheDevicesView();

private:
    //! A new connection, negotiated and signed in as \a device; live after a full sync.
    std::unique_ptr<WsClient> connectAs(const Device& device, bool live = true);
    Device registerNew(const QString& address, const QString& password, const QString& instance,
        WsClient* client = nullptr);

    TestServer m_server;
    Device m_aliceLaptop;
    Device m_bobLaptop;
    Device m_bobPhone;
};

std::unique_ptr<WsClient> tst_ServerProtocol::connectAs(const Device& device, bool live)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(m_server.url()) || !client->hello()) {
        return nullptr;
    }
    if (result(client->login(device)).isEmpty()) {
        return nullptr;
    }
    if (live) {
        client->syncAll();
    }
    return client;
}

Device tst_ServerProtocol::registerNew(
    const QString& address, const QString& password, const QString& instance, WsClient* client)
{
    std::unique_ptr<WsClient> own;
    if (!client) {
        own = std::make_unique<WsClient>();
        client = own.get();
        if (!client->open(m_server.url()) || !client->hello()) {
            return {};
        }
    }
    const QJsonObject r = result(client->registerDevice(address, password, instance));
    return { address, password, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
}

void tst_ServerProtocol::initTestCase()
{
    QVERIFY(m_server.start());
    for (const char* name :
        { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
            "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "vanna", "walter" }) {
        const QString n = QLatin1StringView(name);
        QVERIFY(m_server.addUser(n + QStringLiteral("@cpm.example"), QStringLiteral("pw-") + n));
    }
    m_aliceLaptop = registerNew(QStringLiteral("alice@cpm.example"), QStringLiteral("pw-alice"),
        QStringLiteral("alice-laptop"));
    m_bobLaptop = registerNew(
        QStringLiteral("bob@cpm.example"), QStringLiteral("pw-bob"), QStringLiteral("bob-laptop"));
    m_bobPhone = registerNew(
        QStringLiteral("bob@cpm.example"), QStringLiteral("pw-bob"), QStringLiteral("bob-phone"));
    QVERIFY(m_aliceLaptop.id > 0 && m_bobLaptop.id > 0 && m_bobPhone.id > 0);
    QCOMPARE(m_aliceLaptop.token.size(), 43);
}

void tst_ServerProtocol::cleanupTestCase() { m_server.stop(); }

void tst_ServerProtocol::init() { cpm::test::failOnWarnings(); }

void tst_ServerProtocol::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
}

void tst_ServerProtocol::testHandshakeNegotiatesVersion1()
{
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    const QJsonObject r = c.request(
        QStringLiteral("hello"), { { QStringLiteral("versions"), QJsonArray { 3, 1, 2 } } });
    QCOMPARE(result(r).value(QLatin1StringView("version")).toInt(), 1);
    QVERIFY(result(r)
                .value(QLatin1StringView("server"))
                .toString()
                .startsWith(QLatin1StringView("cpm-server/")));
    const QJsonObject limits = result(r).value(QLatin1StringView("limits")).toObject();
    QCOMPARE(
        limits.value(QLatin1StringView("maxFrameBytes")).toInteger(), proto::limits::MaxFrameBytes);
    QCOMPARE(
        limits.value(QLatin1StringView("maxBodyBytes")).toInteger(), proto::limits::MaxBodyBytes);
    QCOMPARE(limits.value(QLatin1StringView("syncBatch")).toInt(), proto::limits::SyncBatch);
    QVERIFY_OK(c.request(QStringLiteral("ping")));
}

void tst_ServerProtocol::testMalformedFramesGetTheDocumentedCode_data()
{
    enum Stage { Fresh, Negotiated, SignedIn };
    QTest::addColumn<int>("stage");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QString>("expectedCode");
    QTest::addColumn<QByteArray>("expectedId"); // compact JSON of the response's id

    auto row = [](const char* tag, int stage, const QByteArray& frame, ErrorCode code,
                   const QByteArray& id, bool binary = false) {
        QTest::newRow(tag) << stage << frame << binary << codeName(code) << id;
    };
    using e = ErrorCode;
    const QByteArray bigBody = QByteArray(proto::limits::MaxBodyBytes + 1, 'x');
    row("not-json", Negotiated, "{\"id\":1,\"op\":", e::BadFrame, "null");
    row("json-array", Negotiated, "[1,2,3]", e::BadFrame, "null");
    row("json-string", Negotiated, "\"hello\"", e::BadFrame, "null");
    row("missing-id", Negotiated, "{\"op\":\"ping\"}", e::BadFrame, "null");
    row("negative-id", Negotiated, "{\"id\":-1,\"op\":\"ping\"}", e::BadFrame, "null");
    row("fractional-id", Negotiated, "{\"id\":1.5,\"op\":\"ping\"}", e::BadFrame, "null");
    row("op-not-a-string", Negotiated, "{\"id\":5,\"op\":42}", e::BadFrame, "5");
    row("args-not-an-object", Negotiated, "{\"id\":6,\"op\":\"ping\",\"args\":[1]}", e::BadFrame,
        "6");
    row("response-from-client", Negotiated, "{\"id\":7,\"result\":{}}", e::BadFrame, "7");
    row("event-from-client", Negotiated, "{\"event\":\"flags\",\"data\":{}}", e::BadFrame, "null");
    row("no-frame-keys", Negotiated, "{\"id\":\"x\"}", e::BadFrame, "\"x\"");
    row("unknown-op", Negotiated, "{\"id\":8,\"op\":\"launch\"}", e::UnknownOp, "8");
    row("op-before-hello", Fresh, "{\"id\":9,\"op\":\"ping\"}", e::NotNegotiated, "9");
    row("unknown-op-before-hello", Fresh, "{\"id\":10,\"op\":\"launch\"}", e::NotNegotiated, "10");
    row("hello-versions-not-a-list", Fresh,
        "{\"id\":11,\"op\":\"hello\",\"args\":{\"versions\":\"1\"}}", e::BadRequest, "11");
    row("hello-no-common-version", Fresh,
        "{\"id\":12,\"op\":\"hello\",\"args\":{\"versions\":[2,7]}}", e::VersionUnsupported, "12");
    row("second-hello", Negotiated, "{\"id\":13,\"op\":\"hello\",\"args\":{\"versions\":[1]}}",
        e::AlreadyNegotiated, "13");
    row("op-before-login", Negotiated, "{\"id\":14,\"op\":\"sync\",\"args\":{\"since\":0}}",
        e::Unauthenticated, "14");
    row("register-bad-kind", Negotiated,
        "{\"id\":15,\"op\":\"register\",\"args\":{\"address\":\"alice@cpm.example\","
        "\"password\":\"x\",\"device\":{\"instanceId\":\"i\",\"name\":\"n\",\"kind\":"
        "\"toaster\"}}}",
        e::BadRequest, "15");
    row("login-bad-address", Negotiated,
        "{\"id\":16,\"op\":\"login\",\"args\":{\"address\":\"alice\",\"deviceId\":1,"
        "\"token\":\"t\"}}",
        e::BadRequest, "16");
    row("register-when-signed-in", SignedIn, "{\"id\":17,\"op\":\"register\",\"args\":{}}",
        e::AlreadyAuthenticated, "17");
    row("args-wrong-type", SignedIn, "{\"id\":18,\"op\":\"sync\",\"args\":{\"since\":\"0\"}}",
        e::BadRequest, "18");
    row("since-negative", SignedIn, "{\"id\":19,\"op\":\"sync\",\"args\":{\"since\":-1}}",
        e::BadRequest, "19");
    row("limit-over-batch", SignedIn,
        "{\"id\":20,\"op\":\"sync\",\"args\":{\"since\":0,\"limit\":501}}", e::BadRequest, "20");
    row("message-id-fractional", SignedIn,
        "{\"id\":21,\"op\":\"read\",\"args\":{\"messageId\":1.5}}", e::BadRequest, "21");
    row("send-missing-to", SignedIn,
        "{\"id\":22,\"op\":\"send\",\"args\":{\"clientId\":\"c\",\"body\":\"b\"}}", e::BadRequest,
        "22");
    row("send-bad-client-id", SignedIn,
        "{\"id\":23,\"op\":\"send\",\"args\":{\"clientId\":\"has space\","
        "\"to\":\"bob@cpm.example\",\"body\":\"b\"}}",
        e::BadRequest, "23");
    row("send-subject-too-long", SignedIn,
        "{\"id\":24,\"op\":\"send\",\"args\":{\"clientId\":\"c\",\"to\":\"bob@cpm.example\","
        "\"body\":\"b\",\"subject\":\""
            + QByteArray(proto::limits::MaxSubjectChars + 1, 's') + "\"}}",
        e::BadRequest, "24");
    row("send-body-too-large", SignedIn,
        "{\"id\":25,\"op\":\"send\",\"args\":{\"clientId\":\"c\",\"to\":\"bob@cpm.example\","
        "\"body\":\""
            + bigBody + "\"}}",
        e::TooLarge, "25");
    row("pref-value-too-long", SignedIn,
        "{\"id\":26,\"op\":\"prefs.set\",\"args\":{\"key\":\"k\",\"value\":\""
            + QByteArray(proto::limits::MaxPrefValueChars + 1, 'v') + "\"}}",
        e::BadRequest, "26");
    row("delivery-not-allowed", SignedIn,
        "{\"id\":27,\"op\":\"devices.setDelivery\",\"args\":{\"deviceId\":1,"
        "\"delivery\":\"sometimes\"}}",
        e::BadRequest, "27");
    row("frame-too-large", Negotiated,
        "{\"id\":28,\"op\":\"ping\",\"args\":{\"pad\":\""
            + QByteArray(proto::limits::MaxFrameBytes, 'p') + "\"}}",
        e::FrameTooLarge, "null");
    row("binary-frame", Negotiated, QByteArray("\x01\x02\x03", 3), e::BadFrame, "null", true);
}

void tst_ServerProtocol::testMalformedFramesGetTheDocumentedCode()
{
    QFETCH(int, stage);
    QFETCH(QByteArray, frame);
    QFETCH(bool, binary);
    QFETCH(QString, expectedCode);
    QFETCH(QByteArray, expectedId);

    WsClient c;
    QVERIFY(c.open(m_server.url()));
    if (stage >= 1) {
        QVERIFY(c.hello());
    }
    if (stage >= 2) {
        QVERIFY(!result(c.login(m_aliceLaptop)).isEmpty());
    }
    if (binary) {
        c.sendBinary(frame);
    } else {
        c.sendText(frame);
    }
    const QJsonObject r = c.response();
    QCOMPARE(code(r), expectedCode);
    QVERIFY(!r.value(QLatin1StringView("error"))
                 .toObject()
                 .value(QLatin1StringView("message"))
                 .toString()
                 .isEmpty());
    const QByteArray id = QJsonDocument(QJsonArray { r.value(QLatin1StringView("id")) })
                              .toJson(QJsonDocument::Compact)
                              .mid(1)
                              .chopped(1);
    QCOMPARE(id, expectedId);
    // The connection survives one bad frame.
    if (stage == 0) {
        QCOMPARE(code(c.request(QStringLiteral("ping"))), codeName(ErrorCode::NotNegotiated));
    } else {
        QVERIFY_OK(c.request(QStringLiteral("ping")));
    }
}

void tst_ServerProtocol::testOversizeTransportFrameCloses1009()
{
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    QVERIFY(c.hello());
    c.sendText(QByteArray(2 * 1024 * 1024, 'x'));
    QVERIFY(c.waitClosed());
    QCOMPARE(c.closeCode(), 1009);
}

void tst_ServerProtocol::testRepeatedAbuseCloses4002AndKeepsData()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    const QJsonObject sent = result(alice->send(QStringLiteral("abuse-1"),
        QStringLiteral("bob@cpm.example"), QStringLiteral("before the abuse")));
    const qint64 messageId = sent.value(QLatin1StringView("messageId")).toInteger();
    QVERIFY(messageId > 0);

    WsClient abuser;
    QVERIFY(abuser.open(m_server.url()));
    QVERIFY(abuser.hello());
    for (int i = 0; i < proto::limits::MaxProtocolErrors; ++i) {
        abuser.sendText("[]");
    }
    QVERIFY(abuser.waitClosed());
    QCOMPARE(abuser.closeCode(), proto::close::ProtocolAbuse);

    // Nothing stored is affected, and other connections carry on.
    QVERIFY_OK(alice->request(QStringLiteral("ping")));
    auto bob = connectAs(m_bobLaptop, false);
    QVERIFY(bob);
    const QJsonObject fetched = result(
        bob->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), messageId } }));
    QCOMPARE(fetched.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("body"))
                 .toString(),
        QStringLiteral("before the abuse"));
}

void tst_ServerProtocol::testWrongCredentialsFailAlike()
{
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    QVERIFY(c.hello());
    QCOMPARE(code(c.registerDevice(QStringLiteral("alice@cpm.example"), QStringLiteral("wrong"),
                 QStringLiteral("x-1"))),
        codeName(ErrorCode::AuthFailed));
    QCOMPARE(code(c.registerDevice(QStringLiteral("nobody@cpm.example"), QStringLiteral("pw-alice"),
                 QStringLiteral("x-1"))),
        codeName(ErrorCode::AuthFailed));
    Device forged = m_aliceLaptop;
    forged.token = m_bobLaptop.token;
    QCOMPARE(code(c.login(forged)), codeName(ErrorCode::AuthFailed));
    forged = m_bobLaptop;
    forged.address = QStringLiteral("alice@cpm.example"); // Bob's device under Alice's name
    QCOMPARE(code(c.login(forged)), codeName(ErrorCode::AuthFailed));
    forged.token = QStringLiteral("short");
    QCOMPARE(code(c.login(forged)), codeName(ErrorCode::AuthFailed));
    // Still usable afterwards, and addresses are case-insensitive.
    Device upper = m_aliceLaptop;
    upper.address = QStringLiteral("Alice@CPM.example");
    QVERIFY_OK(c.login(upper));
}

void tst_ServerProtocol::testIdempotentSend()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    const QString bob = QStringLiteral("bob@cpm.example");
    const QJsonObject first = alice->send(QStringLiteral("idem-1"), bob, QStringLiteral("once"));
    const QJsonObject again = alice->send(QStringLiteral("idem-1"), bob, QStringLiteral("once"));
    QVERIFY(!result(first).value(QLatin1StringView("duplicate")).toBool());
    QVERIFY(result(again).value(QLatin1StringView("duplicate")).toBool());
    for (const char* key : { "messageId", "seq", "time" }) {
        QCOMPARE(result(again).value(QLatin1StringView(key)).toInteger(),
            result(first).value(QLatin1StringView(key)).toInteger());
    }
    QCOMPARE(code(alice->send(QStringLiteral("idem-1"), bob, QStringLiteral("twice"))),
        codeName(ErrorCode::Conflict));
    QCOMPARE(code(alice->send(QStringLiteral("idem-2"), QStringLiteral("nobody@cpm.example"),
                 QStringLiteral("x"))),
        codeName(ErrorCode::NoSuchUser));
    QCOMPARE(code(alice->send(QStringLiteral("idem-3"), QStringLiteral("alice@cpm.example"),
                 QStringLiteral("note to self"))),
        codeName(ErrorCode::BadRequest));
    // Bob's storage holds it once.
    auto bobClient = connectAs(m_bobLaptop, false);
    QVERIFY(bobClient);
    const QList<QJsonObject> events = bobClient->syncAll();
    const qint64 id = result(first).value(QLatin1StringView("messageId")).toInteger();
    const auto copies = std::count_if(events.cbegin(), events.cend(), [id](const QJsonObject& e) {
        return e.value(QLatin1StringView("data"))
                   .toObject()
                   .value(QLatin1StringView("message"))
                   .toObject()
                   .value(QLatin1StringView("id"))
                   .toInteger()
            == id;
    });
    QCOMPARE(copies, 1);
}

void tst_ServerProtocol::testPipelinedRequestsAreAnsweredOnceInOrderAndStored()
{
    // Group commit: requests that arrive together share one transaction, each in its own
    // savepoint, and no answer or push leaves before that commit. Seen from outside: every
    // request answered once, in order, everything stored, a failure alone.
    const QString grace = QStringLiteral("grace@cpm.example");
    const QString heidi = QStringLiteral("heidi@cpm.example");
    const Device graceLaptop
        = registerNew(grace, QStringLiteral("pw-grace"), QStringLiteral("grace-laptop"));
    const Device heidiLaptop
        = registerNew(heidi, QStringLiteral("pw-heidi"), QStringLiteral("heidi-laptop"));
    auto sender = connectAs(graceLaptop);
    auto receiver = connectAs(heidiLaptop);
    QVERIFY(sender && receiver);

    constexpr int Count = 300; // more than one batch holds
    constexpr int ConflictAfter = 150;
    QList<qint64> order; // request ids in the order sent
    qint64 conflictId = 0;
    for (int i = 0; i < Count; ++i) {
        order.append(sender->post(QStringLiteral("send"),
            { { QStringLiteral("clientId"), QStringLiteral("pipe-%1").arg(i) },
                { QStringLiteral("to"), heidi },
                { QStringLiteral("body"), QStringLiteral("body %1").arg(i) } }));
        if (i == ConflictAfter) {
            // An earlier clientId for another text: fails on its own, among stored neighbours.
            conflictId = sender->post(QStringLiteral("send"),
                { { QStringLiteral("clientId"), QStringLiteral("pipe-0") },
                    { QStringLiteral("to"), heidi },
                    { QStringLiteral("body"), QStringLiteral("x") } });
            order.append(conflictId);
        }
    }
    // A read behind the writes sees all of them (the same connection, the same transaction).
    const qint64 whoamiId = sender->post(QStringLiteral("whoami"));
    order.append(whoamiId);

    const QList<QJsonObject> responses = sender->takeResponses(order.size());
    QCOMPARE(responses.size(), order.size());
    qint64 lastSeq = 0;
    for (qsizetype i = 0; i < responses.size(); ++i) {
        const QJsonObject& r = responses.at(i);
        const qint64 id = r.value(QLatin1StringView("id")).toInteger();
        QCOMPARE(id, order.at(i));
        if (id == conflictId) {
            QCOMPARE(code(r), codeName(ErrorCode::Conflict));
        } else if (id == whoamiId) {
            QCOMPARE(result(r).value(QLatin1StringView("head")).toInteger(), lastSeq);
        } else {
            const qint64 seq = result(r).value(QLatin1StringView("seq")).toInteger();
            QVERIFY2(lastSeq == 0 || seq == lastSeq + 1, qPrintable(QString::number(seq)));
            QVERIFY(!result(r).value(QLatin1StringView("duplicate")).toBool());
            lastSeq = seq;
        }
    }

    // Pushed to the live device once each, in order.
    const QList<QJsonObject> pushed = receiver->takeEvents(QStringLiteral("message"), Count);
    QCOMPARE(pushed.size(), Count);
    for (int i = 0; i < Count; ++i) {
        const QJsonObject m = pushed.at(i)
                                  .value(QLatin1StringView("data"))
                                  .toObject()
                                  .value(QLatin1StringView("message"))
                                  .toObject();
        QCOMPARE(
            m.value(QLatin1StringView("clientId")).toString(), QStringLiteral("pipe-%1").arg(i));
        QCOMPARE(m.value(QLatin1StringView("body")).toString(), QStringLiteral("body %1").arg(i));
        if (i > 0) {
            QCOMPARE(pushed.at(i).value(QLatin1StringView("seq")).toInteger(),
                pushed.at(i - 1).value(QLatin1StringView("seq")).toInteger() + 1);
        }
    }

    // Stored: a re-sync from 0 on a new connection has every one of them, once.
    auto again = connectAs(heidiLaptop, false);
    QVERIFY(again);
    QStringList stored;
    for (const QJsonObject& e : again->syncAll()) {
        if (e.value(QLatin1StringView("event")).toString() == QLatin1StringView("message")) {
            stored.append(e.value(QLatin1StringView("data"))
                              .toObject()
                              .value(QLatin1StringView("message"))
                              .toObject()
                              .value(QLatin1StringView("clientId"))
                              .toString());
        }
    }
    QStringList expected;
    for (int i = 0; i < Count; ++i) {
        expected.append(QStringLiteral("pipe-%1").arg(i));
    }
    QCOMPARE(stored, expected);
}

void tst_ServerProtocol::testDeliveryFollowsEachDevicesPreference()
{
    auto laptop = connectAs(m_bobLaptop);
    QVERIFY(laptop);
    QVERIFY_OK(laptop->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), m_bobPhone.id },
            { QStringLiteral("delivery"), QStringLiteral("notification") } }));
    QVERIFY(!laptop->event(QStringLiteral("device")).isEmpty());
    auto phone = connectAs(m_bobPhone);
    QVERIFY(phone);
    const QJsonObject presence = laptop->event(QStringLiteral("presence"));
    QCOMPARE(presence.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("deviceId"))
                 .toInteger(),
        m_bobPhone.id);
    QVERIFY(!presence.contains(QLatin1StringView("seq")));

    const QJsonObject list = result(laptop->request(QStringLiteral("devices.list")));
    const QJsonArray devices = list.value(QLatin1StringView("devices")).toArray();
    QCOMPARE(devices.size(), 2);
    for (const QJsonValue& d : devices) {
        const QJsonObject o = d.toObject();
        QVERIFY(o.value(QLatin1StringView("online")).toBool());
        QCOMPARE(o.value(QLatin1StringView("current")).toBool(),
            o.value(QLatin1StringView("id")).toInteger() == m_bobLaptop.id);
    }

    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    const QJsonObject sent = result(alice->send(QStringLiteral("pref-1"),
        QStringLiteral("bob@cpm.example"), QStringLiteral("the whole text"), QStringLiteral("Hi")));
    const qint64 messageId = sent.value(QLatin1StringView("messageId")).toInteger();
    QVERIFY(messageId > 0);
    // The sender's own devices get the sentbox copy.
    const QJsonObject own = alice->event(QStringLiteral("message"));
    QCOMPARE(own.value(QLatin1StringView("seq")).toInteger(),
        sent.value(QLatin1StringView("seq")).toInteger());

    auto messageOf = [](const QJsonObject& e) {
        return e.value(QLatin1StringView("data"))
            .toObject()
            .value(QLatin1StringView("message"))
            .toObject();
    };
    const QJsonObject full = laptop->event(QStringLiteral("message"));
    const QJsonObject note = phone->event(QStringLiteral("message"));
    QCOMPARE(messageOf(full).value(QLatin1StringView("body")).toString(),
        QStringLiteral("the whole text"));
    QCOMPARE(
        messageOf(full).value(QLatin1StringView("folder")).toString(), QStringLiteral("inbox"));
    QVERIFY(!messageOf(full).value(QLatin1StringView("partial")).toBool());
    QVERIFY(messageOf(note).value(QLatin1StringView("body")).isNull());
    QVERIFY(messageOf(note).value(QLatin1StringView("partial")).toBool());
    QCOMPARE(messageOf(note).value(QLatin1StringView("subject")).toString(), QStringLiteral("Hi"));
    QCOMPARE(full.value(QLatin1StringView("seq")), note.value(QLatin1StringView("seq")));

    // The notified device fetches the whole message when opened.
    const QJsonObject fetched = result(
        phone->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), messageId } }));
    QCOMPARE(fetched.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("body"))
                 .toString(),
        QStringLiteral("the whole text"));

    // An ack that covers it makes it delivered, reported once to the sender.
    const qint64 seq = full.value(QLatin1StringView("seq")).toInteger();
    QCOMPARE(result(laptop->request(QStringLiteral("ack"), { { QStringLiteral("seq"), seq } }))
                 .value(QLatin1StringView("acked"))
                 .toInteger(),
        seq);
    const QLatin1StringView idKey("messageId");
    const QJsonObject delivered = alice->eventWith(QStringLiteral("report"), idKey, messageId);
    QCOMPARE(delivered.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("delivered"));
    QCOMPARE(delivered.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("by"))
                 .toString(),
        QStringLiteral("bob@cpm.example"));
    phone->request(QStringLiteral("ack"), { { QStringLiteral("seq"), seq } });

    // Reading on one device: flags everywhere, displayed to the sender.
    QVERIFY_OK(
        phone->request(QStringLiteral("read"), { { QStringLiteral("messageId"), messageId } }));
    for (WsClient* device : { laptop.get(), phone.get() }) {
        const QJsonObject flags = device->eventWith(QStringLiteral("flags"), idKey, messageId);
        QCOMPARE(flags.value(QLatin1StringView("data"))
                     .toObject()
                     .value(QLatin1StringView("messageId"))
                     .toInteger(),
            messageId);
    }
    const QJsonObject displayed = alice->eventWith(QStringLiteral("report"), idKey, messageId);
    QCOMPARE(displayed.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("displayed"));
    // The phone's ack reported nothing new.
    QCOMPARE(alice->countWith(QStringLiteral("report"), idKey, messageId), 0);

    // The sender's copy is rendered with its current state.
    const QJsonObject copy = result(
        alice->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), messageId } }));
    QCOMPARE(copy.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("displayed"));

    // Deleting on Bob's side leaves Alice's copy.
    QVERIFY_OK(
        laptop->request(QStringLiteral("delete"), { { QStringLiteral("messageId"), messageId } }));
    QCOMPARE(phone->eventWith(QStringLiteral("deleted"), idKey, messageId)
                 .value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("reason"))
                 .toString(),
        QStringLiteral("user"));
    QVERIFY_OK(
        alice->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), messageId } }));

    phone.reset();
    const QJsonObject offline = laptop->event(QStringLiteral("presence"));
    QVERIFY(!offline.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("online"))
                 .toBool());
}

void tst_ServerProtocol::testSyncPagesAndSkipsWhatIsNotForTheDevice()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    for (int i = 0; i < 3; ++i) {
        QVERIFY_OK(alice->send(QStringLiteral("page-%1").arg(i), QStringLiteral("bob@cpm.example"),
            QStringLiteral("page")));
    }
    auto bob = connectAs(m_bobLaptop, false);
    QVERIFY(bob);
    const qint64 head = result(bob->request(QStringLiteral("whoami")))
                            .value(QLatin1StringView("head"))
                            .toInteger();
    QVERIFY(head >= 3);
    const QJsonObject page = result(bob->request(QStringLiteral("sync"),
        { { QStringLiteral("since"), head - 3 }, { QStringLiteral("limit"), 2 } }));
    QVERIFY(page.value(QLatin1StringView("more")).toBool());
    QCOMPARE(page.value(QLatin1StringView("next")).toInteger(), head - 1);
    QCOMPARE(page.value(QLatin1StringView("head")).toInteger(), head);
    const QJsonObject rest = result(bob->request(QStringLiteral("sync"),
        { { QStringLiteral("since"), head - 1 }, { QStringLiteral("limit"), 2 } }));
    QVERIFY(!rest.value(QLatin1StringView("more")).toBool());
    QCOMPARE(rest.value(QLatin1StringView("next")).toInteger(), head);

    // A device set to `none` is not sent incoming messages, but its position still moves on.
    QVERIFY_OK(bob->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), m_bobLaptop.id },
            { QStringLiteral("delivery"), QStringLiteral("none") } }));
    qint64 next = 0;
    const QList<QJsonObject> events = bob->syncAll(0, &next);
    for (const QJsonObject& e : events) {
        QVERIFY(e.value(QLatin1StringView("event")).toString() != QLatin1StringView("message"));
    }
    QVERIFY(next > head);
    QVERIFY_OK(bob->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), m_bobLaptop.id },
            { QStringLiteral("delivery"), QStringLiteral("full") } }));
}

void tst_ServerProtocol::testOtherUsersDataIsNotFound()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    const qint64 toCarol
        = result(alice->send(QStringLiteral("private-1"), QStringLiteral("carol@cpm.example"),
                     QStringLiteral("for Carol only")))
              .value(QLatin1StringView("messageId"))
              .toInteger();
    auto bob = connectAs(m_bobLaptop, false);
    QVERIFY(bob);
    for (const char* op : { "fetch", "read", "delete" }) {
        for (qint64 id : { toCarol, qint64(999999) }) {
            QCOMPARE(
                code(bob->request(QLatin1StringView(op), { { QStringLiteral("messageId"), id } })),
                codeName(ErrorCode::NotFound));
        }
    }
    for (qint64 id : { m_aliceLaptop.id, qint64(999999) }) {
        QCOMPARE(code(bob->request(QStringLiteral("devices.rename"),
                     { { QStringLiteral("deviceId"), id },
                         { QStringLiteral("name"), QStringLiteral("mine") } })),
            codeName(ErrorCode::NotFound));
        QCOMPARE(code(bob->request(QStringLiteral("devices.setDelivery"),
                     { { QStringLiteral("deviceId"), id },
                         { QStringLiteral("delivery"), QStringLiteral("none") } })),
            codeName(ErrorCode::NotFound));
        QCOMPARE(code(bob->request(
                     QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), id } })),
            codeName(ErrorCode::NotFound));
    }
    // Alice's device is untouched.
    const QJsonArray devices = result(alice->request(QStringLiteral("devices.list")))
                                   .value(QLatin1StringView("devices"))
                                   .toArray();
    QCOMPARE(devices.size(), 1);
    QCOMPARE(devices.at(0).toObject().value(QLatin1StringView("name")).toString(),
        QStringLiteral("alice-laptop"));
}

void tst_ServerProtocol::testRemoteSignOutRevokesTheToken()
{
    auto laptop = connectAs(m_aliceLaptop);
    QVERIFY(laptop);
    const Device tablet = registerNew(QStringLiteral("alice@cpm.example"),
        QStringLiteral("pw-alice"), QStringLiteral("alice-tablet"));
    QVERIFY(tablet.id > 0);
    laptop->clearEvents();
    auto tabletClient = connectAs(tablet);
    QVERIFY(tabletClient);

    QVERIFY_OK(laptop->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), tablet.id } }));
    QVERIFY(!tabletClient->event(QStringLiteral("signedOut")).isEmpty());
    QVERIFY(tabletClient->waitClosed());
    QCOMPARE(tabletClient->closeCode(), proto::close::SignedOut);
    // The tablet's registration is a `device` event too, and may reach the laptop after
    // clearEvents() (it is pushed beside the answer, on another connection).
    const QJsonObject removed
        = laptop->eventWith(QStringLiteral("device"), QLatin1StringView("removed"), true);
    QVERIFY(removed.value(QLatin1StringView("data"))
                .toObject()
                .value(QLatin1StringView("removed"))
                .toBool());
    QCOMPARE(removed.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("device"))
                 .toObject()
                 .value(QLatin1StringView("id"))
                 .toInteger(),
        tablet.id);

    WsClient again;
    QVERIFY(again.open(m_server.url()));
    QVERIFY(again.hello());
    QCOMPARE(code(again.login(tablet)), codeName(ErrorCode::DeviceSignedOut));
    const QJsonArray devices = result(laptop->request(QStringLiteral("devices.list")))
                                   .value(QLatin1StringView("devices"))
                                   .toArray();
    for (const QJsonValue& d : devices) {
        QVERIFY(d.toObject().value(QLatin1StringView("id")).toInteger() != tablet.id);
    }
}

void tst_ServerProtocol::testDisabledAccountIsRefused()
{
    auto erin = std::make_unique<WsClient>();
    QVERIFY(erin->open(m_server.url()));
    QVERIFY(erin->hello());
    const Device device = registerNew(QStringLiteral("erin@cpm.example"), QStringLiteral("pw-erin"),
        QStringLiteral("erin-1"), erin.get());
    QVERIFY(device.id > 0);
    erin->syncAll();

    QVERIFY(m_server.setUserEnabled(QStringLiteral("erin@cpm.example"), false));
    // Not one more write once `user disable` has returned: the next request finds the
    // connection closed (and a running server closes idle ones within a second).
    const QJsonObject late = erin->send(
        QStringLiteral("after-disable"), QStringLiteral("alice@cpm.example"), QStringLiteral("x"));
    QVERIFY2(result(late).isEmpty(), qPrintable(describe(late)));
    QVERIFY(erin->waitClosed());
    QCOMPARE(erin->closeCode(), 1008);
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    QVERIFY(c.hello());
    QCOMPARE(code(c.login(device)), codeName(ErrorCode::AccountDisabled));
    QCOMPARE(code(c.registerDevice(QStringLiteral("erin@cpm.example"), QStringLiteral("pw-erin"),
                 QStringLiteral("erin-2"))),
        codeName(ErrorCode::AccountDisabled));

    QVERIFY(m_server.setUserEnabled(QStringLiteral("erin@cpm.example"), true));
    QVERIFY_OK(c.login(device));
}

void tst_ServerProtocol::testLimitsCountCharactersAndLoneSurrogatesAreRefused()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    const QString bob = QStringLiteral("bob@cpm.example");
    // 256 emoji are 256 characters (512 UTF-16 units): the subject limit is met, not passed.
    QString emoji;
    for (int i = 0; i < lim::MaxSubjectChars; ++i) {
        emoji += QString::fromUcs4(U"\U0001F600", 1);
    }
    QVERIFY_OK(alice->send(QStringLiteral("emoji-256"), bob, QStringLiteral("hi"), emoji));
    QCOMPARE(code(alice->send(QStringLiteral("emoji-257"), bob, QStringLiteral("hi"),
                 emoji + QString::fromUcs4(U"\U0001F600", 1))),
        codeName(ErrorCode::BadRequest));

    // A lone surrogate is not text: refused, never stored as something else.
    for (const char* frame :
        { R"({"id":"s1","op":"send","args":{"clientId":"lone-1","to":"bob@cpm.example","body":"x\ud800y"}})",
            R"({"id":"s2","op":"send","args":{"clientId":"lone-2","to":"bob@cpm.example","body":"hi","subject":"x\udc00"}})",
            R"({"id":"s3","op":"status.set","args":{"status":"custom","text":"\ud83d"}})" }) {
        alice->sendText(frame);
        const QJsonObject r = alice->response(QJsonValue(QString::fromLatin1(frame).mid(7, 2)));
        QCOMPARE(code(r), codeName(ErrorCode::BadRequest));
        QVERIFY2(
            describe(r).contains(QLatin1StringView("lone surrogate")), qPrintable(describe(r)));
    }
    // Nothing was stored under the refused client id: a valid retry is a new message.
    const QJsonObject retry
        = result(alice->send(QStringLiteral("lone-1"), bob, QStringLiteral("xy")));
    QVERIFY(!retry.value(QLatin1StringView("duplicate")).toBool());
}

void tst_ServerProtocol::testDailyQuota()
{
    WsClient frank;
    QVERIFY(frank.open(m_server.url()));
    QVERIFY(frank.hello());
    QVERIFY(registerNew(QStringLiteral("frank@cpm.example"), QStringLiteral("pw-frank"),
                QStringLiteral("frank-1"), &frank)
                .id
        > 0);
    QVERIFY(m_server.setSetting(QStringLiteral("quota.dailyMessages"), QStringLiteral("2")));
    const QString to = QStringLiteral("alice@cpm.example");
    QVERIFY_OK(frank.send(QStringLiteral("q-1"), to, QStringLiteral("one")));
    QVERIFY_OK(frank.send(QStringLiteral("q-2"), to, QStringLiteral("two")));
    QCOMPARE(code(frank.send(QStringLiteral("q-3"), to, QStringLiteral("three"))),
        codeName(ErrorCode::QuotaExceeded));
    // A retry of a message already accepted is not a new message.
    QVERIFY(result(frank.send(QStringLiteral("q-2"), to, QStringLiteral("two")))
                .value(QLatin1StringView("duplicate"))
                .toBool());
    QVERIFY(m_server.setSetting(QStringLiteral("quota.dailyMessages"), QStringLiteral("0")));
    QVERIFY_OK(frank.send(QStringLiteral("q-3"), to, QStringLiteral("three")));
    QVERIFY(m_server.setSetting(QStringLiteral("quota.dailyMessages"), QStringLiteral("10000")));
}

void tst_ServerProtocol::testUndeliveredMessagesExpire()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    QVERIFY(m_server.setSetting(QStringLiteral("deferred.maxCount"), QStringLiteral("1")));
    // Carol has no device: everything sent to her is pending. Earlier tests left one.
    const qint64 older
        = result(alice->send(QStringLiteral("exp-1"), QStringLiteral("carol@cpm.example"),
                     QStringLiteral("will expire")))
              .value(QLatin1StringView("messageId"))
              .toInteger();
    const qint64 newer
        = result(alice->send(QStringLiteral("exp-2"), QStringLiteral("carol@cpm.example"),
                     QStringLiteral("will stay")))
              .value(QLatin1StringView("messageId"))
              .toInteger();
    QSet<qint64> expired;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            while (true) {
                const QJsonObject report = alice->event(QStringLiteral("report"), 0);
                if (report.isEmpty()) {
                    break;
                }
                const QJsonObject data = report.value(QLatin1StringView("data")).toObject();
                if (data.value(QLatin1StringView("status")).toString()
                    == QLatin1StringView("expired")) {
                    expired.insert(data.value(QLatin1StringView("messageId")).toInteger());
                }
            }
            return expired.contains(older);
        }(),
        Timeout);
    QVERIFY(!expired.contains(newer));
    const QJsonObject copy = result(
        alice->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), older } }));
    QCOMPARE(copy.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("expired"));
    QVERIFY(m_server.setSetting(QStringLiteral("deferred.maxCount"), QStringLiteral("1000")));
}

namespace {
const QLatin1StringView IdKey("messageId");

QJsonObject messageOf(const QJsonObject& event)
{
    return event.value(QLatin1StringView("data"))
        .toObject()
        .value(QLatin1StringView("message"))
        .toObject();
}
} // namespace

void tst_ServerProtocol::testSendingDeviceGetsItsOwnSentCopy()
{
    const Device ivan = registerNew(
        QStringLiteral("ivan@cpm.example"), QStringLiteral("pw-ivan"), QStringLiteral("ivan-1"));
    auto sender = connectAs(ivan);
    QVERIFY(sender);
    const qint64 id = result(sender->send(QStringLiteral("own-1"),
                                 QStringLiteral("judy@cpm.example"), QStringLiteral("hi judy")))
                          .value(QLatin1StringView("messageId"))
                          .toInteger();
    QVERIFY(id > 0);
    // The device that sent it gets the sentbox copy too: one code path for "a message of
    // mine appeared", whichever device wrote it.
    const QJsonObject copy = sender->event(QStringLiteral("message"));
    QCOMPARE(messageOf(copy).value(QLatin1StringView("id")).toInteger(), id);
    QCOMPARE(messageOf(copy).value(QLatin1StringView("folder")).toString(), QStringLiteral("sent"));
    QCOMPARE(
        messageOf(copy).value(QLatin1StringView("body")).toString(), QStringLiteral("hi judy"));
}

void tst_ServerProtocol::testRegisterSetsTheFirstPreferencesOnly()
{
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    QVERIFY(c.hello());
    auto registerWith = [&](const QString& delivery, bool notify) {
        return c.request(QStringLiteral("register"),
            { { QStringLiteral("address"), QStringLiteral("olivia@cpm.example") },
                { QStringLiteral("password"), QStringLiteral("pw-olivia") },
                { QStringLiteral("device"),
                    QJsonObject { { QStringLiteral("instanceId"), QStringLiteral("olivia-desk") },
                        { QStringLiteral("name"), QStringLiteral("Desk phone") },
                        { QStringLiteral("kind"), QStringLiteral("fixed") },
                        { QStringLiteral("delivery"), delivery },
                        { QStringLiteral("notifySessions"), notify } } } });
    };
    const QJsonObject first = result(registerWith(QStringLiteral("notification"), false));
    const QJsonObject device = first.value(QLatin1StringView("device")).toObject();
    QCOMPARE(
        device.value(QLatin1StringView("delivery")).toString(), QStringLiteral("notification"));
    QCOMPARE(device.value(QLatin1StringView("notifySessions")).toBool(), false);
    // Registering again is the same device: what the user chose since stays.
    WsClient again;
    QVERIFY(again.open(m_server.url()));
    QVERIFY(again.hello());
    const QJsonObject second = result(again.request(QStringLiteral("register"),
        { { QStringLiteral("address"), QStringLiteral("olivia@cpm.example") },
            { QStringLiteral("password"), QStringLiteral("pw-olivia") },
            { QStringLiteral("device"),
                QJsonObject { { QStringLiteral("instanceId"), QStringLiteral("olivia-desk") },
                    { QStringLiteral("name"), QStringLiteral("Desk phone") },
                    { QStringLiteral("kind"), QStringLiteral("fixed") },
                    { QStringLiteral("delivery"), QStringLiteral("none") } } } }));
    QCOMPARE(second.value(QLatin1StringView("deviceId")).toInteger(),
        first.value(QLatin1StringView("deviceId")).toInteger());
    QCOMPARE(second.value(QLatin1StringView("device"))
                 .toObject()
                 .value(QLatin1StringView("delivery"))
                 .toString(),
        QStringLiteral("notification"));
    // Without one, a device starts with the default, `full`.
    WsClient third;
    QVERIFY(third.open(m_server.url()));
    QVERIFY(third.hello());
    QCOMPARE(result(third.registerDevice(QStringLiteral("olivia@cpm.example"),
                        QStringLiteral("pw-olivia"), QStringLiteral("olivia-laptop")))
                 .value(QLatin1StringView("device"))
                 .toObject()
                 .value(QLatin1StringView("delivery"))
                 .toString(),
        QStringLiteral("full"));
}

void tst_ServerProtocol::testRegisteringAgainClosesTheOldConnection()
{
    const Device first = registerNew(QStringLiteral("olivia@cpm.example"),
        QStringLiteral("pw-olivia"), QStringLiteral("olivia-tablet"));
    auto old = connectAs(first);
    QVERIFY(old);
    // The same installation registers again (a copied profile, a reinstall): the earlier
    // connection speaks with a token that no longer works, and is told so.
    const Device second = registerNew(QStringLiteral("olivia@cpm.example"),
        QStringLiteral("pw-olivia"), QStringLiteral("olivia-tablet"));
    QCOMPARE(second.id, first.id);
    const QJsonObject signedOut = old->event(QStringLiteral("signedOut"));
    QVERIFY(signedOut.value(QLatin1StringView("data"))
                .toObject()
                .value(QLatin1StringView("reason"))
                .toString()
                .contains(QLatin1StringView("registered again")));
    QVERIFY(old->waitClosed());
    QCOMPARE(old->closeCode(), proto::close::SignedOut);
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    QVERIFY(c.hello());
    QCOMPARE(code(c.login(first)), codeName(ErrorCode::AuthFailed));
    QVERIFY_OK(c.login(second));
}

void tst_ServerProtocol::testSignOutSaysWhoDidIt()
{
    const QString peggy = QStringLiteral("peggy@cpm.example");
    const Device laptop
        = registerNew(peggy, QStringLiteral("pw-peggy"), QStringLiteral("peggy-laptop"));
    const Device phone
        = registerNew(peggy, QStringLiteral("pw-peggy"), QStringLiteral("peggy-phone"));
    auto laptopClient = connectAs(laptop);
    auto phoneClient = connectAs(phone);
    QVERIFY(laptopClient && phoneClient);

    QVERIFY_OK(laptopClient->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), phone.id } }));
    const QString otherReason = phoneClient->event(QStringLiteral("signedOut"))
                                    .value(QLatin1StringView("data"))
                                    .toObject()
                                    .value(QLatin1StringView("reason"))
                                    .toString();
    QVERIFY2(otherReason.contains(QLatin1StringView("another device"))
            && otherReason.contains(QLatin1StringView("peggy-laptop")),
        qPrintable(otherReason));
    // Signing out a device that is signed out already is done; changing it is not found.
    QVERIFY_OK(laptopClient->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), phone.id } }));
    QCOMPARE(code(laptopClient->request(QStringLiteral("devices.rename"),
                 { { QStringLiteral("deviceId"), phone.id },
                     { QStringLiteral("name"), QStringLiteral("gone") } })),
        codeName(ErrorCode::NotFound));

    QVERIFY_OK(laptopClient->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), laptop.id } }));
    const QString selfReason = laptopClient->event(QStringLiteral("signedOut"))
                                   .value(QLatin1StringView("data"))
                                   .toObject()
                                   .value(QLatin1StringView("reason"))
                                   .toString();
    QCOMPARE(selfReason, QStringLiteral("signed out by this device"));
    QVERIFY(laptopClient->waitClosed());
    QCOMPARE(laptopClient->closeCode(), proto::close::SignedOut);
}

void tst_ServerProtocol::testSecondReadIsQuietSecondDeleteIsNotFound()
{
    const Device ivan = registerNew(
        QStringLiteral("ivan@cpm.example"), QStringLiteral("pw-ivan"), QStringLiteral("ivan-2"));
    const Device judy = registerNew(
        QStringLiteral("judy@cpm.example"), QStringLiteral("pw-judy"), QStringLiteral("judy-1"));
    auto sender = connectAs(ivan);
    auto reader = connectAs(judy);
    QVERIFY(sender && reader);
    const qint64 id
        = result(sender->send(QStringLiteral("twice-1"), QStringLiteral("judy@cpm.example"),
                     QStringLiteral("read me twice")))
              .value(IdKey)
              .toInteger();
    QVERIFY(!reader->event(QStringLiteral("message")).isEmpty());
    QVERIFY_OK(reader->request(QStringLiteral("read"), { { QStringLiteral("messageId"), id } }));
    QVERIFY_OK(reader->request(QStringLiteral("read"), { { QStringLiteral("messageId"), id } }));
    // One flags event and one displayed report, whatever the number of reads. The barrier:
    // a ping answered after both reads, on each connection.
    QVERIFY_OK(reader->request(QStringLiteral("ping")));
    QVERIFY_OK(sender->request(QStringLiteral("ping")));
    QCOMPARE(reader->countWith(QStringLiteral("flags"), IdKey, id), 1);
    QCOMPARE(sender->countWith(QStringLiteral("report"), IdKey, id), 1);

    QVERIFY_OK(reader->request(QStringLiteral("delete"), { { QStringLiteral("messageId"), id } }));
    QCOMPARE(
        code(reader->request(QStringLiteral("delete"), { { QStringLiteral("messageId"), id } })),
        codeName(ErrorCode::NotFound));
    // Reading it now is not found either: it is no longer in Judy's storage.
    QCOMPARE(code(reader->request(QStringLiteral("read"), { { QStringLiteral("messageId"), id } })),
        codeName(ErrorCode::NotFound));
}

void tst_ServerProtocol::testReplayedMessagesCarryTheirCurrentState()
{
    const Device ivan = registerNew(
        QStringLiteral("ivan@cpm.example"), QStringLiteral("pw-ivan"), QStringLiteral("ivan-3"));
    const Device judy = registerNew(
        QStringLiteral("judy@cpm.example"), QStringLiteral("pw-judy"), QStringLiteral("judy-2"));
    auto sender = connectAs(ivan);
    auto reader = connectAs(judy);
    QVERIFY(sender && reader);
    const qint64 id = result(sender->send(QStringLiteral("replay-1"),
                                 QStringLiteral("judy@cpm.example"), QStringLiteral("and then")))
                          .value(IdKey)
                          .toInteger();
    QVERIFY_OK(reader->request(QStringLiteral("read"), { { QStringLiteral("messageId"), id } }));
    QVERIFY_OK(sender->request(QStringLiteral("ping")));
    // A device that syncs from the start gets the message event as the message is now.
    auto find = [id](const QList<QJsonObject>& events) {
        for (const QJsonObject& e : events) {
            if (e.value(QLatin1StringView("event")).toString() == QLatin1StringView("message")
                && messageOf(e).value(QLatin1StringView("id")).toInteger() == id) {
                return messageOf(e);
            }
        }
        return QJsonObject();
    };
    auto judyAgain = connectAs(judy, false);
    QVERIFY(judyAgain);
    QCOMPARE(find(judyAgain->syncAll()).value(QLatin1StringView("read")).toBool(), true);
    auto ivanAgain = connectAs(ivan, false);
    QVERIFY(ivanAgain);
    QCOMPARE(find(ivanAgain->syncAll()).value(QLatin1StringView("status")).toString(),
        QStringLiteral("displayed"));
}

void tst_ServerProtocol::testAckBeyondTheHeadIsClamped()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    const qint64 head = result(alice->request(QStringLiteral("whoami")))
                            .value(QLatin1StringView("head"))
                            .toInteger();
    QCOMPARE(result(alice->request(
                        QStringLiteral("ack"), { { QStringLiteral("seq"), 9007199254740991LL } }))
                 .value(QLatin1StringView("acked"))
                 .toInteger(),
        head);
    // And never moves back.
    QCOMPARE(result(alice->request(QStringLiteral("ack"), { { QStringLiteral("seq"), 0 } }))
                 .value(QLatin1StringView("acked"))
                 .toInteger(),
        head);
}

void tst_ServerProtocol::testAnAckNoticeIsCarriedOutUnanswered()
{
    // `hello` lists the operations a client may send without an id.
    WsClient fresh;
    QVERIFY(fresh.open(m_server.url()));
    QCOMPARE(result(fresh.request(QStringLiteral("hello"),
                        { { QStringLiteral("versions"), QJsonArray { 1 } } }))
                 .value(QLatin1StringView("notices"))
                 .toArray(),
        QJsonArray { QStringLiteral("ack") });

    const Device olivia = registerNew(QStringLiteral("olivia@cpm.example"),
        QStringLiteral("pw-olivia"), QStringLiteral("olivia-1"));
    const Device peggy = registerNew(
        QStringLiteral("peggy@cpm.example"), QStringLiteral("pw-peggy"), QStringLiteral("peggy-1"));
    auto sender = connectAs(olivia);
    auto receiver = connectAs(peggy);
    QVERIFY(sender && receiver);
    const qint64 messageId = result(sender->send(QStringLiteral("notice-1"),
                                        QStringLiteral("peggy@cpm.example"), QStringLiteral("hi")))
                                 .value(QLatin1StringView("messageId"))
                                 .toInteger();
    const qint64 seq
        = receiver->event(QStringLiteral("message")).value(QLatin1StringView("seq")).toInteger();
    QVERIFY(messageId > 0 && seq > 0);

    // Acknowledged by a notice: delivered (the sender hears it), and nothing answered.
    receiver->sendText(
        QByteArray(R"({"op":"ack","args":{"seq":)") + QByteArray::number(seq) + "}}");
    const QJsonObject report
        = sender->eventWith(QStringLiteral("report"), QLatin1StringView("messageId"), messageId);
    QCOMPARE(report.value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("delivered"));
    QVERIFY_OK(receiver->request(QStringLiteral("ping"))); // answered in order: after the ack
    QVERIFY(receiver->takeResponses(0).isEmpty());
    QByteArray devices;
    QVERIFY(m_server.runAdmin(
        { QStringLiteral("device"), QStringLiteral("list"), QStringLiteral("peggy@cpm.example") },
        &devices));
    QVERIFY(devices.contains(QByteArray(QByteArray("\"ackedSeq\":") + QByteArray::number(seq))));

    // A notice that fails is answered, with "id": null; only `ack` may be a notice.
    receiver->sendText(R"({"op":"ack","args":{"seq":"soon"}})");
    QList<QJsonObject> answers = receiver->takeResponses(1);
    QCOMPARE(answers.size(), 1);
    QVERIFY(answers.first().value(QLatin1StringView("id")).isNull());
    QCOMPARE(code(answers.first()), QStringLiteral("bad_request"));
    receiver->sendText(R"({"op":"ping"})");
    answers = receiver->takeResponses(1);
    QCOMPARE(answers.size(), 1);
    QVERIFY(answers.first().value(QLatin1StringView("id")).isNull());
    QCOMPARE(code(answers.first()), QStringLiteral("bad_frame"));
}

void tst_ServerProtocol::testASyncThatIsBehindPausesPushes()
{
    const Device mallory = registerNew(QStringLiteral("mallory@cpm.example"),
        QStringLiteral("pw-mallory"), QStringLiteral("mallory-1"));
    const Device niaj = registerNew(
        QStringLiteral("niaj@cpm.example"), QStringLiteral("pw-niaj"), QStringLiteral("niaj-1"));
    auto sender = connectAs(mallory);
    auto receiver = connectAs(niaj);
    QVERIFY(sender && receiver);
    for (int i = 0; i < 3; ++i) {
        QVERIFY_OK(sender->send(QStringLiteral("behind-%1").arg(i),
            QStringLiteral("niaj@cpm.example"), QStringLiteral("early")));
    }
    QVERIFY_OK(receiver->request(QStringLiteral("ping")));
    receiver->clearEvents();
    // Paging back from the start: the connection is behind, so nothing is pushed to it.
    const QJsonObject page = result(receiver->request(QStringLiteral("sync"),
        { { QStringLiteral("since"), 0 }, { QStringLiteral("limit"), 1 } }));
    QVERIFY(page.value(QLatin1StringView("more")).toBool());
    QVERIFY_OK(sender->send(
        QStringLiteral("behind-late"), QStringLiteral("niaj@cpm.example"), QStringLiteral("late")));
    QVERIFY_OK(receiver->request(QStringLiteral("ping"))); // after anything pushed meanwhile
    QVERIFY(!receiver->hasEvent(QStringLiteral("message")));
    // Caught up: the late message came with the sync, and pushes resume.
    bool lateInSync = false;
    for (const QJsonObject& e :
        receiver->syncAll(page.value(QLatin1StringView("next")).toInteger())) {
        lateInSync = lateInSync
            || messageOf(e).value(QLatin1StringView("body")).toString()
                == QLatin1StringView("late");
    }
    QVERIFY(lateInSync);
    QVERIFY_OK(sender->send(
        QStringLiteral("behind-live"), QStringLiteral("niaj@cpm.example"), QStringLiteral("live")));
    QCOMPARE(messageOf(receiver->event(QStringLiteral("message")))
                 .value(QLatin1StringView("body"))
                 .toString(),
        QStringLiteral("live"));
}

void tst_ServerProtocol::testOnlyDevicesMessagesReachMakeThemDelivered()
{
    const Device mallory = registerNew(QStringLiteral("mallory@cpm.example"),
        QStringLiteral("pw-mallory"), QStringLiteral("mallory-2"));
    const Device desk = registerNew(
        QStringLiteral("niaj@cpm.example"), QStringLiteral("pw-niaj"), QStringLiteral("niaj-desk"));
    const Device watch = registerNew(QStringLiteral("niaj@cpm.example"), QStringLiteral("pw-niaj"),
        QStringLiteral("niaj-watch"));
    auto sender = connectAs(mallory);
    auto deskClient = connectAs(desk);
    auto watchClient = connectAs(watch);
    QVERIFY(sender && deskClient && watchClient);
    QVERIFY_OK(deskClient->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), desk.id },
            { QStringLiteral("delivery"), QStringLiteral("none") } }));
    QVERIFY_OK(watchClient->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), watch.id },
            { QStringLiteral("delivery"), QStringLiteral("notification") } }));
    const qint64 id = result(sender->send(QStringLiteral("reach-1"),
                                 QStringLiteral("niaj@cpm.example"), QStringLiteral("reached?")))
                          .value(IdKey)
                          .toInteger();
    const qint64 head = result(deskClient->request(QStringLiteral("whoami")))
                            .value(QLatin1StringView("head"))
                            .toInteger();
    // The `none` device never got it: its ack delivers nothing.
    QVERIFY_OK(deskClient->request(QStringLiteral("ack"), { { QStringLiteral("seq"), head } }));
    QVERIFY_OK(sender->request(QStringLiteral("ping")));
    QCOMPARE(sender->countWith(QStringLiteral("report"), IdKey, id), 0);
    // The notification device got it (without its body): its ack does.
    QVERIFY_OK(watchClient->request(QStringLiteral("ack"), { { QStringLiteral("seq"), head } }));
    QCOMPARE(sender->eventWith(QStringLiteral("report"), IdKey, id)
                 .value(QLatin1StringView("data"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("delivered"));
}

void tst_ServerProtocol::testKillRightAfterAckLosesNothing()
{
    qint64 messageId = 0;
    qint64 seq = 0;
    {
        auto alice = connectAs(m_aliceLaptop);
        auto bob = connectAs(m_bobLaptop);
        QVERIFY(alice && bob);
        messageId
            = result(alice->send(QStringLiteral("durable-1"), QStringLiteral("bob@cpm.example"),
                         QStringLiteral("survives a crash")))
                  .value(QLatin1StringView("messageId"))
                  .toInteger();
        const QJsonObject event = bob->event(QStringLiteral("message"));
        seq = event.value(QLatin1StringView("seq")).toInteger();
        QVERIFY(seq > 0);
        QCOMPARE(result(bob->request(QStringLiteral("ack"), { { QStringLiteral("seq"), seq } }))
                     .value(QLatin1StringView("acked"))
                     .toInteger(),
            seq);
        m_server.kill(); // no chance to checkpoint or close anything
    }
    QVERIFY(m_server.restart());

    auto bob = connectAs(m_bobLaptop, false);
    QVERIFY(bob);
    const QJsonObject fetched = result(
        bob->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), messageId } }));
    QCOMPARE(fetched.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("body"))
                 .toString(),
        QStringLiteral("survives a crash"));
    QByteArray devices;
    QVERIFY(m_server.runAdmin(
        { QStringLiteral("device"), QStringLiteral("list"), QStringLiteral("bob@cpm.example") },
        &devices));
    bool acked = false;
    for (const QByteArray& line : devices.split('\n')) {
        const QJsonObject d = QJsonDocument::fromJson(line).object();
        if (d.value(QLatin1StringView("id")).toInteger() == m_bobLaptop.id) {
            acked = d.value(QLatin1StringView("ackedSeq")).toInteger() >= seq;
        }
    }
    QVERIFY(acked);

    auto alice = connectAs(m_aliceLaptop, false);
    QVERIFY(alice);
    const QJsonObject copy = result(
        alice->request(QStringLiteral("fetch"), { { QStringLiteral("messageId"), messageId } }));
    QCOMPARE(copy.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("status"))
                 .toString(),
        QStringLiteral("delivered"));
}

void tst_ServerProtocol::testShutdownCloses4003()
{
    auto alice = connectAs(m_aliceLaptop);
    QVERIFY(alice);
    m_server.stop();
    QVERIFY(alice->waitClosed());
    QCOMPARE(alice->closeCode(), proto::close::ServerShutdown);
    QVERIFY(m_server.start());
    QVERIFY(connectAs(m_aliceLaptop));
}

void tst_ServerProtocol::testDevicesPerUserAreCapped()
{
    const QString address = QStringLiteral("rupert@cpm.example");
    const QString password = QStringLiteral("pw-rupert");
    QVERIFY(m_server.setSetting(QStringLiteral("devices.maxPerUser"), QStringLiteral("2")));
    const Device first = registerNew(address, password, QStringLiteral("r-1"));
    const Device second = registerNew(address, password, QStringLiteral("r-2"));
    QVERIFY(first.id > 0 && second.id > 0);

    WsClient third;
    QVERIFY(third.open(m_server.url()) && third.hello());
    const QJsonObject refused = third.registerDevice(address, password, QStringLiteral("r-3"));
    QCOMPARE(code(refused), codeName(ErrorCode::LimitReached));
    // A device already signed in registers again: it is not one more.
    QCOMPARE(registerNew(address, password, QStringLiteral("r-1")).id, first.id);

    // Signing one out makes room, on the same connection that was refused.
    auto secondClient = connectAs(second, false);
    QVERIFY(secondClient);
    QVERIFY_OK(secondClient->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), first.id } }));
    QVERIFY(registerNew(address, password, QStringLiteral("r-3"), &third).id > 0);
    QCOMPARE(result(third.request(QStringLiteral("devices.list")))
                 .value(QLatin1StringView("devices"))
                 .toArray()
                 .size(),
        2);
    QVERIFY(m_server.setSetting(QStringLiteral("devices.maxPerUser"), QStringLiteral("100")));
}

void tst_ServerProtocol::testProfileStaysWithinItsByteBudget()
{
    // Contacts and preferences of the characters that grow the most when escaped, added
    // until the server says the budget is used up.
    const QString address = QStringLiteral("sybil@cpm.example");
    const QString password = QStringLiteral("pw-sybil");
    const Device laptop = registerNew(address, password, QStringLiteral("s-laptop"));
    auto sybil = connectAs(laptop);
    QVERIFY(sybil);
    const QString worstValue(lim::MaxPrefValueChars, QChar(1));
    const QString worstName(lim::MaxNameChars, QChar(1));
    int prefs = 0;
    int contacts = 0;
    QJsonObject refused;
    for (int i = 0; i < 1000; ++i) {
        refused = sybil->request(QStringLiteral("prefs.set"),
            { { QStringLiteral("key"), QStringLiteral("k%1").arg(i) },
                { QStringLiteral("value"), worstValue } });
        if (!code(refused).isEmpty()) {
            break;
        }
        ++prefs;
        refused = sybil->request(QStringLiteral("contacts.add"),
            { { QStringLiteral("address"), QStringLiteral("c%1@cpm.example").arg(i) },
                { QStringLiteral("name"), worstName } });
        if (!code(refused).isEmpty()) {
            break;
        }
        ++contacts;
    }
    QCOMPARE(code(refused), codeName(ErrorCode::LimitReached));
    QVERIFY(prefs > 10);

    // A new device reads all of it in one answer a client accepts.
    const Device phone = registerNew(address, password, QStringLiteral("s-phone"));
    auto phoneClient = connectAs(phone, false);
    QVERIFY(phoneClient);
    QVERIFY_OK(phoneClient->request(QStringLiteral("status.set"),
        { { QStringLiteral("status"), QStringLiteral("custom") },
            { QStringLiteral("text"), QString(lim::MaxStatusTextChars, QChar(1)) } }));
    const QJsonObject profile = result(phoneClient->request(QStringLiteral("profile.get")));
    QCOMPARE(profile.value(QLatin1StringView("prefs")).toObject().size(), prefs);
    QCOMPARE(profile.value(QLatin1StringView("contacts")).toArray().size(), contacts);
    QVERIFY2(phoneClient->largestFrameBytes() <= lim::MaxFrameBytes,
        qPrintable(QString::number(phoneClient->largestFrameBytes())));
    QVERIFY(phoneClient->largestFrameBytes() > lim::MaxProfileBytes - 32 * 1024);

    // Changing what is there to something smaller works; removing makes room.
    QVERIFY_OK(phoneClient->request(QStringLiteral("prefs.set"),
        { { QStringLiteral("key"), QStringLiteral("k0") },
            { QStringLiteral("value"), QString() } }));
    QVERIFY_OK(phoneClient->request(QStringLiteral("contacts.remove"),
        { { QStringLiteral("address"), QStringLiteral("c0@cpm.example") } }));
    QVERIFY_OK(phoneClient->request(QStringLiteral("contacts.add"),
        { { QStringLiteral("address"), QStringLiteral("new@cpm.example") },
            { QStringLiteral("name"), worstName } }));
}

void tst_ServerProtocol::testStatusIsSharedWithContactsOnly()
{
    // Hana shares her status with the people in her contacts, and with nobody else: Uma,
    // whom she adds, sees it (asked for, and live); Victor, whom she does not, never does,
    // and cannot tell her from an address with no account.
    for (const char* name : { "hana", "uma", "victor" }) {
        const QString n = QLatin1StringView(name);
        QVERIFY(m_server.addUser(n + QStringLiteral("@cpm.example"), QStringLiteral("pw-") + n));
    }
    const QString hanaAddress = QStringLiteral("hana@cpm.example");
    auto hana
        = connectAs(registerNew(hanaAddress, QStringLiteral("pw-hana"), QStringLiteral("h1")));
    auto ivan = connectAs(registerNew(
        QStringLiteral("uma@cpm.example"), QStringLiteral("pw-uma"), QStringLiteral("i1")));
    auto judy = connectAs(registerNew(
        QStringLiteral("victor@cpm.example"), QStringLiteral("pw-victor"), QStringLiteral("j1")));
    QVERIFY(hana && ivan && judy);
    const auto ask = [&](WsClient& who, const QStringList& addresses) {
        return result(
            who.request(QStringLiteral("status.peers"),
                { { QStringLiteral("addresses"), QJsonArray::fromStringList(addresses) } }))
            .value(QLatin1StringView("statuses"))
            .toArray();
    };
    const QStringList both { hanaAddress, QStringLiteral("nobody@cpm.example") };
    QVERIFY(ask(*ivan, both).isEmpty());

    QVERIFY_OK(hana->request(QStringLiteral("status.set"),
        { { QStringLiteral("status"), QStringLiteral("busy") },
            { QStringLiteral("text"), QStringLiteral("In a meeting") } }));
    QVERIFY_OK(hana->request(QStringLiteral("contacts.add"),
        { { QStringLiteral("address"), QStringLiteral("uma@cpm.example") } }));
    // Uma is told at once, and asking says the same.
    QJsonObject told
        = ivan->event(QStringLiteral("peer.status")).value(QLatin1StringView("data")).toObject();
    QCOMPARE(told.value(QLatin1StringView("address")).toString(), hanaAddress);
    QCOMPARE(told.value(QLatin1StringView("status")).toString(), QStringLiteral("busy"));
    const QJsonArray seen = ask(*ivan, { QStringLiteral("HANA@cpm.example") });
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.at(0).toObject().value(QLatin1StringView("text")).toString(),
        QStringLiteral("In a meeting"));
    QVERIFY(ask(*judy, both).isEmpty());

    // A change reaches Uma live; Victor hears nothing.
    QVERIFY_OK(hana->request(
        QStringLiteral("status.set"), { { QStringLiteral("status"), QStringLiteral("away") } }));
    told = ivan->event(QStringLiteral("peer.status")).value(QLatin1StringView("data")).toObject();
    QCOMPARE(told.value(QLatin1StringView("status")).toString(), QStringLiteral("away"));
    QVERIFY(judy->event(QStringLiteral("peer.status"), 300).isEmpty());

    // Removed from her contacts, Uma is told it is no longer shared, and it is not.
    QVERIFY_OK(hana->request(QStringLiteral("contacts.remove"),
        { { QStringLiteral("address"), QStringLiteral("uma@cpm.example") } }));
    told = ivan->event(QStringLiteral("peer.status")).value(QLatin1StringView("data")).toObject();
    QCOMPARE(told.value(QLatin1StringView("address")).toString(), hanaAddress);
    QVERIFY(told.value(QLatin1StringView("status")).isNull());
    QVERIFY(ask(*ivan, both).isEmpty());

    // Bad requests are refused whole.
    QStringList tooMany;
    for (int i = 0; i <= lim::MaxStatusPeers; ++i) {
        tooMany.append(QStringLiteral("u%1@cpm.example").arg(i));
    }
    for (const QJsonValue& addresses : { QJsonValue(QJsonArray::fromStringList(tooMany)),
             QJsonValue(QJsonArray { QStringLiteral("not an address") }), QJsonValue(7) }) {
        QCOMPARE(code(ivan->request(QStringLiteral("status.peers"),
                     { { QStringLiteral("addresses"), addresses } })),
            codeName(ErrorCode::BadRequest));
    }
}

void tst_ServerProtocol::testRecentAnswersTheNewestMessagesInTheDevicesView()
{
    const QString trent = QStringLiteral("trent@cpm.example");
    const QString vanna = QStringLiteral("vanna@cpm.example");
    const QString walter = QStringLiteral("walter@cpm.example");
    auto t = connectAs(registerNew(trent, QStringLiteral("pw-trent"), QStringLiteral("t-desk")));
    auto v = connectAs(registerNew(vanna, QStringLiteral("pw-vanna"), QStringLiteral("v-desk")));
    auto w = connectAs(registerNew(walter, QStringLiteral("pw-walter"), QStringLiteral("w-desk")));
    QVERIFY(t && v && w);
    qint64 third = 0;
    for (int i = 1; i <= 3; ++i) {
        const QJsonObject sent = result(v->send(QStringLiteral("recent-v%1").arg(i), trent,
            QStringLiteral("body %1").arg(i), QStringLiteral("s %1").arg(i)));
        third = sent.value(QLatin1StringView("messageId")).toInteger();
        QVERIFY(third > 0);
    }
    QVERIFY_OK(t->send(QStringLiteral("recent-t1"), vanna, QStringLiteral("answer")));
    QVERIFY_OK(w->send(QStringLiteral("recent-w1"), vanna, QStringLiteral("not Trent's")));

    // A device that has not synced at all asks for the newest first.
    const Device fresh = registerNew(trent, QStringLiteral("pw-trent"), QStringLiteral("t-new"));
    auto n = connectAs(fresh, false);
    QVERIFY(n);
    const auto bodies = [](const QJsonObject& r) {
        QStringList out;
        for (const QJsonValue& m : r.value(QLatin1StringView("messages")).toArray()) {
            out.append(m.toObject().value(QLatin1StringView("body")).toString());
        }
        return out;
    };
    QJsonObject r
        = result(n->request(QStringLiteral("recent"), { { QStringLiteral("limit"), 3 } }));
    QCOMPARE(bodies(r),
        (QStringList { QStringLiteral("body 2"), QStringLiteral("body 3"),
            QStringLiteral("answer") })); // oldest first
    QCOMPARE(r.value(QLatin1StringView("messages"))
                 .toArray()
                 .last()
                 .toObject()
                 .value(QLatin1StringView("folder")),
        QJsonValue(QStringLiteral("sent")));
    QVERIFY(r.value(QLatin1StringView("more")).toBool());
    r = result(n->request(QStringLiteral("recent")));
    QCOMPARE(bodies(r).size(), 4);
    QVERIFY(!r.value(QLatin1StringView("more")).toBool());

    // What was deleted is not answered.
    QVERIFY_OK(t->request(QStringLiteral("delete"), { { QStringLiteral("messageId"), third } }));
    QVERIFY(
        !bodies(result(n->request(QStringLiteral("recent")))).contains(QStringLiteral("body 3")));

    for (const int limit : { 0, 501 }) { // 1 to 500
        QCOMPARE(code(n->request(QStringLiteral("recent"), { { QStringLiteral("limit"), limit } })),
            QStringLiteral("bad_request"));
    }

    // A notification-only device gets what it would get in the stream: no incoming bodies.
    QVERIFY_OK(t->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), fresh.id },
            { QStringLiteral("delivery"), QStringLiteral("notification") } }));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QJsonObject page = result(n->request(QStringLiteral("recent")));
            for (const QJsonValue& m : page.value(QLatin1StringView("messages")).toArray()) {
                const QJsonObject o = m.toObject();
                const bool incoming
                    = o.value(QLatin1StringView("folder")) == QJsonValue(QStringLiteral("inbox"));
                if (incoming != o.value(QLatin1StringView("partial")).toBool()
                    || incoming != o.value(QLatin1StringView("body")).isNull()) {
                    return false;
                }
            }
            return true;
        }(),
        5000);
}

QTEST_GUILESS_MAIN(tst_ServerProtocol)
#include "tst_serverprotocol.moc"
