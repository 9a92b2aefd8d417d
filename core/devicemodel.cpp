// SPDX-License-Identifier: GPL-3.0-or-later
#include "devicemodel.h"

#include "client.h"

#include <QDateTime>

namespace cpm {

DeviceModel::DeviceModel(Client* client, QObject* parent)
    : QAbstractListModel(parent)
    , m_client(client)
{
    if (client) {
        connect(client, &Client::deviceListChanged, this, &DeviceModel::reload);
        connect(client, &Client::signedOut, this, &DeviceModel::reload);
        // Offline, this device hears of no presence changes: what it last heard is stale.
        connect(client, &Client::stateChanged, this, [this] {
            if (!m_rows.isEmpty()) {
                Q_EMIT dataChanged(
                    index(0), index(int(m_rows.size()) - 1), { OnlineRole, PresenceKnownRole });
            }
        });
    }
    reload();
}

DeviceModel::~DeviceModel() = default;

void DeviceModel::reload()
{
    Result<QList<Device>> read
        = m_client ? m_client->devices() : Result<QList<Device>>(QList<Device>());
    if (!read) {
        return; // keep showing what we have; the Client reported why it is not current
    }
    beginResetModel();
    m_rows = std::move(read).value();
    endResetModel();
}

int DeviceModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DeviceModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Device& dev = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return dev.name;
    case IdRole:
        return dev.id;
    case KindRole:
        return dev.kind;
    case OnlineRole:
        return presenceKnown() && (dev.online || dev.current);
    case PresenceKnownRole:
        return presenceKnown();
    case LastSeenRole:
        return dev.lastSeen > 0 ? QDateTime::fromMSecsSinceEpoch(dev.lastSeen) : QDateTime();
    case DeliveryRole:
        return dev.delivery;
    case CurrentRole:
        return dev.current;
    case CapabilitiesRole:
        return dev.capabilities;
    case NotifySessionsRole:
        return dev.notifySessions;
    case GuestExpiresRole:
        return dev.guest ? QDateTime::fromMSecsSinceEpoch(dev.expires) : QDateTime();
    default:
        return {};
    }
}

bool DeviceModel::presenceKnown() const
{
    return m_client && m_client->state() == ConnectionState::Online;
}

QHash<int, QByteArray> DeviceModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(
        { { IdRole, "id" }, { NameRole, "name" }, { KindRole, "kind" }, { OnlineRole, "online" },
            { LastSeenRole, "lastSeen" }, { DeliveryRole, "delivery" }, { CurrentRole, "current" },
            { CapabilitiesRole, "capabilities" }, { NotifySessionsRole, "notifySessions" },
            { GuestExpiresRole, "guestExpires" }, { PresenceKnownRole, "presenceKnown" } });
    return names;
}

Device DeviceModel::deviceAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : Device();
}

int DeviceModel::rowOf(qint64 deviceId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == deviceId) {
            return row;
        }
    }
    return -1;
}

} // namespace cpm
