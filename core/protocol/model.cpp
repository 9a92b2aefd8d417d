// SPDX-License-Identifier: GPL-3.0-or-later
#include "model.h"

#include "argreader.h"
#include "protocol.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace cpm::protocol {

namespace {
using A = ArgReader;
constexpr qint64 MaxId = MaxSafeInteger;

// The reader's first problem, named after the object it was found in.
Error malformed(const A& reader, QLatin1StringView what)
{
    return makeError(
        ErrorCode::BadFrame, QStringLiteral("malformed %1: %2").arg(what, reader.error().message));
}

QJsonValue nullable(const QString& s) { return s.isNull() ? QJsonValue(QJsonValue::Null) : s; }
} // namespace

QLatin1StringView folderName(Folder folder)
{
    return folder == Folder::Sent ? QLatin1StringView("sent") : QLatin1StringView("inbox");
}

std::optional<Folder> folderFromName(QStringView name)
{
    if (name == QLatin1StringView("inbox")) {
        return Folder::Inbox;
    }
    if (name == QLatin1StringView("sent")) {
        return Folder::Sent;
    }
    return std::nullopt;
}

QLatin1StringView stateName(MessageState state)
{
    switch (state) {
    case MessageState::Sent:
        return report::Sent;
    case MessageState::Delivered:
        return report::Delivered;
    case MessageState::Displayed:
        return report::Displayed;
    case MessageState::Expired:
        return report::Expired;
    }
    return report::Sent;
}

std::optional<MessageState> stateFromName(QStringView name)
{
    for (const MessageState s : { MessageState::Sent, MessageState::Delivered,
             MessageState::Displayed, MessageState::Expired }) {
        if (name == stateName(s)) {
            return s;
        }
    }
    return std::nullopt;
}

bool stateAdvances(MessageState current, MessageState next)
{
    if (next == MessageState::Expired) {
        return current == MessageState::Sent; // a delivered message did not expire
    }
    auto rank = [](MessageState s) {
        switch (s) {
        case MessageState::Sent:
            return 1;
        case MessageState::Delivered:
        case MessageState::Expired:
            return 2;
        case MessageState::Displayed:
            return 3;
        }
        return 0;
    };
    return rank(next) > rank(current);
}

// --- Message ---------------------------------------------------------------------------

Message Message::withoutBody() const
{
    Message m = *this;
    m.body = QString();
    m.partial = true;
    return m;
}

QJsonObject Message::toJson() const
{
    return QJsonObject {
        { QStringLiteral("id"), id },
        { QStringLiteral("clientId"), clientId },
        { QStringLiteral("from"), from },
        { QStringLiteral("to"), to },
        { QStringLiteral("subject"), subject.isNull() ? QStringLiteral("") : subject },
        { QStringLiteral("body"), partial ? QJsonValue(QJsonValue::Null) : nullable(body) },
        { QStringLiteral("time"), time },
        { QStringLiteral("folder"), folderName(folder) },
        { QStringLiteral("read"), read },
        { QStringLiteral("status"), stateName(status) },
        { QStringLiteral("partial"), partial || body.isNull() },
    };
}

Result<Message> Message::fromJson(const QJsonObject& o)
{
    A r(o);
    Message m;
    m.id = r.integer(QLatin1StringView("id"), 1, MaxId);
    m.clientId = r.string(QLatin1StringView("clientId"), limits::MaxClientIdChars, A::Optional);
    m.from = r.string(QLatin1StringView("from"), limits::MaxAddressChars);
    m.to = r.string(QLatin1StringView("to"), limits::MaxAddressChars);
    m.subject = r.string(QLatin1StringView("subject"), limits::MaxSubjectChars, A::Optional);
    m.body = r.text(QLatin1StringView("body"), limits::MaxBodyBytes, A::Optional);
    m.time = r.integer(QLatin1StringView("time"), 0, MaxId);
    const QString folder = r.string(QLatin1StringView("folder"), 16);
    m.read = r.boolean(QLatin1StringView("read"), A::Optional);
    const QString status = r.string(QLatin1StringView("status"), 16, A::Optional);
    m.partial = r.boolean(QLatin1StringView("partial"), A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("message"));
    }
    const std::optional<Folder> f = folderFromName(folder);
    if (!f) {
        r.fail(ErrorCode::BadRequest, QStringLiteral("field 'folder' must be inbox or sent"));
        return malformed(r, QLatin1StringView("message"));
    }
    m.folder = *f;
    // A state a newer server invented reads as the earliest one: it never goes back.
    m.status = stateFromName(status).value_or(MessageState::Sent);
    if (!o.value(QLatin1StringView("body")).isString()) {
        m.partial = true;
    }
    if (m.partial) {
        m.body = QString();
    }
    if (m.subject.isNull()) {
        m.subject = QStringLiteral("");
    }
    return m;
}

