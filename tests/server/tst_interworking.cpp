// SPDX-License-Identifier: GPL-3.0-or-later
// Interworking with legacy services (issue 11, MSG-7, MSG-8; seed 000): a real cpm-server
// whose gateways are a real SMTP server (aiosmtpd) and an HTTP SMS gateway, both on loopback
// and started here. Alice is away from CPM; her preference and her registration in a legacy
// network (`cpm-server legacy register`, the HSS/HLR stand-in) decide what happens to what
// Bob sends her: kept until she is back (R2), or converted and delivered by e-mail or SMS
// (R1) and still kept for her return.

#include "failonwarning.h"
#include "legacysinks.h"
#include "model.h"
#include "protocol.h"
#include "testserver.h"
#include "wsclient.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

using namespace cpm::test;

namespace {
constexpr int WaitMs = 30000;
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
const QString Carol = QStringLiteral("carol@cpm.example");
const QString Dave = QStringLiteral("dave@cpm.example");
const QString AliceMail = QStringLiteral("alice@mail.example");
const QString DavePhone = QStringLiteral("+4915112345678");

QJsonObject dataOf(const QJsonObject& event)
{
    return event.value(QLatin1StringView("data")).toObject();
}
} // namespace

class tst_Interworking : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init() { failOnWarnings(); }
    void cleanup();

    void testInterworkingPreferencesAreChecked();
    void testAwayUserGetsTheMessageByEmailAndOnHerReturn();
    void testGatewayDownRetriesThenDeliversOnce();
    void testReturnToCpmCallsOffAPendingConversion();
    void testKeepUntilBackSendsNothing();
    void testOperatorSwitchOffSendsNothing();
    void testSmsSegmentsArriveInOrder();
    void testAConnectedRecipientDoesNotHoldUpOthers();

private:
    std::unique_ptr<WsClient> connectAs(const Device& device);
    Device registerNew(const QString& address, const QString& instance);
    bool setPref(const Device& device, const QString& key, const QString& value);
    //! `legacy list` as JSON objects.
    QList<QJsonObject> legacyList(const QString& address = {});
    //! The deliveries of message \a messageId in `legacy list`.
    QList<QJsonObject> deliveriesOf(qint64 messageId);
    //! Sends from Bob's connection \a bob; the message id.
    qint64 send(WsClient& bob, const QString& to, const QString& body, const QString& subject = {},
        const QJsonArray& attachments = {});

    TestServer m_server;
    SmtpSink m_smtp;
    quint16 m_smtpPort = 0;
    SmsGatewaySink m_sms;
    Device m_alice;
    Device m_bob;
    Device m_carol;
    Device m_dave;
    int m_sent = 0;
};

std::unique_ptr<WsClient> tst_Interworking::connectAs(const Device& device)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(m_server.url()) || !client->hello()
        || result(client->login(device)).isEmpty()) {
        return nullptr;
    }
    client->syncAll(); // live from here on
    return client;
}

Device tst_Interworking::registerNew(const QString& address, const QString& instance)
{
    WsClient c;
    if (!c.open(m_server.url()) || !c.hello()) {
        return {};
    }
    const QString password = QStringLiteral("pw-") + address.section(u'@', 0, 0);
    if (!m_server.addUser(address, password)) {
        return {};
    }
    const QJsonObject r = result(c.registerDevice(address, password, instance));
    return { address, password, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
}

bool tst_Interworking::setPref(const Device& device, const QString& key, const QString& value)
{
    auto c = connectAs(device);
    return c
        && c->request(QStringLiteral("prefs.set"),
                { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } })
               .contains(QLatin1StringView("result"));
}

QList<QJsonObject> tst_Interworking::legacyList(const QString& address)
{
    QByteArray output;
    QStringList args { QStringLiteral("legacy"), QStringLiteral("list") };
    if (!address.isEmpty()) {
        args.append(address);
    }
    if (!m_server.runAdmin(args, &output)) {
        qCritical("cpm-server legacy list failed");
        return {};
    }
    QList<QJsonObject> out;
    for (const QByteArray& line : output.split('\n')) {
        if (!line.trimmed().isEmpty()) {
            out.append(QJsonDocument::fromJson(line).object());
        }
    }
    return out;
}

