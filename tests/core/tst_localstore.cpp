// SPDX-License-Identifier: GPL-3.0-or-later
// The profile database: migrations, encryption at rest, tombstones, atomic sync batches.
#include "attachmentcache.h"
#include "failonwarning.h"
#include "faketransport.h"
#include "localstore.h"
#include "must.h"
#include "sealedfile.h"
#include "secretbox.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace cpm;
using cpm::test::messageEvent;
using cpm::test::messageJson;
using cpm::test::must;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

const QString Carol = QStringLiteral("carol@cpm.example");
const QString Dave = QStringLiteral("dave@cpm.example");

protocol::Frame frameOf(const QJsonObject& o) { return *protocol::Frame::fromJson(o, nullptr); }

protocol::Frame eventOf(const char* name, qint64 seq, const QJsonObject& data)
{
    return frameOf({ { QStringLiteral("event"), QString::fromLatin1(name) },
        { QStringLiteral("seq"), seq }, { QStringLiteral("data"), data } });
}

QJsonObject unreadIncoming(qint64 id, const QString& from, const char* body, qint64 time)
{
    return messageJson(id, from, Alice, QString::fromUtf8(body), QStringLiteral("inbox"), time);
}

QJsonObject readOutgoing(qint64 id, const QString& to, const char* body, qint64 time)
{
    QJsonObject m
        = messageJson(id, Alice, to, QString::fromUtf8(body), QStringLiteral("sent"), time);
    m.insert(QStringLiteral("read"), true);
    return m;
}

//! The conversation list computed from `messages` alone, the way schema 2 did (a scan of
//! every message): the summary table must always agree with it.
QList<Conversation> aggregatedConversations(const LocalStore& store)
{
    QHash<QString, QString> names;
    for (const Contact& c : must(store.contacts())) {
        names.insert(c.address, c.name);
    }
    QList<Conversation> out;
    QSqlQuery q(store.database());
    // `peer` holds a blind index (schema 8): grouped on, and the address read back from
    // the newest message of the group.
    q.exec(QStringLiteral("SELECT peer, MAX(time) FROM messages GROUP BY peer"));
    while (q.next()) {
        const QVariant key = q.value(0);
        Conversation c;
        c.lastMessageTime = q.value(1).toLongLong();
        QSqlQuery n(store.database());
        n.prepare(QStringLiteral("SELECT local_id, server_id FROM messages WHERE peer = ?"
                                 " ORDER BY time DESC, local_id DESC LIMIT 1"));
        n.addBindValue(key);
        n.exec();
        n.next();
        const qint64 id = n.value(1).isNull() ? -n.value(0).toLongLong() : n.value(1).toLongLong();
        const Message m = must(store.message(id)).value_or(Message());
        c.peerAddress = m.outgoing ? m.to : m.from;
        c.peerName = names.value(c.peerAddress);
        c.lastMessageText = m.body.isNull() ? m.subject : m.body.left(200);
        c.lastMessagePartial = m.partial;
        QSqlQuery u(store.database());
        u.prepare(QStringLiteral(
            "SELECT COUNT(*) FROM messages WHERE peer = ? AND folder = 'inbox' AND read = 0"));
        u.addBindValue(key);
        u.exec();
        u.next();
        c.unreadCount = u.value(0).toInt();
        out.append(c);
    }
    return out;
}

//! Empty when the store's conversations and unread count match the aggregate, else what
//! differs.
QString summaryMismatch(const LocalStore& store)
{
    const QList<Conversation> got = must(store.conversations());
    for (qsizetype i = 1; i < got.size(); ++i) {
        if (got.at(i - 1).lastMessageTime < got.at(i).lastMessageTime) {
            return QStringLiteral("not most recent first at row %1").arg(i);
        }
    }
    auto byPeer = [](QList<Conversation> list) {
        std::sort(list.begin(), list.end(), [](const Conversation& a, const Conversation& b) {
            return a.peerAddress < b.peerAddress;
        });
        return list;
    };
    const QList<Conversation> actual = byPeer(got);
    const QList<Conversation> expected = byPeer(aggregatedConversations(store));
    auto describe = [](const QList<Conversation>& list) {
        QStringList rows;
        for (const Conversation& c : list) {
            rows.append(QStringLiteral("%1 [%2] %3 '%4' unread %5")
                            .arg(c.peerAddress, c.peerName)
                            .arg(c.lastMessageTime)
                            .arg(c.lastMessageText)
                            .arg(c.unreadCount)
                + (c.lastMessagePartial ? QStringLiteral(" partial") : QString()));
        }
        return rows.join(QStringLiteral("; "));
    };
    if (actual != expected) {
        return QStringLiteral("summary: %1\naggregate: %2")
            .arg(describe(actual), describe(expected));
    }
    QSqlQuery q(store.database());
    q.exec(QStringLiteral("SELECT COUNT(*) FROM messages WHERE folder = 'inbox' AND read = 0"));
    q.next();
    if (must(store.unreadCount()) != q.value(0).toInt()) {
        return QStringLiteral("unread count %1, messages say %2")
            .arg(must(store.unreadCount()))
            .arg(q.value(0).toInt());
    }
    return {};
}

