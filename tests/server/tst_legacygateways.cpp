// SPDX-License-Identifier: GPL-3.0-or-later
// The interworking gateways (issue 11, MSG-8) against real servers on loopback: Debian's
// aiosmtpd (plain, STARTTLS with a certificate made here, and one that refuses some
// recipients), and an HTTP SMS gateway that records what it is sent (both in legacysinks.h,
// shared with tst_interworking). Mail is read back from aiosmtpd's Maildir and decoded by
// Python's own e-mail parser, so the checks do not share our idea of MIME.

#include "failonwarning.h"
#include "legacy/legacygateways.h"
#include "legacysinks.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <optional>

using namespace cpm::server::legacy;
using cpm::test::freeLoopbackPort;
using cpm::test::SmsGatewaySink;
using cpm::test::SmtpSink;

namespace {
constexpr int WaitMs = 20000;

QByteArray randomBytes(qsizetype n, quint32 seed)
{
    QByteArray bytes(n, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char& c : bytes) {
        c = char(generator.bounded(256));
    }
    return bytes;
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

//! Waits for the attempt's callback, running the event loop (the test's gateway lives there).
template <typename Start> std::optional<Outcome> await(Start start)
{
    auto got = std::make_shared<std::optional<Outcome>>();
    start([got](Outcome outcome) { *got = outcome; });
    // An empty result (the caller fails on it) when no callback came in time.
    (void)QTest::qWaitFor([&] { return got->has_value(); }, WaitMs);
    return *got;
}

// A Mailbox that refuses some recipients the way real relays do.
const QByteArray RefusingPy = R"(from aiosmtpd.handlers import Mailbox
class Refusing(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('nobody'):
            return '550 no such user'
        if address.startswith('busy'):
            return '451 mailbox busy, try later'
        envelope.rcpt_tos.append(address)
        return '250 OK'
)";

// A relay that takes mail only from an account, after STARTTLS (as real submission servers
// do). aiosmtpd's command line has no option for an authenticator, and it reads the
// handler's module before it makes its SMTP class: importing this module hands it one.
const QByteArray AccountsPy = R"(import functools
import aiosmtpd.main
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

def check(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b'cpm-relay'
          and auth_data.password == 'pa ss:w\u00f6rd'.encode())
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535

aiosmtpd.main.SMTP = functools.partial(SMTP, authenticator=check, auth_required=True)

class Accounts(Mailbox):
    pass
)";
} // namespace

class tst_LegacyGateways : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void testSplitSmsGsm7();
    void testSplitSmsUcs2();
    void testSplitSmsKeepsSurrogatePairsWhole();

    void testMailArrivesWithHeadersTextAndAttachment();
    void testEmptySubjectNamesTheSender();
    void testHeadersStayOnTheirLines();
    void testMailOverStartTls();
    void testOfferedStartTlsIsTakenWithoutRequireTls();
    void testMailOverImplicitTls();
    void testUntrustedCertificateIsPermanent();
    void testNothingListeningIsTransient();
    void testSilentServerTimesOutTransient();
    void testRefusedRecipientIsPermanent();
    void testBusyRecipientIsTransient();
    void testMissingAttachmentIsPermanent();
    void testGoneSenderDoesNotCallBack();
    void testCredentialsAreGivenAfterStartTls();
    void testWrongPasswordIsPermanent();

    void testSmsSegmentsArriveInOrder();
    void testSmsUcs2SegmentsAt67();
    void testSmsGatewayErrors_data();
    void testSmsGatewayErrors();
    void testSmsGatewayDownIsTransient();
    void testSmsOverHttps();
    void testSmsGatewayWithUntrustedCertificateIsPermanent();

