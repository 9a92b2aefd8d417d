// SPDX-License-Identifier: GPL-3.0-or-later
// The server's SQLite store on its own: schema migrations, the integrity check at open,
// idempotent submit, the mailbox and its events (delivery, read, delete), device sign-out,
// deferred-delivery expiry, group commit, and the typed errors of a store that is busy,
// full or damaged (never "not found" or "empty").

#include "failonwarning.h"
#include "must.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "sqlitedatabase.h"
#include "sqlitemigrations.h"
#include "sqlitestore.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using namespace cpm;
using namespace cpm::server;
namespace ev = cpm::protocol::event;
using cpm::test::must;
using protocol::MessageState;

namespace {

//! A store whose connection the test may tune (busy timeout, page limit) like a disk would.
class TestStore final : public SqliteStore {
public:
    void pragma(const QString& sql) { QVERIFY(database().exec(sql).ok()); }
    qint64 pragmaValue(const char* sql)
    {
        Query q(database(), sql);
        return q.next() ? q.int64(0) : -1;
    }
};

//! The answer of a submission as the Router would compute it from senderState().
enum class Outcome { Stored, Duplicate, Conflict, Failed };
struct Sent {
    Outcome outcome = Outcome::Failed;
    qint64 messageId = 0;
    qint64 seq = 0;
    qint64 time = 0;
    Error error;
};

} // namespace

class tst_ServerStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void testMigratesAnEmptyDatabase();
    void testReopensAnExistingDatabase();
    void testRefusesANewerSchema();
    void testCreatesItsDataDirectoryPrivate();
    void testRefusesAFileThatIsNotADatabase();
    void testRefusesADamagedDatabase();
    void testBusyIsBusyNotNotFound();
    void testFullDiskRefusesWritesAndKeepsReads();
    void testSettingsSeeOtherProcesses();
    void testSenderStateTellsRetriesFromNewMessages();
    void testSubmitCommitsBothCopiesAndEvents();
    void testAClientIdTakenMeanwhileIsAConflict();
    void testAckDeliversOnceAndNeverMovesBack();
    void testAckFromANoneDeviceDeliversNothing();
    void testReadReportsDisplayedOnce();
    void testDeleteKeepsTheOtherPartysCopy();
    void testMessageIdsAreNeverUsedAgain();
    void testMigratesFromSchemaOneKeepingIdsUnique();
    void testDeviceIdsAreNeverUsedAgain();
    void testMigratesFromSchemaSevenKeepingDeviceIdsUnique();
    void testDevicesRegisterAndSignOut();
    void testRegistrationSetsTheFirstPreferences();
    void testExpirySelection_data();
    void testExpirySelection();
    void testGroupCommitIsolatesFailuresAndCommitsOnce();
    void testAckOfManyReportsEachOnceInOrder();

private:
    qint64 addUser(const QString& address);
    //! What the Router does for `send`: look for the clientId, then store.
    Sent send(qint64 from, const QString& to, const QString& clientId,
        const QString& body = QStringLiteral("hello"), Events* events = nullptr, qint64 now = 0);
    DeviceRecord addDevice(qint64 userId, const QString& instance, const QString& kind);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestStore> m_store;
    qint64 m_alice = 0;
    qint64 m_bob = 0;
};

void tst_ServerStore::init()
{
    cpm::test::failOnWarnings();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<TestStore>();
    const Result<void> opened = m_store->open(m_dir->path());
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
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
    if (must(m_store->createUser(address, QByteArrayLiteral("$argon2id$test"), 1000))
        != Store::CreateUser::Created) {
        return 0;
    }
    const std::optional<UserRecord> user = must(m_store->userByAddress(address));
    return user ? user->id : 0;
}

