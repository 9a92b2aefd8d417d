// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessionrequestbar.h"

#include "client.h"
#include "errortext.h"
#include "sessionmanager.h"
#include "sessiontext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QTimer>

namespace cpm::ui {

using protocol::EndReason;
using protocol::SessionState;

SessionRequestBar::SessionRequestBar(Client* client, QWidget* parent)
    : QFrame(parent)
    , m_client(client)
    , m_text(new QLabel(this))
    , m_accept(new QPushButton(tr("&Accept"), this))
    , m_decline(new QPushButton(tr("D&ecline"), this))
    , m_lingerTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("sessionRequestBar"));
    setAccessibleName(tr("Chat session request"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    // The highlight colour: a request is the one thing on screen that wants an answer now.
    QPalette p = palette();
    p.setColor(QPalette::Window, p.color(QPalette::Highlight));
    p.setColor(QPalette::WindowText, p.color(QPalette::HighlightedText));
    setPalette(p);
    setBackgroundRole(QPalette::Window);

    m_text->setObjectName(QStringLiteral("sessionRequestText"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setWordWrap(true);
    QFont bold = m_text->font();
    bold.setBold(true);
    m_text->setFont(bold);
    m_accept->setObjectName(QStringLiteral("acceptSession"));
    m_accept->setToolTip(tr("Chat now on this device"));
    m_decline->setObjectName(QStringLiteral("declineSession"));
    m_decline->setToolTip(tr("Say no to this request on all your devices"));
    m_lingerTimer->setSingleShot(true);
    // Focusing the banner (from a notification without buttons) puts the keyboard on Accept.
    setFocusProxy(m_accept);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_accept);
    layout->addWidget(m_decline);
    hide();

    connect(m_accept, &QPushButton::clicked, this, [this] { accept(m_shown); });
    connect(m_decline, &QPushButton::clicked, this, [this] { decline(m_shown); });
    connect(m_lingerTimer, &QTimer::timeout, this, &SessionRequestBar::showNext);
    SessionManager* sessions = &client->sessions();
    connect(sessions, &SessionManager::incomingRequest, this, [this](const Session&) {
        if (!m_ringing && !m_lingerTimer->isActive()) {
            showNext();
        }
    });
    connect(sessions, &SessionManager::requestEnded, this, &SessionRequestBar::onRequestEnded);
    connect(sessions, &SessionManager::sessionsChanged, this, [this] {
        // A peer renamed, or the list refreshed after a reconnect.
        if (m_ringing) {
            showNext();
        }
    });
    showNext();
}

SessionRequestBar::~SessionRequestBar() = default;

QString SessionRequestBar::text() const { return isHidden() ? QString() : m_text->text(); }

void SessionRequestBar::showNext()
{
    m_lingerTimer->stop();
    const QList<Session> ringing = m_client->sessions().ringing();
    if (ringing.isEmpty()) {
        m_ringing = false;
        m_shown = 0;
        hide();
        return;
    }
    // Keep the one shown while it still rings; else the oldest.
    Session s = ringing.first();
    for (const Session& r : ringing) {
        if (r.id == m_shown) {
            s = r;
        }
    }
    m_shown = s.id;
    m_ringing = true;
    QString text = SessionText::request(*m_client, s);
    if (ringing.size() > 1) {
        text = tr("%1 (%n more waiting)", nullptr, int(ringing.size()) - 1).arg(text);
    }
    m_text->setText(text);
    m_accept->setVisible(true);
    m_decline->setVisible(true);
    m_accept->setEnabled(m_answering != s.id);
    m_decline->setEnabled(m_answering != s.id);
    show();
}

void SessionRequestBar::linger(const QString& text)
{
    m_ringing = false;
    m_text->setText(text);
    m_accept->setVisible(false);
    m_decline->setVisible(false);
    show();
    m_lingerTimer->start(m_lingerMs);
}

void SessionRequestBar::onRequestEnded(const Session& s)
{
    const bool answeredHere
        = std::exchange(m_answering, m_answering == s.id ? 0 : m_answering) == s.id;
    if (s.id != m_shown) {
        if (m_ringing) {
            showNext(); // one waiting behind the shown one went: the count changes
        }
        return;
    }
    const bool boundHere = s.boundDevice && s.boundDevice->id == m_client->deviceId();
    if (s.state == SessionState::Active && !boundHere) {
        linger(tr("Answered on %1").arg(s.boundDevice ? s.boundDevice->name : QString()));
    } else if (s.state == SessionState::Ended && !answeredHere) {
        if (s.reason == EndReason::Declined) {
            linger(tr("Declined on another of your devices"));
        } else {
            linger(
                tr("Missed session request from %1").arg(SessionText::peerName(*m_client, s.peer)));
        }
    } else {
        showNext(); // answered here: the session bar takes over
    }
}

void SessionRequestBar::accept(qint64 id)
{
    if (id == 0) {
        return;
    }
    m_answering = id;
    m_accept->setEnabled(false);
    m_decline->setEnabled(false);
    m_client->sessions().accept(id,
        [this, id, guard = QPointer<SessionRequestBar>(this)](
            const Error& error, const Session& now) {
            if (!guard) {
                return;
            }
            if (m_answering == id) {
                m_answering = 0;
            }
            if (error.isNull()) {
                Q_EMIT acceptedHere(now.peer);
                return;
            }
            if (error.code == ErrorCode::AlreadyAnswered && now.boundDevice) {
                if (id == m_shown) {
                    linger(tr("Answered on %1").arg(now.boundDevice->name));
                }
                return;
            }
            Q_EMIT failed(ErrorText::forAction(error));
            showNext();
        });
}

void SessionRequestBar::decline(qint64 id)
{
    if (id == 0) {
        return;
    }
    m_answering = id;
    m_accept->setEnabled(false);
    m_decline->setEnabled(false);
    m_client->sessions().decline(id,
        [this, id, guard = QPointer<SessionRequestBar>(this)](const Error& error, const Session&) {
            if (!guard) {
                return;
            }
            if (m_answering == id) {
                m_answering = 0;
            }
            if (!error.isNull()) {
                Q_EMIT failed(ErrorText::forAction(error));
                showNext();
            }
        });
}

} // namespace cpm::ui
