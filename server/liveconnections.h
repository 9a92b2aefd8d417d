// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Who is connected right now: the signed-in connections of each user and which devices are
// online (presence). One node's memory today; the interface is small so that several nodes
// can later share it through the database.

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
    bool hasUser(qint64 userId) const { return m_byUser.contains(userId); }
    //! True while at least one connection of the device is signed in.
    bool isOnline(qint64 deviceId) const { return m_online.value(deviceId) > 0; }

    //! \a device as the device \a viewerDeviceId sees it now (`online`, `current`).
    protocol::Device describe(const protocol::Device& device, qint64 viewerDeviceId) const;
    protocol::Device describe(const DeviceRecord& device, qint64 viewerDeviceId) const;

private:
    QHash<qint64, QList<ClientConnection*>> m_byUser;
    //! Signed-in connections per device id (a device may briefly have two while reconnecting).
    QHash<qint64, int> m_online;
};

} // namespace cpm::server
