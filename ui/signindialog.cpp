// SPDX-License-Identifier: GPL-3.0-or-later
#include "signindialog.h"

#include "client.h"
#include "diagnosticsdialog.h"
#include "errortext.h"
#include "profile.h"
#include "protocol.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSysInfo>
#include <QVBoxLayout>

#include <algorithm>

namespace cpm::ui {

SignInDialog::SignInDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_heading(new QLabel(this))
    , m_notice(new QLabel(this))
    , m_form(new QFormLayout)
    , m_server(new QLineEdit(this))
    , m_caFile(new QLineEdit(this))
    , m_browseCa(new QPushButton(tr("&Browse…"), this))
    , m_insecure(new QCheckBox(tr("Allow an &unencrypted connection"), this))
    , m_insecureWarning(new QLabel(this))
    , m_address(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_deviceName(new QLineEdit(this))
    , m_kind(new QComboBox(this))
    , m_error(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_signIn(new QPushButton(tr("&Sign in"), this))
    , m_guest(new QPushButton(this))
    , m_guestInfo(new QLabel(this))
    , m_guestIntro(new QLabel(this))
    , m_diagnostics(new QPushButton(tr("&Diagnostics…"), this))
{
    setObjectName(QStringLiteral("signInDialog"));
    m_heading->setObjectName(QStringLiteral("heading"));
    m_heading->setWordWrap(true);
    auto* accountHelp = new QLabel(tr("No account yet? Accounts are made by whoever runs your "
                                      "CPM server: ask them for your address and a password."),
        this);
    accountHelp->setObjectName(QStringLiteral("accountHelp"));
    accountHelp->setWordWrap(true);
    accountHelp->setForegroundRole(QPalette::PlaceholderText);
    // Says what is missing while Sign in is disabled, so it is never a riddle.
    m_hint->setObjectName(QStringLiteral("signInHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_notice->setWordWrap(true);
    m_notice->setVisible(false);
    m_notice->setObjectName(QStringLiteral("notice"));

    if (client) {
        m_server->setText(Profile::serversText(client->serverUrls()));
        m_caFile->setText(client->caFile());
        m_address->setText(client->address());
    }
    m_server->setPlaceholderText(QStringLiteral("ws://127.0.0.1:7878/"));
    m_server->setToolTip(tr("A server address, or several of one service separated by commas: "
                            "when one cannot be reached, this device uses the next."));
    m_caFile->setPlaceholderText(tr("System certificates only"));
    m_caFile->setToolTip(tr("A certificate authority (PEM file) to trust for wss:// servers, "
                            "e.g. your organisation's own."));
    m_insecureWarning->setText(
        tr("This address is not encrypted (ws://): your password and messages would cross "
           "the network in the clear. Prefer a wss:// address."));
    m_insecureWarning->setWordWrap(true);
    m_address->setPlaceholderText(tr("alice@cpm.example"));
    m_password->setEchoMode(QLineEdit::Password);
    m_ownDeviceName = !client || client->deviceName().isEmpty()
        ? tr("%1's computer").arg(QSysInfo::machineHostName())
        : client->deviceName();
    m_deviceName->setText(m_ownDeviceName);
    const std::pair<QString, QString> kinds[] = {
        { QStringLiteral("laptop"), tr("Laptop") },
        { QStringLiteral("desktop"), tr("Desktop") },
        { QStringLiteral("mobile"), tr("Mobile phone") },
        { QStringLiteral("fixed"), tr("Fixed phone") },
        { QStringLiteral("tablet"), tr("Tablet / PDA") },
    };
    for (const auto& [value, label] : kinds) {
        m_kind->addItem(label, value);
    }
    // Signing in again (after a sign-out): the device is what it was.
    if (const int known = m_kind->findData(client ? client->deviceKind() : QString()); known >= 0) {
        m_kind->setCurrentIndex(known);
    }

    m_server->setAccessibleName(tr("Server address"));
    m_address->setAccessibleName(tr("CPM address"));
    m_password->setAccessibleName(tr("Password"));
    m_deviceName->setAccessibleName(tr("Device name"));
    m_kind->setAccessibleName(tr("Device kind"));
    m_caFile->setAccessibleName(tr("Trusted certificate authority file"));
    m_insecure->setAccessibleDescription(m_insecureWarning->text());
    m_server->setObjectName(QStringLiteral("server"));
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_insecure->setObjectName(QStringLiteral("insecure"));
    m_insecureWarning->setObjectName(QStringLiteral("insecureWarning"));
    m_address->setObjectName(QStringLiteral("address"));
    m_password->setObjectName(QStringLiteral("password"));
    m_deviceName->setObjectName(QStringLiteral("deviceName"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_error->setObjectName(QStringLiteral("error"));
    m_signIn->setObjectName(QStringLiteral("signIn"));

    QFormLayout* form = m_form;
    form->addRow(tr("Se&rver:"), m_server);
    auto* caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(m_browseCa);
    auto* caLabel = new QLabel(tr("Trusted &CA:"), this);
    caLabel->setBuddy(m_caFile);
    form->addRow(caLabel, caRow);
    form->addRow(QString(), m_insecure);
    form->addRow(QString(), m_insecureWarning);
    form->addRow(tr("CPM &address:"), m_address);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("Device &name:"), m_deviceName);
    form->addRow(tr("Device &kind:"), m_kind);

    m_error->setWordWrap(true);
    m_error->setVisible(false);
    // A red that keeps its contrast on light and dark windows alike.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(
        QPalette::WindowText, dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c));
    m_error->setPalette(errorPalette);
    m_insecureWarning->setPalette(errorPalette);
    QFont errorFont = m_error->font();
    errorFont.setBold(true);
    m_error->setFont(errorFont);
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_progress->setVisible(false);
    m_progress->setAccessibleName(tr("Signing in"));

    // GST-1: for someone else's computer. Said in one sentence next to the button, so
    // the choice is understood before it is made.
    m_guest->setObjectName(QStringLiteral("guestMode"));
    m_guest->setAutoDefault(false);
    m_guest->setFlat(true);
    m_guestInfo->setObjectName(QStringLiteral("guestInfo"));
    m_guestInfo->setText(guestSentence());
    m_guestInfo->setWordWrap(true);
    m_guestInfo->setForegroundRole(QPalette::PlaceholderText);
    // The same sentence opens the guest form, under its heading.
    m_guestIntro->setObjectName(QStringLiteral("guestIntro"));
    m_guestIntro->setText(guestSentence());
    m_guestIntro->setWordWrap(true);
    connect(m_guest, &QPushButton::clicked, this, [this] { setGuestMode(!m_guestMode); });

    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_signIn, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    // When the server cannot be reached: the connection log and the settings in use.
    QPushButton* diagnostics = m_diagnostics;
    diagnostics->setObjectName(QStringLiteral("diagnostics"));
    diagnostics->setAutoDefault(false);
    buttons->addButton(diagnostics, QDialogButtonBox::HelpRole);
    connect(diagnostics, &QPushButton::clicked, this, [this] {
        if (!target()) {
            return;
        }
        auto* details = new DiagnosticsDialog(target(), this);
        details->setAttribute(Qt::WA_DeleteOnClose);
        details->show();
    });
    m_signIn->setDefault(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_heading);
    layout->addWidget(m_guestIntro);
    layout->addWidget(accountHelp);
    layout->addWidget(m_notice);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addWidget(m_error);
    layout->addWidget(m_progress);
    layout->addWidget(buttons);
    layout->addWidget(m_guest, 0, Qt::AlignLeft);
    layout->addWidget(m_guestInfo);
    setMinimumWidth(440);

    connect(buttons, &QDialogButtonBox::accepted, this, &SignInDialog::signIn);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit* edit : { m_server, m_address, m_password, m_deviceName }) {
        connect(edit, &QLineEdit::textChanged, this, &SignInDialog::updateButtons);
    }
    connect(m_insecure, &QCheckBox::toggled, this, &SignInDialog::updateButtons);
    connect(m_browseCa, &QPushButton::clicked, this, &SignInDialog::chooseCaFile);
    if (client) {
        setGuestMode(false);
    } else {
        m_guest->hide(); // a dialog for guests only: there is nothing to go back to
        setGuestMode(true);
    }
}

// A guest's Client not taken by the caller goes with the dialog: its directory with it.
SignInDialog::~SignInDialog() = default;

QString SignInDialog::guestSentence()
{
    return tr("For someone else's computer: your messages are loaded for this visit and "
              "removed completely when you sign out.");
}

void SignInDialog::setGuestMode(bool guest)
{
    if (!m_client) {
        guest = true;
    }
    if (m_guestMode != guest) {
        // The device name belongs to the mode; what the person typed comes back with it.
        if (guest) {
            m_ownDeviceName = m_deviceName->text();
            m_deviceName->setText(tr("Guest on %1").arg(QSysInfo::machineHostName()));
        } else {
            m_deviceName->setText(m_ownDeviceName);
        }
        m_password->clear();
        m_error->setVisible(false);
    }
    m_guestMode = guest;
    setWindowTitle(guest ? tr("Guest sign-in — CPM") : tr("Sign in — CPM"));
    m_heading->setText(guest
            ? tr("<h2>Sign in as a guest</h2>")
            : tr("<h2>Sign in to CPM</h2>"
                 "<p>This device will be registered with your account so messages reach it "
                 "like your other devices.</p>"));
    m_guest->setText(
        guest ? tr("&Back to signing in this device") : tr("Sign in as &guest on this device…"));
    m_guestInfo->setVisible(!guest);
    m_guestIntro->setVisible(guest);
    // A guest's device is only a visit: its kind is not worth asking. Browsing for a CA
    // file is left out too: Qt's file dialog remembers the folders it visited in a
    // settings file of this computer's user, which a guest must not write to (GST-4).
    m_form->setRowVisible(m_kind, !guest);
    m_browseCa->setVisible(!guest);
    updateButtons();
    // The guest form is shorter: no room left over between its lines.
    if (isVisible()) {
        // At this width: adjustSize() would wrap the text for a narrower one, then widen.
        const int height = heightForWidth(width());
        resize(width(), height > 0 ? height : sizeHint().height());
    }
    (m_address->text().isEmpty() ? m_address : m_password)->setFocus();
}

void SignInDialog::setServerUrls(const QList<QUrl>& urls)
{
    m_server->setText(Profile::serversText(urls));
}

std::unique_ptr<Client> SignInDialog::takeGuestClient() { return std::move(m_guestClient); }

Client* SignInDialog::target() const { return m_guestMode ? m_guestClient.get() : m_client; }

void SignInDialog::setNotice(const QString& text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
}

void SignInDialog::updateButtons()
{
    QString bad;
    const QList<QUrl> urls = Profile::parseServers(m_server->text(), &bad);
    const bool insecure = std::any_of(urls.cbegin(), urls.cend(), &Client::isInsecure);
    m_insecure->setVisible(insecure);
    m_insecureWarning->setVisible(insecure);
    const QString address = m_address->text().trimmed();
    QString missing;
    if (urls.isEmpty() && !bad.isEmpty() && bad.contains(u',')) {
        missing = tr("Give at most %n server addresses.", nullptr, Profile::MaxServers);
    } else if (urls.isEmpty() && !bad.isEmpty()) {
        missing = tr("“%1” is not a server address: it starts with ws:// or wss://, like "
                     "ws://127.0.0.1:7878/.")
                      .arg(bad);
    } else if (urls.isEmpty()) {
        missing = tr("The server address starts with ws:// or wss://, like ws://127.0.0.1:7878/.");
    } else if (address.isEmpty()) {
        missing = tr("Enter your CPM address.");
    } else if (!protocol::isValidAddress(address)) {
        missing = tr("“%1” is not a CPM address: it looks like name@example.com.").arg(address);
    } else if (m_password->text().isEmpty()) {
        missing = tr("Enter your password.");
    } else if (m_deviceName->text().trimmed().isEmpty()) {
        missing = tr("Give this device a name, so you can tell it from your others.");
    }
    m_hint->setText(missing);
    m_hint->setVisible(!missing.isEmpty());
    m_signIn->setToolTip(missing);
    m_signIn->setEnabled(missing.isEmpty() && !m_progress->isVisible());
    // Before a guest's first attempt there is no guest's device yet to tell about.
    m_diagnostics->setEnabled(target() != nullptr);
    m_diagnostics->setToolTip(target() ? tr("What this device tried and what the server answered")
                                       : tr("Available once you have tried to sign in"));
}

void SignInDialog::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    for (QWidget* w : std::initializer_list<QWidget*> { m_server, m_caFile, m_browseCa, m_insecure,
             m_address, m_password, m_deviceName, m_kind, m_guest }) {
        w->setEnabled(!busy);
    }
    updateButtons();
}

void SignInDialog::chooseCaFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Trusted certificate authority"),
        m_caFile->text(), tr("Certificates (*.pem *.crt);;All files (*)"));
    if (!file.isEmpty()) {
        m_caFile->setText(file);
    }
}

