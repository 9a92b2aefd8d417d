// SPDX-License-Identifier: GPL-3.0-or-later
// Chat sessions on the desktop, clicked through as a person would, against a real
// cpm-server with real client cores: the request banner on two windows of one user, a
// session moved to another window with its history, taken over with "Continue here",
// declined, and missed.

#include "client.h"
#include "composer.h"
#include "historychoicewidget.h"
#include "mainwindow.h"
#include "messagemodel.h"
#include "missedrequestbar.h"
#include "movesessiondialog.h"
#include "must.h"
#include "notifier.h"
#include "othersessionsdialog.h"
#include "sessionbar.h"
#include "sessionmanager.h"
#include "sessionrequestbar.h"
#include "testserver.h"
#include "uiclients.h"
#include "uitestfixture.h"

#include <QAction>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <memory>

using namespace cpm;
using cpm::test::must;

namespace {
constexpr int Timeout = 15000;
const QString Password = QStringLiteral("open sesame");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

template <typename T> T* child(QWidget& parent, const char* name)
{
    T* w = parent.findChild<T*>(QString::fromLatin1(name));
    [&] { QVERIFY2(w, name); }();
    return w;
}

QString barText(QWidget& window, const char* bar, const char* label)
{
    auto* frame = window.findChild<QWidget*>(QString::fromLatin1(bar));
    auto* text = frame ? frame->findChild<QLabel*>(QString::fromLatin1(label)) : nullptr;
    return frame && text && frame->isVisible() ? text->text() : QString();
}

QString requestText(QWidget& window)
{
    return barText(window, "sessionRequestBar", "sessionRequestText");
}

QString sessionText(QWidget& window) { return barText(window, "sessionBar", "sessionText"); }

} // namespace

class tst_SessionFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void testAcceptOnOneWindowWithdrawsTheBannerInAnother();
    void testMovingShowsTheHistoryOnTheOtherWindow();
    void testContinueHerePullsTheSession();
    void testDeclineAndMissedRequest();
    void testStartingASessionWaitsForTheAnswer();

private:
    std::unique_ptr<Client> signIn(
        const QString& profile, const QString& address, const QString& device, const QString& kind);
    //! Ends whatever session is still open, so the next test starts clean.
    void endOpenSessions();
    //! Bob asks Alice; Alice's window \a window accepts in its banner.
    qint64 bobAsksAliceAndWindowAccepts(ui::MainWindow& window);

    test::UiTestFixture m_fixture;
    test::TestServer m_server;
    QTemporaryDir m_profiles;
    std::unique_ptr<Client> m_aliceLaptop;
    std::unique_ptr<Client> m_aliceDesk;
    std::unique_ptr<Client> m_bobTablet;
    std::unique_ptr<Client> m_bobPhone;
};

std::unique_ptr<Client> tst_SessionFlow::signIn(
    const QString& profile, const QString& address, const QString& device, const QString& kind)
{
    std::unique_ptr<Client> c = test::newUiClient(m_profiles, profile, m_server.url());
    test::signInHeadless(c.get(), address, Password, device, kind, Timeout);
    return c;
}

void tst_SessionFlow::initTestCase()
{
    m_fixture.install();
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_aliceLaptop = signIn(QStringLiteral("alice-laptop"), Alice, QStringLiteral("Alice's laptop"),
        QStringLiteral("laptop"));
    m_aliceDesk = signIn(QStringLiteral("alice-desk"), Alice, QStringLiteral("Alice's desk"),
        QStringLiteral("desktop"));
    m_bobTablet = signIn(QStringLiteral("bob-tablet"), Bob, QStringLiteral("Bob's tablet"),
        QStringLiteral("tablet"));
    m_bobPhone = signIn(
        QStringLiteral("bob-phone"), Bob, QStringLiteral("Bob's phone"), QStringLiteral("mobile"));
}

void tst_SessionFlow::cleanup()
{
    endOpenSessions();
    test::UiTestFixture::verifyClean();
}

void tst_SessionFlow::cleanupTestCase()
{
    m_aliceLaptop.reset();
    m_aliceDesk.reset();
    m_bobTablet.reset();
    m_bobPhone.reset();
    m_server.stop();
}

