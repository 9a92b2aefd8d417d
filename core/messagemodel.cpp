// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagemodel.h"

#include "attachmentmanager.h"
#include "client.h"

#include <QDateTime>

namespace cpm {

namespace {
bool before(const Message& a, const Message& b)
{
    return a.time < b.time || (a.time == b.time && a.localId < b.localId);
}
} // namespace

MessageModel::MessageModel(Client* client, QObject* parent)
    : QAbstractListModel(parent)
    , m_client(client)
{
    if (client) {
        connect(client, &Client::messageAdded, this, &MessageModel::onMessageAdded);
        connect(client, &Client::messageChanged, this, &MessageModel::onMessageChanged);
        connect(client, &Client::messageRemoved, this, &MessageModel::onMessageRemoved);
        connect(client, &Client::messageSent, this,
            [this](qint64 pendingId, qint64 messageId, const QString&) {
                onMessageSent(pendingId, messageId);
            });
        connect(client, &Client::signedOut, this, &MessageModel::reset);
        AttachmentManager* attachments = &client->attachments();
        connect(attachments, &AttachmentManager::attachmentReady, this,
            &MessageModel::onAttachmentsChanged);
        connect(attachments, &AttachmentManager::attachmentFailed, this,
            &MessageModel::onAttachmentsChanged);
        connect(attachments, &AttachmentManager::transferChanged, this,
            &MessageModel::onAttachmentsChanged);
    }
}

MessageModel::~MessageModel() = default;

void MessageModel::setPeer(const QString& peerAddress)
{
    if (peerAddress == m_peer && !m_rows.isEmpty()) {
        return;
    }
    m_peer = peerAddress;
    reset();
    Q_EMIT peerChanged(m_peer);
}

void MessageModel::setPageSize(int pageSize) { m_pageSize = std::max(1, pageSize); }

void MessageModel::reset()
{
    // Views (and model testers) may ask for more while the reset is announced.
    m_resetting = true;
    beginResetModel();
    m_rows.clear();
    m_hasOlder = false;
    if (m_client && !m_peer.isEmpty()) {
        // A failed read shows nothing and says why (the Client reports it).
        m_rows = m_client->messages(m_peer, m_pageSize).valueOr({});
        m_hasOlder = m_rows.size() == m_pageSize;
    }
    endResetModel();
    m_resetting = false;
}

int MessageModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

void MessageModel::loadOlder()
{
    if (!m_hasOlder || !m_client || m_rows.isEmpty() || m_resetting) {
        return;
    }
    const Message& first = m_rows.constFirst();
    const Result<QList<Message>> read
        = m_client->messages(m_peer, m_pageSize, first.time, first.localId);
    if (!read) {
        return; // try again on the next scroll
    }
    const QList<Message>& older = *read;
    m_hasOlder = older.size() == m_pageSize;
    if (older.isEmpty()) {
        return;
    }
    m_resetting = true; // a view reacting to the insertion must not fetch again inside it
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_rows = older + m_rows;
    endInsertRows();
    m_resetting = false;
}

QVariantList MessageModel::attachmentsData(const Message& m) const
{
    QVariantList list;
    if (m.attachments.isEmpty() || !m_client) {
        return list;
    }
    const AttachmentManager& manager = m_client->attachments();
    for (qsizetype index = 0; index < m.attachments.size(); ++index) {
        const protocol::Attachment& a = m.attachments.at(index);
        qint64 done = -1;
        if (!a.id.isEmpty()) {
            if (const std::optional<TransferInfo> t = manager.downloadOf(a.id)) {
                done = t->done;
            }
        }
        if (done < 0 && m.outgoing && m.isPending()) {
            // An upload belongs to its outbox message: two files of one name in two
            // messages each show their own progress.
            if (const std::optional<TransferInfo> t = manager.uploadOf(m.id, index);
                t && !t->isFinished()) {
                done = t->done;
            }
        }
        list.append(QVariantMap {
            { QStringLiteral("id"), a.id },
            { QStringLiteral("name"), a.name },
            { QStringLiteral("type"), a.type },
            { QStringLiteral("size"), a.size },
            { QStringLiteral("image"), a.isImage() },
            { QStringLiteral("here"), !a.id.isEmpty() && manager.has(a.id) },
            { QStringLiteral("done"), done },
        });
    }
    return list;
}

void MessageModel::onAttachmentsChanged()
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (!m_rows.at(row).attachments.isEmpty()) {
            Q_EMIT dataChanged(index(row), index(row), { AttachmentsRole });
        }
    }
}

