// SPDX-License-Identifier: GPL-3.0-or-later
#include "notifier.h"

#include "appearance.h"
#include "client.h"
#include "kindicon.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QWidget>

namespace cpm::ui {

namespace {
const QString NotifyService = QStringLiteral("org.freedesktop.Notifications");
const QString NotifyPath = QStringLiteral("/org/freedesktop/Notifications");

bool hasNotificationServer()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface()
        && bus.interface()->isServiceRegistered(NotifyService).value();
}
} // namespace

Notifier::Notifier(Client* client, QWidget* window, QObject* parent)
    : QObject(parent)
    , m_client(client)
    , m_window(window)
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(appIcon(), this);
        auto* menu = new QMenu(window);
        menu->addAction(tr("Show CPM"), this, &Notifier::showWindow);
        menu->addSeparator();
        menu->addAction(tr("Quit"), qApp, &QApplication::quit);
        m_tray->setContextMenu(menu);
        connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick) {
                    showWindow();
                }
            });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &Notifier::showWindow);
        m_tray->show();
    }
    connect(client, &Client::incomingMessage, this, &Notifier::onIncoming);
    connect(client, &Client::messageReadElsewhere, this, &Notifier::close);
    connect(client, &Client::messageRemoved, this, &Notifier::close);
    connect(client, &Client::messageChanged, this, [this](qint64 id) {
        if (m_open.contains(id)) {
            const Result<std::optional<Message>> m = m_client->message(id);
            if (m && (!m->has_value() || (*m)->read)) {
                close(id);
            }
        }
    });
    connect(client, &Client::unreadCountChanged, this, &Notifier::updateTray);
    connect(client, &Client::signedOut, this, [this] {
        const auto ids = m_open.keys();
        for (const qint64 id : ids) {
            close(id);
        }
        updateTray(0);
    });
    updateTray(client->unreadCount().valueOr(0)); // the count follows with the next change
}

Notifier::~Notifier()
{
    const auto ids = m_open.keys();
    for (const qint64 id : ids) {
        close(id);
    }
}

bool Notifier::enabled() const
{
    // Unreadable preferences leave notifications on: better one too many than a missed one.
    return m_client->prefs().valueOr({}).value(pref::Notifications).toString()
        != QLatin1StringView("off");
}

QString Notifier::trayToolTip() const
{
    return m_unread > 0 ? tr("CPM — unread: %1").arg(m_unread) : tr("CPM");
}

void Notifier::updateTray(int unread)
{
    m_unread = unread;
    if (m_window) {
        m_window->setWindowIcon(appIcon(unread));
    }
    if (m_tray) {
        m_tray->setIcon(appIcon(unread));
        m_tray->setToolTip(trayToolTip());
    }
}

void Notifier::showWindow()
{
    if (m_window) {
        m_window->showNormal();
        m_window->raise();
        m_window->activateWindow();
    }
}

void Notifier::onIncoming(qint64 messageId, const QString& from, const QString& subject)
{
    if (!enabled() || m_open.contains(messageId) || (m_showing && m_showing(from))) {
        return;
    }
    const std::optional<Message> message = m_client->message(messageId).valueOr({});
    QString text = subject;
    if (text.isEmpty() && message && !message->body.isNull()) {
        text = message->body.left(120);
    }
    const QString title = tr("New message from %1").arg(from);
    m_open.insert(messageId, 0);
    if (m_window) {
        QApplication::alert(m_window);
    }
    if (hasNotificationServer()) {
        QDBusMessage call = QDBusMessage::createMethodCall(
            NotifyService, NotifyPath, NotifyService, QStringLiteral("Notify"));
        call << QStringLiteral("CPM") << uint(0) << QStringLiteral("mail-message-new") << title
             << text << QStringList() << QVariantMap() << int(-1);
        auto* watcher
            = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
        connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, messageId](QDBusPendingCallWatcher* w) {
                const QDBusPendingReply<uint> reply = *w;
                w->deleteLater();
                if (!reply.isValid()) {
                    return;
                }
                if (m_open.contains(messageId)) {
                    m_open[messageId] = reply.value();
                } else {
                    // Read elsewhere before the server even answered: close it again.
                    QDBusConnection::sessionBus().asyncCall(
                        QDBusMessage::createMethodCall(NotifyService, NotifyPath, NotifyService,
                            QStringLiteral("CloseNotification"))
                        << reply.value());
                }
            });
    } else if (m_tray) {
        m_tray->showMessage(title, text, QSystemTrayIcon::Information, 8000);
    }
    Q_EMIT notificationShown(messageId);
}

void Notifier::close(qint64 messageId)
{
    const auto it = m_open.constFind(messageId);
    if (it == m_open.cend()) {
        return;
    }
    const uint serverId = it.value();
    m_open.erase(it);
    if (serverId != 0) {
        QDBusConnection::sessionBus().asyncCall(
            QDBusMessage::createMethodCall(
                NotifyService, NotifyPath, NotifyService, QStringLiteral("CloseNotification"))
            << serverId);
    }
    Q_EMIT notificationClosed(messageId);
}

} // namespace cpm::ui
