// SPDX-License-Identifier: GPL-3.0-or-later
#include "notifier.h"

#include "appearance.h"
#include "client.h"
#include "kindicon.h"
#include "sessionmanager.h"
#include "sessiontext.h"

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
const QString DefaultAction = QStringLiteral("default");
const QString AcceptAction = QStringLiteral("accept");
const QString DeclineAction = QStringLiteral("decline");
constexpr int PreviewChars = 120;

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
    , m_useServer(hasNotificationServer())
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
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            showWindow();
            if (const qint64 session = std::exchange(m_lastTraySession, 0); session != 0) {
                Q_EMIT sessionRequestOpened(session); // the banner in the window answers it
                return;
            }
            Q_EMIT conversationRequested(m_lastTrayKey);
        });
        m_tray->show();
    }
    if (m_useServer) {
        QDBusConnection bus = QDBusConnection::sessionBus();
        bus.connect(NotifyService, NotifyPath, NotifyService, QStringLiteral("ActionInvoked"), this,
            SLOT(onActionInvoked(uint, QString)));
        bus.connect(NotifyService, NotifyPath, NotifyService, QStringLiteral("NotificationClosed"),
            this, SLOT(onServerClosed(uint, uint)));
    }
    connect(client, &Client::incomingMessage, this, &Notifier::onIncoming);
    connect(client, &Client::stateChanged, this, &Notifier::onStateChanged);
    connect(client, &Client::messageReadElsewhere, this, &Notifier::forget);
    connect(client, &Client::messageRemoved, this, &Notifier::forget);
    connect(client, &Client::messageChanged, this, [this](qint64 id) {
        const Result<std::optional<Message>> m = m_client->message(id);
        if (m && (!m->has_value() || (*m)->read)) {
            forget(id);
        }
    });
    connect(client, &Client::unreadCountChanged, this, &Notifier::updateTray);
    connect(
        &client->sessions(), &SessionManager::incomingRequest, this, &Notifier::onSessionRequest);
    connect(&client->sessions(), &SessionManager::requestEnded, this,
        [this](const Session& s) { withdrawSessionRequest(s.id); });
    connect(client, &Client::signedOut, this, [this] {
        const QList<qint64> requests = m_sessionNotes.keys();
        for (const qint64 id : requests) {
            withdrawSessionRequest(id);
        }
        const QStringList keys = m_shown.keys();
        for (const QString& key : keys) {
            closeNotification(key);
        }
        m_catchUp.clear();
        m_catchUpOrder.clear();
        updateTray(0);
    });
    m_catchingUp = client->state() == ConnectionState::Syncing;
    updateTray(client->unreadCount().valueOr(0)); // the count follows with the next change
}

Notifier::~Notifier()
{
    withdrawAll();
    // Notifications still on their way to the notification server: it answers with their
    // ids after this object is gone, and they are closed then (a guest's window goes at
    // once at sign-out, GST-4). Every watcher here waits for a Notify call.
    const auto pending = findChildren<QDBusPendingCallWatcher*>(Qt::FindDirectChildrenOnly);
    for (QDBusPendingCallWatcher* watcher : pending) {
        disconnect(watcher, nullptr, this, nullptr);
        watcher->setParent(QCoreApplication::instance());
        connect(watcher, &QDBusPendingCallWatcher::finished, QCoreApplication::instance(),
            [](QDBusPendingCallWatcher* w) {
                const QDBusPendingReply<uint> reply = *w;
                w->deleteLater();
                if (reply.isValid()) {
                    QDBusConnection::sessionBus().asyncCall(
                        QDBusMessage::createMethodCall(NotifyService, NotifyPath, NotifyService,
                            QStringLiteral("CloseNotification"))
                        << reply.value());
                }
            });
    }
}

void Notifier::withdrawAll()
{
    const QList<qint64> requests = m_sessionNotes.keys();
    for (const qint64 id : requests) {
        withdrawSessionRequest(id);
    }
    const QStringList keys = m_shown.keys();
    for (const QString& key : keys) {
        closeNotification(key);
    }
}

