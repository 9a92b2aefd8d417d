// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Light, dark or the system's palette (DSK-1), and the preference keys the settings use.
// Appearance is a user preference (CON-1): set on one device, every device follows.

#include <QPalette>
#include <QString>

namespace cpm::ui {

namespace pref {
inline constexpr QLatin1StringView Theme { "ui.theme" }; //!< system, light, dark
inline constexpr QLatin1StringView Language { "ui.language" }; //!< system, en, de, fr
inline constexpr QLatin1StringView Notifications { "notify.messages" }; //!< on, off
} // namespace pref

QPalette lightPalette();
QPalette darkPalette();
//! Applies "light", "dark" or (anything else) the palette the application started with.
void applyTheme(const QString& theme);

} // namespace cpm::ui
