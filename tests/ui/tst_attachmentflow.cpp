// SPDX-License-Identifier: GPL-3.0-or-later
// Attachments in the desktop window (MSG-1), used as a person would, against a real
// cpm-server: a picture dropped on Alice's composer goes with her message and shows as a
// thumbnail in Bob's conversation; a file goes without text and Bob's card downloads it
// and saves the same bytes with Save as.

#include "attachmentmanager.h"
#include "attachmentui.h"
#include "attachmentviewer.h"
#include "client.h"
#include "composer.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "myfilesdialog.h"
#include "testserver.h"
#include "uiclients.h"
#include "uitestfixture.h"

#include <QClipboard>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <memory>

using namespace cpm;

namespace {
constexpr int Timeout = 15000;
const QString Password = QStringLiteral("open sesame");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

//! The attachments of the newest message in \a window's conversation.
QVariantList newestAttachments(ui::MainWindow& window)
{
    MessageModel* model = window.messageModel();
    if (model->rowCount() == 0) {
        return {};
    }
    return model->index(model->rowCount() - 1).data(MessageModel::AttachmentsRole).toList();
}

//! The colour the user sees in the middle of \a rect of \a window's message view.
QColor seenAt(ui::MainWindow& window, const QRect& rect)
{
    const QImage shot = window.messageView()->viewport()->grab().toImage();
    return shot.pixelColor(shot.rect().contains(rect.center()) ? rect.center() : QPoint());
}
} // namespace

class tst_AttachmentFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void testDroppedPictureShowsAsThumbnailOnTheOtherSide();
    void testFileCardDownloadsAndSavesTheSameBytes();
    void testPastedPictureIsPrivateAndGoesOnceSent();
    void testPastedPictureOfAFailedMessageStaysForSendAgain();
    void testThumbnailOpensTheViewerAndEscClosesIt();
    void testMyFilesListsAndDeletes();
    void testComposerRefusesWhatCannotGo();
    void testOpenedCopiesGoAfterADayAndAtSignOut();

private:
    test::UiTestFixture m_fixture;
    test::TestServer m_server;
    QTemporaryDir m_profiles;
    QTemporaryDir m_files;
    std::unique_ptr<Client> m_alice;
    std::unique_ptr<Client> m_bob;
};

void tst_AttachmentFlow::initTestCase()
{
    m_fixture.install();
    QStandardPaths::setTestModeEnabled(true); // pasted pictures go to a test cache
    QVERIFY(m_profiles.isValid() && m_files.isValid());
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_alice = test::newUiClient(m_profiles, QStringLiteral("alice"), m_server.url());
    test::signInHeadless(m_alice.get(), Alice, Password, QStringLiteral("Alice's desktop"),
        QStringLiteral("desktop"), Timeout);
    m_bob = test::newUiClient(m_profiles, QStringLiteral("bob"), m_server.url());
    test::signInHeadless(m_bob.get(), Bob, Password, QStringLiteral("Bob's desktop"),
        QStringLiteral("desktop"), Timeout);
}

void tst_AttachmentFlow::cleanup()
{
    ui::attachmentui::setSaveChooser({});
    test::UiTestFixture::verifyClean();
}

void tst_AttachmentFlow::cleanupTestCase()
{
    m_alice.reset();
    m_bob.reset();
}

