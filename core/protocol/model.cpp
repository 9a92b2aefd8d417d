// SPDX-License-Identifier: GPL-3.0-or-later
#include "model.h"

#include "argreader.h"
#include "protocol.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

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

QLatin1StringView routeName(Route route)
{
    switch (route) {
    case Route::Cpm:
        return QLatin1StringView("cpm");
    case Route::Deferred:
        return QLatin1StringView("deferred");
    case Route::Email:
        return QLatin1StringView("email");
    case Route::Sms:
        return QLatin1StringView("sms");
    }
    return QLatin1StringView("cpm");
}

std::optional<Route> routeFromName(QStringView name)
{
    for (const Route r : { Route::Cpm, Route::Deferred, Route::Email, Route::Sms }) {
        if (name == routeName(r)) {
            return r;
        }
    }
    return std::nullopt;
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

// --- Attachment ------------------------------------------------------------------------

namespace {
bool isLowerHex(QStringView s, qsizetype length)
{
    return s.size() == length && std::all_of(s.begin(), s.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
    });
}

// RFC 6838 §4.2's restricted-name characters.
bool isTypeChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || QStringView(u"!#$&^_.+-").contains(c);
}
} // namespace

bool isAttachmentId(QStringView id) { return isLowerHex(id, 32); }

bool isSha256Hex(QStringView hex) { return isLowerHex(hex, 64); }

bool isMediaType(QStringView type)
{
    if (type.size() < 3 || type.size() > limits::MaxAttachmentTypeChars) {
        return false;
    }
    const qsizetype slash = type.indexOf(u'/');
    if (slash <= 0 || slash == type.size() - 1) {
        return false;
    }
    const QStringView major = type.left(slash);
    const QStringView minor = type.mid(slash + 1);
    return std::all_of(major.begin(), major.end(), isTypeChar)
        && std::all_of(minor.begin(), minor.end(), isTypeChar);
}

Attachment Attachment::inMessage() const
{
    Attachment a = *this;
    a.state.clear();
    a.time = 0;
    return a;
}

QJsonObject Attachment::toJson() const
{
    QJsonObject o { { QStringLiteral("id"), id }, { QStringLiteral("name"), name },
        { QStringLiteral("type"), type }, { QStringLiteral("size"), size },
        { QStringLiteral("sha256"), sha256 } };
    if (!state.isEmpty()) {
        o.insert(QStringLiteral("state"), state);
        o.insert(QStringLiteral("time"), time);
    }
    return o;
}

Result<Attachment> Attachment::fromJson(const QJsonObject& o)
{
    A r(o);
    Attachment a;
    a.id = r.string(QLatin1StringView("id"), 32);
    a.name = r.string(QLatin1StringView("name"), limits::MaxAttachmentNameChars);
    a.type = r.string(QLatin1StringView("type"), limits::MaxAttachmentTypeChars);
    a.size = r.integer(QLatin1StringView("size"), 0, MaxId);
    a.sha256 = r.string(QLatin1StringView("sha256"), 64);
    static constexpr QLatin1StringView States[]
        = { attachmentState::Uploading, attachmentState::Complete, attachmentState::Deleted };
    a.state = r.oneOf(QLatin1StringView("state"), States, A::Optional);
    a.time = r.integer(QLatin1StringView("time"), 0, MaxId, A::Optional);
    if (r.ok() && (!isAttachmentId(a.id) || !isSha256Hex(a.sha256) || !isMediaType(a.type))) {
        r.fail(ErrorCode::BadRequest,
            QStringLiteral("'id', 'type' or 'sha256' is not in the protocol's form"));
    }
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("attachment"));
    }
    return a;
}

QJsonArray attachmentsToJson(const QList<Attachment>& attachments)
{
    QJsonArray out;
    for (const Attachment& a : attachments) {
        out.append(a.inMessage().toJson());
    }
    return out;
}

