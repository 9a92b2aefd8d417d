// SPDX-License-Identifier: GPL-3.0-or-later
#include "liveconnections.h"

#include "clientconnection.h"
#include "store.h"

namespace cpm::server {

bool LiveConnections::add(ClientConnection* connection)
{
    m_byUser[connection->userId()].append(connection);
    return ++m_online[connection->deviceId()] == 1;
}

bool LiveConnections::remove(ClientConnection* connection)
{
    const auto it = m_byUser.find(connection->userId());
    if (it == m_byUser.end() || !it->removeOne(connection)) {
        return false;
    }
    if (it->isEmpty()) {
        m_byUser.erase(it);
    }
    const auto online = m_online.find(connection->deviceId());
    if (online != m_online.end() && --online.value() <= 0) {
        m_online.erase(online);
        return true;
    }
    return false;
}

protocol::Device LiveConnections::describe(
    const protocol::Device& device, qint64 viewerDeviceId) const
{
    protocol::Device d = device;
    d.online = isOnline(d.id);
    d.current = d.id == viewerDeviceId;
    return d;
}

protocol::Device LiveConnections::describe(const DeviceRecord& device, qint64 viewerDeviceId) const
{
    return describe(device.device, viewerDeviceId);
}

} // namespace cpm::server
