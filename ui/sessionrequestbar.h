// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The banner across the top of the main window while a chat session request rings on this
// device (SES-2..4): "Bob wants to chat now — Pictures" with Accept and Decline. When the
// request stops ringing it says why for a few seconds — "Answered on Alice's phone",
// "Missed session request from Bob" — and goes. Several requests ring one after another,
// oldest first.

#include "types.h"

#include <QFrame>

class QLabel;
class QPushButton;
class QTimer;

namespace cpm {
class Client;
}

namespace cpm::ui {

class SessionRequestBar final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionRequestBar)

public:
    explicit SessionRequestBar(Client* client, QWidget* parent = nullptr);
    ~SessionRequestBar() override;

    QString text() const;
    //! The request shown (0: none, or only a closing word about one).
    qint64 shownRequest() const { return m_ringing ? m_shown : 0; }
    //! How long a closing word ("Answered on …") stays, in milliseconds.
    void setLingerMs(int ms) { m_lingerMs = ms; }

    //! Answers request \a id, from the banner or the desktop notification.
    void accept(qint64 id);
    void decline(qint64 id);

Q_SIGNALS:
    //! This device took the session: its conversation should open.
    void acceptedHere(const QString& peer);
    //! Something failed, in words.
    void failed(const QString& text);

private:
    void showNext();
    void onRequestEnded(const Session& session);
    void linger(const QString& text);

    Client* m_client;
    QLabel* m_text;
    QPushButton* m_accept;
    QPushButton* m_decline;
    QTimer* m_lingerTimer;
    qint64 m_shown = 0;
    bool m_ringing = false;
    qint64 m_answering = 0; //!< accepted or declined here, waiting for the server
    int m_lingerMs = 5000;
};

} // namespace cpm::ui
