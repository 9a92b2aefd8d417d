// SPDX-License-Identifier: GPL-3.0-or-later
// The frame codec: what one peer encodes the other decodes unchanged, and every
// malformed or oversize frame maps to the documented error code.

#include "failonwarning.h"
#include "frame.h"
#include "protocol.h"

#include <QJsonArray>
#include <QTest>

using namespace cpm::protocol;
using cpm::Error;
using cpm::ErrorCode;
using cpm::makeError;

class tst_Frame : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }
    void roundTrip_data();
    void roundTrip();
    void malformed_data();
    void malformed();
    void recoversRequestIdFromBadFrame();
    void errorKeepsRetryAfter();
};

void tst_Frame::roundTrip_data()
{
    QTest::addColumn<Frame>("frame");
    QTest::newRow("request-int-id") << Frame::request(7, op::Send,
        QJsonObject { { QStringLiteral("to"), QStringLiteral("alice@cpm.example") },
            { QStringLiteral("body"), QStringLiteral("Grüße 👋") } });
    QTest::newRow("request-string-id") << Frame::request(QStringLiteral("abc"), op::Ping);
    QTest::newRow("ack-notice") << Frame::notice(
        op::Ack, QJsonObject { { QStringLiteral("seq"), 57 } });
    QTest::newRow("response") << Frame::response(
        3, QJsonObject { { QStringLiteral("messageId"), 42 } });
    QTest::newRow("failure") << Frame::failure(
        4, makeError(ErrorCode::NoSuchUser, QStringLiteral("no such user")));
    QTest::newRow("stream-event") << Frame::streamEvent(event::Flags, 19,
        QJsonObject { { QStringLiteral("messageId"), 42 }, { QStringLiteral("read"), true } });
    QTest::newRow("transient-event") << Frame::transientEvent(
        event::Presence, QJsonObject { { QStringLiteral("online"), false } });
}

void tst_Frame::roundTrip()
{
    QFETCH(Frame, frame);
    const QByteArray wire = frame.encode();
    const DecodeResult decoded = decode(wire, limits::MaxFrameBytes);
    QVERIFY2(decoded.frame.has_value(), qPrintable(decoded.error.message));
    QCOMPARE(decoded.frame->toJson(), frame.toJson());
    QCOMPARE(decoded.frame->type, frame.type);
    QCOMPARE(decoded.frame->seq, frame.seq);
    QCOMPARE(decoded.frame->error.code, frame.error.code);
    QCOMPARE(decoded.frame->isNotice(), frame.isNotice());
    QCOMPARE(wire.contains("\"id\""), frame.type != Frame::Type::Event && !frame.isNotice());
}

void tst_Frame::malformed_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("code");
    const QString badFrame(Error::name(ErrorCode::BadFrame));
    QTest::newRow("not-json") << QByteArray("{\"id\":1,") << badFrame;
    QTest::newRow("empty") << QByteArray() << badFrame;
    QTest::newRow("array") << QByteArray("[1,2]") << badFrame;
    QTest::newRow("string") << QByteArray("\"hello\"") << badFrame;
    QTest::newRow("no-kind") << QByteArray("{\"id\":1}") << badFrame;
    QTest::newRow("missing-id") << QByteArray("{\"op\":\"ping\"}") << badFrame;
    // Only `ack` may come as a notice; a null id is not "no id".
    QTest::newRow("send-as-notice")
        << QByteArray("{\"op\":\"send\",\"args\":{\"to\":\"a@b\"}}") << badFrame;
    QTest::newRow("ack-null-id") << QByteArray("{\"id\":null,\"op\":\"ack\"}") << badFrame;
    QTest::newRow("negative-id") << QByteArray("{\"id\":-1,\"op\":\"ping\"}") << badFrame;
    QTest::newRow("fractional-id") << QByteArray("{\"id\":1.5,\"op\":\"ping\"}") << badFrame;
    QTest::newRow("object-id") << QByteArray("{\"id\":{},\"op\":\"ping\"}") << badFrame;
    QTest::newRow("long-string-id")
        << (QByteArray("{\"id\":\"") + QByteArray(65, 'x') + QByteArray("\",\"op\":\"ping\"}"))
        << badFrame;
    QTest::newRow("op-not-string") << QByteArray("{\"id\":1,\"op\":5}") << badFrame;
    QTest::newRow("op-empty") << QByteArray("{\"id\":1,\"op\":\"\"}") << badFrame;
    QTest::newRow("args-array") << QByteArray("{\"id\":1,\"op\":\"ping\",\"args\":[]}") << badFrame;
    QTest::newRow("event-seq-zero")
        << QByteArray("{\"event\":\"flags\",\"seq\":0,\"data\":{}}") << badFrame;
    QTest::newRow("event-data-string")
        << QByteArray("{\"event\":\"flags\",\"data\":\"x\"}") << badFrame;
    QTest::newRow("result-not-object") << QByteArray("{\"id\":1,\"result\":3}") << badFrame;
    QTest::newRow("error-not-object") << QByteArray("{\"id\":1,\"error\":\"x\"}") << badFrame;
    QTest::newRow("oversize") << QByteArray(limits::MaxFrameBytes + 1, ' ')
                              << QString(Error::name(ErrorCode::FrameTooLarge));
}

void tst_Frame::malformed()
{
    QFETCH(QByteArray, wire);
    QFETCH(QString, code);
    const DecodeResult decoded = decode(wire, limits::MaxFrameBytes);
    QVERIFY(!decoded.frame.has_value());
    QCOMPARE(decoded.error.name(), code);
    QVERIFY(!decoded.error.message.isEmpty());
}

void tst_Frame::recoversRequestIdFromBadFrame()
{
    const DecodeResult decoded = decode("{\"id\":12,\"op\":\"send\",\"args\":7}", 1024);
    QVERIFY(!decoded.frame.has_value());
    QCOMPARE(decoded.id.toInteger(), 12);
}

void tst_Frame::errorKeepsRetryAfter()
{
    const Frame f = Frame::failure(1, makeError(ErrorCode::Throttled, QStringLiteral("wait"), 30));
    const DecodeResult decoded = decode(f.encode(), 1024);
    QVERIFY(decoded.frame.has_value());
    QVERIFY(decoded.frame->isFailure());
    QCOMPARE(decoded.frame->error.retryAfterSeconds, 30);
}

QTEST_GUILESS_MAIN(tst_Frame)
#include "tst_frame.moc"
