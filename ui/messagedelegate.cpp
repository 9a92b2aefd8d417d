// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagedelegate.h"

#include "attachmentmanager.h"
#include "attachmentui.h"
#include "client.h"
#include "conversationdelegate.h"
#include "errortext.h"
#include "messagemodel.h"
#include "types.h"

#include <QAbstractItemView>
#include <QBuffer>
#include <QDateTime>
#include <QDesktopServices>
#include <QImageReader>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextBrowser>
#include <QTextCursor>
#include <QUrlQuery>

namespace cpm::ui {

namespace {
constexpr int Margin = 10; // between the bubble and the view's edge
constexpr int Inner = 9; // inside the bubble
constexpr int Gap = 3; // between rows
constexpr int SeparatorHeight = 30;
constexpr int MarkerHeight = 26;
constexpr double MaxWidthRatio = 0.72;
constexpr int MeasureChars = 65; // a readable line length, in average characters

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

// How a message went when it did not go by CPM (MSG-7, MSG-8): a quarter clock while it is
// kept for a recipient with no device connected, an envelope or a phone once it went by
// e-mail or SMS. Beside the ticks on yours, before the time on those you receive.
QString routeMark(const QString& route, const QString& status, bool outgoing)
{
    if (route == QLatin1StringView("email")) {
        return QStringLiteral("✉");
    }
    if (route == QLatin1StringView("sms")) {
        return QStringLiteral("✆");
    }
    if (outgoing && route == QLatin1StringView("deferred") && status == QLatin1StringView("sent")) {
        return QStringLiteral("◷");
    }
    return {};
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

struct Colours {
    QColor bubble;
    QColor ink;
    QColor link;
    bool dark = false;
};

Colours coloursFor(const QStyleOptionViewItem& option, bool outgoing)
{
    const QPalette& pal = option.palette;
    Colours c;
    c.dark = pal.color(QPalette::Window).lightness() < 128;
    if (outgoing) {
        c.bubble = pal.color(QPalette::Highlight);
        c.ink = pal.color(QPalette::HighlightedText);
    } else {
        c.bubble = c.dark ? pal.color(QPalette::Base).lighter(160) : QColor(0xee, 0xf0, 0xf3);
        c.ink = pal.color(QPalette::Text);
    }
    if (option.state & QStyle::State_Selected) {
        c.bubble = outgoing ? c.bubble.darker(125)
                            : (c.dark ? c.bubble.lighter(130) : c.bubble.darker(112));
    }
    c.link = MessageText::linkColour(pal.color(QPalette::Link), c.bubble, c.ink);
    return c;
}
} // namespace

namespace {
//! The "Send again" action's font: the footer's, bold and underlined like a link.
QFont actionFont(QFont footer)
{
    footer.setBold(true);
    footer.setUnderline(true);
    return footer;
}

//! Stands for the "Send again" action under a refused message where links are looked up.
const QUrl SendAgainUrl(QStringLiteral("cpm-action:send-again"));

//! Stands for a click on an attachment (or one of its card's actions).
QUrl attachmentUrl(int attachmentIndex, MessageDelegate::AttachmentAction action)
{
    QUrl url(QStringLiteral("cpm-attachment:") + QString::number(int(action)));
    url.setQuery(QStringLiteral("i=") + QString::number(attachmentIndex));
    return url;
}

constexpr int PictureMaxWidth = 240;
constexpr int PictureMaxHeight = 180;
constexpr int PlaceholderWidth = 220;
constexpr int PlaceholderHeight = 120;
constexpr int CardWidth = 260;
constexpr int ProgressHeight = 4;
} // namespace

//! One attachment in a bubble: a picture (its thumbnail, or a placeholder) or a file card.
struct AttachmentBox {
    QVariantMap data;
    QRect rect;
    QPixmap thumbnail; //!< null: a placeholder or a card
    bool picture = false;
    QRect progress; //!< null when nothing moves
    double fraction = 0;
    QString stateText;
    QList<std::pair<MessageDelegate::AttachmentAction, QRect>> actions;
};

struct MessageDelegate::Layout {
    bool separator = false;
    QRect separatorRect;
    QRect markerRect; //!< the "New messages" line; null when none
    QRect bubble;
    QRect subject;
    QRect body;
    QRect footer;
    //! Under a message the server refused: why, and "Send again" (clickable) at its end.
    QRect failure;
    QString failureReason;
    QRect sendAgain;
    QFont subjectFont;
    QFont bodyFont;
    QFont footerFont;
    QString bodyString;
    MessageText subjectText;
    MessageText bodyText;
    QList<AttachmentBox> attachments;
    Colours colours;
    int maxText = 0;
    bool placeholder = false;
    int height = 0;
};

QString MessageDelegate::newMessagesText() { return tr("New messages"); }

void MessageDelegate::setClient(Client* client)
{
    m_client = client;
    m_absent.clear();
    if (client) {
        connect(&client->attachments(), &AttachmentManager::attachmentReady, this,
            &MessageDelegate::thumbnailAvailable);
    }
}

void MessageDelegate::thumbnailAvailable(const QString& attachmentId)
{
    m_absent.remove(attachmentId);
}

QImage MessageDelegate::makeThumbnail(QIODevice* device)
{
    QImageReader reader(device);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > ThumbnailSize || size.height() > ThumbnailSize)) {
        reader.setScaledSize(size.scaled(ThumbnailSize, ThumbnailSize, Qt::KeepAspectRatio));
    }
    return reader.read();
}

