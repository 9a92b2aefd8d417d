// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The diagnostics view (QA-2): what a QA engineer needs to tell devices apart and see
// where one stands — connection, server, device and instance id, sync position against
// the server's head, outbox size, where the profile key is kept, the last errors. It
// refreshes itself while open and copies as plain text for bug reports.

#include <QDialog>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QTimer;

namespace cpm {
class Client;
}

namespace cpm::ui {

class DiagnosticsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiagnosticsDialog)

public:
    explicit DiagnosticsDialog(Client* client, QWidget* parent = nullptr);
    ~DiagnosticsDialog() override;

    //! Everything shown, as "label: value" lines.
    QString text() const;

private:
    void refresh();

    Client* m_client;
    QList<std::pair<QLabel*, QLabel*>> m_rows;
    QPlainTextEdit* m_errors;
    QTimer* m_timer;
};

} // namespace cpm::ui