QList<QJsonObject> tst_Interworking::deliveriesOf(qint64 messageId)
{
    QList<QJsonObject> out;
    for (const QJsonObject& o : legacyList()) {
        if (o.contains(QLatin1StringView("delivery"))
            && o.value(QLatin1StringView("messageId")).toInteger() == messageId) {
            out.append(o);
        }
    }
    return out;
}

qint64 tst_Interworking::send(WsClient& bob, const QString& to, const QString& body,
    const QString& subject, const QJsonArray& attachments)
{
    QJsonObject args { { QStringLiteral("clientId"), QStringLiteral("iw-%1").arg(++m_sent) },
        { QStringLiteral("to"), to }, { QStringLiteral("body"), body },
        { QStringLiteral("subject"), subject } };
    if (!attachments.isEmpty()) {
        args.insert(QStringLiteral("attachments"), attachments);
    }
    return result(bob.request(QStringLiteral("send"), args))
        .value(QLatin1StringView("messageId"))
        .toInteger();
}

void tst_Interworking::initTestCase()
{
    // The SMTP server's port is fixed before the server starts: tests stop and start it.
    m_smtpPort = freeLoopbackPort();
    QVERIFY(m_smtpPort != 0);
    QVERIFY(m_sms.listen());
    m_server.setExtraArguments({ QStringLiteral("--smtp"),
        QStringLiteral("smtp://127.0.0.1:%1").arg(m_smtpPort), QStringLiteral("--smtp-from"),
        QStringLiteral("cpm@cpm.example"), QStringLiteral("--sms-gateway"), m_sms.url().toString(),
        QStringLiteral("--sms-from"), QStringLiteral("CPM") });
    QVERIFY(m_server.start());
    m_alice = registerNew(Alice, QStringLiteral("alice-phone"));
    m_bob = registerNew(Bob, QStringLiteral("bob-laptop"));
    m_carol = registerNew(Carol, QStringLiteral("carol-phone"));
    m_dave = registerNew(Dave, QStringLiteral("dave-phone"));
    QVERIFY(m_alice.id > 0 && m_bob.id > 0 && m_carol.id > 0 && m_dave.id > 0);
    QVERIFY(m_server.setSetting(QStringLiteral("interworking.enabled"), QStringLiteral("1")));
    QVERIFY(m_server.setSetting(QStringLiteral("interworking.retrySeconds"), QStringLiteral("1")));

    // Alice (seed 000 §7.1.7 step 2): deliver through the legacy network while away; she
    // is registered in one with e-mail now (step 4). Dave: the same with SMS. Carol: keep.
    QVERIFY(setPref(m_alice, QStringLiteral("whenAway"), QStringLiteral("legacy")));
    QVERIFY(setPref(m_alice, QStringLiteral("legacyEmail"), AliceMail));
    QVERIFY(m_server.runAdmin({ QStringLiteral("legacy"), QStringLiteral("register"), Alice,
        QStringLiteral("--network"), QStringLiteral("email") }));
    QVERIFY(setPref(m_dave, QStringLiteral("whenAway"), QStringLiteral("both")));
    QVERIFY(setPref(m_dave, QStringLiteral("legacyPhone"), DavePhone));
    QVERIFY(m_server.runAdmin({ QStringLiteral("legacy"), QStringLiteral("register"), Dave,
        QStringLiteral("--network"), QStringLiteral("sms") }));
    QVERIFY(setPref(m_carol, QStringLiteral("legacyEmail"), QStringLiteral("carol@mail.example")));
    QVERIFY(m_server.runAdmin({ QStringLiteral("legacy"), QStringLiteral("register"), Carol,
        QStringLiteral("--network"), QStringLiteral("email") }));
    const QList<QJsonObject> registrations = legacyList();
    QCOMPARE(
        std::count_if(registrations.cbegin(), registrations.cend(),
            [](const QJsonObject& o) { return o.contains(QLatin1StringView("registration")); }),
        3);
}

void tst_Interworking::cleanupTestCase()
{
    m_smtp.stop();
    m_server.stop();
}

void tst_Interworking::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
}