QByteArray MessageDelegate::encodeThumbnail(const QImage& image)
{
    QByteArray encoded;
    QBuffer buffer(&encoded);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return encoded;
}

bool MessageDelegate::hasThumbnail(const QString& attachmentId) const
{
    return m_thumbnails.contains(attachmentId);
}

QPixmap MessageDelegate::thumbnail(const QString& attachmentId) const
{
    if (attachmentId.isEmpty() || !m_client) {
        return {};
    }
    if (const auto found = m_thumbnails.constFind(attachmentId); found != m_thumbnails.cend()) {
        return *found;
    }
    if (m_noThumbnail.contains(attachmentId) || m_absent.contains(attachmentId)) {
        return {};
    }
    AttachmentManager& manager = m_client->attachments();
    QImage image;
    if (const Result<QByteArray> stored = manager.thumbnail(attachmentId);
        stored && !stored->isEmpty()) {
        image.loadFromData(*stored, "PNG");
    }
    if (image.isNull()) {
        if (!manager.has(attachmentId)) {
            // Not here yet: not looked for again (layout runs often) until it is.
            m_absent.insert(attachmentId);
            return {};
        }
        // Made once from the copy, scaled while decoding, and kept in the client's cache.
        if (Result<std::unique_ptr<QIODevice>> copy = manager.open(attachmentId)) {
            image = makeThumbnail(copy->get());
        }
        if (image.isNull()) {
            m_noThumbnail.insert(attachmentId);
            return {};
        }
        (void)manager.storeThumbnail(attachmentId, encodeThumbnail(image)); // else next time
    }
    const QPixmap pixmap = QPixmap::fromImage(image);
    m_thumbnails.insert(attachmentId, pixmap);
    return pixmap;
}

QRect MessageDelegate::attachmentRect(
    const QAbstractItemView* view, const QModelIndex& index, int attachmentIndex) const
{
    const Layout l = layout(optionFor(view, index), index);
    return attachmentIndex >= 0 && attachmentIndex < l.attachments.size()
        ? l.attachments.at(attachmentIndex).rect
        : QRect();
}

QRect MessageDelegate::actionRect(const QAbstractItemView* view, const QModelIndex& index,
    int attachmentIndex, AttachmentAction action) const
{
    const Layout l = layout(optionFor(view, index), index);
    if (attachmentIndex < 0 || attachmentIndex >= l.attachments.size()) {
        return {};
    }
    for (const auto& [a, rect] : l.attachments.at(attachmentIndex).actions) {
        if (a == action) {
            return rect;
        }
    }
    return {};
}

