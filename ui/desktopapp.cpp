// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktopapp.h"

#include "client.h"
#include "mainwindow.h"
#include "signindialog.h"

#include <QApplication>
#include <QTimer>

namespace cpm::ui {

DesktopApp::DesktopApp(Client* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
}

DesktopApp::~DesktopApp() { delete m_window; }

MainWindow* DesktopApp::mainWindow() const { return m_window.data(); }

bool DesktopApp::start()
{
    if (!m_client->hasAccount()) {
        if (!signIn({})) {
            return false;
        }
    } else {
        m_client->connectToServer();
    }
    showMainWindow();
    return true;
}

bool DesktopApp::signIn(const QString& notice)
{
    SignInDialog dialog(m_client);
    dialog.setNotice(notice);
    return dialog.exec() == QDialog::Accepted;
}

void DesktopApp::showMainWindow()
{
    m_window = new MainWindow(m_client);
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_window, &MainWindow::signedOut, this, &DesktopApp::onSignedOut, Qt::QueuedConnection);
    m_window->show();
}

void DesktopApp::onSignedOut()
{
    // The core has already wiped this device's local data (DEV-2).
    if (m_window) {
        m_window->close();
    }
    if (signIn(tr("This device was signed out and its local data removed. Sign in again to "
                  "use it."))) {
        showMainWindow();
    } else {
        QApplication::quit();
    }
}

} // namespace cpm::ui