Conversation conversationWith(const LocalStore& store, const QString& peer)
{
    for (const Conversation& c : must(store.conversations())) {
        if (c.peerAddress == peer) {
            return c;
        }
    }
    return {};
}
} // namespace

class TestLocalStore final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SecretBox> m_box;
    QString dbPath(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void init()
    {
        cpm::test::failOnWarnings();
        m_box = std::make_unique<SecretBox>(SecretKey::generate());
    }

    void testMigratesFromEmpty()
    {
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(dbPath("empty.sqlite"))));
        QCOMPARE(must(store.schemaVersion()), LocalStore::SchemaVersion);
        QCOMPARE(must(store.syncPosition()), 0);
        QCOMPARE(must(store.outboxSize()), 0);
        QSqlQuery q(store.database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    }

    void testMigratesFromVersion1KeepingData()
    {
        const QString path = dbPath("v1.sqlite");
        {
            LocalStore v1(m_box.get());
            QVERIFY(must(v1.open(path, 1)));
            QCOMPARE(must(v1.schemaVersion()), 1);
            QSqlQuery q(v1.database());
            q.prepare(QStringLiteral(
                "INSERT INTO messages (server_id, client_id, sender, recipient, peer, folder, time,"
                " body, status) VALUES (7, 'c-7', ?, ?, ?, 'inbox', 1000, ?, 'sent')"));
            q.addBindValue(Bob);
            q.addBindValue(Alice);
            q.addBindValue(Bob);
            q.addBindValue(m_box->seal("from v1", "cpm/body"));
            QVERIFY(q.exec());
            QVERIFY(must(v1.setValue(QStringLiteral("sync/position"), 42)));
        }
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(path)));
        QCOMPARE(must(store.schemaVersion()), LocalStore::SchemaVersion);
        QCOMPARE(must(store.syncPosition()), 42);
        const auto m = must(store.message(7));
        QVERIFY(m.has_value());
        QCOMPARE(m->body, QStringLiteral("from v1"));
        QCOMPARE(must(store.unreadCount()), 1);
        QVERIFY(must(store.devices()).isEmpty()); // table added by migration 2
    }

    void testMigratesFromVersion2BuildsConversationSummary()
    {
        const QString path = dbPath("v2.sqlite");
        {
            LocalStore v2(m_box.get());
            QVERIFY(must(v2.open(path, 2)));
            QCOMPARE(must(v2.schemaVersion()), 2);
            // Rows as a schema-2 build wrote them: addresses in plain text, subject and
            // body sealed.
            const auto insert = [&](qint64 id, const QString& peer, bool outgoing, const char* body,
                                    qint64 time, bool read, const char* subject = nullptr) {
                QSqlQuery q(v2.database());
                q.prepare(QStringLiteral(
                    "INSERT INTO messages (server_id, client_id, sender, recipient, peer, folder,"
                    " time, subject, body, partial, read, status) VALUES (?, NULL, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, 'sent')"));
                q.addBindValue(id);
                q.addBindValue(outgoing ? Alice : peer);
                q.addBindValue(outgoing ? peer : Alice);
                q.addBindValue(peer);
                q.addBindValue(outgoing ? QStringLiteral("sent") : QStringLiteral("inbox"));
                q.addBindValue(time);
                q.addBindValue(subject ? QVariant(m_box->seal(subject, "cpm/subject"))
                                       : QVariant(QMetaType(QMetaType::QByteArray)));
                q.addBindValue(body ? QVariant(m_box->seal(body, "cpm/body"))
                                    : QVariant(QMetaType(QMetaType::QByteArray)));
                q.addBindValue(body == nullptr);
                q.addBindValue(read);
                return q.exec();
            };
            // Bob: two messages at the same time (the later row is the newest), Carol: an
            // older unread one and a newer read one, Dave: a notification only (partial).
            QVERIFY(insert(1, Bob, false, "b1", 5000, false));
            QVERIFY(insert(2, Bob, true, "b2", 5000, true));
            QVERIFY(insert(3, Carol, false, "c1", 1000, false));
            QVERIFY(insert(4, Carol, false, "c2", 2000, true));
            QVERIFY(insert(5, Dave, false, nullptr, 3000, false, "Only the subject"));
            // A contact as a schema-2 build kept it: its name in plain text.
            QSqlQuery contact(v2.database());
            QVERIFY(contact.exec(
                QStringLiteral("INSERT INTO contacts (address, name) VALUES ('%1', 'Carol')")
                    .arg(Carol)));
        }
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(path)));
        QCOMPARE(must(store.schemaVersion()), LocalStore::SchemaVersion);
        const QString mismatch = summaryMismatch(store);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        const QList<Conversation> list = must(store.conversations());
        QCOMPARE(list.size(), 3);
        QCOMPARE(list.at(0).peerAddress, Bob);
        QCOMPARE(list.at(0).lastMessageText, QStringLiteral("b2"));
        QCOMPARE(list.at(0).unreadCount, 1);
        QCOMPARE(list.at(1).peerAddress, Dave);
        QCOMPARE(list.at(1).lastMessageText, QStringLiteral("Only the subject"));
        QCOMPARE(list.at(2).peerName, QStringLiteral("Carol"));
        QCOMPARE(list.at(2).unreadCount, 1);
        QCOMPARE(must(store.unreadCount()), 3);
        // ...and it is kept from then on.
        StoreChanges changes;
        QVERIFY(must(store.applyEvents(
            { frameOf(messageEvent(10, unreadIncoming(6, Carol, "c3", 9000))) }, 10, &changes)));
        QCOMPARE(must(store.conversations()).constFirst().peerAddress, Carol);
        QCOMPARE(must(store.conversations()).constFirst().unreadCount, 2);
        const QString after = summaryMismatch(store);
        QVERIFY2(after.isEmpty(), qPrintable(after));
    }

    void testConversationSummaryFollowsEveryChange()
    {
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(dbPath("summary.sqlite"))));
        StoreChanges changes;
        qint64 seq = 0;
        auto apply = [&](const protocol::Frame& event) {
            return must(store.applyEvents({ event }, ++seq, &changes));
        };
