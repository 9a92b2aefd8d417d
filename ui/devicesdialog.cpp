// SPDX-License-Identifier: GPL-3.0-or-later
#include "devicesdialog.h"

#include "client.h"
#include "conversationdelegate.h"
#include "devicemodel.h"
#include "errortext.h"
#include "kindicon.h"
#include "protocol.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPainter>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace cpm::ui {

namespace {
constexpr int Padding = 8;
constexpr int IconSize = 32;
} // namespace

QString DeviceDelegate::presenceText(const QModelIndex& index)
{
    if (index.data(DeviceModel::OnlineRole).toBool()) {
        return tr("Online");
    }
    if (!index.data(DeviceModel::PresenceKnownRole).toBool()) {
        // Cut off from the server, this device cannot know who else is connected.
        return index.data(DeviceModel::CurrentRole).toBool()
            ? tr("This device — not connected")
            : tr("Not known while this device is not connected");
    }
    const QDateTime seen = index.data(DeviceModel::LastSeenRole).toDateTime();
    if (!seen.isValid()) {
        return tr("Never connected");
    }
    const QDate today = QDate::currentDate();
    const QString time = ConversationDelegate::clockTime(seen.time());
    if (seen.date() == today) {
        return tr("Last seen today at %1").arg(time);
    }
    if (seen.date() == today.addDays(-1)) {
        return tr("Last seen yesterday at %1").arg(time);
    }
    return tr("Last seen %1").arg(QLocale().toString(seen.date(), QLocale::ShortFormat));
}

QString DeviceDelegate::deliveryText(const QString& delivery)
{
    if (delivery == protocol::delivery::Notification) {
        return tr("Notification only");
    }
    if (delivery == protocol::delivery::None) {
        return tr("Nothing");
    }
    return tr("Whole message");
}

QSize DeviceDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    const QFontMetrics fm(option.font);
    return { option.rect.width(), std::max(IconSize, 2 * fm.height() + 4) + 2 * Padding };
}

void DeviceDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dim = text;
    dim.setAlphaF(0.7f);
    const QRect r = option.rect.adjusted(Padding, Padding, -Padding, -Padding);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect iconRect(r.left(), r.top() + (r.height() - IconSize) / 2, IconSize, IconSize);
    kindIcon(index.data(DeviceModel::KindRole).toString(), text).paint(painter, iconRect);

    const bool online = index.data(DeviceModel::OnlineRole).toBool();
    const QRect dot(iconRect.right() - 8, iconRect.bottom() - 8, 10, 10);
    painter->setPen(QPen(option.palette.color(selected ? QPalette::Highlight : QPalette::Base), 2));
    painter->setBrush(online ? QColor(0x2e, 0xa0, 0x43) : QColor(0x9a, 0x9c, 0xa0));
    painter->drawEllipse(dot);

    const QFontMetrics fm(option.font);
    const int left = iconRect.right() + Padding + 4;
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(text);
    QString name = index.data(DeviceModel::NameRole).toString();
    if (index.data(DeviceModel::CurrentRole).toBool()) {
        name = tr("%1 (this device)").arg(name);
    }
    // GST-1: a guest sign-in on someone else's machine, until it ends by itself.
    if (const QDateTime ends = index.data(DeviceModel::GuestExpiresRole).toDateTime();
        ends.isValid()) {
        name = tr("%1 — guest until %2")
                   .arg(name, QLocale().toString(ends.time(), QLocale::ShortFormat));
    }
    const QRect nameRect(left, r.top(), r.right() - left, fm.height());
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(bold).elidedText(name, Qt::ElideRight, nameRect.width()));

    painter->setFont(option.font);
    painter->setPen(dim);
    const QString detail
        = tr("%1 · %2 · receives: %3")
              .arg(kindName(index.data(DeviceModel::KindRole).toString()), presenceText(index),
                  deliveryText(index.data(DeviceModel::DeliveryRole).toString()));
    const QRect detailRect(left, nameRect.bottom() + 4, r.right() - left, fm.height());
    painter->drawText(detailRect, Qt::AlignLeft | Qt::AlignVCenter,
        fm.elidedText(detail, Qt::ElideRight, detailRect.width()));
    painter->restore();
}

