// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The strip above the open conversation that says where its chat session stands
// (SES-3..7, SES-9): waiting for an answer; "Chat session since 14:05" with the peer's
// typing, "Move to…" and "End" while it is on this device; "Continued on Alice's phone"
// with "Continue here" once it is on another; why it ended once it has. The messages of an
// ended session stay in the conversation; only the bar changes.

#include "types.h"

#include <QFrame>
#include <QHash>

#include <optional>

class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;

namespace cpm {
class Client;
}

namespace cpm::ui {

class SessionBar final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionBar)

public:
    explicit SessionBar(Client* client, QWidget* parent = nullptr);
    ~SessionBar() override;

    void setPeer(const QString& peer);
    //! What the bar says (empty while hidden).
    QString text() const;
    //! The active session with the peer on this device, which the composer speaks into.
    std::optional<Session> sessionHere() const;

Q_SIGNALS:
    void moveRequested(const cpm::Session& session);
    void continueRequested(qint64 sessionId);
    void failed(const QString& text);

private:
    void refresh();
    void refreshContent();
    void onEnded(const Session& session);
    void endSession();

    Client* m_client;
    QString m_peer;
    qint64 m_sessionId = 0; //!< the session the bar is about (open, or ended and not dismissed)
    QLabel* m_text;
    QLabel* m_composing;
    QLabel* m_detail;
    QProgressBar* m_progress;
    QPushButton* m_move;
    QPushButton* m_end;
    QPushButton* m_pull;
    QToolButton* m_close;
    //! Ended sessions this device was part of, by peer (lower case), until dismissed.
    QHash<QString, Session> m_ended;
    //! Sessions that left this device, with where to (SES-6, SES-7).
    QHash<qint64, QString> m_movedTo;
    //! Per session: what its history loading last said.
    QHash<qint64, QString> m_historyText;
};

} // namespace cpm::ui