Result<QList<Attachment>> attachmentsFromJson(const QJsonValue& value)
{
    if (!value.isArray() || value.toArray().size() > limits::MaxAttachmentsPerMessage) {
        return makeError(ErrorCode::BadFrame,
            QStringLiteral("malformed message: 'attachments' must be a list of at most %1")
                .arg(limits::MaxAttachmentsPerMessage));
    }
    QList<Attachment> out;
    for (const QJsonValue& v : value.toArray()) {
        Result<Attachment> a = Attachment::fromJson(v.toObject());
        if (!a) {
            return a.error();
        }
        out.append(std::move(a).value());
    }
    return out;
}

// --- Message ---------------------------------------------------------------------------

Message Message::withoutBody() const
{
    Message m = *this;
    m.body = QString();
    m.partial = true;
    m.attachments.clear();
    return m;
}

QJsonObject Message::toJson() const
{
    QJsonObject o {
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
    if (session != 0) {
        o.insert(QStringLiteral("session"), session);
    }
    if (route != Route::Cpm) {
        o.insert(QStringLiteral("route"), routeName(route));
    }
    if (!attachments.isEmpty() && !partial && !body.isNull()) {
        o.insert(QStringLiteral("attachments"), attachmentsToJson(attachments));
    }
    return o;
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
    m.session = r.integer(QLatin1StringView("session"), 0, MaxId, A::Optional);
    const QString route = r.string(QLatin1StringView("route"), 16, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("message"));
    }
    if (const QJsonValue a = o.value(QLatin1StringView("attachments")); !a.isUndefined()) {
        Result<QList<Attachment>> attachments = attachmentsFromJson(a);
        if (!attachments) {
            return attachments.error();
        }
        m.attachments = std::move(attachments).value();
    }
    const std::optional<Folder> f = folderFromName(folder);
    if (!f) {
        r.fail(ErrorCode::BadRequest, QStringLiteral("field 'folder' must be inbox or sent"));
        return malformed(r, QLatin1StringView("message"));
    }
    m.folder = *f;
    // A state a newer server invented reads as the earliest one: it never goes back.
    m.status = stateFromName(status).value_or(MessageState::Sent);
    // So does a route: a newer server's reads as cpm.
    m.route = routeFromName(route).value_or(Route::Cpm);
    if (!o.value(QLatin1StringView("body")).isString()) {
        m.partial = true;
    }
    if (m.partial) {
        m.body = QString();
        m.attachments.clear();
    }
    if (m.subject.isNull()) {
        m.subject = QStringLiteral("");
    }
    return m;
}

// --- Sessions ------------------------------------------------------------------------------

namespace {
template <typename Enum, size_t N>
std::optional<Enum> enumFromName(
    QStringView name, const Enum (&all)[N], QLatin1StringView (*nameOf)(Enum))
{
    for (const Enum e : all) {
        if (name == nameOf(e)) {
            return e;
        }
    }
    return std::nullopt;
}
} // namespace

QLatin1StringView sessionStateName(SessionState state)
{
    switch (state) {
    case SessionState::Inviting:
        return QLatin1StringView("inviting");
    case SessionState::Active:
        return QLatin1StringView("active");
    case SessionState::Ended:
        return QLatin1StringView("ended");
    }
    return QLatin1StringView("ended");
}

std::optional<SessionState> sessionStateFromName(QStringView name)
{
    constexpr SessionState All[]
        = { SessionState::Inviting, SessionState::Active, SessionState::Ended };
    return enumFromName(name, All, &sessionStateName);
}

QLatin1StringView endReasonName(EndReason reason)
{
    switch (reason) {
    case EndReason::None:
        return QLatin1StringView("");
    case EndReason::Declined:
        return QLatin1StringView("declined");
    case EndReason::Cancelled:
        return QLatin1StringView("cancelled");
    case EndReason::TimedOut:
        return QLatin1StringView("timeout");
    case EndReason::Ended:
        return QLatin1StringView("ended");
    case EndReason::Gone:
        return QLatin1StringView("gone");
    }
    return QLatin1StringView("");
}

