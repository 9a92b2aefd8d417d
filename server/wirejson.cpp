// SPDX-License-Identifier: GPL-3.0-or-later
#include "wirejson.h"

#include <QJsonArray>

namespace cpm::server::wire {

QJsonObject message(const MessageView& m, bool partial)
{
    return QJsonObject {
        { QStringLiteral("id"), m.id },
        { QStringLiteral("clientId"), m.clientId },
        { QStringLiteral("from"), m.from },
        { QStringLiteral("to"), m.to },
        { QStringLiteral("subject"), m.subject },
        { QStringLiteral("body"), partial ? QJsonValue(QJsonValue::Null) : QJsonValue(m.body) },
        { QStringLiteral("time"), m.time },
        { QStringLiteral("folder"), m.folder },
        { QStringLiteral("read"), m.read },
        { QStringLiteral("status"), m.status },
        { QStringLiteral("partial"), partial },
    };
}

QJsonObject device(const DeviceRecord& d, bool online, bool current)
{
    return QJsonObject {
        { QStringLiteral("id"), d.id },
        { QStringLiteral("instanceId"), d.instanceId },
        { QStringLiteral("name"), d.name },
        { QStringLiteral("kind"), d.kind },
        { QStringLiteral("capabilities"), QJsonArray::fromStringList(d.capabilities) },
        { QStringLiteral("delivery"), d.delivery },
        { QStringLiteral("notifySessions"), d.notifySessions },
        { QStringLiteral("online"), online },
        { QStringLiteral("lastSeen"), d.lastSeen },
        { QStringLiteral("current"), current },
    };
}

QJsonObject contact(const Contact& c)
{
    return QJsonObject { { QStringLiteral("address"), c.address },
        { QStringLiteral("name"), c.name } };
}

} // namespace cpm::server::wire
