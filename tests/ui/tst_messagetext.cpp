// SPDX-License-Identifier: GPL-3.0-or-later
// What a person reading a conversation does with a message's text, against a real
// cpm-server: Bob sends, Alice's window shows it. A word longer than the bubble is shown
// whole, wrapped; a link opens with a click, and the text around it does not; a double-
// click opens the text for selecting part of it and copying; a wide window keeps lines
// at a readable length.

#include "client.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "must.h"
#include "testserver.h"
#include "uiclients.h"
#include "uitestfixture.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QListView>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextLayout>
#include <QTimer>

#include <memory>

using namespace cpm;
using cpm::test::must;

namespace {
constexpr int Timeout = 15000;
const QString Password = QStringLiteral("open sesame");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

//! Stands in for the browser and the mail program: records what they were asked to open.
class UrlCatcher : public QObject {
    Q_OBJECT

public:
    QList<QUrl> opened;

public Q_SLOTS:
    void open(const QUrl& url) { opened.append(url); }
};

//! Half a line down: a point on the first line of text.
int metricsCentre(const QWidget* view) { return QFontMetrics(view->font()).height() / 2; }

//! The lines \a document is laid out in, as the user sees them.
QStringList documentLines(QTextDocument* document)
{
    QStringList lines;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (int i = 0; i < block.layout()->lineCount(); ++i) {
            const QTextLine line = block.layout()->lineAt(i);
            lines.append(block.text().mid(line.textStart(), line.textLength()));
        }
    }
    return lines;
}
} // namespace

class tst_MessageText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void testALongWordWrapsInsideTheBubble();
    void testClickingALinkOpensItAndNothingElse();
    void testDoubleClickSelectsPartOfTheTextToCopy();
    void testAWideWindowKeepsLinesReadable();
    void testTheStateSaysHowAMessageWent();

private:
    std::unique_ptr<Client> newClient(const QString& name);
    void signInHeadless(Client* client, const QString& address, const QString& name);
    //! Bob sends \a body; Alice's \a window (open on Bob) shows it: its row, in view.
    QModelIndex receive(ui::MainWindow& window, const QString& body, const QString& subject = {});
    static QListView* messageView(ui::MainWindow& window);
    static ui::MessageDelegate* delegate(ui::MainWindow& window);

    test::UiTestFixture m_fixture;
    test::TestServer m_server;
    QTemporaryDir m_profiles;
    std::unique_ptr<Client> m_alice; // her laptop, shown in a MainWindow
    std::unique_ptr<Client> m_bob;
};

std::unique_ptr<Client> tst_MessageText::newClient(const QString& name)
{
    return test::newUiClient(m_profiles, name, m_server.url());
}

void tst_MessageText::signInHeadless(Client* client, const QString& address, const QString& name)
{
    test::signInHeadless(client, address, Password, name, QStringLiteral("laptop"), Timeout);
}

QListView* tst_MessageText::messageView(ui::MainWindow& window)
{
    return window.findChild<QListView*>(QStringLiteral("messages"));
}

ui::MessageDelegate* tst_MessageText::delegate(ui::MainWindow& window)
{
    return qobject_cast<ui::MessageDelegate*>(messageView(window)->itemDelegate());
}

QModelIndex tst_MessageText::receive(
    ui::MainWindow& window, const QString& body, const QString& subject)
{
    must(m_bob->send(Alice, subject, body));
    MessageModel* model = window.messageModel();
    const auto rowOfBody = [&] {
        for (int row = model->rowCount() - 1; row >= 0; --row) {
            if (model->index(row).data(MessageModel::BodyRole).toString() == body) {
                return row;
            }
        }
        return -1;
    };
    [&] { QTRY_VERIFY_WITH_TIMEOUT(rowOfBody() >= 0, Timeout); }();
    const QModelIndex index = model->index(rowOfBody());
    QListView* view = messageView(window);
    view->scrollTo(index);
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(
            view->viewport()->rect().contains(view->visualRect(index)), Timeout);
    }();
    return index;
}

