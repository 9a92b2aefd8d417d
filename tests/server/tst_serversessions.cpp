// SPDX-License-Identifier: GPL-3.0-or-later
// Chat sessions (docs/protocol.md, "Chat sessions", SES-1..7, SES-9) against a real
// cpm-server, through raw WebSockets: what every device of both people sees when a request
// rings, is answered, ends or moves; that exactly one accept wins; which device may say,
// read or type what; the history a moved session takes along; the operator's timeout and
// grace period; and that an active session survives SIGKILL.
//
// Alice (laptop, phone, tablet), Bob (phone, tablet, laptop), Carol and peer01..peer20 are
// made once: signing up and in is slow on purpose (Argon2). Each test ends the sessions it
// opens and puts back any device preference it changes; the history test, which reads
// whole conversations, has two people of its own.

#include "error.h"
#include "failonwarning.h"
#include "protocol.h"
#include "testserver.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using cpm::ErrorCode;
using namespace cpm::test;
namespace lim = cpm::protocol::limits;

namespace {

QJsonValue at(const QJsonObject& o, const char* key) { return o.value(QLatin1StringView(key)); }
QJsonObject objectAt(const QJsonObject& o, const char* key) { return at(o, key).toObject(); }
qint64 integerAt(const QJsonObject& o, const char* key) { return at(o, key).toInteger(); }

QJsonObject errorOf(const QJsonObject& response) { return objectAt(response, "error"); }
//! The Session of an answer (`{"session": Session}`).
QJsonObject sessionIn(const QJsonObject& response) { return objectAt(result(response), "session"); }
//! The Session an error carries (`session`, docs/protocol.md "Errors").
QJsonObject sessionOfError(const QJsonObject& response)
{
    return objectAt(errorOf(response), "session");
}
QJsonObject dataOf(const QJsonObject& event) { return objectAt(event, "data"); }
QJsonObject messageOf(const QJsonObject& event) { return objectAt(dataOf(event), "message"); }

QString compact(const QJsonValue& v)
{
    if (v.isObject()) {
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    }
    if (v.isArray()) {
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    }
    if (v.isUndefined()) {
        return QStringLiteral("(absent)");
    }
    return QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact))
        .mid(1)
        .chopped(1);
}

//! Where \a actual differs from the fields \a expected names (empty when it does not).
QString differences(const QJsonObject& actual, const QJsonObject& expected)
{
    if (actual.isEmpty()) {
        return QStringLiteral("empty: nothing came (timed out?), or the object is absent");
    }
    QStringList out;
    for (auto it = expected.constBegin(); it != expected.constEnd(); ++it) {
        if (actual.value(it.key()) != it.value()) {
            out.append(QStringLiteral("%1 is %2, expected %3")
                           .arg(it.key(), compact(actual.value(it.key())), compact(it.value())));
        }
    }
    if (!out.isEmpty()) {
        out.append(QStringLiteral("in ") + compact(actual).left(600));
    }
    return out.join(QStringLiteral("; "));
}

//! Whether \a o mentions \a text anywhere (say, a device name in a view of the other user).
bool mentions(const QJsonObject& o, const QString& text) { return compact(o).contains(text); }

//! The `session` events about session \a id among \a events, in order.
QList<QJsonObject> sessionEvents(const QList<QJsonObject>& events, qint64 id)
{
    QList<QJsonObject> out;
    for (const QJsonObject& e : events) {
        if (at(e, "event").toString() == QLatin1StringView("session")
            && integerAt(dataOf(e), "id") == id) {
            out.append(e);
        }
    }
    return out;
}

} // namespace

// The fields \a expected names have these values in \a actual (a Session, a Message...).
#define QCOMPARE_FIELDS(actual, expected)                                                          \
    do {                                                                                           \
        const QString diff_ = differences((actual), (expected));                                   \
        QVERIFY2(diff_.isEmpty(), qPrintable(diff_));                                              \
    } while (false)

// A response is the error \a errorCode.
#define QCOMPARE_CODE(response, errorCode)                                                         \
    do {                                                                                           \
        const QJsonObject answer_ = (response);                                                    \
        QVERIFY2(code(answer_) == codeName(errorCode), qPrintable(describe(answer_)));             \
    } while (false)

class tst_Sessions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void testInviteRingsOnEveryDeviceOfTheInvitee();
    void testAcceptOnOneDeviceWithdrawsOthers();
    void testConcurrentAcceptsHaveExactlyOneWinner();
    void testDeclineCancelAndTimeoutReachEveryDevice();
    void testMissedRequestSyncsToADeviceThatWasOffline();
    void testSessionMessagesFromTheBoundDeviceOnly();
    void testTransferMovesTheSessionWithHistory();
    void testPullTakesTheSessionOver();
    void testTransferErrorsChangeNothing();
    void testGracePeriodKeepsAndThenEndsTheSession();
    void testActiveSessionSurvivesKill9();
    void testComposingReachesOnlyThePeersBoundDevice();
    void testInviteChecks();

private:
    //! Two people and their devices (registered, none connected).
    struct Pair {
        QString alice;
        QString bob;
        Device aliceLaptop;
        Device alicePhone;
        Device aliceTablet;
        Device bobPhone;
        Device bobTablet;
        Device bobLaptop;
        bool ok() const
        {
            return aliceLaptop.id > 0 && alicePhone.id > 0 && aliceTablet.id > 0 && bobPhone.id > 0
                && bobTablet.id > 0 && bobLaptop.id > 0;
        }
    };
    //! aliceSUFFIX and bobSUFFIX with their devices.
    Pair newPair(const QString& suffix);
    //! After a failure: ends every open session of the shared people and resets their
    //! devices' preferences, so that one failure does not fail the tests after it.
    void tidyUp();
    //! An account NAME@cpm.example with the password pw-NAME; its address, or "" on failure.
    QString newUser(const QString& name);
    //! Registers a device called \a name (also its instance id) for \a address.
    Device enrol(const QString& address, const QString& name, const QString& kind);
    //! A new connection, negotiated and signed in as \a device; live after a full sync.
    std::unique_ptr<WsClient> connectAs(const Device& device, bool live = true);
    //! The device as a Session names it: `{"id": …, "name": …}`.
    QJsonObject named(const Device& device) const;

    //! A session operation on session \a id (`args` plus `"id"`); the response.
    static QJsonObject act(
        WsClient& client, const char* op, qint64 id, QJsonObject args = QJsonObject());
    //! `session.invite` to \a to; the new session's id, or 0.
    static qint64 invite(WsClient& client, const QString& to);
    //! `send` in session \a session; the response.
    static QJsonObject say(WsClient& client, qint64 session, const QString& clientId,
        const QString& to, const QString& body);
    //! The data of the next `session` event about session \a id (empty on timeout).
    static QJsonObject next(WsClient& client, qint64 id);
    //! Session \a id as `session.list` shows it (empty when not listed).
    static QJsonObject listed(WsClient& client, qint64 id);
    //! The message ids of a `session.history` page; \a more gets its `more`.
    static QList<qint64> history(
        WsClient& client, qint64 id, QJsonObject args = QJsonObject(), bool* more = nullptr);
    //! True when no \a event has arrived: a ping answered comes after everything pushed to
    //! this connection before it, so what a request caused elsewhere has arrived by then.
    static bool quiet(WsClient& client, const QString& event);
    //! Forgets the events that arrived so far (after a ping barrier).
    static void settle(WsClient& client);
    //! The user's latest `seq` (whoami).
    static qint64 head(WsClient& client);

    TestServer m_server;
    Pair m_pair;
    QHash<qint64, QString> m_deviceNames;
    QString m_carol;
    Device m_carolLaptop;
    QStringList m_peers;
};

QString tst_Sessions::newUser(const QString& name)
{
    const QString address = name + QStringLiteral("@cpm.example");
    return m_server.addUser(address, QStringLiteral("pw-") + name) ? address : QString();
}

Device tst_Sessions::enrol(const QString& address, const QString& name, const QString& kind)
{
    WsClient client;
    if (!client.open(m_server.url()) || !client.hello()) {
        return {};
    }
    const QString password = QStringLiteral("pw-") + address.section(u'@', 0, 0);
    const QJsonObject r = result(client.request(QStringLiteral("register"),
        { { QStringLiteral("address"), address }, { QStringLiteral("password"), password },
            { QStringLiteral("device"),
                QJsonObject { { QStringLiteral("instanceId"), name },
                    { QStringLiteral("name"), name }, { QStringLiteral("kind"), kind },
                    { QStringLiteral("capabilities"),
                        QJsonArray { QStringLiteral("text") } } } } }));
    const Device d { address, password, integerAt(r, "deviceId"), at(r, "token").toString() };
    m_deviceNames.insert(d.id, name);
    return d;
}

tst_Sessions::Pair tst_Sessions::newPair(const QString& suffix)
{
    Pair p;
    p.alice = newUser(QStringLiteral("alice") + suffix);
    p.bob = newUser(QStringLiteral("bob") + suffix);
    if (p.alice.isEmpty() || p.bob.isEmpty()) {
        return p;
    }
    p.aliceLaptop = enrol(p.alice, QStringLiteral("Alice's laptop"), QStringLiteral("laptop"));
    p.alicePhone = enrol(p.alice, QStringLiteral("Alice's phone"), QStringLiteral("mobile"));
    p.aliceTablet = enrol(p.alice, QStringLiteral("Alice's tablet"), QStringLiteral("tablet"));
    p.bobPhone = enrol(p.bob, QStringLiteral("Bob's phone"), QStringLiteral("mobile"));
    p.bobTablet = enrol(p.bob, QStringLiteral("Bob's tablet"), QStringLiteral("tablet"));
    p.bobLaptop = enrol(p.bob, QStringLiteral("Bob's laptop"), QStringLiteral("laptop"));
    return p;
}

