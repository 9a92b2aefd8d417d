// SPDX-License-Identifier: GPL-3.0-or-later
#include "types.h"

#include <QMetaEnum>
#include <QVariantList>

namespace cpm {

QVariantMap Diagnostics::toVariantMap() const
{
    QVariantList errors;
    for (const Error& e : lastErrors) {
        errors.append(QVariantMap {
            { QStringLiteral("code"), e.name() }, { QStringLiteral("message"), e.message } });
    }
    return {
        { QStringLiteral("state"),
            QString::fromLatin1(QMetaEnum::fromType<ConnectionState>().valueToKey(int(state))) },
        { QStringLiteral("serverUrl"), serverUrl.toString() },
        { QStringLiteral("serverUrls"), QUrl::toStringList(serverUrls) },
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
        { QStringLiteral("guest"), guest },
        { QStringLiteral("lastErrors"), errors },
        { QStringLiteral("recoveredStore"), recoveredStore },
    };
}

Message::Status Message::statusOf(protocol::MessageState state)
{
    switch (state) {
    case protocol::MessageState::Sent:
        return Status::Sent;
    case protocol::MessageState::Delivered:
        return Status::Delivered;
    case protocol::MessageState::Displayed:
        return Status::Displayed;
    case protocol::MessageState::Expired:
        return Status::Expired;
    }
    return Status::Sent;
}

QString Message::statusName(Status status)
{
    switch (status) {
    case Status::Pending:
        return QStringLiteral("pending");
    case Status::Sent:
        return QStringLiteral("sent");
    case Status::Delivered:
        return QStringLiteral("delivered");
    case Status::Displayed:
        return QStringLiteral("displayed");
    case Status::Expired:
        return QStringLiteral("expired");
    case Status::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

protocol::Message Message::toWire() const
{
    protocol::Message m;
    m.id = id;
    m.clientId = clientId;
    m.from = from;
    m.to = to;
    m.subject = subject;
    m.body = body;
    m.time = time;
    m.folder = outgoing ? protocol::Folder::Sent : protocol::Folder::Inbox;
    m.read = read;
    m.session = session;
    m.attachments = attachments;
    m.route = route;
    switch (status) {
    case Status::Delivered:
        m.status = protocol::MessageState::Delivered;
        break;
    case Status::Displayed:
        m.status = protocol::MessageState::Displayed;
        break;
    case Status::Expired:
        m.status = protocol::MessageState::Expired;
        break;
    case Status::Pending:
    case Status::Sent:
    case Status::Failed:
        m.status = protocol::MessageState::Sent;
        break;
    }
    m.partial = partial;
    return m;
}

} // namespace cpm