private:
    //! The message \a sink received whose Message-ID carries \a messageId, parsed.
    static QJsonObject readMail(const SmtpSink& sink, const QString& messageId);
    MailMessage message(const QString& id) const;
    SmtpConfig plain() const;
    //! The relay with accounts, over STARTTLS, signing in as cpm-relay with \a password.
    SmtpConfig withAccount(const QString& password) const;
    std::optional<Outcome> sendMail(const SmtpConfig& config, const MailMessage& mail);
    std::optional<Outcome> sendSms(
        const SmsConfig& config, const QStringList& segments, const QString& reference);

    QTemporaryDir m_dir;
    SmtpSink m_plain;
    SmtpSink m_tls;
    SmtpSink m_refusing; //!< refuses nobody@ (550) and busy@ (451)
    SmtpSink m_smtps;
    SmtpSink m_accounts; //!< STARTTLS, then AUTH as cpm-relay
    SmtpSender m_smtp;
    SmsSender m_sms;
};

void tst_LegacyGateways::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString dir = m_dir.path();
    QVERIFY(writeFile(dir + QStringLiteral("/refusing.py"), RefusingPy));
    QVERIFY(writeFile(dir + QStringLiteral("/accounts.py"), AccountsPy));

    QProcess openssl;
    openssl.setWorkingDirectory(dir);
    openssl.start(QStringLiteral("openssl"),
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
            QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"),
            QStringLiteral("-keyout"), QStringLiteral("key.pem"), QStringLiteral("-out"),
            QStringLiteral("cert.pem") });
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0) {
        QFAIL(qPrintable(QStringLiteral("openssl could not make a certificate: %1 %2")
                             .arg(openssl.errorString(),
                                 QString::fromLocal8Bit(openssl.readAllStandardError()))));
    }

    const QString cert = dir + QStringLiteral("/cert.pem");
    const QString key = dir + QStringLiteral("/key.pem");
    if (!m_plain.start()) {
        QFAIL("aiosmtpd does not start (Debian package python3-aiosmtpd, run by /usr/bin/python3)");
    }
    if (!m_tls.start(0, { QStringLiteral("--tlscert"), cert, QStringLiteral("--tlskey"), key })) {
        QFAIL("aiosmtpd with STARTTLS does not start");
    }
    if (!m_refusing.start(0, {}, QStringLiteral("refusing.Refusing"), dir)) {
        QFAIL("aiosmtpd with the refusing handler does not start");
    }
    if (!m_smtps.start(
            0, { QStringLiteral("--smtpscert"), cert, QStringLiteral("--smtpskey"), key })) {
        QFAIL("aiosmtpd with implicit TLS does not start");
    }
    if (!m_accounts.start(0, { QStringLiteral("--tlscert"), cert, QStringLiteral("--tlskey"), key },
            QStringLiteral("accounts.Accounts"), dir)) {
        QFAIL("aiosmtpd with accounts does not start");
    }
}

void tst_LegacyGateways::cleanupTestCase()
{
    // The pool's threads end here, and with them OpenSSL's per-thread state (an error queue
    // left by the refused certificate), before LeakSanitizer looks at exit.
    QThreadPool::globalInstance()->waitForDone();
    for (SmtpSink* sink : { &m_plain, &m_tls, &m_refusing, &m_smtps, &m_accounts }) {
        sink->stop();
    }
}

void tst_LegacyGateways::init() { cpm::test::failOnWarnings(); }

QJsonObject tst_LegacyGateways::readMail(const SmtpSink& sink, const QString& messageId)
{
    const QString path = sink.mailContaining("cpm-" + messageId.toUtf8() + '@');
    return path.isEmpty() ? QJsonObject() : SmtpSink::parse(path);
}

MailMessage tst_LegacyGateways::message(const QString& id) const
{
    MailMessage mail;
    mail.from = QStringLiteral("gateway@mail.operator.example");
    mail.to = QStringLiteral("carol@mail.example");
    mail.senderCpmAddress = QStringLiteral("bob@cpm.example");
    mail.subject = QStringLiteral("Hello");
    mail.text = QStringLiteral("Hello Carol");
    mail.messageId = id;
    mail.timeMs = 1764572400000; // 2025-12-01 07:00:00 UTC
    return mail;
}

SmtpConfig tst_LegacyGateways::plain() const
{
    SmtpConfig config;
    config.url = m_plain.url();
    config.timeoutSeconds = 10;
    return config;
}

