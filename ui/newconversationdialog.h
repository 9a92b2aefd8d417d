// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// "New conversation": one field that filters the user's contacts and the people already
// written with by name or address, and takes any other CPM address typed in full. Down
// moves into the list, Enter opens.

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace cpm {
class Client;
}

namespace cpm::ui {

class NewConversationDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewConversationDialog)

public:
    explicit NewConversationDialog(Client* client, QWidget* parent = nullptr);
    ~NewConversationDialog() override;

    //! The chosen address: the selected person's, or the one typed; empty when neither.
    QString address() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void fill(Client* client);
    void filter(const QString& text);
    void updateHint();

    QLineEdit* m_recipient;
    QListWidget* m_people;
    QLabel* m_hint;
    QDialogButtonBox* m_buttons;
};

} // namespace cpm::ui