void tst_Interworking::testInterworkingPreferencesAreChecked()
{
    auto alice = connectAs(m_alice);
    QVERIFY(alice);
    const auto set = [&](const QString& key, const QString& value) {
        return code(alice->request(QStringLiteral("prefs.set"),
            { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } }));
    };
    QCOMPARE(set(QStringLiteral("whenAway"), QStringLiteral("sometimes")),
        QStringLiteral("bad_request"));
    QCOMPARE(set(QStringLiteral("legacyEmail"), QStringLiteral("not an address")),
        QStringLiteral("bad_request"));
    QCOMPARE(
        set(QStringLiteral("legacyPhone"), QStringLiteral("12")), QStringLiteral("bad_request"));
    QCOMPARE(set(QStringLiteral("legacyPhone"), QStringLiteral("+33 6 12")),
        QStringLiteral("bad_request"));
    // Nothing changed.
    const QJsonObject prefs = result(alice->request(QStringLiteral("profile.get")))
                                  .value(QLatin1StringView("prefs"))
                                  .toObject();
    QCOMPARE(prefs.value(QLatin1StringView("whenAway")).toString(), QStringLiteral("legacy"));
    QCOMPARE(prefs.value(QLatin1StringView("legacyEmail")).toString(), AliceMail);
}

// Seed 000 §7.1.7, the normal flow: Alice is away from CPM, registered with e-mail; Bob's
// message with a picture reaches her by e-mail, Bob sees "delivered by e-mail", and when
// Alice is back on CPM the message is there, marked as delivered by e-mail.
void tst_Interworking::testAwayUserGetsTheMessageByEmailAndOnHerReturn()
{
    QVERIFY(m_smtp.start(m_smtpPort));
    auto bob = connectAs(m_bob);
    QVERIFY(bob);

    QByteArray picture(40000, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32*>(picture.data()), picture.size() / 4);
    const QJsonObject begun = bob->request(QStringLiteral("attachment.begin"),
        { { QStringLiteral("name"), QStringLiteral("beach.jpg") },
            { QStringLiteral("type"), QStringLiteral("image/jpeg") },
            { QStringLiteral("size"), picture.size() },
            { QStringLiteral("sha256"),
                QString::fromLatin1(
                    QCryptographicHash::hash(picture, QCryptographicHash::Sha256).toHex()) } });
    QVERIFY_OK(begun);
    const QString attachmentId = result(begun)
                                     .value(QLatin1StringView("attachment"))
                                     .toObject()
                                     .value(QLatin1StringView("id"))
                                     .toString();
    QVERIFY_OK(bob->requestBinary(QStringLiteral("attachment.put"),
        { { QStringLiteral("attachmentId"), attachmentId }, { QStringLiteral("offset"), 0 } },
        picture));

    const QString subject = QStringLiteral("Grüße aus Köln");
    const QString body = QStringLiteral("Look at this one — the beach at noon.");
    const qint64 id = send(*bob, Alice, body, subject, QJsonArray { attachmentId });
    QVERIFY(id > 0);
    // Bob's sentbox copy says the message waits for Alice (R2), then the report says how
    // it reached her.
    const QJsonObject sent = bob->event(QStringLiteral("message"));
    QCOMPARE(dataOf(sent)
                 .value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("route"))
                 .toString(),
        QStringLiteral("deferred"));
    const QJsonObject report = dataOf(bob->event(QStringLiteral("report"), WaitMs));
    QCOMPARE(report.value(QLatin1StringView("messageId")).toInteger(), id);
    QCOMPARE(report.value(QLatin1StringView("status")).toString(), QStringLiteral("delivered"));
    QCOMPARE(report.value(QLatin1StringView("route")).toString(), QStringLiteral("email"));
    QCOMPARE(report.value(QLatin1StringView("by")).toString(), Alice);
    QTRY_VERIFY_WITH_TIMEOUT(!m_smtp.mails().isEmpty(), WaitMs);
    QCOMPARE(m_smtp.mails().size(), 1);
    const QJsonObject mail = SmtpSink::parse(m_smtp.mails().constFirst());
    QCOMPARE(mail.value(QLatin1StringView("subject")).toString(), subject);
    QCOMPARE(mail.value(QLatin1StringView("to")).toString(), AliceMail);
    QCOMPARE(
        mail.value(QLatin1StringView("fromAddress")).toString(), QStringLiteral("cpm@cpm.example"));
    QCOMPARE(mail.value(QLatin1StringView("cpmSender")).toString(), Bob);
    QCOMPARE(mail.value(QLatin1StringView("text")).toString().trimmed(), body);
    const QJsonArray files = mail.value(QLatin1StringView("attachments")).toArray();
    QCOMPARE(files.size(), 1);
    QCOMPARE(files.at(0).toObject().value(QLatin1StringView("name")).toString(),
        QStringLiteral("beach.jpg"));
    QCOMPARE(QByteArray::fromBase64(
                 files.at(0).toObject().value(QLatin1StringView("data")).toString().toLatin1()),
        picture);

    const QList<QJsonObject> deliveries = deliveriesOf(id);
    QCOMPARE(deliveries.size(), 1);
    QCOMPARE(deliveries.at(0).value(QLatin1StringView("state")).toString(), QStringLiteral("sent"));
    QCOMPARE(
        deliveries.at(0).value(QLatin1StringView("network")).toString(), QStringLiteral("email"));
    // No attempt failed: no error to show (not the relay's "250 OK").
    QCOMPARE(deliveries.at(0).value(QLatin1StringView("lastError")).toString(), QString());

    // Step 5 of the alternative flow too: back on CPM, the message is there, marked as
    // delivered by e-mail (her device does not notify it again), and nothing is sent twice.
    auto alice = connectAs(m_alice);
    QVERIFY(alice);
    bool found = false;
    for (const QJsonObject& e : alice->syncAll()) {
        const QJsonObject m = dataOf(e).value(QLatin1StringView("message")).toObject();
        if (m.value(QLatin1StringView("id")).toInteger() == id) {
            found = true;
            QCOMPARE(m.value(QLatin1StringView("route")).toString(), QStringLiteral("email"));
            QCOMPARE(m.value(QLatin1StringView("body")).toString(), body);
        }
    }
    QVERIFY(found);
    alice.reset();
    QTest::qWait(1500); // a tick or two: no second attempt
    QCOMPARE(m_smtp.mails().size(), 1);
    m_smtp.stop();
}

