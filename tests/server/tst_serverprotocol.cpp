// SPDX-License-Identifier: GPL-3.0-or-later
// docs/protocol.md against a real cpm-server, through a raw WebSocket: every malformed
// frame gets its documented code, abuse closes the connection, sign-in failures, the
// rights checks, idempotent send, delivery by preference, group commit of pipelined
// requests, and durability across SIGKILL.

#include "error.h"
#include "failonwarning.h"
#include "protocol.h"
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>
#include <QtTest>

using cpm::ErrorCode;
using cpm::test::TestServer;
namespace proto = cpm::protocol;

namespace {

constexpr int Timeout = 15000; // generous: Argon2 is slow under sanitizers

QString codeName(ErrorCode code) { return QString(cpm::Error::name(code)); }

//! What came instead of a result, for a failure message.
QString describe(const QJsonObject& response)
{
    if (response.isEmpty()) {
        return QStringLiteral("no answer: the request timed out or the connection closed");
    }
    return QString::fromUtf8(QJsonDocument(response).toJson(QJsonDocument::Compact)).left(300);
}

// A request that must succeed: a `result` came (not an error, and not silence or a close,
// which an empty-error comparison would let pass).
#define QVERIFY_OK(response)                                                                       \
    do {                                                                                           \
        const QJsonObject answer_ = (response);                                                    \
        QVERIFY2(answer_.contains(QLatin1StringView("result")), qPrintable(describe(answer_)));    \
    } while (false)

QString code(const QJsonObject& response)
{
    return response.value(QLatin1StringView("error"))
        .toObject()
        .value(QLatin1StringView("code"))
        .toString();
}

QJsonObject result(const QJsonObject& response)
{
    return response.value(QLatin1StringView("result")).toObject();
}

//! The sign-in of one registered device.
struct Device {
    QString address;
    QString password;
    qint64 id = 0;
    QString token;
};

//! A bare protocol client: sends what it is told and keeps what arrives, in order.
class WsClient final : public QObject {
    Q_OBJECT

public:
    explicit WsClient(QObject* parent = nullptr)
        : QObject(parent)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString& text) {
            const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
            if (o.contains(QLatin1StringView("event"))) {
                m_events.append(o);
            } else {
                m_responses.append(o);
            }
        });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
    }

    bool open(const QUrl& url)
    {
        m_socket.open(url);
        return QTest::qWaitFor(
                   [this] {
                       return m_socket.state() == QAbstractSocket::ConnectedState || m_closed;
                   },
                   Timeout)
            && !m_closed;
    }
    void sendText(const QByteArray& text) { m_socket.sendTextMessage(QString::fromUtf8(text)); }
    void sendBinary(const QByteArray& data) { m_socket.sendBinaryMessage(data); }

    //! Sends a request and waits for its response (an empty object on timeout).
    QJsonObject request(const QString& op, const QJsonObject& args = {})
    {
        const qint64 id = ++m_nextId;
        QJsonObject frame { { QStringLiteral("id"), id }, { QStringLiteral("op"), op } };
        if (!args.isEmpty()) {
            frame.insert(QStringLiteral("args"), args);
        }
        sendText(QJsonDocument(frame).toJson(QJsonDocument::Compact));
        return response(QJsonValue(id));
    }
    //! The next response with \a id, or any response when \a id is undefined.
    QJsonObject response(const QJsonValue& id = QJsonValue(QJsonValue::Undefined))
    {
        QJsonObject found;
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_responses.size(); ++i) {
                    if (id.isUndefined()
                        || m_responses.at(i).value(QLatin1StringView("id")) == id) {
                        found = m_responses.takeAt(i);
                        return true;
                    }
                }
                return m_closed;
            },
            Timeout);
        return found;
    }
    //! Takes the first event named \a name that arrives (an empty object on timeout).
    QJsonObject event(const QString& name, int timeout = Timeout)
    {
        QJsonObject found;
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_events.size(); ++i) {
                    if (m_events.at(i).value(QLatin1StringView("event")).toString() == name) {
                        found = m_events.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            timeout);
        return found;
    }
    //! Takes the first event named \a name whose data has \a key == \a value.
    QJsonObject eventWith(const QString& name, QLatin1StringView key, const QJsonValue& value)
    {
        QJsonObject found;
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_events.size(); ++i) {
                    const QJsonObject& e = m_events.at(i);
                    if (e.value(QLatin1StringView("event")).toString() == name
                        && e.value(QLatin1StringView("data")).toObject().value(key) == value) {
                        found = m_events.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            Timeout);
        return found;
    }
    //! How many events named \a name with \a key == \a value have arrived and wait.
    qsizetype countWith(const QString& name, QLatin1StringView key, const QJsonValue& value) const
    {
        return std::count_if(m_events.cbegin(), m_events.cend(), [&](const QJsonObject& e) {
            return e.value(QLatin1StringView("event")).toString() == name
                && e.value(QLatin1StringView("data")).toObject().value(key) == value;
        });
    }
    bool hasEvent(const QString& name) const
    {
        return std::any_of(m_events.cbegin(), m_events.cend(), [&](const QJsonObject& e) {
            return e.value(QLatin1StringView("event")).toString() == name;
        });
    }
    bool waitClosed()
    {
        return QTest::qWaitFor([this] { return m_closed; }, Timeout);
    }
    int closeCode() const { return m_socket.closeCode(); }

    bool hello()
    {
        return !request(QStringLiteral("hello"),
            { { QStringLiteral("versions"), QJsonArray { 1 } },
                { QStringLiteral("client"), QStringLiteral("tst_serverprotocol") } })
                    .value(QLatin1StringView("result"))
                    .isUndefined();
    }
    QJsonObject login(const Device& d)
    {
        return request(QStringLiteral("login"),
            { { QStringLiteral("address"), d.address }, { QStringLiteral("deviceId"), d.id },
                { QStringLiteral("token"), d.token } });
    }
    QJsonObject registerDevice(const QString& address, const QString& password,
        const QString& instanceId, const QString& kind = QStringLiteral("laptop"))
    {
        return request(QStringLiteral("register"),
            { { QStringLiteral("address"), address }, { QStringLiteral("password"), password },
                { QStringLiteral("device"),
                    QJsonObject { { QStringLiteral("instanceId"), instanceId },
                        { QStringLiteral("name"), instanceId }, { QStringLiteral("kind"), kind },
                        { QStringLiteral("capabilities"),
                            QJsonArray { QStringLiteral("text") } } } } });
    }
    //! Syncs from \a since until `more` is false (the connection is then live).
    QList<QJsonObject> syncAll(qint64 since = 0, qint64* next = nullptr)
    {
        QList<QJsonObject> events;
        for (int round = 0; round < 100; ++round) {
            const QJsonObject r
                = result(request(QStringLiteral("sync"), { { QStringLiteral("since"), since } }));
            const QJsonArray batch = r.value(QLatin1StringView("events")).toArray();
            for (const QJsonValue& e : batch) {
                events.append(e.toObject());
            }
            since = r.value(QLatin1StringView("next")).toInteger();
            if (!r.value(QLatin1StringView("more")).toBool()) {
                break;
            }
        }
        if (next) {
            *next = since;
        }
        return events;
    }
    QJsonObject send(const QString& clientId, const QString& to, const QString& body,
        const QString& subject = {})
    {
        QJsonObject args { { QStringLiteral("clientId"), clientId }, { QStringLiteral("to"), to },
            { QStringLiteral("body"), body } };
        if (!subject.isEmpty()) {
            args.insert(QStringLiteral("subject"), subject);
        }
        return request(QStringLiteral("send"), args);
    }
    void clearEvents() { m_events.clear(); }
    //! Sends a request without waiting for its answer; returns its id.
    qint64 post(const QString& op, const QJsonObject& args = {})
    {
        const qint64 id = ++m_nextId;
        sendText(QJsonDocument(QJsonObject { { QStringLiteral("id"), id },
                                   { QStringLiteral("op"), op }, { QStringLiteral("args"), args } })
                     .toJson(QJsonDocument::Compact));
        return id;
    }
    //! Waits until \a count responses have arrived, then takes them in arrival order.
    QList<QJsonObject> takeResponses(qsizetype count)
    {
        [[maybe_unused]] const bool arrived
            = QTest::qWaitFor([&] { return m_responses.size() >= count || m_closed; }, Timeout);
        return std::exchange(m_responses, {});
    }
    //! Waits until \a count events named \a name have arrived, then takes them in order.
    QList<QJsonObject> takeEvents(const QString& name, qsizetype count)
    {
        auto named = [&] {
            QList<QJsonObject> out;
            for (const QJsonObject& e : std::as_const(m_events)) {
                if (e.value(QLatin1StringView("event")).toString() == name) {
                    out.append(e);
                }
            }
            return out;
        };
        [[maybe_unused]] const bool arrived
            = QTest::qWaitFor([&] { return named().size() >= count || m_closed; }, Timeout);
        const QList<QJsonObject> out = named();
        m_events.removeIf([&](const QJsonObject& e) {
            return e.value(QLatin1StringView("event")).toString() == name;
        });
        return out;
    }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_events;
    QList<QJsonObject> m_responses;
    qint64 m_nextId = 0;
    bool m_closed = false;
};

} // namespace

