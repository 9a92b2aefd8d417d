// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The sign-in window: registers this device (server, CPM address, password, device name
// and kind) through the Client and reports success or a readable error. In guest mode it
// signs someone in on a computer that is not theirs instead (GST-1): with a guest Client of
// its own, never the owner's, which the caller takes once signed in.

#include <QDialog>

#include <memory>

class QCheckBox;
class QFormLayout;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace cpm {
class Client;
}

namespace cpm::ui {

class SignInDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInDialog)

public:
    //! Signs \a client in; null: a dialog for guests only (`cpm-desktop --guest`).
    explicit SignInDialog(Client* client, QWidget* parent = nullptr);
    ~SignInDialog() override;

    //! Shows a message above the form, e.g. why the user is back here.
    void setNotice(const QString& text);
    //! Switches the form to a guest's sign-in on this device, or back (not without a client).
    void setGuestMode(bool guest);
    bool isGuestMode() const { return m_guestMode; }
    //! The server offered when there is no client to ask (guests only).
    void setServerUrls(const QList<QUrl>& urls);
    //! After a guest's sign-in was accepted: the guest's Client, now the caller's.
    std::unique_ptr<Client> takeGuestClient();

private:
    void updateButtons();
    void signIn();
    void setBusy(bool busy);
    void chooseCaFile();
    static QString guestSentence();
    //! The client this form signs in: the guest's in guest mode (made on first use).
    Client* target() const;

    Client* m_client;
    std::unique_ptr<Client> m_guestClient;
    bool m_guestMode = false;
    QString m_ownDeviceName; //!< the device name typed for this device, kept while a guest's shows
    QLabel* m_heading;
    QLabel* m_notice;
    QFormLayout* m_form;
    QLineEdit* m_server;
    QLineEdit* m_caFile;
    QPushButton* m_browseCa;
    //! Shown for a plain ws:// address of another computer only.
    QCheckBox* m_insecure;
    QLabel* m_insecureWarning;
    QLineEdit* m_address;
    QLineEdit* m_password;
    QLineEdit* m_deviceName;
    QComboBox* m_kind;
    QLabel* m_error;
    QLabel* m_hint; //!< what is missing while Sign in is disabled
    QProgressBar* m_progress;
    QPushButton* m_signIn;
    QPushButton* m_guest;
    QLabel* m_guestInfo; //!< what signing in as a guest means, under its button
    QLabel* m_guestIntro; //!< the same, under the guest form's heading
    QPushButton* m_diagnostics;
};

} // namespace cpm::ui
