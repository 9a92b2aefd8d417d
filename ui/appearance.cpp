// SPDX-License-Identifier: GPL-3.0-or-later
#include "appearance.h"

#include "client.h"

#include <QApplication>
#include <QStyle>

namespace cpm::ui {

QPalette lightPalette()
{
    QPalette p = QApplication::style()->standardPalette();
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xe9, 0xeb, 0xee));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, QColor(0x1f, 0x21, 0x24));
    p.setColor(QPalette::AlternateBase, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9c, 0xa0));
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Light, QColor(0x4a, 0x4c, 0x50));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x42, 0x46));
    p.setColor(QPalette::Mid, QColor(0x30, 0x32, 0x36));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1e));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x8e, 0xc1, 0xff));
    p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    for (const auto role :
        { QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::PlaceholderText }) {
        p.setColor(QPalette::Disabled, role, QColor(0x7a, 0x7c, 0x80));
    }
    return p;
}

void applyTheme(const QString& theme)
{
    // The palette the platform gave us at start is "the system's"; keep it to go back to.
    static const QPalette systemPalette = QApplication::palette();
    if (theme == QLatin1StringView("dark")) {
        QApplication::setPalette(darkPalette());
    } else if (theme == QLatin1StringView("light")) {
        QApplication::setPalette(lightPalette());
    } else {
        QApplication::setPalette(systemPalette);
    }
}

QString deviceChoice(const Client& client, QLatin1StringView key)
{
    const QString own = client.deviceSetting(key).valueOr({});
    if (!own.isNull()) {
        return own;
    }
    return client.prefs().valueOr({}).value(key).toString();
}

} // namespace cpm::ui
