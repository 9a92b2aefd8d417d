// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Who is connected right now: the signed-in connections of each user on this node and which
// devices are online (presence), here or, when several nodes share the store, on another
// node (as the Server last heard: docs/scaling.md).

#include "model.h"

#include <QHash>
#include <QList>

namespace cpm::server {

class ClientConnection;
struct DeviceRecord;

class LiveConnections final {
public:
    //! A connection signed in. True when its device just came online (its first connection).
    bool add(ClientConnection* connection);
    //! A signed-in connection ended. True when its device just went offline (its last one).
    bool remove(ClientConnection* connection);

    //! The signed-in connections of \a userId (a copy: handling an event may close one).
    QList<ClientConnection*> ofUser(qint64 userId) const { return m_byUser.value(userId); }
    //! Whether any device of \a userId is online, here or on another node.
    bool hasUser(qint64 userId) const
    {
        return m_byUser.contains(userId) || m_usersElsewhere.contains(userId);
    }
    //! True while at least one connection of the device is signed in, here or elsewhere.
    bool isOnline(qint64 deviceId) const
    {
        return m_online.value(deviceId) > 0 || m_elsewhere.contains(deviceId);
    }
    //! Another node said \a deviceId of \a userId came online (or went offline) there.
    void setOnlineElsewhere(qint64 userId, qint64 deviceId, bool online);
    /*!
     * What the store says is online on the other live nodes now (user id, device id),
     * replacing what was heard; returns the devices no longer online anywhere, as pairs.
     */
    QList<std::pair<qint64, qint64>> replaceOnlineElsewhere(
        const QList<std::pair<qint64, qint64>>& devices);

    //! \a device as the device \a viewerDeviceId sees it now (`online`, `current`).
    protocol::Device describe(const protocol::Device& device, qint64 viewerDeviceId) const;
    protocol::Device describe(const DeviceRecord& device, qint64 viewerDeviceId) const;

private:
    QHash<qint64, QList<ClientConnection*>> m_byUser;
    //! Signed-in connections per device id (a device may briefly have two while reconnecting).
    QHash<qint64, int> m_online;
    //! Devices online on other nodes: device id -> user id.
    QHash<qint64, qint64> m_elsewhere;
    //! Users with devices online on other nodes: user id -> how many devices.
    QHash<qint64, int> m_usersElsewhere;
};

} // namespace cpm::server