void tst_AttachmentFlow::testDroppedPictureShowsAsThumbnailOnTheOtherSide()
{
    // A small, plainly red picture: what Bob's view shows there is either it or not.
    const QString picture = m_files.filePath(QStringLiteral("red.png"));
    QImage red(64, 48, QImage::Format_RGB32);
    red.fill(QColor(220, 0, 0));
    QVERIFY(red.save(picture, "PNG"));

    ui::MainWindow alice(m_alice.get());
    alice.resize(900, 600);
    alice.show();
    alice.openConversation(Bob);
    ui::Composer* composer = alice.composer();

    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(picture) });
    // As a drag from a file manager arrives: it enters, then it is dropped.
    QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(composer, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(
        QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier, QEvent::Drop);
    QApplication::sendEvent(composer, &drop);
    QVERIFY(drop.isAccepted());
    QCOMPARE(composer->files().size(), 1);
    auto* chip = composer->findChild<QToolButton*>(QStringLiteral("attachmentChip"));
    QVERIFY(chip && chip->isVisible());
    QVERIFY(chip->text().contains(QStringLiteral("red.png")));

    QTest::keyClicks(composer->textEdit(), QStringLiteral("the red one"));
    QTest::mouseClick(composer->findChild<QPushButton*>(QStringLiteral("send")), Qt::LeftButton);
    QVERIFY(composer->files().isEmpty());
    QVERIFY(composer->findChildren<QToolButton*>(QStringLiteral("attachmentChip")).isEmpty());
    // Uploaded, then sent: the pending attachment got its id.
    QTRY_VERIFY_WITH_TIMEOUT(!newestAttachments(alice).isEmpty()
            && !newestAttachments(alice)
                    .constFirst()
                    .toMap()
                    .value(QStringLiteral("id"))
                    .toString()
                    .isEmpty()
            && !alice.messageModel()
                    ->index(alice.messageModel()->rowCount() - 1)
                    .data(MessageModel::PendingRole)
                    .toBool(),
        Timeout);

    // Alice's own bubble shows her picture too, from the file she picked.
    const QString sentId
        = newestAttachments(alice).constFirst().toMap().value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(!alice.messageDelegate()->thumbnail(sentId).isNull(), Timeout);

    // Bob's desktop (delivery `full`) fetches the picture by itself; his view draws it.
    ui::MainWindow bob(m_bob.get());
    bob.resize(900, 600);
    bob.show();
    bob.openConversation(Alice);
    QTRY_VERIFY_WITH_TIMEOUT(test::hasBody(bob, QStringLiteral("the red one")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        newestAttachments(bob).value(0).toMap().value(QStringLiteral("here")).toBool(), Timeout);
    const QString id
        = newestAttachments(bob).value(0).toMap().value(QStringLiteral("id")).toString();
    QListView* view = bob.messageView();
    const QModelIndex row = bob.messageModel()->index(bob.messageModel()->rowCount() - 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        (view->viewport()->grab(), bob.messageDelegate()->hasThumbnail(id)), Timeout);
    view->scrollToBottom();
    const QRect shown = bob.messageDelegate()->attachmentRect(view, row, 0);
    QCOMPARE(shown.size(), QSize(64, 48)); // a small picture is shown at its own size
    const QColor seen = seenAt(bob, shown);
    QVERIFY2(seen.red() > 200 && seen.green() < 30 && seen.blue() < 30, qPrintable(seen.name()));
    // Made once: the client's cache has it for the next time.
    QVERIFY(!m_bob->attachments().thumbnail(id).valueOr({}).isEmpty());

    alice.close();
    bob.close();
}

void tst_AttachmentFlow::testFileCardDownloadsAndSavesTheSameBytes()
{
    const QString notes = m_files.filePath(QStringLiteral("notes.txt"));
    QByteArray bytes;
    for (int i = 0; i < 2000; ++i) {
        bytes += "line " + QByteArray::number(i) + '\n';
    }
    {
        QFile f(notes);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }

    // A file alone, no text.
    ui::MainWindow alice(m_alice.get());
    alice.show();
    alice.openConversation(Bob);
    alice.composer()->addFiles({ notes });
    auto* send = alice.composer()->findChild<QPushButton*>(QStringLiteral("send"));
    QVERIFY(send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);

    ui::MainWindow bob(m_bob.get());
    bob.resize(900, 600);
    bob.show();
    bob.openConversation(Alice);
    QTRY_VERIFY_WITH_TIMEOUT(
        newestAttachments(bob).value(0).toMap().value(QStringLiteral("name")).toString()
            == QStringLiteral("notes.txt"),
        Timeout);
    // Not a picture: it waits to be asked for, and the card offers Download.
    QListView* view = bob.messageView();
    view->scrollToBottom();
    const auto row = [&] { return bob.messageModel()->index(bob.messageModel()->rowCount() - 1); };
    ui::MessageDelegate* delegate = bob.messageDelegate();
    using Action = ui::MessageDelegate::AttachmentAction;
    QVERIFY(delegate->actionRect(view, row(), 0, Action::SaveAs).isNull());
    const QRect download = delegate->actionRect(view, row(), 0, Action::Fetch);
    QVERIFY(!download.isNull());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, download.center());
    QTRY_VERIFY_WITH_TIMEOUT(
        newestAttachments(bob).value(0).toMap().value(QStringLiteral("here")).toBool(), Timeout);

    const QString target = m_files.filePath(QStringLiteral("saved.txt"));
    QString suggested;
    ui::attachmentui::setSaveChooser([&](const QString& name) {
        suggested = name;
        return target;
    });
    QTRY_VERIFY(!delegate->actionRect(view, row(), 0, Action::SaveAs).isNull());
    QVERIFY(!delegate->actionRect(view, row(), 0, Action::Open).isNull());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
        delegate->actionRect(view, row(), 0, Action::SaveAs).center());
    QCOMPARE(suggested, QStringLiteral("notes.txt"));
    QFile saved(target);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(saved.readAll(), bytes);

    alice.close();
    bob.close();
}

