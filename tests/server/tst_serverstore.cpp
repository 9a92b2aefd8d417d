// SPDX-License-Identifier: GPL-3.0-or-later
// The server's store on its own: schema migrations, idempotent submit, the mailbox and
// its events (delivery, read, delete), device sign-out, deferred-delivery expiry and group
// commit.

#include "operatorsettings.h"
#include "protocol.h"
#include "serverstore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace cpm::server;
namespace ev = cpm::protocol::event;

class tst_ServerStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void testMigratesAnEmptyDatabase();
    void testReopensAnExistingDatabase();
    void testRefusesANewerSchema();
    void testSettingsSeeOtherProcesses();
    void testSubmitOutcomes_data();
    void testSubmitOutcomes();
    void testSubmitIsIdempotent();
    void testSubmitCommitsBothCopiesAndEvents();
    void testAckDeliversOnceAndNeverMovesBack();
    void testAckFromANoneDeviceDeliversNothing();
    void testReadReportsDisplayedOnce();
    void testDeleteKeepsTheOtherPartysCopy();
    void testDevicesRegisterAndSignOut();
    void testExpirySelection_data();
    void testExpirySelection();
    void testGroupCommitIsolatesFailuresAndCommitsOnce();
    void testAckOfManyReportsEachOnceInOrder();

private:
    qint64 addUser(const QString& address);
    ServerStore::SubmitResult send(qint64 from, const QString& to, const QString& clientId,
        const QString& body = QStringLiteral("hello"), QList<StoredEvent>* events = nullptr,
        qint64 now = 0, qint64 quota = 0);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerStore> m_store;
    qint64 m_alice = 0;
    qint64 m_bob = 0;
};

void tst_ServerStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<ServerStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
    m_alice = addUser(QStringLiteral("alice@cpm.example"));
    m_bob = addUser(QStringLiteral("bob@cpm.example"));
    QVERIFY(m_alice > 0 && m_bob > 0);
}

void tst_ServerStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

qint64 tst_ServerStore::addUser(const QString& address)
{
    // The hash is opaque to the store; these tests never check a password.
    if (m_store->createUser(address, QByteArrayLiteral("$argon2id$test"), 1000)
        != ServerStore::CreateUser::Created) {
        return 0;
    }
    return m_store->userByAddress(address)->id;
}

ServerStore::SubmitResult tst_ServerStore::send(qint64 from, const QString& to,
    const QString& clientId, const QString& body, QList<StoredEvent>* events, qint64 now,
    qint64 quota)
{
    ServerStore::Submit s;
    s.senderId = from;
    s.clientId = clientId;
    s.to = to;
    s.subject = QStringLiteral("subject");
    s.body = body;
    s.dailyQuota = quota;
    s.now = now > 0 ? now : QDateTime::currentMSecsSinceEpoch();
    return m_store->submitMessage(s, events);
}

void tst_ServerStore::testMigratesAnEmptyDatabase()
{
    QCOMPARE(m_store->schemaVersion(), ServerStore::latestSchemaVersion());
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("cpm.sqlite"))));
    // journal_mode is persistent: check it from a second connection.
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
    db.setDatabaseName(m_dir->filePath(QStringLiteral("cpm.sqlite")));
    QVERIFY(db.open());
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")));
        QStringList tables;
        while (q.next()) {
            tables << q.value(0).toString();
        }
        for (const char* t : { "users", "devices", "messages", "mailbox", "events", "contacts",
                 "prefs", "settings", "schema_version" }) {
            QVERIFY2(tables.contains(QLatin1StringView(t)), t);
        }
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
}

void tst_ServerStore::testReopensAnExistingDatabase()
{
    QList<StoredEvent> events;
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1")).outcome,
        ServerStore::SubmitResult::Outcome::Stored);
    m_store->close();
    QString error;
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
    QCOMPARE(m_store->schemaVersion(), ServerStore::latestSchemaVersion());
    QCOMPARE(m_store->users().size(), 2);
    QCOMPARE(m_store->userById(m_bob)->headSeq, 1);
}