QVariant MessageModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Message& m = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m.body.isNull() ? m.subject : m.body;
    case IdRole:
        return m.id;
    case ClientIdRole:
        return m.clientId;
    case FromRole:
        return m.from;
    case ToRole:
        return m.to;
    case SubjectRole:
        return m.subject;
    case BodyRole:
        return m.body;
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(m.written > 0 ? m.written : m.time);
    case FailureRole:
        return m.failure;
    case OutgoingRole:
        return m.outgoing;
    case StatusRole:
        return int(m.status);
    case StatusNameRole:
        return Message::statusName(m.status);
    case RouteRole:
        return QString(protocol::routeName(m.route));
    case ReadRole:
        return m.read;
    case PartialRole:
        return m.partial;
    case PendingRole:
        return m.isPending();
    case AttachmentsRole:
        return attachmentsData(m);
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return m_describer ? QVariant(m_describer(m, role == Qt::ToolTipRole)) : QVariant();
    default:
        return {};
    }
}

Qt::ItemFlags MessageModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags flags = QAbstractListModel::flags(index);
    // Views ask for the root's flags too: no index, no warning.
    if (index.isValid() && checkIndex(index, CheckIndexOption::ParentIsInvalid)
        && !m_rows.at(index.row()).partial) {
        flags |= Qt::ItemIsEditable;
    }
    return flags;
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({ { IdRole, "id" }, { ClientIdRole, "clientId" }, { FromRole, "from" },
        { ToRole, "to" }, { SubjectRole, "subject" }, { BodyRole, "body" }, { TimeRole, "time" },
        { OutgoingRole, "outgoing" }, { StatusRole, "status" }, { StatusNameRole, "statusName" },
        { ReadRole, "read" }, { PartialRole, "partial" }, { PendingRole, "pending" },
        { FailureRole, "failure" }, { AttachmentsRole, "attachments" }, { RouteRole, "route" } });
    return names;
}

Message MessageModel::messageAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : Message();
}

int MessageModel::rowOf(qint64 messageId) const
{
    // New and changed messages are nearly always among the last rows.
    for (auto row = m_rows.size() - 1; row >= 0; --row) {
        if (m_rows.at(row).id == messageId) {
            return int(row);
        }
    }
    return -1;
}

void MessageModel::onMessageAdded(qint64 messageId, const QString& peer)
{
    if (peer != m_peer || !m_client || rowOf(messageId) >= 0) {
        return;
    }
    const Result<std::optional<Message>> read = m_client->message(messageId);
    if (!read || !read->has_value()) {
        return;
    }
    const std::optional<Message>& m = *read;
    // Older than everything loaded and more pages exist: loadOlder() will bring it.
    if (m_hasOlder && !m_rows.isEmpty() && before(*m, m_rows.constFirst())) {
        return;
    }
    auto row = m_rows.size();
    while (row > 0 && before(*m, m_rows.at(row - 1))) {
        --row;
    }
    beginInsertRows({}, int(row), int(row));
    m_rows.insert(row, *m);
    endInsertRows();
}

void MessageModel::onMessageChanged(qint64 messageId)
{
    const int row = rowOf(messageId);
    if (row < 0 || !m_client) {
        return;
    }
    const Result<std::optional<Message>> m = m_client->message(messageId);
    if (m && m->has_value()) {
        m_rows[row] = **m;
        Q_EMIT dataChanged(index(row), index(row));
    }
}

void MessageModel::onMessageRemoved(qint64 messageId)
{
    const int row = rowOf(messageId);
    if (row < 0) {
        return;
    }
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

void MessageModel::onMessageSent(qint64 pendingId, qint64 messageId)
{
    const int row = rowOf(pendingId);
    if (row < 0 || !m_client) {
        return;
    }
    const Result<std::optional<Message>> m = m_client->message(messageId);
    if (!m || !m->has_value()) {
        return;
    }
    // The server's time may order it differently from the local clock's guess.
    m_rows[row] = **m;
    Q_EMIT dataChanged(index(row), index(row));
}

} // namespace cpm
