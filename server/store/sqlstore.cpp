// SPDX-License-Identifier: GPL-3.0-or-later
// What each store operation reads and writes, in SQL both SQLite and PostgreSQL run: one
// implementation of the Store for both databases (sqlstore.h).
#include "sqlstore.h"

#include "logging.h"
#include "operatorsettings.h"
#include "pgdatabase.h"
#include "protocol.h"
#include "sqlitedatabase.h"
#include "wirejson.h"

#include <QHash>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace cpm::server {

namespace {
namespace ev = protocol::event;
using protocol::MessageState;

// Columns in the order deviceFrom() reads them. A macro so that each statement stays one
// string literal: prepared statements are cached by the literal's address.
#define CPM_DEVICE_COLUMNS                                                                         \
    "id, user_id, instance_id, name, kind, capabilities, token_hash, delivery,"                    \
    " notify_sessions, acked_seq, last_seen, created, signed_out, guest, expires"
#define CPM_USER_COLUMNS "id, address, pwhash, enabled, status, status_text, head_seq, created"

template <typename Q> DeviceRecord deviceFrom(const Q& q)
{
    DeviceRecord r;
    r.device.id = q.int64(0);
    r.userId = q.int64(1);
    r.device.instanceId = q.text(2);
    r.device.name = q.text(3);
    r.device.kind = q.text(4);
    const QString caps = q.text(5);
    r.device.capabilities = caps.isEmpty() ? QStringList() : caps.split(QLatin1Char(','));
    r.tokenHash = q.blob(6);
    r.device.delivery = q.text(7);
    r.device.notifySessions = q.boolean(8);
    r.ackedSeq = q.int64(9);
    r.device.lastSeen = q.int64(10);
    r.created = q.int64(11);
    r.signedOut = q.isNull(12) ? 0 : q.int64(12);
    r.device.guest = q.boolean(13);
    r.device.expires = q.int64(14);
    return r;
}

template <typename Q> UserRecord userFrom(const Q& q)
{
    UserRecord u;
    u.id = q.int64(0);
    u.address = q.text(1);
    u.passwordHash = q.utf8(2); // crypto_pwhash_str() output: ASCII
    u.enabled = q.boolean(3);
    u.status.status = q.text(4);
    u.status.text = q.text(5);
    u.headSeq = q.int64(6);
    u.created = q.int64(7);
    return u;
}

// The stored form of a `device` event; `online` and `current` depend on who looks and
// when, so the DeliveryPolicy fills them in when the event is sent.
QJsonObject deviceData(const DeviceRecord& d, bool removed)
{
    return protocol::DeviceEvent { d.device, removed }.toJson();
}

Error noSuchUser(qint64 userId)
{
    return makeError(ErrorCode::StoreFailed, QStringLiteral("no user %1 in the store").arg(userId));
}
} // namespace

template <typename Db> qint64 SqlStore<Db>::settingInt(QLatin1StringView key)
{
    const settings::Definition* def = settings::find(key);
    const qint64 fallback = def ? def->defaultValue : 0;
    // A failed re-read keeps the values read before (loadSettings leaves them).
    [[maybe_unused]] const Result<void> loaded = loadSettings();
    const auto it = m_settings.constFind(QString(key));
    if (it == m_settings.constEnd()) {
        return fallback;
    }
    bool ok = false;
    const qint64 v = it.value().toLongLong(&ok);
    if (!ok || v < 0) {
        return fallback;
    }
    // `settings set` refuses more; a value written some other way is held to the maximum.
    return def ? std::min(v, def->maxValue) : v;
}

template <typename Db>
Result<void> SqlStore<Db>::setSetting(const QString& key, const QString& value)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    Query q(m_db,
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    q.bind(key, value);
    if (const Result<void> done = q.exec(); !done) {
        return done;
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed;
    }
    m_settings.insert(key, value);
    return {};
}

template <typename Db> Result<QMap<QString, QString>> SqlStore<Db>::settings()
{
    if (const Result<void> loaded = loadSettings(); !loaded) {
        return loaded.error();
    }
    return m_settings;
}

// --- users -----------------------------------------------------------------------------

template <typename Db>
Result<Store::CreateUser> SqlStore<Db>::createUser(
    const QString& address, const QByteArray& passwordHash, qint64 now)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        Query q(m_db, "SELECT 1 FROM users WHERE address = ?");
        q.bind(address);
        if (q.next()) {
            return CreateUser::Exists;
        }
        if (!q.ok()) {
            return q.error();
        }
    }
    Query q(m_db, "INSERT INTO users (address, pwhash, created) VALUES (?, ?, ?)");
    q.bind(address, QString::fromLatin1(passwordHash), now);
    if (const Result<void> done = q.exec(); !done) {
        return done.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return CreateUser::Created;
}

template <typename Db>
Result<std::optional<UserRecord>> SqlStore<Db>::userByAddress(const QString& address)
{
    Query q(m_db, "SELECT " CPM_USER_COLUMNS " FROM users WHERE address = ?");
    q.bind(address);
    if (q.next()) {
        return std::optional(userFrom(q));
    }
    return q.ok() ? Result<std::optional<UserRecord>>(std::nullopt)
                  : Result<std::optional<UserRecord>>(q.error());
}

template <typename Db>
Result<std::optional<qint64>> SqlStore<Db>::userIdByAddress(const QString& address)
{
    Query q(m_db, "SELECT id FROM users WHERE address = ?");
    q.bind(address);
    if (q.next()) {
        return std::optional(q.int64(0));
    }
    return q.ok() ? Result<std::optional<qint64>>(std::nullopt)
                  : Result<std::optional<qint64>>(q.error());
}

template <typename Db> Result<std::optional<UserRecord>> SqlStore<Db>::userById(qint64 id)
{
    Query q(m_db, "SELECT " CPM_USER_COLUMNS " FROM users WHERE id = ?");
    q.bind(id);
    if (q.next()) {
        return std::optional(userFrom(q));
    }
    return q.ok() ? Result<std::optional<UserRecord>>(std::nullopt)
                  : Result<std::optional<UserRecord>>(q.error());
}

template <typename Db>
Result<bool> SqlStore<Db>::setUserEnabled(const QString& address, bool enabled)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    Query q(m_db, "UPDATE users SET enabled = ? WHERE address = ?");
    q.bind(enabled, address);
    if (const Result<void> done = q.exec(); !done) {
        return done.error();
    }
    const bool changed = q.changes() > 0;
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return changed;
}

template <typename Db> Result<QList<UserRecord>> SqlStore<Db>::users()
{
    QList<UserRecord> out;
    Query q(m_db, "SELECT " CPM_USER_COLUMNS " FROM users ORDER BY address");
    while (q.next()) {
        out.append(userFrom(q));
    }
    return q.ok() ? Result<QList<UserRecord>>(out) : Result<QList<UserRecord>>(q.error());
}

template <typename Db> Result<QList<qint64>> SqlStore<Db>::disabledUserIds()
{
    QList<qint64> out;
    Query q(m_db, "SELECT id FROM users WHERE enabled = 0");
    while (q.next()) {
        out.append(q.int64(0));
    }
    return q.ok() ? Result<QList<qint64>>(out) : Result<QList<qint64>>(q.error());
}

// --- events ----------------------------------------------------------------------------

template <typename Db>
Result<void> SqlStore<Db>::insertEvent(qint64 userId, qint64 seq, QLatin1StringView kind,
    qint64 messageId, const QString& payload, qint64 now)
{
    Query q(m_db,
        "INSERT INTO events (user_id, seq, kind, message_id, payload, created)"
        " VALUES (?, ?, ?, NULLIF(?, 0), ?, ?)");
    q.bind(userId, seq, kind, messageId, payload, now);
    if (const Result<void> done = q.exec(); !done) {
        return done;
    }
    m_db.eventAppended(userId, seq);
    return {};
}

template <typename Db>
Result<qint64> SqlStore<Db>::appendEvent(qint64 userId, QLatin1StringView kind, qint64 messageId,
    const QJsonObject& data, qint64 now, Events* events)
{
    // Called inside a write transaction, so the head cannot move under us.
    qint64 seq = 0;
    {
        Query q(m_db, "UPDATE users SET head_seq = head_seq + 1 WHERE id = ? RETURNING head_seq");
        q.bind(userId);
        if (!q.next()) {
            return q.ok() ? noSuchUser(userId) : q.error();
        }
        seq = q.int64(0);
    }
    const QString payload = data.isEmpty()
        ? QStringLiteral("{}")
        : QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact));
    if (const Result<void> inserted = insertEvent(userId, seq, kind, messageId, payload, now);
        !inserted) {
        return inserted.error();
    }
    if (events) {
        StoredEvent e;
        e.userId = userId;
        e.seq = seq;
        e.kind = QString(kind);
        e.messageId = messageId;
        e.data = data;
        e.dataJson = payload;
        events->append(std::move(e));
    }
    return seq;
}