void tst_SessionFlow::endOpenSessions()
{
    for (const Session& s : m_aliceLaptop->sessions().openSessions()) {
        bool done = false;
        m_aliceLaptop->sessions().end(s.id, [&](const Error&, const Session&) { done = true; });
        QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    }
    for (Client* c :
        { m_aliceLaptop.get(), m_aliceDesk.get(), m_bobTablet.get(), m_bobPhone.get() }) {
        QTRY_VERIFY_WITH_TIMEOUT(c->sessions().openSessions().isEmpty(), Timeout);
    }
}

qint64 tst_SessionFlow::bobAsksAliceAndWindowAccepts(ui::MainWindow& window)
{
    qint64 id = 0;
    m_bobTablet->sessions().invite(
        Alice, QStringLiteral("Pictures"), [&](const Error& error, const Session& s) {
            QVERIFY2(error.isNull(), qPrintable(error.message));
            id = s.id;
        });
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(id != 0, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(!requestText(window).isEmpty(), Timeout);
        auto* accept = child<QPushButton>(window, "acceptSession");
        QVERIFY(accept);
        QTest::mouseClick(accept, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            sessionText(window).startsWith(QLatin1StringView("Chat session with")), Timeout);
    }();
    return id;
}

void tst_SessionFlow::testAcceptOnOneWindowWithdrawsTheBannerInAnother()
{
    ui::MainWindow tablet(m_bobTablet.get());
    ui::MainWindow phone(m_bobPhone.get());
    tablet.sessionRequestBar()->setLingerMs(700);
    phone.sessionRequestBar()->setLingerMs(700);
    tablet.show();
    phone.show();

    qint64 id = 0;
    m_aliceLaptop->sessions().invite(
        Bob, QStringLiteral("Pictures"), [&](const Error& error, const Session& s) {
            QVERIFY2(error.isNull(), qPrintable(error.message));
            id = s.id;
        });
    QTRY_VERIFY_WITH_TIMEOUT(id != 0, Timeout);
    // Both of Bob's windows ring, with a banner and a notification.
    const QString asks = QStringLiteral("alice@cpm.example wants to chat now — Pictures");
    QTRY_COMPARE_WITH_TIMEOUT(requestText(tablet), asks, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(requestText(phone), asks, Timeout);
    QCOMPARE(tablet.notifier()->openSessionRequests(), QList<qint64> { id });
    QCOMPARE(phone.notifier()->openSessionRequests(), QList<qint64> { id });
    // Alice's own session bar view: she waits (her core has no window; Bob's start action
    // knows a session with her is being asked).
    tablet.openConversation(Alice);
    QVERIFY(!tablet.findChild<QAction*>(QStringLiteral("startSession"))->isEnabled());

    QTest::mouseClick(child<QPushButton>(tablet, "acceptSession"), Qt::LeftButton);
    // The other window says where it was answered, withdraws its notification, then goes.
    QTRY_COMPARE_WITH_TIMEOUT(
        requestText(phone), QStringLiteral("Answered on Bob's tablet"), Timeout);
    QVERIFY(phone.notifier()->openSessionRequests().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(phone.sessionRequestBar()->isHidden(), Timeout);
    // The window that accepted shows the session and speaks into it.
    QVERIFY(tablet.sessionRequestBar()->isHidden());
    QVERIFY(tablet.notifier()->openSessionRequests().isEmpty());
    QCOMPARE(tablet.currentPeer(), Alice);
    QTRY_VERIFY_WITH_TIMEOUT(sessionText(tablet).startsWith(
                                 QLatin1StringView("Chat session with alice@cpm.example since")),
        Timeout);
    QVERIFY(child<QPushButton>(tablet, "moveSession")->isVisible());
    QVERIFY(child<QPushButton>(tablet, "endSession")->isVisible());

    // Typing says so on Alice's side; what is sent belongs to the session.
    QSignalSpy composing(&m_aliceLaptop->sessions(), &SessionManager::peerComposingChanged);
    auto* text = child<QPlainTextEdit>(tablet, "messageText");
    QTest::keyClicks(text, QStringLiteral("Show me"));
    QTRY_VERIFY_WITH_TIMEOUT(m_aliceLaptop->sessions().isPeerComposing(id), Timeout);
    // Alice types too: Bob's bar says so.
    m_aliceLaptop->sessions().setComposing(id, true);
    QTRY_COMPARE_WITH_TIMEOUT(barText(tablet, "sessionBar", "sessionComposing"),
        QStringLiteral("alice@cpm.example is typing…"), Timeout);
    QSignalSpy incoming(m_aliceLaptop.get(), &Client::incomingMessage);
    QTest::keyClick(text, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(incoming.size(), 1, Timeout);
    const auto said = must(m_aliceLaptop->message(incoming.at(0).at(0).toLongLong()));
    QVERIFY(said);
    QCOMPARE(said->session, id);
    QTRY_VERIFY_WITH_TIMEOUT(!m_aliceLaptop->sessions().isPeerComposing(id), Timeout);

    // Alice ends it: the bar says so, the message stays (SES-9).
    m_aliceLaptop->sessions().end(id);
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionText(tablet), QStringLiteral("Session ended by alice@cpm.example"), Timeout);
    QVERIFY(test::hasBody(tablet, QStringLiteral("Show me")));
    QTest::mouseClick(child<QToolButton>(tablet, "closeSessionBar"), Qt::LeftButton);
    QVERIFY(tablet.sessionBar()->isHidden());
    QTRY_VERIFY_WITH_TIMEOUT(
        tablet.findChild<QAction*>(QStringLiteral("startSession"))->isEnabled(), Timeout);
    tablet.close();
    phone.close();
}

void tst_SessionFlow::testMovingShowsTheHistoryOnTheOtherWindow()
{
    ui::MainWindow laptop(m_aliceLaptop.get());
    ui::MainWindow desk(m_aliceDesk.get());
    laptop.show();
    desk.show();
    const qint64 id = bobAsksAliceAndWindowAccepts(laptop);
    QCOMPARE(laptop.currentPeer(), Bob);
    // A few things said on both sides.
    auto* text = child<QPlainTextEdit>(laptop, "messageText");
    for (const QString& line : { QStringLiteral("One"), QStringLiteral("Two") }) {
        QTest::keyClicks(text, line);
        QTest::keyClick(text, Qt::Key_Return);
    }
    must(m_bobTablet->sessions().say(id, QStringLiteral("Three")));
    QTRY_VERIFY_WITH_TIMEOUT(test::hasBody(laptop, QStringLiteral("Three")), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_aliceLaptop->outboxSize().valueOr(-1), 0, Timeout);

    // Move to…: the desk is offline at first, greyed out with the reason.
    m_aliceDesk->disconnectFromServer();
    QTest::mouseClick(child<QPushButton>(laptop, "moveSession"), Qt::LeftButton);
    auto* dialog = laptop.findChild<ui::MoveSessionDialog*>(QStringLiteral("moveSessionDialog"));
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->devices()->count(), 1, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!(dialog->devices()->item(0)->flags() & Qt::ItemIsEnabled), Timeout);
    QVERIFY(dialog->devices()->item(0)->toolTip().contains(QLatin1StringView("not connected")));
    QVERIFY(!child<QPushButton>(*dialog, "moveButton")->isEnabled());
    // Once it is back it can be chosen: to the desk, with the whole conversation.
    m_aliceDesk->connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->devices()->item(0)->flags() & Qt::ItemIsEnabled, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->devices()->currentItem(), Timeout);
    QVERIFY(child<QPushButton>(*dialog, "moveButton")->isEnabled());
    QVERIFY(dialog->devices()->currentItem()->text().startsWith(QLatin1StringView("Alice's desk")));
    child<QRadioButton>(*dialog, "historyAll")->click();
    QSignalSpy loaded(&m_aliceDesk->sessions(), &SessionManager::historyLoaded);
    QTest::mouseClick(child<QPushButton>(*dialog, "moveButton"), Qt::LeftButton);

    // The desk's window opens the conversation with the session and its messages.
    QTRY_COMPARE_WITH_TIMEOUT(desk.currentPeer(), Bob, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        sessionText(desk).startsWith(QLatin1StringView("Chat session with bob@cpm.example since")),
        Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, Timeout);
    QVERIFY(loaded.at(0).at(1).toInt() >= 3);
    for (const QString& line :
        { QStringLiteral("One"), QStringLiteral("Two"), QStringLiteral("Three") }) {
        QVERIFY2(test::hasBody(desk, line), qPrintable(line));
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        barText(desk, "sessionBar", "sessionDetail").contains(QLatin1StringView("Loaded")),
        Timeout);
    // The laptop says where it went on, and its composer writes ordinary messages now.
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionText(laptop), QStringLiteral("Continued on Alice's desk"), Timeout);
    QVERIFY(!laptop.findChild<ui::MoveSessionDialog*>());
    QVERIFY(child<QPushButton>(laptop, "pullSession")->isVisible());
    QSignalSpy sent(m_aliceLaptop.get(), &Client::messageSent);
    QTest::keyClicks(text, QStringLiteral("Plain"));
    QTest::keyClick(text, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    const auto plain = must(m_aliceLaptop->message(sent.at(0).at(1).toLongLong()));
    QVERIFY(plain);
    QCOMPARE(plain->session, 0);
    // The desk speaks into the session.
    QSignalSpy bobGets(m_bobTablet.get(), &Client::incomingMessage);
    auto* deskText = child<QPlainTextEdit>(desk, "messageText");
    QTest::keyClicks(deskText, QStringLiteral("From the desk"));
    QTest::keyClick(deskText, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant>& args : std::as_const(bobGets)) {
                const auto m = m_bobTablet->message(args.at(0).toLongLong()).valueOr({});
                if (m && m->body == QLatin1StringView("From the desk")) {
                    return m->session == id;
                }
            }
            return false;
        }(),
        Timeout);
    laptop.close();
    desk.close();
}

