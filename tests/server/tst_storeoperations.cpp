// SPDX-License-Identifier: GPL-3.0-or-later
// The store's operations through the Store interface alone, on whichever store the run asks
// for: SQLite (a data directory of its own per test) or, as tst_storeoperations.postgresql,
// PostgreSQL (a database of its own per test in the test process's throwaway cluster).
// Idempotent submit, the mailbox and its events (delivery, read, delete), ids never reused,
// devices and their sign-out, deferred-delivery expiry, reports in order.
// What only the SQLite file has (migrations of old files, damage, busy and full disks,
// group commit) is in tst_serverstore.

#include "failonwarning.h"
#include "must.h"
#include "openstore.h"
#include "protocol.h"
#include "storetest.h"
#include "testpostgres.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;
using namespace cpm::server;
namespace ev = cpm::protocol::event;
using cpm::test::must;
using cpm::test::Outcome;
using cpm::test::Sent;
using protocol::MessageState;

class tst_StoreOperations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void testSenderStateTellsRetriesFromNewMessages();
    void testSubmitCommitsBothCopiesAndEvents();
    void testAClientIdTakenMeanwhileIsAConflict();
    void testAckDeliversOnceAndNeverMovesBack();
    void testAckFromANoneDeviceDeliversNothing();
    void testReadReportsDisplayedOnce();
    void testDeleteKeepsTheOtherPartysCopy();
    void testMessageIdsAreNeverUsedAgain();
    void testDeviceIdsAreNeverUsedAgain();
    void testDevicesRegisterAndSignOut();
    void testRegistrationSetsTheFirstPreferences();
    void testExpirySelection_data();
    void testExpirySelection();
    void testAckOfManyReportsEachOnceInOrder();

private:
    qint64 addUser(const QString& address) { return cpm::test::addUser(*m_store, address); }
    Sent send(qint64 from, const QString& to, const QString& clientId,
        const QString& body = QStringLiteral("hello"), Events* events = nullptr, qint64 now = 0)
    {
        return cpm::test::send(*m_store, from, to, clientId, body, events, now);
    }
    DeviceRecord addDevice(qint64 userId, const QString& instance, const QString& kind)
    {
        return cpm::test::addDevice(*m_store, userId, instance, kind);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    qint64 m_alice = 0;
    qint64 m_bob = 0;
};

void tst_StoreOperations::initTestCase()
{
    qInfo("store: %s", cpm::test::TestPostgres::requested() ? "postgresql" : "sqlite");
}

void tst_StoreOperations::init()
{
    cpm::test::failOnWarnings();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    StoreLocation where { m_dir->path(), {} };
    if (cpm::test::TestPostgres::requested()) {
        where.store = cpm::test::TestPostgres::newDatabase();
        QVERIFY2(!where.store.isEmpty(), "PostgreSQL cannot start here (see above)");
    }
    Result<std::unique_ptr<Store>> opened = openStore(where, StoreUse::Command);
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    m_store = std::move(*opened);
    m_alice = addUser(QStringLiteral("alice@cpm.example"));
    m_bob = addUser(QStringLiteral("bob@cpm.example"));
    QVERIFY(m_alice > 0 && m_bob > 0);
}

void tst_StoreOperations::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void tst_StoreOperations::testSenderStateTellsRetriesFromNewMessages()
{
    const qint64 day = 20000;
    std::optional<Store::SenderState> state
        = must(m_store->senderState(m_alice, QStringLiteral("c1"), day));
    QVERIFY(state);
    QCOMPARE(state->address, QStringLiteral("alice@cpm.example"));
    QVERIFY(state->enabled);
    QCOMPARE(state->sentOnDay, 0);
    QVERIFY(!state->previous);

    const Sent first = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
        QStringLiteral("hi"), nullptr, day * 86400000 + 5);
    QCOMPARE(first.outcome, Outcome::Stored);
    state = must(m_store->senderState(m_alice, QStringLiteral("c1"), day));
    QCOMPARE(state->sentOnDay, 1);
    QVERIFY(state->previous);
    QCOMPARE(state->previous->messageId, first.messageId);
    QCOMPARE(state->previous->senderSeq, first.seq);
    QCOMPARE(state->previous->body, QStringLiteral("hi"));
    // The count is per day.
    QCOMPARE(must(m_store->senderState(m_alice, QStringLiteral("c2"), day + 1))->sentOnDay, 0);
    // The retry stores nothing new; another text under the same clientId is a conflict.
    Events events;
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
                 QStringLiteral("hi"), &events)
                 .outcome,
        Outcome::Duplicate);
    QVERIFY(events.isEmpty());
    QCOMPARE(must(m_store->userById(m_bob))->headSeq, 1);
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
                 QStringLiteral("other text"))
                 .outcome,
        Outcome::Conflict);
    // Another sender's clientId space is separate.
    QCOMPARE(send(m_bob, QStringLiteral("alice@cpm.example"), QStringLiteral("c1")).outcome,
        Outcome::Stored);
    QVERIFY(!must(m_store->senderState(999, QStringLiteral("c1"), day)));
}