Sent tst_ServerStore::send(qint64 from, const QString& to, const QString& clientId,
    const QString& body, Events* events, qint64 now)
{
    Sent sent;
    now = now > 0 ? now : QDateTime::currentMSecsSinceEpoch();
    const Result<std::optional<Store::SenderState>> sender
        = m_store->senderState(from, clientId, now / 86400000);
    if (!sender || !sender->has_value()) {
        sent.error
            = sender ? makeError(ErrorCode::NotFound, QStringLiteral("no sender")) : sender.error();
        return sent;
    }
    if (const auto& previous = (*sender)->previous) {
        const bool same = previous->to == to && previous->body == body;
        sent.outcome = same ? Outcome::Duplicate : Outcome::Conflict;
        sent.messageId = previous->messageId;
        sent.seq = previous->senderSeq;
        sent.time = previous->time;
        return sent;
    }
    const std::optional<UserRecord> recipient = must(m_store->userByAddress(to));
    if (!recipient) {
        sent.error = makeError(ErrorCode::NoSuchUser, to);
        return sent;
    }
    Store::NewMessage m;
    m.senderId = from;
    m.senderAddress = (*sender)->address;
    m.recipientId = recipient->id;
    m.recipientAddress = recipient->address;
    m.clientId = clientId;
    m.subject = QStringLiteral("subject");
    m.body = body;
    m.now = now;
    m.day = now / 86400000;
    const Result<Store::StoredMessage> stored = m_store->storeMessage(m, events);
    if (!stored) {
        sent.error = stored.error();
        sent.outcome
            = stored.error().code == ErrorCode::Conflict ? Outcome::Conflict : Outcome::Failed;
        return sent;
    }
    sent.outcome = Outcome::Stored;
    sent.messageId = stored->messageId;
    sent.seq = stored->senderSeq;
    sent.time = stored->time;
    return sent;
}

DeviceRecord tst_ServerStore::addDevice(qint64 userId, const QString& instance, const QString& kind)
{
    Store::NewDevice d;
    d.instanceId = instance;
    d.name = instance;
    d.kind = kind;
    d.tokenHash = QByteArray(32, 'x');
    return must(m_store->registerDevice(userId, d, 1000, nullptr));
}

void tst_ServerStore::testMigratesAnEmptyDatabase()
{
    QCOMPARE(must(m_store->schemaVersion()), SqliteStore::latestSchemaVersion());
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
    QCOMPARE(send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1")).outcome,
        Outcome::Stored);
    m_store->close();
    QVERIFY(m_store->open(m_dir->path()).ok());
    QCOMPARE(must(m_store->schemaVersion()), SqliteStore::latestSchemaVersion());
    QCOMPARE(must(m_store->users()).size(), 2);
    QCOMPARE(must(m_store->userById(m_bob))->headSeq, 1);
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
    const Result<void> opened = m_store->open(m_dir->path());
    QVERIFY(!opened);
    QVERIFY2(opened.error().message.contains(QLatin1StringView("newer")),
        qPrintable(opened.error().message));
}

void tst_ServerStore::testCreatesItsDataDirectoryPrivate()
{
    const QString dir = m_dir->filePath(QStringLiteral("new/data"));
    SqliteStore store;
    QVERIFY(store.open(dir).ok());
    QCOMPARE(QFile::permissions(dir) & (QFile::ReadGroup | QFile::ReadOther | QFile::ExeOther),
        QFile::Permissions());
    QVERIFY(QFile::permissions(dir).testFlag(QFile::ReadOwner));
}

void tst_ServerStore::testRefusesAFileThatIsNotADatabase()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("cpm.sqlite")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(8192, 'x'));
    file.close();
    SqliteStore store;
    const Result<void> opened = store.open(dir.path());
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::StoreCorrupt);
    const QString advice = SqliteStore::explainOpenFailure(dir.path(), opened.error());
    QVERIFY2(advice.contains(file.fileName()) && advice.contains(QLatin1StringView(".recover")),
        qPrintable(advice));
}

void tst_ServerStore::testRefusesADamagedDatabase()
{
    for (int i = 0; i < 200; ++i) {
        send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("d%1").arg(i),
            QString(400, QLatin1Char('x')));
    }
    m_store->close();
    // Overwrite a page in the middle of the file: the header still says "SQLite format 3",
    // so only the integrity check at open finds it.
    const QString path = m_dir->filePath(QStringLiteral("cpm.sqlite"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.size() > 8 * 4096);
    file.seek(6 * 4096);
    file.write(QByteArray(4096, '\x5a'));
    file.close();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("malformed")));
    const Result<void> opened = m_store->open(m_dir->path());
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::StoreCorrupt);
    QVERIFY2(opened.error().message.contains(path), qPrintable(opened.error().message));
}