template <typename Db>
Result<QList<StoredEvent>> SqlStore<Db>::eventsAfter(qint64 userId, qint64 since, int limit)
{
    Query q(m_db,
        "SELECT e.seq, e.kind, e.message_id, e.payload, b.folder, b.read, b.status,"
        " m.client_id, m.from_addr, m.to_addr, m.subject, m.body, m.created, m.session_id,"
        " m.attachments, m.route FROM events e"
        " LEFT JOIN mailbox b ON b.user_id = e.user_id AND b.message_id = e.message_id"
        " LEFT JOIN messages m ON e.kind = 'message' AND m.id = b.message_id"
        " WHERE e.user_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?");
    q.bind(userId, since, limit);
    QList<StoredEvent> out;
    while (q.next()) {
        StoredEvent e;
        e.userId = userId;
        e.seq = q.int64(0);
        e.kind = q.text(1);
        e.messageId = q.isNull(2) ? 0 : q.int64(2);
        const bool stored = !q.isNull(4);
        e.messageGone = e.messageId > 0 && !stored;
        if (e.kind == ev::Message) {
            if (stored) {
                // The copy as it is now: a replayed message carries its current state.
                protocol::Message m;
                m.id = e.messageId;
                m.folder = protocol::folderFromName(q.text(4)).value_or(protocol::Folder::Inbox);
                m.read = q.boolean(5);
                m.status = protocol::stateFromName(q.text(6)).value_or(MessageState::Sent);
                m.clientId = q.text(7);
                m.from = q.text(8);
                m.to = q.text(9);
                m.subject = q.text(10);
                m.body = q.text(11);
                m.time = q.int64(12);
                m.session = q.isNull(13) ? 0 : q.int64(13);
                m.attachments = attachmentsOf(q, 14);
                m.route = protocol::routeFromName(q.text(15)).value_or(protocol::Route::Cpm);
                e.message = std::move(m);
            }
        } else {
            e.dataJson = q.text(3);
            e.data = QJsonDocument::fromJson(e.dataJson.toUtf8()).object();
        }
        out.append(std::move(e));
    }
    if (!q.ok()) {
        return q.error();
    }
    return out;
}

