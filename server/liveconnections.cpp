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

void LiveConnections::setOnlineElsewhere(qint64 userId, qint64 deviceId, bool online)
{
    if (online) {
        if (!m_elsewhere.contains(deviceId)) {
            m_elsewhere.insert(deviceId, userId);
            ++m_usersElsewhere[userId];
        }
        return;
    }
    if (m_elsewhere.remove(deviceId)) {
        const auto it = m_usersElsewhere.find(userId);
        if (it != m_usersElsewhere.end() && --it.value() <= 0) {
            m_usersElsewhere.erase(it);
        }
    }
}

QList<std::pair<qint64, qint64>> LiveConnections::replaceOnlineElsewhere(
    const QList<std::pair<qint64, qint64>>& devices)
{
    QHash<qint64, qint64> next;
    for (const auto& [userId, deviceId] : devices) {
        next.insert(deviceId, userId);
    }
    QList<std::pair<qint64, qint64>> gone;
    for (auto it = m_elsewhere.cbegin(); it != m_elsewhere.cend(); ++it) {
        if (!next.contains(it.key()) && m_online.value(it.key()) == 0) {
            gone.append({ it.value(), it.key() });
        }
    }
    m_elsewhere = std::move(next);
    m_usersElsewhere.clear();
    for (auto it = m_elsewhere.cbegin(); it != m_elsewhere.cend(); ++it) {
        ++m_usersElsewhere[it.value()];
    }
    return gone;
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
