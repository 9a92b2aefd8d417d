// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingsdialog.h"

#include "appearance.h"
#include "client.h"
#include "errortext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPointer>
#include <QVBoxLayout>

namespace cpm::ui {

SettingsDialog::SettingsDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_notifications(new QCheckBox(tr("Show a desktop &notification for new messages"), this))
    , m_theme(new QComboBox(this))
    , m_language(new QComboBox(this))
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
