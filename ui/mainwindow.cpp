// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "appclipboard.h"
#include "appearance.h"
#include "argreader.h"
#include "attachmentmanager.h"
#include "attachmentui.h"
#include "attachmentviewer.h"
#include "client.h"
#include "composer.h"
#include "contactsdialog.h"
#include "conversationdelegate.h"
#include "conversationmodel.h"
#include "devicesdialog.h"
#include "diagnosticsdialog.h"
#include "emptyhint.h"
#include "errortext.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "missedrequestbar.h"
#include "movesessiondialog.h"
#include "myfilesdialog.h"
#include "newconversationdialog.h"
#include "noticebar.h"
#include "notifier.h"
#include "othersessionsdialog.h"
#include "profile.h"
#include "protocol.h"
#include "sessionbar.h"
#include "sessionmanager.h"
#include "sessionrequestbar.h"
#include "sessiontext.h"
#include "settingsdialog.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDragMoveEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFile>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

namespace cpm::ui {

namespace {
//! A message someone sent us that this device has not seen yet.
bool isUnreadIncoming(const Message& m) { return !m.outgoing && !m.read && m.id > 0; }
} // namespace

MainWindow::MainWindow(Client* client, QWidget* parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_conversations(new ConversationModel(client, this))
    , m_messages(new MessageModel(client, this))
    , m_filter(new QSortFilterProxyModel(this))
    , m_search(new QLineEdit(this))
    , m_noResults(new QLabel(this))
    , m_conversationView(new QListView(this))
    , m_peerHeader(new QLabel(this))
    , m_messageView(new QListView(this))
    , m_messageDelegate(new MessageDelegate(m_messageView))
    , m_jumpButton(new QToolButton(m_messageView))
    , m_loadBar(new QWidget(this))
    , m_loadText(new QLabel(m_loadBar))
    , m_loadButton(new QPushButton(m_loadBar))
    , m_composer(new Composer(this))
    , m_stateLabel(new QLabel(this))
    , m_syncProgress(new QProgressBar(this))
    , m_statusBox(new QComboBox(this))
    , m_notice(new NoticeBar(this))
    , m_requestBar(new SessionRequestBar(client, this))
    , m_sessionBar(new SessionBar(client, this))
    , m_missedBar(new MissedRequestBar(client, this))
    , m_composingTimer(new QTimer(this))
    , m_notifier(new Notifier(client, this, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    m_filter->setSourceModel(m_conversations);
    m_filter->setFilterRole(ConversationModel::SearchTextRole);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_search->setPlaceholderText(tr("Search names, addresses and messages"));
    m_search->setAccessibleName(tr("Search conversations"));
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->installEventFilter(this);
    m_noResults->setObjectName(QStringLiteral("noResults"));
    m_noResults->setWordWrap(true);
    m_noResults->setTextFormat(Qt::PlainText);
    m_noResults->setContentsMargins(6, 4, 6, 4);
    m_noResults->hide();
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setFilterFixedString(text);
        const bool none = !text.isEmpty() && m_filter->rowCount() == 0;
        m_noResults->setText(
            tr("No conversation matches “%1”. Press Ctrl+N to start one.").arg(text));
        m_noResults->setVisible(none);
        // While searching, "no results" says it; the first-use hint is for an empty list.
        m_conversationsHint->setText(text.isEmpty() ? conversationsHintText() : QString());
        m_conversationsHint->update();
    });

    m_conversationView->setModel(m_filter);
    m_conversationView->setItemDelegate(new ConversationDelegate(m_conversationView));
    m_conversationView->setAccessibleName(tr("Conversations"));
    m_conversationView->setObjectName(QStringLiteral("conversations"));
    m_conversationView->setUniformItemSizes(true);
    // Rows fit the width (names and previews are elided); never a sideways scroll bar.
    m_conversationView->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_conversationView->setResizeMode(QListView::Adjust);
    m_conversationView->setMinimumWidth(240);
    m_conversationsHint = new EmptyHint(m_conversationView, conversationsHintText());

    auto* newButton = new QPushButton(tr("New conversation"), this);
    newButton->setToolTip(tr("Start a conversation with a contact (Ctrl+N)"));
    connect(newButton, &QPushButton::clicked, this, &MainWindow::newConversation);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 6);
    buildStatusBox();
    leftLayout->addWidget(m_statusBox);
    leftLayout->addWidget(m_search);
    leftLayout->addWidget(m_noResults);
    leftLayout->addWidget(m_conversationView, 1);
    leftLayout->addWidget(newButton);

    m_peerHeader->setObjectName(QStringLiteral("peerHeader"));
    m_peerHeader->setTextFormat(Qt::PlainText);
    m_peerHeader->setContentsMargins(10, 6, 10, 6);
    QFont headerFont = m_peerHeader->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_peerHeader->setFont(headerFont);

    m_messages->setDescriber(&MessageDelegate::describe);
    m_messageView->setModel(m_messages);
    m_messageView->setItemDelegate(m_messageDelegate);
    m_messageDelegate->attach(m_messageView); // links open on click, double-click selects text
    m_messageDelegate->setClient(m_client); // thumbnails of pictures
    // Files dropped on the conversation go with the next message, as on the composer.
    m_messageView->viewport()->setAcceptDrops(true);
    m_messageView->viewport()->installEventFilter(this);
    m_messageView->setAccessibleName(tr("Messages"));
    m_messageView->setObjectName(QStringLiteral("messages"));
    m_messageView->setResizeMode(QListView::Adjust);
    m_messageView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Rows are laid out to the view's width: nothing to scroll sideways to.
    m_messageView->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_messageView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_messageView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_messageView->setSpacing(0);
    m_messageView->verticalScrollBar()->setSingleStep(24);
    m_messageView->installEventFilter(this);
    m_messagesHint = new EmptyHint(m_messageView, {});