QString MessageDelegate::describe(const Message& message, bool forToolTip)
{
    // Written here: the time it was written, also when it went out later.
    const QDateTime time
        = QDateTime::fromMSecsSinceEpoch(message.written > 0 ? message.written : message.time);
    const QString when = QLocale().toString(time, QLocale::ShortFormat);
    QString state = message.outgoing ? statusText(Message::statusName(message.status))
                                     : (message.read ? tr("Read") : tr("Unread"));
    // How it went (MSG-7, MSG-8): kept for an absent recipient, or by e-mail/SMS.
    if (message.outgoing && message.status == Message::Status::Delivered
        && message.route == protocol::Route::Email) {
        state = tr("Delivered by e-mail");
    } else if (message.outgoing && message.status == Message::Status::Delivered
        && message.route == protocol::Route::Sms) {
        state = tr("Delivered by SMS");
    } else if (message.outgoing && message.status == Message::Status::Sent
        && message.route == protocol::Route::Deferred) {
        state = tr("Kept until they are online");
    } else if (!message.outgoing && message.route == protocol::Route::Email) {
        state = tr("%1 — also delivered to you by e-mail").arg(state);
    } else if (!message.outgoing && message.route == protocol::Route::Sms) {
        state = tr("%1 — also delivered to you by SMS").arg(state);
    }
    if (!message.failure.isEmpty()) {
        state = failureText(message.failure);
    }
    if (forToolTip) {
        return tr("%1 — %2").arg(state, when);
    }
    QString text = message.partial  ? placeholderText()
        : message.subject.isEmpty() ? message.body
                                    : tr("%1: %2").arg(message.subject, message.body);
    if (!message.attachments.isEmpty()) {
        QStringList names;
        for (const protocol::Attachment& a : message.attachments) {
            names.append(a.name);
        }
        text += QLatin1Char(' ')
            + tr("(%n attachment(s): %1)", nullptr, int(names.size()))
                  .arg(names.join(QStringLiteral(", ")));
    }
    return message.outgoing ? tr("You, %1: %2. %3").arg(when, text, state)
                            : tr("%1, %2: %3. %4").arg(message.from, when, text, state);
}

QString MessageDelegate::failureText(const QString& failure)
{
    return tr("Not sent: %1")
        .arg(ErrorText::forAction(makeError(Error::codeFromName(failure), QString())));
}

QString MessageDelegate::sendAgainText() { return tr("Send again"); }

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

