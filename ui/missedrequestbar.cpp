// SPDX-License-Identifier: GPL-3.0-or-later
#include "missedrequestbar.h"

#include "client.h"
#include "sessionmanager.h"
#include "sessiontext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace cpm::ui {

MissedRequestBar::MissedRequestBar(Client* client, QWidget* parent)
    : QFrame(parent)
    , m_client(client)
    , m_text(new QLabel(this))
    , m_invite(new QPushButton(this))
    , m_dismiss(new QToolButton(this))
{
    setObjectName(QStringLiteral("missedRequest"));
    setAccessibleName(tr("Missed chat session request"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    auto* icon = new QLabel(this);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    icon->setPixmap(
        style()->standardIcon(QStyle::SP_MessageBoxInformation, nullptr, this).pixmap(size, size));
    m_text->setObjectName(QStringLiteral("missedRequestText"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setWordWrap(true);
    m_invite->setObjectName(QStringLiteral("inviteBack"));
    m_dismiss->setObjectName(QStringLiteral("dismissMissed"));
    m_dismiss->setText(tr("Dismiss"));
    m_dismiss->setToolTip(tr("Forget this missed request"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 5, 8, 5);
    layout->addWidget(icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_invite);
    layout->addWidget(m_dismiss);
    hide();

    connect(m_invite, &QPushButton::clicked, this, [this] { Q_EMIT inviteRequested(m_peer); });
    connect(m_dismiss, &QToolButton::clicked, this,
        [this] { m_client->sessions().dismissMissed(m_peer); });
    connect(&client->sessions(), &SessionManager::missedChanged, this, &MissedRequestBar::refresh);
    connect(
        &client->sessions(), &SessionManager::sessionsChanged, this, &MissedRequestBar::refresh);
}

MissedRequestBar::~MissedRequestBar() = default;

void MissedRequestBar::setPeer(const QString& peer)
{
    m_peer = peer;
    refresh();
}

QString MissedRequestBar::text() const { return isHidden() ? QString() : m_text->text(); }

void MissedRequestBar::refresh()
{
    const QList<Session> missed = m_client->sessions().missed();
    const Session* latest = nullptr;
    int count = 0;
    for (const Session& s : missed) {
        if (!m_peer.isEmpty() && s.peer.compare(m_peer, Qt::CaseInsensitive) == 0) {
            latest = &s;
            ++count;
        }
    }
    if (!latest) {
        hide();
        return;
    }
    const QString name = SessionText::peerName(*m_client, m_peer);
    const QString when = SessionText::clock(latest->createdAt);
    m_text->setText(count == 1
            ? tr("You missed a chat session request from %1 at %2").arg(name, when)
            : tr("You missed %n chat session requests from %1, the last at %2", nullptr, count)
                  .arg(name, when));
    m_invite->setText(tr("Invite %1").arg(name));
    // Inviting back makes sense only while no session with them is open and online.
    m_invite->setEnabled(!m_client->sessions().openSessionWith(m_peer)
        && m_client->state() == ConnectionState::Online);
    show();
}

} // namespace cpm::ui
