// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessionbar.h"

#include "client.h"
#include "errortext.h"
#include "sessionmanager.h"
#include "sessiontext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace cpm::ui {

using protocol::SessionState;

SessionBar::SessionBar(Client* client, QWidget* parent)
    : QFrame(parent)
    , m_client(client)
    , m_text(new QLabel(this))
    , m_composing(new QLabel(this))
    , m_detail(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_move(new QPushButton(tr("Move &to…"), this))
    , m_end(new QPushButton(tr("E&nd"), this))
    , m_pull(new QPushButton(tr("&Continue here…"), this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("sessionBar"));
    setAccessibleName(tr("Chat session"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);

    m_text->setObjectName(QStringLiteral("sessionText"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setWordWrap(true);
    QFont bold = m_text->font();
    bold.setBold(true);
    m_text->setFont(bold);
    m_composing->setObjectName(QStringLiteral("sessionComposing"));
    m_composing->setTextFormat(Qt::PlainText);
    QFont italic = m_composing->font();
    italic.setItalic(true);
    m_composing->setFont(italic);
    m_detail->setObjectName(QStringLiteral("sessionDetail"));
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setWordWrap(true);
    m_progress->setObjectName(QStringLiteral("sessionHistoryProgress"));
    m_progress->setRange(0, 0); // how much history there is, nobody knows before the end
    m_progress->setMaximumWidth(120);
    m_progress->setMaximumHeight(10);
    m_progress->setTextVisible(false);
    m_progress->setAccessibleName(tr("Loading the conversation"));
    m_move->setObjectName(QStringLiteral("moveSession"));
    m_move->setToolTip(tr("Carry on this chat session on another of your devices (Ctrl+Shift+M)"));
    m_end->setObjectName(QStringLiteral("endSession"));
    m_pull->setObjectName(QStringLiteral("pullSession"));
    m_pull->setToolTip(tr("Take this chat session over on this device"));
    m_close->setObjectName(QStringLiteral("closeSessionBar"));
    m_close->setText(tr("Dismiss"));
    m_close->setToolTip(tr("Hide this line; the messages stay in the conversation"));

    auto* lines = new QVBoxLayout;
    lines->setSpacing(2);
    lines->addWidget(m_text);
    auto* second = new QHBoxLayout;
    second->addWidget(m_composing);
    second->addWidget(m_detail, 1);
    second->addWidget(m_progress);
    lines->addLayout(second);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 5, 8, 5);
    layout->addLayout(lines, 1);
    layout->addWidget(m_move);
    layout->addWidget(m_pull);
    layout->addWidget(m_end);
    layout->addWidget(m_close);
    hide();

    connect(m_move, &QPushButton::clicked, this, [this] {
        if (const std::optional<Session> s = sessionHere()) {
            Q_EMIT moveRequested(*s);
        }
    });
    connect(m_pull, &QPushButton::clicked, this, [this] { Q_EMIT continueRequested(m_sessionId); });
    connect(m_end, &QPushButton::clicked, this, &SessionBar::endSession);
    connect(m_close, &QToolButton::clicked, this, [this] {
        m_ended.remove(m_peer.toLower());
        m_movedTo.remove(m_sessionId);
        refresh();
    });

    SessionManager* sessions = &client->sessions();
    connect(sessions, &SessionManager::sessionsChanged, this, &SessionBar::refresh);
    connect(sessions, &SessionManager::sessionEnded, this, &SessionBar::onEnded);
    connect(sessions, &SessionManager::continuedElsewhere, this, [this](const Session& s) {
        m_movedTo.insert(s.id, s.boundDevice ? s.boundDevice->name : QString());
        refresh();
    });
    connect(sessions, &SessionManager::arrivedHere, this, [this](const Session& s) {
        m_movedTo.remove(s.id);
        m_historyText.remove(s.id);
        refresh();
    });
    connect(sessions, &SessionManager::peerComposingChanged, this, &SessionBar::refresh);
    connect(sessions, &SessionManager::historyProgress, this,
        [this](qint64 id, int received, bool more) {
            m_historyText.insert(id,
                more ? tr("Loading the conversation… received so far: %n", nullptr, received)
                     : tr("Loaded from before the move: %n", nullptr, received));
            refresh();
        });
    connect(sessions, &SessionManager::historyLoaded, this, [this](qint64 id, int received) {
        m_historyText.insert(id,
            received == 0 ? tr("No earlier messages came with the session")
                          : tr("Loaded from before the move: %n", nullptr, received));
        refresh();
    });
    connect(sessions, &SessionManager::historyFailed, this, [this](qint64 id, const Error& error) {
        m_historyText.insert(
            id, tr("Earlier messages could not be loaded: %1").arg(ErrorText::forAction(error)));
        refresh();
    });
}

SessionBar::~SessionBar() = default;

void SessionBar::setPeer(const QString& peer)
{
    m_peer = peer;
    refresh();
}

QString SessionBar::text() const { return isHidden() ? QString() : m_text->text(); }

std::optional<Session> SessionBar::sessionHere() const
{
    if (m_peer.isEmpty()) {
        return std::nullopt;
    }
    const std::optional<Session> s = m_client->sessions().openSessionWith(m_peer);
    if (s && m_client->sessions().isHere(s->id)) {
        return s;
    }
    return std::nullopt;
}

void SessionBar::onEnded(const Session& s)
{
    m_ended.insert(s.peer.toLower(), s);
    m_movedTo.remove(s.id);
    refresh();
}

void SessionBar::endSession()
{
    const std::optional<Session> s = m_client->sessions().session(m_sessionId);
    if (!s || !s->isOpen()) {
        return;
    }
    m_end->setEnabled(false);
    SessionManager& sessions = m_client->sessions();
    auto done = [this, guard = QPointer<SessionBar>(this)](const Error& error, const Session&) {
        if (!guard) {
            return;
        }
        m_end->setEnabled(true);
        if (!error.isNull() && error.code != ErrorCode::SessionEnded) {
            Q_EMIT failed(ErrorText::forAction(error));
        }
    };
    if (s->state == SessionState::Inviting && s->inviter) {
        sessions.cancel(s->id, done);
    } else {
        sessions.end(s->id, done);
    }
}

void SessionBar::refresh()
{
    refreshContent();
    m_detail->setVisible(!m_detail->text().isEmpty());
}

void SessionBar::refreshContent()
{
    m_composing->clear();
    m_composing->hide();
    m_detail->clear();
    m_progress->hide();
    m_move->hide();
    m_pull->hide();
    m_end->hide();
    m_close->hide();
    if (m_peer.isEmpty()) {
        m_sessionId = 0;
        hide();
        return;
    }
    SessionManager& sessions = m_client->sessions();
    const QString name = SessionText::peerName(*m_client, m_peer);
    const std::optional<Session> open = sessions.openSessionWith(m_peer);
    if (!open) {
        const auto ended = m_ended.constFind(m_peer.toLower());
        if (ended == m_ended.cend()) {
            m_sessionId = 0;
            hide();
            return;
        }
        m_sessionId = ended->id;
        m_text->setText(SessionText::ended(*m_client, *ended));
        m_detail->setText(
            ended->startedAt > 0 ? tr("Its messages stay in the conversation.") : QString());
        m_close->show();
        show();
        return;
    }
    const Session& s = *open;
    if (s.id != m_sessionId) {
        m_ended.remove(m_peer.toLower()); // a new session with the same person
    }
    m_sessionId = s.id;
    const bool here = sessions.isHere(s.id);
    const QString device = s.boundDevice ? s.boundDevice->name : QString();
    if (s.state == SessionState::Inviting) {
        if (!s.inviter) {
            hide(); // the request banner at the top asks
            return;
        }
        const bool mine = s.boundDevice && s.boundDevice->id == m_client->deviceId();
        m_text->setText(mine ? tr("Waiting for %1 to answer your chat session request…").arg(name)
                             : tr("Chat session request sent to %1 from %2").arg(name, device));
        if (!s.subject.isEmpty()) {
            m_detail->setText(s.subject);
        }
        m_end->setText(tr("&Cancel request"));
        m_end->setToolTip(tr("Withdraw the request"));
        m_end->show();
        show();
        return;
    }
    const QString since = SessionText::clock(s.startedAt);
    if (here) {
        m_text->setText(s.subject.isEmpty()
                ? tr("Chat session with %1 since %2").arg(name, since)
                : tr("Chat session with %1 since %2 — %3").arg(name, since, s.subject));
        if (sessions.isPeerComposing(s.id)) {
            m_composing->setText(tr("%1 is typing…").arg(name));
            m_composing->show();
        }
        m_detail->setText(m_historyText.value(s.id));
        m_progress->setVisible(sessions.isLoadingHistory(s.id));
        m_end->setText(tr("E&nd"));
        m_end->setToolTip(tr("End the chat session for both of you; its messages stay"));
        m_move->show();
        m_end->show();
    } else if (m_movedTo.contains(s.id)) {
        m_text->setText(tr("Continued on %1").arg(device));
        m_detail->setText(
            tr("The chat session with %1 since %2 went on there; messages you write here "
               "are ordinary messages.")
                .arg(name, since));
        m_pull->show();
    } else {
        m_text->setText(tr("Chat session with %1 on %2 since %3").arg(name, device, since));
        m_detail->setText(tr("Messages you write here are ordinary messages."));
        m_pull->show();
    }
    show();
}

} // namespace cpm::ui
