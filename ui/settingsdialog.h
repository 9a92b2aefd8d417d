// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Settings: this device's desktop notifications and language (kept on the device), and the
// theme and what happens to messages while all devices are away (MSG-7, MSG-8), user
// preferences kept in the network (CON-1) that every device follows.

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace cpm {
class Client;
}

namespace cpm::ui {

class SettingsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(Client* client, QWidget* parent = nullptr);
    ~SettingsDialog() override;

private:
    void load();
    //! A preference of the account: sent to the network, every device follows.
    void save(const QString& key, const QString& value);
    //! A setting of this device only.
    void saveHere(const QString& key, const QString& value);

    Client* m_client;
    QCheckBox* m_notifications;
    QComboBox* m_theme;
    QComboBox* m_language;
    QComboBox* m_whenAway; //!< MSG-7/MSG-8: keep, legacy, both
    QLineEdit* m_legacyEmail;
    QLineEdit* m_legacyPhone;
    QLabel* m_note;
};

} // namespace cpm::ui