template <typename Db>
Result<qint64> SqlStore<Db>::ack(
    qint64 userId, qint64 deviceId, qint64 seq, bool delivers, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    const Result<std::optional<UserRecord>> user = userById(userId);
    if (!user) {
        return user.error();
    }
    const Result<std::optional<DeviceRecord>> device = deviceOf(userId, deviceId);
    if (!device) {
        return device.error();
    }
    if (!user->has_value() || !device->has_value()) {
        return makeError(ErrorCode::NotFound, QStringLiteral("no such device"));
    }
    // Never back, never past the head: an ack beyond what exists is clamped.
    const qint64 position = std::max((*device)->ackedSeq, std::min(seq, (*user)->headSeq));
    if (position > (*device)->ackedSeq) {
        Query u(m_db, "UPDATE devices SET acked_seq = ? WHERE id = ?");
        u.bind(position, deviceId);
        if (const Result<void> done = u.exec(); !done) {
            return done.error();
        }
    }
    if (delivers) {
        if (const Result<void> delivered
            = markDelivered((*user)->address, userId, position, now, events);
            !delivered) {
            return delivered.error();
        }
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return position;
}

template <typename Db>
Result<void> SqlStore<Db>::markDelivered(
    const QString& address, qint64 userId, qint64 position, qint64 now, Events* events)
{
    // A busy device's ack covers many messages at once (the reference client waits 100 ms
    // after an incoming one): a few set-based statements for all of them, not four
    // statements per message. Most acknowledgements
    // find nothing pending (another device of the user was first, or the position covers
    // only the user's own sent messages and reports): one probe of the pending index says
    // so before the statements below each scan it again.
    {
        Query q(m_db,
            "SELECT 1 FROM mailbox WHERE user_id = ? AND folder = 'inbox'"
            " AND delivered_at IS NULL AND event_seq <= ? LIMIT 1");
        q.bind(userId, position);
        if (!q.next()) {
            return q.ok() ? Result<void>() : Result<void>(q.error());
        }
    }
    // 1. The senders' copies that still say `sent` now say `delivered`; each is a report.
    QList<QPair<qint64, qint64>> reports; // message id, sender id
    // 0. Messages kept for a user away from CPM (MSG-7, MSG-8) reached her on CPM: a
    // conversion still pending is called off, and their route is cpm again (said in the
    // report). Only messages still `deferred`: one delivered by e-mail stays so.
    QSet<qint64> backOnCpm;
    {
        Query q(m_db,
            "UPDATE legacy_deliveries SET state = 'cancelled', finished = ?"
            " WHERE state = 'pending' AND recipient_id = ? AND message_id IN"
            " (SELECT message_id FROM mailbox WHERE user_id = ? AND folder = 'inbox'"
            " AND delivered_at IS NULL AND event_seq <= ?)");
        q.bind(now, userId, userId, position);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    {
        Query q(m_db,
            "UPDATE messages SET route = 'cpm' WHERE route = 'deferred' AND id IN"
            " (SELECT message_id FROM mailbox WHERE user_id = ? AND folder = 'inbox'"
            " AND delivered_at IS NULL AND event_seq <= ?) RETURNING id");
        q.bind(userId, position);
        while (q.next()) {
            backOnCpm.insert(q.int64(0));
        }
        if (!q.ok()) {
            return q.error();
        }
    }
    {
        Query q(m_db,
            "UPDATE mailbox SET status = 'delivered' WHERE folder = 'sent' AND status = 'sent'"
            " AND (user_id, message_id) IN (SELECT m.sender_id, b.message_id FROM mailbox b"
            " JOIN messages m ON m.id = b.message_id WHERE b.user_id = ? AND b.folder = 'inbox'"
            " AND b.delivered_at IS NULL AND b.event_seq <= ?)"
            " RETURNING message_id, user_id");
        q.bind(userId, position);
        while (q.next()) {
            reports.append({ q.int64(0), q.int64(1) });
        }
        if (!q.ok()) {
            return q.error();
        }
    }
    // 2. The user's copies are delivered: no longer pending, so expiry leaves them alone.
    {
        Query q(m_db,
            "UPDATE mailbox SET delivered_at = ?, status = CASE"
            " WHEN status = 'sent' THEN 'delivered' ELSE status END"
            " WHERE user_id = ? AND folder = 'inbox' AND delivered_at IS NULL AND event_seq <= ?");
        q.bind(now, userId, position);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    if (reports.isEmpty()) {
        return {};
    }
    // 3. One `report` per message, in the order the messages arrived, each sender's seqs
    // reserved with one statement.
    std::sort(reports.begin(), reports.end());
    QHash<qint64, qint64> nextSeq; // sender id -> first seq of the reserved block
    {
        QMap<qint64, qint64> counts; // in id order: two writers lock users alike
        for (const auto& report : std::as_const(reports)) {
            ++counts[report.second];
        }
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            Query q(
                m_db, "UPDATE users SET head_seq = head_seq + ? WHERE id = ? RETURNING head_seq");
            q.bind(it.value(), it.key());
            if (!q.next()) {
                return q.ok() ? noSuchUser(it.key()) : q.error();
            }
            nextSeq.insert(it.key(), q.int64(0) - it.value() + 1);
        }
    }
    // The payload as text, written once for the row and for every push of it
    // (wire::reportData, which a test holds equal to protocol::ReportEvent's codec).
    for (const auto& [messageId, senderId] : std::as_const(reports)) {
        const qint64 seq = nextSeq[senderId]++;
        protocol::ReportEvent report { messageId, MessageState::Delivered, address, now, {} };
        if (backOnCpm.contains(messageId)) {
            report.route = protocol::Route::Cpm;
        }
        const QString payload = wire::reportData(report);
        if (const Result<void> inserted
            = insertEvent(senderId, seq, ev::Report, messageId, payload, now);
            !inserted) {
            return inserted;
        }
        if (events) {
            StoredEvent e;
            e.userId = senderId;
            e.seq = seq;
            e.kind = QString(ev::Report);
            e.messageId = messageId;
            e.dataJson = payload;
            events->append(std::move(e));
        }
    }
    return {};
}

template <typename Db>
Result<void> SqlStore<Db>::setReport(qint64 senderId, qint64 messageId, MessageState status,
    std::initializer_list<MessageState> from, const QString& by, qint64 now, Events* events,
    std::optional<protocol::Route> route)
{
    // The sender's sentbox copy carries the state the sender sees; a state only moves
    // forward (sent -> delivered -> displayed), and each step is reported once.
    Q_ASSERT(from.size() >= 1 && from.size() <= 2);
    {
        Query q(m_db,
            "UPDATE mailbox SET status = ? WHERE user_id = ? AND message_id = ?"
            " AND folder = 'sent' AND status IN (?, ?)");
        q.bind(protocol::stateName(status), senderId, messageId, protocol::stateName(*from.begin()),
            protocol::stateName(*(from.end() - 1)));
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
        if (q.changes() == 0) {
            return {}; // the sender deleted the copy, or it was reported already
        }
    }
    const protocol::ReportEvent report { messageId, status, by, now, route };
    const Result<qint64> appended
        = appendEvent(senderId, ev::Report, messageId, report.toJson(), now, events);
    return appended ? Result<void>() : Result<void>(appended.error());
}

// --- devices ---------------------------------------------------------------------------

template <typename Db>
Result<DeviceRecord> SqlStore<Db>::registerDevice(
    qint64 userId, const NewDevice& device, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        // A known instance id keeps its id, delivery preference and position: the same
        // installation signing in again (also after a remote sign-out). The preferences
        // given at registration apply to a new device only.
        Query q(m_db,
            "INSERT INTO devices (user_id, instance_id, name, kind, capabilities, token_hash,"
            " delivery, notify_sessions, last_seen, created, guest, expires)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, instance_id) DO UPDATE SET name = excluded.name,"
            " kind = excluded.kind, capabilities = excluded.capabilities,"
            " token_hash = excluded.token_hash, last_seen = excluded.last_seen,"
            " signed_out = NULL, guest = excluded.guest, expires = excluded.expires");
        q.bind(userId, device.instanceId, device.name, device.kind,
            device.capabilities.join(QLatin1Char(',')), device.tokenHash,
            device.delivery.isEmpty() ? QString(protocol::delivery::Full) : device.delivery,
            device.notifySessions.value_or(true), now, now, device.guest, device.expires);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    std::optional<DeviceRecord> record;
    {
        Query q(m_db,
            "SELECT " CPM_DEVICE_COLUMNS " FROM devices WHERE user_id = ? AND instance_id = ?");
        q.bind(userId, device.instanceId);
        if (!q.next()) {
            return q.ok() ? makeError(ErrorCode::StoreFailed, QStringLiteral("device vanished"))
                          : q.error();
        }
        record = deviceFrom(q);
    }
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Device, 0, deviceData(*record, false), now, events);
        !appended) {
        return appended.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return *record;
}

template <typename Db>
Result<Store::SignOut> SqlStore<Db>::forgetDevice(
    qint64 userId, qint64 deviceId, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    const Result<std::optional<DeviceRecord>> found = deviceOf(userId, deviceId);
    if (!found) {
        return found.error();
    }
    if (!found->has_value()) {
        return SignOut::NotFound;
    }
    {
        Query q(m_db, "DELETE FROM devices WHERE id = ?");
        q.bind(deviceId);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Device, 0, deviceData(**found, true), now, events);
        !appended) {
        return appended.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return SignOut::Done;
}

template <typename Db> Result<QList<DeviceRecord>> SqlStore<Db>::guestDevices()
{
    Query q(m_db, "SELECT " CPM_DEVICE_COLUMNS " FROM devices WHERE guest = 1 ORDER BY expires");
    QList<DeviceRecord> out;
    while (q.next()) {
        out.append(deviceFrom(q));
    }
    return q.ok() ? Result<QList<DeviceRecord>>(out) : Result<QList<DeviceRecord>>(q.error());
}

template <typename Db> Result<std::optional<DeviceRecord>> SqlStore<Db>::deviceById(qint64 deviceId)
{
    Query q(m_db, "SELECT " CPM_DEVICE_COLUMNS " FROM devices WHERE id = ?");
    q.bind(deviceId);
    if (q.next()) {
        return std::optional(deviceFrom(q));
    }
    return q.ok() ? Result<std::optional<DeviceRecord>>(std::nullopt)
                  : Result<std::optional<DeviceRecord>>(q.error());
}

template <typename Db>
Result<std::optional<DeviceRecord>> SqlStore<Db>::deviceOf(qint64 userId, qint64 deviceId)
{
    Result<std::optional<DeviceRecord>> d = deviceById(deviceId);
    if (d && d->has_value() && (*d)->userId != userId) {
        return std::optional<DeviceRecord>();
    }
    return d;
}

template <typename Db>
Result<QList<DeviceRecord>> SqlStore<Db>::devices(qint64 userId, bool includeSignedOut)
{
    QList<DeviceRecord> out;
    Query q(m_db, "SELECT " CPM_DEVICE_COLUMNS " FROM devices WHERE user_id = ? ORDER BY id");
    q.bind(userId);
    while (q.next()) {
        DeviceRecord d = deviceFrom(q);
        if (includeSignedOut || d.isSignedIn()) {
            out.append(std::move(d));
        }
    }
    return q.ok() ? Result<QList<DeviceRecord>>(out) : Result<QList<DeviceRecord>>(q.error());
}

template <typename Db>
Result<std::optional<DeviceRecord>> SqlStore<Db>::updateDevice(
    qint64 userId, qint64 deviceId, const DeviceChange& change, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    Result<std::optional<DeviceRecord>> found = deviceOf(userId, deviceId);
    if (!found) {
        return found.error();
    }
    if (!found->has_value() || !(*found)->isSignedIn()) {
        return std::optional<DeviceRecord>();
    }
    DeviceRecord d = **found;
    if (change.name) {
        d.device.name = *change.name;
    }
    if (change.delivery) {
        d.device.delivery = *change.delivery;
    }
    if (change.notifySessions) {
        d.device.notifySessions = *change.notifySessions;
    }
    {
        Query q(
            m_db, "UPDATE devices SET name = ?, delivery = ?, notify_sessions = ? WHERE id = ?");
        q.bind(d.device.name, d.device.delivery, d.device.notifySessions, deviceId);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Device, 0, deviceData(d, false), now, events);
        !appended) {
        return appended.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return std::optional(d);
}

template <typename Db>
Result<Store::SignOut> SqlStore<Db>::signOutDevice(
    qint64 userId, qint64 deviceId, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    const Result<std::optional<DeviceRecord>> found = deviceOf(userId, deviceId);
    if (!found) {
        return found.error();
    }
    if (!found->has_value()) {
        return SignOut::NotFound;
    }
    DeviceRecord d = **found;
    if (!d.isSignedIn()) {
        return SignOut::AlreadySignedOut;
    }
    {
        // The token hash stays, so a login with the old token is told `device_signed_out`
        // rather than `auth_failed`; register replaces it.
        Query q(m_db, "UPDATE devices SET signed_out = ? WHERE id = ?");
        q.bind(now, deviceId);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    d.signedOut = now;
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Device, 0, deviceData(d, true), now, events);
        !appended) {
        return appended.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return SignOut::Done;
}

template <typename Db> Result<void> SqlStore<Db>::touchDevice(qint64 deviceId, qint64 now)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    Query q(m_db, "UPDATE devices SET last_seen = ? WHERE id = ?");
    q.bind(now, deviceId);
    if (const Result<void> done = q.exec(); !done) {
        return done;
    }
    return tx.commit();
}

// --- messages --------------------------------------------------------------------------

