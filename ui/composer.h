// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The message composer: an optional subject and multi-line text that grows as it is
// written. Enter sends, Shift+Enter starts a new line.

#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace cpm::ui {

class Composer final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Composer)

public:
    explicit Composer(QWidget* parent = nullptr);
    ~Composer() override;

    QPlainTextEdit* textEdit() const { return m_text; }
    void clear();
    //! In a chat session there is no subject: the field goes and the hint says where the
    //! text goes.
    void setSessionMode(bool session);

Q_SIGNALS:
    void sendRequested(const QString& subject, const QString& body);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void submit();
    void updateButton();
    //! As tall as the text, from MinLines to MaxLines; past that it scrolls.
    void fitHeight();

    static constexpr int MinLines = 2;
    static constexpr int MaxLines = 10;

    QLineEdit* m_subject;
    QPlainTextEdit* m_text;
    QPushButton* m_send;
};

} // namespace cpm::ui
