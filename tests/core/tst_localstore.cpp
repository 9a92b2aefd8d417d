// SPDX-License-Identifier: GPL-3.0-or-later
// The profile database: migrations, encryption at rest, tombstones, atomic sync batches.
#include "faketransport.h"
#include "localstore.h"
#include "secretbox.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;
using cpm::test::messageEvent;
using cpm::test::messageJson;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

protocol::Frame frameOf(const QJsonObject& o) { return *protocol::Frame::fromJson(o, nullptr); }
} // namespace

class TestLocalStore final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SecretBox> m_box;
    QString dbPath(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void init() { m_box = std::make_unique<SecretBox>(SecretKey::generate()); }

    void testMigratesFromEmpty()
    {
        LocalStore store(m_box.get());
        QString error;
        QVERIFY2(store.open(dbPath("empty.sqlite"), &error), qPrintable(error));
        QCOMPARE(store.schemaVersion(), LocalStore::SchemaVersion);
        QCOMPARE(store.syncPosition(), 0);
        QCOMPARE(store.outboxSize(), 0);
        QSqlQuery q(store.database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    }

    void testMigratesFromVersion1KeepingData()
    {
        const QString path = dbPath("v1.sqlite");
        {
            LocalStore v1(m_box.get());
            QVERIFY(v1.open(path, nullptr, 1));
            QCOMPARE(v1.schemaVersion(), 1);
            QSqlQuery q(v1.database());
            q.prepare(QStringLiteral(
                "INSERT INTO messages (server_id, client_id, sender, recipient, peer, folder, time,"
                " body, status) VALUES (7, 'c-7', ?, ?, ?, 'inbox', 1000, ?, 'sent')"));
            q.addBindValue(Bob);
            q.addBindValue(Alice);
            q.addBindValue(Bob);
            q.addBindValue(m_box->seal("from v1", "cpm/body"));
            QVERIFY(q.exec());
            QVERIFY(v1.setValue(QStringLiteral("sync/position"), 42));
        }
        LocalStore store(m_box.get());
        QVERIFY(store.open(path));
        QCOMPARE(store.schemaVersion(), LocalStore::SchemaVersion);
        QCOMPARE(store.syncPosition(), 42);
        const auto m = store.message(7);
        QVERIFY(m.has_value());
        QCOMPARE(m->body, QStringLiteral("from v1"));
        QCOMPARE(store.unreadCount(), 1);
        QVERIFY(store.devices().isEmpty()); // table added by migration 2
    }

    void testRefusesNewerSchema()
    {
        const QString path = dbPath("future.sqlite");
        {
            LocalStore store(m_box.get());
            QVERIFY(store.open(path));
            QSqlQuery q(store.database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
        }
        LocalStore store(m_box.get());
        QString error;
        QVERIFY(!store.open(path, &error));
        QVERIFY(error.contains(QStringLiteral("newer")));
    }

    void testBodiesAreEncryptedAtRest()
    {
        const QString path = dbPath("atrest.sqlite");
        const QString secret = QStringLiteral("The eagle lands at midnight 4711");
        const QString subject = QStringLiteral("Top secret subject 0815");
        {
            LocalStore store(m_box.get());
            QVERIFY(store.open(path));
            QJsonObject m = messageJson(1, Bob, Alice, secret);
            m.insert(QStringLiteral("subject"), subject);
            StoreChanges changes;
            QVERIFY(store.applyEvents({ frameOf(messageEvent(1, m)) }, 1, &changes));
            QVERIFY(store.enqueue(QStringLiteral("c-out"), Alice, Bob, subject, secret, 5) < 0);
            QCOMPARE(store.message(1)->body, secret);
            QCOMPARE(store.message(1)->subject, subject);
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

    void testTombstoneKeepsLocalDeleteAcrossSync()
    {
        LocalStore store(m_box.get());
        QVERIFY(store.open(dbPath("tomb.sqlite")));
        StoreChanges changes;
        QVERIFY(store.applyEvents(
            { frameOf(messageEvent(1, messageJson(10, Bob, Alice, QStringLiteral("hi")))) }, 1,
            &changes));
        QVERIFY(store.deleteLocally(10, &changes));
        QVERIFY(changes.removed.contains(10));
        QVERIFY(store.hasTombstone(10));
        // A later full resync (e.g. from position 0) brings the same message again.
        changes = {};
        QVERIFY(store.applyEvents(
            { frameOf(messageEvent(1, messageJson(10, Bob, Alice, QStringLiteral("hi")))) }, 1,
            &changes));
        QVERIFY(!store.message(10).has_value());
        QVERIFY(changes.added.isEmpty());
    }

    void testBatchIsAtomic()
    {
        LocalStore store(m_box.get());
        QVERIFY(store.open(dbPath("atomic.sqlite")));
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
        QVERIFY(!store.applyEvents(batch, 2, &changes));
        QCOMPARE(store.syncPosition(), 0);
        QVERIFY(!store.message(1).has_value());
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
        LocalStore store(m_box.get());
        QVERIFY(store.open(dbPath("idem.sqlite")));
        QSqlQuery(store.database()).exec(QStringLiteral("DELETE FROM messages"));
        StoreChanges changes;
        QVERIFY(store.applyEvents(
            { frameOf(messageEvent(1, messageJson(1, Bob, Alice, QStringLiteral("x")))) }, 1,
            &changes));
        const auto e = frameOf({ { QStringLiteral("event"), event }, { QStringLiteral("seq"), 2 },
            { QStringLiteral("data"), data } });
        QVERIFY(store.applyEvents({ e }, 2, &changes));
        const int unread = store.unreadCount();
        const auto contacts = store.contacts().size();
        QVERIFY(store.applyEvents({ e, e }, 3, &changes));
        QCOMPARE(store.unreadCount(), unread);
        QCOMPARE(store.contacts().size(), contacts);
        QCOMPARE(store.syncPosition(), 3);
    }

    void testReportsNeverGoBack()
    {
        LocalStore store(m_box.get());
        QVERIFY(store.open(dbPath("reports.sqlite")));
        StoreChanges changes;
        QVERIFY(store.applyEvents(
            { frameOf(messageEvent(
                1, messageJson(5, Alice, Bob, QStringLiteral("x"), QStringLiteral("sent")))) },
            1, &changes));
        auto report = [](qint64 seq, const char* status) {
            return frameOf({ { QStringLiteral("event"), QStringLiteral("report") },
                { QStringLiteral("seq"), seq },
                { QStringLiteral("data"),
                    QJsonObject { { QStringLiteral("messageId"), 5 },
                        { QStringLiteral("status"), QString::fromLatin1(status) } } } });
        };
        QVERIFY(store.applyEvents(
            { report(2, "displayed"), report(3, "delivered"), report(4, "expired") }, 4, &changes));
        QCOMPARE(store.message(5)->status, Message::Status::Displayed);
    }
};

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"
