// SPDX-License-Identifier: GPL-3.0-or-later
// Seed 000 through real client cores (issue 11): a real cpm-server whose SMTP relay is a real
// aiosmtpd on loopback. Alice's phone is away from CPM; what Bob's laptop shows of the
// message (kept for her, then delivered by e-mail), and what Alice's phone shows and
// notifies when it is back; what each one's diagnostics window lists of the delivery.

#include "client.h"
#include "diagnosticsdialog.h"
#include "failonwarning.h"
#include "legacysinks.h"
#include "messagemodel.h"
#include "must.h"
#include "testserver.h"

#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;
using cpm::test::must;

namespace {
constexpr int Timeout = 30000;
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
const QString Password = QStringLiteral("correct horse battery");
} // namespace

class tst_InterworkingFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init() { test::failOnWarnings(); }
    void cleanup();

    void testDeliveredByEmailIsShownAndNotNotifiedAgain();
    void testWhenAwayBothNotifiesOnReturn();

private:
    std::unique_ptr<Client> device(const QString& name, const QString& address = {});
    void setPref(Client* client, const QString& key, const QString& value);
    //! Bob sends \a body to Alice, who is away; waits until it went by e-mail. Its id.
    qint64 sendWhileAliceIsAway(const QString& body);

    test::TestServer m_server;
    test::SmtpSink m_smtp;
    QTemporaryDir m_profiles;
    std::unique_ptr<Client> m_bob;
};

std::unique_ptr<Client> tst_InterworkingFlow::device(const QString& name, const QString& address)
{
    auto client = std::make_unique<Client>(m_profiles.filePath(name));
    [&] { QVERIFY(must(client->open())); }();
    client->setServerUrl(m_server.url());
    if (address.isEmpty()) {
        client->connectToServer(); // a device signed in before
        return client;
    }
    bool done = false;
    client->registerDevice(address, Password, name, QStringLiteral("mobile"), [&](const Error& e) {
        QVERIFY2(e.isNull(), qPrintable(e.message));
        done = true;
    });
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Online, Timeout);
    }();
    return client;
}

void tst_InterworkingFlow::setPref(Client* client, const QString& key, const QString& value)
{
    bool done = false;
    client->setPref(key, value, [&](const Error& e) {
        QVERIFY2(e.isNull(), qPrintable(e.message));
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
}

void tst_InterworkingFlow::initTestCase()
{
    QVERIFY(m_profiles.isValid());
    QVERIFY(m_smtp.start());
    m_server.setExtraArguments({ QStringLiteral("--smtp"), m_smtp.url().toString() });
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    QVERIFY(m_server.setSetting(QStringLiteral("interworking.enabled"), QStringLiteral("1")));
    QVERIFY(m_server.runAdmin({ QStringLiteral("legacy"), QStringLiteral("register"), Alice,
        QStringLiteral("--network"), QStringLiteral("email") }));
    m_bob = device(QStringLiteral("bob-laptop"), Bob);
    std::unique_ptr<Client> alice = device(QStringLiteral("alice-phone"), Alice);
    setPref(alice.get(), QStringLiteral("whenAway"), QStringLiteral("legacy"));
    setPref(alice.get(), QStringLiteral("legacyEmail"), QStringLiteral("alice@mail.example"));
}

void tst_InterworkingFlow::cleanupTestCase()
{
    m_bob.reset();
    m_server.stop();
    m_smtp.stop();
}

void tst_InterworkingFlow::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
}

qint64 tst_InterworkingFlow::sendWhileAliceIsAway(const QString& body)
{
    const qsizetype mails = m_smtp.mails().size();
    QSignalSpy sent(m_bob.get(), &Client::messageSent);
    must(m_bob->send(Alice, {}, body));
    [&] { QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout); }();
    const qint64 id = sent.at(0).at(1).toLongLong();
    // Seen on Bob's laptop: first kept for Alice, then delivered by e-mail.
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const std::optional<Message> m = must(m_bob->message(id));
                return m && m->route == protocol::Route::Email
                    && m->status == Message::Status::Delivered;
            }(),
            Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp.mails().size(), mails + 1, Timeout);
    }();
    return id;
}

