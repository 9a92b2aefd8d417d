// SPDX-License-Identifier: GPL-3.0-or-later
// The harness issue 13's tests stand on (tests/common/testpostgres.h): a PostgreSQL
// cluster of the test's own starts, answers through libpq on its socket only, keeps what
// was written across a restart, and is gone afterwards; without PostgreSQL it says so.

#include "failonwarning.h"
#include "testpostgres.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QTest>

#include <libpq-fe.h>
#include <memory>

using cpm::test::TestPostgres;

namespace {

struct ConnectionCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;

Connection connectTo(const TestPostgres& pg)
{
    return Connection(PQconnectdb(pg.connectionString().toUtf8().constData()));
}

//! The first value of \a sql's answer, or "error: …".
QString valueOf(PGconn* c, const char* sql)
{
    PGresult* r = PQexec(c, sql);
    QString value;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
        value = QString::fromUtf8(PQgetvalue(r, 0, 0));
    } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        value = QStringLiteral("error: ") + QString::fromUtf8(PQresultErrorMessage(r));
    }
    PQclear(r);
    return value;
}

} // namespace

class tst_TestPostgres : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testAClusterOfItsOwnStartsAnswersAndGoes()
    {
        QString dir;
        {
            TestPostgres pg;
            QVERIFY(pg.start());
            dir = pg.socketDir();
            Connection c = connectTo(pg);
            QVERIFY2(PQstatus(c.get()) == CONNECTION_OK, PQerrorMessage(c.get()));
            QVERIFY(valueOf(c.get(), "SHOW server_version_num").toInt() >= 150000);
            // The socket in its own directory only: nothing listens on TCP.
            QCOMPARE(valueOf(c.get(), "SHOW listen_addresses"), QString());
            QCOMPARE(valueOf(c.get(), "SHOW unix_socket_directories"), dir);
            QCOMPARE(valueOf(c.get(), "CREATE TABLE kept (x integer)"), QString());
            QCOMPARE(valueOf(c.get(), "INSERT INTO kept VALUES (42)"), QString());
            c.reset();

            pg.stop();
            QVERIFY(!pg.isRunning());
            QVERIFY(pg.start());
            c = connectTo(pg);
            QVERIFY2(PQstatus(c.get()) == CONNECTION_OK, PQerrorMessage(c.get()));
            QCOMPARE(valueOf(c.get(), "SELECT x FROM kept"), QStringLiteral("42"));
        }
        QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
    }

    void testWithoutPostgresItFailsLoudly()
    {
        qputenv("CPM_PG_BINDIR", "/nonexistent/bin");
        TestPostgres pg;
        qunsetenv("CPM_PG_BINDIR");
        QTest::ignoreMessage(QtCriticalMsg,
            QRegularExpression(QStringLiteral("no PostgreSQL server programs .* postgresql-15")));
        QVERIFY(!pg.start());
        QVERIFY(!pg.isRunning());
    }
};

QTEST_GUILESS_MAIN(tst_TestPostgres)
#include "tst_testpostgres.moc"
