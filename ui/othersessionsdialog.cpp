// SPDX-License-Identifier: GPL-3.0-or-later
#include "othersessionsdialog.h"

#include "client.h"
#include "errortext.h"
#include "historychoicewidget.h"
#include "sessionmanager.h"
#include "sessiontext.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace cpm::ui {

namespace {
constexpr int SessionIdRole = Qt::UserRole + 1;
constexpr int PeerRole = Qt::UserRole + 2;
} // namespace

OtherSessionsDialog::OtherSessionsDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_list(new QListWidget(this))
    , m_history(new HistoryChoiceWidget(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_continue(new QPushButton(tr("&Continue here"), this))
{
    setObjectName(QStringLiteral("otherSessions"));
    setWindowTitle(tr("Sessions on my other devices"));
    auto* intro = new QLabel(tr("Chat sessions you are holding on another of your devices. "
                                "Continue one here and it stops there."),
        this);
    intro->setWordWrap(true);
    m_list->setObjectName(QStringLiteral("otherSessionList"));
    m_list->setAccessibleName(tr("Sessions on your other devices"));
    m_list->setMinimumHeight(110);
    m_status->setObjectName(QStringLiteral("otherSessionsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_progress->setRange(0, 0);
    m_progress->setMaximumHeight(12);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_continue->setObjectName(QStringLiteral("continueHere"));
    m_continue->setDefault(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_continue, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_continue, &QPushButton::clicked, this, &OtherSessionsDialog::continueHere);
    connect(m_list, &QListWidget::itemActivated, this, &OtherSessionsDialog::continueHere);
    connect(m_list, &QListWidget::currentItemChanged, this, &OtherSessionsDialog::updateButtons);
    connect(
        &client->sessions(), &SessionManager::sessionsChanged, this, &OtherSessionsDialog::fill);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_history);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(460, 420);
    fill();
}

OtherSessionsDialog::~OtherSessionsDialog() = default;

void OtherSessionsDialog::fill()
{
    const qint64 selected
        = m_list->currentItem() ? m_list->currentItem()->data(SessionIdRole).toLongLong() : 0;
    m_list->clear();
    for (const Session& s : m_client->sessions().elsewhere()) {
        const QString device = s.boundDevice ? s.boundDevice->name : QString();
        auto* item = new QListWidgetItem(tr("%1 — since %2 — on %3")
                                             .arg(SessionText::peerName(*m_client, s.peer),
                                                 SessionText::clock(s.startedAt), device),
            m_list);
        item->setData(SessionIdRole, s.id);
        item->setData(PeerRole, s.peer);
        if (!s.subject.isEmpty()) {
            item->setToolTip(s.subject);
        }
        if (s.id == selected || !m_list->currentItem()) {
            m_list->setCurrentItem(item);
        }
    }
    if (m_list->count() == 0 && !m_busy) {
        m_status->setText(tr("No chat session is going on on your other devices."));
    } else if (!m_busy
        && m_status->text() == tr("No chat session is going on on your other devices.")) {
        m_status->clear();
    }
    updateButtons();
}

void OtherSessionsDialog::select(qint64 sessionId)
{
    for (int row = 0; sessionId != 0 && row < m_list->count(); ++row) {
        if (m_list->item(row)->data(SessionIdRole).toLongLong() == sessionId) {
            m_list->setCurrentRow(row);
        }
    }
}

void OtherSessionsDialog::updateButtons()
{
    m_continue->setEnabled(m_list->currentItem() && !m_busy);
    m_list->setEnabled(!m_busy);
    m_history->setEnabled(!m_busy);
}

void OtherSessionsDialog::continueHere()
{
    const QListWidgetItem* item = m_list->currentItem();
    if (!item || m_busy) {
        return;
    }
    const QString peer = item->data(PeerRole).toString();
    m_busy = true;
    m_progress->show();
    m_status->setText(tr("Taking the session over…"));
    updateButtons();
    m_client->sessions().pull(item->data(SessionIdRole).toLongLong(), m_history->choice(),
        [this, peer, guard = QPointer<OtherSessionsDialog>(this)](
            const Error& error, const Session&) {
            if (!guard) {
                return;
            }
            m_busy = false;
            m_progress->hide();
            if (error.isNull()) {
                Q_EMIT continued(peer);
                accept();
                return;
            }
            m_status->setText(ErrorText::forAction(error));
            fill();
        });
}

} // namespace cpm::ui