// --- Device, Contact, Status -------------------------------------------------------------

QJsonObject Device::toJson() const
{
    return QJsonObject {
        { QStringLiteral("id"), id },
        { QStringLiteral("instanceId"), instanceId },
        { QStringLiteral("name"), name },
        { QStringLiteral("kind"), kind },
        { QStringLiteral("capabilities"), QJsonArray::fromStringList(capabilities) },
        { QStringLiteral("delivery"), delivery },
        { QStringLiteral("notifySessions"), notifySessions },
        { QStringLiteral("online"), online },
        { QStringLiteral("lastSeen"), lastSeen },
        { QStringLiteral("current"), current },
    };
}

Result<Device> Device::fromJson(const QJsonObject& o)
{
    A r(o);
    Device d;
    d.id = r.integer(QLatin1StringView("id"), 1, MaxId);
    d.instanceId = r.string(QLatin1StringView("instanceId"), 64, A::Optional);
    d.name = r.string(QLatin1StringView("name"), limits::MaxNameChars, A::Optional);
    d.kind = r.string(QLatin1StringView("kind"), 16, A::Optional);
    d.capabilities = r.stringList(QLatin1StringView("capabilities"), 16, 16);
    d.delivery = r.string(QLatin1StringView("delivery"), 16, A::Optional);
    d.notifySessions = r.boolean(QLatin1StringView("notifySessions"), A::Optional, true);
    d.online = r.boolean(QLatin1StringView("online"), A::Optional);
    d.lastSeen = r.integer(QLatin1StringView("lastSeen"), 0, MaxId, A::Optional);
    d.current = r.boolean(QLatin1StringView("current"), A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("device"));
    }
    if (!isValidDelivery(d.delivery)) {
        d.delivery = QString(delivery::Full); // the documented default
    }
    return d;
}

QJsonObject Contact::toJson() const
{
    return QJsonObject { { QStringLiteral("address"), address }, { QStringLiteral("name"), name } };
}

Result<Contact> Contact::fromJson(const QJsonObject& o)
{
    A r(o);
    Contact c;
    c.address = r.string(QLatin1StringView("address"), limits::MaxAddressChars);
    c.name = r.string(QLatin1StringView("name"), limits::MaxNameChars, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("contact"));
    }
    if (c.name.isNull()) {
        c.name = QStringLiteral("");
    }
    return c;
}

QJsonObject Status::toJson() const
{
    return QJsonObject { { QStringLiteral("status"), status }, { QStringLiteral("text"), text } };
}

QJsonObject PeerStatus::toJson() const
{
    QJsonObject o { { QStringLiteral("address"), address } };
    if (status) {
        o.insert(QStringLiteral("status"), status->status);
        o.insert(QStringLiteral("text"), status->text);
    } else {
        o.insert(QStringLiteral("status"), QJsonValue::Null);
    }
    return o;
}

Result<PeerStatus> PeerStatus::fromJson(const QJsonObject& o)
{
    PeerStatus p;
    A r(o);
    p.address = r.address(QLatin1StringView("address"));
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("peer status"));
    }
    if (o.value(QLatin1StringView("status")).isNull()) {
        return p; // not shared (any more)
    }
    Result<Status> status = Status::fromJson(o);
    if (!status) {
        return status.error();
    }
    p.status = *status;
    return p;
}

Result<Status> Status::fromJson(const QJsonObject& o)
{
    A r(o);
    Status s;
    s.status = r.oneOf(QLatin1StringView("status"), status::All);
    s.text = r.string(QLatin1StringView("text"), limits::MaxStatusTextChars, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("status"));
    }
    if (s.text.isNull()) {
        s.text = QStringLiteral("");
    }
    return s;
}

// --- events ----------------------------------------------------------------------------

QJsonObject MessageEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("message"), message.toJson() } };
}

Result<MessageEvent> MessageEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    const QJsonObject m = r.object(QLatin1StringView("message"));
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("message event"));
    }
    Result<Message> message = Message::fromJson(m);
    if (!message) {
        return message.error();
    }
    return MessageEvent { std::move(message).value() };
}

QJsonObject FlagsEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("read"), read } };
}

