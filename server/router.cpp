// SPDX-License-Identifier: GPL-3.0-or-later
#include "router.h"

#include "argreader.h"
#include "clientconnection.h"
#include "liveconnections.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "request.h"
#include "server.h"

#include <QDateTime>

namespace cpm::server {

namespace {
namespace lim = protocol::limits;
using protocol::ArgReader;
constexpr qint64 DayMs = 24 * 3600 * 1000;
} // namespace

Router::Router(Server& server)
    : m_server(server)
{
}

void Router::addOperations(Operations& operations)
{
    operations.add(protocol::op::Send, true, [this](const Request& r) { send(r); });
}

void Router::send(const Request& request)
{
    ArgReader reader(request.args());
    const QString clientId = reader.string(QLatin1StringView("clientId"), lim::MaxClientIdChars);
    if (reader.ok() && !protocol::isValidClientId(clientId)) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'clientId' must be 1-64 characters of A-Z a-z 0-9 . _ -"));
    }
    const QString to = reader.address(QLatin1StringView("to"));
    const QString subject
        = reader.string(QLatin1StringView("subject"), lim::MaxSubjectChars, ArgReader::Optional);
    const QString body = reader.text(QLatin1StringView("body"), lim::MaxBodyBytes);
    const qint64 session = reader.integer(
        QLatin1StringView("session"), 0, protocol::MaxSafeInteger, ArgReader::Optional);
    const QStringList attachmentIds = reader.stringList(
        QLatin1StringView("attachments"), lim::MaxAttachmentsPerMessage, 32, ArgReader::Optional);
    for (qsizetype i = 0; reader.ok() && i < attachmentIds.size(); ++i) {
        if (!protocol::isAttachmentId(attachmentIds.at(i))
            || attachmentIds.indexOf(attachmentIds.at(i)) != i) {
            reader.fail(ErrorCode::BadRequest,
                QStringLiteral("field 'attachments' must list distinct attachment ids"));
        }
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Store& store = m_server.store();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 day = now / DayMs;
    const Result<std::optional<Store::SenderState>> found
        = store.senderState(request.userId(), clientId, day);
    if (!found) {
        request.fail(found.error());
        return;
    }
    if (!found->has_value()) {
        request.fail(ErrorCode::Internal, QStringLiteral("your account could not be read"));
        return;
    }
    const Store::SenderState& sender = **found;
    // Rights first (MSG-2): a disabled account sends nothing, not even a retry.
    if (!sender.enabled) {
        request.fail(
            ErrorCode::AccountDisabled, QStringLiteral("the operator disabled this account"));
        return;
    }
    auto answer = [&request](qint64 messageId, qint64 seq, qint64 time, bool duplicate) {
        request.replyText(
            QStringLiteral("\"messageId\":%1,\"seq\":%2,\"time\":%3,\"duplicate\":%4")
                .arg(messageId)
                .arg(seq)
                .arg(time)
                .arg(duplicate ? QLatin1StringView("true") : QLatin1StringView("false")));
    };
    if (sender.previous) {
        // Idempotency before the quota: a retry of a message that used the last unit of
        // quota must still get its original answer.
        const Store::SenderState::Previous& p = *sender.previous;
        if (p.to == to && p.subject == subject && p.body == body
            && p.attachmentIds == attachmentIds) {
            answer(p.messageId, p.senderSeq, p.time, true);
        } else {
            request.fail(ErrorCode::Conflict,
                QStringLiteral("clientId '%1' was used for a different message").arg(clientId));
        }
        return;
    }
    if (session != 0) {
        // SES-5: said in a session, from the device it is bound to, to its peer.
        if (const Result<void> may
            = m_server.sessions().checkSay(sender.id, request.connection().deviceId(), session, to);
            !may) {
            request.fail(may.error());
            return;
        }
    }
    const qint64 quota = store.settingInt(settings::QuotaDailyMessages);
    if (quota > 0 && sender.sentOnDay >= quota) {
        request.fail(ErrorCode::QuotaExceeded,
            QStringLiteral("the daily quota of %1 messages is used up").arg(quota));
        return;
    }
    // Addresses are stored as `to` reads now (lower case): the id is all the route needs.
    const Result<std::optional<qint64>> recipient = store.userIdByAddress(to);
    if (!recipient) {
        request.fail(recipient.error());
        return;
    }
    if (!recipient->has_value()) {
        request.fail(ErrorCode::NoSuchUser, QStringLiteral("there is no user %1").arg(to));
        return;
    }
    if (**recipient == sender.id) {
        // Every message has one sentbox and one inbox copy, in two users' storage.
        request.fail(
            ErrorCode::BadRequest, QStringLiteral("field 'to' must not be your own address"));
        return;
    }
    // MSG-7, MSG-8: kept for a recipient away from CPM, and maybe converted for e-mail/SMS.
    const Result<Interworking::Decision> decision = m_server.interworking().decide(**recipient);
    if (!decision) {
        request.fail(decision.error());
        return;
    }
    // MSG-1: only complete files of the sender's own storage.
    QList<protocol::Attachment> attachments;
    for (const QString& id : attachmentIds) {
        const Result<std::optional<std::pair<qint64, protocol::Attachment>>> a
            = store.attachment(id);
        if (!a) {
            request.fail(a.error());
            return;
        }
        if (!a->has_value() || (*a)->first != sender.id
            || (*a)->second.state != protocol::attachmentState::Complete) {
            request.fail(ErrorCode::NotFound,
                QStringLiteral("no complete attachment %1 in your storage").arg(id));
            return;
        }
        attachments.append((*a)->second.inMessage());
    }
    Store::NewMessage message;
    message.senderId = sender.id;
    message.senderAddress = sender.address;
    message.recipientId = **recipient;
    message.recipientAddress = to;
    message.clientId = clientId;
    message.subject = subject;
    message.body = body;
    message.now = now;
    message.day = day;
    message.session = session;
    message.attachments = attachments;
    message.route = decision->route;
    message.legacyNetwork = decision->network;
    message.legacyAddress = decision->address;
    Events events;
    const Result<Store::StoredMessage> stored = store.storeMessage(message, &events);
    if (!stored) {
        request.fail(stored.error());
        return;
    }
    // The answer, then the pushes; none leaves before the commit (Server::transmit).
    answer(stored->messageId, stored->senderSeq, stored->time, false);
    m_server.publish(events);
}

void Router::publish(const Events& events)
{
    const LiveConnections& live = m_server.live();
    for (const StoredEvent& event : events) {
        if (!live.hasUser(event.userId)) {
            continue; // nobody online: the devices get it when they sync
        }
        // A copy: a connection may close while handling an event.
        const QList<ClientConnection*> connections = live.ofUser(event.userId);
        RenderedEvent rendered;
        for (ClientConnection* c : connections) {
            c->handleEvent(event, &rendered);
        }
    }
}

} // namespace cpm::server