void tst_StoreOperations::testSubmitCommitsBothCopiesAndEvents()
{
    Events events;
    const Sent r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
        QStringLiteral("body"), &events);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).userId, m_bob);
    QCOMPARE(events.at(0).message->folder, protocol::Folder::Inbox);
    QCOMPARE(events.at(1).userId, m_alice);
    QCOMPARE(events.at(1).seq, r.seq);
    QCOMPARE(events.at(1).message->folder, protocol::Folder::Sent);

    const std::optional<protocol::Message> inbox = must(m_store->message(m_bob, r.messageId));
    QVERIFY(inbox);
    QCOMPARE(inbox->from, QStringLiteral("alice@cpm.example"));
    QCOMPARE(inbox->body, QStringLiteral("body"));
    QCOMPARE(inbox->status, MessageState::Sent);
    QVERIFY(!inbox->read);
    QCOMPARE(must(m_store->message(m_alice, r.messageId))->folder, protocol::Folder::Sent);

    const QList<StoredEvent> stream = must(m_store->eventsAfter(m_bob, 0, 500));
    QCOMPARE(stream.size(), 1);
    QCOMPARE(stream.at(0).kind, QString(ev::Message));
    QCOMPARE(stream.at(0).message->body, QStringLiteral("body"));
    QCOMPARE(must(m_store->pendingMessageIds(m_bob)), QList<qint64> { r.messageId });
}

void tst_StoreOperations::testAClientIdTakenMeanwhileIsAConflict()
{
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1")).outcome,
        Outcome::Stored);
    // Two writes that both looked and found the clientId free (another node, later): the
    // store's own uniqueness settles it, and the loser changes nothing.
    Store::NewMessage m;
    m.senderId = m_alice;
    m.senderAddress = QStringLiteral("alice@cpm.example");
    m.recipientId = m_bob;
    m.recipientAddress = QStringLiteral("bob@cpm.example");
    m.clientId = QStringLiteral("c1");
    m.body = QStringLiteral("raced");
    m.now = 5;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("(?i)unique")));
    const Result<Store::StoredMessage> raced = m_store->storeMessage(m, nullptr);
    QVERIFY(!raced);
    QCOMPARE(raced.error().code, ErrorCode::Conflict);
    // What the client is told names its clientId; the SQL stays in the log.
    QCOMPARE(
        raced.error().message, QStringLiteral("clientId 'c1' was used for a different message"));
    QCOMPARE(must(m_store->userById(m_bob))->headSeq, 1);
}

void tst_StoreOperations::testAckDeliversOnceAndNeverMovesBack()
{
    const DeviceRecord device = addDevice(m_bob, QStringLiteral("i-1"), QStringLiteral("laptop"));
    const Sent r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    const qint64 head = must(m_store->userById(m_bob))->headSeq;

    Events events;
    // An ack beyond the head is clamped to it.
    QCOMPARE(must(m_store->ack(m_bob, device.id(), head + 100, true, 2000, &events)), head);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).userId, m_alice);
    QCOMPARE(events.at(0).kind, QString(ev::Report));
    const protocol::ReportEvent report = must(protocol::ReportEvent::fromJson(
        QJsonDocument::fromJson(events.at(0).dataJson.toUtf8()).object()));
    QCOMPARE(report.status, MessageState::Delivered);
    QCOMPARE(report.by, QStringLiteral("bob@cpm.example"));
    QCOMPARE(must(m_store->message(m_alice, r.messageId))->status, MessageState::Delivered);
    QVERIFY(must(m_store->pendingMessageIds(m_bob)).isEmpty());

    events.clear();
    QCOMPARE(must(m_store->ack(m_bob, device.id(), 0, true, 3000, &events)), head);
    QVERIFY(events.isEmpty());
    QCOMPARE(must(m_store->deviceById(device.id()))->ackedSeq, head);
}

