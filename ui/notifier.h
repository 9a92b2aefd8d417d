// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Tells the user about new messages on this device (MSG-4): a desktop notification
// (freedesktop D-Bus notifications where a notification server runs, else the tray's
// balloon) and a tray icon with the unread count. A message read on another device
// closes its notification here (MSG-5).
//
// At most one notification per conversation, replaced as more arrive ("3 new messages
// from Bob"); while the device catches up after being offline, none at all until it has
// caught up, then one summary. Clicking one opens its conversation. Each names the
// account and device that received it, so that several profiles side by side can be told
// apart (docs/desktop.md, "Notifications").
//
// A chat session request ringing here (SES-2) gets a notification of its own with Accept
// and Decline where the notification server supports actions; it is withdrawn as soon as
// the request stops ringing (answered elsewhere, declined, cancelled, timed out).

#include "types.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

class QSystemTrayIcon;
class QWidget;

namespace cpm {
class Client;
enum class ConnectionState;
} // namespace cpm

namespace cpm::ui {

class Notifier final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    //! \a window is raised when a notification or the tray icon is clicked.
    Notifier(Client* client, QWidget* window, QObject* parent = nullptr);
    ~Notifier() override;

    //! Messages with a notification showing now (by message id).
    QList<qint64> openNotifications() const;
    //! \a showing tells whether the window is showing a conversation with a peer right
    //! now; no notification is needed for what the user is already looking at.
    void setShowingPeer(std::function<bool(const QString& peer)> showing)
    {
        m_showing = std::move(showing);
    }
    //! Session requests with a notification showing now (by session id).
    QList<qint64> openSessionRequests() const { return m_sessionNotes.keys(); }
    //! What the tray shows as its tooltip: account, device and unread count.
    QString trayToolTip() const;
    //! Withdraws every notification this device put on screen (a guest signing out leaves
    //! none behind, GST-4). New ones may follow.
    void withdrawAll();

Q_SIGNALS:
    //! \a messageId is now part of a notification showing.
    void notificationShown(qint64 messageId);
    void notificationClosed(qint64 messageId);
    //! A notification was put on screen, new or replacing one (what a person sees pop up).
    void notificationPosted(const QString& title, const QString& body);
    //! The person clicked a notification of the conversation with \a peer (empty: the
    //! summary of several).
    void conversationRequested(const QString& peer);
    //! The person chose Accept or Decline on the notification of session request \a id.
    void sessionAcceptRequested(qint64 id);
    void sessionDeclineRequested(qint64 id);
    //! The person clicked the notification of session request \a id (the window is raised:
    //! its banner answers).
    void sessionRequestOpened(qint64 id);

private Q_SLOTS:
    //! org.freedesktop.Notifications.ActionInvoked
    void onActionInvoked(uint serverId, const QString& action);
    //! org.freedesktop.Notifications.NotificationClosed (dismissed by the person, expired)
    void onServerClosed(uint serverId, uint reason);

private:
    //! The notification of one conversation, or (key empty) the catch-up summary.
    struct Shown {
        QList<qint64> messages;
        QString title;
        QString body;
        uint serverId = 0; //!< the notification server's id, once it answered
        bool inFlight = false; //!< a Notify call has not answered yet
        bool dirty = false; //!< changed while in flight: post again with its id
    };

    //! The notification of a session request: one per request, with its own actions.
    struct SessionNote {
        uint serverId = 0;
        bool inFlight = false;
    };

    void onSessionRequest(const Session& session);
    void withdrawSessionRequest(qint64 id);
    void onIncoming(qint64 messageId, const QString& from, const QString& subject);
    void onStateChanged(ConnectionState state);
    //! Removes \a messageId from whatever notification holds it.
    void forget(qint64 messageId);
    void showCatchUpSummary();
    void compose(const QString& key);
    void post(const QString& key);
    void closeNotification(const QString& key);
    void updateTray(int unread);
    bool enabled() const;
    void showWindow();
    QString peerName(const QString& address) const;
    QString receivedBy() const;

    Client* m_client;
    QPointer<QWidget> m_window;
    QSystemTrayIcon* m_tray = nullptr;
    bool m_useServer = false;
    //! By peer address; the summary under the empty key.
    QHash<QString, Shown> m_shown;
    //! Incoming while catching up: by peer, in arrival order of the peers.
    QHash<QString, QList<qint64>> m_catchUp;
    QStringList m_catchUpOrder;
    bool m_catchingUp = false;
    QString m_lastTrayKey; //!< what the tray balloon shows, for its click
    qint64 m_lastTraySession = 0; //!< the session request the tray balloon shows, if any
    QHash<qint64, SessionNote> m_sessionNotes;
    int m_unread = 0;
    std::function<bool(const QString&)> m_showing;
};

} // namespace cpm::ui
