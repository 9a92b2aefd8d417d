// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessiontext.h"

#include "client.h"
#include "conversationdelegate.h"

#include <QDateTime>

namespace cpm::ui {

using protocol::EndReason;

QString SessionText::peerName(const Client& client, const QString& address)
{
    for (const Contact& c : client.contacts().valueOr({})) {
        if (c.address.compare(address, Qt::CaseInsensitive) == 0 && !c.name.isEmpty()) {
            return c.name;
        }
    }
    return address;
}

QString SessionText::clock(qint64 ms)
{
    return ConversationDelegate::clockTime(QDateTime::fromMSecsSinceEpoch(ms).time());
}

QString SessionText::request(const Client& client, const Session& session)
{
    const QString name = peerName(client, session.peer);
    return session.subject.isEmpty() ? tr("%1 wants to chat now").arg(name)
                                     : tr("%1 wants to chat now — %2").arg(name, session.subject);
}

QString SessionText::ended(const Client& client, const Session& session)
{
    const bool byMe = session.endedBy.compare(client.address(), Qt::CaseInsensitive) == 0;
    const QString who = peerName(client, session.endedBy);
    switch (session.reason) {
    case EndReason::Declined:
        return byMe ? tr("Session request declined") : tr("Session declined by %1").arg(who);
    case EndReason::Cancelled:
        return byMe ? tr("Session request cancelled")
                    : tr("Session request cancelled by %1").arg(who);
    case EndReason::TimedOut:
        return tr("Session request timed out: nobody answered");
    case EndReason::Gone:
        return byMe ? tr("Session ended: your device went away")
                    : tr("Session ended: %1's device went away").arg(who);
    case EndReason::Ended:
    case EndReason::None:
        break;
    }
    return byMe ? tr("Session ended by you") : tr("Session ended by %1").arg(who);
}

} // namespace cpm::ui
