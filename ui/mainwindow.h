// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The main window of one device: conversations on the left, the open conversation with
// its composer on the right, the connection state below. Titled "device — address" so
// several instances side by side can be told apart (QA-1).

#include <QHash>
#include <QMainWindow>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QToolButton;
class QTimer;

namespace cpm {
class Client;
class ConversationModel;
class MessageModel;
enum class ConnectionState;
} // namespace cpm

namespace cpm::ui {

class Composer;
class EmptyHint;
class MissedRequestBar;
class SessionBar;
class SessionRequestBar;
class MessageDelegate;
class NoticeBar;
class Notifier;

class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Client* client, QWidget* parent = nullptr);
    ~MainWindow() override;

    //! Opens the conversation with \a peerAddress (also one with no messages yet).
    void openConversation(const QString& peerAddress);
    QString currentPeer() const;

    ConversationModel* conversationModel() const { return m_conversations; }
    Notifier* notifier() const { return m_notifier; }
    void showDevices();
    void showContacts();
    void showSettings();
    //! File → My files… (MSG-1): the user's network storage.
    void showMyFiles();
    Composer* composer() const { return m_composer; }
    MessageDelegate* messageDelegate() const { return m_messageDelegate; }
    QListView* messageView() const { return m_messageView; }
    MessageModel* messageModel() const { return m_messages; }
    SessionRequestBar* sessionRequestBar() const { return m_requestBar; }
    SessionBar* sessionBar() const { return m_sessionBar; }
    //! Asks \a peer for a chat session now, with a subject the user may type (SES-1).
    void startSession(const QString& peer);
    //! Opens "Sessions on my other devices" (SES-7), with \a sessionId chosen if given.
    void showOtherSessions(qint64 sessionId = 0);
    //! The messages of the open conversation that count as seen now (docs/desktop.md, "When
    //! a message is read"): in an active, unminimised window, at least half in view.
    QList<qint64> messagesInView() const;

Q_SIGNALS:
    //! The device was signed out (remotely or here); the app returns to sign-in.
    void signedOut();
    //! A guest confirmed signing out here (GST-4): the app wipes the device.
    void guestSignOutRequested();

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildMenus();
    //! The permanent "Guest on this device" banner of a guest's session (GST-4).
    QWidget* buildGuestBanner();
    //! Asks, for this device, whether to sign out; then signs out (or, a guest, asks the app).
    void confirmSignOut();
    //! Starts `cpm-desktop --guest` beside this window (GST-1).
    void letGuestSignIn();
    void updateTitle();
    //! The open conversation's name and address above its messages.
    void updateHeader();
    static QString conversationsHintText();
    void onStateChanged(ConnectionState state);
    void onConversationActivated(const QModelIndex& proxyIndex);
    void onMessageClicked(const QModelIndex& index);
    void onRowsInserted(const QModelIndex& parent, int first, int last);
    void onScrolled(int value);
    void markVisibleRead();
    //! A conversation was opened: put the "New messages" line above its first unread
    //! message and show that one, or the newest when all are read.
    void onConversationLoaded();
    void updateJumpButton();
    void jumpToNewest();
    //! Shows, above the messages, how many of the loaded ones this device was only
    //! notified of, with one button that loads them all.
    void updateLoadBar();
    void loadNotifiedMessages();
    void send(const QString& subject, const QString& body, const QStringList& files);
    //! A click on an attachment of the message at \a index (or its menu entry).
    void onAttachmentAction(const QModelIndex& index, int attachmentIndex, int action);
    //! Thumbnails of the pictures of the sent message \a messageId, from the \a files sent.
    void storeSentThumbnails(qint64 messageId, const QStringList& files);
    void newConversation();
    void deleteSelected(bool everywhere);
    //! Queues the selected message again when the server had refused it (e.g. to an
    //! address that had no account yet).
    void sendSelectedAgain();
    void showMessageMenu(const QPoint& pos);
    void showDiagnostics();
    //! Says \a text in the status bar for \a ms milliseconds.
    void showError(const QString& text, int ms = 8000);
    template <typename Dialog> Dialog* raiseTool();
    void buildStatusBox();
    void onStatusChosen(int index);
    void updateStatusBox();
    //! Enables the session actions for the open conversation and the connection.
    void updateSessionActions();
    //! Tells the peer's device the user is typing in the session, once per burst (SES-5).
    void onComposerEdited();
    void stopComposing();

    Client* m_client;
    ConversationModel* m_conversations;
    MessageModel* m_messages;
    QSortFilterProxyModel* m_filter;
    QLineEdit* m_search;
    QLabel* m_noResults; //!< under the search field when nothing matches
    EmptyHint* m_conversationsHint = nullptr;
    EmptyHint* m_messagesHint = nullptr;
    QListView* m_conversationView;
    QLabel* m_peerHeader;
    QListView* m_messageView;
    MessageDelegate* m_messageDelegate;
    QToolButton* m_jumpButton;
    QWidget* m_loadBar;
    QLabel* m_loadText;
    QPushButton* m_loadButton;
    int m_loading = 0; //!< message bodies asked for by the load bar and not answered yet
    Composer* m_composer;
    QLabel* m_stateLabel;
    QProgressBar* m_syncProgress;
    QComboBox* m_statusBox;
    NoticeBar* m_notice;
    SessionRequestBar* m_requestBar;
    SessionBar* m_sessionBar;
    MissedRequestBar* m_missedBar;
    QAction* m_startSession = nullptr;
    QAction* m_moveSession = nullptr;
    QAction* m_endSession = nullptr;
    QTimer* m_composingTimer;
    qint64 m_composingSession = 0; //!< the session told "typing", until told it stopped
    Notifier* m_notifier;
    QHash<QString, QStringList> m_sentFiles; //!< files of messages being sent, by clientId
    //! Failed outbox messages sent from this window (pending id → clientId): their pasted
    //! pictures stay for "Send again" until they are sent or deleted.
    QHash<qint64, QString> m_failedClientIds;
    bool m_stickToBottom = true;
    qint64 m_topMessage = 0; //!< the message at the top of the view when last scrolled
    int m_topOffset = 0; //!< how far its top was above the view's (≤ 0)
    bool m_positioning = false; //!< a conversation was opened and is not in place yet
};

} // namespace cpm::ui
