// SPDX-License-Identifier: GPL-3.0-or-later
// A guest on someone else's computer (GST-1..GST-6), clicked through as a person would,
// against a real cpm-server: the guest sign-in from the owner's sign-in window and from
// `cpm-desktop --guest`, the banner, the user's messages arriving, and a sign-out (here, or
// from the user's other device) that removes the guest's directory, the clipboard text the
// app put there and the window, and returns to the sign-in window.

#include "client.h"
#include "conversationmodel.h"
#include "desktopapp.h"
#include "guestvault.h"
#include "mainwindow.h"
#include "messagemodel.h"
#include "must.h"
#include "signindialog.h"
#include "testserver.h"
#include "uiclients.h"
#include "uitestfixture.h"

#include <QAction>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace cpm;
using cpm::test::must;

namespace {
constexpr int Timeout = 15000;
const QString Password = QStringLiteral("open sesame");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
const QString BannerText
    = QStringLiteral("Guest on this device — everything is removed when you sign out.");

template <typename T> T* child(QObject& parent, const char* name)
{
    T* w = parent.findChild<T*>(QString::fromLatin1(name));
    [&] { QVERIFY2(w, name); }();
    return w;
}

//! Runs \a answer on the sign-in window once it is up (it runs modally inside the app).
void onSignInDialog(const std::function<void(ui::SignInDialog&)>& answer)
{
    QTimer::singleShot(20, qApp, [answer] {
        auto* dialog = qobject_cast<ui::SignInDialog*>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible()) {
            onSignInDialog(answer);
            return;
        }
        answer(*dialog);
    });
}

//! Answers the next question box with Yes, as a person would.
void answerYes()
{
    QTimer::singleShot(0, qApp, [] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        } else {
            answerYes();
        }
    });
}

//! Types Alice's address and password into the guest form and signs in.
void signInAsAlice(ui::SignInDialog& dialog)
{
    QTest::keyClicks(child<QLineEdit>(dialog, "address"), Alice);
    QTest::keyClicks(child<QLineEdit>(dialog, "password"), Password);
    QTest::mouseClick(child<QPushButton>(dialog, "signIn"), Qt::LeftButton);
}

void cancel(ui::SignInDialog& dialog)
{
    QTest::mouseClick(
        dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
}

} // namespace

class tst_GuestFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void testGuestFromTheSignInWindowAndSignOutFromTheBanner();
    void testRemoteSignOutReturnsTheGuestWindowToSignIn();
    void testQuittingDuringAGuestSessionSignsTheGuestOut();

private:
    //! The guest devices of Alice's account, as her phone sees them now.
    QList<Device> guestDevices();

    test::UiTestFixture m_fixture;
    test::TestServer m_server;
    QTemporaryDir m_profiles;
    QTemporaryDir m_guestParent;
    std::unique_ptr<Client> m_phone;
};

void tst_GuestFlow::initTestCase()
{
    m_fixture.install();
    QVERIFY(m_profiles.isValid() && m_guestParent.isValid());
    qputenv(GuestVault::ParentVariable, m_guestParent.path().toLocal8Bit());
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_phone = test::newUiClient(m_profiles, QStringLiteral("alice-phone"), m_server.url());
    test::signInHeadless(m_phone.get(), Alice, Password, QStringLiteral("Alice's phone"),
        QStringLiteral("mobile"), Timeout);
}

void tst_GuestFlow::cleanup() { test::UiTestFixture::verifyClean(); }

void tst_GuestFlow::cleanupTestCase() { m_phone.reset(); }

QList<Device> tst_GuestFlow::guestDevices()
{
    bool done = false;
    m_phone->refreshDevices([&](const Error& e) {
        QVERIFY2(e.isNull(), qPrintable(e.message));
        done = true;
    });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done, Timeout); }();
    QList<Device> guests;
    for (const Device& d : must(m_phone->devices())) {
        if (d.guest) {
            guests.append(d);
        }
    }
    return guests;
}

