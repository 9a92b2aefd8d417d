// SPDX-License-Identifier: GPL-3.0-or-later
// TLS end to end: a real cpm-server with --tls-cert/--tls-key, certificates made for the
// test by Debian's openssl command (a private CA; a server certificate for localhost, one
// for another name and one expired), and real client cores. A device that trusts the CA
// (profile setting or SSL_CERT_FILE) signs in over wss://; every other case fails with its
// own typed error, and a password is never sent over plain ws:// to another host unless
// the person insisted.

#include "client.h"
#include "failonwarning.h"
#include "must.h"
#include "testserver.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cpm;
using namespace cpm::test;

namespace {
constexpr int Timeout = 20000;
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Password = QStringLiteral("correct horse battery staple");
} // namespace

class tst_Tls : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void testADeviceThatTrustsTheCaSignsIn();
    void testSslCertFileIsHonoured();
    void testWithoutTheCaTheServerIsUntrusted();
    void testACertificateForAnotherNameIsRefused();
    void testAnExpiredCertificateIsRefused();
    void testAPasswordIsNotSentInTheClearToAnotherHost();

private:
    //! Runs openssl with \a args in the certificate directory.
    bool openssl(const QStringList& args);
    bool writeFile(const QString& name, const QByteArray& text);
    QString path(const QString& name) const { return m_certs.filePath(name); }
    //! (Re)starts the server with the certificate \a cert (and the one server key).
    bool serveWith(const QString& cert);
    //! A new profile pointed at wss://localhost:PORT/ (CA file \a caFile, if any).
    std::unique_ptr<Client> device(const QString& caFile = {});
    //! Registers \a client as Alice; the outcome.
    Error registerDevice(Client* client);

    QTemporaryDir m_certs;
    QTemporaryDir m_profiles;
    TestServer m_server;
    int m_profileCount = 0;
};

bool tst_Tls::openssl(const QStringList& args)
{
    QProcess p;
    p.setWorkingDirectory(m_certs.path());
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning() << "openssl" << args << "failed:" << p.readAllStandardError();
        return false;
    }
    return true;
}

bool tst_Tls::writeFile(const QString& name, const QByteArray& text)
{
    QFile f(path(name));
    return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
}

void tst_Tls::initTestCase()
{
    QVERIFY(m_certs.isValid() && m_profiles.isValid());
    QVERIFY(m_server.addUser(Alice, Password));
    const QStringList ec { QStringLiteral("-newkey"), QStringLiteral("ec"),
        QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
        QStringLiteral("-nodes") };
    // The private CA.
    QVERIFY(openssl(QStringList { QStringLiteral("req"), QStringLiteral("-x509") } + ec
        + QStringList { QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
            QStringLiteral("ca.pem"), QStringLiteral("-subj"), QStringLiteral("/CN=cpm test CA"),
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-addext"),
            QStringLiteral("basicConstraints=critical,CA:TRUE"), QStringLiteral("-addext"),
            QStringLiteral("keyUsage=critical,keyCertSign,cRLSign") }));
    // The server's key and request.
    QVERIFY(openssl(QStringList { QStringLiteral("req") } + ec
        + QStringList { QStringLiteral("-keyout"), QStringLiteral("server.key"),
            QStringLiteral("-out"), QStringLiteral("server.csr"), QStringLiteral("-subj"),
            QStringLiteral("/CN=localhost") }));
    QVERIFY(writeFile(QStringLiteral("localhost.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"));
    QVERIFY(writeFile(QStringLiteral("other.ext"),
        "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n"));
    // For another name, the subject too: Qt also accepts a matching common name.
    QVERIFY(openssl({ QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"),
        QStringLiteral("server.key"), QStringLiteral("-out"), QStringLiteral("other.csr"),
        QStringLiteral("-subj"), QStringLiteral("/CN=other.example") }));
    const auto sign = [this](const QString& csr, const QString& ext, const QString& out) {
        return openssl({ QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr,
            QStringLiteral("-CA"), QStringLiteral("ca.pem"), QStringLiteral("-CAkey"),
            QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"), QStringLiteral("-days"),
            QStringLiteral("2"), QStringLiteral("-extfile"), ext, QStringLiteral("-out"), out });
    };
    QVERIFY(sign(QStringLiteral("server.csr"), QStringLiteral("localhost.ext"),
        QStringLiteral("localhost.pem")));
    QVERIFY(sign(
        QStringLiteral("other.csr"), QStringLiteral("other.ext"), QStringLiteral("other.pem")));
    // An expired one: `openssl x509` cannot date a certificate in the past, `openssl ca` can.
    QVERIFY(writeFile(QStringLiteral("ca.cnf"),
        "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\n"
        "serial = serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\n"
        "unique_subject = no\n[any]\ncommonName = supplied\n"));
    QVERIFY(writeFile(QStringLiteral("index.txt"), ""));
    QVERIFY(writeFile(QStringLiteral("serial"), "1000\n"));
    QVERIFY(openssl({ QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
        QStringLiteral("ca.cnf"), QStringLiteral("-cert"), QStringLiteral("ca.pem"),
        QStringLiteral("-keyfile"), QStringLiteral("ca.key"), QStringLiteral("-in"),
        QStringLiteral("server.csr"), QStringLiteral("-startdate"),
        QStringLiteral("20200101000000Z"), QStringLiteral("-enddate"),
        QStringLiteral("20200102000000Z"), QStringLiteral("-extfile"),
        QStringLiteral("localhost.ext"), QStringLiteral("-out"), QStringLiteral("expired.pem") }));
}

void tst_Tls::init() { failOnWarnings(); }

void tst_Tls::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
    qunsetenv("SSL_CERT_FILE");
}

