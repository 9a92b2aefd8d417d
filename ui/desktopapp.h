// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Wires one device's windows: the sign-in window while the profile has no registered
// device, the main window once it has, and back to sign-in after a sign-out. A guest
// signed in from that window (or from `cpm-desktop --guest`) gets a device of its own for
// the visit; its sign-out wipes it and returns to the sign-in window (GST-4).

#include <QObject>
#include <QPointer>
#include <QUrl>

class QProgressDialog;

namespace cpm {
class Client;
}

namespace cpm::ui {

class MainWindow;

class DesktopApp final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopApp)

public:
    //! The windows of \a client, the owner's device. Null: guests only (`--guest`), and
    //! no profile of this computer is opened at all.
    explicit DesktopApp(Client* client, QObject* parent = nullptr);
    //! Quitting during a guest's session signs the guest out: the wipe at once, and the
    //! server told within QuitTellServerMs if it can be reached (else the device expires).
    ~DesktopApp() override;

    //! How long quitting waits for the server to hear that a guest left.
    static constexpr int QuitTellServerMs = 2000;

    //! The server a guest's sign-in offers when there is no owner's device to ask.
    void setGuestServerUrls(const QList<QUrl>& urls) { m_guestServers = urls; }
    //! Shows the right window; false when the user cancelled the sign-in.
    bool start();
    //! The main window while signed in, else null.
    MainWindow* mainWindow() const;
    //! The guest's device while a guest is signed in, else null.
    Client* guestClient() const;

Q_SIGNALS:
    //! The sign-in window that follows a sign-out was cancelled: nothing more to show.
    void finished();
    //! A guest's device was wiped here and its window closed (\a byUser: the guest signed
    //! out here; else the server ended it). The sign-in window comes next.
    void guestSessionEnded(bool byUser);

private:
    //! The sign-in window (a guest's only without an owner's device); false if cancelled.
    bool signIn(const QString& notice);
    void showMainWindow();
    void onSignedOut();
    //! The guest confirmed signing out: wipe with a progress window, then tell the server.
    void signOutGuest();
    //! Removes what the app itself showed or copied of the guest's (GST-4), then returns
    //! to the sign-in window saying \a notice.
    void endGuestSession(bool byUser, const QString& notice);
    //! The sign-in window after a sign-out; finished() when it is cancelled.
    void signInAgain(const QString& notice);

    Client* m_client;
    QPointer<Client> m_guest; //!< a child of this object; lives on until the server knows
    QList<QUrl> m_guestServers;
    QPointer<MainWindow> m_window;
    QPointer<QProgressDialog> m_wiping;
    bool m_inGuestSession = false; //!< the main window shows the guest's device
    bool m_guestSigningOut = false; //!< the guest asked here (not the server's doing)
};

} // namespace cpm::ui
