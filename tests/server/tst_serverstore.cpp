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
#include "storetest.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace cpm;
using namespace cpm::server;
namespace ev = cpm::protocol::event;
using cpm::test::must;
using cpm::test::Outcome;
using cpm::test::Sent;
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
    void testMigratesFromSchemaOneKeepingIdsUnique();
    void testMigratesFromSchemaSevenKeepingDeviceIdsUnique();
    void testGroupCommitIsolatesFailuresAndCommitsOnce();

private:
    qint64 addUser(const QString& address);
    //! What the Router does for `send`: look for the clientId, then store.
    Sent send(qint64 from, const QString& to, const QString& clientId,
        const QString& body = QStringLiteral("hello"), Events* events = nullptr, qint64 now = 0);

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
    return cpm::test::addUser(*m_store, address);
}

Sent tst_ServerStore::send(qint64 from, const QString& to, const QString& clientId,
    const QString& body, Events* events, qint64 now)
{
    return cpm::test::send(*m_store, from, to, clientId, body, events, now);
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

QTEST_GUILESS_MAIN(tst_ServerStore)
#include "tst_serverstore.moc"
