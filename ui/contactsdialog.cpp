// SPDX-License-Identifier: GPL-3.0-or-later
#include "contactsdialog.h"

#include "client.h"
#include "conversationdelegate.h"
#include "emptyhint.h"
#include "errortext.h"
#include "protocol.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace cpm::ui {

ContactsDialog::ContactsDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_list(new QListWidget(this))
    , m_address(new QLineEdit(this))
    , m_name(new QLineEdit(this))
    , m_add(new QPushButton(tr("&Add"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_message(new QPushButton(tr("&Write a message"), this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("contactsDialog"));
    setWindowTitle(tr("Contacts — %1").arg(client->address()));
    m_list->setAccessibleName(tr("Contacts"));
    m_list->setObjectName(QStringLiteral("contacts"));
    m_address->setPlaceholderText(tr("name@example.com"));
    m_address->setAccessibleName(tr("Contact address"));
    m_address->setObjectName(QStringLiteral("contactAddress"));
    m_name->setPlaceholderText(tr("Name (optional)"));
    m_name->setAccessibleName(tr("Contact name"));
    m_name->setMaxLength(static_cast<int>(protocol::limits::MaxNameChars));
    m_name->setObjectName(QStringLiteral("contactName"));
    m_add->setObjectName(QStringLiteral("addContact"));
    m_status->setWordWrap(true);

    auto* addBox = new QGroupBox(tr("Add a contact"), this);
    auto* form = new QFormLayout(addBox);
    form->addRow(tr("A&ddress:"), m_address);
    form->addRow(tr("&Name:"), m_name);
    auto* row = new QHBoxLayout;
    row->addWidget(m_message);
    row->addStretch();
    row->addWidget(m_remove);
    auto* addRow = new QHBoxLayout;
    addRow->addStretch();
    addRow->addWidget(m_add);
    form->addRow(addRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_list, 1);
    layout->addLayout(row);
    layout->addWidget(addBox);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(420, 460);
    new EmptyHint(m_list,
        tr("No contacts yet. Type someone's address below and press Add; a name is optional."));

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_add, &QPushButton::clicked, this, &ContactsDialog::add);
    connect(m_address, &QLineEdit::returnPressed, this, &ContactsDialog::add);
    connect(m_name, &QLineEdit::returnPressed, this, &ContactsDialog::add);
    connect(m_remove, &QPushButton::clicked, this, &ContactsDialog::removeSelected);
    connect(m_message, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_list->currentItem()) {
            Q_EMIT conversationRequested(item->data(Qt::UserRole).toString());
            accept();
        }
    });
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT conversationRequested(item->data(Qt::UserRole).toString());
        accept();
    });
    connect(m_list, &QListWidget::currentItemChanged, this, &ContactsDialog::updateButtons);
    connect(m_address, &QLineEdit::textChanged, this, &ContactsDialog::updateButtons);
    connect(client, &Client::contactsChanged, this, &ContactsDialog::reload);
    reload();
    m_address->setFocus();
}

ContactsDialog::~ContactsDialog() = default;

void ContactsDialog::reload()
{
    const QString current
        = m_list->currentItem() ? m_list->currentItem()->data(Qt::UserRole).toString() : QString();
    const Result<QList<Contact>> contacts = m_client->contacts();
    if (!contacts) {
        m_status->setText(ErrorText::forAction(contacts.error()));
        return; // keep the list as it was
    }
    m_list->clear();
    for (const Contact& c : *contacts) {
        auto* item = new QListWidgetItem(
            c.name.isEmpty() ? c.address : tr("%1 <%2>").arg(c.name, c.address), m_list);
        item->setData(Qt::UserRole, c.address);
        if (c.address == current) {
            m_list->setCurrentItem(item);
        }
    }
    updateButtons();
}

void ContactsDialog::updateButtons()
{
    const bool selected = m_list->currentItem() != nullptr;
    m_remove->setEnabled(selected);
    m_message->setEnabled(selected);
    m_add->setEnabled(protocol::isValidAddress(m_address->text().trimmed()));
}

void ContactsDialog::add()
{
    const QString address = m_address->text().trimmed();
    if (!protocol::isValidAddress(address)) {
        m_status->setText(
            tr("“%1” is not a CPM address. It looks like name@example.com.").arg(address));
        return;
    }
    m_client->addContact(address, m_name->text().trimmed(),
        [this, guard = QPointer<ContactsDialog>(this)](const Error& error) {
            if (!guard) {
                return;
            }
            if (error.isNull()) {
                m_address->clear();
                m_name->clear();
                m_status->clear();
            } else {
                m_status->setText(ErrorText::forAction(error));
            }
        });
}

void ContactsDialog::removeSelected()
{
    QListWidgetItem* item = m_list->currentItem();
    if (!item) {
        return;
    }
    m_client->removeContact(item->data(Qt::UserRole).toString(),
        [this, guard = QPointer<ContactsDialog>(this)](const Error& error) {
            if (guard && !error.isNull()) {
                m_status->setText(ErrorText::forAction(error));
            }
        });
}

} // namespace cpm::ui