std::optional<Outcome> tst_LegacyGateways::sendMail(
    const SmtpConfig& config, const MailMessage& mail)
{
    return await([&](auto done) { m_smtp.sendMail(config, mail, done); });
}

std::optional<Outcome> tst_LegacyGateways::sendSms(
    const SmsConfig& config, const QStringList& segments, const QString& reference)
{
    return await([&](auto done) {
        m_sms.sendSms(config, QStringLiteral("+4917012345678"), segments, reference, done);
    });
}

void tst_LegacyGateways::testSplitSmsGsm7()
{
    QCOMPARE(splitSms(QString()), QStringList { QString() });
    const QString gsm160(160, u'a');
    QCOMPARE(splitSms(gsm160), QStringList { gsm160 });
    // Latin-1 letters of the basic set keep a message GSM-7.
    const QString accented = QString(159, u'e') + QChar(0xe9);
    QCOMPARE(splitSms(accented).size(), 1);
    const QStringList parts = splitSms(QString(161, u'b'));
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(0).size(), 153);
    QCOMPARE(parts.at(1).size(), 8);
}

void tst_LegacyGateways::testSplitSmsUcs2()
{
    const QString cyrillic70(70, QChar(0x0436));
    QCOMPARE(splitSms(cyrillic70), QStringList { cyrillic70 });
    // One character outside the basic set ('{' is in the extension table) makes it UCS-2.
    const QString mixed = QString(70, u'a') + u'{';
    const QStringList parts = splitSms(mixed);
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(0).size(), 67);
    QCOMPARE(parts.at(1).size(), 4);
    QCOMPARE(parts.join(QString()), mixed);
}

void tst_LegacyGateways::testSplitSmsKeepsSurrogatePairsWhole()
{
    const QString emoji = QString::fromUtf8("\xf0\x9f\x98\x80"); // U+1F600, two UTF-16 units
    QCOMPARE(emoji.size(), 2);
    // 66 units, then a pair over the 67th and 68th: the first segment stops before it.
    const QString text = QString(66, u'x') + emoji + QString(10, u'y');
    const QStringList parts = splitSms(text);
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(0), QString(66, u'x'));
    QVERIFY(parts.at(1).startsWith(emoji));
    QCOMPARE(parts.join(QString()), text);
    for (const QString& part : parts) {
        QVERIFY(part.size() <= 67);
        QVERIFY(!part.back().isHighSurrogate());
    }
}

void tst_LegacyGateways::testMailArrivesWithHeadersTextAndAttachment()
{
    const QByteArray bytes = randomBytes(100 * 1024, 11);
    const QString path = m_dir.filePath(QStringLiteral("picture.bin"));
    QVERIFY(writeFile(path, bytes));
    MailMessage mail = message(QStringLiteral("0123abcd"));
    mail.subject = QStringLiteral("Grüße aus Köln");
    mail.text = QStringLiteral("Schöne Grüße 👋\nzweite Zeile\n.\nnach dem Punkt");
    mail.attachments.append(
        { QStringLiteral("Foto vom Dom.jpg"), QStringLiteral("image/jpeg"), path });

    const std::optional<Outcome> outcome = sendMail(plain(), mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));

    const QJsonObject got = readMail(m_plain, mail.messageId);
    QVERIFY2(!got.isEmpty(), "the mail is not in the Maildir");
    QCOMPARE(got.value(u"subject").toString(), mail.subject);
    QCOMPARE(got.value(u"fromName").toString(), mail.senderCpmAddress);
    QCOMPARE(got.value(u"fromAddress").toString(), mail.from);
    QCOMPARE(got.value(u"to").toString(), mail.to);
    QCOMPARE(got.value(u"cpmSender").toString(), mail.senderCpmAddress);
    QCOMPARE(
        got.value(u"messageId").toString(), QStringLiteral("<cpm-0123abcd@mail.operator.example>"));
    QCOMPARE(got.value(u"dateMs").toInteger(), mail.timeMs);
    QCOMPARE(got.value(u"type").toString(), QStringLiteral("multipart/mixed"));
    QCOMPARE(got.value(u"charset").toString(), QStringLiteral("utf-8"));
    // Lines come back with LF; the lone dot survived SMTP's dot-stuffing.
    QCOMPARE(got.value(u"text").toString().trimmed(), mail.text);
    const QJsonArray attachments = got.value(u"attachments").toArray();
    QCOMPARE(attachments.size(), 1);
    const QJsonObject attachment = attachments.at(0).toObject();
    QCOMPARE(attachment.value(u"name").toString(), QStringLiteral("Foto vom Dom.jpg"));
    QCOMPARE(attachment.value(u"type").toString(), QStringLiteral("image/jpeg"));
    QCOMPARE(attachment.value(u"encoding").toString(), QStringLiteral("base64"));
    QVERIFY(QByteArray::fromBase64(attachment.value(u"data").toString().toLatin1()) == bytes);
}