int MessageDelegate::maxTextWidth(const QFont& font, int viewWidth)
{
    const int share = static_cast<int>(viewWidth * MaxWidthRatio) - 2 * Inner;
    const int measure = QFontMetrics(font).averageCharWidth() * MeasureChars;
    return std::max(80, std::min(share, measure));
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
    l.bodyString = l.placeholder ? placeholderText() : body;
    l.colours = coloursFor(option, outgoing);

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

    // Measured, painted and hit-tested through the same layout, so what is measured is
    // what is drawn: a word longer than the line breaks inside rather than being cut off.
    l.maxText = maxTextWidth(option.font, width);
    QColor bodyInk = l.colours.ink;
    if (l.placeholder) {
        bodyInk.setAlphaF(0.75f);
    }
    l.bodyText = MessageText(l.bodyString, l.bodyFont, l.maxText, bodyInk, l.colours.link);
    l.subjectText = MessageText(subject, l.subjectFont, l.maxText, l.colours.ink, l.colours.link);
    const QSize bodySize = l.bodyString.isEmpty() ? QSize() : l.bodyText.size();
    const QSize subjectSize = l.subjectText.size();
    const QFontMetrics ffm(l.footerFont);
    const QString status = index.data(MessageModel::StatusNameRole).toString();
    const QString route
        = routeMark(index.data(MessageModel::RouteRole).toString(), status, outgoing);
    const int footerWidth
        = ffm.horizontalAdvance(QStringLiteral("00:00 ") + (outgoing ? ticks(status) : QString())
              + (route.isEmpty() ? QString() : route + QLatin1Char(' ')))
        + 14;

    // Attachments under the text: pictures at their thumbnail's size, files as cards.
    const QFontMetrics bfm(l.bodyFont);
    const QVariantList attachments = index.data(MessageModel::AttachmentsRole).toList();
    int attachmentsWidth = 0;
    int attachmentsHeight = 0;
    const bool guest = m_client && m_client->isGuest();
    for (const QVariant& v : attachments) {
        AttachmentBox box;
        box.data = v.toMap();
        const QString id = box.data.value(QStringLiteral("id")).toString();
        const qint64 size = box.data.value(QStringLiteral("size")).toLongLong();
        const qint64 done = box.data.value(QStringLiteral("done")).toLongLong();
        box.thumbnail
            = box.data.value(QStringLiteral("image")).toBool() ? thumbnail(id) : QPixmap();
        box.picture
            = box.data.value(QStringLiteral("image")).toBool() && !m_noThumbnail.contains(id);
        if (done >= 0) {
            box.fraction = size > 0 ? std::clamp(double(done) / double(size), 0.0, 1.0) : 0.0;
            const int percent = int(box.fraction * 100);
            box.stateText
                = id.isEmpty() || (outgoing && index.data(MessageModel::PendingRole).toBool())
                ? tr("Uploading… %1 %").arg(percent)
                : tr("Downloading… %1 %").arg(percent);
        } else if (id.isEmpty()) {
            box.stateText = tr("Waiting to upload");
        }
        QSize boxSize;
        if (box.picture && !box.thumbnail.isNull()) {
            boxSize = box.thumbnail.deviceIndependentSize().toSize().scaled(
                std::min(PictureMaxWidth, l.maxText), PictureMaxHeight, Qt::KeepAspectRatio);
            boxSize = boxSize.boundedTo(box.thumbnail.deviceIndependentSize().toSize());
        } else if (box.picture) {
            boxSize = QSize(std::min(PlaceholderWidth, l.maxText), PlaceholderHeight);
            if (box.stateText.isEmpty() && !id.isEmpty()) {
                box.stateText = tr("Click to load");
            }
        } else {
            boxSize = QSize(std::min(CardWidth, l.maxText),
                2 * bfm.height() + ffm.height() + ProgressHeight + 3 * 6);
        }
        box.rect = QRect(QPoint(0, attachmentsHeight), boxSize);
        attachmentsWidth = std::max(attachmentsWidth, boxSize.width());
        attachmentsHeight += boxSize.height() + 6;
        l.attachments.append(box);
    }
    const int textHeight = subjectSize.height() + (subject.isEmpty() ? 0 : 3) + bodySize.height();
    if (!l.attachments.isEmpty() && textHeight > 0) {
        attachmentsHeight += 4; // apart from the text
    }

    const int contentWidth = std::min(l.maxText,
        std::max({ bodySize.width(), subjectSize.width(), footerWidth, attachmentsWidth }));
    const int contentHeight = textHeight + attachmentsHeight + ffm.height() + 2;

    const int bubbleWidth = contentWidth + 2 * Inner;
    const int left = outgoing ? option.rect.left() + width - Margin - bubbleWidth
                              : option.rect.left() + Margin;
    l.bubble = QRect(left, top, bubbleWidth, contentHeight + 2 * Inner - 2);
    int y = l.bubble.top() + Inner - 1;
    if (!subject.isEmpty()) {
        l.subject = QRect(left + Inner, y, contentWidth, subjectSize.height());
        y = l.subject.bottom() + 4;
    }
    l.body = QRect(left + Inner, y, contentWidth, bodySize.height());
    y = l.body.top() + bodySize.height() + (bodySize.height() > 0 || !subject.isEmpty() ? 4 : 0);
    for (int i = 0; i < l.attachments.size(); ++i) {
        AttachmentBox& box = l.attachments[i];
        const bool here = box.data.value(QStringLiteral("here")).toBool();
        const QString id = box.data.value(QStringLiteral("id")).toString();
        box.rect.translate(left + Inner, y);
        if (!box.picture) {
            box.rect.setWidth(contentWidth);
        }
        if (box.picture) {
            box.actions.clear();
            if (!id.isEmpty()) {
                // A thumbnail opens the viewer (fetching the picture first if need be).
                box.actions.append(
                    { !box.thumbnail.isNull() ? AttachmentAction::View : AttachmentAction::Fetch,
                        box.rect });
            }
            if (!box.stateText.isEmpty() && box.fraction > 0) {
                box.progress = QRect(box.rect.left() + 12, box.rect.bottom() - 14,
                    box.rect.width() - 24, ProgressHeight);
            }
        } else {
            const QRect inner = box.rect.adjusted(8, 6, -8, -6);
            const int actionsTop = inner.top() + 2 * bfm.height() + ProgressHeight + 6;
            if (!box.stateText.isEmpty() && box.stateText != tr("Waiting to upload")) {
                box.progress = QRect(inner.left(), inner.top() + 2 * bfm.height() + 2,
                    inner.width(), ProgressHeight);
            }
            QFont actionF = actionFont(l.footerFont);
            const QFontMetrics afm(actionF);
            int x = inner.left();
            const auto addAction = [&](AttachmentAction action, const QString& text) {
                const int w = afm.horizontalAdvance(text) + 2;
                box.actions.append({ action, QRect(x, actionsTop, w, afm.height()) });
                x += w + 14;
            };
            if (!id.isEmpty() && !here && box.progress.isNull()) {
                addAction(AttachmentAction::Fetch, tr("Download"));
            }
            if (here && !guest) {
                addAction(AttachmentAction::Open, tr("Open"));
            }
            if (here) {
                addAction(AttachmentAction::SaveAs, tr("Save as…"));
            }
        }
        y = box.rect.bottom() + 1 + 6;
    }
    if (!l.attachments.isEmpty()) {
        y -= 6;
    }
    l.footer = QRect(left + Inner, y + 2, contentWidth, ffm.height());
    l.height = l.bubble.bottom() - option.rect.top() + Gap + 1;
    if (outgoing && status == QLatin1StringView("failed")) {
        const QString failure = index.data(MessageModel::FailureRole).toString();
        const int actionWidth
            = QFontMetrics(actionFont(l.footerFont)).horizontalAdvance(sendAgainText()) + 4;
        const int room = std::max(actionWidth, width - 2 * Margin - actionWidth - 12);
        l.failureReason = ffm.elidedText(
            failure.isEmpty() ? tr("Not sent.") : failureText(failure), Qt::ElideRight, room);
        const int lineWidth = ffm.horizontalAdvance(l.failureReason) + 12 + actionWidth;
        l.failure = QRect(option.rect.left() + width - Margin - lineWidth, l.bubble.bottom() + 4,
            lineWidth, ffm.height() + 2);
        l.sendAgain = QRect(
            l.failure.right() - actionWidth + 1, l.failure.top(), actionWidth, l.failure.height());
        l.height = l.failure.bottom() - option.rect.top() + Gap + 1;
    }
    return l;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    opt.rect.moveTo(0, 0);
    return { viewWidth(option), layout(opt, index).height };
}

