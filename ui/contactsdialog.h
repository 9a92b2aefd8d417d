// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The contact list (CON-1): add, rename and remove contacts, or start a conversation with
// one. The list lives in the network and every device of the user shows the same.

#include <QDialog>

class QLineEdit;
class QListWidget;
class QPushButton;
class QLabel;

namespace cpm {
class Client;
}

namespace cpm::ui {

class ContactsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContactsDialog)

public:
    explicit ContactsDialog(Client* client, QWidget* parent = nullptr);
    ~ContactsDialog() override;

Q_SIGNALS:
    void conversationRequested(const QString& address);

private:
    void reload();
    void add();
    void removeSelected();
    void updateButtons();

    Client* m_client;
    QListWidget* m_list;
    QLineEdit* m_address;
    QLineEdit* m_name;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_message;
    QLabel* m_status;
};

} // namespace cpm::ui