std::unique_ptr<WsClient> tst_Sessions::connectAs(const Device& device, bool live)
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

QJsonObject tst_Sessions::named(const Device& device) const
{
    return { { QStringLiteral("id"), device.id },
        { QStringLiteral("name"), m_deviceNames.value(device.id) } };
}

QJsonObject tst_Sessions::act(WsClient& client, const char* op, qint64 id, QJsonObject args)
{
    args.insert(QStringLiteral("id"), id);
    return client.request(QString::fromLatin1(op), args);
}

qint64 tst_Sessions::invite(WsClient& client, const QString& to)
{
    return integerAt(sessionIn(client.request(
                         QStringLiteral("session.invite"), { { QStringLiteral("to"), to } })),
        "id");
}

QJsonObject tst_Sessions::say(WsClient& client, qint64 session, const QString& clientId,
    const QString& to, const QString& body)
{
    return client.request(QStringLiteral("send"),
        { { QStringLiteral("clientId"), clientId }, { QStringLiteral("to"), to },
            { QStringLiteral("body"), body }, { QStringLiteral("session"), session } });
}

QJsonObject tst_Sessions::next(WsClient& client, qint64 id)
{
    return dataOf(client.eventWith(QStringLiteral("session"), QLatin1StringView("id"), id));
}

QJsonObject tst_Sessions::listed(WsClient& client, qint64 id)
{
    const QJsonArray sessions
        = at(result(client.request(QStringLiteral("session.list"))), "sessions").toArray();
    for (const QJsonValue& s : sessions) {
        if (integerAt(s.toObject(), "id") == id) {
            return s.toObject();
        }
    }
    return {};
}

QList<qint64> tst_Sessions::history(WsClient& client, qint64 id, QJsonObject args, bool* more)
{
    const QJsonObject r = result(act(client, "session.history", id, std::move(args)));
    if (more) {
        *more = at(r, "more").toBool(true); // absent reads as true: a page must say it
    }
    QList<qint64> ids;
    const QJsonArray messages = at(r, "messages").toArray();
    for (const QJsonValue& m : messages) {
        ids.append(integerAt(m.toObject(), "id"));
    }
    return ids;
}

bool tst_Sessions::quiet(WsClient& client, const QString& event)
{
    return at(result(client.request(QStringLiteral("ping"))), "time").toInteger() > 0
        && !client.hasEvent(event);
}

void tst_Sessions::settle(WsClient& client)
{
    client.request(QStringLiteral("ping"));
    client.clearEvents();
}

qint64 tst_Sessions::head(WsClient& client)
{
    return integerAt(result(client.request(QStringLiteral("whoami"))), "head");
}

void tst_Sessions::tidyUp()
{
    for (const Device& d : { m_pair.aliceLaptop, m_pair.bobLaptop, m_carolLaptop }) {
        auto c = connectAs(d, false);
        if (!c) {
            continue;
        }
        const QJsonArray open
            = at(result(c->request(QStringLiteral("session.list"))), "sessions").toArray();
        for (const QJsonValue& s : open) {
            act(*c, "session.end", integerAt(s.toObject(), "id"));
        }
        for (const Device& mine : { m_pair.aliceLaptop, m_pair.alicePhone, m_pair.aliceTablet,
                 m_pair.bobPhone, m_pair.bobTablet, m_pair.bobLaptop }) {
            if (mine.address == d.address) {
                c->request(QStringLiteral("devices.setDelivery"),
                    { { QStringLiteral("deviceId"), mine.id },
                        { QStringLiteral("delivery"), QStringLiteral("full") },
                        { QStringLiteral("notifySessions"), true } });
            }
        }
    }
}

void tst_Sessions::initTestCase()
{
    QVERIFY(m_server.start());
    m_pair = newPair(QString());
    QVERIFY(m_pair.ok());
    m_carol = newUser(QStringLiteral("carol"));
    QVERIFY(!m_carol.isEmpty());
    m_carolLaptop = enrol(m_carol, QStringLiteral("Carol's laptop"), QStringLiteral("laptop"));
    QVERIFY(m_carolLaptop.id > 0);
    for (int i = 1; i <= lim::MaxOpenSessions; ++i) {
        m_peers.append(newUser(QStringLiteral("peer%1").arg(i, 2, 10, QLatin1Char('0'))));
        QVERIFY(!m_peers.last().isEmpty());
    }
}

void tst_Sessions::cleanupTestCase() { m_server.stop(); }

void tst_Sessions::init() { cpm::test::failOnWarnings(); }

void tst_Sessions::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
        // A test that failed half way may have left its short timeouts set.
        if (m_server.isRunning() || m_server.start()) {
            m_server.setSetting(
                QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("60"));
            m_server.setSetting(QStringLiteral("session.graceSeconds"), QStringLiteral("120"));
            tidyUp();
        }
    }
}

void tst_Sessions::testInviteRingsOnEveryDeviceOfTheInvitee()
{
    const Pair& p = m_pair;
    auto aliceLaptop = connectAs(p.aliceLaptop);
    auto alicePhone = connectAs(p.alicePhone);
    auto bobPhone = connectAs(p.bobPhone);
    auto bobLaptop = connectAs(p.bobLaptop);
    QVERIFY(aliceLaptop && alicePhone && bobPhone && bobLaptop);
    // Bob does not want his laptop to ring for sessions.
    QVERIFY_OK(bobPhone->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), p.bobLaptop.id },
            { QStringLiteral("delivery"), QStringLiteral("full") },
            { QStringLiteral("notifySessions"), false } }));

    const QJsonObject asked = aliceLaptop->request(QStringLiteral("session.invite"),
        { { QStringLiteral("to"), p.bob.toUpper() },
            { QStringLiteral("subject"), QStringLiteral("Pictures") } });
    const QJsonObject mine = sessionIn(asked);
    const qint64 id = integerAt(mine, "id");
    QVERIFY2(id > 0, qPrintable(describe(asked)));
    // Alice's view: bound to her laptop from the start, ringing nowhere of hers.
    QCOMPARE_FIELDS(mine,
        (QJsonObject { { QStringLiteral("peer"), p.bob },
            { QStringLiteral("role"), QStringLiteral("inviter") },
            { QStringLiteral("subject"), QStringLiteral("Pictures") },
            { QStringLiteral("state"), QStringLiteral("inviting") },
            { QStringLiteral("reason"), QStringLiteral("") },
            { QStringLiteral("endedBy"), QStringLiteral("") }, { QStringLiteral("startedAt"), 0 },
            { QStringLiteral("endedAt"), 0 },
            { QStringLiteral("boundDevice"), named(p.aliceLaptop) },
            { QStringLiteral("invitedDevices"), QJsonArray() },
            { QStringLiteral("change"), QStringLiteral("invited") },
            { QStringLiteral("history"), QStringLiteral("session") } }));
    QVERIFY(integerAt(mine, "createdAt") > 0);
    QVERIFY(!mine.contains(QLatin1StringView("previousDevice")));
    for (WsClient* c : { aliceLaptop.get(), alicePhone.get() }) {
        const QJsonObject e = c->eventWith(QStringLiteral("session"), QLatin1StringView("id"), id);
        QVERIFY(integerAt(e, "seq") > 0); // a stream event
        QCOMPARE(dataOf(e), mine);
    }

    // Bob's view: it rings on the devices that want it, and on none of them yet.
    const QJsonArray ringing { named(p.bobPhone), named(p.bobTablet) };
    const QJsonObject bobsView { { QStringLiteral("id"), id }, { QStringLiteral("peer"), p.alice },
        { QStringLiteral("role"), QStringLiteral("invitee") },
        { QStringLiteral("subject"), QStringLiteral("Pictures") },
        { QStringLiteral("state"), QStringLiteral("inviting") },
        { QStringLiteral("boundDevice"), QJsonValue() },
        { QStringLiteral("invitedDevices"), ringing },
        { QStringLiteral("change"), QStringLiteral("invited") },
        { QStringLiteral("createdAt"), at(mine, "createdAt") } };
    QJsonObject seenByBob;
    for (WsClient* c : { bobPhone.get(), bobLaptop.get() }) {
        seenByBob = next(*c, id);
        QCOMPARE_FIELDS(seenByBob, bobsView);
        QVERIFY(!mentions(seenByBob, QStringLiteral("Alice's"))); // never the peer's device
    }

    // Bob's tablet, which connects while it rings, gets it when it syncs.
    auto bobTablet = connectAs(p.bobTablet, false);
    QVERIFY(bobTablet);
    const QList<QJsonObject> synced = sessionEvents(bobTablet->syncAll(), id);
    QCOMPARE(synced.size(), 1);
    QCOMPARE(dataOf(synced.first()), seenByBob);
    QCOMPARE(listed(*bobTablet, id), seenByBob);

    QVERIFY_OK(act(*aliceLaptop, "session.cancel", id));
    QVERIFY_OK(bobPhone->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), p.bobLaptop.id },
            { QStringLiteral("delivery"), QStringLiteral("full") },
            { QStringLiteral("notifySessions"), true } }));
}