void tst_ServerStore::testRefusesANewerSchema()
{
    m_store->close();
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
        db.setDatabaseName(m_dir->filePath(QStringLiteral("cpm.sqlite")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("UPDATE schema_version SET version = 999")));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bump"));
    QString error;
    QVERIFY(!m_store->open(m_dir->path(), &error));
    QVERIFY2(error.contains(QLatin1StringView("newer")), qPrintable(error));
}

void tst_ServerStore::testSettingsSeeOtherProcesses()
{
    QCOMPARE(m_store->settingInt(settings::QuotaDailyMessages), 10000);
    // A second connection stands in for the admin CLI writing to a running server.
    ServerStore admin;
    QVERIFY(admin.open(m_dir->path()));
    QVERIFY(admin.setSetting(QString(settings::QuotaDailyMessages), QStringLiteral("3")));
    QCOMPARE(m_store->settingInt(settings::QuotaDailyMessages), 3);
    QVERIFY(admin.setSetting(QString(settings::QuotaDailyMessages), QStringLiteral("junk")));
    QCOMPARE(m_store->settingInt(settings::QuotaDailyMessages), 10000);
    m_store->hasExternalChanges(); // the first call only records where we are
    QVERIFY(admin.setUserEnabled(QStringLiteral("bob@cpm.example"), false));
    QVERIFY(m_store->hasExternalChanges());
    QCOMPARE(m_store->disabledUserIds(), QList<qint64> { m_bob });
    QVERIFY(!m_store->hasExternalChanges());
}

void tst_ServerStore::testSubmitOutcomes_data()
{
    using Outcome = ServerStore::SubmitResult::Outcome;
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("disableSender");
    QTest::addColumn<qint64>("quota");
    QTest::addColumn<Outcome>("expected");
    const QString bob = QStringLiteral("bob@cpm.example");
    QTest::newRow("stored") << bob << false << qint64(0) << Outcome::Stored;
    QTest::newRow("unknown-recipient")
        << QStringLiteral("nobody@cpm.example") << false << qint64(0) << Outcome::NoSuchUser;
    QTest::newRow("to-self") << QStringLiteral("alice@cpm.example") << false << qint64(0)
                             << Outcome::SelfSend;
    QTest::newRow("disabled-sender") << bob << true << qint64(0) << Outcome::Disabled;
    QTest::newRow("quota-used-up") << bob << false << qint64(1) << Outcome::QuotaExceeded;
}

void tst_ServerStore::testSubmitOutcomes()
{
    using Outcome = ServerStore::SubmitResult::Outcome;
    QFETCH(QString, to);
    QFETCH(bool, disableSender);
    QFETCH(qint64, quota);
    QFETCH(Outcome, expected);
    if (quota > 0) {
        QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("first"), {},
                     nullptr, 0, quota)
                     .outcome,
            Outcome::Stored);
    }
    if (disableSender) {
        QVERIFY(m_store->setUserEnabled(QStringLiteral("alice@cpm.example"), false));
    }
    QList<StoredEvent> events;
    const auto result
        = send(m_alice, to, QStringLiteral("c1"), QStringLiteral("hi"), &events, 0, quota);
    QCOMPARE(result.outcome, expected);
    QCOMPARE(events.isEmpty(), expected != Outcome::Stored);
}

void tst_ServerStore::testSubmitIsIdempotent()
{
    using Outcome = ServerStore::SubmitResult::Outcome;
    const QString bob = QStringLiteral("bob@cpm.example");
    const auto first
        = send(m_alice, bob, QStringLiteral("c1"), QStringLiteral("hi"), nullptr, 0, 1);
    QCOMPARE(first.outcome, Outcome::Stored);
    // The retry comes after the quota is used up and still gets the original answer.
    QList<StoredEvent> events;
    const auto again
        = send(m_alice, bob, QStringLiteral("c1"), QStringLiteral("hi"), &events, 0, 1);
    QCOMPARE(again.outcome, Outcome::Duplicate);
    QCOMPARE(again.messageId, first.messageId);
    QCOMPARE(again.seq, first.seq);
    QCOMPARE(again.time, first.time);
    QVERIFY(events.isEmpty());
    QCOMPARE(m_store->userById(m_bob)->headSeq, 1);
    QCOMPARE(send(m_alice, bob, QStringLiteral("c1"), QStringLiteral("other text")).outcome,
        Outcome::Conflict);
    // Another sender's clientId space is separate.
    QCOMPARE(send(m_bob, QStringLiteral("alice@cpm.example"), QStringLiteral("c1")).outcome,
        Outcome::Stored);
}

