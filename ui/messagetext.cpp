// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagetext.h"

#include <QAbstractTextDocumentLayout>
#include <QPainter>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextLayout>

#include <cmath>

namespace cpm::ui {

namespace {
// One paragraph separator per line break, so a character's index in the text is its
// position in the document (links are found in the text and looked up in the document).
QString normalisedBreaks(QString text)
{
    text.replace(QLatin1StringView("\r\n"), QLatin1StringView("\n"));
    text.replace(QLatin1Char('\r'), QLatin1Char('\n'));
    return text;
}

// WCAG 2 relative luminance and contrast ratio.
double luminance(const QColor& colour)
{
    const auto channel
        = [](float v) { return v <= 0.03928f ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF());
}

double contrast(const QColor& a, const QColor& b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}
} // namespace

MessageText::MessageText(
    const QString& text, const QFont& font, int maxWidth, const QColor& ink, const QColor& linkInk)
{
    if (text.isEmpty()) {
        return;
    }
    m_document = std::make_shared<QTextDocument>();
    fill(m_document.get(), text, font, ink, linkInk);
    m_document->setTextWidth(maxWidth);
}

QSize MessageText::size() const
{
    if (!m_document) {
        return {};
    }
    return { static_cast<int>(std::ceil(m_document->idealWidth())),
        static_cast<int>(std::ceil(m_document->size().height())) };
}

void MessageText::draw(QPainter* painter, const QPoint& topLeft) const
{
    if (!m_document) {
        return;
    }
    painter->save();
    painter->translate(topLeft);
    m_document->documentLayout()->draw(painter, QAbstractTextDocumentLayout::PaintContext());
    painter->restore();
}

QUrl MessageText::linkAt(const QPointF& pos) const
{
    if (!m_document) {
        return {};
    }
    // An exact hit: beside a link, past the end of its line, is not on it.
    const QString href = m_document->documentLayout()->anchorAt(pos);
    return href.isEmpty() ? QUrl() : QUrl(href, QUrl::StrictMode);
}

int MessageText::positionAt(const QPointF& pos) const
{
    return m_document ? m_document->documentLayout()->hitTest(pos, Qt::FuzzyHit) : 0;
}

QStringList MessageText::lines() const
{
    QStringList lines;
    if (!m_document) {
        return lines;
    }
    for (QTextBlock block = m_document->begin(); block.isValid(); block = block.next()) {
        const QTextLayout* layout = block.layout();
        for (int i = 0; i < layout->lineCount(); ++i) {
            const QTextLine line = layout->lineAt(i);
            lines.append(block.text().mid(line.textStart(), line.textLength()));
        }
    }
    return lines;
}

QList<std::pair<QUrl, QRect>> MessageText::linkRects() const
{
    QList<std::pair<QUrl, QRect>> rects;
    if (!m_document) {
        return rects;
    }
    const auto links = findLinks(m_document->toPlainText());
    for (const Link& link : links) {
        const QTextBlock block = m_document->findBlock(static_cast<int>(link.start));
        const QTextLayout* layout = block.layout();
        const int start = static_cast<int>(link.start) - block.position();
        const QTextLine line = layout->lineForTextPosition(start);
        const int end
            = std::min(start + static_cast<int>(link.length), line.textStart() + line.textLength());
        const qreal left = line.cursorToX(start);
        const qreal right = line.cursorToX(end);
        const QRectF rect
            = QRectF(left, line.y(), right - left, line.height()).translated(layout->position());
        rects.append({ link.url, rect.toAlignedRect() });
    }
    return rects;
}

QList<MessageText::Link> MessageText::findLinks(const QString& text)
{
    // A link runs from its scheme (or "www.") to the next space or character that cannot
    // be part of one; punctuation that ends a sentence is not part of it.
    static const QRegularExpression pattern(
        QStringLiteral(R"(\b(?:https?://|www\.|mailto:)[^\s<>"]+)"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    QList<Link> links;
    auto it = pattern.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        QString candidate = match.captured();
        while (!candidate.isEmpty()) {
            const QChar last = candidate.back();
            const bool closes
                = last == QLatin1Char(')') || last == QLatin1Char(']') || last == QLatin1Char('}');
            // "(see https://en.wikipedia.org/wiki/Foo_(bar))": keep a bracket the link opened.
            const QChar opening = last == QLatin1Char(')') ? QLatin1Char('(')
                : last == QLatin1Char(']')                 ? QLatin1Char('[')
                                                           : QLatin1Char('{');
            if (closes && candidate.count(opening) >= candidate.count(last)) {
                break;
            }
            if (!closes && !QStringView(u".,;:!?'").contains(last)) {
                break;
            }
            candidate.chop(1);
        }
        const bool www = candidate.startsWith(QLatin1StringView("www."), Qt::CaseInsensitive);
        const QUrl url(www ? QStringLiteral("https://") + candidate : candidate, QUrl::StrictMode);
        const bool mail
            = url.scheme().compare(QLatin1StringView("mailto"), Qt::CaseInsensitive) == 0;
        if (!url.isValid() || (mail ? url.path().isEmpty() : url.host().isEmpty())) {
            continue;
        }
        links.append({ match.capturedStart(), candidate.size(), url });
    }
    return links;
}

void MessageText::fill(QTextDocument* document, const QString& text, const QFont& font,
    const QColor& ink, const QColor& linkInk)
{
    document->clear();
    document->setUndoRedoEnabled(false);
    document->setDocumentMargin(0);
    document->setDefaultFont(font);
    QTextOption option = document->defaultTextOption();
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    document->setDefaultTextOption(option);

    QTextCharFormat plain;
    if (ink.isValid()) {
        plain.setForeground(ink);
    }
    const QString normalised = normalisedBreaks(text);
    QTextCursor cursor(document);
    qsizetype at = 0;
    // Inserted as text, piece by piece: nothing in a message is ever read as markup.
    const auto links = findLinks(normalised);
    for (const Link& link : links) {
        cursor.insertText(normalised.mid(at, link.start - at), plain);
        QTextCharFormat anchor = plain;
        anchor.setAnchor(true);
        anchor.setAnchorHref(link.url.toString(QUrl::FullyEncoded));
        anchor.setFontUnderline(true);
        if (linkInk.isValid()) {
            anchor.setForeground(linkInk);
        }
        cursor.insertText(normalised.mid(link.start, link.length), anchor);
        at = link.start + link.length;
    }
    cursor.insertText(normalised.mid(at), plain);
}

QColor MessageText::linkColour(const QColor& paletteLink, const QColor& bubble, const QColor& ink)
{
    // 4.5: WCAG AA for body text.
    return contrast(paletteLink, bubble) >= 4.5 ? paletteLink : ink;
}

} // namespace cpm::ui