void tst_ServerStore::testBusyIsBusyNotNotFound()
{
    // Another process holds the write lock (the admin CLI in a long transaction).
    sqlite3* other = nullptr;
    QCOMPARE(sqlite3_open_v2(QFile::encodeName(m_dir->filePath(QStringLiteral("cpm.sqlite"))),
                 &other, SQLITE_OPEN_READWRITE, nullptr),
        SQLITE_OK);
    QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    m_store->pragma(QStringLiteral("PRAGMA busy_timeout=50"));
    // A write (a new device at sign-in, say) waits, then is told "busy": never "failed" for
    // good, and never anything about the user.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("locked")));
    const Result<DeviceRecord> device = m_store->registerDevice(m_alice,
        { QStringLiteral("i-9"), QStringLiteral("n"), QStringLiteral("laptop"), {},
            QByteArray(32, 'x'), {}, {} },
        1, nullptr);
    QVERIFY(!device);
    QCOMPARE(device.error().code, ErrorCode::StoreBusy);
    QCOMPARE(device.error().toWire().code, ErrorCode::Unavailable);
    // Reads go on meanwhile (WAL).
    QVERIFY(must(m_store->userByAddress(QStringLiteral("alice@cpm.example"))).has_value());
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    QVERIFY(m_store
                ->registerDevice(m_alice,
                    { QStringLiteral("i-9"), QStringLiteral("n"), QStringLiteral("laptop"), {},
                        QByteArray(32, 'x'), {}, {} },
                    1, nullptr)
                .ok());
}

void tst_ServerStore::testFullDiskRefusesWritesAndKeepsReads()
{
    const Sent before = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("f0"));
    QCOMPARE(before.outcome, Outcome::Stored);
    // The database may not grow: the next write that needs a page fails with SQLITE_FULL,
    // as on a full disk.
    m_store->pragma(QStringLiteral("PRAGMA max_page_count = 1"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("full")));
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("is full")));
    Sent full;
    for (int i = 0; i < 50; ++i) {
        full = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("f%1").arg(i + 1),
            QString(3000, QLatin1Char('y')));
        if (full.outcome == Outcome::Failed) {
            break;
        }
    }
    QCOMPARE(full.outcome, Outcome::Failed);
    QCOMPARE(full.error.code, ErrorCode::DiskFull);
    QCOMPARE(full.error.toWire().code, ErrorCode::StorageFull);
    // Every later write is refused at once, with the same code; reads go on.
    const Result<void> pref
        = m_store->setPref(m_alice, QStringLiteral("k"), QStringLiteral("v"), 1, nullptr);
    QVERIFY(!pref);
    QCOMPARE(pref.error().code, ErrorCode::DiskFull);
    QCOMPARE(must(m_store->message(m_bob, before.messageId))->body, QStringLiteral("hello"));
    QVERIFY(must(m_store->eventsAfter(m_bob, 0, 10)).size() >= 1);
    // Room again (the file system has it; the page limit is lifted): writes resume.
    m_store->pragma(QStringLiteral("PRAGMA max_page_count = 1073741823"));
    m_store->maintain();
    QVERIFY(m_store->setPref(m_alice, QStringLiteral("k"), QStringLiteral("v"), 1, nullptr).ok());
}

void tst_ServerStore::testSettingsSeeOtherProcesses()
{
    QCOMPARE(m_store->settingInt(settings::QuotaDailyMessages), 10000);
    // A second connection stands in for the admin CLI writing to a running server.
    SqliteStore admin;
    QVERIFY(admin.open(m_dir->path()).ok());
    QVERIFY(admin.setSetting(QString(settings::QuotaDailyMessages), QStringLiteral("3")).ok());
    QCOMPARE(m_store->settingInt(settings::QuotaDailyMessages), 3);
    QVERIFY(admin.setSetting(QString(settings::QuotaDailyMessages), QStringLiteral("junk")).ok());
    QCOMPARE(m_store->settingInt(settings::QuotaDailyMessages), 10000);
    m_store->changedElsewhere(); // the first call only records where we are
    QVERIFY(must(admin.setUserEnabled(QStringLiteral("bob@cpm.example"), false)));
    QVERIFY(m_store->changedElsewhere());
    QCOMPARE(must(m_store->disabledUserIds()), QList<qint64> { m_bob });
    QVERIFY(!m_store->changedElsewhere());
    QVERIFY(!must(admin.setUserEnabled(QStringLiteral("nobody@cpm.example"), false)));
}

void tst_ServerStore::testSenderStateTellsRetriesFromNewMessages()
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

void tst_ServerStore::testSubmitCommitsBothCopiesAndEvents()
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

void tst_ServerStore::testAClientIdTakenMeanwhileIsAConflict()
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
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("UNIQUE")));
    const Result<Store::StoredMessage> raced = m_store->storeMessage(m, nullptr);
    QVERIFY(!raced);
    QCOMPARE(raced.error().code, ErrorCode::Conflict);
    // What the client is told names its clientId; the SQL stays in the log.
    QCOMPARE(
        raced.error().message, QStringLiteral("clientId 'c1' was used for a different message"));
    QCOMPARE(must(m_store->userById(m_bob))->headSeq, 1);
}

void tst_ServerStore::testAckDeliversOnceAndNeverMovesBack()
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

