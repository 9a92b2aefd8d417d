// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What to do next, said in the middle of a list while it is empty: a first conversation
// list, a conversation with no messages yet, no contacts. It follows the view's model and
// size by itself; views that can be empty for several reasons change its text.

#include <QLabel>

class QAbstractItemView;

namespace cpm::ui {

class EmptyHint final : public QLabel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmptyHint)

public:
    EmptyHint(QAbstractItemView* view, const QString& text);
    ~EmptyHint() override;

    //! Shown when the view's model has no rows (and there is a text to show).
    void update();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void place();

    QAbstractItemView* m_view;
};

} // namespace cpm::ui