DevicesDialog::DevicesDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_model(new DeviceModel(client, this))
    , m_view(new QListView(this))
    , m_rename(new QPushButton(tr("&Rename…"), this))
    , m_signOut(new QPushButton(tr("&Sign out…"), this))
    , m_delivery(new QComboBox(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("devicesDialog"));
    setWindowTitle(tr("Devices — %1").arg(client->address()));
    auto* intro = new QLabel(tr("Every device signed in to your account. Choose what each one "
                                "receives, rename it, or sign out one you no longer have."),
        this);
    intro->setWordWrap(true);

    m_view->setModel(m_model);
    m_view->setItemDelegate(new DeviceDelegate(m_view));
    m_view->setAccessibleName(tr("Your devices"));
    m_view->setObjectName(QStringLiteral("devices"));
    m_view->setMinimumHeight(220);

    for (const auto& [value, label] : std::initializer_list<std::pair<QLatin1StringView, QString>> {
             { protocol::delivery::Full, DeviceDelegate::deliveryText(protocol::delivery::Full) },
             { protocol::delivery::Notification,
                 DeviceDelegate::deliveryText(protocol::delivery::Notification) },
             { protocol::delivery::None, DeviceDelegate::deliveryText(protocol::delivery::None) },
         }) {
        m_delivery->addItem(label, QString(value));
    }
    m_delivery->setObjectName(QStringLiteral("delivery"));
    m_delivery->setAccessibleName(tr("What the selected device receives"));
    m_rename->setObjectName(QStringLiteral("rename"));
    m_signOut->setObjectName(QStringLiteral("signOut"));
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);

    auto* deliveryLabel = new QLabel(tr("&Receives:"), this);
    deliveryLabel->setBuddy(m_delivery);
    auto* actions = new QHBoxLayout;
    actions->addWidget(deliveryLabel);
    actions->addWidget(m_delivery);
    actions->addStretch();
    actions->addWidget(m_rename);
    actions->addWidget(m_signOut);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_view, 1);
    layout->addLayout(actions);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(560, 420);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
        &DevicesDialog::updateActions);
    // The list reloads whenever any device changes; keep the device the user picked.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        m_selectedId = current.isValid() ? current.data(DeviceModel::IdRole).toLongLong() : 0;
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // "X was signed out" is no longer true once X signed in again.
        for (int r = 0; !m_signedOutName.isEmpty() && r < m_model->rowCount(); ++r) {
            if (m_model->index(r).data(DeviceModel::NameRole).toString() == m_signedOutName) {
                m_signedOutName.clear();
                report({});
            }
        }
        const int row = m_model->rowOf(m_selectedId);
        if (row >= 0) {
            m_view->setCurrentIndex(m_model->index(row));
        } else if (m_model->rowCount() > 0) {
            m_view->setCurrentIndex(m_model->index(0));
        }
        updateActions();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DevicesDialog::updateActions);
    connect(m_rename, &QPushButton::clicked, this, &DevicesDialog::rename);
    connect(m_signOut, &QPushButton::clicked, this, &DevicesDialog::signOut);
    connect(m_delivery, &QComboBox::activated, this, &DevicesDialog::applyDelivery);
    if (m_model->rowCount() > 0) {
        m_view->setCurrentIndex(m_model->index(0));
    }
    updateActions();
    client->refreshDevices();
}

DevicesDialog::~DevicesDialog() = default;

void DevicesDialog::updateActions()
{
    const QModelIndex index = m_view->currentIndex();
    const bool any = index.isValid();
    m_rename->setEnabled(any);
    m_signOut->setEnabled(any);
    m_delivery->setEnabled(any);
    if (any) {
        const int i = m_delivery->findData(index.data(DeviceModel::DeliveryRole).toString());
        m_delivery->setCurrentIndex(std::max(0, i));
    }
}

void DevicesDialog::report(const QString& text) { m_status->setText(text); }

void DevicesDialog::rename()
{
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid()) {
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename device"), tr("New name:"),
        QLineEdit::Normal, index.data(DeviceModel::NameRole).toString(), &ok)
                             .trimmed();
    if (!ok || name.isEmpty()) {
        return;
    }
    m_client->renameDevice(index.data(DeviceModel::IdRole).toLongLong(), name.left(64),
        [this, guard = QPointer<DevicesDialog>(this)](const Error& error) {
            if (guard && !error.isNull()) {
                report(ErrorText::forAction(error));
            }
        });
}

void DevicesDialog::signOut()
{
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid()) {
        return;
    }
    const bool self = index.data(DeviceModel::CurrentRole).toBool();
    const QString name = index.data(DeviceModel::NameRole).toString();
    const QString question = self
        ? tr("Sign out this device? Its local copy of your messages will be removed; your "
             "other devices and the network keep them.")
        : tr("Sign out “%1”? It is disconnected at once and removes your messages from it. "
             "You can sign in on it again later with your password.")
              .arg(name);
    if (QMessageBox::question(this, tr("Sign out device"), question,
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes) {
        return;
    }
    m_client->signOutDevice(index.data(DeviceModel::IdRole).toLongLong(),
        [this, name, guard = QPointer<DevicesDialog>(this)](const Error& error) {
            if (!guard) {
                return;
            }
            report(error.isNull() ? tr("“%1” was signed out.").arg(name)
                                  : ErrorText::forAction(error));
            m_signedOutName = error.isNull() ? name : QString();
        });
}

void DevicesDialog::applyDelivery(int comboIndex)
{
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid()) {
        return;
    }
    const QString delivery = m_delivery->itemData(comboIndex).toString();
    if (delivery == index.data(DeviceModel::DeliveryRole).toString()) {
        return;
    }
    m_client->setDelivery(index.data(DeviceModel::IdRole).toLongLong(), delivery,
        [this, guard = QPointer<DevicesDialog>(this)](const Error& error) {
            if (guard && !error.isNull()) {
                report(ErrorText::forAction(error));
                updateActions();
            }
        });
}

} // namespace cpm::ui
