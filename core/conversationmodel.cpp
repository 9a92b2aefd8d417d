// SPDX-License-Identifier: GPL-3.0-or-later
#include "conversationmodel.h"

#include "client.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

namespace cpm {

namespace {
QString initialsOf(const Conversation& c)
{
    const QString source
        = c.peerName.isEmpty() ? c.peerAddress.section(QLatin1Char('@'), 0, 0) : c.peerName;
    const QStringList words
        = source.split(QRegularExpression(QStringLiteral("[\\s._-]+")), Qt::SkipEmptyParts);
    QString out;
    for (const QString& w : words) {
        out += w.at(0).toUpper();
        if (out.size() == 2) {
            break;
        }
    }
    return out.isEmpty() ? QStringLiteral("?") : out;
}
} // namespace

ConversationModel::ConversationModel(Client* client, QObject* parent)
    : QAbstractListModel(parent)
    , m_client(client)
    , m_reloadTimer(new QTimer(this))
{
    // A sync batch changes many messages at once; one reload after it is enough.
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(50);
    connect(m_reloadTimer, &QTimer::timeout, this, &ConversationModel::reload);
    if (client) {
        connect(client, &Client::messageAdded, this, &ConversationModel::scheduleReload);
        connect(client, &Client::messageChanged, this, &ConversationModel::scheduleReload);
        connect(client, &Client::messageRemoved, this, &ConversationModel::scheduleReload);
        connect(client, &Client::messageSent, this, &ConversationModel::scheduleReload);
        connect(client, &Client::unreadCountChanged, this, &ConversationModel::scheduleReload);
        connect(client, &Client::contactsChanged, this, &ConversationModel::scheduleReload);
        connect(client, &Client::signedOut, this, &ConversationModel::reload);
        connect(client, &Client::peerStatusesChanged, this, [this] {
            if (!m_rows.isEmpty()) {
                Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1),
                    { PeerStatusRole, PeerStatusTextRole });
            }
        });
    }
    reload();
}

ConversationModel::~ConversationModel() = default;

void ConversationModel::scheduleReload()
{
    if (!m_reloadTimer->isActive()) {
        m_reloadTimer->start();
    }
}

void ConversationModel::reload()
{
    m_reloadTimer->stop();
    Result<QList<Conversation>> read
        = m_client ? m_client->conversations() : Result<QList<Conversation>>(QList<Conversation>());
    if (!read) {
        return; // keep showing what we have; the Client reported why it is not current
    }
    QList<Conversation> rows = std::move(read).value();
    const auto has = [](const QList<Conversation>& list, const QString& peer) {
        return std::find_if(list.cbegin(), list.cend(),
            [&](const Conversation& c) { return c.peerAddress == peer; });
    };
    if (!m_keptPeer.isEmpty() && has(rows, m_keptPeer) == rows.cend()) {
        // No messages (any more): listed still, in the place it had, without a preview.
        const auto before = has(m_rows, m_keptPeer);
        Conversation kept;
        kept.peerAddress = m_keptPeer;
        if (before != m_rows.cend()) {
            kept.peerName = before->peerName;
        }
        // A contact's name, also when nothing was written yet (unreadable: as it was).
        const Result<QList<Contact>> contacts
            = m_client ? m_client->contacts() : Result<QList<Contact>>(QList<Contact>());
        if (contacts) {
            kept.peerName.clear();
            for (const Contact& c : *contacts) {
                if (c.address == m_keptPeer) {
                    kept.peerName = c.name;
                }
            }
        }
        const qsizetype at = before != m_rows.cend()
            ? std::min<qsizetype>(before - m_rows.cbegin(), rows.size())
            : 0;
        rows.insert(at, kept);
    }
    // Many changes (a delivery report, a body fetched for an older message) leave the
    // list as it was: then a reset would only make the view forget its selection and
    // scroll position, and repaint, for nothing.
    if (rows == m_rows) {
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void ConversationModel::setKeptPeer(const QString& peerAddress)
{
    if (peerAddress == m_keptPeer) {
        return;
    }
    m_keptPeer = peerAddress;
    reload();
}

int ConversationModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConversationModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Conversation& c = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case PeerNameRole:
        return c.peerName.isEmpty() ? c.peerAddress : c.peerName;
    case PeerAddressRole:
        return c.peerAddress;
    case SearchTextRole:
        return QStringList { c.peerName, c.peerAddress, c.lastMessageText }.join(QLatin1Char('\n'));
    case LastMessageTextRole:
        return c.lastMessageText;
    case LastMessagePartialRole:
        return c.lastMessagePartial;
    case PeerStatusRole:
    case PeerStatusTextRole: {
        const std::optional<UserStatus> status
            = m_client ? m_client->peerStatus(c.peerAddress) : std::nullopt;
        return !status ? QString() : role == PeerStatusRole ? status->status : status->text;
    }
    case LastMessageTimeRole:
        // None for a conversation without messages.
        return c.lastMessageTime > 0 ? QDateTime::fromMSecsSinceEpoch(c.lastMessageTime)
                                     : QDateTime();
    case UnreadCountRole:
        return c.unreadCount;
    case InitialsRole:
        return initialsOf(c);
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({ { PeerAddressRole, "peerAddress" }, { PeerNameRole, "peerName" },
        { LastMessageTextRole, "lastMessageText" }, { LastMessageTimeRole, "lastMessageTime" },
        { UnreadCountRole, "unreadCount" }, { InitialsRole, "initials" },
        { LastMessagePartialRole, "lastMessagePartial" }, { PeerStatusRole, "peerStatus" },
        { PeerStatusTextRole, "peerStatusText" } });
    return names;
}

int ConversationModel::rowOf(const QString& peerAddress) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).peerAddress == peerAddress) {
            return row;
        }
    }
    return -1;
}

Conversation ConversationModel::conversationAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : Conversation();
}

} // namespace cpm
