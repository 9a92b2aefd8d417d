// SPDX-License-Identifier: GPL-3.0-or-later
// PgDatabase and PgListener, the PostgreSQL side of the store (docs/scaling.md), against a
// real throwaway cluster: parameters and values go through unchanged, a unique key broken is
// told apart, a transaction that rolls back announces nothing and one that commits
// announces its events to the other nodes' listeners (not to its own), and a restarted
// PostgreSQL costs one failed request, then the session comes back by itself. And of
// several nodes, one alive leads the upkeep of all users.

#include "failonwarning.h"
#include "pgdatabase.h"
#include "pglistener.h"
#include "postgresstore.h"
#include "testpostgres.h"

#include <QSignalSpy>
#include <QTest>

using namespace cpm;
using namespace cpm::server;

class tst_PgDatabase : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }

    void testPlaceholdersAreNumberedOutsideQuotes();
    void testSqlStatesMapToStorageCodes();
    void testValuesGoThroughUnchanged();
    void testAUniqueKeyBrokenIsToldApart();
    void testOnlyCommittedEventsAreAnnouncedToOtherNodes();
    void testARestartedDatabaseCostsOneRequest();
    void testOneAliveNodeLeadsTheUpkeep();

private:
    test::TestPostgres m_postgres;
};

void tst_PgDatabase::initTestCase() { QVERIFY(m_postgres.start()); }

void tst_PgDatabase::testPlaceholdersAreNumberedOutsideQuotes()
{
    int count = 0;
    QCOMPARE(pgNumberedParameters("SELECT ? WHERE a = '?' AND \"b?\" = ? OR c = 'it''s ?'", &count),
        QByteArray("SELECT $1 WHERE a = '?' AND \"b?\" = $2 OR c = 'it''s ?'"));
    QCOMPARE(count, 2);
    QCOMPARE(pgNumberedParameters("SELECT 1", &count), QByteArray("SELECT 1"));
    QCOMPARE(count, 0);
}

void tst_PgDatabase::testSqlStatesMapToStorageCodes()
{
    QCOMPARE(PgDatabase::codeFromSqlState("53100"), ErrorCode::DiskFull);
    QCOMPARE(PgDatabase::codeFromSqlState("25006"), ErrorCode::StoreReadOnly);
    QCOMPARE(PgDatabase::codeFromSqlState("XX001"), ErrorCode::StoreCorrupt);
    // Worth a retry: a lost connection, a deadlock victim, a database shutting down.
    for (const char* busy : { "08006", "40P01", "40001", "57P01", "55P03", "53300" }) {
        QCOMPARE(PgDatabase::codeFromSqlState(busy), ErrorCode::StoreBusy);
    }
    // A broken constraint is the store's to explain (violatedUniqueKey), as with SQLite.
    QCOMPARE(PgDatabase::codeFromSqlState("23505"), ErrorCode::StoreFailed);
    QCOMPARE(PgDatabase::codeFromSqlState("42601"), ErrorCode::StoreFailed);
}

void tst_PgDatabase::testValuesGoThroughUnchanged()
{
    PgDatabase db;
    QVERIFY(db.open(m_postgres.uri()).ok());
    QVERIFY(db.exec(QStringLiteral("CREATE TABLE t (i BIGINT, s TEXT, b BYTEA)")).ok());
    const QByteArray bytes("\x00\x01\xff'\\x", 6);
    const QString text = QStringLiteral("Grüße — ☃ 'quoted' ?");
    {
        PgDatabase::Query q(db, "INSERT INTO t (i, s, b) VALUES (?, ?, ?)");
        q.bind(qint64(9007199254740991), text, bytes);
        QVERIFY(q.exec().ok());
        QCOMPARE(q.changes(), 1);
    }
    {
        PgDatabase::Query q(db, "SELECT i, s, b, i > ?, NULLIF(?, 0) FROM t");
        q.bind(qint64(5), qint64(0));
        QVERIFY(q.next());
        QCOMPARE(q.int64(0), qint64(9007199254740991));
        QCOMPARE(q.text(1), text);
        QCOMPARE(q.blob(2), bytes);
        QVERIFY(q.boolean(3)); // a boolean reads as 1, as in SQLite
        QVERIFY(q.isNull(4));
        QVERIFY(!q.next());
        QVERIFY(q.ok());
    }
    QVERIFY(db.exec(QStringLiteral("DROP TABLE t")).ok());
}

void tst_PgDatabase::testAUniqueKeyBrokenIsToldApart()
{
    PgDatabase db;
    QVERIFY(db.open(m_postgres.uri()).ok());
    QVERIFY(db.exec(QStringLiteral("CREATE TABLE u (k TEXT PRIMARY KEY)")).ok());
    PgDatabase::Query first(db, "INSERT INTO u (k) VALUES (?)");
    first.bind(QStringLiteral("a"));
    QVERIFY(first.exec().ok());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("duplicate key")));
    PgDatabase::Query again(db, "INSERT INTO u (k) VALUES (?)");
    again.bind(QStringLiteral("a"));
    QVERIFY(!again.exec().ok());
    QVERIFY(again.violatedUniqueKey());
    QCOMPARE(again.error().code, ErrorCode::StoreFailed);
    QVERIFY(db.exec(QStringLiteral("DROP TABLE u")).ok());
}