bool tst_Tls::serveWith(const QString& cert)
{
    m_server.stop();
    m_server.setExtraArguments({ QStringLiteral("--tls-cert"), path(cert),
        QStringLiteral("--tls-key"), path(QStringLiteral("server.key")) });
    return m_server.start() && m_server.url().scheme() == QLatin1StringView("wss");
}

std::unique_ptr<Client> tst_Tls::device(const QString& caFile)
{
    auto client = std::make_unique<Client>(m_profiles.filePath(QString::number(++m_profileCount)));
    if (!client->open()) {
        return nullptr;
    }
    QUrl url = m_server.url();
    url.setHost(QStringLiteral("localhost"));
    client->setServerUrl(url);
    client->setCaFile(caFile);
    return client;
}

Error tst_Tls::registerDevice(Client* client)
{
    bool done = false;
    Error outcome;
    client->registerDevice(Alice, Password, QStringLiteral("laptop"), QStringLiteral("laptop"),
        [&](const Error& error) {
            outcome = error;
            done = true;
        });
    if (!QTest::qWaitFor([&] { return done; }, Timeout)) {
        return makeError(ErrorCode::Timeout, QStringLiteral("no outcome"));
    }
    return outcome;
}

void tst_Tls::testADeviceThatTrustsTheCaSignsIn()
{
    QVERIFY(serveWith(QStringLiteral("localhost.pem")));
    auto laptop = device(path(QStringLiteral("ca.pem")));
    QVERIFY(laptop);
    const Error e = registerDevice(laptop.get());
    QVERIFY2(e.isNull(), qPrintable(e.name() + QLatin1Char(' ') + e.message));
    QTRY_COMPARE_WITH_TIMEOUT(laptop->state(), ConnectionState::Online, Timeout);
    // The CA file is the profile's: a restart signs in with the token, over TLS again.
    const QString profile = laptop->profileDir();
    laptop.reset();
    Client again(profile);
    QVERIFY(must(again.open()));
    QCOMPARE(again.caFile(), path(QStringLiteral("ca.pem")));
    again.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(again.state(), ConnectionState::Online, Timeout);
}

void tst_Tls::testSslCertFileIsHonoured()
{
    QVERIFY(serveWith(QStringLiteral("localhost.pem")));
    qputenv("SSL_CERT_FILE", QFile::encodeName(path(QStringLiteral("ca.pem"))));
    auto laptop = device();
    QVERIFY(laptop);
    const Error e = registerDevice(laptop.get());
    QVERIFY2(e.isNull(), qPrintable(e.name() + QLatin1Char(' ') + e.message));
}

void tst_Tls::testWithoutTheCaTheServerIsUntrusted()
{
    QVERIFY(serveWith(QStringLiteral("localhost.pem")));
    auto laptop = device();
    QVERIFY(laptop);
    QCOMPARE(registerDevice(laptop.get()).code, ErrorCode::TlsUntrusted);
    // Not retried behind the person's back.
    QTest::qWait(500);
    QCOMPARE(laptop->state(), ConnectionState::Disconnected);
}

void tst_Tls::testACertificateForAnotherNameIsRefused()
{
    QVERIFY(serveWith(QStringLiteral("other.pem")));
    auto laptop = device(path(QStringLiteral("ca.pem")));
    QVERIFY(laptop);
    QCOMPARE(registerDevice(laptop.get()).code, ErrorCode::TlsWrongHost);
}

void tst_Tls::testAnExpiredCertificateIsRefused()
{
    QVERIFY(serveWith(QStringLiteral("expired.pem")));
    // The operator was told at start.
    QVERIFY(m_server.log().contains("clients will refuse it"));
    auto laptop = device(path(QStringLiteral("ca.pem")));
    QVERIFY(laptop);
    QCOMPARE(registerDevice(laptop.get()).code, ErrorCode::TlsExpired);
}

void tst_Tls::testAPasswordIsNotSentInTheClearToAnotherHost()
{
    auto laptop = device();
    QVERIFY(laptop);
    laptop->setServerUrl(QUrl(QStringLiteral("ws://cpm.invalid:7878/")));
    QCOMPARE(registerDevice(laptop.get()).code, ErrorCode::Insecure);
    // Insisting sends it (here to a name that does not resolve).
    laptop->setAllowInsecure(true);
    QCOMPARE(registerDevice(laptop.get()).code, ErrorCode::HostNotFound);
    // Loopback is this computer: no need to insist.
    laptop->setAllowInsecure(false);
    QVERIFY(!Client::isInsecure(QUrl(QStringLiteral("ws://127.0.0.1:7878/"))));
    QVERIFY(!Client::isInsecure(QUrl(QStringLiteral("ws://localhost:7878/"))));
    QVERIFY(!Client::isInsecure(QUrl(QStringLiteral("wss://cpm.example/"))));
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
