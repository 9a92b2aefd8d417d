// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop window, clicked through as a person would, against a real cpm-server:
// sign in through the dialog, see a message from another device arrive, open it, answer
// from the composer, watch a read on another device clear the badge, and get sent back
// to sign-in when another device signs this one out.

#include "appearance.h"
#include "argreader.h"
#include "client.h"
#include "composer.h"
#include "contactsdialog.h"
#include "conversationmodel.h"
#include "desktopapp.h"
#include "devicemodel.h"
#include "devicesdialog.h"
#include "freeport.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "must.h"
#include "newconversationdialog.h"
#include "notifier.h"
#include "protocol.h"
#include "settingsdialog.h"
#include "signindialog.h"
#include "testserver.h"
#include "uiclients.h"
#include "uitestfixture.h"

#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QGroupBox>
#include <QInputDialog>
#include <QInputMethodEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <functional>
#include <memory>

using namespace cpm;
using cpm::test::must;

namespace {
constexpr int Timeout = 15000;
const QString Password = QStringLiteral("open sesame");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

//! Answers the next modal message box or input dialog the way a person would.
void answerNextDialog(const QString& text = {})
{
    QTimer::singleShot(0, qApp, [text] {
        QWidget* modal = QApplication::activeModalWidget();
        if (auto* box = qobject_cast<QMessageBox*>(modal)) {
            box->button(QMessageBox::Yes)->click();
        } else if (auto* input = qobject_cast<QInputDialog*>(modal)) {
            input->setTextValue(text);
            input->accept();
        } else {
            answerNextDialog(text); // not shown yet: try on the next turn
        }
    });
}
} // namespace

class tst_DesktopFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void testWrongPasswordShowsReadableError();
    void testUnreachableServerShowsReadableError_data();
    void testUnreachableServerShowsReadableError();
    void testAPlainAddressOfAnotherHostNeedsConsent();
    void testTheSubjectTakes256CharactersOfAnyKind();
    void testSignInThroughTheDialog();
    void testIncomingMessageShowsUnreadBadgeAndOpens();
    void testComposerEnterSendsToPeer();
    void testReadOnAnotherDeviceClearsBadge();
    void testNotificationOnlyPlaceholderLoadsOnClick();
    void testDeleteEverywhereRemovesBubbleInBothWindows();
    void testNotificationClosesWhenReadElsewhere();
    void testDevicesPanelRenamesAndSetsDelivery();
    void testContactsAndStatusReachOtherDevices();
    void testThemeFollowsPreferenceSetElsewhere();
    void testAwayPreferencesAreSetInSettings();
    void testNotificationsAndLanguageStayOnTheDevice();
    void testScrollingUpLoadsOlderPages();
    void testOnlyMessagesInViewOfAnActiveWindowAreRead();
    void testResizingKeepsThePlaceAndEverythingFits();
    void testACatchUpNotifiesOncePerConversation();
    void testDeliveryStatesAreSaidInWords();
    void testDeletingAsksAndNeverTakesTheNextMessageToo();
    void testSearchFindsAddressesAndTextAndEnterOpens();
    void testNewConversationPicksAContactOrTakesAnAddress();
    void testASendToAnUnknownUserFailsReadablyAndGoesAgain();
    void testNothingShownGoesStale();
    void testEmptyPlacesSayWhatToDo();
    void testOthersStatusShowsWhereTheyAre();
    void testDamagedProfileShowsNoticeUntilDismissed();
    void testRemoteSignOutReturnsToSignIn();

private:
    std::unique_ptr<Client> newClient(const QString& name);
    //! A new account \a local@cpm.example with one device named \a deviceName, signed in.
    std::unique_ptr<Client> newUser(const QString& local, const QString& deviceName);
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
    return test::newUiClient(m_profiles, name, m_server.url());
}

std::unique_ptr<Client> tst_DesktopFlow::newUser(const QString& local, const QString& deviceName)
{
    const QString address = local + QStringLiteral("@cpm.example");
    [&] { QVERIFY(m_server.addUser(address, Password)); }();
    std::unique_ptr<Client> c = newClient(local);
    signInHeadless(c.get(), address, deviceName);
    return c;
}

void tst_DesktopFlow::signInHeadless(Client* client, const QString& address, const QString& name)
{
    test::signInHeadless(client, address, Password, name, QStringLiteral("mobile"), Timeout);
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
    auto* hint = dialog.findChild<QLabel*>(QStringLiteral("signInHint"));
    auto* accountHelp = dialog.findChild<QLabel*>(QStringLiteral("accountHelp"));
    QVERIFY(hint && accountHelp);
    QVERIFY(accountHelp->text().contains(QLatin1StringView("runs your CPM server")));
    // Sign in is disabled, and a line says why: first a wrong address, then no password.
    QVERIFY(!signIn->isEnabled());
    address->clear();
    QTest::keyClicks(address, QStringLiteral("alice"));
    QVERIFY(!signIn->isEnabled());
    QVERIFY(hint->isVisible());
    QVERIFY2(
        hint->text().contains(QLatin1StringView("not a CPM address")), qPrintable(hint->text()));
    QCOMPARE(signIn->toolTip(), hint->text());
    address->clear();
    QTest::keyClicks(address, Alice);
    QVERIFY2(hint->text().contains(QLatin1StringView("password")), qPrintable(hint->text()));
    QTest::keyClicks(password, QStringLiteral("wrong"));
    QVERIFY(signIn->isEnabled());
    QVERIFY(!hint->isVisible());
    test::UiTestFixture::expectWarning(QStringLiteral("auth_failed"));
    QTest::mouseClick(signIn, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), Timeout);
    QVERIFY2(
        error->text().contains(QLatin1StringView("password is wrong")), qPrintable(error->text()));
    QVERIFY(dialog.isVisible());
    QVERIFY(!m_laptop->hasAccount());
    dialog.close();
}

void tst_DesktopFlow::testUnreachableServerShowsReadableError_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("says");
    // A port nobody listens on (a wrong port, or a stopped server): refused at once.
    QTest::newRow("nothing-listens")
        << QStringLiteral("closed") << QStringLiteral("Nothing answers");
    // A web server where the CPM server should be: connected, and the upgrade refused.
    QTest::newRow("web-server") << QStringLiteral("http") << QStringLiteral("not a CPM server");
}