void tst_MessageText::initTestCase()
{
    m_fixture.install();
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_alice = newClient(QStringLiteral("alice"));
    m_bob = newClient(QStringLiteral("bob"));
    signInHeadless(m_alice.get(), Alice, QStringLiteral("Alice's laptop"));
    signInHeadless(m_bob.get(), Bob, QStringLiteral("Bob's phone"));
}

void tst_MessageText::cleanup() { test::UiTestFixture::verifyClean(); }

void tst_MessageText::cleanupTestCase()
{
    m_alice.reset();
    m_bob.reset();
    m_server.stop();
}

void tst_MessageText::testALongWordWrapsInsideTheBubble()
{
    ui::MainWindow window(m_alice.get());
    window.resize(900, 640);
    window.show();
    window.openConversation(Bob);
    QString word;
    for (int i = 0; i < 250; ++i) {
        word.append(QLatin1Char('a' + i % 26));
    }
    const QString body = QStringLiteral("Look: ") + word + QStringLiteral(" end");
    const QModelIndex index = receive(window, body);
    QListView* view = messageView(window);

    // Every character is on one of the bubble's lines, and no line is wider than the
    // bubble's text or the bubble wider than the view.
    const ui::MessageDelegate::Geometry g = delegate(window)->geometry(view, index);
    QCOMPARE(g.bodyLines.join(QString()), body);
    QVERIFY2(g.bodyLines.size() >= 4, qPrintable(g.bodyLines.join(QLatin1Char('|'))));
    const QFontMetrics metrics(view->font());
    for (const QString& line : g.bodyLines) {
        QVERIFY2(metrics.horizontalAdvance(line.trimmed()) <= g.body.width(), qPrintable(line));
    }
    const QRect row = view->visualRect(index);
    QVERIFY(row.width() <= view->viewport()->width());
    QVERIFY(row.contains(g.bubble));
    QVERIFY(g.bubble.contains(g.body));
    // The row is as tall as those lines (the height the view gives it is the one painted).
    QVERIFY(row.height() >= g.bodyLines.size() * metrics.height());
    window.close();
}

void tst_MessageText::testClickingALinkOpensItAndNothingElse()
{
    UrlCatcher browser;
    QDesktopServices::setUrlHandler(QStringLiteral("https"), &browser, "open");
    QDesktopServices::setUrlHandler(QStringLiteral("mailto"), &browser, "open");
    const auto unset = qScopeGuard([] {
        QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
        QDesktopServices::unsetUrlHandler(QStringLiteral("mailto"));
    });

    ui::MainWindow window(m_alice.get());
    window.resize(900, 640);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.openConversation(Bob);
    // Markup in a message is text: the <b> shows as typed and is never a link or bold.
    const QString body = QStringLiteral("Plan at https://example.org/plan?day=2 or "
                                        "www.example.com/a, <b>mail</b> mailto:bob@cpm.example.");
    const QModelIndex index = receive(window, body, QStringLiteral("Trip, see www.example.net"));
    QListView* view = messageView(window);
    view->clearSelection();
    view->setCurrentIndex({});
    QSignalSpy clicked(view, &QAbstractItemView::clicked);

    const ui::MessageDelegate::Geometry g = delegate(window)->geometry(view, index);
    QCOMPARE(g.bodyLines.join(QString()), body);
    QCOMPARE(g.links.size(), 4);
    QCOMPARE(g.links.at(0).first, QUrl(QStringLiteral("https://www.example.net")));
    QCOMPARE(g.links.at(1).first, QUrl(QStringLiteral("https://example.org/plan?day=2")));
    QCOMPARE(g.links.at(2).first, QUrl(QStringLiteral("https://www.example.com/a")));
    QCOMPARE(g.links.at(3).first, QUrl(QStringLiteral("mailto:bob@cpm.example")));

    // Pointing at a link shows the hand; pointing at plain text does not.
    const QPoint onLink = g.links.at(1).second.center();
    const QPoint onText = g.body.topLeft() + QPoint(4, metricsCentre(view));
    QTest::mouseMove(view->viewport(), onLink);
    QTRY_COMPARE(view->viewport()->cursor().shape(), Qt::PointingHandCursor);
    QTest::mouseMove(view->viewport(), onText);
    QTRY_COMPARE(view->viewport()->cursor().shape(), Qt::ArrowCursor);

    // A click on each link, in the subject or the text, opens it (www. on https), and does
    // nothing else.
    QList<QUrl> expected;
    for (const auto& [url, rect] : std::as_const(g.links)) {
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
        expected.append(url);
    }
    QCOMPARE(browser.opened, expected);
    QCOMPARE(clicked.size(), 0);
    QVERIFY(view->selectionModel()->selectedIndexes().isEmpty());
    QVERIFY(!view->findChild<QTextBrowser*>(QStringLiteral("messageText")));

    // A click on the words around them opens nothing and selects the message as before.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, onText);
    QCOMPARE(browser.opened.size(), 4);
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(view->currentIndex(), index);
    window.close();
}