void tst_ServerStore::testSubmitCommitsBothCopiesAndEvents()
{
    QList<StoredEvent> events;
    const auto r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
        QStringLiteral("body"), &events);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).userId, m_bob);
    QCOMPARE(events.at(0).message->folder, QStringLiteral("inbox"));
    QCOMPARE(events.at(1).userId, m_alice);
    QCOMPARE(events.at(1).seq, r.seq);
    QCOMPARE(events.at(1).message->folder, QStringLiteral("sent"));

    const auto inbox = m_store->message(m_bob, r.messageId);
    QVERIFY(inbox);
    QCOMPARE(inbox->from, QStringLiteral("alice@cpm.example"));
    QCOMPARE(inbox->body, QStringLiteral("body"));
    QCOMPARE(inbox->status, QStringLiteral("sent"));
    QVERIFY(!inbox->read);
    QCOMPARE(m_store->message(m_alice, r.messageId)->folder, QStringLiteral("sent"));

    const auto stream = m_store->eventsAfter(m_bob, 0, 500);
    QVERIFY(stream);
    QCOMPARE(stream->size(), 1);
    QCOMPARE(stream->at(0).kind, QString(ev::Message));
    QCOMPARE(stream->at(0).message->body, QStringLiteral("body"));
    QCOMPARE(m_store->pendingMessageIds(m_bob), QList<qint64> { r.messageId });
}

void tst_ServerStore::testAckDeliversOnceAndNeverMovesBack()
{
    QList<StoredEvent> events;
    const auto device = m_store->registerDevice(m_bob,
        { QStringLiteral("i-1"), QStringLiteral("Bob's laptop"), QStringLiteral("laptop"), {},
            QByteArray(32, 'x') },
        1000, &events);
    QVERIFY(device);
    const auto r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    const qint64 head = m_store->userById(m_bob)->headSeq;

    events.clear();
    QCOMPARE(m_store->ack(m_bob, device->id, head + 100, true, 2000, &events), head);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).userId, m_alice);
    QCOMPARE(events.at(0).kind, QString(ev::Report));
    QCOMPARE(events.at(0).data.value(QLatin1StringView("status")).toString(),
        QStringLiteral("delivered"));
    QCOMPARE(events.at(0).data.value(QLatin1StringView("by")).toString(),
        QStringLiteral("bob@cpm.example"));
    QCOMPARE(m_store->message(m_alice, r.messageId)->status, QStringLiteral("delivered"));
    QVERIFY(m_store->pendingMessageIds(m_bob).isEmpty());

    events.clear();
    QCOMPARE(m_store->ack(m_bob, device->id, 0, true, 3000, &events), head);
    QVERIFY(events.isEmpty());
    QCOMPARE(m_store->deviceById(device->id)->ackedSeq, head);
}

void tst_ServerStore::testAckFromANoneDeviceDeliversNothing()
{
    const auto device = m_store->registerDevice(m_bob,
        { QStringLiteral("i-1"), QStringLiteral("Desk phone"), QStringLiteral("fixed"), {},
            QByteArray(32, 'x') },
        1000, nullptr);
    send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    QList<StoredEvent> events;
    QVERIFY(m_store->ack(m_bob, device->id, 10, false, 2000, &events) > 0);
    QVERIFY(events.isEmpty());
    QCOMPARE(m_store->pendingMessageIds(m_bob).size(), 1);
}