void tst_ServerStore::testAckFromANoneDeviceDeliversNothing()
{
    const DeviceRecord device = addDevice(m_bob, QStringLiteral("i-1"), QStringLiteral("fixed"));
    send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c1"));
    Events events;
    QVERIFY(must(m_store->ack(m_bob, device.id(), 10, false, 2000, &events)) > 0);
    QVERIFY(events.isEmpty());
    QCOMPARE(must(m_store->pendingMessageIds(m_bob)).size(), 1);
}

void tst_ServerStore::testReadReportsDisplayedOnce()
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

void tst_ServerStore::testDeleteKeepsTheOtherPartysCopy()
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

void tst_ServerStore::testMessageIdsAreNeverUsedAgain()
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

void tst_ServerStore::testMigratesFromSchemaOneKeepingIdsUnique()
{
    m_store.reset();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cpm.sqlite"));
    {
        // A data directory as schema 1 left it: message 7 stored, message 9 deleted by both
        // parties (only Bob's stream still names it).
        SqliteDatabase db;
        QVERIFY(must(db.open(path, true, 1000)));
        QVERIFY(must(sqlitemigrations::migrate(db, 1)));
        QCOMPARE(must(sqlitemigrations::schemaVersion(db)), 1);
        for (const char* sql : {
                 "INSERT INTO users (id, address, pwhash, head_seq, created) VALUES"
                 " (1, 'alice@cpm.example', 'x', 1, 1), (2, 'bob@cpm.example', 'x', 2, 1)",
                 "INSERT INTO messages (id, sender_id, client_id, from_addr, to_addr, body,"
                 " created, sender_seq) VALUES"
                 " (7, 1, 'c7', 'alice@cpm.example', 'bob@cpm.example', 'kept', 1, 1)",
                 "INSERT INTO mailbox (user_id, message_id, folder, event_seq, created) VALUES"
                 " (1, 7, 'sent', 1, 1), (2, 7, 'inbox', 1, 1)",
                 "INSERT INTO events (user_id, seq, kind, message_id, created) VALUES"
                 " (1, 1, 'message', 7, 1), (2, 1, 'message', 7, 1),"
                 " (2, 2, 'message', 9, 1)",
             }) {
            QVERIFY2(must(db.exec(QString::fromLatin1(sql))), sql);
        }
    }
    m_store = std::make_unique<TestStore>();
    QVERIFY(must(m_store->open(dir.path())));
    QCOMPARE(must(m_store->schemaVersion()), SqliteStore::latestSchemaVersion());
    const std::optional<protocol::Message> kept = must(m_store->message(2, 7));
    QVERIFY(kept);
    QCOMPARE(kept->body, QStringLiteral("kept"));
    m_alice = 1;
    m_bob = 2;
    const Sent next = send(m_alice, QStringLiteral("bob@cpm.example"), QStringLiteral("c8"));
    QCOMPARE(next.outcome, Outcome::Stored);
    QCOMPARE(next.messageId, 10); // past 9, which Bob's stream still names
    QCOMPARE(m_store->pragmaValue("PRAGMA foreign_keys"), 1); // off only while migrating
}

void tst_ServerStore::testDeviceIdsAreNeverUsedAgain()
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

void tst_ServerStore::testMigratesFromSchemaSevenKeepingDeviceIdsUnique()
{
    m_store.reset();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cpm.sqlite"));
    {
        // Schema 7: devices 1 and 2 left; 3 was forgotten (a session still names it), 4 too
        // (only a `session` event's invitedDevices names it), 5 too (a `device` event).
        SqliteDatabase db;
        QVERIFY(must(db.open(path, true, 1000)));
        QVERIFY(must(sqlitemigrations::migrate(db, 7)));
        for (const char* sql : {
                 "INSERT INTO users (id, address, pwhash, head_seq, created) VALUES"
                 " (1, 'alice@cpm.example', 'x', 3, 1), (2, 'bob@cpm.example', 'x', 0, 1)",
                 "INSERT INTO devices (id, user_id, instance_id, name, kind, created, guest,"
                 " expires) VALUES (1, 1, 'i-1', 'Laptop', 'laptop', 1, 0, 0),"
                 " (2, 2, 'i-2', 'Phone', 'phone', 1, 1, 5000)",
                 "INSERT INTO sessions (id, inviter_id, invitee_id, state, created,"
                 " inviter_device, invitee_device) VALUES (1, 2, 1, 'ended', 1, 2, 3)",
                 "INSERT INTO events (user_id, seq, kind, payload, created) VALUES"
                 " (1, 1, 'session', '{\"id\": 1, \"boundDevice\": {\"id\": 3},"
                 " \"invitedDevices\": [{\"id\": 1}, {\"id\": 4}]}', 1),"
                 " (1, 2, 'device', '{\"device\": {\"id\": 5}, \"removed\": true}', 1),"
                 " (1, 3, 'contact', '{\"id\": 40}', 1)",
             }) {
            QVERIFY2(must(db.exec(QString::fromLatin1(sql))), sql);
        }
    }
    m_store = std::make_unique<TestStore>();
    QVERIFY(must(m_store->open(dir.path())));
    QCOMPARE(must(m_store->schemaVersion()), SqliteStore::latestSchemaVersion());
    // The rows came over whole, the guest's index with them.
    const std::optional<DeviceRecord> phone = must(m_store->deviceById(2));
    QVERIFY(phone);
    QCOMPARE(phone->device.name, QStringLiteral("Phone"));
    QCOMPARE(must(m_store->guestDevices()).size(), 1);
    const Store::NewDevice tablet { QStringLiteral("i-3"), QStringLiteral("Tablet"),
        QStringLiteral("tablet"), {}, QByteArray(32, 't'), {}, {} };
    QCOMPARE(must(m_store->registerDevice(1, tablet, 2000, nullptr)).id(), 6);
    QCOMPARE(m_store->pragmaValue("PRAGMA foreign_keys"), 1);
}

