// SPDX-License-Identifier: GPL-3.0-or-later
#include "diagnosticsdialog.h"

#include "appclipboard.h"
#include "client.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
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

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy as text"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this, [this] { AppClipboard::setText(text()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Last errors:"), this));
    layout->addWidget(m_errors, 1);
    layout->addWidget(buttons);
    resize(600, 460);

    refresh();
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &DiagnosticsDialog::refresh);
    m_timer->start();
}

DiagnosticsDialog::~DiagnosticsDialog() = default;

void DiagnosticsDialog::refresh()
{
    const Diagnostics d = m_client->diagnostics();
    const QString values[] = {
        stateText(d.state),
        d.serverUrl.toDisplayString(),
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
    return lines.join(QLatin1Char('\n'));
}

} // namespace cpm::ui
