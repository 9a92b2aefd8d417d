// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The text of a message laid out as its bubble shows it: plain text (never HTML from a
// message), wrapped at word boundaries and inside a word only where the word is longer
// than the line, with web and mail links underlined. Measuring, painting and finding the
// link under the mouse all use this one layout, and the text selector opened over a
// bubble fills its document with fill(), so it breaks the lines exactly where the
// painted text does.

#include <QColor>
#include <QFont>
#include <QList>
#include <QRect>
#include <QStringList>
#include <QUrl>

#include <memory>

class QPainter;
class QTextDocument;

namespace cpm::ui {

class MessageText final {
public:
    //! A link in a text: the characters it covers and where it goes.
    struct Link {
        qsizetype start = 0;
        qsizetype length = 0;
        QUrl url;
    };

    MessageText() = default;
    //! Lays \a text out in \a font, at most \a maxWidth pixels wide; \a ink for the text,
    //! \a linkInk for links.
    MessageText(const QString& text, const QFont& font, int maxWidth, const QColor& ink = {},
        const QColor& linkInk = {});

    bool isEmpty() const { return !m_document; }
    //! The width of the longest line and the height of all lines, rounded up.
    QSize size() const;
    //! Draws the text with its top left corner at \a topLeft.
    void draw(QPainter* painter, const QPoint& topLeft) const;
    //! The link at \a pos (relative to the text's top left corner), or an empty URL.
    QUrl linkAt(const QPointF& pos) const;
    //! The position in the text nearest to \a pos (relative to the top left corner).
    int positionAt(const QPointF& pos) const;
    //! The text of each line as laid out (what the user sees on each line).
    QStringList lines() const;
    //! Where the first line of each link is drawn (relative to the text's top left corner).
    QList<std::pair<QUrl, QRect>> linkRects() const;

    //! The http://, https://, www. and mailto: links in \a text; www. goes to https://.
    static QList<Link> findLinks(const QString& text);
    //! Replaces \a document's content with \a text as plain text in \a font, links as
    //! anchors, wrapping as a bubble does (no margin, at word boundaries or anywhere).
    static void fill(QTextDocument* document, const QString& text, const QFont& font,
        const QColor& ink, const QColor& linkInk);
    //! The colour for links on a bubble of colour \a bubble whose text is \a ink: the
    //! palette's link colour where it is readable there, else the text's own colour
    //! (links stay underlined either way).
    static QColor linkColour(const QColor& paletteLink, const QColor& bubble, const QColor& ink);

private:
    std::shared_ptr<QTextDocument> m_document; // shared: a layout is passed around by value
};

} // namespace cpm::ui
