// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktopapp.h"

#include "appclipboard.h"
#include "appearance.h"
#include "attachmentui.h"
#include "client.h"
#include "mainwindow.h"
#include "notifier.h"
#include "signindialog.h"

#include <QDialog>
#include <QEventLoop>
#include <QMenu>
#include <QPointer>
#include <QProgressDialog>
#include <QTimer>

#include <memory>

namespace cpm::ui {

DesktopApp::DesktopApp(Client* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
}

// A guest's device still here (signed in, or waiting to tell the server it left) goes with
// this object, its directory with it.
DesktopApp::~DesktopApp()
{
    if (m_inGuestSession) {
        // Quitting during a guest's session: what the guest copied goes, too (a clipboard
        // manager would keep it past this process).
        AppClipboard::clearIfOurs();
    }
    delete m_window;
    if (m_inGuestSession && m_guest) {
        // Quitting is the guest's sign-out: everything local goes now (it would go with the
        // process anyway), and the server hears of it if it answers soon; otherwise the
        // device ends by itself (idle limit, lifetime).
        QEventLoop loop;
        QTimer::singleShot(QuitTellServerMs, &loop, &QEventLoop::quit);
        // The answer may come after this waited long enough (or never): it then finds
        // neither the flag nor the loop.
        auto told = std::make_shared<bool>(false);
        m_guest->signOut([told, wait = QPointer<QEventLoop>(&loop)](const Error&) {
            *told = true;
            if (wait) {
                wait->quit();
            }
        });
        if (!*told) {
            loop.exec();
        }
    }
}

MainWindow* DesktopApp::mainWindow() const { return m_window.data(); }

Client* DesktopApp::guestClient() const { return m_inGuestSession ? m_guest.data() : nullptr; }

bool DesktopApp::start()
{
    // Decrypted copies handed to other applications a day ago or more (docs/desktop.md).
    attachmentui::removeOpenedCopies(24 * 3600);
    if (m_client && m_client->hasAccount()) {
        m_client->connectToServer();
    } else if (!signIn({})) {
        return false;
    }
    showMainWindow();
    return true;
}

bool DesktopApp::signIn(const QString& notice)
{
    SignInDialog dialog(m_client);
    if (!m_client) {
        dialog.setServerUrls(m_guestServers);
    }
    dialog.setNotice(notice);
    if (dialog.exec() != QDialog::Accepted) {
        return false;
    }
    if (dialog.isGuestMode()) {
        std::unique_ptr<Client> guest = dialog.takeGuestClient();
        Q_ASSERT(guest);
        guest->setParent(this);
        m_guest = guest.release();
    }
    return true;
}

void DesktopApp::showMainWindow()
{
    m_inGuestSession = !m_guest.isNull();
    m_window = new MainWindow(m_inGuestSession ? m_guest.data() : m_client);
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_window, &MainWindow::signedOut, this, &DesktopApp::onSignedOut, Qt::QueuedConnection);
    connect(m_window, &MainWindow::guestSignOutRequested, this, &DesktopApp::signOutGuest);
    m_window->show();
}

void DesktopApp::signOutGuest()
{
    if (!m_inGuestSession || !m_guest || m_guestSigningOut) {
        return;
    }
    m_guestSigningOut = true;
    auto* progress = new QProgressDialog(
        tr("Removing your data from this computer…"), QString(), 0, 0, m_window);
    progress->setObjectName(QStringLiteral("wipeProgress"));
    progress->setWindowTitle(tr("Signing out"));
    progress->setWindowModality(Qt::ApplicationModal);
    progress->setMinimumDuration(0);
    progress->show();
    m_wiping = progress;
    // On the next turn, so the progress window is up while the wipe runs. The wipe does not
    // wait for the network; the server is told now or, offline, at the next chance while
    // the guest's Client lives (it stays until then, then goes).
    QTimer::singleShot(0, this, [guest = m_guest] {
        if (guest) {
            guest->signOut([guest](const Error&) {
                if (guest) {
                    guest->deleteLater();
                }
            });
        }
    });
}

void DesktopApp::endGuestSession(bool byUser, const QString& notice)
{
    m_inGuestSession = false;
    m_guestSigningOut = false;
    delete m_wiping;
    AppClipboard::clearIfOurs();
    if (!byUser && m_guest) {
        // Ended by the server: there is nothing left to tell it.
        m_guest->deleteLater();
    }
    m_guest = nullptr;
    // The guest's theme was the guest's preference; this computer's comes back.
    applyTheme(m_client ? m_client->prefs().valueOr({}).value(pref::Theme).toString() : QString());

    MainWindow* window = std::exchange(m_window, nullptr);
    if (!window) {
        Q_EMIT guestSessionEnded(byUser);
        signInAgain(notice);
        return;
    }
    window->notifier()->withdrawAll();
    // The sign-in window comes once the guest's window is gone, so that none of the
    // guest's messages wait in memory behind it. Whatever the window has open (a question,
    // a menu) closes first: the window can only go once their event loops have ended.
    const auto dialogs = window->findChildren<QDialog*>();
    for (QDialog* dialog : dialogs) {
        dialog->reject();
    }
    const auto menus = window->findChildren<QMenu*>();
    for (QMenu* menu : menus) {
        menu->close();
    }
    connect(
        window, &QObject::destroyed, this,
        [this, byUser, notice] {
            Q_EMIT guestSessionEnded(byUser);
            signInAgain(notice);
        },
        Qt::QueuedConnection);
    window->hide();
    window->deleteLater();
}

void DesktopApp::onSignedOut()
{
    if (m_inGuestSession) {
        const bool byUser = m_guestSigningOut;
        endGuestSession(byUser,
            byUser ? tr("You are signed out. Everything of yours was removed from this "
                        "computer.")
                   : tr("Your guest session ended: it was signed out from another device "
                        "or its time was up. Everything of yours was removed from this "
                        "computer."));
        return;
    }
    // The core has already wiped this device's local data (DEV-2).
    if (m_window) {
        m_window->close();
    }
    signInAgain(tr("This device was signed out and its local data removed. Sign in again to "
                   "use it."));
}

void DesktopApp::signInAgain(const QString& notice)
{
    if (signIn(notice)) {
        showMainWindow();
    } else {
        Q_EMIT finished();
    }
}

} // namespace cpm::ui
