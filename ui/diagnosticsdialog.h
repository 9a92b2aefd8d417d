// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The diagnostics view (QA-2): what a QA engineer needs to tell devices apart and see
// where one stands — connection, server, device and instance id, sync position against
// the server's head, outbox size, where the profile key is kept, the last errors, and how
// the user's recent messages went by e-mail or SMS (MSG-8). It refreshes itself while open
// and copies as plain text for bug reports.

#include <QDialog>
#include <QPointer>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QTimer;

namespace cpm {
class Client;
namespace protocol {
struct LegacyDelivery;
}
} // namespace cpm

namespace cpm::ui {

class DiagnosticsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiagnosticsDialog)

public:
    explicit DiagnosticsDialog(Client* client, QWidget* parent = nullptr);
    ~DiagnosticsDialog() override;

    //! Everything shown, as "label: value" lines.
    QString text() const;
    //! One line of the e-mail/SMS list, as shown.
    static QString describe(const protocol::LegacyDelivery& delivery);

private:
    void refresh();
    //! Asks the server for the e-mail/SMS deliveries (every few seconds while open).
    void refreshLegacy();

    Client* m_client;
    QList<std::pair<QLabel*, QLabel*>> m_rows;
    QPlainTextEdit* m_errors;
    QPlainTextEdit* m_legacy;
    QTimer* m_timer;
    int m_ticks = 0;
    bool m_legacyAsked = false; //!< an answer is awaited
};

} // namespace cpm::ui
