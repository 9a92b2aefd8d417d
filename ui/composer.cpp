// SPDX-License-Identifier: GPL-3.0-or-later
#include "composer.h"

#include "argreader.h"
#include "protocol.h"

#include <QAbstractTextDocumentLayout>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextDocument>

#include <algorithm>

namespace cpm::ui {

Composer::Composer(QWidget* parent)
    : QWidget(parent)
    , m_subject(new QLineEdit(this))
    , m_text(new QPlainTextEdit(this))
    , m_send(new QPushButton(tr("Send"), this))
{
    m_subject->setPlaceholderText(tr("Subject (optional)"));
    m_subject->setAccessibleName(tr("Subject"));
    // The limit counts characters (an emoji is one, two UTF-16 units): QLineEdit counts
    // units, so it gets room for the worst case and the text is cut to the limit.
    m_subject->setMaxLength(static_cast<int>(2 * protocol::limits::MaxSubjectChars));
    connect(m_subject, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (protocol::characterCount(text) > protocol::limits::MaxSubjectChars) {
            const int cursor = m_subject->cursorPosition();
            m_subject->setText(protocol::leftCharacters(text, protocol::limits::MaxSubjectChars));
            m_subject->setCursorPosition(std::min(cursor, int(m_subject->text().size())));
        }
    });
    m_subject->setObjectName(QStringLiteral("subject"));
    m_text->setPlaceholderText(tr("Write a message — Enter sends, Shift+Enter adds a line"));
    m_text->setAccessibleName(tr("Message text"));
    m_text->setTabChangesFocus(true);
    m_text->setObjectName(QStringLiteral("messageText"));
    fitHeight();
    m_send->setAccessibleName(tr("Send message"));
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setToolTip(tr("Send (Enter)"));

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(m_subject, 0, 0, 1, 2);
    layout->addWidget(m_text, 1, 0);
    layout->addWidget(m_send, 1, 1, Qt::AlignBottom);

    m_text->installEventFilter(this);
    connect(m_send, &QPushButton::clicked, this, &Composer::submit);
    connect(m_text, &QPlainTextEdit::textChanged, this, &Composer::updateButton);
    // Grows with what is written (also as a wider window re-wraps it), up to a limit.
    connect(m_text->document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged,
        this, &Composer::fitHeight);
    updateButton();
}

Composer::~Composer() = default;

void Composer::clear()
{
    m_subject->clear();
    m_text->clear();
}

void Composer::setSessionMode(bool session)
{
    m_subject->setVisible(!session);
    m_text->setPlaceholderText(session
            ? tr("Say something in the chat session — Enter sends, Shift+Enter adds a line")
            : tr("Write a message — Enter sends, Shift+Enter adds a line"));
}

bool Composer::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_text && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && !(key->modifiers() & Qt::ShiftModifier)) {
            submit();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void Composer::submit()
{
    const QString body = m_text->toPlainText().trimmed();
    if (body.isEmpty()) {
        return;
    }
    Q_EMIT sendRequested(m_subject->isHidden() ? QString() : m_subject->text().trimmed(), body);
}

void Composer::fitHeight()
{
    // A plain text layout measures its height in lines, wrapped lines included.
    const int lines = std::clamp(int(m_text->document()->size().height()), MinLines, MaxLines);
    const QMargins margins = m_text->contentsMargins();
    const int height = m_text->fontMetrics().lineSpacing() * lines
        + int(2 * m_text->document()->documentMargin()) + margins.top() + margins.bottom() + 2;
    if (m_text->height() != height) {
        m_text->setFixedHeight(height);
    }
}

void Composer::updateButton() { m_send->setEnabled(!m_text->toPlainText().trimmed().isEmpty()); }

} // namespace cpm::ui
