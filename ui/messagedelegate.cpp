// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagedelegate.h"

#include "conversationdelegate.h"
#include "errortext.h"
#include "messagemodel.h"
#include "types.h"

#include <QAbstractItemView>
#include <QDateTime>
#include <QLocale>
#include <QPainter>

namespace cpm::ui {

namespace {
constexpr int Margin = 10; // between the bubble and the view's edge
constexpr int Inner = 9; // inside the bubble
constexpr int Gap = 3; // between rows
constexpr int SeparatorHeight = 30;
constexpr int MarkerHeight = 26;
constexpr double MaxWidthRatio = 0.72;

int viewWidth(const QStyleOptionViewItem& option)
{
    if (const auto* view = qobject_cast<const QAbstractItemView*>(option.widget)) {
        return view->viewport()->width();
    }
    return option.rect.width();
}

bool startsNewDay(const QModelIndex& index)
{
    if (index.row() == 0) {
        return true;
    }
    const QModelIndex previous = index.siblingAtRow(index.row() - 1);
    return previous.data(MessageModel::TimeRole).toDateTime().date()
        != index.data(MessageModel::TimeRole).toDateTime().date();
}

QString dayText(const QDate& date)
{
    const QDate today = QDate::currentDate();
    if (date == today) {
        return MessageDelegate::tr("Today");
    }
    if (date == today.addDays(-1)) {
        return MessageDelegate::tr("Yesterday");
    }
    return QLocale().toString(date, QLocale::LongFormat);
}

// Each state its own shape: a clock, one tick, two ticks, two ticks on a filled badge
// (read), and a warning sign with words for what needs attention.
QString ticks(const QString& status)
{
    if (status == QLatin1StringView("pending")) {
        return QStringLiteral("🕓");
    }
    if (status == QLatin1StringView("sent")) {
        return QStringLiteral("✓");
    }
    if (status == QLatin1StringView("delivered") || status == QLatin1StringView("displayed")) {
        return QStringLiteral("✓✓");
    }
    if (status == QLatin1StringView("expired")) {
        return QStringLiteral("⚠ ") + MessageDelegate::tr("Expired");
    }
    return QStringLiteral("⚠ ") + MessageDelegate::tr("Not sent");
}
} // namespace

struct MessageDelegate::Layout {
    bool separator = false;
    QRect separatorRect;
    QRect markerRect; //!< the "New messages" line; null when none
    QRect bubble;
    QRect subject;
    QRect body;
    QRect footer;
    QFont subjectFont;
    QFont bodyFont;
    QFont footerFont;
    QString bodyText;
    bool placeholder = false;
    int height = 0;
};

QString MessageDelegate::newMessagesText() { return tr("New messages"); }

QString MessageDelegate::describe(const Message& message, bool forToolTip)
{
    // Written here: the time it was written, also when it went out later.
    const QDateTime time
        = QDateTime::fromMSecsSinceEpoch(message.written > 0 ? message.written : message.time);
    const QString when = QLocale().toString(time, QLocale::ShortFormat);
    QString state = message.outgoing ? statusText(Message::statusName(message.status))
                                     : (message.read ? tr("Read") : tr("Unread"));
    if (!message.failure.isEmpty()) {
        state = failureText(message.failure);
    }
    if (forToolTip) {
        return tr("%1 — %2").arg(state, when);
    }
    const QString text = message.partial ? placeholderText()
        : message.subject.isEmpty()      ? message.body
                                         : tr("%1: %2").arg(message.subject, message.body);
    return message.outgoing ? tr("You, %1: %2. %3").arg(when, text, state)
                            : tr("%1, %2: %3. %4").arg(message.from, when, text, state);
}

QString MessageDelegate::failureText(const QString& failure)
{
    return tr("Not sent: %1")
        .arg(ErrorText::forAction(makeError(Error::codeFromName(failure), QString())));
}

QString MessageDelegate::placeholderText()
{
    return tr("Notification only — click to load the message");
}

QString MessageDelegate::statusText(const QString& statusName)
{
    if (statusName == QLatin1StringView("pending")) {
        return tr("Waiting to be sent");
    }
    if (statusName == QLatin1StringView("sent")) {
        return tr("Sent");
    }
    if (statusName == QLatin1StringView("delivered")) {
        return tr("Delivered");
    }
    if (statusName == QLatin1StringView("displayed")) {
        return tr("Read");
    }
    if (statusName == QLatin1StringView("expired")) {
        return tr("Expired before it could be delivered");
    }
    return tr("Could not be sent");
}

MessageDelegate::Layout MessageDelegate::layout(
    const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    Layout l;
    const int width = viewWidth(option);
    const bool outgoing = index.data(MessageModel::OutgoingRole).toBool();
    const QString subject = index.data(MessageModel::SubjectRole).toString();
    const QString body = index.data(MessageModel::BodyRole).toString();
    l.placeholder = index.data(MessageModel::PartialRole).toBool();
    l.bodyText = l.placeholder ? placeholderText() : body;

    l.bodyFont = option.font;
    l.bodyFont.setItalic(l.placeholder);
    l.subjectFont = option.font;
    l.subjectFont.setBold(true);
    l.footerFont = option.font;
    l.footerFont.setPointSizeF(option.font.pointSizeF() * 0.8);

    int top = option.rect.top() + Gap;
    l.separator = startsNewDay(index);
    if (l.separator) {
        l.separatorRect = QRect(option.rect.left(), top, width, SeparatorHeight);
        top += SeparatorHeight;
    }
    if (m_newMarker != 0 && index.data(MessageModel::IdRole).toLongLong() == m_newMarker) {
        l.markerRect = QRect(option.rect.left(), top, width, MarkerHeight);
        top += MarkerHeight;
    }

    const int maxText = std::max(80, static_cast<int>(width * MaxWidthRatio) - 2 * Inner);
    const QFontMetrics bfm(l.bodyFont);
    const QFontMetrics sfm(l.subjectFont);
    const QFontMetrics ffm(l.footerFont);
    const QRect bodyBounds = l.bodyText.isEmpty()
        ? QRect()
        : bfm.boundingRect(QRect(0, 0, maxText, 100000), Qt::TextWordWrap, l.bodyText);
    const QRect subjectBounds = subject.isEmpty()
        ? QRect()
        : sfm.boundingRect(QRect(0, 0, maxText, 100000), Qt::TextWordWrap, subject);
    const QString status = index.data(MessageModel::StatusNameRole).toString();
    const int footerWidth
        = ffm.horizontalAdvance(QStringLiteral("00:00 ") + (outgoing ? ticks(status) : QString()))
        + 14;
    const int contentWidth
        = std::min(maxText, std::max({ bodyBounds.width(), subjectBounds.width(), footerWidth }));
    const int contentHeight = subjectBounds.height() + (subject.isEmpty() ? 0 : 3)
        + bodyBounds.height() + ffm.height() + 2;

    const int bubbleWidth = contentWidth + 2 * Inner;
    const int left = outgoing ? option.rect.left() + width - Margin - bubbleWidth
                              : option.rect.left() + Margin;
    l.bubble = QRect(left, top, bubbleWidth, contentHeight + 2 * Inner - 2);
    int y = l.bubble.top() + Inner - 1;
    if (!subject.isEmpty()) {
        l.subject = QRect(left + Inner, y, contentWidth, subjectBounds.height());
        y = l.subject.bottom() + 4;
    }
    l.body = QRect(left + Inner, y, contentWidth, bodyBounds.height());
    l.footer = QRect(left + Inner, l.body.bottom() + 2, contentWidth, ffm.height());
    l.height = l.bubble.bottom() - option.rect.top() + Gap + 1;
    return l;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    opt.rect.moveTo(0, 0);
    return { viewWidth(option), layout(opt, index).height };
}

void MessageDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const Layout l = layout(option, index);
    const QPalette& pal = option.palette;
    const bool outgoing = index.data(MessageModel::OutgoingRole).toBool();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    if (l.separator) {
        const QString text = dayText(index.data(MessageModel::TimeRole).toDateTime().date());
        QFont f = l.footerFont;
        f.setBold(true);
        painter->setFont(f);
        const QFontMetrics fm(f);
        const int w = fm.horizontalAdvance(text) + 20;
        const QRect pill(l.separatorRect.center().x() - w / 2,
            l.separatorRect.center().y() - fm.height() / 2 - 3, w, fm.height() + 6);
        painter->setPen(Qt::NoPen);
        painter->setBrush(pal.color(QPalette::AlternateBase));
        painter->drawRoundedRect(pill, pill.height() / 2.0, pill.height() / 2.0);
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(pill, Qt::AlignCenter, text);
    }