template <typename Db>
Result<std::optional<Store::SenderState>> SqlStore<Db>::senderState(
    qint64 userId, const QString& clientId, qint64 day)
{
    Query q(m_db,
        "SELECT u.id, u.address, u.enabled, u.quota_day, u.quota_count,"
        " m.id, m.to_addr, m.subject, m.body, m.created, m.sender_seq, m.attachments"
        " FROM users u LEFT JOIN messages m ON m.sender_id = u.id AND m.client_id = ?"
        " WHERE u.id = ?");
    q.bind(clientId, userId);
    if (!q.next()) {
        return q.ok() ? Result<std::optional<SenderState>>(std::nullopt)
                      : Result<std::optional<SenderState>>(q.error());
    }
    SenderState s;
    s.id = q.int64(0);
    s.address = q.text(1);
    s.enabled = q.boolean(2);
    s.sentOnDay = q.int64(3) == day ? q.int64(4) : 0;
    if (!q.isNull(5)) {
        s.previous = SenderState::Previous { q.int64(5), q.text(6), q.text(7), q.text(8),
            q.int64(9), q.int64(10), {} };
        for (const protocol::Attachment& a : attachmentsOf(q, 11)) {
            s.previous->attachmentIds.append(a.id);
        }
    }
    return std::optional(std::move(s));
}

