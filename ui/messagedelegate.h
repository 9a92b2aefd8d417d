// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Draws one message as a chat bubble: incoming on the left, own on the right, with the
// subject, the text (or a "notification only" placeholder), the time, delivery ticks
// (pending, sent, delivered, displayed) and a date separator where the day changes; a
// "New messages" line above the first message that was unread when the conversation was
// opened. Links in the text open in the browser; double-click (or F2) opens the text for
// selecting and copying a part of it.

#include "messagetext.h"

#include <QHash>
#include <QPersistentModelIndex>
#include <QPixmap>
#include <QPointer>
#include <QSet>
#include <QStyledItemDelegate>

#include <optional>

class QAbstractItemView;
class QIODevice;

namespace cpm {
class Client;
struct Message;
} // namespace cpm

namespace cpm::ui {

class MessageDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    //! Where thumbnails of attachments come from (MSG-1); without it pictures show as
    //! placeholders.
    void setClient(Client* client);
    //! What a click on an attachment asks for.
    enum class AttachmentAction { View, Fetch, Open, SaveAs };
    Q_ENUM(AttachmentAction)
    //! Whether the thumbnail of \a attachmentId is made and in memory (what is drawn).
    bool hasThumbnail(const QString& attachmentId) const;
    //! The thumbnail of \a attachmentId: from memory, else the client's cache, else made
    //! from the copy once it is here (and stored). Null while there is none.
    QPixmap thumbnail(const QString& attachmentId) const;
    //! A thumbnail of the picture \a device holds (scaled while decoding), or null.
    static QImage makeThumbnail(QIODevice* device);
    //! How thumbnails are stored (AttachmentManager::storeThumbnail).
    static QByteArray encodeThumbnail(const QImage& image);
    //! A thumbnail of \a attachmentId was stored, or its copy arrived: draw it from now on.
    void thumbnailAvailable(const QString& attachmentId);
    //! The longest side of a thumbnail, in pixels.
    static constexpr int ThumbnailSize = 320;
    //! Where attachment \a attachmentIndex of the message at \a index is drawn (viewport
    //! coordinates), null when it has none.
    QRect attachmentRect(
        const QAbstractItemView* view, const QModelIndex& index, int attachmentIndex) const;
    //! Where the \a action of that attachment is clicked; null when it offers none.
    QRect actionRect(const QAbstractItemView* view, const QModelIndex& index, int attachmentIndex,
        AttachmentAction action) const;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    //! The text shown for a message this device was only notified of.
    static QString placeholderText();
    //! Why a message was not sent, from its Message::failure (an error code name).
    static QString failureText(const QString& failure);
    //! The action under a message the server refused.
    static QString sendAgainText();
    //! The accessible / tooltip description of a delivery state.
    static QString statusText(const QString& statusName);
    //! What a message's tooltip (\a forToolTip: its state and time) or accessible name (who,
    //! when, the text and the state) says; see MessageModel::setDescriber.
    static QString describe(const Message& message, bool forToolTip);
    //! The text of the line above the first unread message.
    static QString newMessagesText();

    //! Makes \a view (which draws its rows with this delegate) answer the mouse over message
    //! text: a pointing hand over a link and a click on it opens it (and does nothing else);
    //! a double-click or F2 opens the message's text over its bubble for selecting and
    //! copying. Sets the view's edit triggers and its viewport's mouse tracking.
    void attach(QAbstractItemView* view);

    //! Where a message's bubble and text are in the view, laid out exactly as paint() lays
    //! them out (viewport coordinates).
    struct Geometry {
        QRect bubble;
        QRect subject;
        QRect body;
        int maxTextWidth = 0; //!< the longest a line of text may be
        QStringList subjectLines;
        QStringList bodyLines;
        QList<std::pair<QUrl, QRect>> links; //!< the first line of each link in subject and body
    };
    Geometry geometry(const QAbstractItemView* view, const QModelIndex& index) const;
    //! The link at \a pos in \a view's viewport, or an empty URL.
    QUrl linkAt(const QAbstractItemView* view, const QPoint& pos) const;
    //! How wide a bubble's text may be in a view \a viewWidth wide with text in \a font: a
    //! readable measure (about 65 characters), and never more than 72 % of the view.
    static int maxTextWidth(const QFont& font, int viewWidth);

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
    void destroyEditor(QWidget* editor, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(
        QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
    void updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;

    //! Draws the "New messages" line above the message \a messageId (0: nowhere).
    void setNewMessagesMarker(qint64 messageId) { m_newMarker = messageId; }
    qint64 newMessagesMarker() const { return m_newMarker; }

Q_SIGNALS:
    //! "Send again" was clicked under the refused message at \a index.
    void sendAgainRequested(const QModelIndex& index);
    //! An attachment (\a attachmentIndex of the message at \a index) was clicked.
    void attachmentActionRequested(const QModelIndex& index, int attachmentIndex,
        cpm::ui::MessageDelegate::AttachmentAction action);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem& option, const QModelIndex& index) const;
    static QStyleOptionViewItem optionFor(const QAbstractItemView* view, const QModelIndex& index);

    QPointer<Client> m_client;
    mutable QHash<QString, QPixmap> m_thumbnails; //!< made once per attachment
    mutable QSet<QString> m_noThumbnail; //!< copies that are no picture Qt can read
    mutable QSet<QString> m_absent; //!< neither a stored thumbnail nor a copy, when last asked
    qint64 m_newMarker = 0;
    QPointer<QAbstractItemView> m_view;
    QPointer<QObject> m_viewport; //!< m_view's viewport, whose mouse events this filters
    QUrl m_pressedLink; //!< the link a press on the viewport began on
    bool m_overLink = false;
    //! Where the double-click that is opening the text was: the word there gets selected.
    mutable std::optional<QPoint> m_doubleClickAt;
    //! The message whose text is open for selecting: the open text draws it, not paint().
    mutable QPersistentModelIndex m_selecting;
};

} // namespace cpm::ui