    if (!l.markerRect.isNull()) {
        // Accent-coloured rule with the words on it: where the unread part begins.
        const QColor accent = dark ? QColor(0xff, 0x9e, 0x80) : QColor(0xc6, 0x28, 0x28);
        QFont f = l.footerFont;
        f.setBold(true);
        painter->setFont(f);
        const QFontMetrics fm(f);
        const QString text = newMessagesText();
        const int textWidth = fm.horizontalAdvance(text) + 16;
        const int y = l.markerRect.center().y();
        const int mid = l.markerRect.center().x();
        painter->setPen(QPen(accent, 1));
        painter->drawLine(l.markerRect.left() + Margin, y, mid - textWidth / 2, y);
        painter->drawLine(mid + textWidth / 2, y, l.markerRect.right() - Margin, y);
        painter->drawText(
            QRect(mid - textWidth / 2, l.markerRect.top(), textWidth, l.markerRect.height()),
            Qt::AlignCenter, text);
    }

    QColor bubble;
    QColor ink;
    if (outgoing) {
        bubble = pal.color(QPalette::Highlight);
        ink = pal.color(QPalette::HighlightedText);
    } else {
        bubble = dark ? pal.color(QPalette::Base).lighter(160) : QColor(0xee, 0xf0, 0xf3);
        ink = pal.color(QPalette::Text);
    }
    if (option.state & QStyle::State_Selected) {
        bubble = outgoing ? bubble.darker(125) : (dark ? bubble.lighter(130) : bubble.darker(112));
    }
    painter->setPen(Qt::NoPen);
    painter->setBrush(bubble);
    painter->drawRoundedRect(l.bubble, 12, 12);
    if (option.state & QStyle::State_HasFocus) {
        QPen focus(pal.color(QPalette::Highlight).darker(140), 2);
        painter->setPen(focus);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(l.bubble.adjusted(-2, -2, 2, 2), 13, 13);
    }

