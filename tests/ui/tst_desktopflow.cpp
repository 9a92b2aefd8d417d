// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop window, clicked through as a person would, against a real cpm-server:
// sign in through the dialog, see a message from another device arrive, open it, answer
// from the composer, watch a read on another device clear the badge, and get sent back
// to sign-in when another device signs this one out.

#include "client.h"
#include "composer.h"
#include "conversationmodel.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "protocol.h"
#include "signindialog.h"
#include "testserver.h"
#include "uitestfixture.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace cpm;

namespace {
constexpr int Timeout = 15000;
const QString Password = QStringLiteral("open sesame");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
} // namespace

class tst_DesktopFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void testWrongPasswordShowsReadableError();
    void testSignInThroughTheDialog();
    void testIncomingMessageShowsUnreadBadgeAndOpens();
    void testComposerEnterSendsToPeer();
    void testReadOnAnotherDeviceClearsBadge();
    void testNotificationOnlyPlaceholderLoadsOnClick();
    void testRemoteSignOutReturnsToSignIn();

private:
    std::unique_ptr<Client> newClient(const QString& name);
    void signInHeadless(Client* client, const QString& address, const QString& name);
    int unreadFor(ui::MainWindow& window, const QString& peer);

    test::UiTestFixture m_fixture;
    test::TestServer m_server;
    QTemporaryDir m_profiles;
    std::unique_ptr<Client> m_laptop; // Alice's, driven through the window
    std::unique_ptr<Client> m_phone; // Alice's other device
    std::unique_ptr<Client> m_bob;
};

std::unique_ptr<Client> tst_DesktopFlow::newClient(const QString& name)
{
    auto c = std::make_unique<Client>(m_profiles.filePath(name));
    [&] { QVERIFY(c->open()); }();
    c->setServerUrl(m_server.url());
    return c;
}

void tst_DesktopFlow::signInHeadless(Client* client, const QString& address, const QString& name)
{
    bool done = false;
    client->registerDevice(
        address, Password, name, QStringLiteral("mobile"), [&](const protocol::Error& e) {
            QVERIFY2(e.isNull(), qPrintable(e.message));
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Online, Timeout);
}

int tst_DesktopFlow::unreadFor(ui::MainWindow& window, const QString& peer)
{
    ConversationModel* model = window.conversationModel();
    const int row = model->rowOf(peer);
    return row < 0 ? -1 : model->index(row).data(ConversationModel::UnreadCountRole).toInt();
}

void tst_DesktopFlow::initTestCase()
{
    m_fixture.install();
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_laptop = newClient(QStringLiteral("laptop"));
    m_phone = newClient(QStringLiteral("phone"));
    m_bob = newClient(QStringLiteral("bob"));
    signInHeadless(m_phone.get(), Alice, QStringLiteral("Alice's phone"));
    signInHeadless(m_bob.get(), Bob, QStringLiteral("Bob's PDA"));
}

void tst_DesktopFlow::cleanup() { test::UiTestFixture::verifyClean(); }

void tst_DesktopFlow::cleanupTestCase()
{
    m_laptop.reset();
    m_phone.reset();
    m_bob.reset();
    m_server.stop();
}

void tst_DesktopFlow::testWrongPasswordShowsReadableError()
{
    ui::SignInDialog dialog(m_laptop.get());
    dialog.show();
    auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
    auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("password"));
    auto* signIn = dialog.findChild<QPushButton*>(QStringLiteral("signIn"));
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    QVERIFY(address && password && signIn && error);
    QVERIFY(!signIn->isEnabled()); // nothing typed yet
    address->clear();
    QTest::keyClicks(address, Alice);
    QTest::keyClicks(password, QStringLiteral("wrong"));
    QVERIFY(signIn->isEnabled());
    test::UiTestFixture::expectWarning(QStringLiteral("auth_failed"));
    QTest::mouseClick(signIn, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), Timeout);
    QVERIFY2(
        error->text().contains(QLatin1StringView("password is wrong")), qPrintable(error->text()));
    QVERIFY(dialog.isVisible());
    QVERIFY(!m_laptop->hasAccount());
    dialog.close();
}

void tst_DesktopFlow::testSignInThroughTheDialog()
{
    ui::SignInDialog dialog(m_laptop.get());
    dialog.show();
    auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
    auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("password"));
    auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("deviceName"));
    auto* kind = dialog.findChild<QComboBox*>(QStringLiteral("kind"));
    address->clear();
    QTest::keyClicks(address, Alice);
    QTest::keyClicks(password, Password);
    name->clear();
    QTest::keyClicks(name, QStringLiteral("Alice's laptop"));
    kind->setCurrentIndex(kind->findData(QStringLiteral("laptop")));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QTest::keyClick(password, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, Timeout);
    QVERIFY(m_laptop->hasAccount());
    QCOMPARE(m_laptop->address(), Alice);
    QCOMPARE(m_laptop->deviceName(), QStringLiteral("Alice's laptop"));
    QTRY_COMPARE_WITH_TIMEOUT(m_laptop->state(), ConnectionState::Online, Timeout);

    ui::MainWindow window(m_laptop.get());
    QCOMPARE(window.windowTitle(), QStringLiteral("alice@cpm.example — Alice's laptop"));
}

