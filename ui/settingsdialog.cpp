// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingsdialog.h"

#include "appearance.h"
#include "client.h"
#include "errortext.h"
#include "protocol.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QVBoxLayout>

namespace cpm::ui {

SettingsDialog::SettingsDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_notifications(new QCheckBox(tr("Show a desktop &notification for new messages"), this))
    , m_theme(new QComboBox(this))
    , m_language(new QComboBox(this))
    , m_whenAway(new QComboBox(this))
    , m_legacyEmail(new QLineEdit(this))
    , m_legacyPhone(new QLineEdit(this))
    , m_note(new QLabel(this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    m_notifications->setObjectName(QStringLiteral("notifications"));
    m_theme->setObjectName(QStringLiteral("theme"));
    m_language->setObjectName(QStringLiteral("language"));
    m_theme->addItem(tr("Follow the system"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setAccessibleName(tr("Theme"));
    m_language->addItem(tr("System language"), QStringLiteral("system"));
    // Language names are shown in their own language so anyone can find theirs.
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->addItem(QStringLiteral("Français"), QStringLiteral("fr"));
    m_language->setAccessibleName(tr("Language"));
    m_note->setObjectName(QStringLiteral("settingsNote"));
    m_note->setWordWrap(true);

    // Which settings follow the account is said where they are, not in a footnote.
    auto* device = new QGroupBox(tr("This device (%1)").arg(client->deviceName()), this);
    device->setObjectName(QStringLiteral("deviceSettings"));
    auto* deviceForm = new QFormLayout(device);
    deviceForm->addRow(m_notifications);
    deviceForm->addRow(tr("&Language:"), m_language);
    auto* deviceNote
        = new QLabel(tr("Only here. A new language is used the next time CPM starts."), device);
    deviceNote->setWordWrap(true);
    deviceForm->addRow(deviceNote);
    auto* account = new QGroupBox(tr("All your devices"), this);
    account->setObjectName(QStringLiteral("accountSettings"));
    auto* accountForm = new QFormLayout(account);
    accountForm->addRow(tr("&Theme:"), m_theme);
    auto* accountNote = new QLabel(
        tr("Kept with your account: your other devices follow a change made here."), account);
    accountNote->setWordWrap(true);
    accountForm->addRow(accountNote);

    // Seed 000: what the server does while none of your devices is connected.
    namespace wire = protocol::pref;
    m_whenAway->setObjectName(QStringLiteral("whenAway"));
    m_whenAway->addItem(tr("Keep them until a device is back"), QString(wire::WhenAwayKeep));
    m_whenAway->addItem(tr("Also send them by e-mail or SMS"), QString(wire::WhenAwayLegacy));
    m_whenAway->addItem(tr("Also send them by e-mail or SMS, and notify them here again"),
        QString(wire::WhenAwayBoth));
    m_whenAway->setAccessibleName(tr("Messages while you are away"));
    m_legacyEmail->setObjectName(QStringLiteral("legacyEmail"));
    m_legacyEmail->setPlaceholderText(tr("name@example.com"));
    m_legacyPhone->setObjectName(QStringLiteral("legacyPhone"));
    m_legacyPhone->setPlaceholderText(tr("+4915112345678"));
    accountForm->addRow(tr("&When away:"), m_whenAway);
    accountForm->addRow(tr("&E-mail address:"), m_legacyEmail);
    accountForm->addRow(tr("&Phone for SMS:"), m_legacyPhone);
    auto* awayNote = new QLabel(tr("Away means no device of yours is connected. E-mail and SMS "
                                   "are used only where your operator offers them and your "
                                   "phone is registered in that network."),
        account);
    awayNote->setWordWrap(true);
    accountForm->addRow(awayNote);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(device);
    layout->addWidget(account);
    layout->addWidget(m_note);
    layout->addStretch();
    layout->addWidget(buttons);
    setMinimumWidth(460);

    load();
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_notifications, &QCheckBox::toggled, this, [this](bool on) {
        saveHere(pref::Notifications, on ? QStringLiteral("on") : QStringLiteral("off"));
    });
    connect(m_theme, &QComboBox::activated, this, [this](int i) {
        const QString theme = m_theme->itemData(i).toString();
        applyTheme(theme);
        save(pref::Theme, theme);
    });
    connect(m_language, &QComboBox::activated, this,
        [this](int i) { saveHere(pref::Language, m_language->itemData(i).toString()); });
    connect(m_whenAway, &QComboBox::activated, this, [this](int i) {
        save(QString(protocol::pref::WhenAway), m_whenAway->itemData(i).toString());
    });
    connect(m_legacyEmail, &QLineEdit::editingFinished, this,
        [this] { save(QString(protocol::pref::LegacyEmail), m_legacyEmail->text().trimmed()); });
    connect(m_legacyPhone, &QLineEdit::editingFinished, this,
        [this] { save(QString(protocol::pref::LegacyPhone), m_legacyPhone->text().remove(u' ')); });
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::load()
{
    const Result<QVariantMap> read = m_client->prefs();
    if (!read) {
        m_note->setText(ErrorText::forAction(read.error()));
        return;
    }
    const QVariantMap& prefs = *read;
    m_notifications->setChecked(
        deviceChoice(*m_client, pref::Notifications) != QLatin1StringView("off"));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(prefs.value(pref::Theme).toString())));
    m_language->setCurrentIndex(
        std::max(0, m_language->findData(deviceChoice(*m_client, pref::Language))));
    m_whenAway->setCurrentIndex(std::max(
        0, m_whenAway->findData(prefs.value(QString(protocol::pref::WhenAway)).toString())));
    m_legacyEmail->setText(prefs.value(QString(protocol::pref::LegacyEmail)).toString());
    m_legacyPhone->setText(prefs.value(QString(protocol::pref::LegacyPhone)).toString());
}

void SettingsDialog::saveHere(const QString& key, const QString& value)
{
    if (const Result<void> saved = m_client->setDeviceSetting(key, value); !saved) {
        m_note->setText(ErrorText::forAction(saved.error()));
    }
}

void SettingsDialog::save(const QString& key, const QString& value)
{
    m_client->setPref(
        key, value, [this, guard = QPointer<SettingsDialog>(this)](const Error& error) {
            if (guard && !error.isNull()) {
                m_note->setText(ErrorText::forAction(error));
            }
        });
}

} // namespace cpm::ui
