// SPDX-License-Identifier: GPL-3.0-or-later
// Encryption at rest: SecretBox round trips and tamper detection; Keystore key files.
#include "failonwarning.h"
#include "keystore.h"
#include "secretbox.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;

class TestSecretBox final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }
    void testRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("plain");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("ascii") << QByteArray("Look at these!");
        QTest::newRow("utf8") << QStringLiteral("Grüße, 你好 🙂").toUtf8();
        QTest::newRow("max-body") << QByteArray(64 * 1024, 'x');
    }
    void testRoundTrip()
    {
        QFETCH(QByteArray, plain);
        SecretBox box(SecretKey::generate());
        const QByteArray sealed = box.seal(plain, "body");
        QCOMPARE(sealed.size(), plain.size() + SecretBox::Overhead);
        if (!plain.isEmpty()) {
            QVERIFY(!sealed.contains(plain));
        }
        const auto opened = box.open(sealed, "body");
        QVERIFY(opened.has_value());
        QCOMPARE(*opened, plain);
    }

    void testFreshNoncePerValue()
    {
        SecretBox box(SecretKey::generate());
        QVERIFY(box.seal("same", "body") != box.seal("same", "body"));
    }

    void testTamperDetected_data()
    {
        QTest::addColumn<int>("position"); // byte to flip; -1: truncate
        QTest::newRow("nonce") << 3;
        QTest::newRow("ciphertext") << 30;
        QTest::newRow("tag") << 24 + 5 + 10;
        QTest::newRow("truncated") << -1;
    }
    void testTamperDetected()
    {
        QFETCH(int, position);
        SecretBox box(SecretKey::generate());
        QByteArray sealed = box.seal("hello", "body");
        if (position < 0) {
            sealed.chop(1);
        } else {
            sealed[position] = char(sealed.at(position) ^ 0x01);
        }
        QVERIFY(!box.open(sealed, "body").has_value());
    }

    void testWrongContextOrKeyRejected()
    {
        SecretBox box(SecretKey::generate());
        SecretBox other(SecretKey::generate());
        const QByteArray sealed = box.seal("hello", "body");
        QVERIFY(!box.open(sealed, "subject").has_value());
        QVERIFY(!other.open(sealed, "body").has_value());
    }

    void testKeyFileIsPrivateAndStable()
    {
        qputenv("CPM_KEYSTORE", "file");
        QTemporaryDir dir;
        QByteArray sealed;
        {
            Keystore store(dir.path(), QStringLiteral("t"));
            QString error;
            SecretKey key = store.load(Keystore::Kind::None, &error);
            QVERIFY2(!key.isNull(), qPrintable(error));
            QCOMPARE(store.kind(), Keystore::Kind::KeyFile);
            QCOMPARE(Keystore::kindName(store.kind()), QStringLiteral("key file"));
            sealed = SecretBox(std::move(key)).seal("kept", "t");
        }
        const QFile::Permissions perms
            = QFile::permissions(dir.filePath(QStringLiteral("profile.key")));
        QCOMPARE(
            perms & ~(QFile::ReadUser | QFile::WriteUser), QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(QFileInfo(dir.filePath(QStringLiteral("profile.key"))).size(), SecretKey::Size);

        Keystore again(dir.path(), QStringLiteral("t"));
        QString error;
        SecretBox box(again.load(Keystore::Kind::KeyFile, &error));
        QCOMPARE(box.open(sealed, "t").value_or(QByteArray()), QByteArray("kept"));
    }

    void testRenewMakesOldValuesUnreadable()
    {
        qputenv("CPM_KEYSTORE", "file");
        QTemporaryDir dir;
        Keystore store(dir.path(), QStringLiteral("t"));
        QString error;
        const QByteArray sealed
            = SecretBox(store.load(Keystore::Kind::None, &error)).seal("old", "t");
        SecretBox renewed(store.renew(&error));
        QVERIFY(!renewed.open(sealed, "t").has_value());
        QCOMPARE(QFile::permissions(dir.filePath(QStringLiteral("profile.key"))) & QFile::ReadOther,
            QFile::Permissions());
    }
};

QTEST_GUILESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