void tst_Sessions::testAcceptOnOneDeviceWithdrawsOthers()
{
    const Pair& p = m_pair;
    auto aliceLaptop = connectAs(p.aliceLaptop);
    auto alicePhone = connectAs(p.alicePhone);
    auto bobPhone = connectAs(p.bobPhone);
    auto bobTablet = connectAs(p.bobTablet);
    auto bobLaptop = connectAs(p.bobLaptop);
    QVERIFY(aliceLaptop && alicePhone && bobPhone && bobTablet && bobLaptop);
    const QList<WsClient*> alices { aliceLaptop.get(), alicePhone.get() };
    const QList<WsClient*> bobs { bobPhone.get(), bobTablet.get(), bobLaptop.get() };

    const qint64 id = invite(*aliceLaptop, p.bob);
    QVERIFY(id > 0);
    for (WsClient* c : alices + bobs) {
        QCOMPARE_FIELDS(next(*c, id),
            (QJsonObject { { QStringLiteral("change"), QStringLiteral("invited") } }));
    }

    const QJsonObject accepted = sessionIn(act(*bobTablet, "session.accept", id));
    QCOMPARE_FIELDS(accepted,
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("change"), QStringLiteral("accepted") },
            { QStringLiteral("role"), QStringLiteral("invitee") },
            { QStringLiteral("boundDevice"), named(p.bobTablet) } }));
    QVERIFY(integerAt(accepted, "startedAt") >= integerAt(accepted, "createdAt"));
    // Every device of Bob's hears where it was answered: the others stop ringing.
    for (WsClient* c : bobs) {
        QCOMPARE(next(*c, id), accepted);
    }
    // Alice's devices hear it was accepted, and nothing about which device of Bob's.
    for (WsClient* c : alices) {
        const QJsonObject e = next(*c, id);
        QCOMPARE_FIELDS(e,
            (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
                { QStringLiteral("change"), QStringLiteral("accepted") },
                { QStringLiteral("role"), QStringLiteral("inviter") },
                { QStringLiteral("boundDevice"), named(p.aliceLaptop) },
                { QStringLiteral("invitedDevices"), QJsonArray() },
                { QStringLiteral("startedAt"), at(accepted, "startedAt") } }));
        QVERIFY(!mentions(e, QStringLiteral("Bob's")));
        QVERIFY(!e.contains(QLatin1StringView("previousDevice")));
    }

    // Accepting again where it was accepted answers the same; elsewhere it was answered.
    QCOMPARE(sessionIn(act(*bobTablet, "session.accept", id)), accepted);
    for (WsClient* c : { bobPhone.get(), bobLaptop.get() }) {
        for (const char* op : { "session.accept", "session.decline" }) {
            const QJsonObject r = act(*c, op, id);
            QCOMPARE_CODE(r, ErrorCode::AlreadyAnswered);
            QCOMPARE(objectAt(errorOf(r), "device"), named(p.bobTablet));
            QCOMPARE(sessionOfError(r), accepted);
        }
    }
    // None of that was an event for anybody.
    for (WsClient* c : alices + bobs) {
        QVERIFY(quiet(*c, QStringLiteral("session")));
    }
    QVERIFY_OK(act(*alicePhone, "session.end", id));
}

void tst_Sessions::testConcurrentAcceptsHaveExactlyOneWinner()
{
    const Pair& p = m_pair;
    auto alice = connectAs(p.aliceLaptop, false);
    auto phone = connectAs(p.bobPhone, false);
    auto tablet = connectAs(p.bobTablet, false);
    QVERIFY(alice && phone && tablet);
    QHash<qint64, qint64> winners; // session → device
    for (int round = 0; round < 100; ++round) {
        const qint64 id = invite(*alice, p.bob);
        QVERIFY(id > 0);
        // Both accepts leave before either answer can arrive; who goes first alternates.
        WsClient* first = round % 2 == 0 ? phone.get() : tablet.get();
        WsClient* second = round % 2 == 0 ? tablet.get() : phone.get();
        const QJsonObject args { { QStringLiteral("id"), id } };
        const qint64 a = first->post(QStringLiteral("session.accept"), args);
        const qint64 b = second->post(QStringLiteral("session.accept"), args);
        const QJsonObject ra = first->response(a);
        const QJsonObject rb = second->response(b);
        const bool firstWon = ra.contains(QLatin1StringView("result"));
        QVERIFY2(firstWon != rb.contains(QLatin1StringView("result")),
            qPrintable(describe(ra) + QStringLiteral(" / ") + describe(rb)));
        const QJsonObject& won = firstWon ? ra : rb;
        const QJsonObject& lost = firstWon ? rb : ra;
        const Device& winner = (first == phone.get()) == firstWon ? p.bobPhone : p.bobTablet;
        QCOMPARE_FIELDS(sessionIn(won),
            (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
                { QStringLiteral("boundDevice"), named(winner) } }));
        QCOMPARE_CODE(lost, ErrorCode::AlreadyAnswered);
        QCOMPARE(objectAt(errorOf(lost), "device"), named(winner));
        QCOMPARE_FIELDS(sessionOfError(lost),
            (QJsonObject { { QStringLiteral("id"), id },
                { QStringLiteral("state"), QStringLiteral("active") },
                { QStringLiteral("boundDevice"), named(winner) } }));
        winners.insert(id, winner.id);
        QVERIFY_OK(act(*alice, "session.end", id)); // at most one open session at a time
    }
    // Bob's stream says the same: one `accepted` per session, naming its winner.
    auto laptop = connectAs(p.bobLaptop, false);
    QVERIFY(laptop);
    QHash<qint64, int> accepts;
    const QList<QJsonObject> events = laptop->syncAll();
    for (const QJsonObject& e : events) {
        const QJsonObject s = dataOf(e);
        if (at(e, "event").toString() == QLatin1StringView("session")
            && at(s, "change").toString() == QLatin1StringView("accepted")
            && winners.contains(integerAt(s, "id"))) {
            ++accepts[integerAt(s, "id")];
            QCOMPARE(
                integerAt(objectAt(s, "boundDevice"), "id"), winners.value(integerAt(s, "id")));
        }
    }
    QCOMPARE(accepts.size(), winners.size());
    for (auto it = accepts.cbegin(); it != accepts.cend(); ++it) {
        QCOMPARE(it.value(), 1);
    }
}

void tst_Sessions::testDeclineCancelAndTimeoutReachEveryDevice()
{
    const Pair& p = m_pair;
    auto aliceLaptop = connectAs(p.aliceLaptop);
    auto alicePhone = connectAs(p.alicePhone);
    auto bobPhone = connectAs(p.bobPhone);
    auto bobTablet = connectAs(p.bobTablet);
    QVERIFY(aliceLaptop && alicePhone && bobPhone && bobTablet);
    const QList<WsClient*> everyone { aliceLaptop.get(), alicePhone.get(), bobPhone.get(),
        bobTablet.get() };
    const QJsonObject invited { { QStringLiteral("change"), QStringLiteral("invited") } };
    const auto ended = [](const char* change, const char* reason, const QString& by) {
        return QJsonObject { { QStringLiteral("state"), QStringLiteral("ended") },
            { QStringLiteral("change"), QLatin1StringView(change) },
            { QStringLiteral("reason"), QLatin1StringView(reason) },
            { QStringLiteral("endedBy"), by } };
    };
    // Once it ended, answering it is too late, and the error shows how it ended.
    const auto tooLate = [](const QJsonObject& response, qint64 id, const char* reason) {
        return code(response) == codeName(ErrorCode::SessionEnded)
            ? differences(sessionOfError(response),
                QJsonObject { { QStringLiteral("id"), id },
                    { QStringLiteral("state"), QStringLiteral("ended") },
                    { QStringLiteral("reason"), QLatin1StringView(reason) },
                    { QStringLiteral("change"), QStringLiteral("ended") } })
            : describe(response);
    };

    // Bob declines on his phone.
    qint64 id = invite(*aliceLaptop, p.bob);
    QVERIFY(id > 0);
    const QJsonObject declined = sessionIn(act(*bobPhone, "session.decline", id));
    QCOMPARE_FIELDS(declined, ended("declined", "declined", p.bob));
    QVERIFY(integerAt(declined, "endedAt") > 0);
    for (WsClient* c : everyone) {
        QCOMPARE_FIELDS(next(*c, id), invited);
        QCOMPARE_FIELDS(next(*c, id), ended("declined", "declined", p.bob));
    }
    QString late = tooLate(act(*bobTablet, "session.accept", id), id, "declined");
    QVERIFY2(late.isEmpty(), qPrintable(late));

    // Alice cancels.
    id = invite(*aliceLaptop, p.bob);
    QVERIFY(id > 0);
    QCOMPARE_FIELDS(sessionIn(act(*alicePhone, "session.cancel", id)),
        ended("cancelled", "cancelled", p.alice));
    for (WsClient* c : everyone) {
        QCOMPARE_FIELDS(next(*c, id), invited);
        QCOMPARE_FIELDS(next(*c, id), ended("cancelled", "cancelled", p.alice));
    }
    late = tooLate(act(*bobTablet, "session.accept", id), id, "cancelled");
    QVERIFY2(late.isEmpty(), qPrintable(late));
    late = tooLate(act(*aliceLaptop, "session.cancel", id), id, "cancelled");
    QVERIFY2(late.isEmpty(), qPrintable(late));

    // session.end of a request that rings is Bob's decline.
    id = invite(*aliceLaptop, p.bob);
    QVERIFY(id > 0);
    QCOMPARE_FIELDS(
        sessionIn(act(*bobTablet, "session.end", id)), ended("declined", "declined", p.bob));
    for (WsClient* c : everyone) {
        QCOMPARE_FIELDS(next(*c, id), invited);
        QCOMPARE_FIELDS(next(*c, id), ended("declined", "declined", p.bob));
    }

    // Nobody answers: it times out after the operator's setting, for everyone.
    QVERIFY(
        m_server.setSetting(QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("1")));
    QElapsedTimer ringing;
    ringing.start();
    id = invite(*aliceLaptop, p.bob);
    QVERIFY(id > 0);
    for (WsClient* c : everyone) {
        QCOMPARE_FIELDS(next(*c, id), invited);
        QCOMPARE_FIELDS(next(*c, id), ended("timeout", "timeout", QString()));
    }
    QVERIFY2(ringing.elapsed() >= 900, qPrintable(QString::number(ringing.elapsed())));
    QVERIFY(
        m_server.setSetting(QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("60")));
    late = tooLate(act(*bobPhone, "session.accept", id), id, "timeout");
    QVERIFY2(late.isEmpty(), qPrintable(late));
    late = tooLate(act(*bobPhone, "session.decline", id), id, "timeout");
    QVERIFY2(late.isEmpty(), qPrintable(late));
    for (WsClient* c : everyone) {
        QVERIFY(quiet(*c, QStringLiteral("session")));
    }
}