void tst_StoreOperations::testAckFromANoneDeviceDeliversNothing()
{
    const DeviceRecord device = addDevice(m_bob, QStringLiteral("i-1"), QStringLiteral("fixed"));
    send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    Events events;
    QVERIFY(must(m_store->ack(m_bob, device.id(), 10, false, 2000, &events)) > 0);
    QVERIFY(events.isEmpty());
    QCOMPARE(must(m_store->pendingMessageIds(m_bob)).size(), 1);
}

void tst_StoreOperations::testReadReportsDisplayedOnce()
{
    const Sent r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    Events events;
    QCOMPARE(must(m_store->markRead(m_bob, r.messageId, 5000, &events)), Store::Change::Done);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).userId, m_bob);
    QCOMPARE(events.at(0).kind, QString(ev::Flags));
    QCOMPARE(events.at(1).userId, m_alice);
    QCOMPARE(events.at(1).data.value(QLatin1StringView("status")).toString(),
        QStringLiteral("displayed"));
    QVERIFY(must(m_store->message(m_bob, r.messageId))->read);
    QVERIFY(!must(m_store->message(m_alice, r.messageId))->read);
    // A displayed message is no longer pending, so it cannot expire.
    QVERIFY(must(m_store->pendingMessageIds(m_bob)).isEmpty());

    events.clear();
    QCOMPARE(must(m_store->markRead(m_bob, r.messageId, 6000, &events)), Store::Change::Unchanged);
    QVERIFY(events.isEmpty());
    // The sender reading its own copy changes its flag only.
    QCOMPARE(must(m_store->markRead(m_alice, r.messageId, 6000, &events)), Store::Change::Done);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).userId, m_alice);
    // Someone else's message is not found.
    const qint64 carol = addUser(QStringLiteral("carol@cpm.example"));
    QCOMPARE(must(m_store->markRead(carol, r.messageId, 6000, nullptr)), Store::Change::NotFound);
}

void tst_StoreOperations::testDeleteKeepsTheOtherPartysCopy()
{
    const Sent r = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    Events events;
    QCOMPARE(must(m_store->deleteMessage(m_bob, r.messageId, 1, &events)), Store::Change::Done);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).kind, QString(ev::Deleted));
    QCOMPARE(
        events.at(0).data.value(QLatin1StringView("reason")).toString(), QStringLiteral("user"));
    QVERIFY(!must(m_store->message(m_bob, r.messageId)));
    QVERIFY(must(m_store->message(m_alice, r.messageId)));
    QCOMPARE(must(m_store->deleteMessage(m_bob, r.messageId, 1, nullptr)), Store::Change::NotFound);

    // Bob's stream still holds the message event, now about a message he no longer has.
    const QList<StoredEvent> stream = must(m_store->eventsAfter(m_bob, 0, 500));
    QCOMPARE(stream.size(), 2);
    QVERIFY(!stream.at(0).message);
    QVERIFY(stream.at(0).messageGone);
    QCOMPARE(stream.at(1).kind, QString(ev::Deleted)); // never skipped by a connection

    QCOMPARE(must(m_store->deleteMessage(m_alice, r.messageId, 1, nullptr)), Store::Change::Done);
    QVERIFY(!must(m_store->message(m_alice, r.messageId)));
    // With no copy left the clientId is free again.
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"),
                 QStringLiteral("new text"))
                 .outcome,
        Outcome::Stored);
}