class tst_ServerProtocol : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void testHandshakeNegotiatesVersion1();
    void testMalformedFramesGetTheDocumentedCode_data();
    void testMalformedFramesGetTheDocumentedCode();
    void testOversizeTransportFrameCloses1009();
    void testRepeatedAbuseCloses4002AndKeepsData();
    void testWrongCredentialsFailAlike();
    void testRepeatedFailuresAreThrottled();
    void testIdempotentSend();
    void testPipelinedRequestsAreAnsweredOnceInOrderAndStored();
    void testDeliveryFollowsEachDevicesPreference();
    void testSyncPagesAndSkipsWhatIsNotForTheDevice();
    void testOtherUsersDataIsNotFound();
    void testRemoteSignOutRevokesTheToken();
    void testDisabledAccountIsRefused();
    void testDailyQuota();
    void testUndeliveredMessagesExpire();
    void testKillRightAfterAckLosesNothing();
    void testShutdownCloses4003();

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
        { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi" }) {
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

void tst_ServerProtocol::testRepeatedFailuresAreThrottled()
{
    QVERIFY(m_server.setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("3")));
    WsClient c;
    QVERIFY(c.open(m_server.url()));
    QVERIFY(c.hello());
    const Device wrong { QStringLiteral("dave@cpm.example"), {}, 1,
        QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") };
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(code(c.login(wrong)), codeName(ErrorCode::AuthFailed));
    }
    const QJsonObject throttled = c.login(wrong);
    QCOMPARE(code(throttled), codeName(ErrorCode::Throttled));
    const int retryAfter = throttled.value(QLatin1StringView("error"))
                               .toObject()
                               .value(QLatin1StringView("retryAfter"))
                               .toInt();
    QVERIFY2(retryAfter > 0 && retryAfter <= 300, qPrintable(QString::number(retryAfter)));
    // The right password does not help while throttled, and the check costs no Argon2.
    QCOMPARE(code(c.registerDevice(QStringLiteral("dave@cpm.example"), QStringLiteral("pw-dave"),
                 QStringLiteral("dave-1"))),
        codeName(ErrorCode::Throttled));
    // Other addresses are unaffected.
    QVERIFY_OK(c.login(m_bobLaptop));
    QVERIFY(m_server.setSetting(QStringLiteral("login.maxFailures"), QStringLiteral("5")));
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
    const QJsonObject removed = laptop->event(QStringLiteral("device"));
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
    // A running server notices within a second and closes the user's connections.
    QVERIFY(erin->waitClosed());
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

QTEST_GUILESS_MAIN(tst_ServerProtocol)
#include "tst_serverprotocol.moc"