void tst_Sessions::testMissedRequestSyncsToADeviceThatWasOffline()
{
    const Pair& p = m_pair;
    // Bob's tablet was up to date, then went away.
    qint64 position = 0;
    {
        auto tablet = connectAs(p.bobTablet, false);
        QVERIFY(tablet);
        tablet->syncAll(0, &position);
        QVERIFY(position > 0);
    }
    QVERIFY(
        m_server.setSetting(QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("1")));
    auto alice = connectAs(p.aliceLaptop);
    QVERIFY(alice);
    const qint64 id = invite(*alice, p.bob);
    QVERIFY(id > 0);
    QCOMPARE_FIELDS(next(*alice, id),
        (QJsonObject { { QStringLiteral("change"), QStringLiteral("invited") } }));
    QCOMPARE_FIELDS(next(*alice, id),
        (QJsonObject { { QStringLiteral("change"), QStringLiteral("timeout") } }));
    QVERIFY(
        m_server.setSetting(QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("60")));

    // Back, it learns of the request and of its end together, in that order: a missed one.
    auto tablet = connectAs(p.bobTablet, false);
    QVERIFY(tablet);
    const QList<QJsonObject> missed = sessionEvents(tablet->syncAll(position), id);
    QCOMPARE(missed.size(), 2);
    QVERIFY(integerAt(missed.at(0), "seq") < integerAt(missed.at(1), "seq"));
    QCOMPARE_FIELDS(dataOf(missed.at(0)),
        (QJsonObject { { QStringLiteral("change"), QStringLiteral("invited") },
            { QStringLiteral("role"), QStringLiteral("invitee") },
            { QStringLiteral("peer"), p.alice },
            { QStringLiteral("invitedDevices"),
                QJsonArray { named(p.bobPhone), named(p.bobTablet), named(p.bobLaptop) } } }));
    QCOMPARE_FIELDS(dataOf(missed.at(1)),
        (QJsonObject { { QStringLiteral("change"), QStringLiteral("timeout") },
            { QStringLiteral("state"), QStringLiteral("ended") },
            { QStringLiteral("reason"), QStringLiteral("timeout") },
            { QStringLiteral("endedBy"), QStringLiteral("") },
            { QStringLiteral("boundDevice"), QJsonValue() } }));
    QVERIFY(listed(*tablet, id).isEmpty());
}

void tst_Sessions::testSessionMessagesFromTheBoundDeviceOnly()
{
    const Pair& p = m_pair;
    qint64 bobLaptopAt = 0; // Bob's laptop is up to date, then goes away
    {
        auto bobLaptop = connectAs(p.bobLaptop, false);
        QVERIFY(bobLaptop);
        bobLaptop->syncAll(0, &bobLaptopAt);
    }
    auto aliceLaptop = connectAs(p.aliceLaptop);
    auto bobTablet = connectAs(p.bobTablet);
    QVERIFY(aliceLaptop && bobTablet);
    // Devices that would not get a message whole, or at all.
    const auto setDelivery = [](WsClient& c, const Device& d, const char* delivery) {
        return c.request(QStringLiteral("devices.setDelivery"),
            { { QStringLiteral("deviceId"), d.id },
                { QStringLiteral("delivery"), QLatin1StringView(delivery) } });
    };
    QVERIFY_OK(setDelivery(*aliceLaptop, p.alicePhone, "none"));
    QVERIFY_OK(setDelivery(*bobTablet, p.bobPhone, "notification"));
    QVERIFY_OK(setDelivery(*bobTablet, p.bobLaptop, "none"));
    auto alicePhone = connectAs(p.alicePhone);
    auto bobPhone = connectAs(p.bobPhone);
    QVERIFY(alicePhone && bobPhone);
    const QList<WsClient*> connected { aliceLaptop.get(), alicePhone.get(), bobTablet.get(),
        bobPhone.get() };

    const qint64 id = invite(*aliceLaptop, p.bob);
    QVERIFY(id > 0);
    // Not accepted yet: nothing is stored, nobody hears of it.
    qint64 aliceHead = head(*aliceLaptop);
    qint64 bobHead = head(*bobTablet);
    QJsonObject r = say(*aliceLaptop, id, QStringLiteral("s6-early"), p.bob, QStringLiteral("hi?"));
    QCOMPARE_CODE(r, ErrorCode::Conflict);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), id },
            { QStringLiteral("state"), QStringLiteral("inviting") } }));
    QCOMPARE(head(*aliceLaptop), aliceHead);
    QCOMPARE(head(*bobTablet), bobHead);
    QVERIFY_OK(act(*bobTablet, "session.accept", id));

    // From the bound devices: to every device of both, whole, naming the session.
    const QJsonObject hello = result(
        say(*aliceLaptop, id, QStringLiteral("s6-hello"), p.bob, QStringLiteral("Hello Bob")));
    QVERIFY2(integerAt(hello, "messageId") > 0, qPrintable(describe(hello)));
    QVERIFY(!at(hello, "duplicate").toBool());
    const QJsonObject back = result(
        say(*bobTablet, id, QStringLiteral("s6-back"), p.alice, QStringLiteral("Hi Alice")));
    QVERIFY2(integerAt(back, "messageId") > 0, qPrintable(describe(back)));
    for (WsClient* c : connected) {
        QCOMPARE_FIELDS(messageOf(c->event(QStringLiteral("message"))),
            (QJsonObject { { QStringLiteral("id"), at(hello, "messageId") },
                { QStringLiteral("body"), QStringLiteral("Hello Bob") },
                { QStringLiteral("partial"), false }, { QStringLiteral("session"), id } }));
        QCOMPARE_FIELDS(messageOf(c->event(QStringLiteral("message"))),
            (QJsonObject { { QStringLiteral("id"), at(back, "messageId") },
                { QStringLiteral("body"), QStringLiteral("Hi Alice") },
                { QStringLiteral("partial"), false }, { QStringLiteral("session"), id } }));
    }

    // Refused, each storing nothing: from Bob's other device, to someone else, in a
    // session that does not exist.
    aliceHead = head(*aliceLaptop);
    bobHead = head(*bobTablet);
    r = say(*bobPhone, id, QStringLiteral("s6-phone"), p.alice, QStringLiteral("from the phone"));
    QCOMPARE_CODE(r, ErrorCode::NotBound);
    QCOMPARE(objectAt(errorOf(r), "device"), named(p.bobTablet));
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), id },
            { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("boundDevice"), named(p.bobTablet) } }));
    QCOMPARE_CODE(
        say(*aliceLaptop, id, QStringLiteral("s6-carol"), m_carol, QStringLiteral("wrong peer")),
        ErrorCode::BadRequest);
    QCOMPARE_CODE(say(*aliceLaptop, id + 1000000, QStringLiteral("s6-none"), p.bob,
                      QStringLiteral("no such session")),
        ErrorCode::NotFound);
    QCOMPARE(head(*aliceLaptop), aliceHead);
    QCOMPARE(head(*bobTablet), bobHead);
    for (WsClient* c : connected) {
        QVERIFY(quiet(*c, QStringLiteral("message")));
    }

    // Bob's laptop, delivery `none`, was away: it gets both whole when it syncs.
    auto bobLaptop = connectAs(p.bobLaptop, false);
    QVERIFY(bobLaptop);
    QList<QJsonObject> synced;
    const QList<QJsonObject> events = bobLaptop->syncAll(bobLaptopAt);
    for (const QJsonObject& e : events) {
        if (at(e, "event").toString() == QLatin1StringView("message")) {
            synced.append(messageOf(e));
        }
    }
    QCOMPARE(synced.size(), 2);
    QCOMPARE_FIELDS(synced.at(0),
        (QJsonObject { { QStringLiteral("body"), QStringLiteral("Hello Bob") },
            { QStringLiteral("partial"), false },
            { QStringLiteral("folder"), QStringLiteral("inbox") },
            { QStringLiteral("session"), id } }));
    QCOMPARE_FIELDS(synced.at(1),
        (QJsonObject { { QStringLiteral("body"), QStringLiteral("Hi Alice") },
            { QStringLiteral("partial"), false },
            { QStringLiteral("folder"), QStringLiteral("sent") },
            { QStringLiteral("session"), id } }));

    // The session moves to Alice's phone: a retry of what the laptop said still answers
    // the original, anything new from the laptop is refused.
    QVERIFY_OK(act(*alicePhone, "session.pull", id,
        { { QStringLiteral("history"), QStringLiteral("none") } }));
    const QJsonObject retry = result(
        say(*aliceLaptop, id, QStringLiteral("s6-hello"), p.bob, QStringLiteral("Hello Bob")));
    QVERIFY(at(retry, "duplicate").toBool());
    for (const char* key : { "messageId", "seq", "time" }) {
        QCOMPARE(integerAt(retry, key), integerAt(hello, key));
    }
    r = say(*aliceLaptop, id, QStringLiteral("s6-moved"), p.bob, QStringLiteral("still here?"));
    QCOMPARE_CODE(r, ErrorCode::NotBound);
    QCOMPARE(objectAt(errorOf(r), "device"), named(p.alicePhone));

    // Ended: nothing more, not even to the wrong peer (the session's state is checked
    // first), and the retry still answers the original.
    QVERIFY_OK(act(*bobTablet, "session.end", id));
    aliceHead = head(*aliceLaptop);
    bobHead = head(*bobTablet);
    r = say(*alicePhone, id, QStringLiteral("s6-late"), p.bob, QStringLiteral("too late"));
    QCOMPARE_CODE(r, ErrorCode::SessionEnded);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), id },
            { QStringLiteral("state"), QStringLiteral("ended") },
            { QStringLiteral("reason"), QStringLiteral("ended") },
            { QStringLiteral("endedBy"), p.bob } }));
    QCOMPARE_CODE(say(*alicePhone, id, QStringLiteral("s6-late"), m_carol,
                      QStringLiteral("too late, and to Carol")),
        ErrorCode::SessionEnded);
    QVERIFY(at(result(say(*aliceLaptop, id, QStringLiteral("s6-hello"), p.bob,
                   QStringLiteral("Hello Bob"))),
        "duplicate")
                .toBool());
    QCOMPARE(head(*aliceLaptop), aliceHead);
    QCOMPARE(head(*bobTablet), bobHead);
    // The refused clientId was not taken.
    QCOMPARE(at(result(alicePhone->send(QStringLiteral("s6-late"), p.bob, QStringLiteral("later"))),
                 "duplicate"),
        QJsonValue(false));
    QVERIFY_OK(setDelivery(*aliceLaptop, p.alicePhone, "full"));
    QVERIFY_OK(setDelivery(*bobTablet, p.bobPhone, "full"));
    QVERIFY_OK(setDelivery(*bobTablet, p.bobLaptop, "full"));
}

