// SPDX-License-Identifier: GPL-3.0-or-later
#include "newconversationdialog.h"

#include "client.h"
#include "protocol.h"

#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace cpm::ui {

namespace {
constexpr int AddressRole = Qt::UserRole + 1;
constexpr int NameRole = Qt::UserRole + 2;
} // namespace

NewConversationDialog::NewConversationDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_recipient(new QLineEdit(this))
    , m_people(new QListWidget(this))
    , m_hint(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("newConversationDialog"));
    setWindowTitle(tr("New conversation"));
    auto* label = new QLabel(tr("&To:"), this);
    label->setBuddy(m_recipient);
    m_recipient->setObjectName(QStringLiteral("recipient"));
    m_recipient->setPlaceholderText(tr("A name, or an address like bob@cpm.example"));
    m_recipient->setClearButtonEnabled(true);
    m_recipient->installEventFilter(this);
    m_people->setObjectName(QStringLiteral("people"));
    m_people->setAccessibleName(tr("Contacts and people you wrote with"));
    m_people->setUniformItemSizes(true);
    m_hint->setObjectName(QStringLiteral("hint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Open"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_recipient);
    layout->addWidget(m_people, 1);
    layout->addWidget(m_hint);
    layout->addWidget(m_buttons);
    setMinimumSize(420, 360);

    fill(client);
    connect(m_recipient, &QLineEdit::textChanged, this, &NewConversationDialog::filter);
    connect(m_people, &QListWidget::currentRowChanged, this, &NewConversationDialog::updateHint);
    connect(m_people, &QListWidget::itemActivated, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    filter({});
}

NewConversationDialog::~NewConversationDialog() = default;

void NewConversationDialog::fill(Client* client)
{
    // Contacts first, by name; then whoever the user already wrote with. Unreadable lists
    // leave the field for typing an address (the client reports why).
    QStringList seen;
    const QList<Contact> contacts = client->contacts().valueOr({});
    QList<Contact> sorted = contacts;
    std::sort(sorted.begin(), sorted.end(), [](const Contact& a, const Contact& b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
    for (const Contact& c : std::as_const(sorted)) {
        auto* item = new QListWidgetItem(
            c.name.isEmpty() ? c.address : tr("%1 — %2").arg(c.name, c.address), m_people);
        item->setData(AddressRole, c.address);
        item->setData(NameRole, c.name);
        seen.append(c.address);
    }
    for (const Conversation& c : client->conversations().valueOr({})) {
        if (!seen.contains(c.peerAddress)) {
            auto* item = new QListWidgetItem(c.peerAddress, m_people);
            item->setData(AddressRole, c.peerAddress);
            seen.append(c.peerAddress);
        }
    }
}

void NewConversationDialog::filter(const QString& text)
{
    const QString wanted = text.trimmed();
    int firstShown = -1;
    for (int row = 0; row < m_people->count(); ++row) {
        QListWidgetItem* item = m_people->item(row);
        const bool match = wanted.isEmpty()
            || item->data(NameRole).toString().contains(wanted, Qt::CaseInsensitive)
            || item->data(AddressRole).toString().contains(wanted, Qt::CaseInsensitive);
        item->setHidden(!match);
        if (match && firstShown < 0) {
            firstShown = row;
        }
    }
    // Typing narrows the list and proposes its first entry, unless what is typed is a
    // whole address: then that address is what Enter opens.
    const bool typedAddress = protocol::isValidAddress(wanted);
    m_people->setCurrentRow(!wanted.isEmpty() && !typedAddress ? firstShown : -1);
    updateHint();
}

void NewConversationDialog::updateHint()
{
    const QString typed = m_recipient->text().trimmed();
    const bool anyShown = [this] {
        for (int row = 0; row < m_people->count(); ++row) {
            if (!m_people->item(row)->isHidden()) {
                return true;
            }
        }
        return false;
    }();
    QString hint;
    if (m_people->count() == 0 && typed.isEmpty()) {
        hint = tr("You have no contacts yet. Type the full address of the person you want to "
                  "write to.");
    } else if (!address().isEmpty()) {
        hint = tr("Opens the conversation with %1.").arg(address());
    } else if (!typed.isEmpty() && !anyShown) {
        hint
            = tr("Nobody here matches “%1”. Type a full address like name@example.com.").arg(typed);
    }
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!address().isEmpty());
}

QString NewConversationDialog::address() const
{
    if (const QListWidgetItem* item = m_people->currentItem(); item && !item->isHidden()) {
        return item->data(AddressRole).toString();
    }
    const QString typed = m_recipient->text().trimmed();
    return protocol::isValidAddress(typed) ? typed.toLower() : QString();
}

bool NewConversationDialog::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_recipient && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            // Arrows move through the list while typing goes on in the field.
            for (int row = m_people->currentRow() + (key == Qt::Key_Down ? 1 : -1);
                 row >= 0 && row < m_people->count(); row += key == Qt::Key_Down ? 1 : -1) {
                if (!m_people->item(row)->isHidden()) {
                    m_people->setCurrentRow(row);
                    break;
                }
            }
            return true;
        }
        if ((key == Qt::Key_Return || key == Qt::Key_Enter) && address().isEmpty()) {
            updateHint();
            return true; // nothing to open yet; the hint says why
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace cpm::ui