std::optional<EndReason> endReasonFromName(QStringView name)
{
    constexpr EndReason All[] = { EndReason::None, EndReason::Declined, EndReason::Cancelled,
        EndReason::TimedOut, EndReason::Ended, EndReason::Gone };
    return enumFromName(name, All, &endReasonName);
}

QLatin1StringView sessionChangeName(SessionChange change)
{
    switch (change) {
    case SessionChange::Invited:
        return QLatin1StringView("invited");
    case SessionChange::Accepted:
        return QLatin1StringView("accepted");
    case SessionChange::Declined:
        return QLatin1StringView("declined");
    case SessionChange::Cancelled:
        return QLatin1StringView("cancelled");
    case SessionChange::TimedOut:
        return QLatin1StringView("timeout");
    case SessionChange::Ended:
        return QLatin1StringView("ended");
    case SessionChange::Gone:
        return QLatin1StringView("gone");
    case SessionChange::Transferred:
        return QLatin1StringView("transferred");
    case SessionChange::Pulled:
        return QLatin1StringView("pulled");
    }
    return QLatin1StringView("invited");
}

std::optional<SessionChange> sessionChangeFromName(QStringView name)
{
    constexpr SessionChange All[]
        = { SessionChange::Invited, SessionChange::Accepted, SessionChange::Declined,
              SessionChange::Cancelled, SessionChange::TimedOut, SessionChange::Ended,
              SessionChange::Gone, SessionChange::Transferred, SessionChange::Pulled };
    return enumFromName(name, All, &sessionChangeName);
}

QJsonObject SessionDevice::toJson() const
{
    return QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("name"), name } };
}

Result<SessionDevice> SessionDevice::fromJson(const QJsonObject& o)
{
    A r(o);
    SessionDevice d;
    d.id = r.integer(QLatin1StringView("id"), 1, MaxId);
    d.name = r.string(QLatin1StringView("name"), limits::MaxNameChars, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("session device"));
    }
    return d;
}

QString HistoryChoice::toString() const
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::Session:
        return QStringLiteral("session");
    case Kind::Last:
        return QStringLiteral("last:%1").arg(count);
    case Kind::All:
        return QStringLiteral("all");
    }
    return QStringLiteral("none");
}

std::optional<HistoryChoice> HistoryChoice::fromString(QStringView text)
{
    if (text == QLatin1StringView("none")) {
        return HistoryChoice { Kind::None, 0 };
    }
    if (text == QLatin1StringView("session")) {
        return HistoryChoice { Kind::Session, 0 };
    }
    if (text == QLatin1StringView("all")) {
        return HistoryChoice { Kind::All, 0 };
    }
    if (text.startsWith(QLatin1StringView("last:"))) {
        const QStringView digits = text.mid(5);
        bool ok = false;
        const int n = digits.toInt(&ok);
        // Digits only: toInt() would take "+5" and " 5".
        const bool plain = !digits.isEmpty()
            && std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); });
        if (ok && plain && n >= 1 && n <= limits::MaxHistoryLast) {
            return HistoryChoice { Kind::Last, n };
        }
    }
    return std::nullopt;
}

