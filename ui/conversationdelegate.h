// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Draws one conversation row: an avatar with initials (and a dot with the person's status
// when they share it), the name, the newest message's preview and time, and an unread badge.

#include <QStyledItemDelegate>

namespace cpm::ui {

class ConversationDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    //! A stable, readable colour for an address's avatar.
    static QColor avatarColor(const QString& address);
    //! Hours and minutes in the user's locale, without seconds.
    static QString clockTime(const QTime& time);
    //! "14:05" today, "Mon" this week, else a short date.
    static QString shortTime(const QDateTime& time);
    //! The colour of a status (available, busy, away, custom) wherever one is shown.
    static QColor statusColor(const QString& status);
    //! A status in words: "Available", "Busy", "Away", or the custom text.
    static QString statusWords(const QString& status, const QString& text);
};

} // namespace cpm::ui