Result<FlagsEvent> FlagsEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    FlagsEvent e;
    e.messageId = r.integer(QLatin1StringView("messageId"), 1, MaxId);
    e.read = r.boolean(QLatin1StringView("read"), A::Optional, true);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("flags event"));
    }
    return e;
}

QJsonObject DeletedEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("reason"),
            reason == Reason::Expired ? QStringLiteral("expired") : QStringLiteral("user") } };
}

Result<DeletedEvent> DeletedEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    DeletedEvent e;
    e.messageId = r.integer(QLatin1StringView("messageId"), 1, MaxId);
    const QString reason = r.string(QLatin1StringView("reason"), 16, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("deleted event"));
    }
    e.reason = reason == QLatin1StringView("expired") ? Reason::Expired : Reason::User;
    return e;
}

QJsonObject ReportEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("status"), stateName(status) }, { QStringLiteral("by"), by },
        { QStringLiteral("time"), time } };
}

Result<ReportEvent> ReportEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    ReportEvent e;
    e.messageId = r.integer(QLatin1StringView("messageId"), 1, MaxId);
    const QString status = r.string(QLatin1StringView("status"), 16);
    e.by = r.string(QLatin1StringView("by"), limits::MaxAddressChars, A::Optional);
    e.time = r.integer(QLatin1StringView("time"), 0, MaxId, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("report event"));
    }
    const std::optional<MessageState> state = stateFromName(status);
    if (!state) {
        r.fail(ErrorCode::BadRequest, QStringLiteral("unknown report status '%1'").arg(status));
        return malformed(r, QLatin1StringView("report event"));
    }
    e.status = *state;
    return e;
}

QJsonObject ContactEvent::toJson() const
{
    QJsonObject o = contact.toJson();
    o.insert(QStringLiteral("removed"), removed);
    return o;
}

Result<ContactEvent> ContactEvent::fromJson(const QJsonObject& o)
{
    Result<Contact> contact = Contact::fromJson(o);
    if (!contact) {
        return contact.error();
    }
    A r(o);
    const bool removed = r.boolean(QLatin1StringView("removed"), A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("contact event"));
    }
    return ContactEvent { std::move(contact).value(), removed };
}

QJsonObject PrefEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } };
}

Result<PrefEvent> PrefEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    PrefEvent e;
    e.key = r.string(QLatin1StringView("key"), limits::MaxPrefKeyChars);
    e.value = r.string(QLatin1StringView("value"), limits::MaxPrefValueChars, A::Optional);
    if (r.ok() && !o.value(QLatin1StringView("value")).isString()) {
        r.fail(ErrorCode::BadRequest, QStringLiteral("field 'value' is required"));
    }
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("pref event"));
    }
    if (e.value.isNull()) {
        e.value = QStringLiteral("");
    }
    return e;
}

QJsonObject DeviceEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("device"), device.toJson() },
        { QStringLiteral("removed"), removed } };
}

Result<DeviceEvent> DeviceEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    const QJsonObject d = r.object(QLatin1StringView("device"));
    const bool removed = r.boolean(QLatin1StringView("removed"), A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("device event"));
    }
    Result<Device> device = Device::fromJson(d);
    if (!device) {
        return device.error();
    }
    return DeviceEvent { std::move(device).value(), removed };
}

QJsonObject PresenceEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("deviceId"), deviceId },
        { QStringLiteral("online"), online }, { QStringLiteral("lastSeen"), lastSeen } };
}

Result<PresenceEvent> PresenceEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    PresenceEvent e;
    e.deviceId = r.integer(QLatin1StringView("deviceId"), 1, MaxId);
    e.online = r.boolean(QLatin1StringView("online"));
    e.lastSeen = r.integer(QLatin1StringView("lastSeen"), 0, MaxId, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("presence event"));
    }
    return e;
}

QJsonObject SignedOutEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("reason"), reason } };
}

Result<SignedOutEvent> SignedOutEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    SignedOutEvent e;
    e.reason = r.string(QLatin1StringView("reason"), 256, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("signedOut event"));
    }
    return e;
}

qsizetype profileBytes(const Contact& contact)
{
    return QJsonDocument(contact.toJson()).toJson(QJsonDocument::Compact).size() + 1;
}

qsizetype profileBytes(const QString& prefKey, const QString& prefValue)
{
    // `"key":"value"` is the object `{"key":"value"}` without its braces.
    const QJsonObject pref { { prefKey, prefValue } };
    return QJsonDocument(pref).toJson(QJsonDocument::Compact).size() - 2 + 1;
}

} // namespace cpm::protocol
