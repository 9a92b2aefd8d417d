// SPDX-License-Identifier: GPL-3.0-or-later
#include "emptyhint.h"

#include <QAbstractItemView>
#include <QEvent>

namespace cpm::ui {

EmptyHint::EmptyHint(QAbstractItemView* view, const QString& text)
    : QLabel(text, view->viewport())
    , m_view(view)
{
    setObjectName(QStringLiteral("emptyHint"));
    setWordWrap(true);
    setAlignment(Qt::AlignCenter);
    setTextFormat(Qt::PlainText);
    setForegroundRole(QPalette::PlaceholderText);
    setAttribute(Qt::WA_TransparentForMouseEvents);
    view->viewport()->installEventFilter(this);
    QAbstractItemModel* model = view->model();
    Q_ASSERT(model); // set the model first
    connect(model, &QAbstractItemModel::modelReset, this, &EmptyHint::update);
    connect(model, &QAbstractItemModel::rowsInserted, this, &EmptyHint::update);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &EmptyHint::update);
    connect(model, &QAbstractItemModel::layoutChanged, this, &EmptyHint::update);
    update();
}

EmptyHint::~EmptyHint() = default;

void EmptyHint::update()
{
    const bool empty = m_view->model() && m_view->model()->rowCount() == 0;
    setVisible(empty && !text().isEmpty());
    place();
}

void EmptyHint::place()
{
    const QRect area = m_view->viewport()->rect().adjusted(24, 24, -24, -24);
    setGeometry(area);
}

bool EmptyHint::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize) {
        place();
    }
    return QLabel::eventFilter(watched, event);
}

} // namespace cpm::ui