// Gateway down: attempts are retried with backoff, recorded, the message stays stored; once
// the SMTP server is back it is delivered, exactly once.
void tst_Interworking::testGatewayDownRetriesThenDeliversOnce()
{
    m_smtp.stop();
    const qsizetype before = m_smtp.mails().size();
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const qint64 id = send(*bob, Alice, QStringLiteral("Are you there?"));
    QVERIFY(id > 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QList<QJsonObject> d = deliveriesOf(id);
            return d.size() == 1 && d.at(0).value(QLatin1StringView("attempts")).toInt() >= 2;
        }(),
        WaitMs);
    const QJsonObject failing = deliveriesOf(id).constFirst();
    QCOMPARE(failing.value(QLatin1StringView("state")).toString(), QStringLiteral("pending"));
    QVERIFY2(!failing.value(QLatin1StringView("lastError")).toString().isEmpty(),
        "the failed attempts say why");

    QVERIFY(m_smtp.start(m_smtpPort));
    QTRY_COMPARE_WITH_TIMEOUT(m_smtp.mails().size(), before + 1, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        deliveriesOf(id).constFirst().value(QLatin1StringView("state")).toString(),
        QStringLiteral("sent"), WaitMs);
    const QJsonObject report = dataOf(bob->event(QStringLiteral("report"), WaitMs));
    QCOMPARE(report.value(QLatin1StringView("messageId")).toInteger(), id);
    QCOMPARE(report.value(QLatin1StringView("route")).toString(), QStringLiteral("email"));
    QTest::qWait(1500);
    QCOMPARE(m_smtp.mails().size(), before + 1);
    m_smtp.stop();

    // What each party's devices can see of it (their diagnostics): the attempts and the
    // last error; Alice's e-mail address only to Alice.
    const auto listed = [&](WsClient& c) {
        for (const QJsonValue& v : result(c.request(QStringLiteral("legacy.deliveries")))
                                       .value(QLatin1StringView("deliveries"))
                                       .toArray()) {
            if (v.toObject().value(QLatin1StringView("messageId")).toInteger() == id) {
                return v.toObject();
            }
        }
        return QJsonObject();
    };
    const QJsonObject bobSees = listed(*bob);
    QCOMPARE(bobSees.value(QLatin1StringView("outgoing")).toBool(), true);
    QCOMPARE(bobSees.value(QLatin1StringView("state")).toString(), QStringLiteral("sent"));
    QVERIFY(bobSees.value(QLatin1StringView("attempts")).toInt() >= 3);
    // The last failure's error stays after the delivery that followed it.
    QCOMPARE(bobSees.value(QLatin1StringView("lastError")).toString(),
        failing.value(QLatin1StringView("lastError")).toString());
    QVERIFY(!bobSees.contains(QLatin1StringView("address")));
    auto alice = connectAs(m_alice);
    QVERIFY(alice);
    const QJsonObject aliceSees = listed(*alice);
    QCOMPARE(aliceSees.value(QLatin1StringView("outgoing")).toBool(), false);
    QCOMPARE(aliceSees.value(QLatin1StringView("address")).toString(), AliceMail);
    // Her device acknowledges what it synced: the next tests start with nothing pending.
    qint64 next = 0;
    alice->syncAll(0, &next);
    QVERIFY_OK(alice->request(QStringLiteral("ack"), { { QStringLiteral("seq"), next } }));
}

