// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The sign-in window: registers this device (server, CPM address, password, device name
// and kind) through the Client and reports success or a readable error.

#include <QDialog>

class QCheckBox;
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
    explicit SignInDialog(Client* client, QWidget* parent = nullptr);
    ~SignInDialog() override;

    //! Shows a message above the form, e.g. why the user is back here.
    void setNotice(const QString& text);

private:
    void updateButtons();
    void signIn();
    void setBusy(bool busy);
    void chooseCaFile();

    Client* m_client;
    QLabel* m_notice;
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
};

} // namespace cpm::ui