QStyleOptionViewItem MessageDelegate::optionFor(
    const QAbstractItemView* view, const QModelIndex& index)
{
    // What the view hands paint(), as far as the layout depends on it.
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.widget = view;
    option.font = view->font();
    option.rect = view->visualRect(index);
    if (view->selectionModel() && view->selectionModel()->isSelected(index)) {
        option.state |= QStyle::State_Selected;
    }
    return option;
}

MessageDelegate::Geometry MessageDelegate::geometry(
    const QAbstractItemView* view, const QModelIndex& index) const
{
    const Layout l = layout(optionFor(view, index), index);
    Geometry g;
    g.bubble = l.bubble;
    g.subject = l.subject;
    g.body = l.body;
    g.maxTextWidth = l.maxText;
    g.subjectLines = l.subjectText.lines();
    g.bodyLines = l.bodyText.lines();
    const auto subjectLinks = l.subjectText.linkRects();
    for (const auto& [url, rect] : subjectLinks) {
        g.links.append({ url, rect.translated(l.subject.topLeft()) });
    }
    const auto bodyLinks = l.bodyText.linkRects();
    for (const auto& [url, rect] : bodyLinks) {
        g.links.append({ url, rect.translated(l.body.topLeft()) });
    }
    return g;
}

QUrl MessageDelegate::linkAt(const QAbstractItemView* view, const QPoint& pos) const
{
    const QModelIndex index = view->indexAt(pos);
    if (!index.isValid() || index.data(MessageModel::PartialRole).toBool()) {
        return {};
    }
    const Layout l = layout(optionFor(view, index), index);
    if (l.sendAgain.contains(pos)) {
        return SendAgainUrl;
    }
    for (int i = 0; i < l.attachments.size(); ++i) {
        for (const auto& [action, rect] : l.attachments.at(i).actions) {
            if (rect.contains(pos)) {
                return attachmentUrl(i, action);
            }
        }
    }
    if (l.subject.contains(pos)) {
        return l.subjectText.linkAt(pos - l.subject.topLeft());
    }
    if (l.body.contains(pos)) {
        return l.bodyText.linkAt(pos - l.body.topLeft());
    }
    return {};
}

void MessageDelegate::attach(QAbstractItemView* view)
{
    if (m_viewport) {
        m_viewport->removeEventFilter(this);
    }
    m_view = view;
    m_viewport = view->viewport();
    // Double-click or F2 opens the selectable text; a single click keeps selecting the
    // message (and loading a notified one), Enter keeps activating it.
    view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    view->viewport()->setMouseTracking(true); // for the pointing hand over links
    view->viewport()->installEventFilter(this);
}

