// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// In the conversation with Bob: "You missed a chat session request from Bob at 14:05",
// with "Invite Bob" to ask back and Dismiss. The core keeps missed requests across
// restarts until dismissed (SessionManager::missed).

#include <QFrame>

class QLabel;
class QPushButton;
class QToolButton;

namespace cpm {
class Client;
}

namespace cpm::ui {

class MissedRequestBar final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MissedRequestBar)

public:
    explicit MissedRequestBar(Client* client, QWidget* parent = nullptr);
    ~MissedRequestBar() override;

    void setPeer(const QString& peer);
    QString text() const;

Q_SIGNALS:
    void inviteRequested(const QString& peer);

private:
    void refresh();

    Client* m_client;
    QString m_peer;
    QLabel* m_text;
    QPushButton* m_invite;
    QToolButton* m_dismiss;
};

} // namespace cpm::ui