void tst_DesktopFlow::testUnreachableServerShowsReadableError()
{
    QFETCH(QString, kind);
    QFETCH(QString, says);
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString url = QStringLiteral("ws://127.0.0.1:%1/").arg(probe.serverPort());
    if (kind == QLatin1StringView("closed")) {
        probe.close();
    } else {
        connect(&probe, &QTcpServer::newConnection, &probe, [&probe] {
            QTcpSocket* socket = probe.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                socket->disconnectFromHost();
            });
        });
    }
    ui::SignInDialog dialog(m_laptop.get());
    dialog.show();
    auto* server = dialog.findChild<QLineEdit*>(QStringLiteral("server"));
    auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
    auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("password"));
    auto* signIn = dialog.findChild<QPushButton*>(QStringLiteral("signIn"));
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    auto* diagnostics = dialog.findChild<QPushButton*>(QStringLiteral("diagnostics"));
    QVERIFY(server && address && password && signIn && error && diagnostics);
    server->clear();
    QTest::keyClicks(server, url);
    address->clear();
    QTest::keyClicks(address, Alice);
    password->clear();
    QTest::keyClicks(password, Password);
    QTest::mouseClick(signIn, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), Timeout);
    QVERIFY2(
        error->text().contains(says) && error->text().contains(QString::number(probe.serverPort())),
        qPrintable(error->text()));
    QVERIFY(!error->text().contains(QLatin1StringView("Something went wrong")));
    QVERIFY(!m_laptop->hasAccount());
    // What happened, in detail, one click away.
    QTest::mouseClick(diagnostics, Qt::LeftButton);
    auto* details = dialog.findChild<QDialog*>(QStringLiteral("diagnosticsDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(details && details->isVisible(), Timeout);
    details->close();
    dialog.close();
    m_laptop->setServerUrl(m_server.url()); // the next test signs in for real
}

void tst_DesktopFlow::testAPlainAddressOfAnotherHostNeedsConsent()
{
    ui::SignInDialog dialog(m_laptop.get());
    dialog.show();
    auto* server = dialog.findChild<QLineEdit*>(QStringLiteral("server"));
    auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
    auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("password"));
    auto* insecure = dialog.findChild<QCheckBox*>(QStringLiteral("insecure"));
    auto* warning = dialog.findChild<QLabel*>(QStringLiteral("insecureWarning"));
    auto* signIn = dialog.findChild<QPushButton*>(QStringLiteral("signIn"));
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    QVERIFY(server && address && password && insecure && warning && signIn && error);
    // This computer's server: nothing to consent to.
    QVERIFY(!insecure->isVisible() && !warning->isVisible());
    server->clear();
    QTest::keyClicks(server, QStringLiteral("ws://cpm.invalid:7878/"));
    QVERIFY(insecure->isVisible() && warning->isVisible() && !insecure->isChecked());
    address->clear();
    QTest::keyClicks(address, Alice);
    QTest::keyClicks(password, Password);
    QTest::mouseClick(signIn, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), Timeout);
    QVERIFY2(error->text().contains(QLatin1StringView("in the clear")), qPrintable(error->text()));
    // Consent sends it: here to a name that does not resolve.
    QTest::mouseClick(insecure, Qt::LeftButton);
    QVERIFY(insecure->isChecked());
    QTest::keyClicks(password, Password);
    QTest::mouseClick(signIn, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(
        error->text().contains(QLatin1StringView("There is no computer named cpm.invalid")),
        qPrintable(error->text()), Timeout);
    QVERIFY(!m_laptop->hasAccount());
    dialog.close();
    m_laptop->setServerUrl(m_server.url());
}

void tst_DesktopFlow::testTheSubjectTakes256CharactersOfAnyKind()
{
    ui::Composer composer;
    composer.show();
    auto* subject = composer.findChild<QLineEdit*>(QStringLiteral("subject"));
    QVERIFY(subject);
    // Emoji come from an input method (an emoji picker), one committed string each.
    const QString grin = QString::fromUcs4(U"\U0001F600", 1);
    for (int i = 0; i < 257; ++i) {
        QInputMethodEvent input;
        input.setCommitString(grin);
        QApplication::sendEvent(subject, &input);
    }
    // 256 emoji, the limit in characters, and never half of one.
    QCOMPARE(protocol::characterCount(subject->text()), 256);
    QVERIFY(!protocol::hasLoneSurrogate(subject->text()));
}

void tst_DesktopFlow::testSignInThroughTheDialog()
{
    ui::SignInDialog dialog(m_laptop.get());
    dialog.show();
    auto* server = dialog.findChild<QLineEdit*>(QStringLiteral("server"));
    auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
    auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("password"));
    auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("deviceName"));
    auto* kind = dialog.findChild<QComboBox*>(QStringLiteral("kind"));
    auto* signIn = dialog.findChild<QPushButton*>(QStringLiteral("signIn"));
    QVERIFY(server && address && password && name && kind && signIn);
    address->clear();
    QTest::keyClicks(address, Alice);
    QTest::keyClicks(password, Password);
    // Two nodes of the service, the first of them down: signing in reaches the second.
    const QString down = QStringLiteral("ws://127.0.0.1:%1/").arg(test::freeLoopbackPort());
    server->clear();
    QTest::keyClicks(server, down + QStringLiteral(", ftp://x.example/"));
    QVERIFY(!signIn->isEnabled());
    QVERIFY2(signIn->toolTip().contains(QLatin1StringView("ftp://x.example/")),
        qPrintable(signIn->toolTip()));
    server->clear();
    QTest::keyClicks(server, down + QStringLiteral(", ") + m_server.url().toString());
    QVERIFY(signIn->isEnabled());
    name->clear();
    QTest::keyClicks(name, QStringLiteral("Alice's laptop"));
    // Not the default kind: signing in again after a sign-out must keep it (below).
    kind->setCurrentIndex(kind->findData(QStringLiteral("desktop")));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QTest::keyClick(password, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, Timeout);
    QVERIFY(m_laptop->hasAccount());
    QCOMPARE(m_laptop->address(), Alice);
    QCOMPARE(m_laptop->deviceName(), QStringLiteral("Alice's laptop"));
    QTRY_COMPARE_WITH_TIMEOUT(m_laptop->state(), ConnectionState::Online, Timeout);
    QCOMPARE(m_laptop->serverUrls(), QList<QUrl>({ QUrl(down), m_server.url() }));
    QCOMPARE(m_laptop->currentServerUrl(), m_server.url());

    ui::MainWindow window(m_laptop.get());
    QCOMPARE(window.windowTitle(), QStringLiteral("Alice's laptop — alice@cpm.example"));
}

void tst_DesktopFlow::testIncomingMessageShowsUnreadBadgeAndOpens()
{
    ui::MainWindow window(m_laptop.get());
    window.show();
    auto* conversations = window.findChild<QListView*>(QStringLiteral("conversations"));
    auto* messages = window.findChild<QListView*>(QStringLiteral("messages"));
    QVERIFY(conversations && messages);

    must(m_bob->send(Alice, QStringLiteral("Holidays"), QStringLiteral("Look at Sydney!")));
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
            const auto list = must(m_bob->messages(Alice));
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
    const auto received = must(m_bob->message(incoming.at(0).at(0).toLongLong()));
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
    must(m_bob->send(Alice, {}, QStringLiteral("Are you there?")));
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phoneIncoming.size(), 1, Timeout);
    m_phone->markRead(phoneIncoming.at(0).at(0).toLongLong());
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_laptop->unreadCount()), 0, Timeout);
    window.close();
}