// Alice comes back to CPM while the gateway is down: her device's acknowledgement calls the
// conversion off; nothing goes by e-mail afterwards, and Bob sees it delivered on CPM.
void tst_Interworking::testReturnToCpmCallsOffAPendingConversion()
{
    m_smtp.stop();
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const qint64 id = send(*bob, Alice, QStringLiteral("Back yet?"));
    QVERIFY(id > 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QList<QJsonObject> d = deliveriesOf(id);
            return d.size() == 1 && d.at(0).value(QLatin1StringView("attempts")).toInt() >= 1;
        }(),
        WaitMs);
    {
        auto alice = connectAs(m_alice);
        QVERIFY(alice);
        qint64 next = 0;
        alice->syncAll(0, &next);
        QVERIFY_OK(alice->request(QStringLiteral("ack"), { { QStringLiteral("seq"), next } }));
    }
    QTRY_COMPARE_WITH_TIMEOUT(
        deliveriesOf(id).constFirst().value(QLatin1StringView("state")).toString(),
        QStringLiteral("cancelled"), WaitMs);
    const QJsonObject report = dataOf(bob->event(QStringLiteral("report"), WaitMs));
    QCOMPARE(report.value(QLatin1StringView("messageId")).toInteger(), id);
    QCOMPARE(report.value(QLatin1StringView("status")).toString(), QStringLiteral("delivered"));
    QCOMPARE(report.value(QLatin1StringView("route")).toString(), QStringLiteral("cpm"));
    QVERIFY(m_smtp.start(m_smtpPort));
    const qsizetype mails = m_smtp.mails().size();
    QTest::qWait(2500);
    QCOMPARE(m_smtp.mails().size(), mails);
    m_smtp.stop();
}

// The alternative flow (R2): Carol keeps messages until she is back; nothing is converted.
void tst_Interworking::testKeepUntilBackSendsNothing()
{
    QVERIFY(m_smtp.start(m_smtpPort));
    const qsizetype before = m_smtp.mails().size();
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const qint64 id = send(*bob, Carol, QStringLiteral("For when you are back"));
    QVERIFY(id > 0);
    const QJsonObject sent = dataOf(bob->event(QStringLiteral("message")));
    QCOMPARE(sent.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("route"))
                 .toString(),
        QStringLiteral("deferred"));
    QTest::qWait(1500);
    QVERIFY(deliveriesOf(id).isEmpty());
    QCOMPARE(m_smtp.mails().size(), before);
    auto carol = connectAs(m_carol);
    QVERIFY(carol);
    qint64 next = 0;
    bool found = false;
    for (const QJsonObject& e : carol->syncAll(0, &next)) {
        found = found
            || dataOf(e)
                    .value(QLatin1StringView("message"))
                    .toObject()
                    .value(QLatin1StringView("id"))
                    .toInteger()
                == id;
    }
    QVERIFY(found);
    QVERIFY_OK(carol->request(QStringLiteral("ack"), { { QStringLiteral("seq"), next } }));
    const QJsonObject report = dataOf(bob->event(QStringLiteral("report"), WaitMs));
    QCOMPARE(report.value(QLatin1StringView("messageId")).toInteger(), id);
    QCOMPARE(report.value(QLatin1StringView("route")).toString(), QStringLiteral("cpm"));
    m_smtp.stop();
}