void tst_Sessions::testTransferMovesTheSessionWithHistory()
{
    const Pair p = newPair(QStringLiteral("7"));
    QVERIFY(p.ok());
    auto laptop = connectAs(p.aliceLaptop);
    auto phone = connectAs(p.alicePhone);
    auto bobTablet = connectAs(p.bobTablet);
    auto bobPhone = connectAs(p.bobPhone);
    QVERIFY(laptop && phone && bobTablet && bobPhone);
    const auto plain = [](WsClient& c, const QString& to, const QString& clientId) {
        return integerAt(result(c.send(clientId, to, clientId)), "messageId");
    };
    // The conversation with Bob before the session, oldest first; and one with Carol.
    QList<qint64> talk { plain(*laptop, p.bob, QStringLiteral("p7-1")),
        plain(*laptop, p.bob, QStringLiteral("p7-2")),
        plain(*laptop, p.bob, QStringLiteral("p7-3")),
        plain(*bobTablet, p.alice, QStringLiteral("p7-4")),
        plain(*bobTablet, p.alice, QStringLiteral("p7-5")) };
    QVERIFY(plain(*laptop, m_carol, QStringLiteral("p7-carol")) > 0);

    const qint64 id = invite(*laptop, p.bob);
    QVERIFY(id > 0);
    QVERIFY_OK(act(*bobTablet, "session.accept", id));
    const auto inSession = [id](WsClient& c, const QString& to, const QString& clientId) {
        return integerAt(result(say(c, id, clientId, to, clientId)), "messageId");
    };
    QList<qint64> said { inSession(*laptop, p.bob, QStringLiteral("s7-1")),
        inSession(*bobTablet, p.alice, QStringLiteral("s7-2")),
        inSession(*laptop, p.bob, QStringLiteral("s7-3")),
        inSession(*bobTablet, p.alice, QStringLiteral("s7-4")) };
    talk += said;
    QVERIFY(std::all_of(talk.cbegin(), talk.cend(), [](qint64 m) { return m > 0; }));
    QVERIFY(std::is_sorted(talk.cbegin(), talk.cend()));
    for (WsClient* c : { laptop.get(), phone.get() }) {
        QCOMPARE_FIELDS(next(*c, id),
            (QJsonObject { { QStringLiteral("change"), QStringLiteral("invited") } }));
        QCOMPARE_FIELDS(next(*c, id),
            (QJsonObject { { QStringLiteral("change"), QStringLiteral("accepted") } }));
    }
    settle(*bobTablet);
    settle(*bobPhone);
    const QJsonObject bobsView = listed(*bobPhone, id);

    const auto transfer = [&](WsClient& from, const Device& to, const char* history) {
        return sessionIn(act(from, "session.transfer", id,
            { { QStringLiteral("device"), to.id },
                { QStringLiteral("history"), QLatin1StringView(history) } }));
    };
    const auto moved = [&](const Device& from, const Device& to, const char* history) {
        return QJsonObject { { QStringLiteral("change"), QStringLiteral("transferred") },
            { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("boundDevice"), named(to) },
            { QStringLiteral("previousDevice"), named(from) },
            { QStringLiteral("history"), QLatin1StringView(history) } };
    };

    // To the phone with the five newest messages of the conversation.
    QJsonObject answer = transfer(*laptop, p.alicePhone, "last:5");
    QCOMPARE_FIELDS(answer, moved(p.aliceLaptop, p.alicePhone, "last:5"));
    for (WsClient* c : { laptop.get(), phone.get() }) {
        QCOMPARE(next(*c, id), answer);
    }
    // Bob is told nothing: his view has not changed.
    QVERIFY(quiet(*bobTablet, QStringLiteral("session")));
    QVERIFY(quiet(*bobPhone, QStringLiteral("session")));
    QCOMPARE(listed(*bobPhone, id), bobsView);
    // What Bob says now comes by the stream, not in what was granted as of the move.
    const qint64 afterMove = inSession(*bobTablet, p.alice, QStringLiteral("s7-5"));
    QVERIFY(afterMove > 0);
    bool more = true;
    QCOMPARE(history(*phone, id, {}, &more), talk.mid(4));
    QVERIFY(!more);
    // Page by page, newest page first, each oldest first.
    QCOMPARE(history(*phone, id, { { QStringLiteral("limit"), 2 } }, &more), talk.mid(7, 2));
    QVERIFY(more);
    QCOMPARE(
        history(*phone, id,
            { { QStringLiteral("limit"), 2 }, { QStringLiteral("before"), talk.at(7) } }, &more),
        talk.mid(5, 2));
    QVERIFY(more);
    QCOMPARE(
        history(*phone, id,
            { { QStringLiteral("limit"), 2 }, { QStringLiteral("before"), talk.at(5) } }, &more),
        talk.mid(4, 1));
    QVERIFY(!more);
    // The laptop can no longer say, read or move anything in it.
    for (const QJsonObject& r :
        { say(*laptop, id, QStringLiteral("s7-laptop"), p.bob, QStringLiteral("x")),
            act(*laptop, "session.history", id),
            act(*laptop, "session.transfer", id,
                { { QStringLiteral("device"), p.aliceTablet.id },
                    { QStringLiteral("history"), QStringLiteral("all") } }) }) {
        QCOMPARE_CODE(r, ErrorCode::NotBound);
        QCOMPARE(objectAt(errorOf(r), "device"), named(p.alicePhone));
        QCOMPARE_FIELDS(sessionOfError(r),
            (QJsonObject { { QStringLiteral("id"), id },
                { QStringLiteral("boundDevice"), named(p.alicePhone) } }));
    }
    const qint64 fromPhone = inSession(*phone, p.bob, QStringLiteral("s7-6"));
    QVERIFY(fromPhone > 0);
    talk << afterMove << fromPhone;
    said << afterMove << fromPhone;

    // Back to the laptop with the whole conversation with Bob (not Carol's).
    answer = transfer(*phone, p.aliceLaptop, "all");
    QCOMPARE_FIELDS(answer, moved(p.alicePhone, p.aliceLaptop, "all"));
    for (WsClient* c : { laptop.get(), phone.get() }) {
        QCOMPARE(next(*c, id), answer);
    }
    QCOMPARE(history(*laptop, id, {}, &more), talk);
    QVERIFY(!more);
    QCOMPARE(history(*laptop, id, { { QStringLiteral("limit"), 4 } }, &more), talk.mid(7));
    QVERIFY(more);

    // To the phone with this session's messages only, later ones included.
    answer = transfer(*laptop, p.alicePhone, "session");
    QCOMPARE_FIELDS(answer, moved(p.aliceLaptop, p.alicePhone, "session"));
    for (WsClient* c : { laptop.get(), phone.get() }) {
        QCOMPARE(next(*c, id), answer);
    }
    said << inSession(*phone, p.bob, QStringLiteral("s7-7"));
    QCOMPARE(history(*phone, id, {}, &more), said);
    QVERIFY(!more);

    // Back to the laptop with nothing.
    answer = transfer(*phone, p.aliceLaptop, "none");
    QCOMPARE_FIELDS(answer, moved(p.alicePhone, p.aliceLaptop, "none"));
    for (WsClient* c : { laptop.get(), phone.get() }) {
        QCOMPARE(next(*c, id), answer);
    }
    QVERIFY(history(*laptop, id, {}, &more).isEmpty());
    QVERIFY(!more);
    QCOMPARE_CODE(act(*phone, "session.history", id), ErrorCode::NotBound);

    // Through four moves Bob heard nothing about them.
    QVERIFY(quiet(*bobTablet, QStringLiteral("session")));
    QVERIFY(quiet(*bobPhone, QStringLiteral("session")));
    QCOMPARE(listed(*bobTablet, id), bobsView);
    QVERIFY_OK(act(*laptop, "session.end", id));
}

