// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Draws one message as a chat bubble: incoming on the left, own on the right, with the
// subject, the text (or a "notification only" placeholder), the time, delivery ticks
// (pending, sent, delivered, displayed) and a date separator where the day changes; a
// "New messages" line above the first message that was unread when the conversation was
// opened.

#include <QStyledItemDelegate>

namespace cpm {
struct Message;
}

namespace cpm::ui {

class MessageDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    //! The text shown for a message this device was only notified of.
    static QString placeholderText();
    //! Why a message was not sent, from its Message::failure (an error code name).
    static QString failureText(const QString& failure);
    //! The accessible / tooltip description of a delivery state.
    static QString statusText(const QString& statusName);
    //! What a message's tooltip (\a forToolTip: its state and time) or accessible name (who,
    //! when, the text and the state) says; see MessageModel::setDescriber.
    static QString describe(const Message& message, bool forToolTip);
    //! The text of the line above the first unread message.
    static QString newMessagesText();

    //! Draws the "New messages" line above the message \a messageId (0: nowhere).
    void setNewMessagesMarker(qint64 messageId) { m_newMarker = messageId; }
    qint64 newMessagesMarker() const { return m_newMarker; }

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem& option, const QModelIndex& index) const;

    qint64 m_newMarker = 0;
};

} // namespace cpm::ui
