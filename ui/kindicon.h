// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Small line-drawn icons for device kinds and the application, painted in the palette's
// colours so they read well in light and dark themes without an icon theme or SVG.

#include <QIcon>

namespace cpm::ui {

//! laptop, mobile, fixed, tablet or desktop, drawn in \a color.
QIcon kindIcon(const QString& kind, const QColor& color);
//! The application's icon: a speech bubble, with \a unread drawn as a badge when > 0 and,
//! when \a kind is given, that device kind in a corner (windows of several devices side by
//! side, QA-1, differ in the taskbar and the tray).
QIcon appIcon(int unread = 0, const QString& kind = {});
//! The human name of a device kind ("Laptop", "Mobile phone", …).
QString kindName(const QString& kind);

} // namespace cpm::ui