void tst_StoreOperations::testMessageIdsAreNeverUsedAgain()
{
    const Sent first = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    QCOMPARE(first.outcome, Outcome::Stored);
    // Both copies deleted: the newest message row is gone, but the streams still name its id.
    QCOMPARE(must(m_store->deleteMessage(m_bob, first.messageId, 1, nullptr)), Store::Change::Done);
    QCOMPARE(
        must(m_store->deleteMessage(m_alice, first.messageId, 1, nullptr)), Store::Change::Done);
    const Sent next = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c2"));
    QCOMPARE(next.outcome, Outcome::Stored);
    QVERIFY2(next.messageId > first.messageId,
        qPrintable(QStringLiteral("%1 after %2").arg(next.messageId).arg(first.messageId)));
    // Bob's stream: the old message is gone, the new one is its own.
    const QList<StoredEvent> stream = must(m_store->eventsAfter(m_bob, 0, 500));
    QVERIFY(stream.first().messageGone);
    QCOMPARE(stream.last().messageId, next.messageId);
    QVERIFY(stream.last().message);
}

void tst_StoreOperations::testDeviceIdsAreNeverUsedAgain()
{
    const Store::NewDevice laptop { QStringLiteral("i-1"), QStringLiteral("Laptop"),
        QStringLiteral("laptop"), {}, QByteArray(32, 'a'), {}, {} };
    Store::NewDevice guest { QStringLiteral("i-guest"), QStringLiteral("Friend's PC"),
        QStringLiteral("desktop"), {}, QByteArray(32, 'g'), {}, {} };
    guest.guest = true;
    guest.expires = 99000;
    QVERIFY(must(m_store->registerDevice(m_alice, laptop, 1000, nullptr)).id() > 0);
    const qint64 guestId = must(m_store->registerDevice(m_alice, guest, 1000, nullptr)).id();
    // The guest signs out: its row goes, the newest id with it; Alice's stream still names it.
    QCOMPARE(must(m_store->forgetDevice(m_alice, guestId, 2000, nullptr)), Store::SignOut::Done);
    Store::NewDevice phone = laptop;
    phone.instanceId = QStringLiteral("i-2");
    const qint64 phoneId = must(m_store->registerDevice(m_bob, phone, 3000, nullptr)).id();
    QVERIFY2(
        phoneId > guestId, qPrintable(QStringLiteral("%1 after %2").arg(phoneId).arg(guestId)));
}

void tst_StoreOperations::testDevicesRegisterAndSignOut()
{
    Events events;
    const Store::NewDevice laptop { QStringLiteral("i-1"), QStringLiteral("Laptop"),
        QStringLiteral("laptop"), { QStringLiteral("text") }, QByteArray(32, 'a'), {}, {} };
    const DeviceRecord first = must(m_store->registerDevice(m_alice, laptop, 1000, &events));
    QCOMPARE(first.device.delivery, QStringLiteral("full"));
    QCOMPARE(first.device.notifySessions, true);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).kind, QString(ev::Device));

    Store::DeviceChange change;
    change.delivery = QStringLiteral("notification");
    QVERIFY(must(m_store->updateDevice(m_alice, first.id(), change, 2000, nullptr)));
    QVERIFY(!must(m_store->updateDevice(m_bob, first.id(), change, 2000, nullptr))); // not Bob's

    QCOMPARE(
        must(m_store->signOutDevice(m_bob, first.id(), 2000, nullptr)), Store::SignOut::NotFound);
    events.clear();
    QCOMPARE(
        must(m_store->signOutDevice(m_alice, first.id(), 2000, &events)), Store::SignOut::Done);
    QVERIFY(events.at(0).data.value(QLatin1StringView("removed")).toBool());
    QCOMPARE(must(m_store->signOutDevice(m_alice, first.id(), 2000, nullptr)),
        Store::SignOut::AlreadySignedOut);
    QVERIFY(must(m_store->devices(m_alice)).isEmpty());
    QCOMPARE(must(m_store->devices(m_alice, true)).size(), 1);
    QVERIFY(!must(m_store->updateDevice(m_alice, first.id(), change, 2000, nullptr)));

    // The same installation registering again keeps its id and its preference.
    Store::NewDevice again = laptop;
    again.tokenHash = QByteArray(32, 'b');
    again.delivery = QStringLiteral("none"); // for a new device only
    const DeviceRecord second = must(m_store->registerDevice(m_alice, again, 3000, nullptr));
    QCOMPARE(second.id(), first.id());
    QVERIFY(second.isSignedIn());
    QCOMPARE(second.device.delivery, QStringLiteral("notification"));
    QCOMPARE(second.tokenHash, again.tokenHash);
}

