// SPDX-License-Identifier: GPL-3.0-or-later
// The protocol's objects and event payloads: one codec, what it writes it reads back
// unchanged, and what a peer may not send is refused with the field named.

#include "failonwarning.h"
#include "model.h"
#include "protocol.h"
#include "sha256.h"
#include "streamingheap.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace cpm::protocol;
using cpm::ErrorCode;

namespace {
QJsonObject json(const char* text) { return QJsonDocument::fromJson(text).object(); }

Message sample()
{
    Message m;
    m.id = 42;
    m.clientId = QStringLiteral("c-1");
    m.from = QStringLiteral("bob@cpm.example");
    m.to = QStringLiteral("alice@cpm.example");
    m.subject = QStringLiteral("Holidays");
    m.body = QStringLiteral("Look at these! \"quoted\" \\ \u0001 🙂");
    m.time = 1763800000000;
    m.folder = Folder::Sent;
    m.read = true;
    m.status = MessageState::Displayed;
    return m;
}
} // namespace

class tst_Model : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // FIPS 180-2's examples, and the state going on after a result.
    void testSha256KnownAnswers()
    {
        using cpm::protocol::Sha256;
        QCOMPARE(Sha256::hash("").toHex(),
            QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(Sha256::hash("abc").toHex(),
            QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        Sha256 h;
        h.addData("abcdbcdecdefdefgefghfghighij");
        const QByteArray early = h.result();
        QCOMPARE(h.result(), early);
        h.addData("hijkijkljklmklmnlmnomnopnopq");
        QCOMPARE(h.hex(),
            QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        QByteArray million(1000000, 'a');
        QCOMPARE(Sha256::hash(million).toHex(),
            QByteArray("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }
    void testHeapKeepsChunkBuffers()
    {
        // What bench-media's upload figures rest on (docs/performance.md, "Attachments"):
        // after setUpHeapForStreaming() a chunk-sized block comes from the heap, not from a
        // mapping of its own that is faulted in anew for every chunk.
#if defined(__GLIBC__)
        setUpHeapForStreaming();
        const size_t mappedBefore = mallinfo2().hblks;
        void* chunk = std::malloc(1024 * 1024);
        QVERIFY(chunk);
        const size_t mappedDuring = mallinfo2().hblks;
        std::free(chunk);
        QCOMPARE(mappedDuring, mappedBefore);
#else
        QFAIL("setUpHeapForStreaming() is written for glibc; check what this C library does");
#endif
    }

    void testAttachmentObjectsAreStrict()
    {
        QJsonObject a { { QStringLiteral("id"),
                            QStringLiteral("0123456789abcdef0123456789abcdef") },
            { QStringLiteral("name"), QStringLiteral("a.jpg") },
            { QStringLiteral("type"), QStringLiteral("image/jpeg") },
            { QStringLiteral("size"), 12 }, { QStringLiteral("sha256"), QString(64, u'a') } };
        QVERIFY(cpm::protocol::Attachment::fromJson(a).ok());
        for (const auto& [key, bad] :
            { std::pair(QStringLiteral("id"), QJsonValue(QStringLiteral("0123"))),
                std::pair(QStringLiteral("id"), QJsonValue(QString(32, u'G'))),
                std::pair(QStringLiteral("type"), QJsonValue(QStringLiteral("jpeg"))),
                std::pair(QStringLiteral("type"), QJsonValue(QStringLiteral("image/j peg"))),
                std::pair(QStringLiteral("sha256"), QJsonValue(QString(64, u'A'))),
                std::pair(QStringLiteral("size"), QJsonValue(-1)) }) {
            QJsonObject b = a;
            b.insert(key, bad);
            QVERIFY2(!cpm::protocol::Attachment::fromJson(b).ok(), qPrintable(key));
        }
    }
    void init() { cpm::test::failOnWarnings(); }

    void testMessageRoundTrips()
    {
        const Message m = sample();
        const cpm::Result<Message> back = Message::fromJson(m.toJson());
        QVERIFY2(back.ok(), qPrintable(back.error().message));
        QCOMPARE(*back, m);
        // MSG-7/8: the route goes on the wire unless it is cpm, and comes back.
        QVERIFY(!m.toJson().contains(QLatin1StringView("route")));
        for (const Route route : { Route::Deferred, Route::Email, Route::Sms }) {
            Message routed = m;
            routed.route = route;
            QCOMPARE(
                routed.toJson().value(QLatin1StringView("route")).toString(), routeName(route));
            QCOMPARE(Message::fromJson(routed.toJson())->route, route);
        }
        QJsonObject unknown = m.toJson();
        unknown.insert(QStringLiteral("route"), QStringLiteral("pigeon"));
        QCOMPARE(Message::fromJson(unknown)->route, Route::Cpm);
    }

    void testPartialMessageHasNoBody()
    {
        const QJsonObject o = sample().withoutBody().toJson();
        QVERIFY(o.value(QLatin1StringView("body")).isNull());
        QCOMPARE(o.value(QLatin1StringView("partial")).toBool(), true);
        const cpm::Result<Message> back = Message::fromJson(o);
        QVERIFY(back.ok());
        QVERIFY(back->partial);
        QVERIFY(back->body.isNull());
        // A message without a body is partial whatever `partial` says.
        QJsonObject lying = o;
        lying.insert(QStringLiteral("partial"), false);
        QVERIFY(Message::fromJson(lying)->partial);
    }

    void testOptionalFieldsHaveTheirDefaults()
    {
        const cpm::Result<Message> m = Message::fromJson(
            json(R"({"id":1,"from":"a@b","to":"c@d","body":"x","time":5,"folder":"inbox"})"));
        QVERIFY2(m.ok(), qPrintable(m.error().message));
        QCOMPARE(m->subject, QStringLiteral(""));
        QVERIFY(!m->subject.isNull());
        QCOMPARE(m->read, false);
        QCOMPARE(m->status, MessageState::Sent);
        QCOMPARE(m->partial, false);
        // A state a newer server added reads as the earliest; unknown fields are ignored.
        const cpm::Result<Message> newer = Message::fromJson(json(
            R"({"id":1,"from":"a@b","to":"c@d","body":"x","time":5,"folder":"inbox",
                "status":"teleported","reactions":[]})"));
        QVERIFY(newer.ok());
        QCOMPARE(newer->status, MessageState::Sent);
    }

    void testMalformedMessagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("mentions");
        const QByteArray good = R"("from":"a@b","to":"c@d","body":"x","time":5,"folder":"inbox")";
        QTest::newRow("no-id") << ("{" + good + "}") << QStringLiteral("'id'");
        QTest::newRow("id-string") << (R"({"id":"7",)" + good + "}") << QStringLiteral("'id'");
        QTest::newRow("id-huge") << (R"({"id":1e300,)" + good + "}") << QStringLiteral("'id'");
        QTest::newRow("id-zero") << (R"({"id":0,)" + good + "}") << QStringLiteral("'id'");
        QTest::newRow("folder-unknown")
            << QByteArray(R"({"id":1,"from":"a@b","to":"c@d","body":"x","time":5,"folder":"spam"})")
            << QStringLiteral("folder");
        QTest::newRow("body-too-large")
            << (R"({"id":1,"from":"a@b","to":"c@d","time":5,"folder":"inbox","body":")"
                   + QByteArray(limits::MaxBodyBytes + 1, 'x') + R"("})")
            << QStringLiteral("'body'");
        QTest::newRow("subject-too-long")
            << (R"({"id":1,"from":"a@b","to":"c@d","body":"x","time":5,"folder":"inbox","subject":")"
                   + QByteArray(limits::MaxSubjectChars + 1, 's') + R"("})")
            << QStringLiteral("'subject'");
        QTest::newRow("read-string") << QByteArray(
            R"({"id":1,"from":"a@b","to":"c@d","body":"x","time":5,"folder":"inbox","read":"yes"})")
                                     << QStringLiteral("'read'");
    }

    void testMalformedMessagesAreRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, mentions);
        const cpm::Result<Message> m = Message::fromJson(QJsonDocument::fromJson(text).object());
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::BadFrame);
        QVERIFY2(m.error().message.contains(mentions), qPrintable(m.error().message));
    }

    void testDeviceRoundTripsAndDefaultsItsDelivery()
    {
        Device d;
        d.id = 3;
        d.instanceId = QStringLiteral("5f0c");
        d.name = QStringLiteral("Alice's laptop");
        d.kind = QStringLiteral("laptop");
        d.capabilities = { QStringLiteral("text"), QStringLiteral("image") };
        d.delivery = QStringLiteral("notification");
        d.notifySessions = false;
        d.online = true;
        d.lastSeen = 1763800000000;
        d.current = true;
        QCOMPARE(*Device::fromJson(d.toJson()), d);
        const cpm::Result<Device> minimal = Device::fromJson(json(R"({"id":9})"));
        QVERIFY(minimal.ok());
        QCOMPARE(minimal->delivery, QStringLiteral("full"));
        QCOMPARE(minimal->notifySessions, true);
        QVERIFY(!Device::fromJson(json(R"({"id":9,"capabilities":"text"})")).ok());
    }

    void testEventPayloadsRoundTrip()
    {
        const FlagsEvent flags { 42, true };
        QCOMPARE(FlagsEvent::fromJson(flags.toJson())->messageId, 42);
        const DeletedEvent deleted { 42, DeletedEvent::Reason::Expired };
        QCOMPARE(DeletedEvent::fromJson(deleted.toJson())->reason, DeletedEvent::Reason::Expired);
        QCOMPARE(deleted.toJson().value(QLatin1StringView("reason")).toString(),
            QStringLiteral("expired"));
        const ReportEvent report { 42, MessageState::Delivered, QStringLiteral("a@b"), 7, {} };
        const cpm::Result<ReportEvent> r = ReportEvent::fromJson(report.toJson());
        QVERIFY(r.ok());
        QCOMPARE(r->status, MessageState::Delivered);
        QCOMPARE(r->by, QStringLiteral("a@b"));
        QVERIFY(!r->route); // the route is unchanged
        // MSG-8: a report may move the route; an unknown one leaves it as it was.
        const ReportEvent byEmail { 42, MessageState::Delivered, QStringLiteral("a@b"), 7,
            Route::Email };
        QCOMPARE(report.toJson().contains(QLatin1StringView("route")), false);
        QCOMPARE(ReportEvent::fromJson(byEmail.toJson())->route, std::optional(Route::Email));
        QVERIFY(
            !ReportEvent::fromJson(json(R"({"messageId":1,"status":"delivered","route":"pigeon"})"))
                 ->route);
        LegacyDelivery delivery { 42, true, QStringLiteral("email"), {}, QStringLiteral("pending"),
            3, QStringLiteral("couldn't connect"), 1, 0 };
        QVERIFY(!delivery.toJson().contains(QLatin1StringView("address")));
        QCOMPARE(*LegacyDelivery::fromJson(delivery.toJson()), delivery);
        delivery.outgoing = false;
        delivery.address = QStringLiteral("alice@mail.example");
        QCOMPARE(*LegacyDelivery::fromJson(delivery.toJson()), delivery);
        QVERIFY(!ReportEvent::fromJson(json(R"({"messageId":1,"status":"lost"})")).ok());
        const ContactEvent contact { { QStringLiteral("bob@cpm.example"), QStringLiteral("Bob") },
            true };
        QCOMPARE(ContactEvent::fromJson(contact.toJson())->contact, contact.contact);
        QVERIFY(ContactEvent::fromJson(contact.toJson())->removed);
        const PrefEvent pref { QStringLiteral("theme"), QStringLiteral("") };
        QCOMPARE(PrefEvent::fromJson(pref.toJson())->value, QStringLiteral(""));
        QVERIFY(!PrefEvent::fromJson(json(R"({"key":"theme"})")).ok());
        const Status status { QStringLiteral("custom"), QStringLiteral("On a train") };
        QCOMPARE(*Status::fromJson(status.toJson()), status);
        QVERIFY(!Status::fromJson(json(R"({"status":"asleep"})")).ok());
        const PresenceEvent presence { 3, true, 99 };
        QCOMPARE(PresenceEvent::fromJson(presence.toJson())->deviceId, 3);
        QCOMPARE(
            SignedOutEvent::fromJson(SignedOutEvent { QStringLiteral("bye") }.toJson())->reason,
            QStringLiteral("bye"));
    }

    void testStatesOnlyMoveForward()
    {
        QVERIFY(stateAdvances(MessageState::Sent, MessageState::Delivered));
        QVERIFY(stateAdvances(MessageState::Delivered, MessageState::Displayed));
        QVERIFY(!stateAdvances(MessageState::Displayed, MessageState::Delivered));
        QVERIFY(stateAdvances(MessageState::Sent, MessageState::Expired));
        QVERIFY(!stateAdvances(MessageState::Delivered, MessageState::Expired));
    }
};

QTEST_GUILESS_MAIN(tst_Model)
#include "tst_model.moc"