QJsonObject Session::toJson() const
{
    QJsonArray invited;
    for (const SessionDevice& d : invitedDevices) {
        invited.append(d.toJson());
    }
    QJsonObject o {
        { QStringLiteral("id"), id },
        { QStringLiteral("peer"), peer },
        { QStringLiteral("role"), inviter ? QStringLiteral("inviter") : QStringLiteral("invitee") },
        { QStringLiteral("subject"), subject.isNull() ? QStringLiteral("") : subject },
        { QStringLiteral("state"), sessionStateName(state) },
        { QStringLiteral("reason"), endReasonName(reason) },
        { QStringLiteral("endedBy"), endedBy.isNull() ? QStringLiteral("") : endedBy },
        { QStringLiteral("createdAt"), createdAt },
        { QStringLiteral("startedAt"), startedAt },
        { QStringLiteral("endedAt"), endedAt },
        { QStringLiteral("boundDevice"),
            boundDevice ? QJsonValue(boundDevice->toJson()) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("invitedDevices"), invited },
        { QStringLiteral("change"), sessionChangeName(change) },
        { QStringLiteral("history"), history.toString() },
    };
    if (previousDevice) {
        o.insert(QStringLiteral("previousDevice"), previousDevice->toJson());
    }
    return o;
}

Result<Session> Session::fromJson(const QJsonObject& o)
{
    A r(o);
    Session s;
    s.id = r.integer(QLatin1StringView("id"), 1, MaxId);
    s.peer = r.string(QLatin1StringView("peer"), limits::MaxAddressChars);
    const QString role = r.string(QLatin1StringView("role"), 16);
    s.subject = r.string(QLatin1StringView("subject"), limits::MaxSubjectChars, A::Optional);
    const QString state = r.string(QLatin1StringView("state"), 16);
    const QString reason = r.string(QLatin1StringView("reason"), 16, A::Optional);
    s.endedBy = r.string(QLatin1StringView("endedBy"), limits::MaxAddressChars, A::Optional);
    s.createdAt = r.integer(QLatin1StringView("createdAt"), 0, MaxId, A::Optional);
    s.startedAt = r.integer(QLatin1StringView("startedAt"), 0, MaxId, A::Optional);
    s.endedAt = r.integer(QLatin1StringView("endedAt"), 0, MaxId, A::Optional);
    const QString change = r.string(QLatin1StringView("change"), 16, A::Optional);
    const QString history = r.string(QLatin1StringView("history"), 16, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("session"));
    }
    auto bad = [&r](const QString& why) {
        r.fail(ErrorCode::BadRequest, why);
        return malformed(r, QLatin1StringView("session"));
    };
    if (role != QLatin1StringView("inviter") && role != QLatin1StringView("invitee")) {
        return bad(QStringLiteral("field 'role' must be inviter or invitee"));
    }
    s.inviter = role == QLatin1StringView("inviter");
    const std::optional<SessionState> st = sessionStateFromName(state);
    if (!st) {
        return bad(QStringLiteral("field 'state' must be inviting, active or ended"));
    }
    s.state = *st;
    // Reasons and changes a newer server invents read as the plainest ones.
    s.reason = endReasonFromName(reason).value_or(
        s.state == SessionState::Ended ? EndReason::Ended : EndReason::None);
    s.change = sessionChangeFromName(change).value_or(SessionChange::Invited);
    s.history = HistoryChoice::fromString(history).value_or(HistoryChoice {});
    const QJsonValue bound = o.value(QLatin1StringView("boundDevice"));
    if (bound.isObject()) {
        Result<SessionDevice> d = SessionDevice::fromJson(bound.toObject());
        if (!d) {
            return d.error();
        }
        s.boundDevice = *d;
    } else if (!bound.isNull() && !bound.isUndefined()) {
        return bad(QStringLiteral("field 'boundDevice' must be an object or null"));
    }
    const QJsonValue previous = o.value(QLatin1StringView("previousDevice"));
    if (previous.isObject()) {
        Result<SessionDevice> d = SessionDevice::fromJson(previous.toObject());
        if (!d) {
            return d.error();
        }
        s.previousDevice = *d;
    }
    const QJsonValue invited = o.value(QLatin1StringView("invitedDevices"));
    if (!invited.isUndefined() && !invited.isArray()) {
        return bad(QStringLiteral("field 'invitedDevices' must be an array"));
    }
    const QJsonArray list = invited.toArray();
    if (list.size() > limits::MaxDevices) {
        return bad(QStringLiteral("field 'invitedDevices' has too many entries"));
    }
    for (const QJsonValue& v : list) {
        Result<SessionDevice> d = SessionDevice::fromJson(v.toObject());
        if (!d) {
            return d.error();
        }
        s.invitedDevices.append(*d);
    }
    if (s.subject.isNull()) {
        s.subject = QStringLiteral("");
    }
    return s;
}

