// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Tells the user about new messages on this device (MSG-4): a desktop notification
// (freedesktop D-Bus notifications where a notification server runs, else the tray's
// balloon) and a tray icon with the unread count. A message read on another device
// closes its notification here (MSG-5).

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

class QSystemTrayIcon;
class QWidget;

namespace cpm {
class Client;
}

namespace cpm::ui {

class Notifier final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    //! \a window is raised when a notification or the tray icon is clicked.
    Notifier(Client* client, QWidget* window, QObject* parent = nullptr);
    ~Notifier() override;

    //! Messages with a notification showing now (by message id).
    QList<qint64> openNotifications() const { return m_open.keys(); }
    //! \a showing tells whether the window is showing a conversation with a peer right
    //! now; no notification is needed for what the user is already looking at.
    void setShowingPeer(std::function<bool(const QString& peer)> showing)
    {
        m_showing = std::move(showing);
    }
    //! What the tray shows as its tooltip, e.g. "CPM — 3 unread".
    QString trayToolTip() const;

Q_SIGNALS:
    void notificationShown(qint64 messageId);
    void notificationClosed(qint64 messageId);

private:
    void onIncoming(qint64 messageId, const QString& from, const QString& subject);
    void close(qint64 messageId);
    void updateTray(int unread);
    bool enabled() const;
    void showWindow();

    Client* m_client;
    QPointer<QWidget> m_window;
    QSystemTrayIcon* m_tray = nullptr;
    //! Message id → the notification server's id (0 when shown through the tray).
    QHash<qint64, uint> m_open;
    int m_unread = 0;
    std::function<bool(const QString&)> m_showing;
};

} // namespace cpm::ui
