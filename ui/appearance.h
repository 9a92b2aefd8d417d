// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Light, dark or the system's palette (DSK-1), and the keys the settings use. The theme is
// a user preference (CON-1): set on one device, every device follows. Notifications and the
// language are this device's own: a phone stays audible when the laptop is silenced.

#include <QPalette>
#include <QString>

namespace cpm {
class Client;
}

namespace cpm::ui {

namespace pref {
inline constexpr QLatin1StringView Theme { "ui.theme" }; //!< system, light, dark (account)
inline constexpr QLatin1StringView Language { "ui.language" }; //!< system, en, de, fr (device)
inline constexpr QLatin1StringView Notifications { "notify.messages" }; //!< on, off (device)
} // namespace pref

//! This device's choice for \a key; before the device chose, what the account had (older
//! versions kept these settings account-wide); empty when neither is readable or set.
QString deviceChoice(const Client& client, QLatin1StringView key);

QPalette lightPalette();
QPalette darkPalette();
//! Applies "light", "dark" or (anything else) the palette the application started with.
void applyTheme(const QString& theme);

} // namespace cpm::ui