template <typename Db>
Result<Store::StoredMessage> SqlStore<Db>::storeMessage(const NewMessage& m, Events* events)
{
    // The hot path of the server: seven short statements per message, each prepared once.
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    qint64 recipientSeq = 0;
    qint64 senderSeq = 0;
    const auto reserveRecipientSeq = [&]() -> Result<void> {
        Query q(m_db, "UPDATE users SET head_seq = head_seq + 1 WHERE id = ? RETURNING head_seq");
        q.bind(m.recipientId);
        if (!q.next()) {
            return q.ok() ? noSuchUser(m.recipientId) : q.error();
        }
        recipientSeq = q.int64(0);
        return {};
    };
    const auto reserveSenderSeq = [&]() -> Result<void> {
        // SET expressions see the row as it was, so the day is compared before it is set.
        Query q(m_db,
            "UPDATE users SET head_seq = head_seq + 1,"
            " quota_count = CASE WHEN quota_day = ? THEN quota_count + 1 ELSE 1 END,"
            " quota_day = ? WHERE id = ? RETURNING head_seq");
        q.bind(m.day, m.day, m.senderId);
        if (!q.next()) {
            return q.ok() ? noSuchUser(m.senderId) : q.error();
        }
        senderSeq = q.int64(0);
        return {};
    };
    // The two users' rows in id order: where writers run side by side (PostgreSQL, several
    // nodes), A->B and B->A at once would otherwise each hold the row the other waits for.
    const bool recipientFirst = m.recipientId < m.senderId;
    if (const Result<void> first = recipientFirst ? reserveRecipientSeq() : reserveSenderSeq();
        !first) {
        return first.error();
    }
    if (const Result<void> second = recipientFirst ? reserveSenderSeq() : reserveRecipientSeq();
        !second) {
        return second.error();
    }
    qint64 messageId = 0;
    {
        Query q(m_db,
            "INSERT INTO messages (sender_id, client_id, from_addr, to_addr, subject, body,"
            " created, sender_seq, session_id, attachments, route)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), NULLIF(?, ''), ?) RETURNING id");
        const QString attachments = m.attachments.isEmpty()
            ? QString()
            : QString::fromUtf8(QJsonDocument(protocol::attachmentsToJson(m.attachments))
                                    .toJson(QJsonDocument::Compact));
        q.bind(m.senderId, m.clientId, m.senderAddress, m.recipientAddress, m.subject, m.body,
            m.now, senderSeq, m.session, attachments, protocol::routeName(m.route));
        if (!q.next()) {
            // The one unique key a new message can break is (sender, clientId).
            if (q.ok()) {
                return makeError(ErrorCode::StoreFailed, QStringLiteral("no id for the message"));
            }
            return q.violatedUniqueKey() ? makeError(ErrorCode::Conflict,
                       QStringLiteral("clientId '%1' was used for a different message")
                           .arg(m.clientId))
                                         : q.error();
        }
        messageId = q.int64(0);
    }
    if (!m.legacyNetwork.isEmpty()) {
        // Queued with the message: a conversion is never lost between two writes.
        Query q(m_db,
            "INSERT INTO legacy_deliveries (message_id, recipient_id, network, address,"
            " next_attempt, created) VALUES (?, ?, ?, ?, ?, ?)");
        q.bind(messageId, m.recipientId, m.legacyNetwork, m.legacyAddress, m.now, m.now);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    for (const protocol::Attachment& a : m.attachments) {
        Query q(m_db,
            "INSERT INTO message_attachments (attachment_id, message_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING");
        q.bind(a.id, messageId);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    // One row per statement: a multi-row INSERT with foreign keys checked needs a statement
    // journal (a copy of every page it touches); single-row ones do not.
    auto addCopy = [&](qint64 userId, QLatin1StringView folder, qint64 seq) -> Result<void> {
        {
            Query q(m_db,
                "INSERT INTO mailbox (user_id, message_id, folder, event_seq, created)"
                " VALUES (?, ?, ?, ?, ?)");
            q.bind(userId, messageId, folder, seq, m.now);
            if (const Result<void> done = q.exec(); !done) {
                return done;
            }
        }
        Query q(m_db,
            "INSERT INTO events (user_id, seq, kind, message_id, payload, created)"
            " VALUES (?, ?, 'message', ?, '{}', ?)");
        q.bind(userId, seq, messageId, m.now);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
        m_db.eventAppended(userId, seq);
        return {};
    };
    if (const Result<void> in = addCopy(m.recipientId, QLatin1StringView("inbox"), recipientSeq);
        !in) {
        return in.error();
    }
    if (const Result<void> out = addCopy(m.senderId, QLatin1StringView("sent"), senderSeq); !out) {
        return out.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }

    if (events) {
        protocol::Message view;
        view.id = messageId;
        view.clientId = m.clientId;
        view.from = m.senderAddress;
        view.to = m.recipientAddress;
        view.subject = m.subject.isNull() ? QStringLiteral("") : m.subject;
        view.body = m.body;
        view.time = m.now;
        view.status = MessageState::Sent;
        view.session = m.session;
        view.attachments = m.attachments;
        view.route = m.route;
        StoredEvent in;
        in.userId = m.recipientId;
        in.seq = recipientSeq;
        in.kind = QString(ev::Message);
        in.messageId = messageId;
        in.message = view;
        in.message->folder = protocol::Folder::Inbox;
        StoredEvent out = in;
        out.userId = m.senderId;
        out.seq = senderSeq;
        out.message->folder = protocol::Folder::Sent;
        events->append(std::move(in));
        events->append(std::move(out));
    }
    return StoredMessage { messageId, senderSeq, m.now };
}

// --- Interworking (MSG-7, MSG-8) ------------------------------------------------------------

template <typename Db>
Result<void> SqlStore<Db>::setLegacyRegistration(
    qint64 userId, QStringView network, bool registered, qint64 now)
{
    if (registered) {
        Query q(m_db,
            "INSERT INTO legacy_registrations (user_id, network, since)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
        q.bind(userId, network.toString(), now);
        return q.exec();
    }
    Query q(m_db, "DELETE FROM legacy_registrations WHERE user_id = ? AND network = ?");
    q.bind(userId, network.toString());
    return q.exec();
}

template <typename Db> Result<QStringList> SqlStore<Db>::legacyRegistrations(qint64 userId)
{
    Query q(m_db, "SELECT network FROM legacy_registrations WHERE user_id = ? ORDER BY network");
    q.bind(userId);
    QStringList out;
    while (q.next()) {
        out.append(q.text(0));
    }
    return q.ok() ? Result<QStringList>(out) : Result<QStringList>(q.error());
}

// The columns legacyDeliveryFrom() reads first, in its order.
#define CPM_LEGACY_COLUMNS                                                                         \
    "d.id, d.message_id, d.recipient_id, d.network, d.address, d.state, d.attempts,"               \
    " d.next_attempt, d.last_error, d.created, d.finished"

namespace {
template <typename Q> Store::LegacyDelivery legacyDeliveryFrom(Q& q)
{
    Store::LegacyDelivery d;
    d.id = q.int64(0);
    d.messageId = q.int64(1);
    d.recipientId = q.int64(2);
    d.network = q.text(3);
    d.address = q.text(4);
    d.state = q.text(5);
    d.attempts = int(q.int64(6));
    d.nextAttempt = q.int64(7);
    d.lastError = q.text(8);
    d.created = q.int64(9);
    d.finished = q.isNull(10) ? 0 : q.int64(10);
    return d;
}
} // namespace

template <typename Db>
Result<QList<Store::LegacyDelivery>> SqlStore<Db>::dueLegacyDeliveries(qint64 now, int limit)
{
    Query q(m_db,
        "SELECT " CPM_LEGACY_COLUMNS ", m.client_id, m.from_addr, m.to_addr, m.subject, m.body,"
        " m.created, m.attachments FROM legacy_deliveries d JOIN messages m ON m.id = d.message_id"
        " WHERE d.state = 'pending' AND d.next_attempt <= ? ORDER BY d.next_attempt, d.id LIMIT ?");
    q.bind(now, limit);
    QList<LegacyDelivery> out;
    while (q.next()) {
        LegacyDelivery d = legacyDeliveryFrom(q);
        protocol::Message& m = d.message;
        m.id = d.messageId;
        m.folder = protocol::Folder::Inbox;
        m.clientId = q.text(11);
        m.from = q.text(12);
        m.to = q.text(13);
        m.subject = q.text(14);
        m.body = q.text(15);
        m.time = q.int64(16);
        m.attachments = attachmentsOf(q, 17);
        out.append(std::move(d));
    }
    return q.ok() ? Result<QList<LegacyDelivery>>(out) : Result<QList<LegacyDelivery>>(q.error());
}

template <typename Db>
Result<QList<Store::LegacyDelivery>> SqlStore<Db>::legacyDeliveries(qint64 userId, int limit)
{
    Query q(m_db,
        "SELECT " CPM_LEGACY_COLUMNS
        " FROM legacy_deliveries d JOIN messages m ON m.id = d.message_id"
        " WHERE ? = 0 OR d.recipient_id = ? OR m.sender_id = ? ORDER BY d.id DESC LIMIT ?");
    q.bind(userId, userId, userId, limit);
    QList<LegacyDelivery> out;
    while (q.next()) {
        out.append(legacyDeliveryFrom(q));
    }
    return q.ok() ? Result<QList<LegacyDelivery>>(out) : Result<QList<LegacyDelivery>>(q.error());
}

template <typename Db>
Result<bool> SqlStore<Db>::claimLegacyDelivery(qint64 deliveryId, qint64 now, qint64 leaseUntil)
{
    // One statement: of two nodes claiming at once, the second finds the row moved on.
    Query q(m_db,
        "UPDATE legacy_deliveries SET next_attempt = ?"
        " WHERE id = ? AND state = 'pending' AND next_attempt <= ?");
    q.bind(leaseUntil, deliveryId, now);
    if (const Result<void> done = q.exec(); !done) {
        return done.error();
    }
    return q.changes() == 1;
}

template <typename Db>
Result<void> SqlStore<Db>::postponeLegacyDeliveries(
    const QList<qint64>& deliveryIds, qint64 nextAttempt)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    for (const qint64 id : deliveryIds) {
        Query q(m_db,
            "UPDATE legacy_deliveries SET next_attempt = ? WHERE id = ? AND state = 'pending'");
        q.bind(nextAttempt, id);
        if (!q.exec()) {
            return q.error();
        }
    }
    return tx.commit();
}

template <typename Db>
Result<void> SqlStore<Db>::finishLegacyAttempt(qint64 deliveryId, bool delivered,
    const QString& error, qint64 nextAttempt, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    qint64 messageId = 0;
    QString network;
    {
        Query q(m_db,
            "UPDATE legacy_deliveries SET attempts = attempts + 1, state = ?, next_attempt = ?,"
            " last_error = CASE WHEN ? <> 0 THEN last_error ELSE ? END, finished = NULLIF(?, 0)"
            " WHERE id = ? AND state = 'pending' RETURNING message_id, network");
        const bool over = delivered || nextAttempt == 0;
        const QLatin1StringView state = delivered ? QLatin1StringView("sent")
            : over                                ? QLatin1StringView("failed")
                                                  : QLatin1StringView("pending");
        q.bind(state, nextAttempt, delivered, error, over ? now : qint64(0), deliveryId);
        if (!q.next()) {
            if (!q.ok()) {
                return q.error();
            }
            return tx.commit(); // no longer pending: nothing to record
        }
        messageId = q.int64(0);
        network = q.text(1);
    }
    if (delivered) {
        const protocol::Route route
            = network == QLatin1StringView("sms") ? protocol::Route::Sms : protocol::Route::Email;
        qint64 senderId = 0;
        QString recipient;
        {
            Query q(
                m_db, "UPDATE messages SET route = ? WHERE id = ? RETURNING sender_id, to_addr");
            q.bind(protocol::routeName(route), messageId);
            if (!q.next()) {
                return q.ok() ? Result<void>(makeError(ErrorCode::Internal,
                           QStringLiteral("message %1 is gone").arg(messageId)))
                              : Result<void>(q.error());
            }
            senderId = q.int64(0);
            recipient = q.text(1);
        }
        // The recipient's copy stays pending: it still reaches her devices when she is back
        // on CPM (with its route), and the sender learns now that it was delivered.
        if (const Result<void> reported = setReport(senderId, messageId, MessageState::Delivered,
                { MessageState::Sent }, recipient, now, events, route);
            !reported) {
            return reported;
        }
    }
    return tx.commit();
}

template <typename Db>
Result<std::optional<protocol::Message>> SqlStore<Db>::message(qint64 userId, qint64 messageId)
{
    Query q(m_db,
        "SELECT b.folder, b.read, b.status, m.client_id, m.from_addr,"
        " m.to_addr, m.subject, m.body, m.created, m.session_id, m.attachments, m.route"
        " FROM mailbox b"
        " JOIN messages m ON m.id = b.message_id"
        " WHERE b.user_id = ? AND b.message_id = ?");
    q.bind(userId, messageId);
    if (!q.next()) {
        return q.ok() ? Result<std::optional<protocol::Message>>(std::nullopt)
                      : Result<std::optional<protocol::Message>>(q.error());
    }
    protocol::Message m;
    m.id = messageId;
    m.folder = protocol::folderFromName(q.text(0)).value_or(protocol::Folder::Inbox);
    m.read = q.boolean(1);
    m.status = protocol::stateFromName(q.text(2)).value_or(MessageState::Sent);
    m.clientId = q.text(3);
    m.from = q.text(4);
    m.to = q.text(5);
    m.subject = q.text(6);
    m.body = q.text(7);
    m.time = q.int64(8);
    m.session = q.isNull(9) ? 0 : q.int64(9);
    m.attachments = attachmentsOf(q, 10);
    m.route = protocol::routeFromName(q.text(11)).value_or(protocol::Route::Cpm);
    return std::optional(std::move(m));
}

template <typename Db>
Result<Store::Change> SqlStore<Db>::markRead(
    qint64 userId, qint64 messageId, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    bool incoming = false;
    qint64 senderId = 0;
    {
        Query q(m_db,
            "SELECT b.folder, b.read, m.sender_id FROM mailbox b"
            " JOIN messages m ON m.id = b.message_id"
            " WHERE b.user_id = ? AND b.message_id = ?");
        q.bind(userId, messageId);
        if (!q.next()) {
            return q.ok() ? Result<Change>(Change::NotFound) : Result<Change>(q.error());
        }
        if (q.boolean(1)) {
            return Change::Unchanged; // read already: nothing new to tell anyone
        }
        incoming = q.text(0) == QLatin1StringView("inbox");
        senderId = q.int64(2);
    }
    {
        // Opening an incoming message also means it reached a device: it is no longer
        // pending, so expiry leaves it alone.
        Query q(m_db,
            "UPDATE mailbox SET read = 1,"
            " status = CASE WHEN ? <> 0 THEN 'displayed' ELSE status END,"
            " displayed_at = CASE WHEN ? <> 0 THEN ? ELSE displayed_at END,"
            " delivered_at = CASE WHEN ? <> 0 THEN COALESCE(delivered_at, ?) ELSE delivered_at END"
            " WHERE user_id = ? AND message_id = ?");
        q.bind(incoming, incoming, now, incoming, now, userId, messageId);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
    }
    if (const Result<qint64> appended = appendEvent(userId, ev::Flags, messageId,
            protocol::FlagsEvent { messageId, true }.toJson(), now, events);
        !appended) {
        return appended.error();
    }
    if (incoming) {
        const Result<std::optional<UserRecord>> reader = userById(userId);
        if (!reader) {
            return reader.error();
        }
        if (!reader->has_value()) {
            return noSuchUser(userId);
        }
        if (const Result<void> reported = setReport(senderId, messageId, MessageState::Displayed,
                { MessageState::Sent, MessageState::Delivered }, (*reader)->address, now, events);
            !reported) {
            return reported.error();
        }
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return Change::Done;
}

template <typename Db> Result<void> SqlStore<Db>::dropUnreferencedMessage(qint64 messageId)
{
    {
        // Nobody has the message any more: nobody may fetch its attachments through it.
        Query q(m_db,
            "DELETE FROM message_attachments WHERE message_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM mailbox WHERE message_id = ?)");
        q.bind(messageId, messageId);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    Query q(m_db,
        "DELETE FROM messages WHERE id = ?"
        " AND NOT EXISTS (SELECT 1 FROM mailbox WHERE message_id = ?)");
    q.bind(messageId, messageId);
    return q.exec();
}

template <typename Db>
Result<Store::Change> SqlStore<Db>::deleteMessage(
    qint64 userId, qint64 messageId, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        Query q(m_db, "DELETE FROM mailbox WHERE user_id = ? AND message_id = ?");
        q.bind(userId, messageId);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
        if (q.changes() == 0) {
            return Change::NotFound;
        }
    }
    const protocol::DeletedEvent deleted { messageId, protocol::DeletedEvent::Reason::User };
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Deleted, messageId, deleted.toJson(), now, events);
        !appended) {
        return appended.error();
    }
    if (const Result<void> dropped = dropUnreferencedMessage(messageId); !dropped) {
        return dropped.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return Change::Done;
}

template <typename Db>
Result<void> SqlStore<Db>::expireOne(qint64 userId, qint64 messageId, qint64 now, Events* events)
{
    {
        Query q(m_db,
            "DELETE FROM mailbox WHERE user_id = ? AND message_id = ?"
            " AND folder = 'inbox' AND delivered_at IS NULL");
        q.bind(userId, messageId);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
        if (q.changes() == 0) {
            return {}; // picked twice (by age and by count)
        }
    }
    qint64 senderId = 0;
    {
        Query q(m_db, "SELECT sender_id FROM messages WHERE id = ?");
        q.bind(messageId);
        if (!q.next()) {
            return q.ok() ? makeError(ErrorCode::StoreFailed, QStringLiteral("message vanished"))
                          : q.error();
        }
        senderId = q.int64(0);
    }
    const protocol::DeletedEvent expired { messageId, protocol::DeletedEvent::Reason::Expired };
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Deleted, messageId, expired.toJson(), now, events);
        !appended) {
        return appended.error();
    }
    const Result<std::optional<UserRecord>> recipient = userById(userId);
    if (!recipient) {
        return recipient.error();
    }
    if (!recipient->has_value()) {
        return noSuchUser(userId);
    }
    if (const Result<void> reported = setReport(senderId, messageId, MessageState::Expired,
            { MessageState::Sent }, (*recipient)->address, now, events);
        !reported) {
        return reported;
    }
    return dropUnreferencedMessage(messageId);
}