void tst_SessionFlow::testContinueHerePullsTheSession()
{
    ui::MainWindow laptop(m_aliceLaptop.get());
    ui::MainWindow desk(m_aliceDesk.get());
    laptop.show();
    desk.show();
    const qint64 id = bobAsksAliceAndWindowAccepts(laptop);
    must(m_bobTablet->sessions().say(id, QStringLiteral("Are you at your desk?")));
    QTRY_VERIFY_WITH_TIMEOUT(
        test::hasBody(laptop, QStringLiteral("Are you at your desk?")), Timeout);

    // On the desk: Session > Sessions on my other devices… lists it, with where it is.
    QTRY_COMPARE_WITH_TIMEOUT(m_aliceDesk->sessions().elsewhere().size(), 1, Timeout);
    desk.findChild<QAction*>(QStringLiteral("showOtherSessions"))->trigger();
    auto* dialog = desk.findChild<ui::OtherSessionsDialog*>(QStringLiteral("otherSessions"));
    QVERIFY(dialog);
    QCOMPARE(dialog->list()->count(), 1);
    QVERIFY(dialog->list()->item(0)->text().startsWith(QStringLiteral("bob@cpm.example — since")));
    QVERIFY(dialog->list()->item(0)->text().endsWith(QLatin1StringView("on Alice's laptop")));
    // "This session" is the default history.
    QVERIFY(child<QRadioButton>(*dialog, "historySession")->isChecked());
    QSignalSpy progress(&m_aliceDesk->sessions(), &SessionManager::historyProgress);
    QTest::mouseClick(child<QPushButton>(*dialog, "continueHere"), Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(desk.currentPeer(), Bob, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        sessionText(desk).startsWith(QLatin1StringView("Chat session with bob@cpm.example since")),
        Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), Timeout);
    QVERIFY(test::hasBody(desk, QStringLiteral("Are you at your desk?")));
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionText(laptop), QStringLiteral("Continued on Alice's desk"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!desk.findChild<ui::OtherSessionsDialog*>(), Timeout);
    // Bob ends it: the desk says why, the messages stay.
    m_bobTablet->sessions().end(id);
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionText(desk), QStringLiteral("Session ended by bob@cpm.example"), Timeout);
    QVERIFY(test::hasBody(desk, QStringLiteral("Are you at your desk?")));
    laptop.close();
    desk.close();
}

