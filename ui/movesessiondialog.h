// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// "Move to…" (SES-6): sends the chat session on this device to another of the user's
// devices, with the history it should bring. Only a connected device can take it, so the
// others are listed greyed out with the reason.

#include "types.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QListWidget;
class QProgressBar;

namespace cpm {
class Client;
}

namespace cpm::ui {

class HistoryChoiceWidget;

class MoveSessionDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MoveSessionDialog)

public:
    MoveSessionDialog(Client* client, const Session& session, QWidget* parent = nullptr);
    ~MoveSessionDialog() override;

    QListWidget* devices() const { return m_devices; }
    HistoryChoiceWidget* history() const { return m_history; }

private:
    void fillDevices();
    void updateButtons();
    void move();

    Client* m_client;
    Session m_session;
    QListWidget* m_devices;
    HistoryChoiceWidget* m_history;
    QLabel* m_status;
    QProgressBar* m_progress;
    QDialogButtonBox* m_buttons;
    bool m_busy = false;
};

} // namespace cpm::ui
