// SPDX-License-Identifier: GPL-3.0-or-later
#include "conversationdelegate.h"

#include "conversationmodel.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

namespace cpm::ui {

namespace {
constexpr int Padding = 8;
constexpr int Avatar = 40;
} // namespace

QColor ConversationDelegate::avatarColor(const QString& address)
{
    // qHash is seeded per process; a fixed hash keeps a person's colour the same
    // in every window and every run.
    const quint16 h = qChecksum(address.toUtf8());
    return QColor::fromHsl(h % 360, 120, 110);
}

QColor ConversationDelegate::statusColor(const QString& status)
{
    if (status == QLatin1StringView("busy")) {
        return { 0xd9, 0x30, 0x25 };
    }
    if (status == QLatin1StringView("away")) {
        return { 0xe0, 0x9b, 0x1a };
    }
    if (status == QLatin1StringView("custom")) {
        return { 0x2f, 0x6f, 0xd0 };
    }
    return { 0x2e, 0xa0, 0x43 };
}

QString ConversationDelegate::statusWords(const QString& status, const QString& text)
{
    if (status == QLatin1StringView("busy")) {
        return text.isEmpty() ? tr("Busy") : tr("Busy: %1").arg(text);
    }
    if (status == QLatin1StringView("away")) {
        return text.isEmpty() ? tr("Away") : tr("Away: %1").arg(text);
    }
    if (status == QLatin1StringView("custom") && !text.isEmpty()) {
        return text;
    }
    return text.isEmpty() ? tr("Available") : tr("Available: %1").arg(text);
}

QString ConversationDelegate::clockTime(const QTime& time)
{
    // Some locales' short format (the C locale's among them) carries seconds, which only
    // add noise next to a message.
    QString format = QLocale().timeFormat(QLocale::ShortFormat);
    format.remove(QStringLiteral(":ss"));
    return time.toString(format);
}

QString ConversationDelegate::shortTime(const QDateTime& time)
{
    if (!time.isValid()) {
        return {};
    }
    const QDate today = QDate::currentDate();
    const QLocale locale;
    if (time.date() == today) {
        return clockTime(time.time());
    }
    if (time.date().daysTo(today) < 7) {
        return locale.dayName(time.date().dayOfWeek(), QLocale::ShortFormat);
    }
    return locale.toString(time.date(), QLocale::ShortFormat);
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    return { option.rect.width(), Avatar + 2 * Padding + 4 };
}

void ConversationDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette& pal = option.palette;
    const QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dim = text;
    dim.setAlphaF(0.65f);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect r = option.rect.adjusted(Padding, Padding, -Padding, -Padding);

    const QString address = index.data(ConversationModel::PeerAddressRole).toString();
    const QRect avatar(r.left(), r.top() + (r.height() - Avatar) / 2, Avatar, Avatar);
    painter->setPen(Qt::NoPen);
    painter->setBrush(avatarColor(address));
    painter->drawEllipse(avatar);
    QFont initialsFont = option.font;
    initialsFont.setBold(true);
    painter->setFont(initialsFont);
    painter->setPen(Qt::white);
    painter->drawText(
        avatar, Qt::AlignCenter, index.data(ConversationModel::InitialsRole).toString());
    if (const QString status = index.data(ConversationModel::PeerStatusRole).toString();
        !status.isEmpty()) {
        // The person's status, as they share it, as a dot on the avatar's corner.
        const int d = Avatar / 3;
        const QRect dot(avatar.right() - d + 2, avatar.bottom() - d + 2, d, d);
        painter->setPen(QPen(pal.color(selected ? QPalette::Highlight : QPalette::Base), 2));
        painter->setBrush(statusColor(status));
        painter->drawEllipse(dot);
    }

    const int unread = index.data(ConversationModel::UnreadCountRole).toInt();
    const QString time = shortTime(index.data(ConversationModel::LastMessageTimeRole).toDateTime());
    const QFontMetrics fm(option.font);
    const int timeWidth = fm.horizontalAdvance(time);
    const int textLeft = avatar.right() + Padding + 2;
    const int lineHeight = fm.height();
    const QRect nameRect(
        textLeft, r.top() + 1, r.right() - textLeft - timeWidth - Padding, lineHeight);
    const QRect previewRect(
        textLeft, nameRect.bottom() + 4, r.right() - textLeft - (unread ? 36 : 0), lineHeight);

    QFont nameFont = option.font;
    nameFont.setBold(true);
    painter->setFont(nameFont);
    painter->setPen(text);
    const QFontMetrics nfm(nameFont);
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
        nfm.elidedText(index.data(ConversationModel::PeerNameRole).toString(), Qt::ElideRight,
            nameRect.width()));

    painter->setFont(option.font);
    painter->setPen(dim);
    painter->drawText(QRect(r.right() - timeWidth, nameRect.top(), timeWidth, lineHeight),
        Qt::AlignRight | Qt::AlignVCenter, time);
    QFont previewFont = option.font;
    previewFont.setBold(unread > 0);
    QString preview = index.data(ConversationModel::LastMessageTextRole).toString().simplified();
    if (preview.isEmpty() && index.data(ConversationModel::LastMessagePartialRole).toBool()) {
        // A device notified only has no text to show until the message is loaded.
        preview = tr("New message, not loaded yet");
        previewFont.setItalic(true);
    }
    painter->setFont(previewFont);
    painter->setPen(unread > 0 ? text : dim);
    painter->drawText(previewRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(previewFont).elidedText(preview, Qt::ElideRight, previewRect.width()));

    if (unread > 0) {
        const QString count = unread > 99 ? QStringLiteral("99+") : QString::number(unread);
        QFont badgeFont = option.font;
        badgeFont.setBold(true);
        badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.85);
        const QFontMetrics bfm(badgeFont);
        const int w = std::max(bfm.height() + 4, bfm.horizontalAdvance(count) + 10);
        const QRect badge(r.right() - w, previewRect.top() + (lineHeight - bfm.height() - 4) / 2, w,
            bfm.height() + 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(
            selected ? pal.color(QPalette::HighlightedText) : pal.color(QPalette::Highlight));
        painter->drawRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(
            selected ? pal.color(QPalette::Highlight) : pal.color(QPalette::HighlightedText));
        painter->drawText(badge, Qt::AlignCenter, count);
    }
    painter->restore();
}

} // namespace cpm::ui