void tst_SessionFlow::testDeclineAndMissedRequest()
{
    ui::MainWindow tablet(m_bobTablet.get());
    ui::MainWindow phone(m_bobPhone.get());
    tablet.sessionRequestBar()->setLingerMs(700);
    phone.sessionRequestBar()->setLingerMs(700);
    tablet.show();
    phone.show();
    tablet.openConversation(Alice);

    // Declined on the tablet: gone there at once, said on the phone, then gone.
    m_aliceLaptop->sessions().invite(Bob, {});
    QTRY_COMPARE_WITH_TIMEOUT(
        requestText(tablet), QStringLiteral("alice@cpm.example wants to chat now"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!requestText(phone).isEmpty(), Timeout);
    QTest::mouseClick(child<QPushButton>(tablet, "declineSession"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(
        requestText(phone), QStringLiteral("Declined on another of your devices"), Timeout);
    QVERIFY(tablet.sessionRequestBar()->isHidden());
    QVERIFY(phone.notifier()->openSessionRequests().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(phone.sessionRequestBar()->isHidden(), Timeout);
    // A decline is no missed request.
    QVERIFY(tablet.findChild<ui::MissedRequestBar*>()->isHidden());
    QTRY_VERIFY_WITH_TIMEOUT(m_aliceLaptop->sessions().openSessions().isEmpty(), Timeout);

    // Cancelled by Alice before anyone answered: missed, on both windows.
    qint64 id = 0;
    m_aliceLaptop->sessions().invite(Bob, {}, [&](const Error&, const Session& s) { id = s.id; });
    QTRY_VERIFY_WITH_TIMEOUT(!requestText(phone).isEmpty(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!requestText(tablet).isEmpty(), Timeout);
    m_aliceLaptop->sessions().cancel(id);
    const QString missed = QStringLiteral("Missed session request from alice@cpm.example");
    QTRY_COMPARE_WITH_TIMEOUT(requestText(tablet), missed, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(requestText(phone), missed, Timeout);
    QVERIFY(tablet.notifier()->openSessionRequests().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(tablet.sessionRequestBar()->isHidden(), Timeout);
    // In the conversation with Alice it stays until dismissed, with a way to ask back.
    const QString when = barText(tablet, "missedRequest", "missedRequestText");
    QVERIFY2(when.startsWith(
                 QLatin1StringView("You missed a chat session request from alice@cpm.example at ")),
        qPrintable(when));
    auto* invite = child<QPushButton>(tablet, "inviteBack");
    QCOMPARE(invite->text(), QStringLiteral("Invite alice@cpm.example"));
    QVERIFY(invite->isEnabled());
    phone.openConversation(Alice);
    QVERIFY(!barText(phone, "missedRequest", "missedRequestText").isEmpty());
    QTest::mouseClick(child<QToolButton>(tablet, "dismissMissed"), Qt::LeftButton);
    QVERIFY(barText(tablet, "missedRequest", "missedRequestText").isEmpty());
    tablet.close();
    phone.close();
}

void tst_SessionFlow::testStartingASessionWaitsForTheAnswer()
{
    ui::MainWindow laptop(m_aliceLaptop.get());
    laptop.show();
    auto* start = laptop.findChild<QAction*>(QStringLiteral("startSession"));
    QVERIFY(start);
    QVERIFY(!start->isEnabled()); // no conversation open
    laptop.openConversation(Bob);
    QVERIFY(start->isEnabled());
    QCOMPARE(start->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    // The subject is asked for; the request goes with it.
    QTimer::singleShot(0, this, [] {
        auto* input = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
        QVERIFY(input);
        input->setTextValue(QStringLiteral("Lunch"));
        input->accept();
    });
    start->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(sessionText(laptop),
        QStringLiteral("Waiting for bob@cpm.example to answer your chat session request…"),
        Timeout);
    QVERIFY(!start->isEnabled());
    QCOMPARE(child<QPushButton>(laptop, "endSession")->text(), QStringLiteral("&Cancel request"));
    QTRY_COMPARE_WITH_TIMEOUT(m_bobPhone->sessions().ringing().size(), 1, Timeout);
    const Session asked = m_bobPhone->sessions().ringing().constFirst();
    QCOMPARE(asked.subject, QStringLiteral("Lunch"));
    m_bobPhone->sessions().decline(asked.id);
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionText(laptop), QStringLiteral("Session declined by bob@cpm.example"), Timeout);
    QVERIFY(start->isEnabled());
    // Offline, nobody can be asked.
    m_aliceLaptop->disconnectFromServer();
    QTRY_VERIFY_WITH_TIMEOUT(!start->isEnabled(), Timeout);
    m_aliceLaptop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_aliceLaptop->state(), ConnectionState::Online, Timeout);
    QVERIFY(start->isEnabled());
    laptop.close();
}

QTEST_MAIN(tst_SessionFlow)
#include "tst_sessionflow.moc"