void tst_PgDatabase::testOnlyCommittedEventsAreAnnouncedToOtherNodes()
{
    PgDatabase db;
    QVERIFY(db.open(m_postgres.uri()).ok());
    db.setNodeId("node-a");
    PgListener other(m_postgres.uri(), "node-b");
    PgListener self(m_postgres.uri(), "node-a");
    QSignalSpy heard(&other, &PgListener::eventsCommitted);
    QSignalSpy echoed(&self, &PgListener::eventsCommitted);
    other.start();
    self.start();
    QVERIFY(other.isListening() && self.isListening());
    {
        PgDatabase::Transaction tx(db);
        QVERIFY(tx.isActive());
        db.eventAppended(7, 41);
        // Rolled back: nobody hears of it.
    }
    {
        PgDatabase::Transaction tx(db);
        db.eventAppended(7, 42);
        db.eventAppended(7, 43);
        db.eventAppended(9, 5);
        QVERIFY(tx.commit().ok());
    }
    QTRY_COMPARE(heard.size(), 2);
    // One entry per user, at the highest seq the commit reached.
    QCOMPARE(heard.at(0).at(0).toLongLong(), 7);
    QCOMPARE(heard.at(0).at(1).toLongLong(), 43);
    QCOMPARE(heard.at(1).at(0).toLongLong(), 9);
    QCOMPARE(heard.at(1).at(1).toLongLong(), 5);
    QTest::qWait(100);
    QCOMPARE(echoed.size(), 0); // a node's own commits are not news to it
    QCOMPARE(heard.size(), 2);
}

void tst_PgDatabase::testARestartedDatabaseCostsOneRequest()
{
    PgDatabase db;
    QVERIFY(db.open(m_postgres.uri()).ok());
    PgListener listener(m_postgres.uri(), "node-b");
    QSignalSpy missed(&listener, &PgListener::missedEvents);
    listener.start();
    QVERIFY(listener.isListening());
    {
        PgDatabase::Query q(db, "SELECT 1");
        QVERIFY(q.next());
    }
    m_postgres.stop();
    QVERIFY(m_postgres.start());
    // The old session is gone: the first request fails as `unavailable` (retry), the next
    // runs on a new session, prepared statements and all.
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("reconnected")));
    {
        PgDatabase::Query q(db, "SELECT 1");
        if (!q.next()) {
            QCOMPARE(q.error().code, ErrorCode::StoreBusy);
        }
    }
    PgDatabase::Query q(db, "SELECT 1");
    QVERIFY2(q.next(), qPrintable(q.error().message));
    QCOMPARE(q.int64(0), 1);
    // The listener noticed (missed events: catch up) and listens again.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not listening")));
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("listening .* again")));
    QTRY_VERIFY_WITH_TIMEOUT(missed.size() >= 2 && listener.isListening(), 15000);
}

void tst_PgDatabase::testOneAliveNodeLeadsTheUpkeep()
{
    QVERIFY(m_postgres.createDatabase(QStringLiteral("upkeep")));
    const QString uri = m_postgres.uri(QStringLiteral("upkeep"));
    PostgresStore a;
    PostgresStore b;
    a.setNodeId("node-a");
    b.setNodeId("node-b");
    QVERIFY(a.open(uri).ok() && b.open(uri).ok());
    QVERIFY(b.heartbeat(0).ok());
    QVERIFY(b.leadsUpkeep()); // alone
    QVERIFY(a.heartbeat(0).ok());
    QVERIFY(a.leadsUpkeep());
    QVERIFY(b.heartbeat(0).ok());
    QVERIFY(!b.leadsUpkeep()); // one of them: the least id of the nodes alive

    // Node a freezes: once its heartbeat is older than a node's timeout, b takes over.
    PgDatabase db;
    QVERIFY(db.open(uri).ok());
    QVERIFY(
        db.exec(QStringLiteral("UPDATE nodes SET seen = seen - 20000 WHERE node = 'node-a'")).ok());
    QVERIFY(b.heartbeat(0).ok());
    QVERIFY(b.leadsUpkeep());
    // It wakes up and leads again; b gives way at its next heartbeat (both for a moment).
    QVERIFY(a.heartbeat(0).ok());
    QVERIFY(a.leadsUpkeep());
    QVERIFY(b.heartbeat(0).ok());
    QVERIFY(!b.leadsUpkeep());

    // A node that stops says so: the next heartbeat of b leads.
    a.close();
    QVERIFY(b.heartbeat(0).ok());
    QVERIFY(b.leadsUpkeep());
}

QTEST_GUILESS_MAIN(tst_PgDatabase)
#include "tst_pgdatabase.moc"
