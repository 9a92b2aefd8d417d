// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What history a chat session brings to the device it moves to (SES-6, SES-7): nothing,
// this session's messages, the last N messages, or the whole conversation. Shared by
// "Move to…" and "Continue here".

#include "types.h"

#include <QGroupBox>

class QRadioButton;
class QSpinBox;

namespace cpm::ui {

class HistoryChoiceWidget final : public QGroupBox {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryChoiceWidget)

public:
    explicit HistoryChoiceWidget(QWidget* parent = nullptr);
    ~HistoryChoiceWidget() override;

    protocol::HistoryChoice choice() const;
    void setChoice(const protocol::HistoryChoice& choice);

private:
    QRadioButton* m_none;
    QRadioButton* m_session;
    QRadioButton* m_last;
    QSpinBox* m_count;
    QRadioButton* m_all;
};

} // namespace cpm::ui