template <typename Db>
Result<int> SqlStore<Db>::expirePending(
    qint64 createdBefore, qint64 maxCount, qint64 now, Events* events)
{
    // Bounded work per call: the timer calls again next second for the rest.
    constexpr int Batch = 1000;
    QList<QPair<qint64, qint64>> victims; // user id, message id
    if (createdBefore > 0) {
        Query q(m_db,
            "SELECT user_id, message_id FROM mailbox"
            " WHERE folder = 'inbox' AND delivered_at IS NULL"
            " AND created < ? ORDER BY created LIMIT ?");
        q.bind(createdBefore, Batch);
        while (q.next()) {
            victims.append({ q.int64(0), q.int64(1) });
        }
        if (!q.ok()) {
            return q.error();
        }
    }
    if (maxCount > 0) {
        QList<QPair<qint64, qint64>> over; // user id, how many too many
        {
            Query q(m_db,
                "SELECT user_id, COUNT(*) FROM mailbox"
                " WHERE folder = 'inbox' AND delivered_at IS NULL"
                " GROUP BY user_id HAVING COUNT(*) > ?");
            q.bind(maxCount);
            while (q.next()) {
                over.append({ q.int64(0), q.int64(1) - maxCount });
            }
            if (!q.ok()) {
                return q.error();
            }
        }
        for (const auto& [userId, excess] : std::as_const(over)) {
            Query q(m_db,
                "SELECT message_id FROM mailbox WHERE user_id = ?"
                " AND folder = 'inbox' AND delivered_at IS NULL"
                " ORDER BY event_seq LIMIT ?");
            q.bind(userId, std::min<qint64>(excess, Batch));
            while (q.next()) {
                victims.append({ userId, q.int64(0) });
            }
            if (!q.ok()) {
                return q.error();
            }
        }
    }
    // A message can be due by age and by count at once.
    QSet<QPair<qint64, qint64>> seen;
    victims.removeIf([&seen](const QPair<qint64, qint64>& v) {
        if (seen.contains(v)) {
            return true;
        }
        seen.insert(v);
        return false;
    });
    if (victims.isEmpty()) {
        return 0;
    }
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    for (const auto& [userId, messageId] : std::as_const(victims)) {
        if (const Result<void> expired = expireOne(userId, messageId, now, events); !expired) {
            return expired.error();
        }
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    qCInfo(lcStore) << "expired" << victims.size() << "undelivered messages";
    return static_cast<int>(victims.size());
}

template <typename Db> Result<QList<qint64>> SqlStore<Db>::pendingMessageIds(qint64 userId)
{
    QList<qint64> out;
    Query q(m_db,
        "SELECT message_id FROM mailbox WHERE user_id = ?"
        " AND folder = 'inbox' AND delivered_at IS NULL ORDER BY event_seq");
    q.bind(userId);
    while (q.next()) {
        out.append(q.int64(0));
    }
    return q.ok() ? Result<QList<qint64>>(out) : Result<QList<qint64>>(q.error());
}

// --- profile ---------------------------------------------------------------------------

template <typename Db> Result<QList<protocol::Contact>> SqlStore<Db>::contacts(qint64 userId)
{
    QList<protocol::Contact> out;
    Query q(m_db, "SELECT address, name FROM contacts WHERE user_id = ? ORDER BY address");
    q.bind(userId);
    while (q.next()) {
        out.append({ q.text(0), q.text(1) });
    }
    return q.ok() ? Result<QList<protocol::Contact>>(out)
                  : Result<QList<protocol::Contact>>(q.error());
}

template <typename Db>
Result<void> SqlStore<Db>::addContact(
    qint64 userId, const protocol::Contact& contact, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        Query q(m_db,
            "INSERT INTO contacts (user_id, address, name) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, address) DO UPDATE SET name = excluded.name");
        q.bind(userId, contact.address, contact.name);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    const Result<qint64> appended = appendEvent(
        userId, ev::Contact, 0, protocol::ContactEvent { contact, false }.toJson(), now, events);
    if (!appended) {
        return appended.error();
    }
    return tx.commit();
}

template <typename Db>
Result<Store::Change> SqlStore<Db>::removeContact(
    qint64 userId, const QString& address, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        Query q(m_db, "DELETE FROM contacts WHERE user_id = ? AND address = ?");
        q.bind(userId, address);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
        if (q.changes() == 0) {
            return Change::Unchanged;
        }
    }
    const protocol::ContactEvent removed { { address, QStringLiteral("") }, true };
    if (const Result<qint64> appended
        = appendEvent(userId, ev::Contact, 0, removed.toJson(), now, events);
        !appended) {
        return appended.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return Change::Done;
}

template <typename Db>
Result<void> SqlStore<Db>::setStatus(
    qint64 userId, const protocol::Status& status, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        Query q(m_db, "UPDATE users SET status = ?, status_text = ? WHERE id = ?");
        q.bind(status.status, status.text, userId);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    const Result<qint64> appended
        = appendEvent(userId, ev::Status, 0, status.toJson(), now, events);
    if (!appended) {
        return appended.error();
    }
    return tx.commit();
}

template <typename Db>
Result<void> SqlStore<Db>::setPref(
    qint64 userId, const QString& key, const QString& value, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    {
        Query q(m_db,
            "INSERT INTO prefs (user_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value");
        q.bind(userId, key, value);
        if (const Result<void> done = q.exec(); !done) {
            return done;
        }
    }
    const Result<qint64> appended = appendEvent(
        userId, ev::Pref, 0, protocol::PrefEvent { key, value }.toJson(), now, events);
    if (!appended) {
        return appended.error();
    }
    return tx.commit();
}

template <typename Db> Result<QMap<QString, QString>> SqlStore<Db>::prefs(qint64 userId)
{
    QMap<QString, QString> out;
    Query q(m_db, "SELECT key, value FROM prefs WHERE user_id = ?");
    q.bind(userId);
    while (q.next()) {
        out.insert(q.text(0), q.text(1));
    }
    return q.ok() ? Result<QMap<QString, QString>>(out) : Result<QMap<QString, QString>>(q.error());
}

// --- chat sessions -----------------------------------------------------------------------

#define CPM_SESSION_COLUMNS                                                                        \
    "s.id, s.inviter_id, ui.address, s.invitee_id, ue.address, s.subject, s.state, s.reason,"      \
    " s.ended_by, s.created, s.started, s.ended, s.inviter_device, s.invitee_device,"              \
    " s.invited_devices, s.inviter_history, s.inviter_history_from, s.inviter_history_upto,"       \
    " s.invitee_history, s.invitee_history_from, s.invitee_history_upto, s.version"                \
    " FROM sessions s JOIN users ui ON ui.id = s.inviter_id JOIN users ue ON ue.id = s.invitee_id"

namespace {
template <typename Q> SessionRecord sessionFrom(const Q& q)
{
    SessionRecord s;
    s.id = q.int64(0);
    s.inviter.userId = q.int64(1);
    s.inviter.address = q.text(2);
    s.invitee.userId = q.int64(3);
    s.invitee.address = q.text(4);
    s.subject = q.text(5);
    s.state = protocol::sessionStateFromName(q.text(6)).value_or(protocol::SessionState::Ended);
    s.reason = protocol::endReasonFromName(q.text(7)).value_or(protocol::EndReason::Ended);
    s.endedBy = q.int64(8);
    s.createdAt = q.int64(9);
    s.startedAt = q.int64(10);
    s.endedAt = q.int64(11);
    s.inviter.device = q.int64(12);
    s.invitee.device = q.int64(13);
    const QStringList invited = q.text(14).split(u',', Qt::SkipEmptyParts);
    for (const QString& id : invited) {
        s.invitedDevices.append(id.toLongLong());
    }
    const auto history = [&q](int column) {
        return protocol::HistoryChoice::fromString(q.text(column))
            .value_or(protocol::HistoryChoice {});
    };
    s.inviter.history = history(15);
    s.inviter.historyFrom = q.int64(16);
    s.inviter.historyUpTo = q.int64(17);
    s.invitee.history = history(18);
    s.invitee.historyFrom = q.int64(19);
    s.invitee.historyUpTo = q.int64(20);
    s.version = q.int64(21);
    return s;
}

QString joinIds(const QList<qint64>& ids)
{
    QStringList out;
    out.reserve(ids.size());
    for (qint64 id : ids) {
        out.append(QString::number(id));
    }
    return out.join(u',');
}
} // namespace

template <typename Db>
Result<void> SqlStore<Db>::appendSessionEvents(
    const SessionRecord& written, const SessionEventRenderer& render, qint64 now, Events* events)
{
    const QList<std::pair<qint64, QJsonObject>> out = render(written);
    for (const auto& [userId, data] : out) {
        if (const Result<qint64> appended
            = appendEvent(userId, protocol::event::Session, 0, data, now, events);
            !appended) {
            return appended.error();
        }
    }
    return {};
}

template <typename Db>
Result<SessionRecord> SqlStore<Db>::createSession(
    const SessionRecord& session, const SessionEventRenderer& render, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    SessionRecord written = session;
    written.version = 1;
    {
        Query q(m_db,
            "INSERT INTO sessions (inviter_id, invitee_id, subject, state, reason, ended_by,"
            " created, started, ended, inviter_device, invitee_device, invited_devices,"
            " inviter_history, inviter_history_from, inviter_history_upto, invitee_history,"
            " invitee_history_from, invitee_history_upto, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id");
        q.bind(written.inviter.userId, written.invitee.userId, written.subject,
            protocol::sessionStateName(written.state), protocol::endReasonName(written.reason),
            written.endedBy, written.createdAt, written.startedAt, written.endedAt,
            written.inviter.device, written.invitee.device, joinIds(written.invitedDevices),
            written.inviter.history.toString(), written.inviter.historyFrom,
            written.inviter.historyUpTo, written.invitee.history.toString(),
            written.invitee.historyFrom, written.invitee.historyUpTo);
        if (!q.next()) {
            return q.ok()
                ? makeError(ErrorCode::StoreFailed, QStringLiteral("no id for the session"))
                : q.error();
        }
        written.id = q.int64(0);
    }
    if (const Result<void> told = appendSessionEvents(written, render, now, events); !told) {
        return told.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return written;
}

template <typename Db>
Result<bool> SqlStore<Db>::updateSession(SessionRecord next, qint64 expectedVersion,
    const SessionEventRenderer& render, qint64 now, Events* events)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        return tx.error();
    }
    next.version = expectedVersion + 1;
    {
        Query q(m_db,
            "UPDATE sessions SET subject = ?, state = ?, reason = ?, ended_by = ?, started = ?,"
            " ended = ?, inviter_device = ?, invitee_device = ?, invited_devices = ?,"
            " inviter_history = ?, inviter_history_from = ?, inviter_history_upto = ?,"
            " invitee_history = ?, invitee_history_from = ?, invitee_history_upto = ?,"
            " version = ? WHERE id = ? AND version = ?");
        q.bind(next.subject, protocol::sessionStateName(next.state),
            protocol::endReasonName(next.reason), next.endedBy, next.startedAt, next.endedAt,
            next.inviter.device, next.invitee.device, joinIds(next.invitedDevices),
            next.inviter.history.toString(), next.inviter.historyFrom, next.inviter.historyUpTo,
            next.invitee.history.toString(), next.invitee.historyFrom, next.invitee.historyUpTo,
            next.version, next.id, expectedVersion);
        if (const Result<void> done = q.exec(); !done) {
            return done.error();
        }
        if (q.changes() == 0) {
            return false; // decided by someone else meanwhile
        }
    }
    if (const Result<void> told = appendSessionEvents(next, render, now, events); !told) {
        return told.error();
    }
    if (const Result<void> committed = tx.commit(); !committed) {
        return committed.error();
    }
    return true;
}