void tst_DesktopFlow::testNotificationOnlyPlaceholderLoadsOnClick()
{
    bool done = false;
    m_phone->setDelivery(m_laptop->deviceId(), QStringLiteral("notification"), [&](const Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Device& d : must(m_laptop->devices())) {
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
    must(m_bob->send(Alice, QStringLiteral("Secret"), QStringLiteral("Only when you open it")));
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

    // Three more while another conversation is open: the list still has a preview line,
    // and the badge counts them.
    window.openConversation({});
    for (int i = 0; i < 3; ++i) {
        must(m_bob->send(Alice, {}, QStringLiteral("Notified %1").arg(i)));
    }
    ConversationModel* list = window.conversationModel();
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 3, Timeout);
    const QModelIndex bobRow = list->index(list->rowOf(Bob));
    QVERIFY(bobRow.data(ConversationModel::LastMessagePartialRole).toBool());

    // Opened in an active window the placeholders are in view but not read: there is
    // nothing to read yet. One button loads them; then they are read by the usual rule.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.openConversation(Bob);
    auto* loadBar = window.findChild<QWidget*>(QStringLiteral("loadBar"));
    auto* loadAll = window.findChild<QPushButton*>(QStringLiteral("loadAll"));
    QVERIFY(loadBar && loadAll);
    QTRY_VERIFY_WITH_TIMEOUT(loadBar->isVisible(), Timeout);
    QTest::qWait(200);
    QCOMPARE(unreadFor(window, Bob), 3);
    QTest::mouseClick(loadAll, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!loadBar->isVisible(), Timeout);
    for (int r = 0; r < window.messageModel()->rowCount(); ++r) {
        QVERIFY(!window.messageModel()->index(r).data(MessageModel::PartialRole).toBool());
    }
    QTRY_COMPARE_WITH_TIMEOUT(unreadFor(window, Bob), 0, Timeout);
    window.close();
}

void tst_DesktopFlow::testDeleteEverywhereRemovesBubbleInBothWindows()
{
    // Two windows of Alice side by side (QA-1): a message arrives in both; deleting it
    // everywhere from one removes the bubble from the other as well (MSG-6).
    ui::MainWindow laptop(m_laptop.get());
    ui::MainWindow phone(m_phone.get());
    laptop.show();
    phone.show();
    laptop.openConversation(Bob);
    phone.openConversation(Bob);
    QSignalSpy sent(m_bob.get(), &Client::messageSent);
    must(m_bob->send(Alice, {}, QStringLiteral("Delete me everywhere")));
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const qint64 id = sent.at(0).at(1).toLongLong();
    QTRY_VERIFY_WITH_TIMEOUT(laptop.messageModel()->rowOf(id) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(phone.messageModel()->rowOf(id) >= 0, Timeout);

    auto* messages = laptop.findChild<QListView*>(QStringLiteral("messages"));
    messages->setCurrentIndex(laptop.messageModel()->index(laptop.messageModel()->rowOf(id), 0));
    QAction* deleteAll = nullptr;
    for (QAction* action : messages->actions()) {
        if (action->shortcut() == QKeySequence(Qt::SHIFT | Qt::Key_Delete)) {
            deleteAll = action;
        }
    }
    QVERIFY(deleteAll);
    answerNextDialog(); // "Delete on all my devices? This cannot be undone." — Yes
    deleteAll->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(laptop.messageModel()->rowOf(id), -1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phone.messageModel()->rowOf(id), -1, Timeout);
    laptop.close();
    phone.close();
}

void tst_DesktopFlow::testNotificationClosesWhenReadElsewhere()
{
    // MSG-4/MSG-5: the laptop notifies; reading on the phone closes that notification.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation({});
    ui::Notifier* notifier = laptop.notifier();
    QSignalSpy shown(notifier, &ui::Notifier::notificationShown);
    QSignalSpy closed(notifier, &ui::Notifier::notificationClosed);
    QSignalSpy onPhone(m_phone.get(), &Client::incomingMessage);
    must(m_bob->send(Alice, QStringLiteral("Ping"), QStringLiteral("Notify me")));
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, Timeout);
    const qint64 id = shown.at(0).at(0).toLongLong();
    QCOMPARE(notifier->openNotifications(), QList<qint64> { id });
    QVERIFY(notifier->trayToolTip().contains(QLatin1Char('1')));
    QTRY_COMPARE_WITH_TIMEOUT(onPhone.size(), 1, Timeout);
    m_phone->markRead(id);
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, Timeout);
    QVERIFY(notifier->openNotifications().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!notifier->trayToolTip().contains(QLatin1Char('1')), Timeout);
    laptop.close();
}

void tst_DesktopFlow::testDevicesPanelRenamesAndSetsDelivery()
{
    // DEV-2/DEV-3 from the window: rename the phone and make it notification-only; the
    // phone itself learns both.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.showDevices();
    auto* dialog = laptop.findChild<ui::DevicesDialog*>();
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->model()->rowCount(), 2, Timeout);
    const int phoneRow = dialog->model()->rowOf(m_phone->deviceId());
    QVERIFY(phoneRow >= 0);
    QVERIFY(!dialog->model()->index(phoneRow).data(DeviceModel::CurrentRole).toBool());
    QVERIFY(dialog->model()->index(phoneRow).data(DeviceModel::OnlineRole).toBool());
    dialog->view()->setCurrentIndex(dialog->model()->index(phoneRow));

    answerNextDialog(QStringLiteral("Alice's old phone"));
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("rename")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_phone->deviceName(), QStringLiteral("Alice's old phone"), Timeout);

    auto* delivery = dialog->findChild<QComboBox*>(QStringLiteral("delivery"));
    const int none = delivery->findData(QStringLiteral("none"));
    delivery->setCurrentIndex(none);
    Q_EMIT delivery->activated(none);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Device& d : must(m_phone->devices())) {
                if (d.current) {
                    return d.delivery == QLatin1StringView("none");
                }
            }
            return false;
        }(),
        Timeout);
    // Back to the whole message for the tests that follow.
    bool done = false;
    m_phone->setDelivery(
        m_phone->deviceId(), QStringLiteral("full"), [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    dialog->close();
    laptop.close();
}

void tst_DesktopFlow::testContactsAndStatusReachOtherDevices()
{
    // CON-1: a contact added and a status set in the window are on the phone too.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.showContacts();
    auto* dialog = laptop.findChild<ui::ContactsDialog*>();
    QVERIFY(dialog);
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("contactAddress")), Bob);
    QTest::keyClicks(
        dialog->findChild<QLineEdit*>(QStringLiteral("contactName")), QStringLiteral("Bob M."));
    QTest::mouseClick(
        dialog->findChild<QPushButton*>(QStringLiteral("addContact")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Contact& c : must(m_phone->contacts())) {
                if (c.address == Bob) {
                    return c.name == QLatin1StringView("Bob M.");
                }
            }
            return false;
        }(),
        Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        dialog->findChild<QListWidget*>(QStringLiteral("contacts"))->count(), 1, Timeout);
    dialog->close();

    auto* status = laptop.findChild<QComboBox*>(QStringLiteral("status"));
    QVERIFY(status);
    const int busy = status->findData(QStringLiteral("busy"));
    status->setCurrentIndex(busy);
    Q_EMIT status->activated(busy);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_phone->status()).status, QStringLiteral("busy"), Timeout);

    const int custom = status->findData(QStringLiteral("custom"));
    answerNextDialog(QStringLiteral("On a train"));
    status->setCurrentIndex(custom);
    Q_EMIT status->activated(custom);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_phone->status()).text, QStringLiteral("On a train"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        status->currentText().contains(QLatin1StringView("On a train")), Timeout);
    laptop.close();
}

