// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Text this app puts on the clipboard, remembered so that a guest's sign-out can take it
// away again (GST-4) without touching what the person copied from another program.

#include <QString>

namespace cpm::ui::AppClipboard {

//! Puts \a text on the clipboard and remembers it as the app's.
void setText(const QString& text);
/*!
 * Clears the clipboard when it still holds text this app put there: the last text given to
 * setText(), or anything while the platform says this process owns the clipboard (a copy
 * from a text field). Does the same for the X11 selection. Anything else is left alone.
 * True when something was cleared.
 */
bool clearIfOurs();

} // namespace cpm::ui::AppClipboard
