// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The user's devices (DEV-2) with their online state and delivery preference, kept
// current from the Client's signals. Knows no view.

#include "types.h"

#include <QAbstractListModel>
#include <QPointer>

namespace cpm {

class Client;

class DeviceModel final : public QAbstractListModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeviceModel)

public:
    enum Role {
        IdRole = Qt::UserRole + 1, //!< qint64
        NameRole,
        KindRole, //!< laptop, mobile, fixed, tablet, desktop
        OnlineRole, //!< false for every device while this one is not online (not known)
        PresenceKnownRole, //!< this device is online, so the others' presence is current
        LastSeenRole, //!< QDateTime (local time), invalid when never seen
        DeliveryRole, //!< full, notification, none
        CurrentRole, //!< true for this very device
        CapabilitiesRole, //!< QStringList
        NotifySessionsRole,
        //! QDateTime (local time) a guest device ends; invalid for the user's own devices
        GuestExpiresRole,
    };
    Q_ENUM(Role)

    explicit DeviceModel(Client* client, QObject* parent = nullptr);
    ~DeviceModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    Device deviceAt(int row) const;
    int rowOf(qint64 deviceId) const;
    void reload();

private:
    bool presenceKnown() const;

    QPointer<Client> m_client;
    QList<Device> m_rows;
};

} // namespace cpm