void tst_MessageText::testDoubleClickSelectsPartOfTheTextToCopy()
{
    ui::MainWindow window(m_alice.get());
    window.resize(900, 640);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.openConversation(Bob);
    const QString body = QStringLiteral("Meet me at the station at five, platform 4.");
    const QModelIndex index = receive(window, body);
    QListView* view = messageView(window);
    QWidget* viewport = view->viewport();
    const ui::MessageDelegate::Geometry g = delegate(window)->geometry(view, index);
    const QPoint onText = g.body.topLeft() + QPoint(4, metricsCentre(view));

    // A single click only selects the message.
    QTest::mouseClick(viewport, Qt::LeftButton, {}, onText);
    QCOMPARE(view->currentIndex(), index);
    QVERIFY(!view->findChild<QTextBrowser*>(QStringLiteral("messageText")));
    QTRY_VERIFY(view->hasFocus());
    const QImage before = viewport->grab().toImage();

    // A double-click on a word opens the text, exactly over the painted text and with its
    // lines, and selects that word.
    const QFontMetrics metrics(view->font());
    const QPoint onStation = g.body.topLeft()
        + QPoint(
            metrics.horizontalAdvance(QStringLiteral("Meet me at the ")) + 6, metricsCentre(view));
    QTest::mouseClick(viewport, Qt::LeftButton, {}, onStation);
    QTest::mouseDClick(viewport, Qt::LeftButton, {}, onStation);
    QTextBrowser* text = nullptr;
    QTRY_VERIFY((text = view->findChild<QTextBrowser*>(QStringLiteral("messageText")))
        && text->isVisible() && text->hasFocus());
    QCOMPARE(text->geometry().topLeft(), g.body.topLeft());
    QCOMPARE(text->toPlainText(), body);
    QCOMPARE(documentLines(text->document()), g.bodyLines);
    QVERIFY(text->isReadOnly());
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(text, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("station"));

    // Nothing moves: without a selection the open text looks exactly like the painted
    // text (but for its caret at the start).
    QTest::keyClick(text, Qt::Key_Home, Qt::ControlModifier);
    const QRect words = g.body.adjusted(3, 0, 0, 0);
    QTRY_COMPARE(viewport->grab().toImage().copy(words), before.copy(words));

    // Part of it selected with the keyboard and copied: exactly that part.
    for (int i = 0; i < 4; ++i) {
        QTest::keyClick(text, Qt::Key_Right, Qt::ShiftModifier);
    }
    QTest::keyClick(text, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("Meet"));
    // Or all of it.
    QTest::keyClick(text, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(text, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), body);
    // Keys are about the text while it is open: Del does not offer to delete the message.
    bool asked = false;
    QTimer::singleShot(0, text, [&asked] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            asked = true;
            box->reject();
        }
    });
    QTest::keyClick(text, Qt::Key_Delete);
    QCoreApplication::processEvents();
    QVERIFY(!asked);
    QVERIFY(text->isVisible());

    // Esc closes it; the message and its bubble are as they were.
    QPointer<QTextBrowser> guard(text);
    QTest::keyClick(text, Qt::Key_Escape);
    QTRY_VERIFY(!guard || !guard->isVisible());
    QTRY_VERIFY(!guard);
    QCOMPARE(index.data(MessageModel::BodyRole).toString(), body);
    QCOMPARE(must(m_alice->messages(Bob)).last().body, body);
    QTRY_VERIFY(view->hasFocus());
    QTRY_COMPARE(viewport->grab().toImage(), before);

    // F2 opens it from the keyboard too.
    QTest::keyClick(view, Qt::Key_F2);
    QTRY_VERIFY((text = view->findChild<QTextBrowser*>(QStringLiteral("messageText")))
        && text->isVisible());
    QTest::keyClick(text, Qt::Key_Escape);
    QTRY_VERIFY(!view->findChild<QTextBrowser*>(QStringLiteral("messageText")));
    window.close();
}