void tst_LegacyGateways::testEmptySubjectNamesTheSender()
{
    MailMessage mail = message(QStringLiteral("empty-subject"));
    mail.subject.clear();
    const std::optional<Outcome> outcome = sendMail(plain(), mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    const QJsonObject got = readMail(m_plain, mail.messageId);
    QCOMPARE(got.value(u"subject").toString(), QStringLiteral("Message from bob@cpm.example"));
    QCOMPARE(got.value(u"attachments").toArray().size(), 0);
    QCOMPARE(got.value(u"text").toString().trimmed(), mail.text);
}

void tst_LegacyGateways::testHeadersStayOnTheirLines()
{
    // Longer than one encoded-word may be, and trying to start a header of its own.
    MailMessage mail = message(QStringLiteral("hostile-headers"));
    mail.subject = QString(40, QChar(0xe4)) + QStringLiteral("\r\nBcc: eve@evil.example");
    mail.senderCpmAddress = QStringLiteral("\"bob\"\\@cpm.example");
    const std::optional<Outcome> outcome = sendMail(plain(), mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    const QJsonObject got = readMail(m_plain, mail.messageId);
    QCOMPARE(got.value(u"subject").toString(),
        QString(40, QChar(0xe4)) + QStringLiteral("  Bcc: eve@evil.example"));
    QCOMPARE(got.value(u"fromName").toString(), mail.senderCpmAddress);
    QCOMPARE(got.value(u"fromAddress").toString(), mail.from);
    QVERIFY(!got.value(u"headerNames").toArray().contains(QStringLiteral("bcc")));
}

void tst_LegacyGateways::testMailOverStartTls()
{
    SmtpConfig config;
    config.url = m_tls.url();
    config.requireTls = true;
    config.caFile = m_dir.filePath(QStringLiteral("cert.pem"));
    config.timeoutSeconds = 10;
    const MailMessage mail = message(QStringLiteral("over-tls"));
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    const QJsonObject got = readMail(m_tls, mail.messageId);
    QCOMPARE(got.value(u"subject").toString(), mail.subject);
}

void tst_LegacyGateways::testOfferedStartTlsIsTakenWithoutRequireTls()
{
    // This server refuses mail before STARTTLS: arriving proves the session was encrypted.
    SmtpConfig config;
    config.url = m_tls.url();
    config.caFile = m_dir.filePath(QStringLiteral("cert.pem"));
    config.timeoutSeconds = 10;
    const MailMessage mail = message(QStringLiteral("opportunistic-tls"));
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    QCOMPARE(readMail(m_tls, mail.messageId).value(u"subject").toString(), mail.subject);
}

void tst_LegacyGateways::testMailOverImplicitTls()
{
    SmtpConfig config;
    config.url = QUrl(QStringLiteral("smtps://127.0.0.1:%1").arg(m_smtps.port()));
    config.caFile = m_dir.filePath(QStringLiteral("cert.pem"));
    config.timeoutSeconds = 10;
    const MailMessage mail = message(QStringLiteral("implicit-tls"));
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    QCOMPARE(readMail(m_smtps, mail.messageId).value(u"subject").toString(), mail.subject);

    // Without the certificate trusted: refused, and said so.
    config.caFile.clear();
    const std::optional<Outcome> untrusted = sendMail(config, message(QStringLiteral("x")));
    QVERIFY(untrusted);
    QVERIFY(!untrusted->ok);
    QVERIFY2(!untrusted->transient, qPrintable(untrusted->detail));
    QVERIFY2(untrusted->detail.contains(u"certificate"), qPrintable(untrusted->detail));
}

void tst_LegacyGateways::testUntrustedCertificateIsPermanent()
{
    SmtpConfig config;
    config.url = m_tls.url();
    config.requireTls = true;
    config.timeoutSeconds = 10;
    const std::optional<Outcome> outcome = sendMail(config, message(QStringLiteral("untrusted")));
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(!outcome->transient, qPrintable(outcome->detail));
    QVERIFY2(outcome->detail.contains(u"certificate"), qPrintable(outcome->detail));
    QVERIFY(readMail(m_tls, QStringLiteral("untrusted")).isEmpty());
}

void tst_LegacyGateways::testNothingListeningIsTransient()
{
    SmtpConfig config = plain();
    config.url.setPort(freeLoopbackPort());
    const std::optional<Outcome> outcome = sendMail(config, message(QStringLiteral("down")));
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->transient, qPrintable(outcome->detail));
}

void tst_LegacyGateways::testSilentServerTimesOutTransient()
{
    // Accepts connections and never greets.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    SmtpConfig config = plain();
    config.url.setPort(silent.serverPort());
    config.timeoutSeconds = 1;
    const std::optional<Outcome> outcome = sendMail(config, message(QStringLiteral("silent")));
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->transient, qPrintable(outcome->detail));
}