QJsonObject SessionComposingEvent::toJson() const
{
    return QJsonObject { { QStringLiteral("sessionId"), sessionId },
        { QStringLiteral("composing"), composing } };
}

Result<SessionComposingEvent> SessionComposingEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    SessionComposingEvent e;
    e.sessionId = r.integer(QLatin1StringView("sessionId"), 1, MaxId);
    e.composing = r.boolean(QLatin1StringView("composing"));
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("session.composing event"));
    }
    return e;
}

// --- Device, Contact, Status -------------------------------------------------------------

QJsonObject Device::toJson() const
{
    QJsonObject o {
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
    if (guest) {
        o.insert(QStringLiteral("guest"), true);
        o.insert(QStringLiteral("expires"), expires);
    }
    return o;
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
    d.guest = r.boolean(QLatin1StringView("guest"), A::Optional);
    d.expires = r.integer(QLatin1StringView("expires"), 0, MaxId, A::Optional);
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

QJsonObject LegacyDelivery::toJson() const
{
    QJsonObject o { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("outgoing"), outgoing }, { QStringLiteral("network"), network },
        { QStringLiteral("state"), state }, { QStringLiteral("attempts"), attempts },
        { QStringLiteral("lastError"), lastError }, { QStringLiteral("created"), created },
        { QStringLiteral("finished"), finished } };
    if (!address.isEmpty()) {
        o.insert(QStringLiteral("address"), address);
    }
    return o;
}

Result<LegacyDelivery> LegacyDelivery::fromJson(const QJsonObject& o)
{
    A r(o);
    LegacyDelivery d;
    d.messageId = r.integer(QLatin1StringView("messageId"), 1, MaxId);
    d.outgoing = r.boolean(QLatin1StringView("outgoing"), A::Optional);
    d.network = r.string(QLatin1StringView("network"), 16);
    d.address = r.string(QLatin1StringView("address"), limits::MaxPrefValueChars, A::Optional);
    d.state = r.string(QLatin1StringView("state"), 16);
    d.attempts = int(r.integer(QLatin1StringView("attempts"), 0, 1000000, A::Optional));
    d.lastError = r.string(QLatin1StringView("lastError"), 4096, A::Optional);
    d.created = r.integer(QLatin1StringView("created"), 0, MaxId, A::Optional);
    d.finished = r.integer(QLatin1StringView("finished"), 0, MaxId, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("legacy delivery"));
    }
    return d;
}

QJsonObject ReportEvent::toJson() const
{
    QJsonObject o { { QStringLiteral("messageId"), messageId },
        { QStringLiteral("status"), stateName(status) }, { QStringLiteral("by"), by },
        { QStringLiteral("time"), time } };
    if (route) {
        o.insert(QStringLiteral("route"), routeName(*route));
    }
    return o;
}

Result<ReportEvent> ReportEvent::fromJson(const QJsonObject& o)
{
    A r(o);
    ReportEvent e;
    e.messageId = r.integer(QLatin1StringView("messageId"), 1, MaxId);
    const QString status = r.string(QLatin1StringView("status"), 16);
    e.by = r.string(QLatin1StringView("by"), limits::MaxAddressChars, A::Optional);
    e.time = r.integer(QLatin1StringView("time"), 0, MaxId, A::Optional);
    const QString route = r.string(QLatin1StringView("route"), 16, A::Optional);
    if (!r.ok()) {
        return malformed(r, QLatin1StringView("report event"));
    }
    if (!route.isNull()) {
        // A route a newer server invented leaves the route as it was.
        e.route = routeFromName(route);
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