void tst_MessageText::testAWideWindowKeepsLinesReadable()
{
    ui::MainWindow window(m_alice.get());
    window.resize(2400, 900);
    window.show();
    window.openConversation(Bob);
    QString body;
    while (body.size() < 900) {
        body.append(QStringLiteral("The quick brown fox jumps over the lazy dog. "));
    }
    body = body.trimmed();
    const QModelIndex index = receive(window, body);
    QListView* view = messageView(window);
    QVERIFY(view->viewport()->width() > 1500);

    // About 65 characters a line, not 200: the bubble stops at a readable measure.
    const QFontMetrics metrics(view->font());
    const int measure = metrics.averageCharWidth() * 65;
    ui::MessageDelegate::Geometry g = delegate(window)->geometry(view, index);
    QVERIFY2(g.body.width() <= measure, qPrintable(QString::number(g.body.width())));
    QVERIFY(g.bubble.width() <= measure + 2 * 12);
    for (const QString& line : std::as_const(g.bodyLines)) {
        QVERIFY2(line.size() <= 80, qPrintable(line));
    }
    QVERIFY(g.bodyLines.size() >= 900 / 80);

    // In a narrow window the bubble still leaves the view's far side free.
    window.resize(520, 640);
    QTRY_VERIFY(view->viewport()->width() < 400);
    g = delegate(window)->geometry(view, index);
    QVERIFY2(g.bubble.width() <= view->viewport()->width() * 0.72,
        qPrintable(
            QStringLiteral("%1 of %2").arg(g.bubble.width()).arg(view->viewport()->width())));
    window.close();
}

void tst_MessageText::testTheStateSaysHowAMessageWent()
{
    // MSG-7, MSG-8: what the hover text (and a screen reader) says of the route.
    Message m;
    m.outgoing = true;
    m.body = QStringLiteral("Dinner?");
    m.time = 1763800000000;
    m.status = Message::Status::Sent;
    QVERIFY(ui::MessageDelegate::describe(m, true).startsWith(QStringLiteral("Sent")));
    m.route = protocol::Route::Deferred;
    QVERIFY(ui::MessageDelegate::describe(m, true).startsWith(
        QStringLiteral("Kept until they are online")));
    m.status = Message::Status::Delivered;
    m.route = protocol::Route::Email;
    QVERIFY(
        ui::MessageDelegate::describe(m, true).startsWith(QStringLiteral("Delivered by e-mail")));
    m.route = protocol::Route::Sms;
    QVERIFY(ui::MessageDelegate::describe(m, true).startsWith(QStringLiteral("Delivered by SMS")));
    m.status = Message::Status::Displayed; // read on CPM later: read it is
    QVERIFY(ui::MessageDelegate::describe(m, true).startsWith(QStringLiteral("Read")));
    m.outgoing = false;
    m.read = false;
    m.route = protocol::Route::Email;
    QVERIFY(ui::MessageDelegate::describe(m, true).startsWith(
        QStringLiteral("Unread — also delivered to you by e-mail")));
}

QTEST_MAIN(tst_MessageText)
#include "tst_messagetext.moc"