    // Floats over the conversation's bottom right corner while it is scrolled up.
    m_jumpButton->setObjectName(QStringLiteral("jumpToNewest"));
    m_jumpButton->setToolTip(tr("Jump to the newest message (Ctrl+End)"));
    m_jumpButton->setAccessibleName(tr("Jump to the newest message"));
    m_jumpButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_jumpButton->setAutoRaise(false);
    m_jumpButton->setCursor(Qt::PointingHandCursor);
    m_jumpButton->hide();
    connect(m_jumpButton, &QToolButton::clicked, this, &MainWindow::jumpToNewest);
    auto* jump = new QAction(this);
    jump->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_End));
    jump->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(jump, &QAction::triggered, this, &MainWindow::jumpToNewest);
    m_messageView->addAction(jump);

    // A device notified only (DEV-3) shows placeholders; one button loads them all.
    m_loadBar->setObjectName(QStringLiteral("loadBar"));
    m_loadText->setWordWrap(true);
    m_loadText->setTextFormat(Qt::PlainText);
    m_loadButton->setObjectName(QStringLiteral("loadAll"));
    auto* loadLayout = new QHBoxLayout(m_loadBar);
    loadLayout->setContentsMargins(10, 2, 10, 4);
    loadLayout->addWidget(m_loadText, 1);
    loadLayout->addWidget(m_loadButton);
    m_loadBar->hide();
    connect(m_loadButton, &QPushButton::clicked, this, &MainWindow::loadNotifiedMessages);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    auto* headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(0, 0, 8, 0);
    headerRow->addWidget(m_peerHeader, 1);
    auto* chatNow = new QToolButton(this);
    chatNow->setObjectName(QStringLiteral("startSessionButton"));
    headerRow->addWidget(chatNow);
    rightLayout->addLayout(headerRow);
    rightLayout->addWidget(m_sessionBar);
    rightLayout->addWidget(m_missedBar);
    rightLayout->addWidget(m_loadBar);
    rightLayout->addWidget(m_messageView, 1);
    rightLayout->addWidget(m_composer);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 300, 600 });
    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    if (client->isGuest()) {
        centralLayout->addWidget(buildGuestBanner());
    }
    centralLayout->addWidget(m_requestBar);
    centralLayout->addWidget(m_notice);
    centralLayout->addWidget(splitter, 1);
    setCentralWidget(central);

    m_stateLabel->setObjectName(QStringLiteral("connectionState"));
    m_syncProgress->setMaximumWidth(160);
    m_syncProgress->setMaximumHeight(14);
    m_syncProgress->setTextVisible(false);
    m_syncProgress->setVisible(false);
    m_syncProgress->setAccessibleName(tr("Synchronization progress"));
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_syncProgress);

    buildMenus();
    chatNow->setDefaultAction(m_startSession);
    chatNow->setToolButtonStyle(Qt::ToolButtonTextOnly);
    updateTitle();
    onStateChanged(client->state());
    openConversation({});
    // 960×640, or less on a small screen (a 1080-pixel one at scale 2 has 540 to offer).
    const QSize wanted(960, 640);
    const QRect available = screen() ? screen()->availableGeometry() : QRect(QPoint(), wanted);
    resize(wanted.boundedTo(available.size() * 0.9));

    connect(m_conversationView, &QListView::activated, this, &MainWindow::onConversationActivated);
    connect(m_conversationView, &QListView::clicked, this, &MainWindow::onConversationActivated);
    connect(m_messageView, &QListView::clicked, this, &MainWindow::onMessageClicked);
    connect(m_messageView, &QListView::activated, this, &MainWindow::onMessageClicked);
    connect(
        m_messageView, &QListView::customContextMenuRequested, this, &MainWindow::showMessageMenu);
    connect(m_messageView->verticalScrollBar(), &QScrollBar::valueChanged, this,
        &MainWindow::onScrolled);
    connect(m_messages, &QAbstractItemModel::rowsInserted, this, &MainWindow::onRowsInserted);
    // Rows laid out again (wrapping changed with the width, a scroll bar came): what is
    // in view may have changed without a scroll.
    connect(m_messageView->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] {
        QTimer::singleShot(0, this, [this] {
            markVisibleRead();
            updateJumpButton();
        });
    });
    connect(m_messages, &QAbstractItemModel::modelReset, this, &MainWindow::onConversationLoaded);
    connect(m_messages, &QAbstractItemModel::modelReset, this, &MainWindow::updateLoadBar);
    connect(m_messages, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateLoadBar);
    connect(m_messages, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateLoadBar);
    // A loaded body (also a taller bubble) may make a message in view readable now.
    connect(m_messages, &QAbstractItemModel::dataChanged, this, [this] {
        updateJumpButton();
        updateLoadBar();
        QTimer::singleShot(0, this, &MainWindow::markVisibleRead);
    });
    connect(m_messages, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateJumpButton);
    connect(m_composer, &Composer::sendRequested, this, &MainWindow::send);
    m_composer->setGuest(m_client->isGuest());
    connect(m_composer, &Composer::problem, this, [this](const QString& text) { showError(text); });
    // Once a message with files is sent, its pictures get their thumbnails from the files
    // picked here (this device has no copy of what it uploaded); then a pasted picture's
    // temporary file goes. A failed message keeps its pasted pictures for "Send again"
    // until it is sent after all or deleted.
    connect(m_client, &Client::messageSent, this,
        [this](qint64 pendingId, qint64 messageId, const QString& clientId) {
            m_failedClientIds.remove(pendingId);
            storeSentThumbnails(messageId, m_sentFiles.take(clientId));
            m_composer->releaseTemporaryFiles(clientId);
        });
    connect(m_client, &Client::sendFailed, this,
        [this](qint64 pendingId, const QString& clientId, const Error&) {
            m_failedClientIds.insert(pendingId, clientId);
        });
    connect(m_client, &Client::messageRemoved, this, [this](qint64 messageId) {
        if (const QString clientId = m_failedClientIds.take(messageId); !clientId.isEmpty()) {
            m_sentFiles.remove(clientId);
            m_composer->releaseTemporaryFiles(clientId);
        }
    });
    connect(m_messageDelegate, &MessageDelegate::attachmentActionRequested, this,
        [this](const QModelIndex& index, int attachmentIndex,
            MessageDelegate::AttachmentAction action) {
            onAttachmentAction(index, attachmentIndex, int(action));
        });

    // Chat sessions (SES-1..7, SES-9).
    SessionManager* sessions = &client->sessions();
    m_composingTimer->setSingleShot(true);
    connect(m_composingTimer, &QTimer::timeout, this, &MainWindow::stopComposing);
    connect(
        m_composer->textEdit(), &QPlainTextEdit::textChanged, this, &MainWindow::onComposerEdited);
    connect(sessions, &SessionManager::sessionsChanged, this, &MainWindow::updateSessionActions);
    connect(sessions, &SessionManager::arrivedHere, this, [this](const Session& s) {
        // Moved here on purpose, from here or another device: show where it goes on.
        openConversation(s.peer);
        QApplication::alert(this);
    });
    connect(m_requestBar, &SessionRequestBar::acceptedHere, this, [this](const QString& peer) {
        openConversation(peer);
        raise();
        activateWindow();
    });
    connect(m_requestBar, &SessionRequestBar::failed, this,
        [this](const QString& text) { showError(text); });
    connect(
        m_sessionBar, &SessionBar::failed, this, [this](const QString& text) { showError(text); });
    connect(m_sessionBar, &SessionBar::moveRequested, this, [this](const Session& s) {
        auto* dialog = new MoveSessionDialog(m_client, s, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    connect(m_sessionBar, &SessionBar::continueRequested, this, &MainWindow::showOtherSessions);
    connect(m_missedBar, &MissedRequestBar::inviteRequested, this, &MainWindow::startSession);
    connect(
        m_notifier, &Notifier::sessionAcceptRequested, m_requestBar, &SessionRequestBar::accept);
    connect(
        m_notifier, &Notifier::sessionDeclineRequested, m_requestBar, &SessionRequestBar::decline);
    connect(m_notifier, &Notifier::sessionRequestOpened, this, [this] {
        // No buttons on this platform's notification: the banner has them.
        m_requestBar->setFocus();
    });
    connect(m_messageDelegate, &MessageDelegate::sendAgainRequested, this,
        [this](const QModelIndex& index) {
            m_messageView->setCurrentIndex(index);
            sendSelectedAgain();
        });
    // The list reloads itself as messages come and go; keep the open conversation selected.
    connect(m_conversations, &QAbstractItemModel::modelReset, this, [this] {
        updateHeader(); // a contact renamed, on this device or another
        const int row = m_conversations->rowOf(m_messages->peer());
        if (row >= 0) {
            m_conversationView->setCurrentIndex(
                m_filter->mapFromSource(m_conversations->index(row)));
        }
    });
    connect(client, &Client::stateChanged, this, &MainWindow::onStateChanged);
    connect(client, &Client::statusChanged, this, &MainWindow::updateStatusBox);
    connect(client, &Client::peerStatusesChanged, this, &MainWindow::updateHeader);
    // Appearance is a synced preference: a theme chosen on another device applies here.
    // Unreadable preferences keep the theme shown (the client reports the failure).
    connect(client, &Client::prefsChanged, this, [this] {
        if (const Result<QVariantMap> prefs = m_client->prefs()) {
            applyTheme(prefs->value(pref::Theme).toString());
        }
    });
    m_notifier->setShowingPeer([this](const QString& peer) {
        // Looking at the conversation's newest messages: the new one is in sight.
        return isActiveWindow() && !isMinimized() && peer == m_messages->peer() && m_stickToBottom;
    });
    connect(m_notifier, &Notifier::conversationRequested, this, [this](const QString& peer) {
        if (!peer.isEmpty()) {
            openConversation(peer);
        }
    });
    connect(client, &Client::accountChanged, this, &MainWindow::updateTitle);
    connect(client, &Client::signedOut, this, &MainWindow::signedOut);
    // What was opened with other applications goes with the user (docs/desktop.md).
    connect(client, &Client::signedOut, this, [] { attachmentui::removeOpenedCopies(0); });
    connect(client, &Client::syncProgressChanged, this, [this](qint64 position, qint64 head) {
        m_syncProgress->setMaximum(static_cast<int>(std::min<qint64>(head, INT_MAX)));
        m_syncProgress->setValue(static_cast<int>(std::min<qint64>(position, INT_MAX)));
    });
    connect(client, &Client::sendFailed, this, [this](qint64, const QString&, const Error& error) {
        showError(ErrorText::forAction(error));
    });
    if (!client->recoveredStore().isEmpty()) {
        m_notice->showNotice(ErrorText::storeRecovered());
    }
    // Trouble with this device's storage, or the server's, is worth saying whatever the
    // user was doing, and stays until dismissed; connection trouble shows in the status
    // line instead.
    connect(client, &Client::errorOccurred, this, [this](const Error& error) {
        if (error.isStorage() || error.code == ErrorCode::StorageFull) {
            m_notice->showNotice(ErrorText::forAction(error));
        }
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newAction
        = file->addAction(tr("&New conversation…"), this, &MainWindow::newConversation);
    newAction->setShortcut(QKeySequence::New);
    newAction->setObjectName(QStringLiteral("newConversation"));
    QAction* find = file->addAction(tr("&Find conversation"), this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    file->addSeparator();
    if (!m_client->isGuest()) {
        QAction* guest
            = file->addAction(tr("Let a &guest sign in…"), this, &MainWindow::letGuestSignIn);
        guest->setObjectName(QStringLiteral("letGuestSignIn"));
        guest->setToolTip(tr("Opens a separate window where someone else signs in for a visit; "
                             "nothing of theirs stays on this computer"));
    }
    QAction* signOut
        = file->addAction(tr("Sign &out this device…"), this, &MainWindow::confirmSignOut);
    signOut->setObjectName(QStringLiteral("signOut"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);

    QAction* myFiles = file->addAction(tr("My &files…"), this, &MainWindow::showMyFiles);
    myFiles->setObjectName(QStringLiteral("myFiles"));
    file->insertAction(quit, myFiles);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* devices = view->addAction(tr("&Devices…"), this, &MainWindow::showDevices);
    devices->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    QAction* contacts = view->addAction(tr("&Contacts…"), this, &MainWindow::showContacts);
    contacts->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    view->addSeparator();
    QAction* settings = view->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setShortcut(QKeySequence::Preferences);
    if (settings->shortcut().isEmpty()) {
        settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    }
    settings->setMenuRole(QAction::PreferencesRole);

    QMenu* message = menuBar()->addMenu(tr("&Message"));
    QAction* again = message->addAction(tr("Send &again"), this, &MainWindow::sendSelectedAgain);
    again->setObjectName(QStringLiteral("sendAgain"));
    again->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    again->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_messageView->addAction(again);
    message->addSeparator();
    QAction* deleteLocal = message->addAction(
        tr("&Delete on this device…"), this, [this] { deleteSelected(false); });
    deleteLocal->setShortcut(QKeySequence::Delete);
    deleteLocal->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_messageView->addAction(deleteLocal);
    QAction* deleteAll = message->addAction(
        tr("Delete on &all my devices…"), this, [this] { deleteSelected(true); });
    deleteAll->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Delete));
    deleteAll->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_messageView->addAction(deleteAll);

    QMenu* session = menuBar()->addMenu(tr("&Session"));
    m_startSession = session->addAction(
        tr("&Start chat session…"), this, [this] { startSession(m_messages->peer()); });
    m_startSession->setObjectName(QStringLiteral("startSession"));
    m_startSession->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_startSession->setIconText(tr("Chat now"));
    m_moveSession = session->addAction(tr("&Move session to…"), this, [this] {
        if (const std::optional<Session> s = m_sessionBar->sessionHere()) {
            auto* dialog = new MoveSessionDialog(m_client, *s, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->open();
        }
    });
    m_moveSession->setObjectName(QStringLiteral("moveSessionAction"));
    m_moveSession->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    m_endSession = session->addAction(tr("&End session"), this, [this] {
        const std::optional<Session> s = m_client->sessions().openSessionWith(m_messages->peer());
        if (!s) {
            return;
        }
        auto done = [this, guard = QPointer<MainWindow>(this)](const Error& error, const Session&) {
            if (guard && !error.isNull()) {
                showError(ErrorText::forAction(error));
            }
        };
        if (s->state == protocol::SessionState::Inviting && s->inviter) {
            m_client->sessions().cancel(s->id, done);
        } else {
            m_client->sessions().end(s->id, done);
        }
    });
    m_endSession->setObjectName(QStringLiteral("endSessionAction"));
    m_endSession->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    session->addSeparator();
    QAction* others = session->addAction(
        tr("Sessions on my &other devices…"), this, [this] { showOtherSessions(); });
    others->setObjectName(QStringLiteral("showOtherSessions"));
    others->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* diagnostics = help->addAction(tr("&Diagnostics…"), this, &MainWindow::showDiagnostics);
    diagnostics->setShortcut(QKeySequence(Qt::Key_F12));
}

void MainWindow::updateTitle()
{
    if (m_client->isGuest()) {
        // Whose window this is, first: the computer belongs to someone else.
        setWindowTitle(tr("Guest — %1").arg(m_client->address()));
        return;
    }
    // The device first: several windows of one account side by side (QA-1) differ there,
    // and a taskbar shows a title's start.
    setWindowTitle(tr("%1 — %2").arg(m_client->deviceName(), m_client->address()));
}

QWidget* MainWindow::buildGuestBanner()
{
    // Not dismissable: the person must not forget whose computer this is.
    auto* banner = new QFrame(this);
    banner->setObjectName(QStringLiteral("guestBanner"));
    banner->setAutoFillBackground(true);
    QPalette pal = banner->palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    pal.setColor(QPalette::Window, dark ? QColor(0x4a, 0x3b, 0x00) : QColor(0xff, 0xf1, 0xb8));
    pal.setColor(QPalette::WindowText, dark ? QColor(0xff, 0xf1, 0xb8) : QColor(0x3d, 0x2e, 0x00));
    banner->setPalette(pal);
    auto* text
        = new QLabel(tr("Guest on this device — everything is removed when you sign out."), banner);
    text->setObjectName(QStringLiteral("guestBannerText"));
    text->setWordWrap(true);
    text->setTextFormat(Qt::PlainText);
    QFont bold = text->font();
    bold.setBold(true);
    text->setFont(bold);
    auto* signOut = new QPushButton(tr("Sign out"), banner);
    signOut->setObjectName(QStringLiteral("guestSignOut"));
    signOut->setAccessibleDescription(text->text());
    connect(signOut, &QPushButton::clicked, this, &MainWindow::confirmSignOut);
    auto* layout = new QHBoxLayout(banner);
    layout->setContentsMargins(12, 6, 8, 6);
    layout->addWidget(text, 1);
    layout->addWidget(signOut);
    return banner;
}

void MainWindow::confirmSignOut()
{
    if (m_client->isGuest()) {
        if (QMessageBox::question(this, tr("Sign out"),
                tr("Sign out and remove everything of yours from this computer?"))
            == QMessageBox::Yes) {
            Q_EMIT guestSignOutRequested();
        }
        return;
    }
    if (QMessageBox::question(this, tr("Sign out"),
            tr("Sign this device out? Its local copy of your messages will be removed; "
               "your other devices and the network keep them."))
        == QMessageBox::Yes) {
        m_client->signOutDevice(m_client->deviceId());
    }
}

void MainWindow::letGuestSignIn()
{
    // A process of its own: the guest's device never shares this one's memory, and this
    // window stays as it is meanwhile. It opens no profile of this computer.
    QStringList arguments { QStringLiteral("--guest") };
    if (!m_client->serverUrl().isEmpty()) {
        arguments << QStringLiteral("--server") << Profile::serversText(m_client->serverUrls());
    }
    if (!QProcess::startDetached(QCoreApplication::applicationFilePath(), arguments)) {
        showError(tr("The guest sign-in window could not be started."));
    }
}

void MainWindow::onStateChanged(ConnectionState state)
{
    QString text;
    switch (state) {
    case ConnectionState::Disconnected:
        text = tr("Offline — reconnecting…");
        break;
    case ConnectionState::Connecting:
        text = tr("Connecting…");
        break;
    case ConnectionState::Syncing:
        text = tr("Synchronizing…");
        break;
    case ConnectionState::Online:
        text = tr("Online");
        break;
    case ConnectionState::SignedOut:
        text = tr("Signed out");
        break;
    }
    m_stateLabel->setText(text);
    m_syncProgress->setVisible(state == ConnectionState::Syncing);
    updateSessionActions();
    if (state == ConnectionState::Online) {
        markVisibleRead();
    }
}

QString MainWindow::currentPeer() const { return m_messages->peer(); }

void MainWindow::updateHeader()
{
    const QString peer = m_messages->peer();
    if (peer.isEmpty()) {
        m_peerHeader->setText(tr("Choose a conversation, or start one with Ctrl+N"));
        m_messagesHint->setText(tr("Pick a conversation on the left to read it here."));
        m_messagesHint->update();
        return;
    }
    const int row = m_conversations->rowOf(peer);
    const QString name = row >= 0
        ? m_conversations->data(m_conversations->index(row), ConversationModel::PeerNameRole)
              .toString()
        : peer;
    QString header = name == peer ? peer : tr("%1 <%2>").arg(name, peer);
    if (const std::optional<UserStatus> status = m_client->peerStatus(peer)) {
        header = tr("%1 — ● %2")
                     .arg(header, ConversationDelegate::statusWords(status->status, status->text));
    }
    m_peerHeader->setText(header);
    m_messagesHint->setText(
        tr("Nothing written with %1 yet. Type a message below and press Enter to send it.")
            .arg(name));
    m_messagesHint->update();
}

QString MainWindow::conversationsHintText()
{
    return tr("No conversations yet.\n\nStart one with “New conversation” (Ctrl+N). Messages "
              "sent to you appear here on all your devices.");
}

void MainWindow::openConversation(const QString& peerAddress)
{
    m_conversations->setKeptPeer(peerAddress);
    m_messages->setPeer(peerAddress);
    m_composer->setEnabled(!peerAddress.isEmpty());
    stopComposing();
    m_sessionBar->setPeer(peerAddress);
    m_missedBar->setPeer(peerAddress);
    updateSessionActions();
    updateHeader();
    if (peerAddress.isEmpty()) {
        return;
    }
    if (!m_client->peerStatus(peerAddress) && m_client->state() == ConnectionState::Online) {
        m_client->refreshPeerStatuses({ peerAddress }); // someone new may share theirs
    }
    const int row = m_conversations->rowOf(peerAddress);
    if (row >= 0) {
        const QModelIndex proxy = m_filter->mapFromSource(m_conversations->index(row));
        m_conversationView->setCurrentIndex(proxy);
    }
    m_composer->textEdit()->setFocus();
}

void MainWindow::onConversationActivated(const QModelIndex& proxyIndex)
{
    const QString peer = proxyIndex.data(ConversationModel::PeerAddressRole).toString();
    if (peer != m_messages->peer()) {
        openConversation(peer);
    }
}

void MainWindow::onMessageClicked(const QModelIndex& index)
{
    const Message m = m_messages->messageAt(index.row());
    if (!m.partial) {
        return;
    }
    // A notified device fetches the whole message when the user opens it (DEV-3); it is
    // read once in view like any other (markVisibleRead on the change).
    m_client->fetchBody(m.id, [this, guard = QPointer<MainWindow>(this)](const Error& error) {
        if (guard && !error.isNull()) {
            showError(ErrorText::forAction(error));
        }
    });
}

void MainWindow::onRowsInserted(const QModelIndex&, int first, int last)
{
    // Older pages arrive at the top while reading back; keep the view where it was.
    if (first == 0 && last < m_messages->rowCount() - 1 && !m_stickToBottom) {
        return;
    }
    if (m_stickToBottom) {
        QTimer::singleShot(0, this, [this] {
            m_messageView->scrollToBottom();
            markVisibleRead();
        });
    }
    markVisibleRead();
    updateJumpButton();
}

void MainWindow::onScrolled(int value)
{
    if (m_positioning) {
        return; // the view moves on its own while an opened conversation is put in place
    }
    QScrollBar* bar = m_messageView->verticalScrollBar();
    m_stickToBottom = value >= bar->maximum() - 4;
    const QModelIndex top = m_messageView->indexAt(QPoint(1, 1));
    m_topMessage = top.isValid() ? m_messages->messageAt(top.row()).id : 0;
    m_topOffset = top.isValid() ? m_messageView->visualRect(top).top() : 0;
    markVisibleRead();
    updateJumpButton();
    if (value == bar->minimum() && m_messages->canLoadOlder()) {
        const int before = bar->maximum();
        m_messages->loadOlder();
        // Keep the message the user was looking at in place after the page above arrives.
        QTimer::singleShot(0, this, [bar, before] { bar->setValue(bar->maximum() - before); });
    }
}

void MainWindow::changeEvent(QEvent* event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange && isActiveWindow()) {
        markVisibleRead();
    }
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    const bool dragging = event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove
        || event->type() == QEvent::Drop;
    // The type first: while the window is being destroyed the viewport still gets events.
    if (dragging && watched == m_messageView->viewport() && m_composer->isEnabled()) {
        if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
            auto* drag = static_cast<QDragMoveEvent*>(event);
            if (drag->mimeData()->hasUrls() || drag->mimeData()->hasImage()) {
                drag->acceptProposedAction();
                return true;
            }
        } else if (event->type() == QEvent::Drop) {
            auto* drop = static_cast<QDropEvent*>(event);
            if (m_composer->addFromMimeData(drop->mimeData())) {
                drop->acceptProposedAction();
                m_composer->textEdit()->setFocus();
                return true;
            }
        }
    }
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        // Down moves into the results, Enter opens the first one.
        const int key = static_cast<QKeyEvent*>(event)->key();
        const bool down = key == Qt::Key_Down;
        const bool enter = key == Qt::Key_Return || key == Qt::Key_Enter;
        if ((down || enter) && m_filter->rowCount() > 0) {
            const QModelIndex first = m_filter->index(0, 0);
            m_conversationView->setCurrentIndex(first);
            m_conversationView->setFocus();
            if (enter) {
                onConversationActivated(first);
            }
            return true;
        }
    }
    if (watched == m_messageView && event->type() == QEvent::Resize) {
        updateJumpButton();
        // A new width wraps every bubble anew: keep the message that was at the top of the
        // view there (or stay at the newest), instead of the same pixel offset.
        QTimer::singleShot(0, this, [this, anchor = m_topMessage, offset = m_topOffset] {
            if (m_positioning) {
                return;
            }
            if (m_stickToBottom) {
                m_messageView->scrollToBottom();
            } else if (const int row = m_messages->rowOf(anchor); row >= 0) {
                m_messageView->scrollTo(m_messages->index(row), QAbstractItemView::PositionAtTop);
                QScrollBar* bar = m_messageView->verticalScrollBar();
                bar->setValue(bar->value() - offset);
            }
        });
    }
    return QMainWindow::eventFilter(watched, event);
}

QList<qint64> MainWindow::messagesInView() const
{
    QList<qint64> seen;
    if (!isActiveWindow() || isMinimized() || !m_messageView->isVisible()
        || m_messages->peer().isEmpty()) {
        return seen;
    }
    const QRect viewport = m_messageView->viewport()->rect();
    for (int row = 0; row < m_messages->rowCount(); ++row) {
        const QRect rect = m_messageView->visualRect(m_messages->index(row));
        const QRect shown = rect.intersected(viewport);
        // At least half of it, or half the view for a message taller than the view.
        if (!shown.isEmpty() && shown.height() * 2 >= std::min(rect.height(), viewport.height())) {
            seen.append(m_messages->messageAt(row).id);
        }
    }
    return seen;
}

void MainWindow::markVisibleRead()
{
    // A message is read when a person could see it: in view, in an active window. One
    // that came while scrolled up, or while the window was in the background, stays
    // unread on every device and the sender is not told it was displayed.
    if (m_positioning) {
        return;
    }
    const QList<qint64> seen = messagesInView();
    for (const qint64 id : seen) {
        const int row = m_messages->rowOf(id);
        const Message m = m_messages->messageAt(row);
        if (isUnreadIncoming(m) && !m.partial) {
            m_client->markRead(m.id);
        }
    }
}

void MainWindow::onConversationLoaded()
{
    // Nothing counts as seen until the view stands where the person will first see it.
    m_positioning = true;
    m_messageDelegate->setNewMessagesMarker(0);
    m_stickToBottom = false;
    QTimer::singleShot(0, this, [this, peer = m_messages->peer()] {
        if (peer != m_messages->peer()) {
            return; // another conversation was opened meanwhile; its own turn comes
        }
        // The first unread message may be older than the newest page: bring it in (up to
        // ten pages; beyond that the line goes above the oldest unread one loaded).
        const auto oldestIsUnread = [this] {
            const Message m = m_messages->messageAt(0);
            return m_messages->rowCount() > 0 && isUnreadIncoming(m);
        };
        for (int pages = 1; pages < 10 && oldestIsUnread() && m_messages->canLoadOlder(); ++pages) {
            m_messages->loadOlder();
        }
        qint64 firstUnread = 0;
        for (int row = 0; row < m_messages->rowCount() && firstUnread == 0; ++row) {
            const Message m = m_messages->messageAt(row);
            firstUnread = isUnreadIncoming(m) ? m.id : 0;
        }
        m_messageDelegate->setNewMessagesMarker(firstUnread);
        m_messageView->doItemsLayout(); // the marked row is taller now
        const int row = m_messages->rowOf(firstUnread);
        if (row >= 0) {
            m_messageView->scrollTo(m_messages->index(row), QAbstractItemView::PositionAtTop);
        } else {
            m_messageView->scrollToBottom();
        }
        m_positioning = false;
        // As if scrolled there: marks what is in view, and at the top loads older ones.
        onScrolled(m_messageView->verticalScrollBar()->value());
        m_messageView->viewport()->update();
    });
}

void MainWindow::updateJumpButton()
{
    int unread = 0;
    for (int row = 0; row < m_messages->rowCount(); ++row) {
        const Message m = m_messages->messageAt(row);
        unread += isUnreadIncoming(m) ? 1 : 0;
    }
    const bool show = !m_stickToBottom && !m_messages->peer().isEmpty();
    m_jumpButton->setText(unread > 0 ? tr("↓ %n new", nullptr, unread) : QStringLiteral("↓"));
    m_jumpButton->setAccessibleDescription(
        unread > 0 ? tr("%n unread messages below", nullptr, unread) : QString());
    m_jumpButton->adjustSize();
    const QWidget* viewport = m_messageView->viewport();
    m_jumpButton->move(viewport->geometry().right() - m_jumpButton->width() - 12,
        viewport->geometry().bottom() - m_jumpButton->height() - 12);
    m_jumpButton->setVisible(show);
    m_jumpButton->raise();
}

void MainWindow::jumpToNewest()
{
    m_stickToBottom = true;
    m_messageView->scrollToBottom();
    markVisibleRead();
    updateJumpButton();
}

void MainWindow::updateLoadBar()
{
    int notified = 0;
    for (int row = 0; row < m_messages->rowCount(); ++row) {
        notified += m_messages->messageAt(row).partial ? 1 : 0;
    }
    if (m_loading > 0) {
        m_loadText->setText(tr("Loading %Ln messages…", nullptr, m_loading));
    } else {
        m_loadText->setText(
            tr("%Ln messages here were only notified to this device.", nullptr, notified));
    }
    m_loadButton->setText(tr("&Load them"));
    m_loadButton->setEnabled(m_loading == 0);
    m_loadBar->setVisible(notified > 0 || m_loading > 0);
}

void MainWindow::loadNotifiedMessages()
{
    QList<qint64> ids;
    for (int row = 0; row < m_messages->rowCount(); ++row) {
        if (const Message m = m_messages->messageAt(row); m.partial) {
            ids.append(m.id);
        }
    }
    m_loading = int(ids.size());
    updateLoadBar();
    auto failed = std::make_shared<bool>(false);
    for (const qint64 id : std::as_const(ids)) {
        m_client->fetchBody(
            id, [this, failed, guard = QPointer<MainWindow>(this)](const Error& error) {
                if (!guard) {
                    return;
                }
                if (!error.isNull() && !std::exchange(*failed, true)) {
                    showError(ErrorText::forAction(error)); // once, not once per message
                }
                m_loading = std::max(0, m_loading - 1);
                updateLoadBar();
            });
    }
}

void MainWindow::send(const QString& subject, const QString& body, const QStringList& files)
{
    const QString peer = m_messages->peer();
    if (peer.isEmpty()) {
        return;
    }
    // While a session with the peer is on this device, what is written is said in it.
    const std::optional<Session> session = m_sessionBar->sessionHere();
    if (session && !files.isEmpty()) {
        showError(tr("Files cannot go into a chat session. End the session to send them as a "
                     "message."));
        return;
    }
    const Result<QString> queued = session ? m_client->sessions().say(session->id, body)
        : files.isEmpty()                  ? m_client->send(peer, subject, body)
                                           : m_client->send(peer, subject, body, files);
    if (!queued) {
        const Error& error = queued.error();
        if (!files.isEmpty() && error.code == ErrorCode::NotFound) {
            showError(tr("A file cannot be read any more. Remove it and attach it again."));
        } else if (!files.isEmpty() && error.code == ErrorCode::TooLarge) {
            showError(tr("A file is larger than your server allows. Remove it, or send a "
                         "smaller one."));
        } else if (files.size() > protocol::limits::MaxAttachmentsPerMessage) {
            showError(Composer::tooManyFilesText());
        } else {
            showError(ErrorText::forAction(error));
        }
        return;
    }
    if (!files.isEmpty()) {
        m_sentFiles.insert(*queued, files);
    }
    m_composer->handOver(*queued);
    m_stickToBottom = true;
}

void MainWindow::storeSentThumbnails(qint64 messageId, const QStringList& files)
{
    const Result<std::optional<Message>> m = m_client->message(messageId);
    if (files.isEmpty() || !m || !m->has_value()) {
        return;
    }
    const QList<protocol::Attachment>& attachments = (*m)->attachments;
    for (qsizetype i = 0; i < attachments.size() && i < files.size(); ++i) {
        const protocol::Attachment& a = attachments.at(i);
        QFile file(files.at(i));
        if (!a.isImage() || a.id.isEmpty() || !file.open(QIODevice::ReadOnly)) {
            continue;
        }
        if (const QImage thumbnail = MessageDelegate::makeThumbnail(&file); !thumbnail.isNull()) {
            (void)m_client->attachments().storeThumbnail(
                a.id, MessageDelegate::encodeThumbnail(thumbnail));
            m_messageDelegate->thumbnailAvailable(a.id);
        }
    }
    m_messageView->viewport()->update();
}

void MainWindow::onAttachmentAction(const QModelIndex& index, int attachmentIndex, int action)
{
    if (!index.isValid()) {
        return;
    }
    const Message m = m_messages->messageAt(index.row());
    if (attachmentIndex < 0 || attachmentIndex >= m.attachments.size()) {
        return;
    }
    const protocol::Attachment a = m.attachments.at(attachmentIndex);
    if (a.id.isEmpty()) {
        return; // still uploading
    }
    AttachmentManager& attachments = m_client->attachments();
    const auto reportError = [guard = QPointer<MainWindow>(this)](const Error& error) {
        if (guard && !error.isNull()) {
            guard->showError(ErrorText::forAction(error));
        }
    };
    switch (MessageDelegate::AttachmentAction(action)) {
    case MessageDelegate::AttachmentAction::View: {
        // Fetched first when this device has no copy (e.g. one's own sent picture).
        const QString id = a.id;
        const QString name = a.name;
        attachments.fetch(
            m.id, a.id, [guard = QPointer<MainWindow>(this), id, name](const Error& error) {
                if (!guard) {
                    return;
                }
                if (!error.isNull()) {
                    guard->showError(ErrorText::forAction(error));
                    return;
                }
                auto* viewer = new AttachmentViewer(guard->m_client, id, name, guard);
                viewer->setAttribute(Qt::WA_DeleteOnClose);
                viewer->open();
            });
        return;
    }
    case MessageDelegate::AttachmentAction::Fetch:
        attachments.fetch(m.id, a.id, reportError);
        return;
    case MessageDelegate::AttachmentAction::Open:
        if (const QString error = attachmentui::openExternally(m_client, a.id, a.name);
            !error.isEmpty()) {
            showError(error);
        }
        return;
    case MessageDelegate::AttachmentAction::SaveAs:
        if (const QString error = attachmentui::saveAs(this, m_client, a.id, a.name);
            !error.isEmpty()) {
            showError(error);
        }
        return;
    }
}

void MainWindow::newConversation()
{
    NewConversationDialog dialog(m_client, this);
    if (dialog.exec() == QDialog::Accepted && !dialog.address().isEmpty()) {
        openConversation(dialog.address());
    }
}

void MainWindow::deleteSelected(bool everywhere)
{
    const QModelIndex index = m_messageView->currentIndex();
    if (!index.isValid()) {
        return;
    }
    const Message m = m_messages->messageAt(index.row());
    if (m.id <= 0) {
        return;
    }
    // Asked each time, and nothing stays selected after: pressing Del twice never deletes
    // two messages unasked. (The other party keeps their copy either way.)
    const bool confirmed = everywhere
        ? QMessageBox::question(this, tr("Delete on all my devices"),
              tr("Delete this message from your network storage and from all your devices? "
                 "The other person keeps their copy. This cannot be undone."),
              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes
        : QMessageBox::question(this, tr("Delete on this device"),
              tr("Delete this message on this device? Your other devices and your network "
                 "storage keep it."),
              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes)
            == QMessageBox::Yes;
    if (!confirmed) {
        return;
    }
    m_messageView->clearSelection();
    m_messageView->setCurrentIndex({});
    if (!everywhere) {
        if (const Result<void> deleted = m_client->deleteLocally(m.id); !deleted) {
            showError(ErrorText::forAction(deleted.error()));
        }
        return;
    }
    m_client->deleteEverywhere(
        m.id, [this, guard = QPointer<MainWindow>(this)](const Error& error) {
            if (guard && !error.isNull()) {
                showError(ErrorText::forAction(error));
            }
        });
}

void MainWindow::sendSelectedAgain()
{
    const Message m = m_messages->messageAt(m_messageView->currentIndex().row());
    if (m.status != Message::Status::Failed) {
        showError(tr("Only a message that could not be sent can be sent again."), 4000);
        return;
    }
    if (const Result<bool> again = m_client->retrySend(m.id); !again) {
        showError(ErrorText::forAction(again.error()));
    }
}

void MainWindow::showMessageMenu(const QPoint& pos)
{
    const QModelIndex index = m_messageView->indexAt(pos);
    if (!index.isValid()) {
        return;
    }
    m_messageView->setCurrentIndex(index);
    QMenu menu(this);
    menu.addAction(tr("Copy text"), this,
        [index] { AppClipboard::setText(index.data(MessageModel::BodyRole).toString()); });
    if (index.data(MessageModel::StatusRole).toInt() == int(Message::Status::Failed)) {
        menu.addAction(tr("Send again"), this, &MainWindow::sendSelectedAgain);
    }
    // The attachments' actions, for the keyboard as much as for the mouse.
    const Message m = m_messages->messageAt(index.row());
    const QPersistentModelIndex persistent(index);
    for (int i = 0; i < m.attachments.size(); ++i) {
        const protocol::Attachment& a = m.attachments.at(i);
        if (a.id.isEmpty()) {
            continue;
        }
        const auto act = [this, persistent, i](MessageDelegate::AttachmentAction action) {
            return
                [this, persistent, i, action] { onAttachmentAction(persistent, i, int(action)); };
        };
        menu.addSeparator();
        if (!m_client->attachments().has(a.id)) {
            menu.addAction(tr("Download “%1”").arg(a.name), this,
                act(MessageDelegate::AttachmentAction::Fetch));
            continue;
        }
        if (a.isImage()) {
            menu.addAction(
                tr("View “%1”").arg(a.name), this, act(MessageDelegate::AttachmentAction::View));
        }
        if (!m_client->isGuest()) {
            menu.addAction(
                tr("Open “%1”").arg(a.name), this, act(MessageDelegate::AttachmentAction::Open));
        }
        menu.addAction(
            tr("Save “%1” as…").arg(a.name), this, act(MessageDelegate::AttachmentAction::SaveAs));
    }
    menu.addSeparator();
    menu.addAction(tr("Delete on this device…"), this, [this] { deleteSelected(false); });
    menu.addAction(tr("Delete on all my devices…"), this, [this] { deleteSelected(true); });
    menu.exec(m_messageView->viewport()->mapToGlobal(pos));
}

template <typename Dialog> Dialog* MainWindow::raiseTool()
{
    // One of each tool window per main window: a second request brings it to the front.
    auto* dialog = findChild<Dialog*>();
    if (!dialog) {
        dialog = new Dialog(m_client, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

void MainWindow::showDiagnostics() { raiseTool<DiagnosticsDialog>(); }

void MainWindow::buildStatusBox()
{
    m_statusBox->setObjectName(QStringLiteral("status"));
    m_statusBox->setAccessibleName(tr("Your status"));
    m_statusBox->setToolTip(tr("Your status, as your contacts and your other devices see it"));
    m_statusBox->addItem(tr("● Available"), QStringLiteral("available"));
    m_statusBox->addItem(tr("● Busy"), QStringLiteral("busy"));
    m_statusBox->addItem(tr("● Away"), QStringLiteral("away"));
    m_statusBox->addItem(tr("✎ Custom…"), QStringLiteral("custom"));
    for (int i = 0; i < 3; ++i) {
        m_statusBox->setItemData(i,
            ConversationDelegate::statusColor(m_statusBox->itemData(i).toString()),
            Qt::ForegroundRole);
    }
    updateStatusBox();
    connect(m_statusBox, &QComboBox::activated, this, &MainWindow::onStatusChosen);
}

void MainWindow::updateStatusBox()
{
    const Result<UserStatus> read = m_client->status();
    if (!read) {
        return; // keep what the box shows; the error was reported
    }
    const UserStatus& status = *read;
    const int index = std::max(0, m_statusBox->findData(status.status));
    m_statusBox->setCurrentIndex(index);
    if (status.status == QLatin1StringView("custom")) {
        m_statusBox->setItemText(
            index, status.text.isEmpty() ? tr("✎ Custom…") : tr("✎ %1").arg(status.text));
    } else {
        m_statusBox->setItemText(m_statusBox->findData(QStringLiteral("custom")), tr("✎ Custom…"));
    }
}

void MainWindow::onStatusChosen(int index)
{
    const QString status = m_statusBox->itemData(index).toString();
    QString text;
    if (status == QLatin1StringView("custom")) {
        bool ok = false;
        text = protocol::leftCharacters(
            QInputDialog::getText(this, tr("Custom status"), tr("What are you up to?"),
                QLineEdit::Normal, m_client->status().valueOr({}).text, &ok)
                .trimmed(),
            protocol::limits::MaxStatusTextChars);
        if (!ok) {
            updateStatusBox();
            return;
        }
    }
    m_client->setStatus(
        status, text, [this, guard = QPointer<MainWindow>(this)](const Error& error) {
            if (!guard) {
                return;
            }
            if (!error.isNull()) {
                showError(ErrorText::forAction(error));
            }
            updateStatusBox();
        });
}

void MainWindow::showDevices() { raiseTool<DevicesDialog>(); }

void MainWindow::showMyFiles() { raiseTool<MyFilesDialog>(); }

void MainWindow::showContacts()
{
    auto* dialog = raiseTool<ContactsDialog>();
    // Unique: the dialog lives on between calls and must not connect twice.
    connect(dialog, &ContactsDialog::conversationRequested, this, &MainWindow::openConversation,
        Qt::UniqueConnection);
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_client, this);
    dialog.exec();
}

void MainWindow::updateSessionActions()
{
    if (!m_startSession) {
        return; // the menus are not built yet
    }
    const QString peer = m_messages->peer();
    const bool online = m_client->state() == ConnectionState::Online;
    const std::optional<Session> open
        = peer.isEmpty() ? std::nullopt : m_client->sessions().openSessionWith(peer);
    m_startSession->setEnabled(online && !peer.isEmpty() && !open);
    m_startSession->setToolTip(!online ? tr("Chat sessions need a connection to the server")
            : open                     ? tr("A chat session with this person is already open")
                                       : tr("Ask to chat now, each on one device (Ctrl+Shift+S)"));
    const bool here = open && m_client->sessions().isHere(open->id);
    m_moveSession->setEnabled(online && here);
    m_endSession->setEnabled(online && open
        && (here || (open->inviter && open->state == protocol::SessionState::Inviting)));
    m_composer->setSessionMode(m_sessionBar->sessionHere().has_value());
}

void MainWindow::startSession(const QString& peer)
{
    if (peer.isEmpty() || m_client->sessions().openSessionWith(peer)) {
        return;
    }
    bool ok = false;
    const QString subject = QInputDialog::getText(this, tr("Start chat session"),
        tr("Ask %1 to chat now. What about? (optional)")
            .arg(SessionText::peerName(*m_client, peer)),
        QLineEdit::Normal, {}, &ok)
                                .trimmed();
    if (!ok) {
        return;
    }
    m_client->sessions().invite(peer, protocol::leftCharacters(subject, 256),
        [this, guard = QPointer<MainWindow>(this)](const Error& error, const Session&) {
            if (guard && !error.isNull()) {
                showError(ErrorText::forAction(error));
            }
        });
}

void MainWindow::showOtherSessions(qint64 sessionId)
{
    auto* dialog = findChild<OtherSessionsDialog*>();
    if (!dialog) {
        dialog = new OtherSessionsDialog(m_client, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &OtherSessionsDialog::continued, this, &MainWindow::openConversation);
    }
    dialog->select(sessionId);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void MainWindow::onComposerEdited()
{
    const std::optional<Session> s = m_sessionBar->sessionHere();
    if (!s || m_composer->textEdit()->toPlainText().trimmed().isEmpty()) {
        stopComposing();
        return;
    }
    // One "typing" per burst of keys, not one per key; five quiet seconds end it.
    if (m_composingSession != s->id) {
        stopComposing();
        m_client->sessions().setComposing(s->id, true);
        m_composingSession = s->id;
    }
    m_composingTimer->start(5000);
}

void MainWindow::stopComposing()
{
    m_composingTimer->stop();
    if (const qint64 id = std::exchange(m_composingSession, 0); id != 0) {
        m_client->sessions().setComposing(id, false);
    }
}

void MainWindow::showError(const QString& text, int ms) { statusBar()->showMessage(text, ms); }

} // namespace cpm::ui