void tst_ServerStore::testReadReportsDisplayedOnce()
{
    const auto r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    QList<StoredEvent> events;
    QCOMPARE(m_store->markRead(m_bob, r.messageId, 5000, &events), ServerStore::Change::Done);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).userId, m_bob);
    QCOMPARE(events.at(0).kind, QString(ev::Flags));
    QCOMPARE(events.at(1).userId, m_alice);
    QCOMPARE(events.at(1).data.value(QLatin1StringView("status")).toString(),
        QStringLiteral("displayed"));
    QVERIFY(m_store->message(m_bob, r.messageId)->read);
    QVERIFY(!m_store->message(m_alice, r.messageId)->read);
    // A displayed message is no longer pending, so it cannot expire.
    QVERIFY(m_store->pendingMessageIds(m_bob).isEmpty());

    events.clear();
    QCOMPARE(m_store->markRead(m_bob, r.messageId, 6000, &events), ServerStore::Change::Unchanged);
    QVERIFY(events.isEmpty());
    // The sender reading its own copy changes its flag only.
    QCOMPARE(m_store->markRead(m_alice, r.messageId, 6000, &events), ServerStore::Change::Done);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).userId, m_alice);
    // Someone else's message is not found.
    const qint64 carol = addUser(QStringLiteral("carol@cpm.example"));
    QCOMPARE(m_store->markRead(carol, r.messageId, 6000, nullptr), ServerStore::Change::NotFound);
}

void tst_ServerStore::testDeleteKeepsTheOtherPartysCopy()
{
    const auto r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    QList<StoredEvent> events;
    QCOMPARE(m_store->deleteMessage(m_bob, r.messageId, &events), ServerStore::Change::Done);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).kind, QString(ev::Deleted));
    QCOMPARE(
        events.at(0).data.value(QLatin1StringView("reason")).toString(), QStringLiteral("user"));
    QVERIFY(!m_store->message(m_bob, r.messageId));
    QVERIFY(m_store->message(m_alice, r.messageId));
    QCOMPARE(m_store->deleteMessage(m_bob, r.messageId, nullptr), ServerStore::Change::NotFound);

    // Bob's stream still holds the message event, now about a message he no longer has.
    const auto stream = m_store->eventsAfter(m_bob, 0, 500);
    QCOMPARE(stream->size(), 2);
    QVERIFY(!stream->at(0).message);
    QVERIFY(stream->at(0).messageGone);
    QCOMPARE(stream->at(1).kind, QString(ev::Deleted)); // never skipped by a connection

    QCOMPARE(m_store->deleteMessage(m_alice, r.messageId, nullptr), ServerStore::Change::Done);
    QVERIFY(!m_store->message(m_alice, r.messageId));
    // With no copy left the clientId is free again.
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
                 QStringLiteral("new text"))
                 .outcome,
        ServerStore::SubmitResult::Outcome::Stored);
}

void tst_ServerStore::testDevicesRegisterAndSignOut()
{
    QList<StoredEvent> events;
    const ServerStore::NewDevice laptop { QStringLiteral("i-1"), QStringLiteral("Laptop"),
        QStringLiteral("laptop"), { QStringLiteral("text") }, QByteArray(32, 'a') };
    const auto first = m_store->registerDevice(m_alice, laptop, 1000, &events);
    QVERIFY(first);
    QCOMPARE(first->delivery, QStringLiteral("full"));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).kind, QString(ev::Device));

    ServerStore::DeviceChange change;
    change.delivery = QStringLiteral("notification");
    QVERIFY(m_store->updateDevice(m_alice, first->id, change, nullptr));
    QVERIFY(!m_store->updateDevice(m_bob, first->id, change, nullptr)); // not Bob's

    QCOMPARE(
        m_store->signOutDevice(m_bob, first->id, 2000, nullptr), ServerStore::SignOut::NotFound);
    events.clear();
    QCOMPARE(m_store->signOutDevice(m_alice, first->id, 2000, &events), ServerStore::SignOut::Done);
    QVERIFY(events.at(0).data.value(QLatin1StringView("removed")).toBool());
    QCOMPARE(m_store->signOutDevice(m_alice, first->id, 2000, nullptr),
        ServerStore::SignOut::AlreadySignedOut);
    QVERIFY(m_store->devices(m_alice).isEmpty());
    QVERIFY(!m_store->updateDevice(m_alice, first->id, change, nullptr));

    // The same installation registering again keeps its id and its preference.
    ServerStore::NewDevice again = laptop;
    again.tokenHash = QByteArray(32, 'b');
    const auto second = m_store->registerDevice(m_alice, again, 3000, nullptr);
    QCOMPARE(second->id, first->id);
    QVERIFY(second->isSignedIn());
    QCOMPARE(second->delivery, QStringLiteral("notification"));
    QCOMPARE(second->tokenHash, again.tokenHash);
}

