// SPDX-License-Identifier: GPL-3.0-or-later
#include "mailbox.h"

#include "argreader.h"
#include "clientconnection.h"
#include "deliverypolicy.h"
#include "protocol.h"
#include "request.h"
#include "server.h"
#include "wirejson.h"

#include <QDateTime>

#include <algorithm>

namespace cpm::server {

namespace {
using protocol::ArgReader;

//! Reads `messageId`, or answers the request's error and returns 0.
qint64 messageIdOf(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 id = reader.integer(QLatin1StringView("messageId"), 1, protocol::MaxSafeInteger);
    if (!reader.ok()) {
        request.fail(reader.error());
        return 0;
    }
    return id;
}

Error noMessage(qint64 messageId)
{
    return makeError(
        ErrorCode::NotFound, QStringLiteral("no message %1 in your storage").arg(messageId));
}
} // namespace

void Mailbox::addOperations(Operations& operations)
{
    namespace op = protocol::op;
    operations.add(op::Sync, true, [this](const Request& r) { sync(r); });
    operations.add(op::Ack, true, [this](const Request& r) { ack(r); });
    operations.add(op::Fetch, true, [this](const Request& r) { fetch(r); });
    operations.add(op::Recent, true, [this](const Request& r) { recent(r); });
    operations.add(op::Read, true, [this](const Request& r) { read(r); });
    operations.add(op::Delete, true, [this](const Request& r) { remove(r); });
}

void Mailbox::sync(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 since = reader.integer(QLatin1StringView("since"), 0, protocol::MaxSafeInteger);
    const qint64 limit = reader.integer(QLatin1StringView("limit"), 1, protocol::limits::SyncBatch,
        ArgReader::Optional, protocol::limits::SyncBatch);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    ClientConnection& connection = request.connection();
    Store& store = m_server.store();
    const Result<std::optional<UserRecord>> user = store.userById(request.userId());
    if (!user) {
        request.fail(user.error());
        return;
    }
    if (!user->has_value()) {
        request.fail(ErrorCode::Internal, QStringLiteral("your account could not be read"));
        return;
    }
    const Result<QList<StoredEvent>> events
        = store.eventsAfter(request.userId(), since, static_cast<int>(limit));
    if (!events) {
        request.fail(events.error());
        return;
    }
    // The answer stops at `limit` events or before it would pass the frame limit, whichever
    // comes first. It always holds at least one event: every event fits on its own.
    QStringList texts;
    texts.reserve(events->size());
    qsizetype bytes = wire::SyncEnvelopeBytes;
    qint64 covered = since; // skipped events (not for this device, or about messages
                            // deleted since) still count: `next` covers everything scanned
    bool full = false;
    for (const StoredEvent& event : *events) {
        const DeliveryPolicy::View view
            = DeliveryPolicy::viewOf(event, connection.device().delivery);
        if (view != DeliveryPolicy::View::Skip) {
            QString text
                = DeliveryPolicy::render(event, view, connection.deviceId(), m_server.live());
            const qsizetype size = wire::utf8Size(text) + 1; // and its comma
            if (!texts.isEmpty() && bytes + size > protocol::limits::MaxFrameBytes) {
                full = true;
                break;
            }
            bytes += size;
            texts.append(std::move(text));
        }
        covered = event.seq;
    }
    const qint64 head = (*user)->headSeq;
    const bool more = full || (events->size() == limit && covered < head);
    // The head was read first: events another node committed since may follow it, and are
    // covered too.
    const qint64 next = more ? covered : std::max({ since, head, covered });
    // From here on pushes continue after `next`, gapless: an event that arrives after a gap
    // (another node's, not read here) has the connection read the ones between first.
    // A connection that is not caught up is not pushed.
    connection.setLive(!more, next);
    connection.sendText(wire::syncResponseText(request.id(), texts, next, head, more));
}

void Mailbox::ack(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 seq = reader.integer(QLatin1StringView("seq"), 0, protocol::MaxSafeInteger);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const ClientConnection& connection = request.connection();
    Events events;
    const Result<qint64> acked = m_server.store().ack(request.userId(), connection.deviceId(), seq,
        DeliveryPolicy::ackDelivers(connection.device().delivery), now(), &events);
    if (!acked) {
        request.fail(acked.error());
        return;
    }
    request.reply({ { QStringLiteral("acked"), *acked } });
    m_server.publish(events);
}

void Mailbox::fetch(const Request& request)
{
    const qint64 messageId = messageIdOf(request);
    if (messageId == 0) {
        return;
    }
    const Result<std::optional<protocol::Message>> message
        = m_server.store().message(request.userId(), messageId);
    if (!message) {
        request.fail(message.error());
        return;
    }
    if (!message->has_value()) {
        request.fail(noMessage(messageId));
        return;
    }
    request.reply({ { QStringLiteral("message"), (*message)->toJson() } });
}

void Mailbox::recent(const Request& request)
{
    // A device that has not synced yet shows the newest conversations with these while
    // its sync from the start goes on (GST-2); the stream brings them again, unchanged.
    ArgReader reader(request.args());
    const int limit = int(reader.integer(QLatin1StringView("limit"), 1, protocol::limits::MaxRecent,
        ArgReader::Optional, protocol::limits::DefaultRecent));
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Result<QList<protocol::Message>> found
        = m_server.store().recentMessages(request.userId(), limit + 1);
    if (!found) {
        request.fail(found.error());
        return;
    }
    const bool more = found->size() > limit;
    if (more) {
        found->removeLast();
    }
    // The device's delivery preference holds here as in the stream: a `notification`
    // device gets incoming messages without their bodies, a `none` device none of them.
    const QString& delivery = request.connection().device().delivery;
    QList<protocol::Message> page;
    page.reserve(found->size());
    for (protocol::Message& m : *found) {
        if (m.folder == protocol::Folder::Inbox) {
            if (delivery == protocol::delivery::None) {
                continue;
            }
            m.partial = delivery == protocol::delivery::Notification;
        }
        page.append(std::move(m));
    }
    request.replyText(wire::messagePageMembers(page, more));
}

void Mailbox::read(const Request& request)
{
    const qint64 messageId = messageIdOf(request);
    if (messageId == 0) {
        return;
    }
    Events events;
    const Result<Store::Change> change
        = m_server.store().markRead(request.userId(), messageId, now(), &events);
    if (!change) {
        request.fail(change.error());
        return;
    }
    if (*change == Store::Change::NotFound) {
        request.fail(noMessage(messageId));
        return;
    }
    request.reply(); // a second read changes nothing and says so by nothing
    m_server.publish(events);
}

void Mailbox::remove(const Request& request)
{
    const qint64 messageId = messageIdOf(request);
    if (messageId == 0) {
        return;
    }
    Events events;
    const Result<Store::Change> change
        = m_server.store().deleteMessage(request.userId(), messageId, now(), &events);
    if (!change) {
        request.fail(change.error());
        return;
    }
    if (*change == Store::Change::NotFound) {
        request.fail(noMessage(messageId)); // also a second delete: it is gone
        return;
    }
    request.reply();
    m_server.publish(events);
}

} // namespace cpm::server
