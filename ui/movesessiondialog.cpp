// SPDX-License-Identifier: GPL-3.0-or-later
#include "movesessiondialog.h"

#include "client.h"
#include "errortext.h"
#include "historychoicewidget.h"
#include "kindicon.h"
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
constexpr int DeviceIdRole = Qt::UserRole + 1;
}

MoveSessionDialog::MoveSessionDialog(Client* client, const Session& session, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_session(session)
    , m_devices(new QListWidget(this))
    , m_history(new HistoryChoiceWidget(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("moveSessionDialog"));
    const QString name = SessionText::peerName(*client, session.peer);
    setWindowTitle(tr("Move the chat session with %1").arg(name));
    auto* intro = new QLabel(tr("Carry on the chat session with %1 on another of your devices. "
                                "It stops here and opens there at once.")
                                 .arg(name),
        this);
    intro->setWordWrap(true);
    auto* listLabel = new QLabel(tr("&Move to:"), this);
    listLabel->setBuddy(m_devices);
    m_devices->setObjectName(QStringLiteral("moveTargets"));
    m_devices->setAccessibleName(tr("Your other devices"));
    m_devices->setIconSize(QSize(28, 28));
    m_devices->setMinimumHeight(130);
    m_status->setObjectName(QStringLiteral("moveStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_progress->setObjectName(QStringLiteral("moveProgress"));
    m_progress->setRange(0, 0); // busy: the server answers in one step
    m_progress->setMaximumHeight(12);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Move"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("moveButton"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(listLabel);
    layout->addWidget(m_devices, 1);
    layout->addWidget(m_history);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(440, 460);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &MoveSessionDialog::move);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_devices, &QListWidget::currentItemChanged, this, &MoveSessionDialog::updateButtons);
    connect(m_devices, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (item && (item->flags() & Qt::ItemIsEnabled)) {
            move();
        }
    });
    // Presence changes while the dialog is open: a device that comes online can be chosen.
    connect(client, &Client::deviceListChanged, this, &MoveSessionDialog::fillDevices);
    // The session may end or move on from elsewhere meanwhile: nothing left to move.
    connect(&client->sessions(), &SessionManager::sessionUpdated, this, [this](const Session& s) {
        if (s.id == m_session.id && !m_busy && !m_client->sessions().isHere(s.id)) {
            m_status->setText(s.isOpen() ? ErrorText::forAction(makeError(ErrorCode::NotBound, {}))
                                         : SessionText::ended(*m_client, s));
            m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
        }
    });
    fillDevices();
    client->refreshDevices();
}

MoveSessionDialog::~MoveSessionDialog() = default;

void MoveSessionDialog::fillDevices()
{
    const qint64 selected
        = m_devices->currentItem() ? m_devices->currentItem()->data(DeviceIdRole).toLongLong() : 0;
    m_devices->clear();
    const QColor ink = palette().color(QPalette::Text);
    const QColor away = palette().color(QPalette::Disabled, QPalette::Text);
    QListWidgetItem* firstOnline = nullptr;
    for (const Device& d : m_client->devices().valueOr({})) {
        if (d.id == m_client->deviceId()) {
            continue;
        }
        auto* item = new QListWidgetItem(kindIcon(d.kind, d.online ? ink : away),
            tr("%1\n%2 · %3")
                .arg(d.name, kindName(d.kind), d.online ? tr("Online") : tr("Offline")),
            m_devices);
        item->setData(DeviceIdRole, d.id);
        if (!d.online) {
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
            item->setToolTip(tr("%1 is not connected. A chat session can only move to a device "
                                "where CPM is running and online.")
                                 .arg(d.name));
        } else if (!firstOnline) {
            firstOnline = item;
        }
        if (d.id == selected && d.online) {
            m_devices->setCurrentItem(item);
        }
    }
    if (!m_devices->currentItem() && firstOnline) {
        m_devices->setCurrentItem(firstOnline);
    }
    if (m_devices->count() == 0 && !m_busy) {
        m_status->setText(tr("You have no other device signed in. Sign in on another device "
                             "first, then move the session there."));
    } else if (!firstOnline && !m_busy) {
        m_status->setText(tr("None of your other devices is online right now."));
    }
    updateButtons();
}

void MoveSessionDialog::updateButtons()
{
    const QListWidgetItem* item = m_devices->currentItem();
    const bool usable = item && (item->flags() & Qt::ItemIsEnabled);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(usable && !m_busy);
    m_devices->setEnabled(!m_busy);
    m_history->setEnabled(!m_busy);
}

void MoveSessionDialog::move()
{
    const QListWidgetItem* item = m_devices->currentItem();
    if (m_busy || !item || !(item->flags() & Qt::ItemIsEnabled)) {
        return;
    }
    const QString target = item->text().section(QLatin1Char('\n'), 0, 0);
    m_busy = true;
    m_progress->show();
    m_status->setText(tr("Moving the session to %1…").arg(target));
    updateButtons();
    m_client->sessions().transfer(m_session.id, item->data(DeviceIdRole).toLongLong(),
        m_history->choice(),
        [this, guard = QPointer<MoveSessionDialog>(this)](const Error& error, const Session&) {
            if (!guard) {
                return;
            }
            m_busy = false;
            m_progress->hide();
            if (error.isNull()) {
                accept();
                return;
            }
            m_status->setText(ErrorText::forAction(error));
            updateButtons();
        });
}

} // namespace cpm::ui