void tst_Sessions::testPullTakesTheSessionOver()
{
    const Pair& p = m_pair;
    auto laptop = connectAs(p.aliceLaptop);
    auto bobTablet = connectAs(p.bobTablet);
    QVERIFY(laptop && bobTablet);
    const qint64 id = invite(*laptop, p.bob);
    QVERIFY(id > 0);
    QVERIFY_OK(act(*bobTablet, "session.accept", id));
    const qint64 first = integerAt(
        result(say(*bobTablet, id, QStringLiteral("s8-0"), p.alice, QStringLiteral("hello"))),
        "messageId");
    QVERIFY(first > 0);
    const qint64 hello = integerAt(
        result(say(*laptop, id, QStringLiteral("s8-1"), p.bob, QStringLiteral("before the pull"))),
        "messageId");
    QVERIFY(hello > 0);
    auto phone = connectAs(p.alicePhone);
    auto bobPhone = connectAs(p.bobPhone);
    QVERIFY(phone && bobPhone);
    settle(*laptop);
    settle(*bobTablet);

    // Any device of Alice's sees where the session is.
    const QJsonObject seen = listed(*phone, id);
    QCOMPARE_FIELDS(seen,
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("change"), QStringLiteral("accepted") },
            { QStringLiteral("peer"), p.bob },
            { QStringLiteral("boundDevice"), named(p.aliceLaptop) },
            { QStringLiteral("history"), QStringLiteral("session") } }));
    QCOMPARE(listed(*laptop, id), seen);

    // The phone takes it over with the two newest messages.
    const QJsonObject pulled = sessionIn(act(
        *phone, "session.pull", id, { { QStringLiteral("history"), QStringLiteral("last:2") } }));
    QCOMPARE_FIELDS(pulled,
        (QJsonObject { { QStringLiteral("change"), QStringLiteral("pulled") },
            { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("boundDevice"), named(p.alicePhone) },
            { QStringLiteral("previousDevice"), named(p.aliceLaptop) },
            { QStringLiteral("history"), QStringLiteral("last:2") } }));
    for (WsClient* c : { laptop.get(), phone.get() }) {
        QCOMPARE(next(*c, id), pulled);
    }
    QVERIFY(quiet(*bobTablet, QStringLiteral("session")));
    QVERIFY(quiet(*bobPhone, QStringLiteral("session")));
    QCOMPARE(history(*phone, id), (QList<qint64> { first, hello }));
    QCOMPARE_FIELDS(listed(*laptop, id),
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("change"), QStringLiteral("accepted") },
            { QStringLiteral("boundDevice"), named(p.alicePhone) } }));
    const QJsonObject r = say(*laptop, id, QStringLiteral("s8-2"), p.bob, QStringLiteral("x"));
    QCOMPARE_CODE(r, ErrorCode::NotBound);
    QCOMPARE(objectAt(errorOf(r), "device"), named(p.alicePhone));

    // Bob's side moves on its own: his phone pulls it, without history; Alice hears nothing.
    const QJsonObject bobPulled = sessionIn(act(
        *bobPhone, "session.pull", id, { { QStringLiteral("history"), QStringLiteral("none") } }));
    QCOMPARE_FIELDS(bobPulled,
        (QJsonObject { { QStringLiteral("change"), QStringLiteral("pulled") },
            { QStringLiteral("role"), QStringLiteral("invitee") },
            { QStringLiteral("boundDevice"), named(p.bobPhone) },
            { QStringLiteral("previousDevice"), named(p.bobTablet) },
            { QStringLiteral("history"), QStringLiteral("none") } }));
    QCOMPARE(next(*bobTablet, id), bobPulled);
    QCOMPARE(next(*bobPhone, id), bobPulled);
    QVERIFY(quiet(*laptop, QStringLiteral("session")));
    QVERIFY(quiet(*phone, QStringLiteral("session")));
    QVERIFY(history(*bobPhone, id).isEmpty());
    QCOMPARE_FIELDS(listed(*laptop, id),
        (QJsonObject { { QStringLiteral("boundDevice"), named(p.alicePhone) } }));

    // The two phones talk; Bob's tablet may not.
    const qint64 reply = integerAt(
        result(say(*bobPhone, id, QStringLiteral("s8-3"), p.alice, QStringLiteral("on my phone"))),
        "messageId");
    QVERIFY(reply > 0);
    QCOMPARE(integerAt(messageOf(phone->event(QStringLiteral("message"))), "id"), reply);
    QCOMPARE_CODE(say(*bobTablet, id, QStringLiteral("s8-4"), p.alice, QStringLiteral("x")),
        ErrorCode::NotBound);
    QVERIFY_OK(act(*phone, "session.end", id));
}

void tst_Sessions::testTransferErrorsChangeNothing()
{
    const Pair& p = m_pair;
    const Device old
        = enrol(p.alice, QStringLiteral("Alice's old phone"), QStringLiteral("mobile"));
    QVERIFY(old.id > 0);
    auto laptop = connectAs(p.aliceLaptop);
    auto phone = connectAs(p.alicePhone);
    auto bobTablet = connectAs(p.bobTablet);
    QVERIFY(laptop && phone && bobTablet);
    QVERIFY_OK(laptop->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), old.id } }));
    const qint64 id = invite(*laptop, p.bob);
    QVERIFY(id > 0);
    QVERIFY_OK(act(*bobTablet, "session.accept", id));
    settle(*laptop);
    settle(*phone);
    settle(*bobTablet);
    const QJsonObject before = listed(*laptop, id);
    QCOMPARE_FIELDS(before,
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("boundDevice"), named(p.aliceLaptop) } }));
    const QJsonObject bobsBefore = listed(*bobTablet, id);

    struct Case {
        const char* what;
        WsClient* from;
        const char* op;
        QJsonObject args;
        ErrorCode code;
    };
    const auto to = [](const Device& d, const char* history) {
        return QJsonObject { { QStringLiteral("device"), d.id },
            { QStringLiteral("history"), QLatin1StringView(history) } };
    };
    const char* transfer = "session.transfer";
    const QList<Case> cases {
        { "to a device not connected", laptop.get(), transfer, to(p.aliceTablet, "all"),
            ErrorCode::DeviceOffline },
        { "to a device of Bob's", laptop.get(), transfer, to(p.bobPhone, "all"),
            ErrorCode::NotFound },
        { "to no device", laptop.get(), transfer,
            { { QStringLiteral("device"), 987654321 },
                { QStringLiteral("history"), QStringLiteral("all") } },
            ErrorCode::NotFound },
        { "to a signed-out device", laptop.get(), transfer, to(old, "all"), ErrorCode::NotFound },
        { "to the same device", laptop.get(), transfer, to(p.aliceLaptop, "all"),
            ErrorCode::BadRequest },
        { "with history last:0", laptop.get(), transfer, to(p.alicePhone, "last:0"),
            ErrorCode::BadRequest },
        { "with history last:100001", laptop.get(), transfer, to(p.alicePhone, "last:100001"),
            ErrorCode::BadRequest },
        { "with history last:+5", laptop.get(), transfer, to(p.alicePhone, "last:+5"),
            ErrorCode::BadRequest },
        { "with history everything", laptop.get(), transfer, to(p.alicePhone, "everything"),
            ErrorCode::BadRequest },
        { "without history", laptop.get(), transfer,
            { { QStringLiteral("device"), p.alicePhone.id } }, ErrorCode::BadRequest },
        { "from a device it is not on", phone.get(), transfer, to(p.aliceLaptop, "all"),
            ErrorCode::NotBound },
        { "a pull with history some", phone.get(), "session.pull",
            { { QStringLiteral("history"), QStringLiteral("some") } }, ErrorCode::BadRequest },
    };
    QHash<QString, QJsonObject> errors;
    for (const Case& c : cases) {
        const QJsonObject r = act(*c.from, c.op, id, c.args);
        QVERIFY2(code(r) == codeName(c.code),
            qPrintable(QLatin1StringView(c.what) + QStringLiteral(": ") + describe(r)));
        errors.insert(QString::fromLatin1(c.what), errorOf(r));
        QVERIFY2(listed(*laptop, id) == before, c.what);
        QVERIFY2(quiet(*laptop, QStringLiteral("session")), c.what);
        QVERIFY2(quiet(*phone, QStringLiteral("session")), c.what);
    }
    QCOMPARE(listed(*bobTablet, id), bobsBefore);
    QVERIFY(quiet(*bobTablet, QStringLiteral("session")));
    // Bob's device looks exactly like no device at all.
    const QJsonObject bobs = errors.value(QStringLiteral("to a device of Bob's"));
    const QJsonObject none = errors.value(QStringLiteral("to no device"));
    QCOMPARE(bobs.keys(), none.keys());
    QCOMPARE(
        at(bobs, "message").toString().replace(QString::number(p.bobPhone.id), QStringLiteral("N")),
        at(none, "message").toString().replace(QStringLiteral("987654321"), QStringLiteral("N")));
    // From the phone: where the session is.
    QCOMPARE(objectAt(errors.value(QStringLiteral("from a device it is not on")), "device"),
        named(p.aliceLaptop));

    // A request that still rings cannot move, nor can an ended one.
    const qint64 ringing = invite(*laptop, m_carol);
    QVERIFY(ringing > 0);
    settle(*laptop);
    settle(*phone);
    QJsonObject r = act(*laptop, transfer, ringing, to(p.alicePhone, "all"));
    QCOMPARE_CODE(r, ErrorCode::Conflict);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), ringing },
            { QStringLiteral("state"), QStringLiteral("inviting") } }));
    QCOMPARE_CODE(act(*phone, "session.pull", ringing,
                      { { QStringLiteral("history"), QStringLiteral("all") } }),
        ErrorCode::Conflict);
    QVERIFY(quiet(*laptop, QStringLiteral("session")));
    QVERIFY_OK(act(*laptop, "session.cancel", ringing));
    settle(*laptop);
    settle(*phone);
    r = act(*laptop, transfer, ringing, to(p.alicePhone, "all"));
    QCOMPARE_CODE(r, ErrorCode::SessionEnded);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), ringing },
            { QStringLiteral("state"), QStringLiteral("ended") },
            { QStringLiteral("reason"), QStringLiteral("cancelled") } }));
    QCOMPARE_CODE(act(*phone, "session.pull", ringing,
                      { { QStringLiteral("history"), QStringLiteral("all") } }),
        ErrorCode::SessionEnded);
    QVERIFY(quiet(*laptop, QStringLiteral("session")));
    QVERIFY(quiet(*phone, QStringLiteral("session")));
    QCOMPARE(listed(*laptop, id), before);
    QVERIFY_OK(act(*laptop, "session.end", id));
}