bool MessageDelegate::eventFilter(QObject* watched, QEvent* event)
{
    // Compared as a QObject: while the view is being destroyed its children still get
    // events, and m_view (a QAbstractItemView no more) must not be touched then.
    if (!m_viewport || watched != m_viewport.data()) {
        if (event->type() == QEvent::ShortcutOverride
            && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Delete
            && watched->objectName() == QLatin1StringView("messageText")) {
            // Keys are about the text while it is open: Del does nothing to read-only
            // text, rather than the view's "delete this message" shortcut.
            event->accept();
            return true;
        }
        // The selectable text's other keys (Esc closes) and focus go through the base class.
        return QStyledItemDelegate::eventFilter(watched, event);
    }
    const auto viewport = [watched] { return static_cast<QWidget*>(watched); };
    switch (event->type()) {
    case QEvent::MouseMove: {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        const bool overLink = !linkAt(m_view, mouse->position().toPoint()).isEmpty();
        if (overLink != m_overLink) {
            m_overLink = overLink;
            if (overLink) {
                viewport()->setCursor(Qt::PointingHandCursor);
            } else {
                viewport()->unsetCursor();
            }
        }
        // A press that began on a link is the link's: no drag-selecting rows from it.
        return !m_pressedLink.isEmpty();
    }
    case QEvent::Leave:
        if (m_overLink) {
            m_overLink = false;
            viewport()->unsetCursor();
        }
        break;
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick: {
        // A click on a link opens it and nothing else: the view never sees it, so it does
        // not select the message, load it or open its text.
        const auto* mouse = static_cast<QMouseEvent*>(event);
        m_doubleClickAt.reset();
        if (mouse->button() == Qt::LeftButton) {
            const QUrl url = linkAt(m_view, mouse->position().toPoint());
            if (!url.isEmpty()) {
                m_pressedLink = url;
                return true;
            }
            if (event->type() == QEvent::MouseButtonDblClick) {
                m_doubleClickAt = mouse->position().toPoint();
            }
        }
        break;
    }
    case QEvent::MouseButtonRelease: {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton && !m_pressedLink.isEmpty()) {
            const QUrl pressed = std::exchange(m_pressedLink, QUrl());
            // Like a browser: released elsewhere, the click is abandoned.
            if (linkAt(m_view, mouse->position().toPoint()) != pressed) {
            } else if (pressed == SendAgainUrl) {
                Q_EMIT sendAgainRequested(m_view->indexAt(mouse->position().toPoint()));
            } else if (pressed.scheme() == QLatin1StringView("cpm-attachment")) {
                Q_EMIT attachmentActionRequested(m_view->indexAt(mouse->position().toPoint()),
                    QUrlQuery(pressed).queryItemValue(QStringLiteral("i")).toInt(),
                    AttachmentAction(pressed.path().toInt()));
            } else {
                QDesktopServices::openUrl(pressed);
            }
            return true;
        }
        break;
    }
    default:
        break;
    }
    return false;
}

