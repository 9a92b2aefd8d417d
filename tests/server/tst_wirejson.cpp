// SPDX-License-Identifier: GPL-3.0-or-later
// The server's fast JSON writer says exactly what the protocol's codec says: the same
// object for every frame it writes, for the worst-case characters too (every control
// character, quotes, backslashes, line separators, characters outside the BMP).

#include "deliverypolicy.h"
#include "failonwarning.h"
#include "frame.h"
#include "model.h"
#include "protocol.h"
#include "wirejson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace cpm;
using namespace cpm::server;

namespace {
QJsonObject parsed(const QString& text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning() << "not JSON:" << error.errorString() << text.left(200);
    }
    return doc.object();
}

QString worstCase()
{
    QString s;
    for (char16_t c = 0; c < 0x20; ++c) {
        s += QChar(c);
    }
    s += QStringLiteral("\"\\/\u007f\u2028\u2029 Grüße 你好 🙂 </script>");
    return s;
}
} // namespace

class tst_WireJson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testMessageEventEqualsTheCodec_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("partial");
        QTest::newRow("plain") << QStringLiteral("Look at these!") << false;
        QTest::newRow("worst-case") << worstCase() << false;
        QTest::newRow("worst-case-partial") << worstCase() << true;
        QTest::newRow("empty") << QStringLiteral("") << false;
        QTest::newRow("session") << QStringLiteral("In a session") << false;
        QTest::newRow("session-partial") << QStringLiteral("In a session") << true;
        QTest::newRow("max-body") << QString(protocol::limits::MaxBodyBytes, QLatin1Char('x'))
                                  << false;
        QTest::newRow("attachments") << QStringLiteral("With pictures ") + worstCase() << false;
        QTest::newRow("attachments-partial") << QStringLiteral("With pictures") << true;
    }

    void testMessageEventEqualsTheCodec()
    {
        QFETCH(QString, text);
        QFETCH(bool, partial);
        protocol::Message m;
        m.id = 9007199254740991LL;
        m.clientId = QStringLiteral("c-1._x");
        m.from = QStringLiteral("bob+work@cpm.example");
        m.to = QStringLiteral("alice@cpm.example");
        m.subject = text.left(protocol::limits::MaxSubjectChars);
        m.body = text;
        m.time = 1763800000000;
        m.folder = protocol::Folder::Inbox;
        m.read = true;
        m.status = protocol::MessageState::Delivered;
        // `session` appears only for a session message.
        m.session
            = text.startsWith(QLatin1StringView("In a session")) ? protocol::MaxSafeInteger : 0;
        // Every route the wire knows, by turns (MSG-7, MSG-8).
        m.route = static_cast<protocol::Route>(text.size() % 4);
        if (text.startsWith(QLatin1StringView("With pictures"))) {
            for (const QString& name : { QStringLiteral("beach \"1\".jpg"), worstCase().mid(32) }) {
                protocol::Attachment a;
                a.id = QStringLiteral("0123456789abcdef0123456789abcdef");
                a.name = name;
                a.type = QStringLiteral("image/jpeg");
                a.size = protocol::MaxSafeInteger;
                a.sha256 = QString(64, QLatin1Char('a'));
                m.attachments.append(a);
            }
        }
        const protocol::Message view = partial ? m.withoutBody() : m;
        const QJsonObject codec = parsed(QString::fromUtf8(protocol::Frame::streamEvent(
            protocol::event::Message, 77, protocol::MessageEvent { view }.toJson())
                                                               .encode()));
        const QJsonObject fast = parsed(wire::messageEventText(77, m, partial));
        QCOMPARE(fast, codec);
        // And the client reads back what was sent.
        const Result<protocol::MessageEvent> back
            = protocol::MessageEvent::fromJson(fast.value(QLatin1StringView("data")).toObject());
        QVERIFY(back.ok());
        QCOMPARE(back->message, view);
    }

    void testReportEqualsTheCodec()
    {
        protocol::ReportEvent report { 42, protocol::MessageState::Displayed,
            QStringLiteral("a\"b\\c@cpm.example"), 1763800000000, {} };
        QCOMPARE(parsed(wire::reportData(report)), report.toJson());
        for (const protocol::Route route : { protocol::Route::Cpm, protocol::Route::Deferred,
                 protocol::Route::Email, protocol::Route::Sms }) {
            report.route = route;
            QCOMPARE(parsed(wire::reportData(report)), report.toJson());
        }
    }

    void testResponsesEqualTheCodec()
    {
        for (const QJsonValue& id : { QJsonValue(7), QJsonValue(QStringLiteral("r-\"1\"")),
                 QJsonValue(QJsonValue::Null) }) {
            const QJsonObject expected = protocol::Frame::response(id,
                { { QStringLiteral("messageId"), 5 },
                    { QStringLiteral("duplicate"),
                        false } }).toJson();
            QCOMPARE(
                parsed(wire::responseText(id, u"\"messageId\":5,\"duplicate\":false")), expected);
        }
        const QString event = wire::eventText(u"flags", 3, u"{\"messageId\":1,\"read\":true}");
        const QJsonObject sync
            = parsed(wire::syncResponseText(QJsonValue(4), { event, event }, 9, 12, true));
        const QJsonObject result = sync.value(QLatin1StringView("result")).toObject();
        QCOMPARE(sync.value(QLatin1StringView("id")).toInt(), 4);
        QCOMPARE(result.value(QLatin1StringView("events")).toArray().size(), 2);
        QCOMPARE(
            result.value(QLatin1StringView("events")).toArray().at(0).toObject(), parsed(event));
        QCOMPARE(result.value(QLatin1StringView("next")).toInt(), 9);
        QCOMPARE(result.value(QLatin1StringView("head")).toInt(), 12);
        QCOMPARE(result.value(QLatin1StringView("more")).toBool(), true);
        QVERIFY(parsed(wire::syncResponseText(QJsonValue(5), {}, 0, 0, false))
                    .value(QLatin1StringView("result"))
                    .toObject()
                    .value(QLatin1StringView("events"))
                    .toArray()
                    .isEmpty());
    }

    void testUtf8SizeIsTheEncodedSize()
    {
        for (const QString& text : { worstCase(), QStringLiteral(""), QString(1000, QChar(0x4f60)),
                 QStringLiteral("🙂🙂x") }) {
            QCOMPARE(wire::utf8Size(text), text.toUtf8().size());
        }
        // A lone surrogate is never counted short, whatever an encoder makes of it.
        QString lone = QStringLiteral("a");
        lone += QChar(0xd800);
        QVERIFY(wire::utf8Size(lone) >= lone.toUtf8().size());
    }

    void testTheLargestMessageFitsEverywhere()
    {
        // What the limits let a client send, in the characters that grow the most when
        // escaped: U+0001 is one byte in UTF-8 and six (\u0001) in JSON.
        namespace lim = protocol::limits;
        const QString body(lim::MaxBodyBytes, QChar(1));
        const QString subject(lim::MaxSubjectChars, QChar(1));
        const QString address
            = QString(lim::MaxAddressChars - 12, QLatin1Char('a')) + QStringLiteral("@cpm.example");
        const QString clientId(lim::MaxClientIdChars, QLatin1Char('c'));
        const QJsonValue requestId(QString(64, QChar(1)));

        // The client's `send` frame fits the server's limit ...
        const QJsonObject sendFrame { { QStringLiteral("id"), requestId },
            { QStringLiteral("op"), QStringLiteral("send") },
            { QStringLiteral("args"),
                QJsonObject { { QStringLiteral("clientId"), clientId },
                    { QStringLiteral("to"), address }, { QStringLiteral("subject"), subject },
                    { QStringLiteral("body"), body },
                    { QStringLiteral("attachments"),
                        QJsonArray::fromStringList(QStringList(
                            lim::MaxAttachmentsPerMessage, QString(32, QLatin1Char('f')))) } } } };
        const qsizetype sent = QJsonDocument(sendFrame).toJson(QJsonDocument::Compact).size();
        QVERIFY2(sent <= lim::MaxFrameBytes, qPrintable(QString::number(sent)));

        // ... and the event made of it fits a client's, alone in a `sync` answer too.
        protocol::Message m;
        m.id = protocol::MaxSafeInteger;
        m.clientId = clientId;
        m.from = address;
        m.to = address;
        m.subject = subject;
        m.body = body;
        m.time = protocol::MaxSafeInteger;
        // The most attachments, with the longest names in the characters that take the
        // most bytes (control characters are refused in names; U+4F60 is 3 bytes).
        for (int i = 0; i < lim::MaxAttachmentsPerMessage; ++i) {
            protocol::Attachment a;
            a.id = QString(32, QLatin1Char('f'));
            a.name = QString(lim::MaxAttachmentNameChars, QChar(0x4f60));
            a.type
                = QStringLiteral("a/") + QString(lim::MaxAttachmentTypeChars - 2, QLatin1Char('b'));
            a.size = protocol::MaxSafeInteger;
            a.sha256 = QString(64, QLatin1Char('e'));
            m.attachments.append(a);
        }
        const QString event = wire::messageEventText(protocol::MaxSafeInteger, m, false);
        QVERIFY(event.contains(m.attachments.first().name));
        const qsizetype alone = wire::utf8Size(wire::syncResponseText(
            requestId, { event }, protocol::MaxSafeInteger, protocol::MaxSafeInteger, true));
        QVERIFY2(alone <= lim::MaxFrameBytes, qPrintable(QString::number(alone)));
        QVERIFY(wire::utf8Size(event) + 1 + wire::SyncEnvelopeBytes <= lim::MaxFrameBytes);
        // The envelope allowance covers the worst id and numbers.
        QVERIFY(alone - wire::utf8Size(event) <= wire::SyncEnvelopeBytes);
    }

    void testTheFullestProfileAndDeviceListFit()
    {
        // The budgets that keep `profile.get` and `devices.list` answerable, filled with
        // the characters that grow the most when escaped.
        namespace lim = protocol::limits;
        const QJsonValue requestId(QString(64, QChar(1)));
        const QString name(lim::MaxNameChars, QChar(1));

        // Contacts and preferences up to the byte budget, as the server lets them grow.
        QJsonArray contacts;
        QJsonObject prefs;
        qsizetype counted = 0;
        for (int i = 0;; ++i) {
            protocol::Contact c { QStringLiteral("%1@cpm.example")
                                      .arg(i, lim::MaxAddressChars - 12, 10, QLatin1Char('0')),
                name };
            const QString key = QString::number(i).leftJustified(lim::MaxPrefKeyChars, QChar(1));
            const QString value(lim::MaxPrefValueChars, QChar(1));
            const qsizetype more = protocol::profileBytes(c) + protocol::profileBytes(key, value);
            if (counted + more > lim::MaxProfileBytes) {
                break;
            }
            counted += more;
            contacts.append(c.toJson());
            prefs.insert(key, value);
        }
        QVERIFY(contacts.size() > 10);
        // The count is the bytes the lists take in the answer (brackets for the last comma).
        const qsizetype listBytes = QJsonDocument(contacts).toJson(QJsonDocument::Compact).size()
            + QJsonDocument(prefs).toJson(QJsonDocument::Compact).size();
        QCOMPARE(listBytes, counted - 2 + 4);
        const protocol::Status status { QStringLiteral("custom"),
            QString(lim::MaxStatusTextChars, QChar(1)) };
        const qsizetype profile
            = QJsonDocument(protocol::Frame::response(requestId,
                                { { QStringLiteral("contacts"), contacts },
                                    { QStringLiteral("status"), status.toJson() },
                                    { QStringLiteral("prefs"), prefs } })
                                .toJson())
                  .toJson(QJsonDocument::Compact)
                  .size();
        QVERIFY2(profile <= lim::MaxFrameBytes, qPrintable(QString::number(profile)));

        // Every device a user may have signed in, each as large as a device can be.
        QJsonArray devices;
        for (int i = 0; i < lim::MaxDevices; ++i) {
            protocol::Device d;
            d.id = protocol::MaxSafeInteger;
            d.instanceId = QString(64, QChar(1));
            d.name = name;
            d.kind = QStringLiteral("desktop");
            for (const QLatin1StringView capability : protocol::capability::All) {
                d.capabilities.append(capability);
            }
            d.delivery = QStringLiteral("notification");
            d.lastSeen = protocol::MaxSafeInteger;
            devices.append(d.toJson());
        }
        const qsizetype list = QJsonDocument(
            protocol::Frame::response(requestId, { { QStringLiteral("devices"), devices } })
                .toJson())
                                   .toJson(QJsonDocument::Compact)
                                   .size();
        QVERIFY2(list <= lim::MaxFrameBytes, qPrintable(QString::number(list)));
    }

    void testDeliveryPolicyViews()
    {
        using View = DeliveryPolicy::View;
        StoredEvent incoming;
        incoming.kind = QString(protocol::event::Message);
        incoming.message = protocol::Message();
        incoming.message->folder = protocol::Folder::Inbox;
        StoredEvent sent = incoming;
        sent.message->folder = protocol::Folder::Sent;
        QCOMPARE(DeliveryPolicy::viewOf(incoming, u"full"), View::Whole);
        QCOMPARE(DeliveryPolicy::viewOf(incoming, u"notification"), View::Partial);
        QCOMPARE(DeliveryPolicy::viewOf(incoming, u"none"), View::Skip);
        // The user's own sent copies reach every device whole, whatever its preference.
        QCOMPARE(DeliveryPolicy::viewOf(sent, u"none"), View::Whole);
        QCOMPARE(DeliveryPolicy::viewOf(sent, u"notification"), View::Whole);
        StoredEvent gone = incoming;
        gone.message.reset();
        QCOMPARE(DeliveryPolicy::viewOf(gone, u"full"), View::Skip);
        StoredEvent flags;
        flags.kind = QString(protocol::event::Flags);
        flags.messageGone = true;
        QCOMPARE(DeliveryPolicy::viewOf(flags, u"full"), View::Skip);
        StoredEvent device;
        device.kind = QString(protocol::event::Device);
        QCOMPARE(DeliveryPolicy::viewOf(device, u"none"), View::PerDevice);
        // Only a device incoming messages reach can make them delivered.
        QVERIFY(DeliveryPolicy::ackDelivers(u"full"));
        QVERIFY(DeliveryPolicy::ackDelivers(u"notification"));
        QVERIFY(!DeliveryPolicy::ackDelivers(u"none"));
    }
};

QTEST_GUILESS_MAIN(tst_WireJson)
#include "tst_wirejson.moc"