void tst_LegacyGateways::testRefusedRecipientIsPermanent()
{
    SmtpConfig config = plain();
    config.url.setPort(m_refusing.port());
    MailMessage mail = message(QStringLiteral("refused"));
    mail.to = QStringLiteral("nobody@mail.example");
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(!outcome->transient, qPrintable(outcome->detail));
    QVERIFY2(outcome->detail.startsWith(QStringLiteral("SMTP 550")), qPrintable(outcome->detail));

    // The same server takes other recipients.
    mail = message(QStringLiteral("accepted"));
    const std::optional<Outcome> accepted = sendMail(config, mail);
    QVERIFY(accepted);
    QVERIFY2(accepted->ok, qPrintable(accepted->detail));
}

void tst_LegacyGateways::testBusyRecipientIsTransient()
{
    SmtpConfig config = plain();
    config.url.setPort(m_refusing.port());
    MailMessage mail = message(QStringLiteral("busy"));
    mail.to = QStringLiteral("busy@mail.example");
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->transient, qPrintable(outcome->detail));
    QVERIFY2(outcome->detail.startsWith(QStringLiteral("SMTP 451")), qPrintable(outcome->detail));
}

void tst_LegacyGateways::testMissingAttachmentIsPermanent()
{
    MailMessage mail = message(QStringLiteral("missing-file"));
    mail.attachments.append({ QStringLiteral("gone.pdf"), QStringLiteral("application/pdf"),
        m_dir.filePath(QStringLiteral("no-such-file")) });
    const std::optional<Outcome> outcome = sendMail(plain(), mail);
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(!outcome->transient, qPrintable(outcome->detail));
    QVERIFY(readMail(m_plain, mail.messageId).isEmpty());
}

void tst_LegacyGateways::testGoneSenderDoesNotCallBack()
{
    SmtpConfig config = plain();
    config.url.setPort(freeLoopbackPort());
    bool called = false;
    auto* smtp = new SmtpSender;
    smtp->sendMail(config, message(QStringLiteral("gone")), [&called](Outcome) { called = true; });
    auto* sms = new SmsSender;
    SmsConfig smsConfig;
    smsConfig.url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(freeLoopbackPort()));
    sms->sendSms(smsConfig, QStringLiteral("+1"), { QStringLiteral("hi") }, QStringLiteral("r"),
        [&called](Outcome) { called = true; });
    delete smtp;
    delete sms;
    // Both attempts fail within milliseconds (nothing listens); their results find no one.
    QTest::qWait(500);
    QVERIFY(!called);
}

