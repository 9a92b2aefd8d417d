// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// "Sessions on my other devices" (SES-7): the user's chat sessions that are going on on
// another of their devices, each with who, since when and where, and "Continue here" to
// take one over with the history it should bring.

#include <QDialog>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace cpm {
class Client;
}

namespace cpm::ui {

class HistoryChoiceWidget;

class OtherSessionsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OtherSessionsDialog)

public:
    explicit OtherSessionsDialog(Client* client, QWidget* parent = nullptr);
    ~OtherSessionsDialog() override;

    QListWidget* list() const { return m_list; }
    //! Chooses session \a sessionId in the list (0: leaves the choice alone).
    void select(qint64 sessionId);

Q_SIGNALS:
    //! A session was taken over: its conversation should open.
    void continued(const QString& peer);

private:
    void fill();
    void updateButtons();
    void continueHere();

    Client* m_client;
    QListWidget* m_list;
    HistoryChoiceWidget* m_history;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_continue;
    bool m_busy = false;
};

} // namespace cpm::ui