template <typename Db> Result<std::optional<SessionRecord>> SqlStore<Db>::session(qint64 id)
{
    Query q(m_db, "SELECT " CPM_SESSION_COLUMNS " WHERE s.id = ?");
    q.bind(id);
    if (!q.next()) {
        return q.ok() ? Result<std::optional<SessionRecord>>(std::nullopt)
                      : Result<std::optional<SessionRecord>>(q.error());
    }
    return std::optional(sessionFrom(q));
}

template <typename Db> Result<QList<SessionRecord>> SqlStore<Db>::openSessions(qint64 userId)
{
    Query q(m_db,
        "SELECT " CPM_SESSION_COLUMNS " WHERE s.state != 'ended'"
        " AND (? = 0 OR s.inviter_id = ? OR s.invitee_id = ?) ORDER BY s.id");
    q.bind(userId, userId, userId);
    QList<SessionRecord> out;
    while (q.next()) {
        out.append(sessionFrom(q));
    }
    return q.ok() ? Result<QList<SessionRecord>>(out) : Result<QList<SessionRecord>>(q.error());
}

// A user's copies of the messages exchanged with one peer: received from them, or sent to
// them. The mailbox's key (user_id, message_id) walks them newest first.
// The columns readPage() reads, in its order.
#define CPM_PAGE_COLUMNS                                                                           \
    "b.message_id, b.folder, b.read, b.status, m.client_id, m.from_addr, m.to_addr, m.subject,"    \
    " m.body, m.created, m.session_id, m.attachments, m.route"
#define CPM_CONVERSATION_FILTER                                                                    \
    " FROM mailbox b JOIN messages m ON m.id = b.message_id WHERE b.user_id = ?"                   \
    " AND ((b.folder = 'inbox' AND m.from_addr = ?) OR (b.folder = 'sent' AND m.to_addr = ?))"

template <typename Db>
Result<std::pair<qint64, qint64>> SqlStore<Db>::conversationBounds(
    qint64 userId, const QString& peer, int n)
{
    qint64 newest = 0;
    {
        Query q(m_db, "SELECT MAX(b.message_id)" CPM_CONVERSATION_FILTER);
        q.bind(userId, peer, peer);
        if (!q.next()) {
            return q.ok() ? Result<std::pair<qint64, qint64>>(std::pair<qint64, qint64>(0, 0))
                          : Result<std::pair<qint64, qint64>>(q.error());
        }
        newest = q.isNull(0) ? 0 : q.int64(0);
    }
    if (n <= 0 || newest == 0) {
        return std::pair<qint64, qint64>(newest, 0);
    }
    Query q(m_db,
        "SELECT b.message_id" CPM_CONVERSATION_FILTER
        " ORDER BY b.message_id DESC LIMIT 1 OFFSET ?");
    q.bind(userId, peer, peer, n - 1);
    if (!q.next()) {
        return q.ok() ? Result<std::pair<qint64, qint64>>(std::pair<qint64, qint64>(newest, 0))
                      : Result<std::pair<qint64, qint64>>(q.error());
    }
    return std::pair<qint64, qint64>(newest, q.int64(0));
}