void tst_InterworkingFlow::testDeliveredByEmailIsShownAndNotNotifiedAgain()
{
    QSignalSpy changed(m_bob.get(), &Client::messageChanged);
    const qint64 id = sendWhileAliceIsAway(QStringLiteral("The train is late"));
    QVERIFY(id > 0);
    QVERIFY(!changed.isEmpty());
    // What the window draws the envelope from.
    MessageModel model(m_bob.get());
    model.setPeer(Alice);
    QCOMPARE(model.data(model.index(model.rowCount() - 1), MessageModel::RouteRole).toString(),
        QStringLiteral("email"));
    // And what its diagnostics (cpm-cli diagnostics) list of the delivery.
    bool listed = false;
    m_bob->legacyDeliveries([&](const Error& error, const QList<protocol::LegacyDelivery>& list) {
        QVERIFY(error.isNull());
        QVERIFY(std::any_of(list.cbegin(), list.cend(), [&](const protocol::LegacyDelivery& d) {
            return d.messageId == id && d.outgoing && d.state == QLatin1StringView("sent")
                && d.network == QLatin1StringView("email") && d.address.isEmpty();
        }));
        listed = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(listed, Timeout);
    {
        ui::DiagnosticsDialog diagnostics(m_bob.get());
        diagnostics.show();
        auto* deliveries
            = diagnostics.findChild<QPlainTextEdit*>(QStringLiteral("legacyDeliveries"));
        QVERIFY(deliveries);
        const QString line
            = QStringLiteral("message %1 you sent, by e-mail: delivered, attempts: 1").arg(id);
        QTRY_VERIFY_WITH_TIMEOUT(deliveries->toPlainText().contains(line), Timeout);
        QVERIFY(!deliveries->toPlainText().contains(QStringLiteral("alice@mail.example")));
        QVERIFY(!deliveries->toPlainText().contains(QStringLiteral("last error")));
        QVERIFY(diagnostics.text().contains(line)); // "Copy as text" has it too
    }

    // Alice's phone is back: the message is there, marked as delivered by e-mail, and her
    // phone does not ring for it again.
    std::unique_ptr<Client> alice = device(QStringLiteral("alice-phone"));
    QSignalSpy notified(alice.get(), &Client::incomingMessage);
    QTRY_VERIFY_WITH_TIMEOUT(must(alice->message(id)).has_value(), Timeout);
    const Message m = *must(alice->message(id));
    QCOMPARE(m.route, protocol::Route::Email);
    QCOMPARE(m.body, QStringLiteral("The train is late"));
    QTest::qWait(200);
    QCOMPARE(notified.size(), 0);
    // Her diagnostics say where it went.
    ui::DiagnosticsDialog diagnostics(alice.get());
    diagnostics.show();
    auto* deliveries = diagnostics.findChild<QPlainTextEdit*>(QStringLiteral("legacyDeliveries"));
    QVERIFY(deliveries);
    QTRY_VERIFY_WITH_TIMEOUT(deliveries->toPlainText().contains(QStringLiteral(
                                 "message %1 to you, by e-mail to alice@mail.example: "
                                 "delivered, attempts: 1")
                                                                    .arg(id)),
        Timeout);
}

void tst_InterworkingFlow::testWhenAwayBothNotifiesOnReturn()
{
    {
        std::unique_ptr<Client> alice = device(QStringLiteral("alice-phone"));
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Online, Timeout);
        setPref(alice.get(), QStringLiteral("whenAway"), QStringLiteral("both"));
    }
    const qint64 id = sendWhileAliceIsAway(QStringLiteral("Call me when you land"));
    std::unique_ptr<Client> alice = device(QStringLiteral("alice-phone"));
    QSignalSpy notified(alice.get(), &Client::incomingMessage);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 1, Timeout);
    QCOMPARE(notified.at(0).at(0).toLongLong(), id);
    QCOMPARE(must(alice->message(id))->route, protocol::Route::Email);
}

QTEST_MAIN(tst_InterworkingFlow)
#include "tst_interworkingflow.moc"