void tst_LegacyGateways::testSmsSegmentsArriveInOrder()
{
    SmsGatewaySink gateway;
    QVERIFY(gateway.listen());
    SmsConfig config;
    config.url = gateway.url();
    config.token = QStringLiteral("s3cret-token");
    config.from = QStringLiteral("CPM");
    config.timeoutSeconds = 10;
    QString text;
    for (int i = 0; text.size() < 400; ++i) {
        text += QStringLiteral("word%1 ").arg(i);
    }
    text.truncate(400);
    const QStringList segments = splitSms(text);
    QCOMPARE(segments.size(), 3);
    QCOMPARE(segments.at(2).size(), 94);

    const std::optional<Outcome> outcome = sendSms(config, segments, QStringLiteral("msg-42"));
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    QCOMPARE(gateway.requests.size(), 3);
    QString joined;
    for (int i = 0; i < 3; ++i) {
        const SmsGatewaySink::Request& request = gateway.requests.at(i);
        QCOMPARE(request.target, QByteArray("/sms/send"));
        QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer s3cret-token"));
        QCOMPARE(request.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(request.json.value(u"to").toString(), QStringLiteral("+4917012345678"));
        QCOMPARE(request.json.value(u"from").toString(), QStringLiteral("CPM"));
        QCOMPARE(request.json.value(u"segment").toInt(), i + 1);
        QCOMPARE(request.json.value(u"segments").toInt(), 3);
        QCOMPARE(request.json.value(u"reference").toString(), QStringLiteral("msg-42"));
        QCOMPARE(request.json.value(u"text").toString().size(), i < 2 ? 153 : 94);
        joined += request.json.value(u"text").toString();
    }
    QCOMPARE(joined, text);
}

SmtpConfig tst_LegacyGateways::withAccount(const QString& password) const
{
    SmtpConfig config;
    config.url = m_accounts.url();
    config.requireTls = true;
    config.caFile = m_dir.filePath(QStringLiteral("cert.pem"));
    config.user = QStringLiteral("cpm-relay");
    config.password = password;
    config.timeoutSeconds = 10;
    return config;
}

void tst_LegacyGateways::testCredentialsAreGivenAfterStartTls()
{
    SmtpConfig config = withAccount(QStringLiteral("pa ss:w\u00f6rd"));
    const MailMessage mail = message(QStringLiteral("with-account"));
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    QCOMPARE(readMail(m_accounts, mail.messageId).value(u"subject").toString(), mail.subject);

    // Without an account the relay takes nothing.
    config.user.clear();
    config.password.clear();
    const MailMessage anonymous = message(QStringLiteral("without-account"));
    const std::optional<Outcome> refused = sendMail(config, anonymous);
    QVERIFY(refused);
    QVERIFY(!refused->ok);
    QVERIFY(readMail(m_accounts, anonymous.messageId).isEmpty());
}

// A wrong password does not get better by trying again: the operator has to fix it.
void tst_LegacyGateways::testWrongPasswordIsPermanent()
{
    const SmtpConfig config = withAccount(QStringLiteral("guess"));
    const MailMessage mail = message(QStringLiteral("wrong-password"));
    const std::optional<Outcome> outcome = sendMail(config, mail);
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(!outcome->transient, qPrintable(outcome->detail));
    QVERIFY(readMail(m_accounts, mail.messageId).isEmpty());
}

void tst_LegacyGateways::testSmsUcs2SegmentsAt67()
{
    SmsGatewaySink gateway;
    QVERIFY(gateway.listen());
    SmsConfig config;
    config.url = gateway.url();
    config.timeoutSeconds = 10;
    const QString text = QString(100, QChar(0x0416)) + QString::fromUtf8("\xf0\x9f\x98\x80");
    const QStringList segments = splitSms(text);
    QCOMPARE(segments.size(), 2);
    QCOMPARE(segments.at(0).size(), 67);
    const std::optional<Outcome> outcome = sendSms(config, segments, QStringLiteral("ucs2"));
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    QCOMPARE(gateway.requests.size(), 2);
    // No Authorization header without a token.
    QVERIFY(!gateway.requests.at(0).headers.contains("authorization"));
    QCOMPARE(gateway.requests.at(0).json.value(u"text").toString(), segments.at(0));
    QCOMPARE(gateway.requests.at(1).json.value(u"text").toString(), segments.at(1));
    QCOMPARE(gateway.requests.at(0).json.value(u"text").toString()
            + gateway.requests.at(1).json.value(u"text").toString(),
        text);
}

void tst_LegacyGateways::testSmsGatewayErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("transient");
    QTest::newRow("503") << 503 << true;
    QTest::newRow("429") << 429 << true;
    QTest::newRow("400") << 400 << false;
    QTest::newRow("404") << 404 << false;
}