void tst_AttachmentFlow::testPastedPictureIsPrivateAndGoesOnceSent()
{
    ui::MainWindow alice(m_alice.get());
    alice.show();
    alice.openConversation(Bob);
    ui::Composer* composer = alice.composer();
    QImage blue(40, 30, QImage::Format_RGB32);
    blue.fill(Qt::blue);
    QApplication::clipboard()->setImage(blue);
    composer->textEdit()->setFocus();
    composer->textEdit()->paste(); // what Ctrl+V does
    QCOMPARE(composer->files().size(), 1);
    QVERIFY(composer->textEdit()->toPlainText().isEmpty());
    const QString path = composer->files().constFirst();
    QVERIFY(path.startsWith(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)));
    QVERIFY(path.endsWith(QStringLiteral(".png")));
    QCOMPARE(
        QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QCOMPARE(QImage(path).size(), QSize(40, 30));

    QTest::keyClick(composer->textEdit(), Qt::Key_Return); // a picture alone goes
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(path), Timeout);
    QApplication::clipboard()->clear();
    alice.close();
}

void tst_AttachmentFlow::testPastedPictureOfAFailedMessageStaysForSendAgain()
{
    // A picture pasted into a message to an address with no account yet: the message fails,
    // and "Send again" once the account exists sends it with its picture.
    const QString dave = QStringLiteral("dave@cpm.example");
    ui::MainWindow alice(m_alice.get());
    alice.show();
    alice.openConversation(dave);
    ui::Composer* composer = alice.composer();
    QImage green(24, 16, QImage::Format_RGB32);
    green.fill(Qt::green);
    QApplication::clipboard()->setImage(green);
    composer->textEdit()->setFocus();
    composer->textEdit()->paste();
    QCOMPARE(composer->files().size(), 1);
    const QString path = composer->files().constFirst();
    QTest::keyClicks(composer->textEdit(), QStringLiteral("for Dave"));
    QTest::keyClick(composer->textEdit(), Qt::Key_Return);

    MessageModel* model = alice.messageModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("failed"), Timeout);
    QVERIFY2(QFile::exists(path), "the pasted picture must stay while the message may go again");

    QVERIFY(m_server.addUser(dave, Password));
    auto* messages = alice.findChild<QListView*>(QStringLiteral("messages"));
    auto* delegate = qobject_cast<ui::MessageDelegate*>(messages->itemDelegate());
    QVERIFY(delegate);
    Q_EMIT delegate->sendAgainRequested(model->index(0)); // what clicking "Send again" does
    QTRY_COMPARE_WITH_TIMEOUT(model->index(0).data(MessageModel::StatusNameRole).toString(),
        QStringLiteral("sent"), Timeout);
    const Message sent = model->messageAt(0);
    QCOMPARE(sent.attachments.size(), 1);
    QCOMPARE(sent.attachments.constFirst().type, QStringLiteral("image/png"));
    QVERIFY(!sent.attachments.constFirst().id.isEmpty());
    // Sent: the temporary copy goes now.
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(path), Timeout);
    QApplication::clipboard()->clear();
    alice.close();
}