void tst_DesktopFlow::testNotificationsAndLanguageStayOnTheDevice()
{
    // Silencing the laptop must not silence the phone, and a language chosen on one device
    // is not imposed on the others; the dialog says which settings follow the account.
    ui::MainWindow laptop(m_laptop.get());
    ui::MainWindow phone(m_phone.get());
    laptop.show();
    phone.show();
    laptop.openConversation({});
    phone.openConversation({});
    // Side by side they differ by the device's kind in their icons, and the tray says
    // whose and which device it is.
    QVERIFY(m_laptop->deviceKind() != m_phone->deviceKind());
    QTRY_VERIFY(
        laptop.windowIcon().pixmap(64).toImage() != phone.windowIcon().pixmap(64).toImage());
    QVERIFY(phone.notifier()->trayToolTip().contains(Alice));
    QVERIFY(phone.notifier()->trayToolTip().contains(m_phone->deviceName()));
    {
        ui::SettingsDialog settings(m_laptop.get(), &laptop);
        settings.show();
        auto* here = settings.findChild<QGroupBox*>(QStringLiteral("deviceSettings"));
        auto* everywhere = settings.findChild<QGroupBox*>(QStringLiteral("accountSettings"));
        auto* notifications = settings.findChild<QCheckBox*>(QStringLiteral("notifications"));
        auto* language = settings.findChild<QComboBox*>(QStringLiteral("language"));
        auto* theme = settings.findChild<QComboBox*>(QStringLiteral("theme"));
        QVERIFY(here && everywhere && notifications && language && theme);
        QVERIFY(here->isAncestorOf(notifications) && here->isAncestorOf(language));
        QVERIFY(everywhere->isAncestorOf(theme));
        QVERIFY2(here->title().contains(m_laptop->deviceName()), qPrintable(here->title()));
        QVERIFY(notifications->isChecked());
        notifications->click();
        QVERIFY(!notifications->isChecked());
        language->setCurrentIndex(language->findData(QStringLiteral("de")));
        Q_EMIT language->activated(language->currentIndex());
    }
    QCOMPARE(
        m_laptop->deviceSetting(QString(ui::pref::Language)).valueOr({}), QStringLiteral("de"));
    QCOMPARE(ui::deviceChoice(*m_laptop, ui::pref::Notifications), QStringLiteral("off"));
    // Nothing of it went to the network or to the phone.
    QTest::qWait(300);
    QVERIFY(!must(m_phone->prefs()).contains(QString(ui::pref::Notifications)));
    QVERIFY(!must(m_phone->prefs()).contains(QString(ui::pref::Language)));
    QVERIFY(must(m_phone->deviceSetting(QString(ui::pref::Language))).isNull());

    QSignalSpy laptopPosted(laptop.notifier(), &ui::Notifier::notificationPosted);
    QSignalSpy phonePosted(phone.notifier(), &ui::Notifier::notificationPosted);
    QSignalSpy arrived(m_laptop.get(), &Client::incomingMessage);
    must(m_bob->send(Alice, {}, QStringLiteral("Anyone listening?")));
    QTRY_COMPARE_WITH_TIMEOUT(phonePosted.size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(arrived.size(), 1, Timeout);
    QTest::qWait(200);
    QCOMPARE(laptopPosted.size(), 0);
    m_phone->markRead(arrived.at(0).at(0).toLongLong()); // the tests after expect none unread
    QTRY_COMPARE_WITH_TIMEOUT(must(m_laptop->unreadCount()), 0, Timeout);

    must(m_laptop->setDeviceSetting(QString(ui::pref::Notifications), QStringLiteral("on")));
    must(m_laptop->setDeviceSetting(QString(ui::pref::Language), QStringLiteral("system")));
    laptop.close();
    phone.close();
}

void tst_DesktopFlow::testAwayPreferencesAreSetInSettings()
{
    // Seed 000 §7.1.4: Alice sets, from her laptop, that messages reach her by e-mail while
    // she is away; her phone has the same preferences. A malformed number is refused and
    // said in the dialog, and changes nothing.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    {
        ui::SettingsDialog settings(m_laptop.get(), &laptop);
        settings.show();
        auto* everywhere = settings.findChild<QGroupBox*>(QStringLiteral("accountSettings"));
        auto* whenAway = settings.findChild<QComboBox*>(QStringLiteral("whenAway"));
        auto* email = settings.findChild<QLineEdit*>(QStringLiteral("legacyEmail"));
        auto* phone = settings.findChild<QLineEdit*>(QStringLiteral("legacyPhone"));
        auto* note = settings.findChild<QLabel*>(QStringLiteral("settingsNote"));
        QVERIFY(everywhere && whenAway && email && phone && note);
        QVERIFY(everywhere->isAncestorOf(whenAway) && everywhere->isAncestorOf(email));
        QCOMPARE(whenAway->currentData().toString(), QStringLiteral("keep"));

        whenAway->setCurrentIndex(whenAway->findData(QStringLiteral("legacy")));
        Q_EMIT whenAway->activated(whenAway->currentIndex());
        email->setFocus();
        QTest::keyClicks(email, QStringLiteral("alice@mail.example"));
        QTest::keyClick(email, Qt::Key_Return);
        phone->setFocus();
        QTest::keyClicks(phone, QStringLiteral("12"));
        QTest::keyClick(phone, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!note->text().isEmpty(), Timeout);
    }
    const auto phonePref
        = [&](const QString& key) { return must(m_phone->prefs()).value(key).toString(); };
    QTRY_COMPARE_WITH_TIMEOUT(
        phonePref(QStringLiteral("whenAway")), QStringLiteral("legacy"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        phonePref(QStringLiteral("legacyEmail")), QStringLiteral("alice@mail.example"), Timeout);
    QVERIFY(phonePref(QStringLiteral("legacyPhone")).isEmpty());

    // Back as it was for the tests after.
    bool done = false;
    m_laptop->setPref(
        QStringLiteral("whenAway"), QStringLiteral("keep"), [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    laptop.close();
}

void tst_DesktopFlow::testThemeFollowsPreferenceSetElsewhere()
{
    // The theme is a synced preference: dark chosen on the phone turns the laptop dark.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    const QPalette original = QApplication::palette();
    bool done = false;
    m_phone->setPref(
        QString(ui::pref::Theme), QStringLiteral("dark"), [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        QApplication::palette().color(QPalette::Window).lightness() < 100, Timeout);
    done = false;
    m_phone->setPref(
        QString(ui::pref::Theme), QStringLiteral("system"), [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        QApplication::palette().color(QPalette::Window), original.color(QPalette::Window), Timeout);
    laptop.close();
}

void tst_DesktopFlow::testScrollingUpLoadsOlderPages()
{
    // A long history opens with its newest page only; scrolling to the top loads the
    // page before it, and the message the user was looking at stays in view.
    QSignalSpy incoming(m_laptop.get(), &Client::incomingMessage);
    for (int i = 0; i < 120; ++i) {
        must(m_bob->send(Alice, {}, QStringLiteral("Line %1").arg(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 120, 30000);
    // Read on the phone: a conversation with unread messages opens at the first of them
    // instead (tested below), this one at its newest page. The phone reads what it has
    // (under load it may still be receiving when the laptop has everything).
    for (const QList<QVariant>& arguments : std::as_const(incoming)) {
        QTRY_VERIFY_WITH_TIMEOUT(
            must(m_phone->message(arguments.at(0).toLongLong())).has_value(), 30000);
    }
    for (const QList<QVariant>& arguments : std::as_const(incoming)) {
        m_phone->markRead(arguments.at(0).toLongLong());
    }
    QTRY_COMPARE_WITH_TIMEOUT(must(m_laptop->unreadCount()), 0, 30000);

    ui::MainWindow laptop(m_laptop.get());
    laptop.resize(900, 600);
    laptop.show();
    laptop.openConversation(Bob);
    MessageModel* model = laptop.messageModel();
    QCOMPARE(model->rowCount(), MessageModel::DefaultPageSize);
    // (This laptop receives notifications only since an earlier test: compare ids.)
    QCOMPARE(model->index(model->rowCount() - 1, 0).data(MessageModel::IdRole).toLongLong(),
        incoming.last().at(0).toLongLong());
    QVERIFY(model->canLoadOlder());
    auto* view = laptop.findChild<QListView*>(QStringLiteral("messages"));
    const qint64 firstId = model->index(0, 0).data(MessageModel::IdRole).toLongLong();
    // Opened at the newest message; only then does the user scroll up. (Standing at the
    // bottom loads nothing older: Qt's views would fetch the whole history there.)
    QTRY_VERIFY(view->verticalScrollBar()->value() > 0
        && view->verticalScrollBar()->value() == view->verticalScrollBar()->maximum());
    QTest::qWait(100);
    QCOMPARE(model->rowCount(), MessageModel::DefaultPageSize);
    view->scrollToTop();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2 * MessageModel::DefaultPageSize, Timeout);
    // The previously first message is now further down, and still on screen.
    const int row = model->rowOf(firstId);
    QCOMPARE(row, MessageModel::DefaultPageSize);
    QTRY_VERIFY_WITH_TIMEOUT(
        view->viewport()->rect().intersects(view->visualRect(model->index(row, 0))), Timeout);
    laptop.close();
}

void tst_DesktopFlow::testOnlyMessagesInViewOfAnActiveWindowAreRead()
{
    // Carol writes 30 lines to Alice; Alice opens them on a new desktop of hers, in a
    // window that shows about a dozen at a time. Her phone shows what counts as read.
    const QString carolAddress = QStringLiteral("carol@cpm.example");
    std::unique_ptr<Client> carol
        = newUser(QStringLiteral("carol"), QStringLiteral("Carol's laptop"));
    std::unique_ptr<Client> desk = newClient(QStringLiteral("desk"));
    signInHeadless(desk.get(), Alice, QStringLiteral("Alice's desk"));
    QSignalSpy deskIncoming(desk.get(), &Client::incomingMessage);
    QSignalSpy phoneIncoming(m_phone.get(), &Client::incomingMessage);
    for (int i = 0; i < 30; ++i) {
        must(carol->send(Alice, {}, QStringLiteral("Line %1").arg(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(deskIncoming.size(), 30, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phoneIncoming.size(), 30, Timeout);
    const auto readOnPhone = [&] {
        int read = 0;
        for (const Message& m : must(m_phone->messages(carolAddress))) {
            read += m.read ? 1 : 0;
        }
        return read;
    };
    const auto displayedForCarol = [&] {
        int displayed = 0;
        for (const Message& m : must(carol->messages(Alice))) {
            displayed += m.status == Message::Status::Displayed ? 1 : 0;
        }
        return displayed;
    };

    ui::MainWindow window(desk.get());
    window.resize(900, 600);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.openConversation(carolAddress);
    auto* delegate = window.findChild<ui::MessageDelegate*>();
    auto* jump = window.findChild<QToolButton*>(QStringLiteral("jumpToNewest"));
    QVERIFY(delegate && jump);
    // The line sits above the first unread message, and the view starts there.
    QTRY_COMPARE_WITH_TIMEOUT(
        delegate->newMessagesMarker(), deskIncoming.first().at(0).toLongLong(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        window.messagesInView().contains(delegate->newMessagesMarker()), Timeout);
    const QList<qint64> inView = window.messagesInView();
    QVERIFY2(inView.size() > 3 && inView.size() < 25, qPrintable(QString::number(inView.size())));
    // What is in view is read everywhere; the rest is not, and Carol is told no more.
    for (const qint64 id : inView) {
        QTRY_VERIFY_WITH_TIMEOUT(must(m_phone->message(id))->read, Timeout);
    }
    QTest::qWait(300);
    const int read = readOnPhone();
    QVERIFY2(read < 25, qPrintable(QString::number(read)));
    QVERIFY(!must(m_phone->message(deskIncoming.last().at(0).toLongLong()))->read);
    QTRY_COMPARE_WITH_TIMEOUT(displayedForCarol(), read, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(jump->isVisible(), Timeout);
    QVERIFY2(jump->text().contains(QString::number(30 - read)), qPrintable(jump->text()));

    // A message that comes while scrolled up is not read either.
    must(carol->send(Alice, {}, QStringLiteral("While you were up there")));
    QTRY_COMPARE_WITH_TIMEOUT(deskIncoming.size(), 31, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phoneIncoming.size(), 31, Timeout);
    QTest::qWait(300);
    const qint64 whileUp = deskIncoming.last().at(0).toLongLong();
    QVERIFY(!must(m_phone->message(whileUp))->read);
    QVERIFY(!window.messagesInView().contains(whileUp));
    QVERIFY(readOnPhone() < 25);
    QTRY_VERIFY2_WITH_TIMEOUT(jump->text().contains(QString::number(31 - readOnPhone())),
        qPrintable(jump->text()), Timeout);

    // Jumping to the newest reads what comes into view, the newest included.
    QTest::mouseClick(jump, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!jump->isVisible(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        must(m_phone->message(deskIncoming.last().at(0).toLongLong()))->read, Timeout);
    QVERIFY(readOnPhone() < 31); // the middle was never in view

    // In a window in the background nothing is read; coming back to it reads it.
    QWidget other;
    other.resize(200, 100);
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    QVERIFY(!window.isActiveWindow());
    must(carol->send(Alice, {}, QStringLiteral("While you were away")));
    QTRY_COMPARE_WITH_TIMEOUT(deskIncoming.size(), 32, Timeout);
    const qint64 away = deskIncoming.last().at(0).toLongLong();
    QTRY_COMPARE_WITH_TIMEOUT(phoneIncoming.size(), 32, Timeout);
    QTest::qWait(300);
    QVERIFY(!must(m_phone->message(away))->read);
    other.close();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTRY_VERIFY_WITH_TIMEOUT(must(m_phone->message(away))->read, Timeout);
    window.close();
}

void tst_DesktopFlow::testResizingKeepsThePlaceAndEverythingFits()
{
    // Bob's long history (testScrollingUpLoadsOlderPages) read from the middle: a narrower
    // or a maximised window shows the same message at the top.
    ui::MainWindow laptop(m_laptop.get());
    const QRect screen = laptop.screen()->availableGeometry();
    QVERIFY(laptop.width() <= screen.width() && laptop.height() <= screen.height());
    laptop.resize(900, 600);
    laptop.show();
    laptop.openConversation(Bob);
    auto* view = laptop.findChild<QListView*>(QStringLiteral("messages"));
    MessageModel* model = laptop.messageModel();
    QTRY_VERIFY(model->rowCount() > 40);
    QTest::qWait(50);
    view->scrollTo(model->index(20), QAbstractItemView::PositionAtTop);
    const auto topId
        = [&] { return view->indexAt(QPoint(1, 1)).data(MessageModel::IdRole).toLongLong(); };
    const qint64 reading = topId();
    QCOMPARE(reading, model->index(20).data(MessageModel::IdRole).toLongLong());
    for (const QSize size : { QSize(520, 600), QSize(1600, 900), QSize(700, 500) }) {
        laptop.resize(size);
        QTest::qWait(100);
        QCOMPARE(topId(), reading);
    }

    // The list never needs a sideways scroll bar, however narrow.
    auto* list = laptop.findChild<QListView*>(QStringLiteral("conversations"));
    laptop.resize(400, 500);
    QTest::qWait(50);
    QVERIFY(!list->horizontalScrollBar()->isVisible());

    // The composer grows with the text up to ten lines, and shrinks back when sent.
    auto* text = laptop.findChild<QPlainTextEdit*>(QStringLiteral("messageText"));
    const int empty = text->height();
    text->setPlainText(QStringLiteral("1\n2\n3\n4\n5"));
    QTRY_VERIFY(text->height() > empty);
    const int five = text->height();
    text->setPlainText(QStringLiteral("line\n").repeated(30));
    QTRY_VERIFY(text->height() > five);
    QVERIFY(text->height() < text->fontMetrics().lineSpacing() * 12);
    text->clear();
    QTRY_COMPARE(text->height(), empty);
    laptop.close();
}

void tst_DesktopFlow::testACatchUpNotifiesOncePerConversation()
{
    // Alice's laptop is off while Bob sends 997 messages and Dave 3 (1,000: as many as the
    // server keeps for one recipient by default); when it comes back it says so once, not
    // 1,000 times, and names the account and device.
    std::unique_ptr<Client> dave = newUser(QStringLiteral("dave"), QStringLiteral("Dave's laptop"));
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation({});
    m_laptop->disconnectFromServer();
    QSignalSpy posted(laptop.notifier(), &ui::Notifier::notificationPosted);
    QSignalSpy incoming(m_laptop.get(), &Client::incomingMessage);
    for (int i = 0; i < 997; ++i) {
        must(m_bob->send(Alice, {}, QStringLiteral("Backlog %1").arg(i)));
    }
    for (int i = 0; i < 3; ++i) {
        must(dave->send(Alice, {}, QStringLiteral("From Dave %1").arg(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(must(m_bob->outboxSize()), 0, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(must(dave->outboxSize()), 0, Timeout);

    m_laptop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 1000, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(m_laptop->state(), ConnectionState::Online, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 1, Timeout);
    QTest::qWait(200);
    QCOMPARE(posted.size(), 1); // two conversations, one summary
    const QString title = posted.at(0).at(0).toString();
    const QString body = posted.at(0).at(1).toString();
    QVERIFY2(title.contains(QLocale().toString(1000)), qPrintable(title));
    QVERIFY2(body.contains(Alice) && body.contains(m_laptop->deviceName()), qPrintable(body));

    // Live again: one notification per conversation, replaced as more come.
    must(dave->send(Alice, {}, QStringLiteral("Still there?")));
    QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 2, Timeout);
    must(dave->send(Alice, {}, QStringLiteral("Hello?")));
    QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 3, Timeout);
    QVERIFY2(posted.at(2).at(0).toString().contains(QLatin1StringView("2 new messages")),
        qPrintable(posted.at(2).at(0).toString()));
    // The text, or for a device notified only (no subject, no body) still a sentence.
    const QString firstLine = posted.at(2).at(1).toString().section(QLatin1Char('\n'), 0, 0);
    QVERIFY2(
        firstLine == QLatin1StringView("Hello?") || firstLine == QLatin1StringView("New message"),
        qPrintable(firstLine));
    laptop.close();
}

void tst_DesktopFlow::testDeliveryStatesAreSaidInWords()
{
    // Sent, delivered and read each have a tooltip and an accessible name with the state
    // and the time, not only a tick colour.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation(Bob);
    QSignalSpy bobIncoming(m_bob.get(), &Client::incomingMessage);
    const QString clientId = must(m_laptop->send(Bob, {}, QStringLiteral("Tick, tock")));
    MessageModel* model = laptop.messageModel();
    const auto row = [&] {
        for (int r = model->rowCount() - 1; r >= 0; --r) {
            if (model->index(r).data(MessageModel::ClientIdRole).toString() == clientId) {
                return r;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(row() >= 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(model->index(row()).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("delivered"), Timeout);
    const QString when = QLocale().toString(
        model->index(row()).data(MessageModel::TimeRole).toDateTime(), QLocale::ShortFormat);
    QString tip = model->index(row()).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1StringView("Delivered")) && tip.contains(when), qPrintable(tip));
    QString spoken = model->index(row()).data(Qt::AccessibleTextRole).toString();
    QVERIFY2(spoken.contains(QLatin1StringView("Tick, tock"))
            && spoken.contains(QLatin1StringView("Delivered")),
        qPrintable(spoken));

    QTRY_COMPARE_WITH_TIMEOUT(bobIncoming.size(), 1, Timeout);
    m_bob->markRead(bobIncoming.at(0).at(0).toLongLong());
    QTRY_COMPARE_WITH_TIMEOUT(model->index(row()).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("displayed"), Timeout);
    tip = model->index(row()).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.startsWith(QLatin1StringView("Read")) && tip.contains(when), qPrintable(tip));
    spoken = model->index(row()).data(Qt::AccessibleTextRole).toString();
    QVERIFY2(spoken.endsWith(QLatin1StringView("Read")), qPrintable(spoken));
    laptop.close();
}

void tst_DesktopFlow::testDeletingAsksAndNeverTakesTheNextMessageToo()
{
    const QString erinAddress = QStringLiteral("erin@cpm.example");
    std::unique_ptr<Client> erin = newUser(QStringLiteral("erin"), QStringLiteral("Erin's phone"));
    must(erin->send(Alice, {}, QStringLiteral("First")));
    must(erin->send(Alice, {}, QStringLiteral("Second")));
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation(erinAddress);
    MessageModel* model = laptop.messageModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, Timeout);
    auto* messages = laptop.findChild<QListView*>(QStringLiteral("messages"));
    QAction* deleteHere = nullptr;
    for (QAction* action : messages->actions()) {
        if (action->shortcut() == QKeySequence(QKeySequence::Delete)) {
            deleteHere = action;
        }
    }
    QVERIFY(deleteHere);

    // Del, confirmed: one goes, and nothing is selected afterwards ...
    messages->setCurrentIndex(model->index(0, 0));
    answerNextDialog();
    deleteHere->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, Timeout);
    QVERIFY(!messages->currentIndex().isValid());
    // ... so a second Del asks nothing and deletes nothing.
    bool asked = false;
    QTimer::singleShot(300, qApp, [&asked] {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            asked = true;
            modal->close();
        }
    });
    deleteHere->trigger();
    QTest::qWait(500);
    QVERIFY(!asked);
    QCOMPARE(model->rowCount(), 1);

    // Deleting the last message leaves the open conversation in the list.
    messages->setCurrentIndex(model->index(0, 0));
    answerNextDialog();
    deleteHere->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 0, Timeout);
    laptop.conversationModel()->reload();
    QVERIFY(laptop.conversationModel()->rowOf(erinAddress) >= 0);
    QCOMPARE(laptop.currentPeer(), erinAddress);
    laptop.close();
}

void tst_DesktopFlow::testSearchFindsAddressesAndTextAndEnterOpens()
{
    QSignalSpy incoming(m_laptop.get(), &Client::incomingMessage);
    must(m_bob->send(Alice, QStringLiteral("kiwi-42"), QStringLiteral("A phrase to find")));
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 1, Timeout);
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation({});
    laptop.conversationModel()->reload();
    auto* search = laptop.findChild<QLineEdit*>(QStringLiteral("search"));
    auto* list = laptop.findChild<QListView*>(QStringLiteral("conversations"));
    auto* none = laptop.findChild<QLabel*>(QStringLiteral("noResults"));
    QVERIFY(search && list && none);
    const auto shownPeers = [&] {
        QStringList peers;
        for (int r = 0; r < list->model()->rowCount(); ++r) {
            peers.append(
                list->model()->index(r, 0).data(ConversationModel::PeerAddressRole).toString());
        }
        return peers;
    };
    // By the newest message's text (here its subject) ...
    QTest::keyClicks(search, QStringLiteral("kiwi-4"));
    QCOMPARE(shownPeers(), QStringList { Bob });
    // ... by an address ...
    search->clear();
    QTest::keyClicks(search, QStringLiteral("bob@cpm"));
    QCOMPARE(shownPeers(), QStringList { Bob });
    QVERIFY(none->isHidden());
    // ... and when nothing matches, it says so.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("nobody-like-this"));
    QVERIFY(shownPeers().isEmpty());
    QVERIFY(!none->isHidden());
    QVERIFY2(
        none->text().contains(QLatin1StringView("nobody-like-this")), qPrintable(none->text()));
    // Enter opens the first result.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("kiwi"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(laptop.currentPeer(), Bob);
    QVERIFY(list->hasFocus() || !laptop.isActiveWindow());
    laptop.close();
}

void tst_DesktopFlow::testNewConversationPicksAContactOrTakesAnAddress()
{
    bool added = false;
    m_laptop->addContact(Bob, QStringLiteral("Bob Builder"), [&](const Error& e) {
        QVERIFY(e.isNull());
        added = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(added, Timeout);
    ui::MainWindow window(m_laptop.get());
    window.show();
    window.openConversation({});
    auto* start = window.findChild<QAction*>(QStringLiteral("newConversation"));
    QVERIFY(start);
    // Runs \a steps in the dialog once it shows (exec() blocks until it closes).
    const auto inDialog = [](std::function<void(ui::NewConversationDialog*)> steps) {
        QTimer::singleShot(0, qApp, [steps] {
            QTRY_VERIFY(
                qobject_cast<ui::NewConversationDialog*>(QApplication::activeModalWidget()));
            steps(qobject_cast<ui::NewConversationDialog*>(QApplication::activeModalWidget()));
        });
    };

    // Part of a contact's name finds them; Enter opens their conversation.
    inDialog([](ui::NewConversationDialog* dialog) {
        auto* to = dialog->findChild<QLineEdit*>(QStringLiteral("recipient"));
        QTest::keyClicks(to, QStringLiteral("build"));
        QCOMPARE(dialog->address(), Bob);
        QTest::keyClick(to, Qt::Key_Return);
    });
    start->trigger();
    QCOMPARE(window.currentPeer(), Bob);
    auto* list = window.findChild<QListView*>(QStringLiteral("conversations"));
    QCOMPARE(list->currentIndex().data(ConversationModel::PeerAddressRole).toString(), Bob);
    QVERIFY(list->selectionModel()->isSelected(list->currentIndex()));

    // Nothing matches and it is no address: nothing to open, and the hint says why.
    inDialog([](ui::NewConversationDialog* dialog) {
        auto* to = dialog->findChild<QLineEdit*>(QStringLiteral("recipient"));
        auto* hint = dialog->findChild<QLabel*>(QStringLiteral("hint"));
        auto* buttons = dialog->findChild<QDialogButtonBox*>();
        QTest::keyClicks(to, QStringLiteral("zz"));
        QVERIFY(dialog->address().isEmpty());
        QVERIFY(!buttons->button(QDialogButtonBox::Ok)->isEnabled());
        QVERIFY2(
            hint->text().contains(QLatin1StringView("full address")), qPrintable(hint->text()));
        QTest::keyClick(to, Qt::Key_Return); // stays open
        QVERIFY(dialog->isVisible());
        // Any full address is taken as typed.
        to->clear();
        QTest::keyClicks(to, QStringLiteral("Zoe@CPM.example"));
        QCOMPARE(dialog->address(), QStringLiteral("zoe@cpm.example"));
        QTest::keyClick(to, Qt::Key_Return);
    });
    start->trigger();
    QCOMPARE(window.currentPeer(), QStringLiteral("zoe@cpm.example"));
    window.close();
}

void tst_DesktopFlow::testASendToAnUnknownUserFailsReadablyAndGoesAgain()
{
    // Written to an address with no account: the bubble says why it was not sent, and once
    // the account exists "Send again" delivers the same message.
    const QString frank = QStringLiteral("frank@cpm.example");
    ui::MainWindow window(m_laptop.get());
    window.show();
    window.openConversation(frank);
    const QString clientId = must(m_laptop->send(frank, {}, QStringLiteral("Are you there?")));
    MessageModel* model = window.messageModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, Timeout);
    const QModelIndex sent = model->index(0);
    QCOMPARE(sent.data(MessageModel::ClientIdRole).toString(), clientId);
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("failed"), Timeout);
    QCOMPARE(
        model->index(0).data(MessageModel::FailureRole).toString(), QStringLiteral("no_such_user"));
    const QString tip = model->index(0).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1StringView("no user with that address")), qPrintable(tip));

    // Said under the bubble too, with the way out: clicking "Send again" before Frank has
    // an account fails the same way again; afterwards it goes.
    auto* messages = window.findChild<QListView*>(QStringLiteral("messages"));
    auto* delegate = qobject_cast<ui::MessageDelegate*>(messages->itemDelegate());
    QSignalSpy again(delegate, &ui::MessageDelegate::sendAgainRequested);
    const auto clickSendAgain = [&] {
        const QRect bubble = delegate->geometry(messages, model->index(0)).bubble;
        const QRect row = messages->visualRect(model->index(0));
        // The action ends at the bubble's right edge, in the line below it.
        const QPoint at(bubble.right() - 5, (bubble.bottom() + row.bottom()) / 2);
        QCOMPARE(delegate->linkAt(messages, at).scheme(), QStringLiteral("cpm-action"));
        QTest::mouseClick(messages->viewport(), Qt::LeftButton, {}, at);
    };
    clickSendAgain();
    QCOMPARE(again.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("failed"), Timeout);
    QVERIFY(m_server.addUser(frank, Password));
    clickSendAgain();
    QCOMPARE(again.size(), 2);
    // Kept for Frank until a device of his connects.
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("sent"), Timeout);
    QVERIFY(model->index(0).data(MessageModel::IdRole).toLongLong() > 0);
    QCOMPARE(model->rowCount(), 1); // the same message, not a copy
    QCOMPARE(model->index(0).data(MessageModel::ClientIdRole).toString(), clientId);
    QVERIFY(model->index(0).data(MessageModel::FailureRole).toString().isEmpty());
    window.close();
}

void tst_DesktopFlow::testNothingShownGoesStale()
{
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation(Bob);
    auto* header = laptop.findChild<QLabel*>(QStringLiteral("peerHeader"));

    // A contact renamed on the phone: the open conversation's header follows.
    bool renamed = false;
    m_phone->addContact(Bob, QStringLiteral("Robert"), [&](const Error& e) {
        QVERIFY(e.isNull());
        renamed = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(renamed, Timeout);
    QTRY_VERIFY2_WITH_TIMEOUT(
        header->text().contains(QLatin1StringView("Robert")), qPrintable(header->text()), Timeout);

    // Offline, the devices window does not claim the phone is online.
    laptop.showDevices();
    auto* dialog = laptop.findChild<ui::DevicesDialog*>();
    QVERIFY(dialog);
    const auto phoneSays = [&] {
        const int row = dialog->model()->rowOf(m_phone->deviceId());
        return ui::DeviceDelegate::presenceText(dialog->model()->index(row));
    };
    QTRY_COMPARE_WITH_TIMEOUT(phoneSays(), QStringLiteral("Online"), Timeout);
    m_laptop->disconnectFromServer();
    QVERIFY2(phoneSays().contains(QLatin1StringView("Not known")), qPrintable(phoneSays()));

    // A message written offline keeps the time it was written, not the server's.
    const qint64 written = QDateTime::currentMSecsSinceEpoch();
    const QString clientId = must(m_laptop->send(Bob, {}, QStringLiteral("Written on a plane")));
    QTest::qWait(1500);
    m_laptop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(phoneSays(), QStringLiteral("Online"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_laptop->outboxSize()), 0, Timeout);
    MessageModel* model = laptop.messageModel();
    const QModelIndex last = model->index(model->rowCount() - 1);
    QCOMPARE(last.data(MessageModel::ClientIdRole).toString(), clientId);
    const qint64 serverTime
        = must(m_laptop->message(last.data(MessageModel::IdRole).toLongLong()))->time;
    QVERIFY(serverTime >= written + 1400);
    QVERIFY(
        qAbs(last.data(MessageModel::TimeRole).toDateTime().toMSecsSinceEpoch() - written) < 500);

    // "Was signed out" is said until the device signs in again.
    std::unique_ptr<Client> tablet = newClient(QStringLiteral("alice-tablet"));
    signInHeadless(tablet.get(), Alice, QStringLiteral("Alice's tablet"));
    QTRY_VERIFY_WITH_TIMEOUT(dialog->model()->rowOf(tablet->deviceId()) >= 0, Timeout);
    dialog->view()->setCurrentIndex(
        dialog->model()->index(dialog->model()->rowOf(tablet->deviceId())));
    auto* status = dialog->findChild<QLabel*>(QStringLiteral("status"));
    answerNextDialog();
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("signOut")), Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QLatin1StringView("was signed out")),
        qPrintable(status->text()), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!tablet->hasAccount(), Timeout);
    signInHeadless(tablet.get(), Alice, QStringLiteral("Alice's tablet"));
    QTRY_VERIFY2_WITH_TIMEOUT(status->text().isEmpty(), qPrintable(status->text()), Timeout);
    bool gone = false;
    tablet->signOutDevice(tablet->deviceId(), [&](const Error&) { gone = true; });
    QTRY_VERIFY_WITH_TIMEOUT(gone, Timeout);
    dialog->close();
    laptop.close();
}

void tst_DesktopFlow::testOthersStatusShowsWhereTheyAre()
{
    // Bob shares his status with Alice by having her in his contacts: her list and the
    // conversation's header show it, and follow when it changes or stops being shared.
    ui::MainWindow laptop(m_laptop.get());
    laptop.show();
    laptop.openConversation(Bob);
    auto* header = laptop.findChild<QLabel*>(QStringLiteral("peerHeader"));
    ConversationModel* list = laptop.conversationModel();
    const auto bobStatus = [&] {
        return list->index(list->rowOf(Bob)).data(ConversationModel::PeerStatusRole).toString();
    };
    QVERIFY(bobStatus().isEmpty());
    bool done = false;
    m_bob->setStatus(QStringLiteral("busy"), QStringLiteral("On a train"), [&](const Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    done = false;
    m_bob->addContact(Alice, QStringLiteral("Alice"), [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bobStatus(), QStringLiteral("busy"), Timeout);
    QTRY_VERIFY2(
        header->text().contains(QLatin1StringView("Busy: On a train")), qPrintable(header->text()));

    done = false;
    m_bob->setStatus(QStringLiteral("available"), {}, [&](const Error&) { done = true; });
    QTRY_COMPARE_WITH_TIMEOUT(bobStatus(), QStringLiteral("available"), Timeout);
    QTRY_VERIFY2(
        header->text().contains(QLatin1StringView("Available")), qPrintable(header->text()));

    // A device that connects later asks for it.
    m_laptop->disconnectFromServer();
    m_laptop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_laptop->state(), ConnectionState::Online, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bobStatus(), QStringLiteral("available"), Timeout);

    done = false;
    m_bob->removeContact(Alice, [&](const Error&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(bobStatus().isEmpty(), Timeout);
    QTRY_VERIFY2(
        !header->text().contains(QLatin1StringView("Available")), qPrintable(header->text()));
    laptop.close();
}

void tst_DesktopFlow::testEmptyPlacesSayWhatToDo()
{
    // A new account's first look: every empty place says what to do next.
    std::unique_ptr<Client> gina = newUser(QStringLiteral("gina"), QStringLiteral("Gina's laptop"));
    ui::MainWindow window(gina.get());
    window.show();
    const auto hintIn = [&](const char* viewName) {
        auto* view = window.findChild<QListView*>(QLatin1StringView(viewName));
        return view ? view->viewport()->findChild<QLabel*>(QStringLiteral("emptyHint")) : nullptr;
    };
    QLabel* conversations = hintIn("conversations");
    QLabel* messages = hintIn("messages");
    QVERIFY(conversations && messages);
    QTRY_VERIFY(conversations->isVisible());
    QVERIFY2(conversations->text().contains(QLatin1StringView("Ctrl+N")),
        qPrintable(conversations->text()));
    QVERIFY(messages->isVisible());
    QVERIFY2(messages->text().contains(QLatin1StringView("Pick a conversation")),
        qPrintable(messages->text()));

    window.openConversation(Bob);
    QVERIFY2(
        messages->isVisible() && messages->text().contains(QLatin1StringView("Nothing written")),
        qPrintable(messages->text()));
    must(gina->send(Bob, {}, QStringLiteral("Hi Bob")));
    QTRY_VERIFY(!messages->isVisible());
    QTRY_VERIFY(!conversations->isVisible());

    window.showContacts();
    auto* contacts = window.findChild<ui::ContactsDialog*>();
    QVERIFY(contacts);
    auto* contactsHint = contacts->findChild<QLabel*>(QStringLiteral("emptyHint"));
    QVERIFY(contactsHint);
    QTRY_VERIFY(contactsHint->isVisible());
    QVERIFY2(contactsHint->text().contains(QLatin1StringView("No contacts yet")),
        qPrintable(contactsHint->text()));
    contacts->close();
    window.close();
}

void tst_DesktopFlow::testDamagedProfileShowsNoticeUntilDismissed()
{
    // A device of Alice's with Bob's messages on it, whose database is then destroyed.
    const QString name = QStringLiteral("damaged");
    {
        std::unique_ptr<Client> tablet = newClient(name);
        signInHeadless(tablet.get(), Alice, QStringLiteral("Alice's tablet"));
        QTRY_VERIFY_WITH_TIMEOUT(!must(tablet->messages(Bob)).isEmpty(), Timeout);
        tablet->disconnectFromServer();
    }
    {
        QFile db(m_profiles.filePath(name + QStringLiteral("/cpm.sqlite")));
        QVERIFY(db.open(QIODevice::ReadWrite));
        QVERIFY(db.write(QByteArray(db.size(), '\x5a')) > 0);
    }
    test::UiTestFixture::expectWarning(QStringLiteral("not a database"));
    test::UiTestFixture::expectWarning(QStringLiteral("is damaged"));
    std::unique_ptr<Client> tablet = newClient(name);
    QVERIFY(!tablet->recoveredStore().isEmpty());

    ui::MainWindow window(tablet.get());
    window.show();
    auto* notice = window.findChild<QWidget*>(QStringLiteral("notice"));
    auto* text = window.findChild<QLabel*>(QStringLiteral("noticeText"));
    auto* dismiss = window.findChild<QAbstractButton*>(QStringLiteral("dismissNotice"));
    QVERIFY(notice && text && dismiss);
    QVERIFY(notice->isVisible());
    QVERIFY2(text->text().contains(QLatin1StringView("set aside")), qPrintable(text->text()));

    // The device downloads its messages again, and the notice stays while it does.
    tablet->connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(window.conversationModel()->rowOf(Bob) >= 0, Timeout);
    QVERIFY(notice->isVisible());
    QTest::mouseClick(dismiss, Qt::LeftButton);
    QVERIFY(!notice->isVisible());

    // Storage trouble later on brings it back; Escape on it puts it away.
    Q_EMIT tablet->errorOccurred(makeError(ErrorCode::StorageFull, QStringLiteral("full")));
    QVERIFY(notice->isVisible());
    QVERIFY2(text->text().contains(QLatin1StringView("server's storage is full")),
        qPrintable(text->text()));
    dismiss->setFocus();
    QTest::keyClick(notice, Qt::Key_Escape);
    QVERIFY(!notice->isVisible());
    window.close();
}

void tst_DesktopFlow::testRemoteSignOutReturnsToSignIn()
{
    // DEV-2: the phone signs the laptop out. The laptop's window goes away, its data is
    // wiped, and the sign-in window comes back saying why; signing in again works.
    ui::DesktopApp app(m_laptop.get());
    QVERIFY(app.start()); // the profile has an account: straight to the main window
    QPointer<ui::MainWindow> first = app.mainWindow();
    QVERIFY(first && first->isVisible());

    // The sign-in dialog runs modally inside the app's slot; answer it from inside.
    QString notice;
    QString kindOffered;
    QString nameOffered;
    std::function<void()> answerSignIn = [&] {
        auto* dialog = qobject_cast<ui::SignInDialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            QTimer::singleShot(20, qApp, answerSignIn);
            return;
        }
        notice = dialog->findChild<QLabel*>(QStringLiteral("notice"))->text();
        kindOffered
            = dialog->findChild<QComboBox*>(QStringLiteral("kind"))->currentData().toString();
        nameOffered = dialog->findChild<QLineEdit*>(QStringLiteral("deviceName"))->text();
        auto* address = dialog->findChild<QLineEdit*>(QStringLiteral("address"));
        address->setText(Alice);
        dialog->findChild<QLineEdit*>(QStringLiteral("password"))->setText(Password);
        dialog->findChild<QPushButton*>(QStringLiteral("signIn"))->click();
    };
    QTimer::singleShot(0, qApp, answerSignIn);

    // The laptop may try its revoked token once before it learns it was signed out.
    test::UiTestFixture::expectWarning(QStringLiteral("device_signed_out"));
    const qint64 laptopId = m_laptop->deviceId();
    bool done = false;
    m_phone->signOutDevice(laptopId, [&](const Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(first.isNull() || !first->isVisible(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() && app.mainWindow() != first, Timeout);
    QVERIFY2(notice.contains(QLatin1StringView("signed out")), qPrintable(notice));
    // The device is what it was: its name and kind are offered again.
    QCOMPARE(kindOffered, QStringLiteral("desktop"));
    QCOMPARE(nameOffered, QStringLiteral("Alice's laptop"));
    QVERIFY(app.mainWindow()->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(m_laptop->state(), ConnectionState::Online, Timeout);
    QVERIFY(m_laptop->deviceId() != 0);
    // Wiped: the history this device had is gone until it syncs again, and the old
    // token went with it (the new registration has a new one).
    app.mainWindow()->close();
}

QTEST_MAIN(tst_DesktopFlow)
#include "tst_desktopflow.moc"
