// SPDX-License-Identifier: GPL-3.0-or-later
// Argument validation: every wrong type, missing field or out-of-range value names the
// field in a bad_request (or too_large) error; valid input passes through unchanged.

#include "argreader.h"
#include "failonwarning.h"
#include "protocol.h"

#include <QJsonDocument>
#include <QTest>

using namespace cpm::protocol;
using cpm::Error;
using cpm::ErrorCode;
using cpm::makeError;

namespace {
QJsonObject json(const char* text) { return QJsonDocument::fromJson(QByteArray(text)).object(); }
} // namespace

class tst_ArgReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }
    void acceptsValidSend();
    void rejects_data();
    void rejects();
    void firstErrorWins();
    void validators_data();
    void validators();
    void charactersAreCodePoints();
};

void tst_ArgReader::charactersAreCodePoints()
{
    const QString grin = QString::fromUcs4(U"\U0001F600", 1);
    QCOMPARE(characterCount(QString(grin + grin + QStringLiteral("ab"))), 4);
    QCOMPARE(characterCount(QString()), 0);
    // A lone half counts as one character, and is reported.
    const QString high(QChar(0xd800));
    const QString low(QChar(0xdc00));
    QCOMPARE(characterCount(QString(QStringLiteral("x") + high + QStringLiteral("y"))), 3);
    QVERIFY(!hasLoneSurrogate(QString(grin + QStringLiteral("é"))));
    QVERIFY(hasLoneSurrogate(QString(QStringLiteral("x") + high + QStringLiteral("y"))));
    QVERIFY(hasLoneSurrogate(QString(low + grin)));
    QVERIFY(hasLoneSurrogate(QString(grin + high)));
    // Cutting never splits a pair.
    QCOMPARE(leftCharacters(QString(QStringLiteral("a") + grin + QStringLiteral("b")), 2),
        QString(QStringLiteral("a") + grin));
    QCOMPARE(leftCharacters(grin, 0), QString());
    QCOMPARE(leftCharacters(QStringLiteral("ab"), 5), QStringLiteral("ab"));

    ArgReader r(QJsonObject { { QStringLiteral("s"), QString(grin + grin + grin) } });
    QCOMPARE(r.string(QLatin1StringView("s"), 3), QString(grin + grin + grin));
    QVERIFY(r.ok());
    ArgReader over(QJsonObject { { QStringLiteral("s"), QString(grin + grin + grin) } });
    over.string(QLatin1StringView("s"), 2);
    QCOMPARE(over.error().code, ErrorCode::BadRequest);
    ArgReader lone(QJsonObject { { QStringLiteral("b"), QString(QStringLiteral("x") + high) } });
    lone.text(QLatin1StringView("b"), 100);
    QCOMPARE(lone.error().code, ErrorCode::BadRequest);
}

void tst_ArgReader::acceptsValidSend()
{
    ArgReader r(json(R"({"to":"alice@cpm.example","subject":"Hi","body":"Hello","n":3,"f":true})"));
    QCOMPARE(r.string(QLatin1StringView("to"), limits::MaxAddressChars),
        QStringLiteral("alice@cpm.example"));
    QCOMPARE(
        r.string(QLatin1StringView("subject"), 256, ArgReader::Optional), QStringLiteral("Hi"));
    QCOMPARE(r.text(QLatin1StringView("body"), limits::MaxBodyBytes), QStringLiteral("Hello"));
    QCOMPARE(r.integer(QLatin1StringView("n"), 0, 10), 3);
    QCOMPARE(r.boolean(QLatin1StringView("f")), true);
    QCOMPARE(r.string(QLatin1StringView("missing"), 10, ArgReader::Optional), QString());
    QVERIFY(r.ok());
}

