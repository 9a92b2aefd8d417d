// SPDX-License-Identifier: GPL-3.0-or-later
#include "appclipboard.h"

#include <QClipboard>
#include <QGuiApplication>

namespace cpm::ui::AppClipboard {

namespace {
//! Held in memory only, like everything else of the session it came from.
QString& lastText()
{
    static QString text;
    return text;
}
} // namespace

void setText(const QString& text)
{
    lastText() = text;
    QGuiApplication::clipboard()->setText(text);
}

bool clearIfOurs()
{
    QClipboard* clipboard = QGuiApplication::clipboard();
    bool cleared = false;
    const QString last = std::exchange(lastText(), QString());
    // Only exactly the text put there: the person may have copied something else since.
    if (clipboard->ownsClipboard() || (!last.isEmpty() && clipboard->text() == last)) {
        clipboard->clear(QClipboard::Clipboard);
        cleared = true;
    }
    // Text selected in one of our windows is offered to middle-click paste (X11).
    if (clipboard->supportsSelection() && clipboard->ownsSelection()) {
        clipboard->clear(QClipboard::Selection);
        cleared = true;
    }
    return cleared;
}

} // namespace cpm::ui::AppClipboard
