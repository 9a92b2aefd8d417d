// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Wires one device's windows: the sign-in window while the profile has no registered
// device, the main window once it has, and back to sign-in after a sign-out.

#include <QObject>
#include <QPointer>

namespace cpm {
class Client;
}

namespace cpm::ui {

class MainWindow;

class DesktopApp final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopApp)

public:
    explicit DesktopApp(Client* client, QObject* parent = nullptr);
    ~DesktopApp() override;

    //! Shows the right window; false when the user cancelled the sign-in.
    bool start();
    //! The main window while signed in, else null.
    MainWindow* mainWindow() const;

private:
    bool signIn(const QString& notice);
    void showMainWindow();
    void onSignedOut();

    Client* m_client;
    QPointer<MainWindow> m_window;
};

} // namespace cpm::ui
