// SPDX-License-Identifier: GPL-3.0-or-later
#include "types.h"

#include <QMetaEnum>
#include <QVariantList>

namespace cpm {

QVariantMap Diagnostics::toVariantMap() const
{
    QVariantList errors;
    for (const protocol::Error& e : lastErrors) {
        errors.append(QVariantMap {
            { QStringLiteral("code"), e.code }, { QStringLiteral("message"), e.message } });
    }
    return {
        { QStringLiteral("state"),
            QString::fromLatin1(QMetaEnum::fromType<ConnectionState>().valueToKey(int(state))) },
        { QStringLiteral("serverUrl"), serverUrl.toString() },
        { QStringLiteral("serverVersion"), serverVersion },
        { QStringLiteral("address"), address },
        { QStringLiteral("deviceId"), deviceId },
        { QStringLiteral("deviceName"), deviceName },
        { QStringLiteral("instanceId"), instanceId },
        { QStringLiteral("syncPosition"), syncPosition },
        { QStringLiteral("serverHead"), serverHead },
        { QStringLiteral("outboxSize"), outboxSize },
        { QStringLiteral("keyStorage"), keyStorage },
        { QStringLiteral("profileDir"), profileDir },
        { QStringLiteral("lastErrors"), errors },
    };
}

} // namespace cpm