void tst_ServerStore::testExpirySelection_data()
{
    QTest::addColumn<qint64>("createdBefore");
    QTest::addColumn<qint64>("maxCount");
    QTest::addColumn<QList<int>>("expired"); // indexes of the messages sent (oldest first)
    // Four messages to Bob created at t = 1000, 2000, 3000, 4000; #1 was read (delivered).
    QTest::newRow("nothing-due") << qint64(0) << qint64(0) << QList<int> {};
    QTest::newRow("by-age") << qint64(2500) << qint64(0) << QList<int> { 0 };
    QTest::newRow("by-count-oldest-first") << qint64(0) << qint64(2) << QList<int> { 0 };
    QTest::newRow("by-count-one-left") << qint64(0) << qint64(1) << QList<int> { 0, 2 };
    QTest::newRow("age-and-count-overlap") << qint64(3500) << qint64(1) << QList<int> { 0, 2 };
    QTest::newRow("delivered-never-expires")
        << qint64(99999) << qint64(0) << QList<int> { 0, 2, 3 };
}

void tst_ServerStore::testExpirySelection()
{
    QFETCH(qint64, createdBefore);
    QFETCH(qint64, maxCount);
    QFETCH(QList<int>, expired);
    QList<qint64> ids;
    for (int i = 0; i < 4; ++i) {
        ids << send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c%1").arg(i), {},
            nullptr, 1000 * (i + 1))
                   .messageId;
        if (i == 1) {
            // Opened on a device, so no longer pending.
            QCOMPARE(m_store->markRead(m_bob, ids.at(1), 2500, nullptr), ServerStore::Change::Done);
        }
    }
    QList<StoredEvent> events;
    const int n = m_store->expirePending(createdBefore, maxCount, 100000, &events);
    QCOMPARE(n, expired.size());
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(m_store->message(m_bob, ids.at(i)).has_value(), !expired.contains(i));
        const QString senderStatus = m_store->message(m_alice, ids.at(i))->status;
        if (expired.contains(i)) {
            QCOMPARE(senderStatus, QStringLiteral("expired"));
        }
    }
    int deleted = 0;
    int reports = 0;
    for (const StoredEvent& e : std::as_const(events)) {
        if (e.kind == ev::Deleted) {
            QCOMPARE(e.userId, m_bob);
            QCOMPARE(
                e.data.value(QLatin1StringView("reason")).toString(), QStringLiteral("expired"));
            ++deleted;
        } else if (e.kind == ev::Report) {
            QCOMPARE(e.userId, m_alice);
            QCOMPARE(
                e.data.value(QLatin1StringView("status")).toString(), QStringLiteral("expired"));
            ++reports;
        }
    }
    QCOMPARE(deleted, expired.size());
    QCOMPARE(reports, expired.size());
}

void tst_ServerStore::testGroupCommitIsolatesFailuresAndCommitsOnce()
{
    int started = 0;
    m_store->setGroupCommit([&started] { ++started; });
    QVERIFY(m_store->startBackgroundCheckpoints());
    // Another connection, like the admin CLI: it sees only what is committed.
    ServerStore other;
    QVERIFY(other.open(m_dir->path()));
    const QString bob = QStringLiteral("bob@cpm.example");

    const auto first = send(m_alice, bob, QStringLiteral("g1"), QStringLiteral("one"));
    QCOMPARE(first.outcome, ServerStore::SubmitResult::Outcome::Stored);
    QCOMPARE(started, 1);
    QVERIFY(m_store->hasPendingBatch());
    // A write that fails in the same batch: its savepoint rolls back, nothing else.
    QCOMPARE(send(m_alice, bob, QStringLiteral("g1"), QStringLiteral("not one")).outcome,
        ServerStore::SubmitResult::Outcome::Conflict);
    QCOMPARE(m_store->deleteMessage(m_bob, 999999, nullptr), ServerStore::Change::NotFound);
    const auto second = send(m_alice, bob, QStringLiteral("g2"), QStringLiteral("two"));
    QCOMPARE(second.outcome, ServerStore::SubmitResult::Outcome::Stored);
    QCOMPARE(second.seq, first.seq + 1);
    QCOMPARE(started, 1); // one transaction for all of them
    QCOMPARE(m_store->batchSize(), 4);
    // Reads on the serving connection see the batch's writes...
    QCOMPARE(m_store->message(m_bob, second.messageId)->body, QStringLiteral("two"));
    // ...nobody else does before the commit.
    QVERIFY(!other.message(m_bob, first.messageId));

    QVERIFY(m_store->commitBatch());
    QVERIFY(!m_store->hasPendingBatch());
    QCOMPARE(other.message(m_bob, first.messageId)->body, QStringLiteral("one"));
    QCOMPARE(other.message(m_bob, second.messageId)->body, QStringLiteral("two"));
    const auto stream = other.eventsAfter(m_bob, 0, 100);
    QVERIFY(stream);
    QCOMPARE(std::count_if(stream->cbegin(), stream->cend(),
                 [](const StoredEvent& e) { return e.kind == QString(ev::Message); }),
        2);

    // The next write opens the next batch; closing commits what is pending.
    QCOMPARE(send(m_alice, bob, QStringLiteral("g3")).outcome,
        ServerStore::SubmitResult::Outcome::Stored);
    QCOMPARE(started, 2);
    m_store->close();
    QCOMPARE(other.userById(m_bob)->headSeq, 3); // g1, g2, g3
}