    painter->setPen(ink);
    if (!l.subject.isNull()) {
        painter->setFont(l.subjectFont);
        painter->drawText(
            l.subject, Qt::TextWordWrap, index.data(MessageModel::SubjectRole).toString());
    }
    painter->setFont(l.bodyFont);
    QColor bodyInk = ink;
    if (l.placeholder) {
        bodyInk.setAlphaF(0.75f);
    }
    painter->setPen(bodyInk);
    painter->drawText(l.body, Qt::TextWordWrap, l.bodyText);

    QColor footerInk = ink;
    footerInk.setAlphaF(0.7f);
    painter->setFont(l.footerFont);
    const QString time
        = ConversationDelegate::clockTime(index.data(MessageModel::TimeRole).toDateTime().time());
    const QString status = index.data(MessageModel::StatusNameRole).toString();
    QRect timeRect = l.footer;
    if (outgoing) {
        const QString mark = ticks(status);
        const QFontMetrics fm(l.footerFont);
        const int markWidth = fm.horizontalAdvance(mark) + 8;
        const QRect markRect(
            l.footer.right() - markWidth + 1, l.footer.top(), markWidth, l.footer.height());
        timeRect.setRight(markRect.left() - 4);
        QColor markInk = footerInk;
        if (status == QLatin1StringView("displayed")) {
            // Read: the ticks sit on a filled badge, a different shape from delivered,
            // not only another colour.
            painter->setPen(Qt::NoPen);
            painter->setBrush(ink);
            painter->drawRoundedRect(markRect, markRect.height() / 2.0, markRect.height() / 2.0);
            markInk = bubble;
        } else if (status == QLatin1StringView("failed")
            || status == QLatin1StringView("expired")) {
            markInk = dark ? QColor(0xff, 0xb4, 0xa8) : QColor(0xff, 0xe0, 0x82);
        }
        painter->setPen(markInk);
        painter->drawText(markRect, Qt::AlignCenter, mark);
    }
    painter->setPen(footerInk);
    painter->drawText(timeRect, Qt::AlignRight | Qt::AlignVCenter, time);
    painter->restore();
}

} // namespace cpm::ui