void tst_StoreOperations::testRegistrationSetsTheFirstPreferences()
{
    Store::NewDevice phone { QStringLiteral("i-2"), QStringLiteral("Desk phone"),
        QStringLiteral("fixed"), {}, QByteArray(32, 'c'), QStringLiteral("none"), false };
    const DeviceRecord d = must(m_store->registerDevice(m_alice, phone, 1000, nullptr));
    QCOMPARE(d.device.delivery, QStringLiteral("none"));
    QCOMPARE(d.device.notifySessions, false);
}

void tst_StoreOperations::testExpirySelection_data()
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

void tst_StoreOperations::testExpirySelection()
{
    QFETCH(qint64, createdBefore);
    QFETCH(qint64, maxCount);
    QFETCH(QList<int>, expired);
    QList<qint64> ids;
    for (int i = 0; i < 4; ++i) {
        ids << send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c%1").arg(i),
            QStringLiteral("hello"), nullptr, 1000 * (i + 1))
                   .messageId;
        if (i == 1) {
            // Opened on a device, so no longer pending.
            QCOMPARE(must(m_store->markRead(m_bob, ids.at(1), 2500, nullptr)), Store::Change::Done);
        }
    }
    Events events;
    QCOMPARE(
        must(m_store->expirePending(createdBefore, maxCount, 100000, &events)), expired.size());
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(must(m_store->message(m_bob, ids.at(i))).has_value(), !expired.contains(i));
        if (expired.contains(i)) {
            QCOMPARE(must(m_store->message(m_alice, ids.at(i)))->status, MessageState::Expired);
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

void tst_StoreOperations::testAckOfManyReportsEachOnceInOrder()
{
    const DeviceRecord device = addDevice(m_bob, QStringLiteral("i-1"), QStringLiteral("laptop"));
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
    QCOMPARE(
        must(m_store->deleteMessage(m_alice, fromAlice.at(3), 1, nullptr)), Store::Change::Done);
    const qint64 aliceHead = must(m_store->userById(m_alice))->headSeq;
    const qint64 carolHead = must(m_store->userById(carol))->headSeq;

    Events events;
    const qint64 head = must(m_store->userById(m_bob))->headSeq;
    QCOMPARE(must(m_store->ack(m_bob, device.id(), head, true, 5000, &events)), head);
    QCOMPARE(events.size(), 19);
    QList<qint64> reportedToAlice;
    qint64 aliceSeq = aliceHead;
    qint64 carolSeq = carolHead;
    for (const StoredEvent& e : std::as_const(events)) {
        QCOMPARE(e.kind, QString(ev::Report));
        const protocol::ReportEvent report = must(
            protocol::ReportEvent::fromJson(QJsonDocument::fromJson(e.dataJson.toUtf8()).object()));
        QCOMPARE(report.messageId, e.messageId);
        // Each sender's reports take the next seqs of its stream, in message order.
        QCOMPARE(e.seq, e.userId == m_alice ? ++aliceSeq : ++carolSeq);
        if (e.userId == m_alice) {
            reportedToAlice.append(e.messageId);
        }
    }
    fromAlice.removeAt(3);
    QCOMPARE(reportedToAlice, fromAlice);
    QCOMPARE(must(m_store->userById(m_alice))->headSeq, aliceSeq);
    QCOMPARE(must(m_store->userById(carol))->headSeq, carolSeq);
    const QList<StoredEvent> stream = must(m_store->eventsAfter(carol, carolHead, 100));
    QCOMPARE(stream.size(), 10);
    QCOMPARE(stream.constLast().data.value(QLatin1StringView("status")).toString(),
        QStringLiteral("delivered"));
    for (qint64 id : std::as_const(fromCarol)) {
        QCOMPARE(must(m_store->message(carol, id))->status, MessageState::Delivered);
    }
    QVERIFY(must(m_store->pendingMessageIds(m_bob)).isEmpty());
    events.clear();
    QCOMPARE(must(m_store->ack(m_bob, device.id(), head, true, 6000, &events)), head);
    QVERIFY(events.isEmpty());
}

QTEST_GUILESS_MAIN(tst_StoreOperations)
#include "tst_storeoperations.moc"