QList<qint64> Notifier::openNotifications() const
{
    QList<qint64> ids;
    for (const Shown& s : m_shown) {
        ids += s.messages;
    }
    return ids;
}

bool Notifier::enabled() const
{
    // Unreadable settings leave notifications on: better one too many than a missed one.
    return deviceChoice(*m_client, pref::Notifications) != QLatin1StringView("off");
}

QString Notifier::receivedBy() const
{
    return tr("%1 on %2").arg(m_client->address(), m_client->deviceName());
}

QString Notifier::trayToolTip() const
{
    return m_unread > 0 ? tr("CPM — %1 — unread: %2").arg(receivedBy()).arg(m_unread)
                        : tr("CPM — %1").arg(receivedBy());
}

void Notifier::updateTray(int unread)
{
    m_unread = unread;
    if (m_window) {
        m_window->setWindowIcon(appIcon(unread, m_client->deviceKind()));
    }
    if (m_tray) {
        m_tray->setIcon(appIcon(unread, m_client->deviceKind()));
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

QString Notifier::peerName(const QString& address) const
{
    for (const Contact& c : m_client->contacts().valueOr({})) {
        if (c.address == address && !c.name.isEmpty()) {
            return c.name;
        }
    }
    return address;
}

void Notifier::onStateChanged(ConnectionState state)
{
    if (state == ConnectionState::Syncing) {
        m_catchingUp = true;
        return;
    }
    if (m_catchingUp) {
        m_catchingUp = false;
        showCatchUpSummary();
    }
}

void Notifier::onIncoming(qint64 messageId, const QString& from, const QString&)
{
    if (!enabled() || (m_showing && m_showing(from))) {
        return;
    }
    if (m_catchingUp) {
        // Said once it has caught up, not one by one as the backlog streams in.
        if (!m_catchUp.contains(from)) {
            m_catchUpOrder.append(from);
        }
        m_catchUp[from].append(messageId);
        return;
    }
    Shown& shown = m_shown[from];
    if (shown.messages.contains(messageId)) {
        return;
    }
    shown.messages.append(messageId);
    if (m_window) {
        QApplication::alert(m_window);
    }
    compose(from);
    post(from);
    Q_EMIT notificationShown(messageId);
}

void Notifier::showCatchUpSummary()
{
    const QHash<QString, QList<qint64>> caughtUp = std::exchange(m_catchUp, {});
    const QStringList order = std::exchange(m_catchUpOrder, {});
    QStringList peers;
    for (const QString& peer : order) {
        if (!(m_showing && m_showing(peer))) {
            peers.append(peer);
        }
    }
    if (peers.isEmpty() || !enabled()) {
        return;
    }
    // One conversation: its own notification. Several: one summary for all of them.
    const QString key = peers.size() == 1 ? peers.first() : QString();
    Shown& shown = m_shown[key];
    for (const QString& peer : std::as_const(peers)) {
        for (const qint64 id : caughtUp.value(peer)) {
            if (!shown.messages.contains(id)) {
                shown.messages.append(id);
            }
        }
    }
    if (key.isEmpty()) {
        QStringList lines;
        for (const QString& peer : std::as_const(peers)) {
            lines.append(tr("%1 (%2)").arg(peerName(peer)).arg(caughtUp.value(peer).size()));
        }
        shown.title
            = tr("%Ln new messages in %1 conversations", nullptr, int(shown.messages.size()))
                  .arg(peers.size());
        shown.body = lines.join(QStringLiteral(", ")) + QLatin1Char('\n') + receivedBy();
    } else {
        compose(key);
    }
    if (m_window) {
        QApplication::alert(m_window);
    }
    post(key);
    for (const qint64 id : std::as_const(shown.messages)) {
        Q_EMIT notificationShown(id);
    }
}

void Notifier::compose(const QString& peer)
{
    Shown& shown = m_shown[peer];
    const QString name = peerName(peer);
    const int count = int(shown.messages.size());
    shown.title = count == 1 ? tr("New message from %1").arg(name)
                             : tr("%Ln new messages from %1", nullptr, count).arg(name);
    // The newest one's subject or text; a message this device was only notified of, with
    // no subject, still says something.
    QString text;
    if (const std::optional<Message> m = m_client->message(shown.messages.last()).valueOr({})) {
        text = m->subject;
        if (text.isEmpty() && !m->body.isNull()) {
            text = m->body.left(PreviewChars);
        }
    }
    if (text.isEmpty()) {
        text = tr("New message");
    }
    shown.body = text + QLatin1Char('\n') + receivedBy();
}

void Notifier::post(const QString& key)
{
    Shown& shown = m_shown[key];
    Q_EMIT notificationPosted(shown.title, shown.body);
    if (!m_useServer) {
        if (m_tray) {
            m_lastTrayKey = key;
            m_tray->showMessage(shown.title, shown.body, QSystemTrayIcon::Information, 8000);
        }
        return;
    }
    if (shown.inFlight) {
        shown.dirty = true; // posted again with the server's id once it has answered
        return;
    }
    shown.inFlight = true;
    shown.dirty = false;
    QDBusMessage call = QDBusMessage::createMethodCall(
        NotifyService, NotifyPath, NotifyService, QStringLiteral("Notify"));
    call << QStringLiteral("CPM") << shown.serverId << QStringLiteral("mail-message-new")
         << shown.title << shown.body << QStringList { DefaultAction, tr("Open") }
         << QVariantMap { { QStringLiteral("category"), QStringLiteral("im.received") } }
         << int(-1);
    auto* watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(
        watcher, &QDBusPendingCallWatcher::finished, this, [this, key](QDBusPendingCallWatcher* w) {
            const QDBusPendingReply<uint> reply = *w;
            w->deleteLater();
            const auto it = m_shown.find(key);
            if (it == m_shown.end()) {
                // Closed (read elsewhere) before the server even answered: close it there too.
                if (reply.isValid()) {
                    QDBusConnection::sessionBus().asyncCall(
                        QDBusMessage::createMethodCall(NotifyService, NotifyPath, NotifyService,
                            QStringLiteral("CloseNotification"))
                        << reply.value());
                }
                return;
            }
            it->inFlight = false;
            if (reply.isValid()) {
                it->serverId = reply.value();
            }
            if (it->dirty) {
                post(key);
            }
        });
}

void Notifier::forget(qint64 messageId)
{
    for (auto it = m_shown.begin(); it != m_shown.end(); ++it) {
        if (!it->messages.removeOne(messageId)) {
            continue;
        }
        const QString key = it.key();
        Q_EMIT notificationClosed(messageId);
        if (it->messages.isEmpty()) {
            closeNotification(key);
        } else if (!key.isEmpty()) {
            compose(key); // "2 new messages" now; replaced quietly
            post(key);
        }
        return;
    }
    for (auto it = m_catchUp.begin(); it != m_catchUp.end(); ++it) {
        it->removeOne(messageId);
    }
}

void Notifier::closeNotification(const QString& key)
{
    const auto it = m_shown.constFind(key);
    if (it == m_shown.cend()) {
        return;
    }
    const Shown shown = *it;
    m_shown.erase(it);
    if (shown.serverId != 0) {
        QDBusConnection::sessionBus().asyncCall(
            QDBusMessage::createMethodCall(
                NotifyService, NotifyPath, NotifyService, QStringLiteral("CloseNotification"))
            << shown.serverId);
    }
    for (const qint64 id : shown.messages) {
        Q_EMIT notificationClosed(id);
    }
}

void Notifier::onSessionRequest(const Session& session)
{
    if (!enabled() || m_sessionNotes.contains(session.id)) {
        return;
    }
    const QString title = SessionText::request(*m_client, session);
    const QString body = tr("Chat session request\n%1").arg(receivedBy());
    SessionNote& note = m_sessionNotes[session.id];
    if (m_window) {
        QApplication::alert(m_window);
    }
    Q_EMIT notificationPosted(title, body);
    if (!m_useServer) {
        // QSystemTrayIcon's balloon has no buttons: clicking it raises the window, whose
        // banner has Accept and Decline. A balloon cannot be withdrawn either; it expires.
        if (m_tray) {
            m_lastTraySession = session.id;
            m_tray->showMessage(title, body, QSystemTrayIcon::Information, 15000);
        }
        return;
    }
    note.inFlight = true;
    QDBusMessage call = QDBusMessage::createMethodCall(
        NotifyService, NotifyPath, NotifyService, QStringLiteral("Notify"));
    // Never expires by itself (0): it goes when the request stops ringing.
    call << QStringLiteral("CPM") << uint(0) << QStringLiteral("call-start") << title << body
         << QStringList { DefaultAction, tr("Open"), AcceptAction, tr("Accept"), DeclineAction,
                tr("Decline") }
         << QVariantMap { { QStringLiteral("category"), QStringLiteral("im") },
                { QStringLiteral("urgency"), QVariant::fromValue(uchar(2)) } }
         << int(0);
    auto* watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
        [this, id = session.id](QDBusPendingCallWatcher* w) {
            const QDBusPendingReply<uint> reply = *w;
            w->deleteLater();
            const auto it = m_sessionNotes.find(id);
            if (it == m_sessionNotes.end()) {
                // Withdrawn before the server answered: close it there too.
                if (reply.isValid()) {
                    QDBusConnection::sessionBus().asyncCall(
                        QDBusMessage::createMethodCall(NotifyService, NotifyPath, NotifyService,
                            QStringLiteral("CloseNotification"))
                        << reply.value());
                }
                return;
            }
            it->inFlight = false;
            if (reply.isValid()) {
                it->serverId = reply.value();
            }
        });
}

void Notifier::withdrawSessionRequest(qint64 id)
{
    const auto it = m_sessionNotes.constFind(id);
    if (it == m_sessionNotes.cend()) {
        return;
    }
    const uint serverId = it->serverId;
    m_sessionNotes.erase(it);
    if (m_lastTraySession == id) {
        m_lastTraySession = 0;
    }
    if (serverId != 0) {
        QDBusConnection::sessionBus().asyncCall(
            QDBusMessage::createMethodCall(
                NotifyService, NotifyPath, NotifyService, QStringLiteral("CloseNotification"))
            << serverId);
    }
}

void Notifier::onActionInvoked(uint serverId, const QString& action)
{
    for (auto it = m_sessionNotes.cbegin(); it != m_sessionNotes.cend(); ++it) {
        if (it->serverId == serverId && serverId != 0) {
            const qint64 id = it.key();
            if (action == AcceptAction) {
                showWindow();
                Q_EMIT sessionAcceptRequested(id);
            } else if (action == DeclineAction) {
                Q_EMIT sessionDeclineRequested(id);
            } else {
                showWindow();
                Q_EMIT sessionRequestOpened(id);
            }
            return;
        }
    }
    for (auto it = m_shown.cbegin(); it != m_shown.cend(); ++it) {
        if (it->serverId == serverId && serverId != 0) {
            Q_UNUSED(action); // the default action and "Open" both open it
            const QString key = it.key();
            showWindow();
            Q_EMIT conversationRequested(key);
            return;
        }
    }
}

void Notifier::onServerClosed(uint serverId, uint)
{
    for (auto it = m_sessionNotes.begin(); it != m_sessionNotes.end(); ++it) {
        if (it->serverId == serverId && serverId != 0) {
            it->serverId = 0; // dismissed there; the banner still asks
            return;
        }
    }
    // Dismissed or expired there: the next message starts a new one.
    for (auto it = m_shown.begin(); it != m_shown.end(); ++it) {
        if (it->serverId == serverId && serverId != 0) {
            it->serverId = 0;
            return;
        }
    }
}

} // namespace cpm::ui