void tst_Sessions::testGracePeriodKeepsAndThenEndsTheSession()
{
    QVERIFY(m_server.setSetting(QStringLiteral("session.graceSeconds"), QStringLiteral("2")));
    const Pair& p = m_pair;
    auto alice = connectAs(p.aliceLaptop);
    auto bobPhone = connectAs(p.bobPhone);
    auto bobTablet = connectAs(p.bobTablet);
    QVERIFY(alice && bobPhone && bobTablet);
    qint64 id = invite(*alice, p.bob);
    QVERIFY(id > 0);
    QVERIFY_OK(act(*bobTablet, "session.accept", id));
    settle(*alice);
    settle(*bobPhone);

    // Away for a moment: the tablet comes back within the grace period and carries on.
    bobTablet->close();
    QVERIFY(bobTablet->waitClosed());
    QElapsedTimer away;
    away.start();
    bobTablet = connectAs(p.bobTablet);
    QVERIFY(bobTablet);
    QVERIFY2(away.elapsed() < 1500, qPrintable(QString::number(away.elapsed())));
    // Past the grace period counted from the disconnect, and a tick more: still on.
    QVERIFY(alice->event(QStringLiteral("session"), int(3300 - away.elapsed())).isEmpty());
    QCOMPARE_FIELDS(listed(*bobTablet, id),
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("boundDevice"), named(p.bobTablet) } }));
    QVERIFY_OK(say(*bobTablet, id, QStringLiteral("s10-1"), p.alice, QStringLiteral("back")));

    // Away for longer: the session is gone for both, ended by Bob, not before the grace.
    bobTablet->close();
    QVERIFY(bobTablet->waitClosed());
    away.restart();
    const QJsonObject gone { { QStringLiteral("state"), QStringLiteral("ended") },
        { QStringLiteral("change"), QStringLiteral("gone") },
        { QStringLiteral("reason"), QStringLiteral("gone") },
        { QStringLiteral("endedBy"), p.bob } };
    QCOMPARE_FIELDS(next(*alice, id), gone);
    QVERIFY2(away.elapsed() >= 1900, qPrintable(QString::number(away.elapsed())));
    QCOMPARE_FIELDS(next(*bobPhone, id), gone);
    QVERIFY(listed(*alice, id).isEmpty());

    // Signed out, the bound device is gone at once, whatever the grace period.
    // (A device of its own: the shared tablet stays signed in for the other tests.)
    QVERIFY(m_server.setSetting(QStringLiteral("session.graceSeconds"), QStringLiteral("120")));
    const Device desktop = enrol(p.bob, QStringLiteral("Bob's desktop"), QStringLiteral("desktop"));
    auto bobDesktop = connectAs(desktop);
    QVERIFY(bobDesktop);
    id = invite(*alice, p.bob);
    QVERIFY(id > 0);
    QVERIFY_OK(act(*bobDesktop, "session.accept", id));
    settle(*alice);
    settle(*bobPhone);
    QVERIFY_OK(bobPhone->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), desktop.id } }));
    QCOMPARE_FIELDS(next(*alice, id), gone); // within the event wait, far below 120 s
    QCOMPARE_FIELDS(next(*bobPhone, id), gone);
}

void tst_Sessions::testActiveSessionSurvivesKill9()
{
    const Pair& p = m_pair;
    qint64 id = 0;
    qint64 hello = 0;
    {
        auto alice = connectAs(p.aliceLaptop);
        auto bob = connectAs(p.bobTablet);
        QVERIFY(alice && bob);
        id = invite(*alice, p.bob);
        QVERIFY(id > 0);
        QVERIFY_OK(act(*bob, "session.accept", id));
        hello = integerAt(result(say(*alice, id, QStringLiteral("s11-1"), p.bob,
                              QStringLiteral("before the crash"))),
            "messageId");
        QVERIFY(hello > 0);
        m_server.kill(); // no chance to checkpoint or close anything
    }
    QVERIFY(m_server.restart());

    auto alice = connectAs(p.aliceLaptop);
    auto bobTablet = connectAs(p.bobTablet);
    auto bobPhone = connectAs(p.bobPhone);
    QVERIFY(alice && bobTablet && bobPhone);
    QCOMPARE_FIELDS(listed(*alice, id),
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("change"), QStringLiteral("accepted") },
            { QStringLiteral("boundDevice"), named(p.aliceLaptop) } }));
    QCOMPARE_FIELDS(listed(*bobPhone, id),
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
            { QStringLiteral("boundDevice"), named(p.bobTablet) } }));
    const QJsonObject again = result(
        say(*alice, id, QStringLiteral("s11-2"), p.bob, QStringLiteral("after the crash")));
    QVERIFY2(integerAt(again, "messageId") > hello, qPrintable(describe(again)));
    QCOMPARE_FIELDS(messageOf(bobTablet->event(QStringLiteral("message"))),
        (QJsonObject { { QStringLiteral("id"), at(again, "messageId") },
            { QStringLiteral("session"), id },
            { QStringLiteral("body"), QStringLiteral("after the crash") } }));
    QCOMPARE(history(*alice, id), (QList<qint64> { hello, integerAt(again, "messageId") }));
    QVERIFY_OK(act(*bobTablet, "session.end", id));
}