void tst_ServerStore::testAckOfManyReportsEachOnceInOrder()
{
    const auto device = m_store->registerDevice(m_bob,
        { QStringLiteral("i-1"), QStringLiteral("Bob's laptop"), QStringLiteral("laptop"), {},
            QByteArray(32, 'x') },
        1000, nullptr);
    QVERIFY(device);
    const qint64 carol = addUser(QStringLiteral("carol@cpm.example"));
    QList<qint64> fromAlice;
    QList<qint64> fromCarol;
    for (int i = 0; i < 10; ++i) {
        fromAlice.append(
            send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("a%1").arg(i))
                .messageId);
        fromCarol.append(
            send(carol, QStringLiteral("bob@cpm.example"), QStringLiteral("c%1").arg(i)).messageId);
    }
    // Alice deletes one copy: no report for it, the rest still get theirs.
    QCOMPARE(m_store->deleteMessage(m_alice, fromAlice.at(3), nullptr), ServerStore::Change::Done);
    const qint64 aliceHead = m_store->userById(m_alice)->headSeq;
    const qint64 carolHead = m_store->userById(carol)->headSeq;

    QList<StoredEvent> events;
    const qint64 head = m_store->userById(m_bob)->headSeq;
    QCOMPARE(m_store->ack(m_bob, device->id, head, true, 5000, &events), head);
    QCOMPARE(events.size(), 19);
    QList<qint64> reportedToAlice;
    qint64 aliceSeq = aliceHead;
    qint64 carolSeq = carolHead;
    for (const StoredEvent& e : std::as_const(events)) {
        QCOMPARE(e.kind, QString(ev::Report));
        QCOMPARE(e.data.value(QLatin1StringView("messageId")).toInteger(), e.messageId);
        // Each sender's reports take the next seqs of its stream, in message order.
        QCOMPARE(e.seq, e.userId == m_alice ? ++aliceSeq : ++carolSeq);
        if (e.userId == m_alice) {
            reportedToAlice.append(e.messageId);
        }
    }
    fromAlice.removeAt(3);
    QCOMPARE(reportedToAlice, fromAlice);
    QCOMPARE(m_store->userById(m_alice)->headSeq, aliceSeq);
    QCOMPARE(m_store->userById(carol)->headSeq, carolSeq);
    const auto stream = m_store->eventsAfter(carol, carolHead, 100);
    QVERIFY(stream);
    QCOMPARE(stream->size(), 10);
    QCOMPARE(stream->constLast().data.value(QLatin1StringView("status")).toString(),
        QStringLiteral("delivered"));
    for (qint64 id : std::as_const(fromCarol)) {
        QCOMPARE(m_store->message(carol, id)->status, QStringLiteral("delivered"));
    }
    QVERIFY(m_store->pendingMessageIds(m_bob).isEmpty());
    events.clear();
    QCOMPARE(m_store->ack(m_bob, device->id, head, true, 6000, &events), head);
    QVERIFY(events.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ServerStore)
#include "tst_serverstore.moc"
