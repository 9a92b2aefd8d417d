// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Settings: desktop notifications, theme and language. They are user preferences kept in
// the network (CON-1), so a change here reaches the user's other devices too.

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;

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
    void save(const QString& key, const QString& value);

    Client* m_client;
    QCheckBox* m_notifications;
    QComboBox* m_theme;
    QComboBox* m_language;
    QLabel* m_note;
};

} // namespace cpm::ui
