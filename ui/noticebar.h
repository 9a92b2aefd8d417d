// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace cpm::ui {

/*!
 * A strip across the top of the main window for what the user must not miss and should
 * not have to answer at once: a damaged local database that was set aside, storage that
 * is full. It stays until dismissed (Dismiss, or Escape while it has focus), unlike a
 * status-bar message that is gone in seconds. Showing the same text again is harmless.
 */
class NoticeBar final : public QFrame {
    Q_OBJECT

public:
    explicit NoticeBar(QWidget* parent = nullptr);

    void showNotice(const QString& text);
    QString text() const;

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    QLabel* m_icon;
    QLabel* m_text;
    QToolButton* m_dismiss;
};

} // namespace cpm::ui
