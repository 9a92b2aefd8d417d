// SPDX-License-Identifier: GPL-3.0-or-later
// Passwords and device tokens: Argon2id hashes that verify only the right password, an
// unknown address checked as slowly as a wrong password, tokens that are random, well
// formed and compared by hash.

#include "credentials.h"
#include "failonwarning.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

namespace credentials = cpm::server::credentials;

class tst_Credentials : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // The real cost, whatever the suite sets for its servers: this is where it is tested.
        qunsetenv("CPM_TEST_FAST_PASSWORD_HASH");
        QVERIFY(credentials::init());
        QVERIFY(!credentials::fastHashForTests());
    }
    void init() { cpm::test::failOnWarnings(); }

    void testPasswordVerifiesOnlyItself()
    {
        const QByteArray hash = credentials::hashPassword("correct horse");
        QVERIFY(hash.startsWith("$argon2id$"));
        QVERIFY(credentials::verifyPassword(hash, "correct horse"));
        QVERIFY(!credentials::verifyPassword(hash, "correct horsE"));
        QVERIFY(!credentials::verifyPassword(hash, ""));
        // Two hashes of one password differ (a salt each).
        QVERIFY(credentials::hashPassword("correct horse") != hash);
    }

    void testUnknownAddressTakesAsLongAsAWrongPassword()
    {
        const QByteArray hash = credentials::hashPassword("pw");
        QElapsedTimer wrong;
        wrong.start();
        QVERIFY(!credentials::verifyPassword(hash, "nope"));
        const qint64 wrongMs = wrong.elapsed();
        QElapsedTimer unknown;
        unknown.start();
        QVERIFY(!credentials::verifyPassword({}, "nope")); // no hash: a dummy one is checked
        // Argon2 ran in both: neither answered in no time (the same work, whatever the noise).
        QVERIFY2(unknown.elapsed() * 4 >= wrongMs,
            qPrintable(QStringLiteral("%1 ms vs %2 ms").arg(unknown.elapsed()).arg(wrongMs)));
    }

    void testTokensAreRandomAndWellFormed()
    {
        QSet<QString> seen;
        for (int i = 0; i < 100; ++i) {
            const QString token = credentials::newToken();
            QCOMPARE(token.size(), 43);
            QVERIFY(!token.contains(QLatin1Char('=')) && !token.contains(QLatin1Char('+'))
                && !token.contains(QLatin1Char('/')));
            QVERIFY(!seen.contains(token));
            seen.insert(token);
            QCOMPARE(credentials::tokenHash(token).size(), 32);
        }
    }

    void testTokenMatchesOnlyItsHash_data()
    {
        QTest::addColumn<QString>("presented");
        QTest::addColumn<bool>("matches");
        const QString token = QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        QTest::newRow("same") << token << true;
        QTest::newRow("other") << QStringLiteral("BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                               << false;
        // The same 32 bytes spelled with the unused bits of the last character set.
        QTest::newRow("non-canonical")
            << QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB") << false;
        QTest::newRow("short") << token.left(42) << false;
        QTest::newRow("long") << token + QLatin1Char('A') << false;
        QTest::newRow("not-base64url")
            << QStringLiteral("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!") << false;
        QTest::newRow("empty") << QString() << false;
    }

    void testTokenMatchesOnlyItsHash()
    {
        QFETCH(QString, presented);
        QFETCH(bool, matches);
        const QByteArray stored
            = credentials::tokenHash(QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        QCOMPARE(credentials::tokenMatches(stored, presented), matches);
        QVERIFY(!credentials::tokenMatches(QByteArray(), presented));
    }
};

QTEST_GUILESS_MAIN(tst_Credentials)
#include "tst_credentials.moc"