void SignInDialog::signIn()
{
    if (!m_signIn->isEnabled()) {
        return;
    }
    m_error->setVisible(false);
    if (m_guestMode && !m_guestClient) {
        // The guest's own device, made only now that someone signs in; a failed attempt
        // keeps it for the next, and a cancelled dialog removes it.
        std::unique_ptr<Client> guest = Client::createGuest();
        if (const Result<void> opened = guest->open(); !opened) {
            m_error->setText(ErrorText::forAction(opened.error()));
            m_error->setVisible(true);
            return;
        }
        m_guestClient = std::move(guest);
    }
    Client* client = target();
    setBusy(true);
    const QList<QUrl> urls = Profile::parseServers(m_server->text());
    client->setServerUrls(urls);
    client->setCaFile(m_caFile->text().trimmed());
    client->setAllowInsecure(
        std::any_of(urls.cbegin(), urls.cend(), &Client::isInsecure) && m_insecure->isChecked());
    // Guests sign in on a computer that is not theirs: it is the owner's kind, or a desktop.
    const QString kind = m_guestMode
        ? (m_client && !m_client->deviceKind().isEmpty() ? m_client->deviceKind()
                                                         : QStringLiteral("desktop"))
        : m_kind->currentData().toString();
    client->registerDevice(m_address->text().trimmed(), m_password->text(),
        m_deviceName->text().trimmed(), kind,
        [this, first = urls.value(0), guard = QPointer<SignInDialog>(this)](const Error& error) {
            if (!guard) {
                return;
            }
            setBusy(false);
            if (error.isNull()) {
                m_password->clear();
                accept();
                return;
            }
            // The node the last attempt went to (with several, the others failed before).
            const Client* tried = target();
            const QUrl url
                = tried && tried->currentServerUrl().isValid() ? tried->currentServerUrl() : first;
            m_error->setText(ErrorText::forSignIn(error, url));
            m_error->setVisible(true);
            m_password->selectAll();
            m_password->setFocus();
        });
}

} // namespace cpm::ui