void tst_ServerStore::testDevicesRegisterAndSignOut()
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

void tst_ServerStore::testRegistrationSetsTheFirstPreferences()
{
    Store::NewDevice phone { QStringLiteral("i-2"), QStringLiteral("Desk phone"),
        QStringLiteral("fixed"), {}, QByteArray(32, 'c'), QStringLiteral("none"), false };
    const DeviceRecord d = must(m_store->registerDevice(m_alice, phone, 1000, nullptr));
    QCOMPARE(d.device.delivery, QStringLiteral("none"));
    QCOMPARE(d.device.notifySessions, false);
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

void tst_ServerStore::testGroupCommitIsolatesFailuresAndCommitsOnce()
{
    m_store->close();
    QVERIFY(m_store->open(m_dir->path(), SqliteStore::Mode::Serving).ok());
    int started = 0;
    m_store->setWriteListener([&started] { ++started; });
    // Another connection, like the admin CLI: it sees only what is committed.
    SqliteStore other;
    QVERIFY(other.open(m_dir->path()).ok());
    const QString bob = QStringLiteral("bob@cpm.example");

    const Sent first = send(m_alice, bob, QStringLiteral("g1"), QStringLiteral("one"));
    QCOMPARE(first.outcome, Outcome::Stored);
    QCOMPARE(started, 1);
    QVERIFY(m_store->hasUncommittedWrites());
    // A write that fails in the same batch: its savepoint rolls back, nothing else.
    QCOMPARE(must(m_store->deleteMessage(m_bob, 999999, 1, nullptr)), Store::Change::NotFound);
    const Sent second = send(m_alice, bob, QStringLiteral("g2"), QStringLiteral("two"));
    QCOMPARE(second.outcome, Outcome::Stored);
    QCOMPARE(second.seq, first.seq + 1);
    QCOMPARE(started, 1); // one transaction for all of them
    QCOMPARE(m_store->uncommittedWrites(), 3);
    // Reads on the serving connection see the batch's writes...
    QCOMPARE(must(m_store->message(m_bob, second.messageId))->body, QStringLiteral("two"));
    // ...nobody else does before the commit.
    QVERIFY(!must(other.message(m_bob, first.messageId)));

    QVERIFY(m_store->commit().ok());
    QVERIFY(!m_store->hasUncommittedWrites());
    QCOMPARE(must(other.message(m_bob, first.messageId))->body, QStringLiteral("one"));
    QCOMPARE(must(other.message(m_bob, second.messageId))->body, QStringLiteral("two"));
    const QList<StoredEvent> stream = must(other.eventsAfter(m_bob, 0, 100));
    QCOMPARE(std::count_if(stream.cbegin(), stream.cend(),
                 [](const StoredEvent& e) { return e.kind == QString(ev::Message); }),
        2);

    // The next write opens the next batch; closing commits what is pending.
    QCOMPARE(send(m_alice, bob, QStringLiteral("g3")).outcome, Outcome::Stored);
    QCOMPARE(started, 2);
    m_store->close();
    QCOMPARE(must(other.userById(m_bob))->headSeq, 3); // g1, g2, g3
}

void tst_ServerStore::testAckOfManyReportsEachOnceInOrder()
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

QTEST_GUILESS_MAIN(tst_ServerStore)
#include "tst_serverstore.moc"