void tst_LegacyGateways::testSmsGatewayErrors()
{
    QFETCH(int, status);
    QFETCH(bool, transient);
    SmsGatewaySink gateway;
    QVERIFY(gateway.listen());
    // The second of three segments fails: the third is never posted.
    gateway.statusAt.insert(1, status);
    SmsConfig config;
    config.url = gateway.url();
    config.timeoutSeconds = 10;
    const std::optional<Outcome> outcome
        = sendSms(config, { QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three") },
            QStringLiteral("failing"));
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QCOMPARE(outcome->transient, transient);
    QVERIFY2(outcome->detail.startsWith(QStringLiteral("segment 2/3: HTTP %1").arg(status)),
        qPrintable(outcome->detail));
    QCOMPARE(gateway.requests.size(), 2);
}

void tst_LegacyGateways::testSmsGatewayDownIsTransient()
{
    SmsConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/sms").arg(freeLoopbackPort()));
    config.timeoutSeconds = 10;
    const std::optional<Outcome> outcome
        = sendSms(config, { QStringLiteral("hello") }, QStringLiteral("down"));
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->transient, qPrintable(outcome->detail));
    QVERIFY2(
        outcome->detail.startsWith(QStringLiteral("segment 1/1")), qPrintable(outcome->detail));
}

void tst_LegacyGateways::testSmsOverHttps()
{
    SmsGatewaySink gateway;
    QVERIFY(gateway.listenTls(
        m_dir.filePath(QStringLiteral("cert.pem")), m_dir.filePath(QStringLiteral("key.pem"))));
    QCOMPARE(gateway.url().scheme(), QStringLiteral("https"));
    SmsConfig config;
    config.url = gateway.url();
    config.token = QStringLiteral("over-tls");
    config.caFile = m_dir.filePath(QStringLiteral("cert.pem"));
    config.timeoutSeconds = 10;
    const std::optional<Outcome> outcome
        = sendSms(config, { QStringLiteral("one"), QStringLiteral("two") }, QStringLiteral("tls"));
    QVERIFY(outcome);
    QVERIFY2(outcome->ok, qPrintable(outcome->detail));
    QCOMPARE(gateway.requests.size(), 2);
    QCOMPARE(gateway.requests.at(0).headers.value("authorization"), QByteArray("Bearer over-tls"));
    QCOMPARE(gateway.requests.at(1).json.value(u"text").toString(), QStringLiteral("two"));
}

// Without the gateway's CA the certificate is not trusted: nothing is posted (the token
// stays secret), and trying again would not help.
void tst_LegacyGateways::testSmsGatewayWithUntrustedCertificateIsPermanent()
{
    SmsGatewaySink gateway;
    QVERIFY(gateway.listenTls(
        m_dir.filePath(QStringLiteral("cert.pem")), m_dir.filePath(QStringLiteral("key.pem"))));
    SmsConfig config;
    config.url = gateway.url();
    config.token = QStringLiteral("must-not-leak");
    config.timeoutSeconds = 10;
    const std::optional<Outcome> outcome
        = sendSms(config, { QStringLiteral("one") }, QStringLiteral("untrusted"));
    QVERIFY(outcome);
    QVERIFY(!outcome->ok);
    QVERIFY2(!outcome->transient, qPrintable(outcome->detail));
    QVERIFY(gateway.requests.isEmpty());
}

QTEST_GUILESS_MAIN(tst_LegacyGateways)
#include "tst_legacygateways.moc"