#define VERIFY_SUMMARY()                                                                           \
    do {                                                                                           \
        const QString mismatch = summaryMismatch(store);                                           \
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));                                        \
    } while (false)

        QVERIFY(must(store.conversations()).isEmpty());
        QVERIFY(apply(frameOf(messageEvent(1, unreadIncoming(1, Bob, "one", 1000)))));
        QVERIFY(apply(frameOf(messageEvent(2, readOutgoing(2, Bob, "two", 2000)))));
        QVERIFY(apply(frameOf(messageEvent(3, unreadIncoming(3, Carol, "three", 1500)))));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).lastMessageText, QStringLiteral("two"));
        QCOMPARE(conversationWith(store, Bob).unreadCount, 1);
        QCOMPARE(must(store.unreadCount()), 2);

        // An older message arriving late counts as unread but is not the newest.
        QVERIFY(apply(frameOf(messageEvent(4, unreadIncoming(4, Bob, "four", 500)))));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).lastMessageTime, 2000);
        QCOMPARE(conversationWith(store, Bob).unreadCount, 2);

        // Read here, and read on another device (a flags event), and the same again.
        QVERIFY(must(store.markRead(1, &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).unreadCount, 1);
        const auto flags = eventOf(
            "flags", 1, { { QStringLiteral("messageId"), 4 }, { QStringLiteral("read"), true } });
        QVERIFY(apply(flags));
        QVERIFY(apply(flags));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).unreadCount, 0);

        // A notification (no body) shows its subject until the body is fetched.
        QJsonObject partial = unreadIncoming(5, Carol, "", 1600);
        partial.remove(QStringLiteral("body"));
        partial.insert(QStringLiteral("subject"), QStringLiteral("Subject only"));
        QVERIFY(apply(frameOf(messageEvent(5, partial))));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Carol).lastMessageText, QStringLiteral("Subject only"));
        QJsonObject fetched = partial;
        fetched.insert(QStringLiteral("body"), QStringLiteral("the whole body"));
        QVERIFY(must(store.storeMessage(must(protocol::Message::fromJson(fetched)), &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Carol).lastMessageText, QStringLiteral("the whole body"));
        QCOMPARE(conversationWith(store, Carol).unreadCount, 2);

        // A contact's name.
        QVERIFY(apply(eventOf("contact", 1,
            { { QStringLiteral("address"), Carol },
                { QStringLiteral("name"), QStringLiteral("Carol") } })));
        QCOMPARE(conversationWith(store, Carol).peerName, QStringLiteral("Carol"));

        // The outbox: a new conversation shows at once; the server's time may reorder it.
        const qint64 pending = must(store.enqueue(
            QStringLiteral("c-dave"), Alice, Dave, QString(), QStringLiteral("hi Dave"), 9000));
        QVERIFY(pending < 0);
        VERIFY_SUMMARY();
        QCOMPARE(must(store.conversations()).constFirst().peerAddress, Dave);
        QVERIFY(must(store.markSent(QStringLiteral("c-dave"), 6, 1800, &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Dave).lastMessageTime, 1800);
        QCOMPARE(must(store.conversations()).constFirst().peerAddress, Bob);
        // ...or the sentbox copy comes back before the answer to `send`.
        QVERIFY(must(store.enqueue(QStringLiteral("c-dave2"), Alice, Dave, QString(),
                    QStringLiteral("again"), 9500))
            < 0);
        QVERIFY(apply(frameOf(messageEvent(1,
            messageJson(7, Alice, Dave, QStringLiteral("again"), QStringLiteral("sent"), 1900,
                QStringLiteral("c-dave2"))))));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Dave).lastMessageTime, 1900);
        // A refused one stays (failed) and is still the newest.
        QVERIFY(must(store.enqueue(QStringLiteral("c-bob"), Alice, Bob, QString(),
                    QStringLiteral("refused"), 9900))
            < 0);
        QVERIFY(must(
            store.markFailed(QStringLiteral("c-bob"), QStringLiteral("no_such_user"), &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).lastMessageText, QStringLiteral("refused"));
        {
            // The writer keeps why it failed and when it was written, and can send it again
            // under the same client id, once.
            const Message refused = must(store.messages(Bob, 1)).constFirst();
            QCOMPARE(refused.status, Message::Status::Failed);
            QCOMPARE(refused.failure, QStringLiteral("no_such_user"));
            QCOMPARE(refused.written, 9900);
            const int queued = must(store.outboxSize());
            QVERIFY(must(store.requeue(refused.id, &changes)));
            QVERIFY(!must(store.requeue(refused.id, &changes)));
            QCOMPARE(must(store.outboxSize()), queued + 1);
            const Message again = must(store.messages(Bob, 1)).constFirst();
            QCOMPARE(again.status, Message::Status::Pending);
            QVERIFY(again.failure.isEmpty());
            QCOMPARE(must(store.outbox()).constLast().clientId, QStringLiteral("c-bob"));
            QVERIFY(must(store.markFailed(
                QStringLiteral("c-bob"), QStringLiteral("no_such_user"), &changes)));
            VERIFY_SUMMARY();
        }

        // Deleting the newest message here, then everywhere, falls back to the one before.
        const qint64 failedId = must(store.messages(Bob, 1)).constFirst().id;
        QVERIFY(failedId < 0);
        QVERIFY(must(store.deleteLocally(failedId, &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).lastMessageText, QStringLiteral("two"));
        QVERIFY(apply(eventOf("deleted", 1,
            { { QStringLiteral("messageId"), 2 },
                { QStringLiteral("reason"), QStringLiteral("user") } })));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Bob).lastMessageText, QStringLiteral("one"));
        QCOMPARE(conversationWith(store, Bob).lastMessageTime, 1000);
        // Deleting an unread message takes it out of the count.
        QVERIFY(must(store.deleteLocally(3, &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(conversationWith(store, Carol).unreadCount, 1);
        // The last message of a conversation gone: so is the conversation.
        QVERIFY(must(store.deleteLocally(5, &changes)));
        QVERIFY(must(store.remove(1, &changes)));
        QVERIFY(must(store.remove(4, &changes)));
        VERIFY_SUMMARY();
        QCOMPARE(must(store.conversations()).size(), 1);
        QCOMPARE(must(store.conversations()).constFirst().peerAddress, Dave);
        QSqlQuery(store.database()).exec(QStringLiteral("DELETE FROM messages"));
        VERIFY_SUMMARY();
        QVERIFY(must(store.conversations()).isEmpty());
        QCOMPARE(must(store.unreadCount()), 0);
#undef VERIFY_SUMMARY
    }

    void testRefusesNewerSchema()
    {
        const QString path = dbPath("future.sqlite");
        {
            LocalStore store(m_box.get());
            QVERIFY(must(store.open(path)));
            QSqlQuery q(store.database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
        }
        LocalStore store(m_box.get());
        const Result<void> opened = store.open(path);
        QVERIFY(!opened);
        QVERIFY(opened.error().message.contains(QStringLiteral("newer")));
    }

    void testAGuestDeviceKeepsItsEndOfLife()
    {
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(dbPath("guests.sqlite"))));
        Device own;
        own.id = 1;
        own.name = QStringLiteral("Bob's laptop"); // no instance id, kind or capabilities
        Device guest;
        guest.id = 2;
        guest.instanceId = QStringLiteral("i-2");
        guest.name = QStringLiteral("Alice's desktop");
        guest.kind = QStringLiteral("desktop");
        guest.guest = true;
        guest.expires = 1763800000000;
        StoreChanges changes;
        QVERIFY(must(store.upsertDevice(own, &changes)));
        QVERIFY(must(store.upsertDevice(guest, &changes)));
        const QList<Device> devices = must(store.devices());
        QCOMPARE(devices.size(), 2);
        for (const Device& d : devices) {
            QCOMPARE(d.guest, d.id == 2);
            QCOMPARE(d.expires, d.id == 2 ? guest.expires : 0);
        }
    }

    void testBodiesAreEncryptedAtRest()
    {
        const QString path = dbPath("atrest.sqlite");
        const QString secret = QStringLiteral("The eagle lands at midnight 4711");
        const QString subject = QStringLiteral("Top secret subject 0815");
        {
            LocalStore store(m_box.get());
            QVERIFY(must(store.open(path)));
            QJsonObject m = messageJson(1, Bob, Alice, secret);
            m.insert(QStringLiteral("subject"), subject);
            StoreChanges changes;
            QVERIFY(must(store.applyEvents({ frameOf(messageEvent(1, m)) }, 1, &changes)));
            QVERIFY(
                must(store.enqueue(QStringLiteral("c-out"), Alice, Bob, subject, secret, 5)) < 0);
            QCOMPARE(must(store.message(1))->body, secret);
            QCOMPARE(must(store.message(1))->subject, subject);
        }
        QByteArray bytes;
        for (const QString& suffix : { QString(), QStringLiteral("-wal") }) {
            QFile f(path + suffix);
            if (f.open(QIODevice::ReadOnly)) {
                bytes += f.readAll();
            }
        }
        QVERIFY(!bytes.isEmpty());
        QVERIFY(!bytes.contains(secret.toUtf8()));
        QVERIFY(!bytes.contains(subject.toUtf8()));
        QVERIFY(!bytes.contains(QByteArray("eagle")));
    }

    // MSG-1: what a message's attachments are called, and the files an outgoing one sends
    // from, are sealed like bodies; the local copies are sealed files the cache bounds.
    void testAttachmentsAreSealedAndTheCacheIsBounded()
    {
        const QString path = dbPath("attachments.sqlite");
        const QString secretName = QStringLiteral("passport-scan-7731.png");
        const QString secretSource = QStringLiteral("/home/alice/Private/tax-return-2026.pdf");
        const QString id = QStringLiteral("0123456789abcdef0123456789abcdef");
        const QByteArray content(300000, 'Z');
        {
            LocalStore store(m_box.get());
            QVERIFY(must(store.open(path)));
            QJsonObject m = messageJson(1, Bob, Alice, QStringLiteral("look"));
            m.insert(QStringLiteral("attachments"),
                QJsonArray { QJsonObject { { QStringLiteral("id"), id },
                    { QStringLiteral("name"), secretName },
                    { QStringLiteral("type"), QStringLiteral("image/png") },
                    { QStringLiteral("size"), 1234 },
                    { QStringLiteral("sha256"), QString(64, u'a') } } });
            StoreChanges changes;
            QVERIFY(must(store.applyEvents({ frameOf(messageEvent(1, m)) }, 1, &changes)));
            const QList<protocol::Attachment> got = must(store.message(1))->attachments;
            QCOMPARE(got.size(), 1);
            QCOMPARE(got.first().name, secretName);
            QCOMPARE(got.first().size, 1234);

            protocol::Attachment outgoing;
            outgoing.name = QStringLiteral("tax.pdf");
            outgoing.type = QStringLiteral("application/pdf");
            outgoing.size = 99;
            const qint64 pending = must(store.enqueue(QStringLiteral("c-att"), Alice, Bob,
                QString(), QString(), 5, 0, { outgoing }, { secretSource }));
            QList<OutboxEntry> outbox = must(store.outbox());
            QCOMPARE(outbox.size(), 1);
            QCOMPARE(outbox.first().sources, QStringList { secretSource });
            QVERIFY(outbox.first().attachments.first().id.isEmpty());
            outgoing.id = QStringLiteral("fedcba9876543210fedcba9876543210");
            QVERIFY(must(store.setOutboxAttachment(pending, 0, outgoing, &changes)));
            outbox = must(store.outbox());
            QCOMPARE(outbox.first().attachments.first().id, outgoing.id);
            QCOMPARE(must(store.message(pending))->attachments.first().id, outgoing.id);

            // Two copies of 300,000 bytes in a cache of 400,000: the older one goes.
            AttachmentCache cache(&store, m_box.get(), m_dir.filePath(QStringLiteral("files")));
            cache.setLimit(400000);
            const QString other = QStringLiteral("11111111111111111111111111111111");
            for (const QString& a : { id, other }) {
                auto writer = must(cache.contentWriter(a));
                QVERIFY(writer);
                QVERIFY(must(writer->write(content)));
                QVERIFY(must(writer->finish()));
                QVERIFY(must(cache.contentComplete(a, content.size())));
                QTest::qWait(2); // a later use
            }
            QVERIFY(!cache.hasContent(id));
            QVERIFY(cache.hasContent(other));
            QCOMPARE(must(cache.usedBytes()), content.size());
            auto device = must(cache.openContent(other));
            QVERIFY(device);
            QCOMPARE(device->readAll(), content);
            QVERIFY(must(cache.storeThumbnail(other, QByteArray("PNG-THUMB-SECRET"))));
            QCOMPARE(must(cache.thumbnail(other)), QByteArray("PNG-THUMB-SECRET"));
            const QString saved = m_dir.filePath(QStringLiteral("saved.bin"));
            QVERIFY(must(cache.exportContent(other, saved)));
            QFile out(saved);
            QVERIFY(out.open(QIODevice::ReadOnly));
            QCOMPARE(out.readAll(), content);
        }
        QByteArray bytes;
        QDirIterator files(m_dir.path(), QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString f = files.next();
            if (f.startsWith(path) || f.contains(QStringLiteral("/files/"))) {
                QFile file(f);
                QVERIFY(file.open(QIODevice::ReadOnly));
                bytes += file.readAll();
            }
        }
        QVERIFY(!bytes.isEmpty());
        QVERIFY(!bytes.contains(secretName.toUtf8()));
        QVERIFY(!bytes.contains(secretSource.toUtf8()));
        QVERIFY(!bytes.contains(QByteArray("PNG-THUMB-SECRET")));
        QVERIFY(!bytes.contains(QByteArray(64, 'Z')));
    }

    void testNamesAndAddressesAreSealedAtRest()
    {
        // Schema 7: contact names, the status text and device names are sealed as bodies
        // are; schema 8: addresses too, looked up by a blind index. What a schema-6 build
        // wrote in plain text is sealed by the migrations.
        const QString path = dbPath("names.sqlite");
        const QString oldContact = QStringLiteral("Old friend Zebedee 3141");
        const QString oldDevice = QStringLiteral("Grandmas tablet 2718");
        {
            LocalStore v6(m_box.get());
            QVERIFY(must(v6.open(path, 6)));
            QSqlQuery q(v6.database());
            QVERIFY(
                q.exec(QStringLiteral("INSERT INTO contacts (address, name) VALUES ('%1', '%2')")
                           .arg(Carol, oldContact)));
            QVERIFY(q.exec(
                QStringLiteral("INSERT INTO devices (id, name) VALUES (7, '%1')").arg(oldDevice)));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO user_status (id, status, text) VALUES (1, "
                                          "'away', 'Gone fishing 1618')")));
            q.prepare(QStringLiteral(
                "INSERT INTO messages (server_id, sender, recipient, peer, folder, time, body,"
                " status) VALUES (9, ?, ?, ?, 'inbox', 1000, ?, 'sent')"));
            q.addBindValue(Carol);
            q.addBindValue(Alice);
            q.addBindValue(Carol);
            q.addBindValue(m_box->seal("an old one", "cpm/body"));
            QVERIFY(q.exec());
            QVERIFY(must(v6.setValue(QStringLiteral("device-setting/sessions.missed"),
                QStringLiteral("[{\"peer\":\"erin@cpm.example\"}]"))));
        }
        const QString newContact = QStringLiteral("New friend Yolanda 1414");
        const QString newDevice = QStringLiteral("Kitchen laptop 1732");
        {
            LocalStore store(m_box.get());
            QVERIFY(must(store.open(path)));
            QCOMPARE(must(store.schemaVersion()), LocalStore::SchemaVersion);
            QCOMPARE(must(store.contacts()).constFirst().name, oldContact);
            QCOMPARE(must(store.contacts()).constFirst().address, Carol);
            // The old message is found by its peer and shows its addresses.
            QCOMPARE(must(store.messages(Carol, 10)).size(), 1);
            QCOMPARE(must(store.messages(Carol, 10)).constFirst().from, Carol);
            QCOMPARE(must(store.conversations()).constFirst().peerAddress, Carol);
            QCOMPARE(must(store.conversations()).constFirst().peerName, oldContact);
            QCOMPARE(must(store.deviceSetting(QStringLiteral("sessions.missed"))),
                QStringLiteral("[{\"peer\":\"erin@cpm.example\"}]"));
            QVERIFY(must(store.deviceSetting(QStringLiteral("unset"))).isNull());
            QCOMPARE(must(store.status()).text, QStringLiteral("Gone fishing 1618"));
            QCOMPARE(must(store.devices()).constFirst().name, oldDevice);
            StoreChanges changes;
            QVERIFY(must(store.applyEvents({ eventOf("contact", 1,
                                               { { QStringLiteral("address"), Dave },
                                                   { QStringLiteral("name"), newContact } }) },
                1, &changes)));
            Device d;
            d.id = 8;
            d.name = newDevice;
            QVERIFY(must(store.upsertDevice(d, &changes)));
            // A new conversation and an outbox message, with Dave.
            QVERIFY(must(store.applyEvents(
                { frameOf(messageEvent(2, messageJson(10, Dave, Alice, QStringLiteral("hi")))) }, 2,
                &changes)));
            QVERIFY(must(store.enqueue(
                        QStringLiteral("c-1"), Alice, Dave, {}, QStringLiteral("hello"), 2000))
                < 0);
            QCOMPARE(must(store.outbox()).constFirst().to, Dave);
            QCOMPARE(must(store.messages(Dave, 10)).size(), 2);
            QCOMPARE(conversationWith(store, Dave).peerName, newContact);
            // The summary's update trigger came back from the migration: a read counts.
            QCOMPARE(conversationWith(store, Carol).unreadCount, 1);
            QVERIFY(must(store.markRead(9, &changes)));
            QCOMPARE(conversationWith(store, Carol).unreadCount, 0);
            const QString mismatch = summaryMismatch(store);
            QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
            // Sorted by name all the same, now that SQLite cannot see the names.
            const QList<Contact> contacts = must(store.contacts());
            QCOMPARE(contacts.size(), 2);
            QCOMPARE(contacts.at(0).name, newContact);
            QCOMPARE(contacts.at(1).name, oldContact);
            QCOMPARE(must(store.devices()).size(), 2);
            QCOMPARE(must(store.devices()).at(0).name, oldDevice);
            // What the migration overwrote must not linger in free pages or the WAL.
            QSqlQuery q(store.database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
            QVERIFY(q.exec(QStringLiteral("VACUUM")));
        }
        QByteArray bytes;
        for (const QString& suffix : { QString(), QStringLiteral("-wal") }) {
            QFile f(path + suffix);
            if (f.open(QIODevice::ReadOnly)) {
                bytes += f.readAll();
            }
        }
        QVERIFY(!bytes.isEmpty());
        for (const char* text : { "Zebedee", "Grandma", "fishing", "Yolanda", "Kitchen", "carol@",
                 "dave@", "alice@", "erin@" }) {
            QVERIFY2(!bytes.contains(text), text);
        }
    }

    void testTombstoneKeepsLocalDeleteAcrossSync()
    {
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(dbPath("tomb.sqlite"))));
        StoreChanges changes;
        QVERIFY(must(store.applyEvents(
            { frameOf(messageEvent(1, messageJson(10, Bob, Alice, QStringLiteral("hi")))) }, 1,
            &changes)));
        QVERIFY(must(store.deleteLocally(10, &changes)));
        QVERIFY(changes.removed.contains(10));
        QVERIFY(must(store.hasTombstone(10)));
        // A later full resync (e.g. from position 0) brings the same message again.
        changes = {};
        QVERIFY(must(store.applyEvents(
            { frameOf(messageEvent(1, messageJson(10, Bob, Alice, QStringLiteral("hi")))) }, 1,
            &changes)));
        QVERIFY(!must(store.message(10)).has_value());
        QVERIFY(changes.added.isEmpty());
    }

    void testBatchIsAtomic()
    {
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(dbPath("atomic.sqlite"))));
        // Make the second message of the batch fail in the database.
        QSqlQuery q(store.database());
        QVERIFY(q.exec(
            QStringLiteral("CREATE TRIGGER boom BEFORE INSERT ON messages WHEN NEW.server_id = 666 "
                           "BEGIN SELECT RAISE(ABORT, 'boom'); END")));
        StoreChanges changes;
        const QList<protocol::Frame> batch {
            frameOf(messageEvent(1, messageJson(1, Bob, Alice, QStringLiteral("one")))),
            frameOf(messageEvent(2, messageJson(666, Bob, Alice, QStringLiteral("two"))))
        };
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("boom")));
        const Result<void> applied = store.applyEvents(batch, 2, &changes);
        QVERIFY(!applied);
        QCOMPARE(must(store.syncPosition()), 0);
        QVERIFY(!must(store.message(1)).has_value());
        QVERIFY(changes.added.isEmpty());
    }

    void testEventsAreIdempotent_data()
    {
        QTest::addColumn<QString>("event");
        QTest::addColumn<QJsonObject>("data");
        QTest::newRow("flags-read")
            << QStringLiteral("flags")
            << QJsonObject { { QStringLiteral("messageId"), 1 }, { QStringLiteral("read"), true } };
        QTest::newRow("deleted") << QStringLiteral("deleted")
                                 << QJsonObject { { QStringLiteral("messageId"), 1 },
                                        { QStringLiteral("reason"), QStringLiteral("user") } };
        QTest::newRow("contact") << QStringLiteral("contact")
                                 << QJsonObject { { QStringLiteral("address"), Bob },
                                        { QStringLiteral("name"), QStringLiteral("Bob") } };
        QTest::newRow("pref") << QStringLiteral("pref")
                              << QJsonObject { { QStringLiteral("key"), QStringLiteral("theme") },
                                     { QStringLiteral("value"), QStringLiteral("dark") } };
    }
    void testEventsAreIdempotent()
    {
        QFETCH(QString, event);
        QFETCH(QJsonObject, data);
        const QString path = dbPath("idem.sqlite");
        for (const QString& suffix :
            { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
            QFile::remove(path + suffix); // each row has a key of its own (init())
        }
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(path)));
        StoreChanges changes;
        QVERIFY(must(store.applyEvents(
            { frameOf(messageEvent(1, messageJson(1, Bob, Alice, QStringLiteral("x")))) }, 1,
            &changes)));
        const auto e = frameOf({ { QStringLiteral("event"), event }, { QStringLiteral("seq"), 2 },
            { QStringLiteral("data"), data } });
        QVERIFY(must(store.applyEvents({ e }, 2, &changes)));
        const int unread = must(store.unreadCount());
        const auto contacts = must(store.contacts()).size();
        QVERIFY(must(store.applyEvents({ e, e }, 3, &changes)));
        QCOMPARE(must(store.unreadCount()), unread);
        QCOMPARE(must(store.contacts()).size(), contacts);
        QCOMPARE(must(store.syncPosition()), 3);
    }

    void testReportsNeverGoBack()
    {
        LocalStore store(m_box.get());
        QVERIFY(must(store.open(dbPath("reports.sqlite"))));
        StoreChanges changes;
        QVERIFY(must(store.applyEvents(
            { frameOf(messageEvent(
                1, messageJson(5, Alice, Bob, QStringLiteral("x"), QStringLiteral("sent")))) },
            1, &changes)));
        auto report = [](qint64 seq, const char* status) {
            return frameOf({ { QStringLiteral("event"), QStringLiteral("report") },
                { QStringLiteral("seq"), seq },
                { QStringLiteral("data"),
                    QJsonObject { { QStringLiteral("messageId"), 5 },
                        { QStringLiteral("status"), QString::fromLatin1(status) } } } });
        };
        QVERIFY(must(store.applyEvents(
            { report(2, "displayed"), report(3, "delivered"), report(4, "expired") }, 4,
            &changes)));
        QCOMPARE(must(store.message(5))->status, Message::Status::Displayed);
    }
};

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"