void tst_GuestFlow::testGuestFromTheSignInWindowAndSignOutFromTheBanner()
{
    // The computer's owner has a profile (not signed in: her sign-in window shows). Alice
    // visits and chooses the guest sign-in there.
    std::unique_ptr<Client> owner
        = test::newUiClient(m_profiles, QStringLiteral("owner"), m_server.url());
    ui::DesktopApp app(owner.get());

    QString sentence;
    bool sentenceShown = false;
    QString guestTitle;
    QString offeredName;
    bool kindShown = true;
    bool browseShown = true;
    onSignInDialog([&](ui::SignInDialog& dialog) {
        auto* info = child<QLabel>(dialog, "guestInfo");
        sentence = info->text();
        sentenceShown = info->isVisible();
        auto* guestButton = child<QPushButton>(dialog, "guestMode");
        QTest::mouseClick(guestButton, Qt::LeftButton);
        guestTitle = dialog.windowTitle();
        offeredName = child<QLineEdit>(dialog, "deviceName")->text();
        kindShown = child<QWidget>(dialog, "kind")->isVisible();
        browseShown = false;
        for (auto* button : dialog.findChildren<QPushButton*>()) {
            browseShown |= button->isVisible() && button->text().contains(u"Browse");
        }
        signInAsAlice(dialog);
    });
    QVERIFY(app.start());
    QVERIFY2(sentenceShown && sentence.contains(QLatin1StringView("removed completely")),
        qPrintable(sentence));
    QCOMPARE(guestTitle, QStringLiteral("Guest sign-in — CPM"));
    QCOMPARE(offeredName, QStringLiteral("Guest on %1").arg(QSysInfo::machineHostName()));
    QVERIFY(!kindShown);
    QVERIFY(!browseShown);

    // The guest's own device, in a directory under the guest parent; the owner's untouched.
    Client* guest = app.guestClient();
    QVERIFY(guest && guest->isGuest() && guest != owner.get());
    QVERIFY(!owner->hasAccount());
    const QString vault = guest->profileDir();
    QVERIFY2(vault.startsWith(m_guestParent.path()) && QFileInfo(vault).isDir(), qPrintable(vault));

    QPointer<ui::MainWindow> window = app.mainWindow();
    QVERIFY(window && window->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(window));
    auto* banner = child<QWidget>(*window, "guestBanner");
    QVERIFY(banner->isVisible());
    QCOMPARE(child<QLabel>(*window, "guestBannerText")->text(), BannerText);
    QVERIFY2(window->windowTitle().startsWith(QLatin1StringView("Guest")),
        qPrintable(window->windowTitle()));
    // A guest cannot hand the computer to yet another guest.
    QVERIFY(!window->findChild<QAction*>(QStringLiteral("letGuestSignIn")));

    // What Alice writes on her phone reaches the guest window.
    const QString body = QStringLiteral("Bring the blue folder, please");
    must(m_phone->send(Bob, QStringLiteral("Tomorrow"), body));
    QTRY_VERIFY_WITH_TIMEOUT(window->conversationModel()->rowOf(Bob) >= 0, Timeout);
    auto* conversations = child<QListView>(*window, "conversations");
    const QModelIndex row = conversations->model()->index(0, 0);
    QTest::mouseClick(
        conversations->viewport(), Qt::LeftButton, {}, conversations->visualRect(row).center());
    QTRY_VERIFY_WITH_TIMEOUT(test::hasBody(*window, body), Timeout);

    // She copies its text with the message's menu.
    auto* messages = child<QListView>(*window, "messages");
    QTRY_VERIFY(messages->model()->rowCount() > 0);
    const QPoint at = messages->visualRect(messages->model()->index(0, 0)).center();
    QTimer::singleShot(0, qApp, [] {
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        QVERIFY(menu);
        for (QAction* action : menu->actions()) {
            if (action->text() == QLatin1StringView("Copy text")) {
                action->trigger();
            }
        }
        menu->close();
    });
    QContextMenuEvent menuEvent(
        QContextMenuEvent::Mouse, at, messages->viewport()->mapToGlobal(at));
    QApplication::sendEvent(messages->viewport(), &menuEvent);
    QCOMPARE(QGuiApplication::clipboard()->text(), body);

    // Sign out in the banner: a question, a progress window while the data goes, then the
    // owner's sign-in window again.
    QString progressText;
    connect(guest, &Client::signedOut, this, [&] {
        auto* progress = window ? window->findChild<QProgressDialog*>() : nullptr;
        progressText = progress && progress->isVisible() ? progress->labelText() : QString();
    });
    QString notice;
    bool guestModeAfter = true;
    onSignInDialog([&](ui::SignInDialog& dialog) {
        notice = child<QLabel>(dialog, "notice")->text();
        guestModeAfter = dialog.isGuestMode();
        cancel(dialog);
    });
    QSignalSpy finished(&app, &ui::DesktopApp::finished);
    QSignalSpy ended(&app, &ui::DesktopApp::guestSessionEnded);
    answerYes();
    QTest::mouseClick(child<QPushButton>(*window, "guestSignOut"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, Timeout);
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.first().first().toBool(), true);
    QCOMPARE(progressText, QStringLiteral("Removing your data from this computer…"));
    QVERIFY(window.isNull());
    QVERIFY2(!QFileInfo::exists(vault), qPrintable(vault));
    QVERIFY(!guestModeAfter); // the owner's sign-in, as before the visit
    QVERIFY2(notice.contains(QLatin1StringView("removed from this computer")), qPrintable(notice));
    QVERIFY(QGuiApplication::clipboard()->text().isEmpty());
    QVERIFY(!app.guestClient());
    QVERIFY(!owner->hasAccount());

    // The server was told: the phone's device list no longer has the guest.
    QTRY_VERIFY_WITH_TIMEOUT(guestDevices().isEmpty(), Timeout);
}