void tst_AttachmentFlow::testThumbnailOpensTheViewerAndEscClosesIt()
{
    ui::MainWindow bob(m_bob.get());
    bob.resize(900, 700);
    bob.show();
    bob.openConversation(Alice);
    MessageModel* model = bob.messageModel();
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int r = 0; r < model->rowCount(); ++r) {
                if (model->messageAt(r).body == QStringLiteral("the red one")) {
                    row = r;
                }
            }
            return row >= 0;
        }(),
        Timeout);
    QListView* view = bob.messageView();
    view->scrollTo(model->index(row));
    const QRect shown = bob.messageDelegate()->attachmentRect(view, model->index(row), 0);
    QTRY_VERIFY(
        !bob.messageDelegate()
             ->actionRect(view, model->index(row), 0, ui::MessageDelegate::AttachmentAction::View)
             .isNull());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, shown.center());
    ui::AttachmentViewer* viewer = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (viewer = bob.findChild<ui::AttachmentViewer*>()) && viewer->isVisible(), Timeout);
    QVERIFY(viewer->hasPicture());
    QPointer<ui::AttachmentViewer> guard(viewer);
    QTest::keyClick(viewer, Qt::Key_Escape);
    QTRY_VERIFY(!guard); // closed and gone
    bob.close();
}

void tst_AttachmentFlow::testMyFilesListsAndDeletes()
{
    ui::MainWindow alice(m_alice.get());
    alice.show();
    alice.showMyFiles();
    auto* dialog = alice.findChild<ui::MyFilesDialog*>();
    QVERIFY(dialog);
    QTableWidget* table = dialog->table();
    const auto rowNamed = [table](const QString& name) {
        for (int r = 0; r < table->rowCount(); ++r) {
            if (table->item(r, 0) && table->item(r, 0)->text() == name) {
                return r;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(QStringLiteral("notes.txt")) >= 0, Timeout);
    QVERIFY(rowNamed(QStringLiteral("red.png")) >= 0);
    QVERIFY(dialog->findChild<QLabel*>(QStringLiteral("usage"))
                ->text()
                .contains(QStringLiteral("used")));

    // Save a copy of one's own file: downloaded from the storage, the same bytes.
    table->selectRow(rowNamed(QStringLiteral("notes.txt")));
    const QString copy = m_files.filePath(QStringLiteral("copy.txt"));
    ui::attachmentui::setSaveChooser([&](const QString&) { return copy; });
    QSignalSpy saved(dialog, &ui::MyFilesDialog::savedCopy);
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("saveCopy")), Qt::LeftButton);
    QVERIFY(saved.wait(Timeout));
    QCOMPARE(saved.constFirst().constFirst().toBool(), true);
    QFile original(m_files.filePath(QStringLiteral("notes.txt")));
    QFile copied(copy);
    QVERIFY(original.open(QIODevice::ReadOnly) && copied.open(QIODevice::ReadOnly));
    QCOMPARE(copied.readAll(), original.readAll());

    table->selectRow(rowNamed(QStringLiteral("notes.txt")));
    auto* remove = dialog->findChild<QPushButton*>(QStringLiteral("delete"));
    QVERIFY(remove->isEnabled());
    QTimer::singleShot(0, this, [] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            box->button(QMessageBox::Yes)->click();
        }
    });
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(QStringLiteral("notes.txt")) < 0
            || table->item(rowNamed(QStringLiteral("notes.txt")), 3)->text()
                == QStringLiteral("Deleted"),
        Timeout);
    QVERIFY(rowNamed(QStringLiteral("red.png")) >= 0);
    dialog->close();
    alice.close();
}