// The text opens in a read-only QTextBrowser exactly over the painted text, filled by the
// same MessageText::fill() with the same font, width and wrap mode, so the lines do not
// move. A real text widget gives what users expect from text and we would otherwise
// re-implement: drag, double-click and keyboard selection, Ctrl+A, Ctrl+C, a context menu
// with Copy, and links that still open. It is an item editor so the view keeps it on the
// message through scrolling and closes it on Esc or when focus leaves; nothing is ever
// written back (setModelData does nothing).
QWidget* MessageDelegate::createEditor(
    QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const Layout l = layout(option, index);
    if (l.placeholder || l.bodyString.isEmpty()) {
        return nullptr;
    }
    auto* text = new QTextBrowser(parent);
    text->setObjectName(QStringLiteral("messageText"));
    text->setAccessibleName(tr("Message text"));
    text->setFrameShape(QFrame::NoFrame);
    text->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    text->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard
        | Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    text->setLineWrapMode(QTextEdit::WidgetWidth);
    text->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    // Links go where a click on the painted text sends them; never navigated in here.
    text->setOpenLinks(false);
    connect(text, &QTextBrowser::anchorClicked, text,
        [](const QUrl& url) { QDesktopServices::openUrl(url); });

    // Transparent over the bubble, in the bubble's colours; on one's own (highlight-
    // coloured) bubble the selection is drawn inverted so it stays visible.
    const bool outgoing = index.data(MessageModel::OutgoingRole).toBool();
    QPalette pal = option.palette;
    pal.setColor(QPalette::Base, Qt::transparent);
    pal.setColor(QPalette::Text, l.colours.ink);
    if (outgoing) {
        pal.setColor(QPalette::Highlight, l.colours.ink);
        pal.setColor(QPalette::HighlightedText, l.colours.bubble);
    }
    text->setPalette(pal);
    text->viewport()->setAutoFillBackground(false);
    text->setFont(l.bodyFont);
    MessageText::fill(text->document(), l.bodyString, l.bodyFont, l.colours.ink, l.colours.link);
    // Opened by a double-click on a word: that word is selected, as in any text. Opened
    // with F2: the caret is at the start, ready for Shift+arrows.
    QTextCursor cursor(text->document());
    if (const std::optional<QPoint> at = std::exchange(m_doubleClickAt, std::nullopt);
        at && l.body.contains(*at)) {
        cursor.setPosition(l.bodyText.positionAt(*at - l.body.topLeft()));
        cursor.select(QTextCursor::WordUnderCursor);
    }
    text->setTextCursor(cursor);
    m_selecting = index;
    return text;
}

void MessageDelegate::destroyEditor(QWidget* editor, const QModelIndex& index) const
{
    m_selecting = QPersistentModelIndex();
    QStyledItemDelegate::destroyEditor(editor, index);
}

void MessageDelegate::setEditorData(QWidget*, const QModelIndex&) const
{
    // Filled once in createEditor(): a message's text does not change while it is shown,
    // and its state does (delivered, read), which must not drop the user's selection.
}

void MessageDelegate::setModelData(QWidget*, QAbstractItemModel*, const QModelIndex&) const
{
    // Read-only: selecting text never changes a message.
}

void MessageDelegate::updateEditorGeometry(
    QWidget* editor, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const Layout l = layout(option, index);
    // Any width between the longest line and the longest a line may be breaks the text
    // into the same lines; a little room to the right keeps rounding from re-wrapping it.
    const int width = std::min(l.maxText, l.body.width() + Inner);
    editor->setGeometry(QRect(l.body.topLeft(), QSize(width, l.body.height())));
}

void MessageDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const Layout l = layout(option, index);
    const QPalette& pal = option.palette;
    const bool outgoing = index.data(MessageModel::OutgoingRole).toBool();
    const bool dark = l.colours.dark;

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

    const QColor bubble = l.colours.bubble;
    const QColor ink = l.colours.ink;
    painter->setPen(Qt::NoPen);
    painter->setBrush(bubble);
    painter->drawRoundedRect(l.bubble, 12, 12);
    if (option.state & QStyle::State_HasFocus) {
        QPen focus(pal.color(QPalette::Highlight).darker(140), 2);
        painter->setPen(focus);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(l.bubble.adjusted(-2, -2, 2, 2), 13, 13);
    }

    l.subjectText.draw(painter, l.subject.topLeft());
    if (m_selecting != index) {
        l.bodyText.draw(painter, l.body.topLeft());
    }

    QColor footerInk = ink;
    footerInk.setAlphaF(0.7f);

    for (const AttachmentBox& box : l.attachments) {
        const QString name = box.data.value(QStringLiteral("name")).toString();
        const qint64 size = box.data.value(QStringLiteral("size")).toLongLong();
        QColor well = ink;
        well.setAlphaF(0.1f);
        if (!box.thumbnail.isNull()) {
            QPainterPath clip;
            clip.addRoundedRect(QRectF(box.rect), 8, 8);
            painter->save();
            painter->setClipPath(clip);
            painter->drawPixmap(box.rect, box.thumbnail);
            painter->restore();
            continue;
        }
        painter->setPen(Qt::NoPen);
        painter->setBrush(well);
        painter->drawRoundedRect(box.rect, 8, 8);
        QColor track = ink;
        track.setAlphaF(0.2f);
        const auto drawProgress = [&] {
            if (box.progress.isNull()) {
                return;
            }
            painter->setPen(Qt::NoPen);
            painter->setBrush(track);
            painter->drawRoundedRect(box.progress, 2, 2);
            painter->setBrush(ink);
            QRect filled = box.progress;
            filled.setWidth(std::max(ProgressHeight, int(box.progress.width() * box.fraction)));
            painter->drawRoundedRect(filled, 2, 2);
        };
        if (box.picture) {
            // A placeholder where the picture will be: its name and how to get it.
            const QRect inner = box.rect.adjusted(10, 10, -10, -22);
            painter->setPen(ink);
            painter->setFont(l.bodyFont);
            const QFontMetrics fm(l.bodyFont);
            painter->drawText(inner, Qt::AlignHCenter | Qt::AlignVCenter,
                fm.elidedText(name, Qt::ElideMiddle, inner.width()) + QLatin1Char('\n')
                    + attachmentui::sizeText(size));
            painter->setFont(l.footerFont);
            painter->setPen(footerInk);
            painter->drawText(box.rect.adjusted(10, 0, -10, -(box.progress.isNull() ? 8 : 22)),
                Qt::AlignHCenter | Qt::AlignBottom, box.stateText);
            drawProgress();
            continue;
        }
        // A file card: its name, its size (and what is happening to it), its actions.
        const QRect inner = box.rect.adjusted(8, 6, -8, -6);
        const QFontMetrics fm(l.bodyFont);
        QFont nameFont = l.bodyFont;
        nameFont.setBold(true);
        painter->setFont(nameFont);
        painter->setPen(ink);
        // The desktop's icon for a file, in front of its name.
        const int iconSize = fm.height();
        const QStyle* style = option.widget ? option.widget->style() : nullptr;
        if (style) {
            style->standardIcon(QStyle::SP_FileIcon, nullptr, option.widget)
                .paint(painter, QRect(inner.left(), inner.top(), iconSize, iconSize));
        }
        const int nameLeft = inner.left() + (style ? iconSize + 4 : 0);
        painter->drawText(QRect(nameLeft, inner.top(), inner.right() - nameLeft + 1, fm.height()),
            Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(nameFont).elidedText(name, Qt::ElideMiddle, inner.right() - nameLeft + 1));
        painter->setFont(l.footerFont);
        painter->setPen(footerInk);
        const QString details = box.stateText.isEmpty()
            ? attachmentui::sizeText(size)
            : tr("%1 — %2").arg(attachmentui::sizeText(size), box.stateText);
        painter->drawText(
            QRect(inner.left(), inner.top() + fm.height(), inner.width(), fm.height()),
            Qt::AlignLeft | Qt::AlignVCenter, details);
        drawProgress();
        painter->setFont(actionFont(l.footerFont));
        painter->setPen(l.colours.link);
        for (const auto& [action, rect] : box.actions) {
            const QString text = action == AttachmentAction::Fetch ? tr("Download")
                : action == AttachmentAction::Open                 ? tr("Open")
                                                                   : tr("Save as…");
            painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter, text);
        }
    }
    painter->setFont(l.footerFont);
    const QString time
        = ConversationDelegate::clockTime(index.data(MessageModel::TimeRole).toDateTime().time());
    const QString status = index.data(MessageModel::StatusNameRole).toString();
    const QString route
        = routeMark(index.data(MessageModel::RouteRole).toString(), status, outgoing);
    QRect timeRect = l.footer;
    if (outgoing) {
        const QString mark
            = route.isEmpty() ? ticks(status) : route + QLatin1Char(' ') + ticks(status);
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
    painter->drawText(timeRect, Qt::AlignRight | Qt::AlignVCenter,
        !outgoing && !route.isEmpty() ? route + QLatin1Char(' ') + time : time);
    if (!l.failure.isNull()) {
        // Said in words under the bubble until it is sent or deleted, with the way out.
        painter->setFont(l.footerFont);
        painter->setPen(dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb3, 0x26, 0x1e));
        painter->drawText(l.failure.adjusted(0, 0, -l.sendAgain.width() - 12, 0),
            Qt::AlignRight | Qt::AlignVCenter, l.failureReason);
        painter->setFont(actionFont(l.footerFont));
        painter->setPen(pal.color(QPalette::Link));
        painter->drawText(l.sendAgain, Qt::AlignRight | Qt::AlignVCenter, sendAgainText());
    }
    painter->restore();
}

} // namespace cpm::ui