void tst_ArgReader::rejects_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions");
    const QString bad(Error::name(ErrorCode::BadRequest));
    QTest::newRow("missing-to") << QByteArray(R"({"body":"x"})") << bad << QStringLiteral("'to'");
    QTest::newRow("to-number") << QByteArray(R"({"to":5,"body":"x"})") << bad
                               << QStringLiteral("'to'");
    QTest::newRow("to-empty") << QByteArray(R"({"to":"","body":"x"})") << bad
                              << QStringLiteral("'to'");
    QTest::newRow("to-too-long") << QByteArray(
        R"({"to":")" + QByteArray(300, 'a') + R"(","body":"x"})")
                                 << bad << QStringLiteral("'to'");
    QTest::newRow("body-object") << QByteArray(R"({"to":"a@b","body":{}})") << bad
                                 << QStringLiteral("'body'");
    QTest::newRow("body-too-large")
        << QByteArray(
               R"({"to":"a@b","body":")" + QByteArray(limits::MaxBodyBytes + 1, 'x') + R"("})")
        << QString(Error::name(ErrorCode::TooLarge)) << QStringLiteral("'body'");
    QTest::newRow("seq-fraction") << QByteArray(R"({"to":"a@b","body":"x","seq":1.5})") << bad
                                  << QStringLiteral("'seq'");
    QTest::newRow("seq-negative") << QByteArray(R"({"to":"a@b","body":"x","seq":-4})") << bad
                                  << QStringLiteral("'seq'");
    // Converting a double this large to an integer is undefined behaviour: it must be
    // refused before (UBSan in the asan preset would stop the test otherwise).
    QTest::newRow("seq-1e300") << QByteArray(R"({"to":"a@b","body":"x","seq":1e300})") << bad
                               << QStringLiteral("'seq'");
    QTest::newRow("seq-minus-1e300")
        << QByteArray(R"({"to":"a@b","body":"x","seq":-1e300})") << bad << QStringLiteral("'seq'");
    QTest::newRow("seq-beyond-2^53")
        << QByteArray(R"({"to":"a@b","body":"x","seq":9007199254740993})") << bad
        << QStringLiteral("'seq'");
    QTest::newRow("kind-unknown") << QByteArray(
        R"({"to":"a@b","body":"x","seq":1,"kind":"toaster"})")
                                  << bad << QStringLiteral("laptop");
}

void tst_ArgReader::rejects()
{
    QFETCH(QByteArray, args);
    QFETCH(QString, code);
    QFETCH(QString, mentions);
    ArgReader r(QJsonDocument::fromJson(args).object());
    r.string(QLatin1StringView("to"), limits::MaxAddressChars);
    r.text(QLatin1StringView("body"), limits::MaxBodyBytes);
    r.integer(QLatin1StringView("seq"), 0, 1000, ArgReader::Optional);
    r.oneOf(QLatin1StringView("kind"), kind::All, ArgReader::Optional);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().name(), code);
    QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
}

void tst_ArgReader::firstErrorWins()
{
    ArgReader r(json(R"({"a":1,"b":2})"));
    r.string(QLatin1StringView("a"), 10);
    r.string(QLatin1StringView("b"), 10);
    QVERIFY(r.error().message.contains(QLatin1StringView("'a'")));
}

void tst_ArgReader::validators_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << QStringLiteral("alice@cpm.example") << true;
    QTest::newRow("plus") << QStringLiteral("bob+work@cpm.example") << true;
    QTest::newRow("no-at") << QStringLiteral("alice") << false;
    QTest::newRow("two-at") << QStringLiteral("a@b@c") << false;
    QTest::newRow("space") << QStringLiteral("al ice@cpm.example") << false;
    QTest::newRow("empty-domain") << QStringLiteral("alice@") << false;
}

void tst_ArgReader::validators()
{
    QFETCH(QString, address);
    QFETCH(bool, valid);
    QCOMPARE(isValidAddress(address), valid);
    QVERIFY(isValidKind(QStringLiteral("tablet")));
    QVERIFY(!isValidKind(QStringLiteral("fridge")));
    QVERIFY(isValidDelivery(QStringLiteral("notification")));
    QVERIFY(isValidClientId(QStringLiteral("c-1.a_b")));
    QVERIFY(!isValidClientId(QStringLiteral("c 1")));
}

QTEST_GUILESS_MAIN(tst_ArgReader)
#include "tst_argreader.moc"