void tst_GuestFlow::testRemoteSignOutReturnsTheGuestWindowToSignIn()
{
    // `cpm-desktop --guest`: no profile of this computer at all, the guest form at once.
    ui::DesktopApp app(nullptr);
    app.setGuestServerUrls({ m_server.url() });
    bool switchShown = true;
    bool guestMode = false;
    onSignInDialog([&](ui::SignInDialog& dialog) {
        switchShown = child<QPushButton>(dialog, "guestMode")->isVisible();
        guestMode = dialog.isGuestMode();
        signInAsAlice(dialog);
    });
    QVERIFY(app.start());
    QVERIFY(!switchShown);
    QVERIFY(guestMode);
    Client* guest = app.guestClient();
    QVERIFY(guest);
    const QString vault = guest->profileDir();
    QVERIFY(QFileInfo(vault).isDir());
    QPointer<ui::MainWindow> window = app.mainWindow();
    QVERIFY(window && child<QWidget>(*window, "guestBanner")->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(guest->state(), ConnectionState::Online, Timeout);

    // What the person copied from another program is not the app's to clear.
    const QString elsewhere = QStringLiteral("copied in another program");
    QGuiApplication::clipboard()->setText(elsewhere);

    // Alice, on her phone, signs the guest device out.
    const QList<Device> guests = guestDevices();
    QCOMPARE(guests.size(), 1);
    QCOMPARE(guests.first().name, QStringLiteral("Guest on %1").arg(QSysInfo::machineHostName()));
    QString notice;
    bool guestModeAfter = false;
    onSignInDialog([&](ui::SignInDialog& dialog) {
        notice = child<QLabel>(dialog, "notice")->text();
        guestModeAfter = dialog.isGuestMode();
        cancel(dialog);
    });
    QSignalSpy finished(&app, &ui::DesktopApp::finished);
    QSignalSpy ended(&app, &ui::DesktopApp::guestSessionEnded);
    // The guest may try its revoked token once before it learns it was signed out.
    test::UiTestFixture::expectWarning(QStringLiteral("device_signed_out"));
    bool done = false;
    // It happens while the guest has the sign-out question open here: the question goes
    // with the window (its event loop ends first) instead of outliving it.
    bool questionWasOpen = false;
    QTimer::singleShot(0, this, [&] {
        QTimer::singleShot(50, this, [&] {
            questionWasOpen = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            m_phone->signOutDevice(guests.first().id, [&](const Error& e) {
                QVERIFY2(e.isNull(), qPrintable(e.message));
                done = true;
            });
        });
        if (window) {
            QTest::mouseClick(child<QPushButton>(*window, "guestSignOut"), Qt::LeftButton);
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, Timeout);
    QVERIFY(questionWasOpen);
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.first().first().toBool(), false);
    QVERIFY(window.isNull());
    QVERIFY2(!QFileInfo::exists(vault), qPrintable(vault));
    QVERIFY(guestModeAfter);
    QVERIFY2(notice.startsWith(QLatin1StringView("Your guest session ended:")), qPrintable(notice));
    QCOMPARE(QGuiApplication::clipboard()->text(), elsewhere);
    QVERIFY(guestDevices().isEmpty());
    QGuiApplication::clipboard()->clear();
}

void tst_GuestFlow::testQuittingDuringAGuestSessionSignsTheGuestOut()
{
    // The guest closes the app instead of signing out: the same wipe, and the server hears
    // of it before the process ends, so the device is gone from the phone's list at once.
    QString vault;
    {
        ui::DesktopApp app(nullptr);
        app.setGuestServerUrls({ m_server.url() });
        onSignInDialog([&](ui::SignInDialog& dialog) { signInAsAlice(dialog); });
        QVERIFY(app.start());
        Client* guest = app.guestClient();
        QVERIFY(guest);
        vault = guest->profileDir();
        QTRY_COMPARE_WITH_TIMEOUT(guest->state(), ConnectionState::Online, Timeout);
        QCOMPARE(guestDevices().size(), 1);
        // ~DesktopApp, as at the end of main() after the last window closed.
    }
    QVERIFY2(!QFileInfo::exists(vault), qPrintable(vault));
    QVERIFY(guestDevices().isEmpty()); // told before the app was gone, not expired later
}

QTEST_MAIN(tst_GuestFlow)
#include "tst_guestflow.moc"