void tst_Sessions::testComposingReachesOnlyThePeersBoundDevice()
{
    const Pair& p = m_pair;
    auto laptop = connectAs(p.aliceLaptop);
    auto phone = connectAs(p.alicePhone);
    auto bobTablet = connectAs(p.bobTablet);
    auto bobPhone = connectAs(p.bobPhone);
    QVERIFY(laptop && phone && bobTablet && bobPhone);
    const QString composing = QStringLiteral("session.composing");
    const auto typing = [](bool on) { return QJsonObject { { QStringLiteral("composing"), on } }; };
    const auto nobodyElse = [&](std::initializer_list<WsClient*> clients) {
        return std::all_of(
            clients.begin(), clients.end(), [&](WsClient* c) { return quiet(*c, composing); });
    };

    const qint64 id = invite(*laptop, p.bob);
    QVERIFY(id > 0);
    // Nobody to tell before it is accepted.
    QJsonObject r = act(*laptop, "session.composing", id, typing(true));
    QCOMPARE_CODE(r, ErrorCode::Conflict);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), id },
            { QStringLiteral("state"), QStringLiteral("inviting") } }));
    QVERIFY_OK(act(*bobTablet, "session.accept", id));

    // Alice's laptop types: Bob's tablet is told, transiently; nobody else.
    QCOMPARE(result(act(*laptop, "session.composing", id, typing(true))), QJsonObject());
    QJsonObject told = bobTablet->event(composing);
    QCOMPARE(dataOf(told),
        (QJsonObject {
            { QStringLiteral("sessionId"), id }, { QStringLiteral("composing"), true } }));
    QVERIFY(!told.contains(QLatin1StringView("seq")));
    QVERIFY(nobodyElse({ bobPhone.get(), phone.get(), laptop.get() }));
    QVERIFY_OK(act(*laptop, "session.composing", id, typing(false)));
    QCOMPARE(at(dataOf(bobTablet->event(composing)), "composing"), QJsonValue(false));
    // And the other way.
    QVERIFY_OK(act(*bobTablet, "session.composing", id, typing(true)));
    QCOMPARE(integerAt(dataOf(laptop->event(composing)), "sessionId"), id);
    QVERIFY(nobodyElse({ phone.get(), bobPhone.get(), bobTablet.get() }));

    // Only from the bound device.
    r = act(*phone, "session.composing", id, typing(true));
    QCOMPARE_CODE(r, ErrorCode::NotBound);
    QCOMPARE(objectAt(errorOf(r), "device"), named(p.aliceLaptop));
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), id },
            { QStringLiteral("boundDevice"), named(p.aliceLaptop) } }));
    r = act(*bobPhone, "session.composing", id, typing(true));
    QCOMPARE_CODE(r, ErrorCode::NotBound);
    QCOMPARE(objectAt(errorOf(r), "device"), named(p.bobTablet));
    QVERIFY(nobodyElse({ laptop.get(), phone.get(), bobTablet.get(), bobPhone.get() }));

    // It follows the session: pulled to the phone, the phone types and the laptop may not.
    QVERIFY_OK(
        act(*phone, "session.pull", id, { { QStringLiteral("history"), QStringLiteral("none") } }));
    QVERIFY_OK(act(*phone, "session.composing", id, typing(true)));
    QCOMPARE(integerAt(dataOf(bobTablet->event(composing)), "sessionId"), id);
    QCOMPARE_CODE(act(*laptop, "session.composing", id, typing(true)), ErrorCode::NotBound);
    QVERIFY_OK(act(*bobTablet, "session.composing", id, typing(true)));
    QCOMPARE(integerAt(dataOf(phone->event(composing)), "sessionId"), id);
    QVERIFY(nobodyElse({ laptop.get(), bobPhone.get() }));

    QVERIFY_OK(act(*bobTablet, "session.end", id));
    r = act(*phone, "session.composing", id, typing(false));
    QCOMPARE_CODE(r, ErrorCode::SessionEnded);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject {
            { QStringLiteral("id"), id }, { QStringLiteral("state"), QStringLiteral("ended") } }));
    QVERIFY(nobodyElse({ bobTablet.get() }));
}

void tst_Sessions::testInviteChecks()
{
    const Pair& p = m_pair;
    auto alice = connectAs(p.aliceLaptop, false);
    auto bob = connectAs(p.bobLaptop, false);
    auto carol = connectAs(m_carolLaptop, false);
    QVERIFY(alice && bob && carol);
    const auto inviteTo = [](WsClient& c, const QString& to) {
        return c.request(QStringLiteral("session.invite"), { { QStringLiteral("to"), to } });
    };

    QCOMPARE_CODE(inviteTo(*alice, p.alice), ErrorCode::BadRequest);
    QCOMPARE_CODE(inviteTo(*alice, p.alice.toUpper()), ErrorCode::BadRequest);
    QCOMPARE_CODE(inviteTo(*alice, QStringLiteral("nobody@cpm.example")), ErrorCode::NoSuchUser);

    // One open session per pair of people, whoever asks.
    const qint64 first = invite(*alice, p.bob);
    QVERIFY(first > 0);
    QJsonObject r = inviteTo(*alice, p.bob);
    QCOMPARE_CODE(r, ErrorCode::Conflict);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), first },
            { QStringLiteral("state"), QStringLiteral("inviting") },
            { QStringLiteral("role"), QStringLiteral("inviter") } }));
    r = inviteTo(*bob, p.alice);
    QCOMPARE_CODE(r, ErrorCode::Conflict);
    QCOMPARE_FIELDS(sessionOfError(r),
        (QJsonObject { { QStringLiteral("id"), first },
            { QStringLiteral("role"), QStringLiteral("invitee") } }));

    // At most 20 open sessions, for the inviter and for the invitee.
    QList<qint64> open { first };
    for (int i = 0; i < lim::MaxOpenSessions - 1; ++i) {
        open.append(invite(*alice, m_peers.at(i)));
        QVERIFY2(open.last() > 0, qPrintable(m_peers.at(i)));
    }
    QCOMPARE_CODE(inviteTo(*alice, m_peers.last()), ErrorCode::LimitReached);
    QCOMPARE_CODE(inviteTo(*carol, p.alice), ErrorCode::LimitReached);
    QList<qint64> listedIds;
    const QJsonArray sessions
        = at(result(alice->request(QStringLiteral("session.list"))), "sessions").toArray();
    for (const QJsonValue& s : sessions) {
        listedIds.append(integerAt(s.toObject(), "id"));
    }
    QCOMPARE(listedIds, open); // oldest first

    // A session of other people looks exactly like one that does not exist.
    const qint64 others = invite(*carol, m_peers.last());
    QVERIFY(others > 0);
    const qint64 unknown = others + 1000000;
    const QList<std::pair<const char*, QJsonObject>> ops {
        { "session.accept", {} },
        { "session.decline", {} },
        { "session.cancel", {} },
        { "session.end", {} },
        { "session.transfer",
            { { QStringLiteral("device"), p.alicePhone.id },
                { QStringLiteral("history"), QStringLiteral("all") } } },
        { "session.pull", { { QStringLiteral("history"), QStringLiteral("all") } } },
        { "session.history", {} },
        { "session.composing", { { QStringLiteral("composing"), true } } },
        { "session.get", {} },
    };
    for (const auto& [op, args] : ops) {
        const QJsonObject theirs = act(*alice, op, others, args);
        const QJsonObject nobodys = act(*alice, op, unknown, args);
        QVERIFY2(code(theirs) == codeName(ErrorCode::NotFound), qPrintable(describe(theirs)));
        QVERIFY2(code(nobodys) == codeName(ErrorCode::NotFound), qPrintable(describe(nobodys)));
        QCOMPARE(errorOf(theirs).keys(), errorOf(nobodys).keys());
        QCOMPARE(at(errorOf(theirs), "message")
                     .toString()
                     .replace(QString::number(others), QStringLiteral("N")),
            at(errorOf(nobodys), "message")
                .toString()
                .replace(QString::number(unknown), QStringLiteral("N")));
    }

    // Arguments out of shape change nothing.
    const QList<std::pair<const char*, QJsonObject>> bad {
        { "session.invite", {} },
        { "session.invite", { { QStringLiteral("to"), QStringLiteral("not an address") } } },
        { "session.invite", { { QStringLiteral("to"), 7 } } },
        { "session.invite",
            { { QStringLiteral("to"), m_peers.last() },
                { QStringLiteral("subject"), QString(lim::MaxSubjectChars + 1, u's') } } },
        { "session.accept", {} },
        { "session.accept", { { QStringLiteral("id"), QString::number(first) } } },
        { "session.accept", { { QStringLiteral("id"), 0 } } },
        { "session.end", { { QStringLiteral("id"), 1.5 } } },
        { "session.composing", { { QStringLiteral("id"), first } } },
        { "session.history", { { QStringLiteral("id"), first }, { QStringLiteral("limit"), 0 } } },
        { "session.history",
            { { QStringLiteral("id"), first },
                { QStringLiteral("limit"), lim::MaxHistoryPage + 1 } } },
    };
    for (const auto& [op, args] : bad) {
        const QJsonObject answer = alice->request(QLatin1StringView(op), args);
        QVERIFY2(code(answer) == codeName(ErrorCode::BadRequest),
            qPrintable(QLatin1StringView(op) + QStringLiteral(": ") + describe(answer)));
    }
    QCOMPARE_FIELDS(listed(*alice, first),
        (QJsonObject { { QStringLiteral("state"), QStringLiteral("inviting") } }));

    // Ending one makes room again; `session.get` still tells of it, ended.
    const qint64 cancelled = open.takeLast();
    QVERIFY_OK(act(*alice, "session.cancel", cancelled));
    QCOMPARE_FIELDS(at(result(act(*alice, "session.get", cancelled)), "session").toObject(),
        (QJsonObject { { QStringLiteral("id"), cancelled },
            { QStringLiteral("state"), QStringLiteral("ended") },
            { QStringLiteral("reason"), QStringLiteral("cancelled") },
            { QStringLiteral("change"), QStringLiteral("ended") } }));
    QVERIFY_OK(act(*carol, "session.cancel", others));
    open.append(invite(*alice, m_peers.last()));
    QVERIFY(open.last() > 0);
    for (qint64 id : std::as_const(open)) {
        QVERIFY_OK(act(*alice, "session.end", id));
    }
    QVERIFY(
        at(result(alice->request(QStringLiteral("session.list"))), "sessions").toArray().isEmpty());
}

QTEST_GUILESS_MAIN(tst_Sessions)
#include "tst_serversessions.moc"