template <typename Db>
Result<QList<protocol::Message>> SqlStore<Db>::conversation(const ConversationQuery& c)
{
    Query q(m_db,
        "SELECT " CPM_PAGE_COLUMNS CPM_CONVERSATION_FILTER
        " AND b.message_id >= ? AND b.message_id <= ? AND (? = 0 OR b.message_id < ?)"
        " AND (? = 0 OR m.session_id = ?) ORDER BY b.message_id DESC LIMIT ?");
    q.bind(c.userId, c.peer, c.peer, c.fromId, c.upToId, c.beforeId, c.beforeId, c.sessionId,
        c.sessionId, c.limit);
    return readPage(q);
}

template <typename Db>
Result<QList<protocol::Message>> SqlStore<Db>::recentMessages(qint64 userId, int limit)
{
    Query q(m_db,
        "SELECT " CPM_PAGE_COLUMNS " FROM mailbox b JOIN messages m ON m.id = b.message_id"
        " WHERE b.user_id = ? AND b.folder IN ('inbox', 'sent')"
        " ORDER BY b.message_id DESC LIMIT ?");
    q.bind(userId, limit);
    return readPage(q);
}

template <typename Db> Result<QList<protocol::Message>> SqlStore<Db>::readPage(Query& q)
{
    QList<protocol::Message> out;
    while (q.next()) {
        protocol::Message m;
        m.id = q.int64(0);
        m.folder = protocol::folderFromName(q.text(1)).value_or(protocol::Folder::Inbox);
        m.read = q.boolean(2);
        m.status = protocol::stateFromName(q.text(3)).value_or(MessageState::Sent);
        m.clientId = q.text(4);
        m.from = q.text(5);
        m.to = q.text(6);
        m.subject = q.text(7);
        m.body = q.text(8);
        m.time = q.int64(9);
        m.session = q.isNull(10) ? 0 : q.int64(10);
        m.attachments = attachmentsOf(q, 11);
        m.route = protocol::routeFromName(q.text(12)).value_or(protocol::Route::Cpm);
        out.append(std::move(m));
    }
    return q.ok() ? Result<QList<protocol::Message>>(out)
                  : Result<QList<protocol::Message>>(q.error());
}

// --- attachments (MSG-1) ----------------------------------------------------------------------

#define CPM_ATTACHMENT_COLUMNS "id, name, type, size, sha256, state, created"

namespace {
template <typename Q> protocol::Attachment attachmentFrom(Q& q, int first = 0)
{
    protocol::Attachment a;
    a.id = q.text(first);
    a.name = q.text(first + 1);
    a.type = q.text(first + 2);
    a.size = q.int64(first + 3);
    a.sha256 = q.text(first + 4);
    a.state = q.text(first + 5);
    a.time = q.int64(first + 6);
    return a;
}

template <typename Q> Result<QList<protocol::Attachment>> readAttachments(Q& q)
{
    QList<protocol::Attachment> out;
    while (q.next()) {
        out.append(attachmentFrom(q));
    }
    return q.ok() ? Result<QList<protocol::Attachment>>(out)
                  : Result<QList<protocol::Attachment>>(q.error());
}
} // namespace

template <typename Db> QList<protocol::Attachment> SqlStore<Db>::attachmentsOf(Query& q, int column)
{
    if (q.isNull(column)) {
        return {};
    }
    // Written by storeMessage() from checked objects; a damaged value reads as none.
    Result<QList<protocol::Attachment>> list
        = protocol::attachmentsFromJson(QJsonDocument::fromJson(q.text(column).toUtf8()).array());
    return list ? std::move(list).value() : QList<protocol::Attachment>();
}

template <typename Db>
Result<void> SqlStore<Db>::createAttachment(qint64 ownerId, const protocol::Attachment& a)
{
    Query q(m_db,
        "INSERT INTO attachments (" CPM_ATTACHMENT_COLUMNS ", owner_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(a.id, a.name, a.type, a.size, a.sha256, a.state, a.time, ownerId);
    return q.exec();
}

template <typename Db>
Result<std::optional<std::pair<qint64, protocol::Attachment>>> SqlStore<Db>::attachment(
    const QString& id)
{
    using Found = std::optional<std::pair<qint64, protocol::Attachment>>;
    Query q(m_db, "SELECT " CPM_ATTACHMENT_COLUMNS ", owner_id FROM attachments WHERE id = ?");
    q.bind(id);
    if (!q.next()) {
        return q.ok() ? Result<Found>(std::nullopt) : Result<Found>(q.error());
    }
    return Found(std::pair(q.int64(7), attachmentFrom(q)));
}

template <typename Db>
Result<std::optional<protocol::Attachment>> SqlStore<Db>::findAttachment(
    qint64 ownerId, const QString& name, const QString& type, qint64 size, const QString& sha256)
{
    using Found = std::optional<protocol::Attachment>;
    Query q(m_db,
        "SELECT " CPM_ATTACHMENT_COLUMNS " FROM attachments WHERE owner_id = ? AND sha256 = ?"
        " AND size = ? AND name = ? AND type = ? AND state <> 'deleted'"
        " ORDER BY state = 'complete' DESC LIMIT 1");
    q.bind(ownerId, sha256, size, name, type);
    if (!q.next()) {
        return q.ok() ? Result<Found>(std::nullopt) : Result<Found>(q.error());
    }
    return Found(attachmentFrom(q));
}

template <typename Db>
Result<void> SqlStore<Db>::setAttachmentState(const QString& id, QLatin1StringView state)
{
    Query q(m_db, "UPDATE attachments SET state = ? WHERE id = ?");
    q.bind(state, id);
    return q.exec();
}

template <typename Db> Result<QList<protocol::Attachment>> SqlStore<Db>::files(qint64 ownerId)
{
    Query q(m_db,
        "SELECT " CPM_ATTACHMENT_COLUMNS " FROM attachments"
        " WHERE owner_id = ? AND state <> 'deleted' ORDER BY created DESC, id");
    q.bind(ownerId);
    return readAttachments(q);
}

template <typename Db> Result<qint64> SqlStore<Db>::storageUsed(qint64 ownerId)
{
    Query q(m_db,
        "SELECT COALESCE(SUM(size), 0) FROM attachments WHERE owner_id = ? AND state <> 'deleted'");
    q.bind(ownerId);
    if (!q.next()) {
        return q.ok() ? Result<qint64>(0) : Result<qint64>(q.error());
    }
    return q.int64(0);
}

template <typename Db> Result<bool> SqlStore<Db>::mayFetch(qint64 userId, const QString& id)
{
    Query q(m_db,
        "SELECT 1 FROM attachments a WHERE a.id = ? AND a.state = 'complete'"
        " AND (a.owner_id = ? OR EXISTS (SELECT 1 FROM message_attachments ma"
        " JOIN mailbox b ON b.message_id = ma.message_id"
        " WHERE ma.attachment_id = a.id AND b.user_id = ?))");
    q.bind(id, userId, userId);
    const bool found = q.next();
    return q.ok() ? Result<bool>(found) : Result<bool>(q.error());
}

template <typename Db>
Result<QList<protocol::Attachment>> SqlStore<Db>::uploadsBegunBefore(qint64 before, int limit)
{
    Query q(m_db,
        "SELECT " CPM_ATTACHMENT_COLUMNS " FROM attachments"
        " WHERE state = 'uploading' AND created < ? ORDER BY created LIMIT ?");
    q.bind(before, limit);
    return readAttachments(q);
}

#undef CPM_ATTACHMENT_COLUMNS
#undef CPM_CONVERSATION_FILTER
#undef CPM_PAGE_COLUMNS
#undef CPM_SESSION_COLUMNS
#undef CPM_DEVICE_COLUMNS
#undef CPM_USER_COLUMNS

template class SqlStore<SqliteDatabase>;
template class SqlStore<PgDatabase>;

} // namespace cpm::server
