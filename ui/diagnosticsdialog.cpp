// SPDX-License-Identifier: GPL-3.0-or-later
#include "diagnosticsdialog.h"

#include "appclipboard.h"
#include "client.h"
#include "errortext.h"
#include "model.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace cpm::ui {

namespace {
QString stateText(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Disconnected:
        return DiagnosticsDialog::tr("disconnected (reconnecting)");
    case ConnectionState::Connecting:
        return DiagnosticsDialog::tr("connecting");
    case ConnectionState::Syncing:
        return DiagnosticsDialog::tr("synchronizing");
    case ConnectionState::Online:
        return DiagnosticsDialog::tr("online");
    case ConnectionState::SignedOut:
        return DiagnosticsDialog::tr("signed out");
    }
    return {};
}
} // namespace

DiagnosticsDialog::DiagnosticsDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_errors(new QPlainTextEdit(this))
    , m_legacy(new QPlainTextEdit(this))
    , m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("diagnosticsDialog"));
    setWindowTitle(tr("Diagnostics — %1 — %2").arg(client->address(), client->deviceName()));
    auto* form = new QFormLayout;
    const QString labels[] = { tr("Connection:"), tr("Server:"), tr("Server version:"),
        tr("Address:"), tr("Device:"), tr("Device id:"), tr("Instance id:"), tr("Sync position:"),
        tr("Outbox:"), tr("Profile key:"), tr("Profile directory:") };
    for (const QString& label : labels) {
        auto* name = new QLabel(label, this);
        auto* value = new QLabel(this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        value->setWordWrap(true);
        form->addRow(name, value);
        m_rows.append(std::make_pair(name, value));
    }
    m_errors->setReadOnly(true);
    m_errors->setAccessibleName(tr("Last errors"));
    m_errors->setPlaceholderText(tr("No errors."));
    m_legacy->setObjectName(QStringLiteral("legacyDeliveries"));
    m_legacy->setReadOnly(true);
    m_legacy->setAccessibleName(tr("Deliveries by e-mail or SMS"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy as text"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this, [this] { AppClipboard::setText(text()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Last errors:"), this));
    layout->addWidget(m_errors, 1);
    layout->addWidget(new QLabel(tr("Deliveries by e-mail or SMS:"), this));
    layout->addWidget(m_legacy, 1);
    layout->addWidget(buttons);
    resize(640, 560);

    refresh();
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &DiagnosticsDialog::refresh);
    m_timer->start();
}

DiagnosticsDialog::~DiagnosticsDialog() = default;

QString DiagnosticsDialog::describe(const protocol::LegacyDelivery& d)
{
    const QString network = d.network == QLatin1StringView("sms") ? tr("by SMS") : tr("by e-mail");
    const QString who = d.outgoing
        ? tr("message %1 you sent, %2").arg(d.messageId).arg(network)
        : tr("message %1 to you, %2 to %3").arg(d.messageId).arg(network, d.address);
    QString state;
    if (d.state == QLatin1StringView("sent")) {
        state = tr("delivered");
    } else if (d.state == QLatin1StringView("failed")) {
        state = tr("failed");
    } else if (d.state == QLatin1StringView("cancelled")) {
        state = tr("not needed: read on CPM");
    } else {
        state = tr("waiting");
    }
    QString line
        = QLocale().toString(QDateTime::fromMSecsSinceEpoch(d.created), QLocale::ShortFormat)
        + QStringLiteral("  ") + who + QStringLiteral(": ") + state + QStringLiteral(", ")
        + tr("attempts: %1").arg(d.attempts);
    if (!d.lastError.isEmpty()) {
        line += QStringLiteral(" — ") + tr("last error: %1").arg(d.lastError);
    }
    return line;
}

void DiagnosticsDialog::refreshLegacy()
{
    if (m_legacyAsked) {
        return;
    }
    if (m_client->state() != ConnectionState::Online) {
        m_legacy->setPlaceholderText(tr("Shown when connected."));
        m_legacy->clear();
        return;
    }
    m_legacyAsked = true;
    const QPointer<DiagnosticsDialog> self(this);
    m_client->legacyDeliveries(
        [self](const Error& error, const QList<protocol::LegacyDelivery>& list) {
            if (!self) {
                return;
            }
            self->m_legacyAsked = false;
            if (!error.isNull()) {
                self->m_legacy->clear();
                self->m_legacy->setPlaceholderText(
                    tr("Cannot ask the server: %1").arg(ErrorText::forAction(error)));
                return;
            }
            self->m_legacy->setPlaceholderText(
                tr("None of your recent messages went by e-mail or SMS."));
            QStringList lines;
            for (const protocol::LegacyDelivery& d : list) {
                lines.append(describe(d));
            }
            const QString joined = lines.join(QLatin1Char('\n'));
            if (self->m_legacy->toPlainText() != joined) {
                self->m_legacy->setPlainText(joined);
            }
        });
}

void DiagnosticsDialog::refresh()
{
    constexpr int LegacyEveryTicks = 5; // the server is asked every 5 s, the rest is local
    if (m_ticks++ % LegacyEveryTicks == 0) {
        refreshLegacy();
    }
    const Diagnostics d = m_client->diagnostics();
    const QString values[] = {
        stateText(d.state),
        d.serverUrls.size() > 1 ? tr("%1 (server %2 of %3)")
                                      .arg(d.serverUrl.toDisplayString())
                                      .arg(d.serverUrls.indexOf(d.serverUrl) + 1)
                                      .arg(d.serverUrls.size())
                                : d.serverUrl.toDisplayString(),
        d.serverVersion.isEmpty() ? tr("not connected yet") : d.serverVersion,
        d.address,
        d.deviceName,
        QString::number(d.deviceId),
        d.instanceId,
        tr("%1 of %2").arg(d.syncPosition).arg(d.serverHead),
        tr("%1 waiting").arg(d.outboxSize),
        d.keyStorage == QLatin1StringView("keyring") ? tr("desktop keyring")
                                                     : tr("key file in the profile (0600)"),
        d.profileDir,
    };
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        m_rows[i].second->setText(values[i]);
    }
    QStringList errors;
    if (!d.recoveredStore.isEmpty()) {
        errors.append(tr("A damaged local database was set aside as %1").arg(d.recoveredStore));
    }
    for (const Error& e : d.lastErrors) {
        errors.append(e.name() + QStringLiteral(": ") + e.message);
    }
    const QString joined = errors.join(QLatin1Char('\n'));
    if (m_errors->toPlainText() != joined) {
        m_errors->setPlainText(joined);
    }
}

QString DiagnosticsDialog::text() const
{
    QStringList lines;
    for (const auto& [name, value] : m_rows) {
        lines.append(name->text() + QLatin1Char(' ') + value->text());
    }
    lines.append(tr("Last errors:"));
    lines.append(m_errors->toPlainText());
    lines.append(tr("Deliveries by e-mail or SMS:"));
    lines.append(m_legacy->toPlainText());
    return lines.join(QLatin1Char('\n'));
}

} // namespace cpm::ui