void tst_DesktopFlow::testIncomingMessageShowsUnreadBadgeAndOpens()
{
    ui::MainWindow window(m_laptop.get());
    window.show();
    auto* conversations = window.findChild<QListView*>(QStringLiteral("conversations"));
    auto* messages = window.findChild<QListView*>(QStringLiteral("messages"));
    QVERIFY(conversations && messages);

    m_bob->send(Alice, QStringLiteral("Holidays"), QStringLiteral("Look at Sydney!"));
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 1, Timeout);

    // Click Bob's conversation: his message is shown as a bubble and read.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    const QModelIndex row = conversations->model()->index(0, 0);
    QTest::mouseClick(
        conversations->viewport(), Qt::LeftButton, {}, conversations->visualRect(row).center());
    QCOMPARE(window.currentPeer(), Bob);
    QTRY_COMPARE_WITH_TIMEOUT(messages->model()->rowCount(), 1, Timeout);
    QCOMPARE(messages->model()->index(0, 0).data(MessageModel::BodyRole).toString(),
        QStringLiteral("Look at Sydney!"));
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 0, Timeout);
    // Bob's device learns it was displayed.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto list = m_bob->messages(Alice);
            return !list.isEmpty() && list.last().status == Message::Status::Displayed;
        }(),
        Timeout);
    window.close();
}

void tst_DesktopFlow::testComposerEnterSendsToPeer()
{
    ui::MainWindow window(m_laptop.get());
    window.show();
    window.openConversation(Bob);
    auto* text = window.findChild<QPlainTextEdit*>(QStringLiteral("messageText"));
    QVERIFY(text);
    QSignalSpy incoming(m_bob.get(), &Client::incomingMessage);
    QTest::keyClicks(text, QStringLiteral("Lovely!"));
    QTest::keyClick(text, Qt::Key_Return, Qt::ShiftModifier); // a new line, not a send
    QTest::keyClicks(text, QStringLiteral("When do we meet?"));
    QCOMPARE(incoming.size(), 0);
    QTest::keyClick(text, Qt::Key_Return);
    QVERIFY(text->toPlainText().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 1, Timeout);
    const auto received = m_bob->message(incoming.at(0).at(0).toLongLong());
    QVERIFY(received);
    QCOMPARE(received->body, QStringLiteral("Lovely!\nWhen do we meet?"));
    // The window shows the own bubble, first pending then sent.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            MessageModel* model = window.messageModel();
            const int last = model->rowCount() - 1;
            return last >= 0 && model->messageAt(last).outgoing
                && model->messageAt(last).status != Message::Status::Pending;
        }(),
        Timeout);
    window.close();
}

void tst_DesktopFlow::testReadOnAnotherDeviceClearsBadge()
{
    ui::MainWindow window(m_laptop.get());
    window.show(); // shown, but Alice reads on her phone, not here
    window.openConversation({});
    QSignalSpy phoneIncoming(m_phone.get(), &Client::incomingMessage);
    m_bob->send(Alice, {}, QStringLiteral("Are you there?"));
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phoneIncoming.size(), 1, Timeout);
    m_phone->markRead(phoneIncoming.at(0).at(0).toLongLong());
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_laptop->unreadCount(), 0, Timeout);
    window.close();
}

void tst_DesktopFlow::testNotificationOnlyPlaceholderLoadsOnClick()
{
    bool done = false;
    m_phone->setDelivery(
        m_laptop->deviceId(), QStringLiteral("notification"), [&](const protocol::Error& e) {
            QVERIFY(e.isNull());
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Device& d : m_laptop->devices()) {
                if (d.current) {
                    return d.delivery == QLatin1StringView("notification");
                }
            }
            return false;
        }(),
        Timeout);

    ui::MainWindow window(m_laptop.get());
    window.show();
    window.openConversation(Bob);
    auto* messages = window.findChild<QListView*>(QStringLiteral("messages"));
    const int before = window.messageModel()->rowCount();
    m_bob->send(Alice, QStringLiteral("Secret"), QStringLiteral("Only when you open it"));
    QTRY_COMPARE_WITH_TIMEOUT(window.messageModel()->rowCount(), before + 1, Timeout);
    const QModelIndex index = window.messageModel()->index(before, 0);
    QVERIFY(index.data(MessageModel::PartialRole).toBool());
    QVERIFY(index.data(MessageModel::BodyRole).toString().isNull());
    QCOMPARE(index.data(MessageModel::SubjectRole).toString(), QStringLiteral("Secret"));

    messages->scrollTo(index);
    QTest::mouseClick(
        messages->viewport(), Qt::LeftButton, {}, messages->visualRect(index).center());
    QTRY_COMPARE_WITH_TIMEOUT(
        window.messageModel()->index(before, 0).data(MessageModel::BodyRole).toString(),
        QStringLiteral("Only when you open it"), Timeout);
    QVERIFY(!window.messageModel()->index(before, 0).data(MessageModel::PartialRole).toBool());
    window.close();
}

void tst_DesktopFlow::testRemoteSignOutReturnsToSignIn()
{
    ui::MainWindow window(m_laptop.get());
    window.show();
    QSignalSpy signedOut(&window, &ui::MainWindow::signedOut);
    const qint64 laptopId = m_laptop->deviceId();
    bool done = false;
    m_phone->signOutDevice(laptopId, [&](const protocol::Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(signedOut.size(), 1, Timeout);
    QVERIFY(!m_laptop->hasAccount());
    QCOMPARE(window.conversationModel()->rowCount(), 0);
    window.close();
}

QTEST_MAIN(tst_DesktopFlow)
#include "tst_desktopflow.moc"
