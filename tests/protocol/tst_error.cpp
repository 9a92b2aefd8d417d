// SPDX-License-Identifier: GPL-3.0-or-later
// The one error type: stable names both ways, what a server may answer for a local error,
// and how SQLite's result codes are classified (the same on the client and the server).

#include "error.h"
#include "failonwarning.h"

#include <QTest>

#include <sqlite3.h>

using cpm::Error;
using cpm::ErrorCode;
using cpm::makeError;

class tst_Error : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testEveryWireCodeRoundTripsByName()
    {
        for (int i = int(ErrorCode::BadFrame); i <= int(ErrorCode::Internal); ++i) {
            const auto code = ErrorCode(i);
            QVERIFY(Error::isWireCode(code));
            const QString name = Error::name(code);
            QVERIFY2(!name.isEmpty(), qPrintable(QString::number(i)));
            QCOMPARE(Error::codeFromName(name), code);
            const Error parsed = Error::fromJson(makeError(code, QStringLiteral("m")).toJson());
            QCOMPARE(parsed.code, code);
            QCOMPARE(parsed.message, QStringLiteral("m"));
        }
    }

    void testNamesAreTheDocumentedOnes()
    {
        QCOMPARE(Error::name(ErrorCode::AuthFailed), QLatin1StringView("auth_failed"));
        QCOMPARE(Error::name(ErrorCode::StorageFull), QLatin1StringView("storage_full"));
        QCOMPARE(Error::name(ErrorCode::Unavailable), QLatin1StringView("unavailable"));
        QCOMPARE(Error::name(ErrorCode::Unreachable), QLatin1StringView("unreachable"));
        // cpm-cli has always answered `profile` when the profile cannot be used.
        QCOMPARE(Error::name(ErrorCode::ProfileBusy), QLatin1StringView("profile"));
        QCOMPARE(Error::name(ErrorCode::ProfileUnusable), QLatin1StringView("profile"));
        QCOMPARE(Error::name(ErrorCode::DiskFull), QLatin1StringView("disk_full"));
    }

    void testUnknownCodeIsKeptNeverNull()
    {
        const Error e
            = Error::fromJson({ { QStringLiteral("code"), QStringLiteral("from_the_future") } });
        QCOMPARE(e.code, ErrorCode::Unknown);
        QVERIFY(!e.isNull());
        QCOMPARE(e.name(), QStringLiteral("from_the_future"));
        QCOMPARE(Error::fromJson({}).code, ErrorCode::Unknown);
    }

    void testRetryAfterIsBounded()
    {
        QCOMPARE(Error::fromJson({ { QStringLiteral("code"), QStringLiteral("throttled") },
                                     { QStringLiteral("retryAfter"), 30 } })
                     .retryAfterSeconds,
            30);
        for (const double bogus : { -1.0, 1e300 }) {
            QCOMPARE(Error::fromJson({ { QStringLiteral("code"), QStringLiteral("throttled") },
                                         { QStringLiteral("retryAfter"), bogus } })
                         .retryAfterSeconds,
                -1);
        }
    }

    void testStorageErrorsGoOnTheWireAsTheServersOwn_data()
    {
        QTest::addColumn<int>("local");
        QTest::addColumn<int>("wire");
        QTest::newRow("busy") << int(ErrorCode::StoreBusy) << int(ErrorCode::Unavailable);
        QTest::newRow("full") << int(ErrorCode::DiskFull) << int(ErrorCode::StorageFull);
        QTest::newRow("corrupt") << int(ErrorCode::StoreCorrupt) << int(ErrorCode::Internal);
        QTest::newRow("read-only") << int(ErrorCode::StoreReadOnly) << int(ErrorCode::Internal);
        QTest::newRow("io") << int(ErrorCode::StoreFailed) << int(ErrorCode::Internal);
        QTest::newRow("wire-stays") << int(ErrorCode::NotFound) << int(ErrorCode::NotFound);
    }

    void testStorageErrorsGoOnTheWireAsTheServersOwn()
    {
        QFETCH(int, local);
        QFETCH(int, wire);
        const Error answered
            = makeError(ErrorCode(local), QStringLiteral("/var/lib/cpm/cpm.sqlite: disk I/O"))
                  .toWire();
        QCOMPARE(int(answered.code), wire);
        QVERIFY(answered.isWire());
        if (ErrorCode(local) != ErrorCode(wire)) {
            // The server's paths and SQL stay in its log.
            QVERIFY(!answered.message.contains(QLatin1StringView("/var/lib")));
        }
        if (ErrorCode(wire) == ErrorCode::Unavailable) {
            QVERIFY(answered.retryAfterSeconds > 0);
        }
    }

    void testSqliteCodesAreClassified_data()
    {
        QTest::addColumn<int>("sqlite");
        QTest::addColumn<int>("code");
        QTest::newRow("busy") << SQLITE_BUSY << int(ErrorCode::StoreBusy);
        QTest::newRow("busy-snapshot") << SQLITE_BUSY_SNAPSHOT << int(ErrorCode::StoreBusy);
        QTest::newRow("locked") << SQLITE_LOCKED << int(ErrorCode::StoreBusy);
        QTest::newRow("full") << SQLITE_FULL << int(ErrorCode::DiskFull);
        QTest::newRow("corrupt") << SQLITE_CORRUPT << int(ErrorCode::StoreCorrupt);
        QTest::newRow("not-a-db") << SQLITE_NOTADB << int(ErrorCode::StoreCorrupt);
        QTest::newRow("read-only") << SQLITE_READONLY << int(ErrorCode::StoreReadOnly);
        QTest::newRow("read-only-dir")
            << SQLITE_READONLY_DIRECTORY << int(ErrorCode::StoreReadOnly);
        QTest::newRow("unique") << SQLITE_CONSTRAINT_UNIQUE << int(ErrorCode::StoreFailed);
        QTest::newRow("foreign-key") << SQLITE_CONSTRAINT_FOREIGNKEY << int(ErrorCode::StoreFailed);
        QTest::newRow("io") << SQLITE_IOERR_WRITE << int(ErrorCode::StoreFailed);
        QTest::newRow("cantopen") << SQLITE_CANTOPEN << int(ErrorCode::StoreFailed);
    }

    void testSqliteCodesAreClassified()
    {
        QFETCH(int, sqlite);
        QFETCH(int, code);
        QCOMPARE(int(Error::fromSqlite(sqlite)), code);
    }
};

QTEST_GUILESS_MAIN(tst_Error)
#include "tst_error.moc"