// The operator's switch overrides every preference.
void tst_Interworking::testOperatorSwitchOffSendsNothing()
{
    QVERIFY(m_server.setSetting(QStringLiteral("interworking.enabled"), QStringLiteral("0")));
    QVERIFY(m_smtp.start(m_smtpPort));
    const qsizetype before = m_smtp.mails().size();
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const qint64 id = send(*bob, Alice, QStringLiteral("Operator says no"));
    QVERIFY(id > 0);
    QTest::qWait(1500);
    QVERIFY(deliveriesOf(id).isEmpty());
    QCOMPARE(m_smtp.mails().size(), before);
    QVERIFY(m_server.setSetting(QStringLiteral("interworking.enabled"), QStringLiteral("1")));
    m_smtp.stop();
}

// R1 with SMS: a long text arrives at the gateway in segments, in order, that join to it.
void tst_Interworking::testSmsSegmentsArriveInOrder()
{
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    QString text;
    for (int i = 0; text.size() < 380; ++i) {
        text += QStringLiteral("word%1 ").arg(i);
    }
    const qint64 id = send(*bob, Dave, text);
    QVERIFY(id > 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_sms.requests.size() >= 3, WaitMs);
    QString joined;
    for (qsizetype i = 0; i < m_sms.requests.size(); ++i) {
        const QJsonObject json = m_sms.requests.at(i).json;
        QCOMPARE(json.value(QLatin1StringView("to")).toString(), DavePhone);
        QCOMPARE(json.value(QLatin1StringView("segment")).toInt(), i + 1);
        QCOMPARE(json.value(QLatin1StringView("segments")).toInt(), m_sms.requests.size());
        QCOMPARE(json.value(QLatin1StringView("reference")).toString(), QString::number(id));
        joined += json.value(QLatin1StringView("text")).toString();
    }
    QCOMPARE(joined, Bob + QStringLiteral(": ") + text);
    const QJsonObject report = dataOf(bob->event(QStringLiteral("report"), WaitMs));
    QCOMPARE(report.value(QLatin1StringView("messageId")).toInteger(), id);
    QCOMPARE(report.value(QLatin1StringView("route")).toString(), QStringLiteral("sms"));
}

// A recipient connected to CPM whose device does not acknowledge (signed in, not synced)
// keeps her conversions waiting; they must not hold up anyone else's. Six are due for
// Alice, more than the attempts run at once; Dave's SMS still goes out.
void tst_Interworking::testAConnectedRecipientDoesNotHoldUpOthers()
{
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    QList<qint64> forAlice;
    for (int i = 0; i < 6; ++i) {
        forAlice.append(send(*bob, Alice, QStringLiteral("Queued %1").arg(i)));
        QVERIFY(forAlice.constLast() > 0);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(forAlice.cbegin(), forAlice.cend(),
            [&](qint64 id) {
                const QList<QJsonObject> d = deliveriesOf(id);
                return d.size() == 1 && d.at(0).value(QLatin1StringView("attempts")).toInt() >= 1;
            }),
        WaitMs);
    WsClient alice; // signed in, never acknowledging
    QVERIFY(alice.open(m_server.url()) && alice.hello());
    QVERIFY(!result(alice.login(m_alice)).isEmpty());
    QTest::qWait(4000); // every one of hers is due again by now (retries after 1, 2 s)

    const qsizetype before = m_sms.requests.size();
    const qint64 forDave = send(*bob, Dave, QStringLiteral("Not held up"));
    QVERIFY(forDave > 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_sms.requests.size() > before, WaitMs);
    QCOMPARE(m_sms.requests.constLast().json.value(QLatin1StringView("reference")).toString(),
        QString::number(forDave));
    for (const qint64 id : std::as_const(forAlice)) {
        QCOMPARE(deliveriesOf(id).constFirst().value(QLatin1StringView("state")).toString(),
            QStringLiteral("pending"));
    }

    // Her device catches up: every conversion is called off, none is sent.
    qint64 next = 0;
    alice.syncAll(0, &next);
    QVERIFY_OK(alice.request(QStringLiteral("ack"), { { QStringLiteral("seq"), next } }));
    for (const qint64 id : std::as_const(forAlice)) {
        QTRY_COMPARE_WITH_TIMEOUT(
            deliveriesOf(id).constFirst().value(QLatin1StringView("state")).toString(),
            QStringLiteral("cancelled"), WaitMs);
    }
}

QTEST_GUILESS_MAIN(tst_Interworking)
#include "tst_interworking.moc"
