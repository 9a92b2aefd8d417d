// SPDX-License-Identifier: GPL-3.0-or-later
#include "historychoicewidget.h"

#include <QGridLayout>
#include <QRadioButton>
#include <QSpinBox>

namespace cpm::ui {

using Kind = protocol::HistoryChoice::Kind;

HistoryChoiceWidget::HistoryChoiceWidget(QWidget* parent)
    : QGroupBox(tr("Bring along"), parent)
    , m_none(new QRadioButton(tr("&Nothing"), this))
    , m_session(new QRadioButton(tr("This &session's messages"), this))
    , m_last(new QRadioButton(tr("The &last"), this))
    , m_count(new QSpinBox(this))
    , m_all(new QRadioButton(tr("The &whole conversation"), this))
{
    setObjectName(QStringLiteral("historyChoice"));
    m_none->setObjectName(QStringLiteral("historyNone"));
    m_session->setObjectName(QStringLiteral("historySession"));
    m_last->setObjectName(QStringLiteral("historyLast"));
    m_count->setObjectName(QStringLiteral("historyCount"));
    m_all->setObjectName(QStringLiteral("historyAll"));
    m_count->setRange(1, 10000);
    m_count->setValue(50);
    m_count->setSuffix(tr(" messages"));
    m_count->setAccessibleName(tr("How many of the newest messages"));
    m_count->setEnabled(false);
    connect(m_last, &QRadioButton::toggled, m_count, &QSpinBox::setEnabled);
    // Typing a number means "the last N": choose that line for the person.
    connect(m_count, &QSpinBox::valueChanged, this, [this] { m_last->setChecked(true); });

    auto* layout = new QGridLayout(this);
    layout->addWidget(m_none, 0, 0, 1, 2);
    layout->addWidget(m_session, 1, 0, 1, 2);
    layout->addWidget(m_last, 2, 0);
    layout->addWidget(m_count, 2, 1, Qt::AlignLeft);
    layout->addWidget(m_all, 3, 0, 1, 2);
    layout->setColumnStretch(1, 1);
    m_session->setChecked(true);
}

HistoryChoiceWidget::~HistoryChoiceWidget() = default;

protocol::HistoryChoice HistoryChoiceWidget::choice() const
{
    protocol::HistoryChoice c;
    if (m_none->isChecked()) {
        c.kind = Kind::None;
    } else if (m_last->isChecked()) {
        c.kind = Kind::Last;
        c.count = m_count->value();
    } else if (m_all->isChecked()) {
        c.kind = Kind::All;
    } else {
        c.kind = Kind::Session;
    }
    return c;
}

void HistoryChoiceWidget::setChoice(const protocol::HistoryChoice& choice)
{
    switch (choice.kind) {
    case Kind::None:
        m_none->setChecked(true);
        break;
    case Kind::Session:
        m_session->setChecked(true);
        break;
    case Kind::Last:
        m_count->setValue(std::max(1, choice.count));
        m_last->setChecked(true);
        break;
    case Kind::All:
        m_all->setChecked(true);
        break;
    }
}

} // namespace cpm::ui