void tst_AttachmentFlow::testComposerRefusesWhatCannotGo()
{
    ui::Composer composer;
    QSignalSpy problems(&composer, &ui::Composer::problem);

    composer.addFiles({ m_files.filePath(QStringLiteral("gone.txt")) });
    QCOMPARE(composer.files().size(), 0);
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.takeFirst().constFirst().toString().contains(QStringLiteral("gone.txt")));

    QStringList many;
    for (int i = 0; i < 11; ++i) {
        const QString path = m_files.filePath(QStringLiteral("f%1.txt").arg(i));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
        many.append(path);
    }
    composer.addFiles(many);
    QCOMPARE(composer.files().size(), 10);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.takeFirst().constFirst().toString(), ui::Composer::tooManyFilesText());
    composer.clear();
    QVERIFY(composer.files().isEmpty());

    // A guest: a pasted picture would need a plain file outside the guest's vault.
    composer.setGuest(true);
    QMimeData mime;
    QImage image(8, 8, QImage::Format_RGB32);
    image.fill(Qt::green);
    mime.setImageData(image);
    QVERIFY(composer.addFromMimeData(&mime));
    QVERIFY(composer.files().isEmpty());
    QCOMPARE(problems.size(), 1);
}

void tst_AttachmentFlow::testOpenedCopiesGoAfterADayAndAtSignOut()
{
    // Copies handed to other applications (Open): the ones a day old go when the desktop
    // starts, the rest when the user signs out.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
        + QStringLiteral("/open/");
    const auto copy = [&](const QString& id, int ageHours) {
        QDir().mkpath(base + id);
        QFile f(base + id + QStringLiteral("/holiday.jpg"));
        return f.open(QIODevice::WriteOnly) && f.write("plain bytes") > 0 && f.flush()
            && f.setFileTime(QDateTime::currentDateTime().addSecs(-ageHours * 3600),
                QFileDevice::FileModificationTime);
    };
    ui::attachmentui::removeOpenedCopies(0); // what other tests left
    QVERIFY(copy(QStringLiteral("0123456789abcdef0123456789abcdef"), 30));
    QVERIFY(copy(QStringLiteral("fedcba9876543210fedcba9876543210"), 1));
    QCOMPARE(ui::attachmentui::removeOpenedCopies(24 * 3600), 1);
    QVERIFY(!QFile::exists(base + QStringLiteral("0123456789abcdef0123456789abcdef")));
    QVERIFY(QFile::exists(base + QStringLiteral("fedcba9876543210fedcba9876543210/holiday.jpg")));

    // Signing out in a window takes the rest.
    std::unique_ptr<Client> carol
        = test::newUiClient(m_profiles, QStringLiteral("carol"), m_server.url());
    QVERIFY(m_server.addUser(QStringLiteral("carol@cpm.example"), Password));
    test::signInHeadless(carol.get(), QStringLiteral("carol@cpm.example"), Password,
        QStringLiteral("Carol's desktop"), QStringLiteral("desktop"), Timeout);
    ui::MainWindow window(carol.get());
    window.show();
    bool signedOut = false;
    carol->signOut([&](const Error&) { signedOut = true; });
    QTRY_VERIFY_WITH_TIMEOUT(signedOut, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        !QFile::exists(base + QStringLiteral("fedcba9876543210fedcba9876543210")), Timeout);
    window.close();
}

QTEST_MAIN(tst_AttachmentFlow)
#include "tst_attachmentflow.moc"
