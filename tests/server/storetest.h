// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the store tests share: adding users and devices, and submitting a message the way
// the Router does (look for the clientId, then store), through the Store interface only,
// so the same steps run on SQLite and on PostgreSQL.

#include "must.h"
#include "store.h"

#include <QDateTime>

namespace cpm::test {

//! The answer of a submission as the Router would compute it from senderState().
enum class Outcome { Stored, Duplicate, Conflict, Failed };
struct Sent {
    Outcome outcome = Outcome::Failed;
    qint64 messageId = 0;
    qint64 seq = 0;
    qint64 time = 0;
    Error error;
};

inline qint64 addUser(server::Store& store, const QString& address)
{
    // The hash is opaque to the store; these tests never check a password.
    if (must(store.createUser(address, QByteArrayLiteral("$argon2id$test"), 1000))
        != server::Store::CreateUser::Created) {
        return 0;
    }
    const std::optional<server::UserRecord> user = must(store.userByAddress(address));
    return user ? user->id : 0;
}

inline Sent send(server::Store& store, qint64 from, const QString& to, const QString& clientId,
    const QString& body = QStringLiteral("hello"), server::Events* events = nullptr, qint64 now = 0)
{
    Sent sent;
    now = now > 0 ? now : QDateTime::currentMSecsSinceEpoch();
    const Result<std::optional<server::Store::SenderState>> sender
        = store.senderState(from, clientId, now / 86400000);
    if (!sender || !sender->has_value()) {
        sent.error
            = sender ? makeError(ErrorCode::NotFound, QStringLiteral("no sender")) : sender.error();
        return sent;
    }
    if (const auto& previous = (*sender)->previous) {
        const bool same = previous->to == to && previous->body == body;
        sent.outcome = same ? Outcome::Duplicate : Outcome::Conflict;
        sent.messageId = previous->messageId;
        sent.seq = previous->senderSeq;
        sent.time = previous->time;
        return sent;
    }
    const std::optional<server::UserRecord> recipient = must(store.userByAddress(to));
    if (!recipient) {
        sent.error = makeError(ErrorCode::NoSuchUser, to);
        return sent;
    }
    server::Store::NewMessage m;
    m.senderId = from;
    m.senderAddress = (*sender)->address;
    m.recipientId = recipient->id;
    m.recipientAddress = recipient->address;
    m.clientId = clientId;
    m.subject = QStringLiteral("subject");
    m.body = body;
    m.now = now;
    m.day = now / 86400000;
    const Result<server::Store::StoredMessage> stored = store.storeMessage(m, events);
    if (!stored) {
        sent.error = stored.error();
        sent.outcome
            = stored.error().code == ErrorCode::Conflict ? Outcome::Conflict : Outcome::Failed;
        return sent;
    }
    sent.outcome = Outcome::Stored;
    sent.messageId = stored->messageId;
    sent.seq = stored->senderSeq;
    sent.time = stored->time;
    return sent;
}

inline server::DeviceRecord addDevice(
    server::Store& store, qint64 userId, const QString& instance, const QString& kind)
{
    server::Store::NewDevice d;
    d.instanceId = instance;
    d.name = instance;
    d.kind = kind;
    d.tokenHash = QByteArray(32, 'x');
    return must(store.registerDevice(userId, d, 1000, nullptr));
}

} // namespace cpm::test
