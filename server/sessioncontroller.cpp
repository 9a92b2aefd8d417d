// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessioncontroller.h"

#include "argreader.h"
#include "clientconnection.h"
#include "liveconnections.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "request.h"
#include "server.h"
#include "wirejson.h"

#include <QJsonArray>

namespace cpm::server {

namespace {
namespace lim = protocol::limits;
using protocol::ArgReader;
using protocol::EndReason;
using protocol::HistoryChoice;
using protocol::SessionChange;
using protocol::SessionState;

// A compare-and-set that lost is tried again on what the winner wrote, this many times.
constexpr int MaxDecideAttempts = 3;

Error notYours(qint64 id)
{
    return makeError(ErrorCode::NotFound, QStringLiteral("you have no session %1").arg(id));
}

//! The `change` a session event reports for an end for \a reason.
SessionChange changeOf(EndReason reason)
{
    switch (reason) {
    case EndReason::Declined:
        return SessionChange::Declined;
    case EndReason::Cancelled:
        return SessionChange::Cancelled;
    case EndReason::TimedOut:
        return SessionChange::TimedOut;
    case EndReason::Gone:
        return SessionChange::Gone;
    case EndReason::None:
    case EndReason::Ended:
        break;
    }
    return SessionChange::Ended;
}

Error changedTooOften()
{
    return makeError(
        ErrorCode::Unavailable, QStringLiteral("the session is changing; try again"), 1);
}
//! The `history` argument of transfer and pull; a bad one fails \a reader.
std::optional<HistoryChoice> readHistory(ArgReader& reader)
{
    const QString text = reader.string(QLatin1StringView("history"), 16);
    std::optional<HistoryChoice> choice = HistoryChoice::fromString(text);
    if (reader.ok() && !choice) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'history' must be none, session, last:N (1-%1) or all")
                .arg(lim::MaxHistoryLast));
    }
    return choice;
}

} // namespace

SessionController::SessionController(Server& server)
    : m_server(server)
{
}

void SessionController::addOperations(Operations& operations)
{
    namespace op = protocol::op;
    operations.add(op::SessionInvite, true, [this](const Request& r) { invite(r); });
    operations.add(op::SessionAccept, true, [this](const Request& r) { accept(r); });
    operations.add(op::SessionDecline, true, [this](const Request& r) { decline(r); });
    operations.add(op::SessionCancel, true, [this](const Request& r) { cancel(r); });
    operations.add(op::SessionEnd, true, [this](const Request& r) { end(r); });
    operations.add(op::SessionTransfer, true, [this](const Request& r) { transfer(r); });
    operations.add(op::SessionPull, true, [this](const Request& r) { pull(r); });
    operations.add(op::SessionList, true, [this](const Request& r) { list(r); });
    operations.add(op::SessionGet, true, [this](const Request& r) { get(r); });
    operations.add(op::SessionHistory, true, [this](const Request& r) { history(r); });
    operations.add(op::SessionComposing, true, [this](const Request& r) { composing(r); });
}

// --- views -------------------------------------------------------------------------------

protocol::SessionDevice SessionController::describeDevice(qint64 deviceId)
{
    protocol::SessionDevice d;
    d.id = deviceId;
    const Result<std::optional<DeviceRecord>> found = m_server.store().deviceById(deviceId);
    if (found && found->has_value()) {
        d.name = (*found)->device.name;
    }
    return d;
}

protocol::Session SessionController::view(
    const SessionRecord& s, qint64 userId, SessionChange change, qint64 previousDevice)
{
    const SessionRecord::Side& mine = s.sideOf(userId);
    const SessionRecord::Side& theirs = s.otherSide(userId);
    protocol::Session v;
    v.id = s.id;
    v.peer = theirs.address;
    v.inviter = s.inviter.userId == userId;
    v.subject = s.subject;
    v.state = s.state;
    v.reason = s.reason;
    if (s.endedBy != 0) {
        v.endedBy = s.endedBy == s.inviter.userId ? s.inviter.address : s.invitee.address;
    }
    v.createdAt = s.createdAt;
    v.startedAt = s.startedAt;
    v.endedAt = s.endedAt;
    if (mine.device != 0) {
        v.boundDevice = describeDevice(mine.device);
    }
    if (!v.inviter) {
        for (qint64 id : s.invitedDevices) {
            v.invitedDevices.append(describeDevice(id));
        }
    }
    v.change = change;
    if (previousDevice != 0) {
        v.previousDevice = describeDevice(previousDevice);
    }
    v.history = mine.history;
    return v;
}

Error SessionController::withSession(Error error, const SessionRecord& session, qint64 userId)
{
    const SessionChange change = session.state == SessionState::Inviting
        ? SessionChange::Invited
        : (session.state == SessionState::Active ? SessionChange::Accepted : SessionChange::Ended);
    error.details.insert(QStringLiteral("session"), view(session, userId, change).toJson());
    return error;
}

// --- reading and deciding -----------------------------------------------------------------

Result<SessionRecord> SessionController::sessionOf(qint64 userId, qint64 id)
{
    const Result<std::optional<SessionRecord>> found = m_server.store().session(id);
    if (!found) {
        return found.error();
    }
    if (!found->has_value() || !(*found)->involves(userId)) {
        return notYours(id); // another pair's session looks like none at all
    }
    return **found;
}

std::optional<SessionRecord> SessionController::requestedSession(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 id = reader.integer(QLatin1StringView("id"), 1, protocol::MaxSafeInteger);
    if (!reader.ok()) {
        request.fail(reader.error());
        return std::nullopt;
    }
    Result<SessionRecord> session = sessionOf(request.userId(), id);
    if (!session) {
        request.fail(session.error());
        return std::nullopt;
    }
    return std::move(session).value();
}

Result<bool> SessionController::decide(const SessionRecord& current, const SessionRecord& next,
    SessionChange change, const QList<qint64>& userIds, qint64 previousDevice, qint64 now)
{
    const SessionEventRenderer render
        = [this, change, userIds, previousDevice](const SessionRecord& written) {
              QList<std::pair<qint64, QJsonObject>> out;
              for (qint64 userId : userIds) {
                  out.append({ userId, view(written, userId, change, previousDevice).toJson() });
              }
              return out;
          };
    Events events;
    const Result<bool> written
        = m_server.store().updateSession(next, current.version, render, now, &events);
    if (written && *written) {
        m_server.publish(events);
    }
    return written;
}

Result<bool> SessionController::finish(
    const SessionRecord& session, EndReason reason, qint64 endedBy, qint64 now)
{
    SessionRecord next = session;
    next.state = SessionState::Ended;
    next.reason = reason;
    next.endedBy = endedBy;
    next.endedAt = now;
    const SessionChange change = changeOf(reason);
    return decide(
        session, next, change, { session.inviter.userId, session.invitee.userId }, 0, now);
}

Result<void> SessionController::grantHistory(
    SessionRecord::Side& side, const QString& peer, const HistoryChoice& choice)
{
    side.history = choice;
    side.historyFrom = 0;
    side.historyUpTo = 0;
    if (choice.kind == HistoryChoice::Kind::None || choice.kind == HistoryChoice::Kind::Session) {
        return {};
    }
    const Result<std::pair<qint64, qint64>> bounds = m_server.store().conversationBounds(
        side.userId, peer, choice.kind == HistoryChoice::Kind::Last ? choice.count : 0);
    if (!bounds) {
        return bounds.error();
    }
    side.historyUpTo = bounds->first;
    side.historyFrom = bounds->second;
    return {};
}

// --- operations ----------------------------------------------------------------------------

void SessionController::invite(const Request& request)
{
    ArgReader reader(request.args());
    const QString to = reader.address(QLatin1StringView("to"));
    const QString subject
        = reader.string(QLatin1StringView("subject"), lim::MaxSubjectChars, ArgReader::Optional);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Store& store = m_server.store();
    const qint64 me = request.userId();
    // Rights first (SES-1, MSG-2): a disabled account starts nothing.
    const Result<std::optional<UserRecord>> inviter = store.userById(me);
    if (!inviter || !inviter->has_value()) {
        request.fail(inviter
                ? makeError(ErrorCode::Internal, QStringLiteral("your account could not be read"))
                : inviter.error());
        return;
    }
    if (!(*inviter)->enabled) {
        request.fail(
            ErrorCode::AccountDisabled, QStringLiteral("the operator disabled this account"));
        return;
    }
    const Result<std::optional<qint64>> invitee = store.userIdByAddress(to);
    if (!invitee) {
        request.fail(invitee.error());
        return;
    }
    if (!invitee->has_value()) {
        request.fail(ErrorCode::NoSuchUser, QStringLiteral("there is no user %1").arg(to));
        return;
    }
    if (**invitee == me) {
        request.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'to' must not be your own address: a session is between two "
                           "people"));
        return;
    }
    const Result<QList<SessionRecord>> mine = store.openSessions(me);
    const Result<QList<SessionRecord>> theirs = store.openSessions(**invitee);
    if (!mine || !theirs) {
        request.fail(!mine ? mine.error() : theirs.error());
        return;
    }
    for (const SessionRecord& s : *mine) {
        if (s.involves(**invitee)) {
            request.fail(withSession(
                makeError(ErrorCode::Conflict,
                    QStringLiteral("you already have session %1 with %2").arg(s.id).arg(to)),
                s, me));
            return;
        }
    }
    if (mine->size() >= lim::MaxOpenSessions) {
        request.fail(ErrorCode::LimitReached,
            QStringLiteral("you have %1 open sessions, the most there may be; end one first")
                .arg(lim::MaxOpenSessions));
        return;
    }
    if (theirs->size() >= lim::MaxOpenSessions) {
        request.fail(ErrorCode::LimitReached,
            QStringLiteral("%1 has %2 open sessions, the most there may be")
                .arg(to)
                .arg(lim::MaxOpenSessions));
        return;
    }
    // It rings on every device of the invitee set to be told of sessions (SES-2), those
    // offline too: they get it when they connect while it still rings.
    const Result<QList<DeviceRecord>> devices = store.devices(**invitee);
    if (!devices) {
        request.fail(devices.error());
        return;
    }
    const qint64 time = now();
    SessionRecord s;
    s.inviter.userId = me;
    s.inviter.address = (*inviter)->address;
    s.inviter.device = request.connection().deviceId();
    s.invitee.userId = **invitee;
    s.invitee.address = to;
    s.subject = subject.isNull() ? QStringLiteral("") : subject;
    s.state = SessionState::Inviting;
    s.createdAt = time;
    for (const DeviceRecord& d : *devices) {
        if (d.device.notifySessions) {
            s.invitedDevices.append(d.id());
        }
    }
    const SessionEventRenderer render = [this](const SessionRecord& written) {
        return QList<std::pair<qint64, QJsonObject>> {
            { written.inviter.userId,
                view(written, written.inviter.userId, SessionChange::Invited).toJson() },
            { written.invitee.userId,
                view(written, written.invitee.userId, SessionChange::Invited).toJson() },
        };
    };
    Events events;
    const Result<SessionRecord> created = store.createSession(s, render, time, &events);
    if (!created) {
        request.fail(created.error());
        return;
    }
    qCInfo(lcServer) << "session" << created->id << "invited:" << created->inviter.address << "->"
                     << to << "ringing on" << created->invitedDevices.size() << "devices";
    request.reply(
        { { QStringLiteral("session"), view(*created, me, SessionChange::Invited).toJson() } });
    m_server.publish(events);
}

void SessionController::accept(const Request& request)
{
    std::optional<SessionRecord> s = requestedSession(request);
    if (!s) {
        return;
    }
    const qint64 me = request.userId();
    const qint64 device = request.connection().deviceId();
    for (int attempt = 0; attempt < MaxDecideAttempts; ++attempt) {
        if (s->inviter.userId == me) {
            request.fail(ErrorCode::BadRequest,
                QStringLiteral("you invited to session %1; only %2 can accept it")
                    .arg(s->id)
                    .arg(s->invitee.address));
            return;
        }
        if (s->state == SessionState::Ended) {
            request.fail(withSession(makeError(ErrorCode::SessionEnded,
                                         QStringLiteral("session %1 has ended").arg(s->id)),
                *s, me));
            return;
        }
        if (s->state == SessionState::Active) {
            if (s->invitee.device == device) {
                // Asked again (a retry after a lost answer): the same answer.
                request.reply({ { QStringLiteral("session"),
                    view(*s, me, SessionChange::Accepted).toJson() } });
                return;
            }
            // SES-3: exactly one device wins; the others hear which one.
            const protocol::SessionDevice winner = describeDevice(s->invitee.device);
            Error e = makeError(ErrorCode::AlreadyAnswered,
                QStringLiteral("session %1 was already answered on %2")
                    .arg(s->id)
                    .arg(winner.name));
            e.details.insert(QStringLiteral("device"), winner.toJson());
            request.fail(withSession(std::move(e), *s, me));
            return;
        }
        const qint64 time = now();
        SessionRecord next = *s;
        next.state = SessionState::Active;
        next.invitee.device = device;
        next.startedAt = time;
        const Result<bool> written = decide(
            *s, next, SessionChange::Accepted, { s->inviter.userId, s->invitee.userId }, 0, time);
        if (!written) {
            request.fail(written.error());
            return;
        }
        if (*written) {
            next.version = s->version + 1;
            request.reply({ { QStringLiteral("session"),
                view(next, me, SessionChange::Accepted).toJson() } });
            return;
        }
        // Someone decided first: answer according to what they decided.
        Result<SessionRecord> again = sessionOf(me, s->id);
        if (!again) {
            request.fail(again.error());
            return;
        }
        s = std::move(again).value();
    }
    request.fail(changedTooOften());
}

void SessionController::endAs(const Request& request,
    const std::function<std::optional<Error>(const SessionRecord&)>& refusal,
    const std::function<EndReason(const SessionRecord&)>& reasonFor)
{
    std::optional<SessionRecord> s = requestedSession(request);
    if (!s) {
        return;
    }
    const qint64 me = request.userId();
    for (int attempt = 0; attempt < MaxDecideAttempts; ++attempt) {
        // The asker's role first, then the state (a refusal never holds for an ended one).
        if (std::optional<Error> refused = refusal(*s)) {
            request.fail(std::move(*refused));
            return;
        }
        if (s->state == SessionState::Ended) {
            request.fail(withSession(makeError(ErrorCode::SessionEnded,
                                         QStringLiteral("session %1 has ended").arg(s->id)),
                *s, me));
            return;
        }
        const EndReason reason = reasonFor(*s);
        const Result<bool> written = finish(*s, reason, me, now());
        if (!written) {
            request.fail(written.error());
            return;
        }
        Result<SessionRecord> after = sessionOf(me, s->id);
        if (!after) {
            request.fail(after.error());
            return;
        }
        if (*written) {
            request.reply(
                { { QStringLiteral("session"), view(*after, me, changeOf(reason)).toJson() } });
            return;
        }
        // Someone decided first: judge again what they left.
        s = std::move(after).value();
    }
    request.fail(changedTooOften());
}

void SessionController::decline(const Request& request)
{
    const qint64 me = request.userId();
    endAs(
        request,
        [this, me](const SessionRecord& s) -> std::optional<Error> {
            if (s.inviter.userId == me) {
                return makeError(ErrorCode::BadRequest,
                    QStringLiteral("you invited to session %1: cancel it instead").arg(s.id));
            }
            if (s.state == SessionState::Active) {
                const protocol::SessionDevice winner = describeDevice(s.invitee.device);
                Error e = makeError(ErrorCode::AlreadyAnswered,
                    QStringLiteral("session %1 was already answered on %2; end it instead")
                        .arg(s.id)
                        .arg(winner.name));
                e.details.insert(QStringLiteral("device"), winner.toJson());
                return withSession(std::move(e), s, me);
            }
            return std::nullopt;
        },
        [](const SessionRecord&) { return EndReason::Declined; });
}

void SessionController::cancel(const Request& request)
{
    const qint64 me = request.userId();
    endAs(
        request,
        [this, me](const SessionRecord& s) -> std::optional<Error> {
            if (s.invitee.userId == me) {
                return makeError(ErrorCode::BadRequest,
                    QStringLiteral("%1 invited you to session %2: decline it instead")
                        .arg(s.inviter.address)
                        .arg(s.id));
            }
            if (s.state == SessionState::Active) {
                return withSession(
                    makeError(ErrorCode::Conflict,
                        QStringLiteral("session %1 was accepted; end it instead").arg(s.id)),
                    s, me);
            }
            return std::nullopt;
        },
        [](const SessionRecord&) { return EndReason::Cancelled; });
}

void SessionController::end(const Request& request)
{
    const qint64 me = request.userId();
    endAs(
        request, [](const SessionRecord&) { return std::optional<Error>(); },
        [me](const SessionRecord& s) {
            // Ending a request that still rings is its cancel or its decline.
            return s.state == SessionState::Active
                ? EndReason::Ended
                : (s.inviter.userId == me ? EndReason::Cancelled : EndReason::Declined);
        });
}

void SessionController::transfer(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 id = reader.integer(QLatin1StringView("id"), 1, protocol::MaxSafeInteger);
    const qint64 target = reader.integer(QLatin1StringView("device"), 1, protocol::MaxSafeInteger);
    const std::optional<HistoryChoice> choice = readHistory(reader);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const qint64 me = request.userId();
    const qint64 device = request.connection().deviceId();
    Result<SessionRecord> s = sessionOf(me, id);
    if (!s) {
        request.fail(s.error());
        return;
    }
    if (s->state == SessionState::Ended) {
        request.fail(withSession(
            makeError(ErrorCode::SessionEnded, QStringLiteral("session %1 has ended").arg(id)), *s,
            me));
        return;
    }
    if (s->state == SessionState::Inviting) {
        request.fail(
            withSession(makeError(ErrorCode::Conflict,
                            QStringLiteral("session %1 has not been accepted yet").arg(id)),
                *s, me));
        return;
    }
    if (s->sideOf(me).device != device) {
        Error e = makeError(ErrorCode::NotBound,
            QStringLiteral("session %1 is on another of your devices; pull it instead").arg(id));
        e.details.insert(QStringLiteral("device"), describeDevice(s->sideOf(me).device).toJson());
        request.fail(withSession(std::move(e), *s, me));
        return;
    }
    // The target: another signed-in device of the same user, connected now. A device of
    // someone else looks like no device at all.
    const Result<std::optional<DeviceRecord>> found = m_server.store().deviceById(target);
    if (!found) {
        request.fail(found.error());
        return;
    }
    if (!found->has_value() || (*found)->userId != me || !(*found)->isSignedIn()) {
        request.fail(
            ErrorCode::NotFound, QStringLiteral("you have no signed-in device %1").arg(target));
        return;
    }
    if (target == device) {
        request.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'device' names this device; the session is here already"));
        return;
    }
    if (!m_server.live().isOnline(target)) {
        request.fail(ErrorCode::DeviceOffline,
            QStringLiteral("%1 is not connected; a session moves only to a device that is")
                .arg((*found)->device.name));
        return;
    }
    SessionRecord next = *s;
    next.sideOf(me).device = target;
    if (const Result<void> granted
        = grantHistory(next.sideOf(me), s->otherSide(me).address, *choice);
        !granted) {
        request.fail(granted.error());
        return;
    }
    // The peer is not told: which of this user's devices holds the session is not theirs.
    const Result<bool> written
        = decide(*s, next, SessionChange::Transferred, { me }, device, now());
    if (!written) {
        request.fail(written.error());
        return;
    }
    if (!*written) {
        request.fail(changedTooOften());
        return;
    }
    next.version = s->version + 1;
    qCInfo(lcServer) << "session" << id << "moved from device" << device << "to" << target;
    request.reply({ { QStringLiteral("session"),
        view(next, me, SessionChange::Transferred, device).toJson() } });
}

void SessionController::pull(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 id = reader.integer(QLatin1StringView("id"), 1, protocol::MaxSafeInteger);
    const std::optional<HistoryChoice> choice = readHistory(reader);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const qint64 me = request.userId();
    const qint64 device = request.connection().deviceId();
    for (int attempt = 0; attempt < MaxDecideAttempts; ++attempt) {
        Result<SessionRecord> s = sessionOf(me, id);
        if (!s) {
            request.fail(s.error());
            return;
        }
        if (s->state == SessionState::Ended) {
            request.fail(withSession(
                makeError(ErrorCode::SessionEnded, QStringLiteral("session %1 has ended").arg(id)),
                *s, me));
            return;
        }
        if (s->state == SessionState::Inviting) {
            request.fail(
                withSession(makeError(ErrorCode::Conflict,
                                QStringLiteral("session %1 has not been accepted yet").arg(id)),
                    *s, me));
            return;
        }
        const qint64 previous = s->sideOf(me).device;
        SessionRecord next = *s;
        next.sideOf(me).device = device;
        if (const Result<void> granted
            = grantHistory(next.sideOf(me), s->otherSide(me).address, *choice);
            !granted) {
            request.fail(granted.error());
            return;
        }
        if (previous == device && next.sideOf(me).history == s->sideOf(me).history) {
            request.reply({ { QStringLiteral("session"),
                view(*s, me, SessionChange::Pulled, previous).toJson() } });
            return;
        }
        const Result<bool> written
            = decide(*s, next, SessionChange::Pulled, { me }, previous, now());
        if (!written) {
            request.fail(written.error());
            return;
        }
        if (*written) {
            next.version = s->version + 1;
            qCInfo(lcServer) << "session" << id << "pulled from device" << previous << "to"
                             << device;
            request.reply({ { QStringLiteral("session"),
                view(next, me, SessionChange::Pulled, previous).toJson() } });
            return;
        }
    }
    request.fail(changedTooOften());
}

void SessionController::list(const Request& request)
{
    const qint64 me = request.userId();
    const Result<QList<SessionRecord>> open = m_server.store().openSessions(me);
    if (!open) {
        request.fail(open.error());
        return;
    }
    QJsonArray out;
    for (const SessionRecord& s : *open) {
        out.append(view(s, me,
            s.state == SessionState::Inviting ? SessionChange::Invited : SessionChange::Accepted)
                       .toJson());
    }
    request.reply({ { QStringLiteral("sessions"), out } });
}

void SessionController::get(const Request& request)
{
    const std::optional<SessionRecord> s = requestedSession(request);
    if (!s) {
        return;
    }
    const SessionChange change = s->state == SessionState::Inviting
        ? SessionChange::Invited
        : (s->state == SessionState::Active ? SessionChange::Accepted : SessionChange::Ended);
    request.reply({ { QStringLiteral("session"), view(*s, request.userId(), change).toJson() } });
}

void SessionController::history(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 id = reader.integer(QLatin1StringView("id"), 1, protocol::MaxSafeInteger);
    const qint64 before = reader.integer(
        QLatin1StringView("before"), 0, protocol::MaxSafeInteger, ArgReader::Optional);
    const int limit = int(reader.integer(QLatin1StringView("limit"), 1, lim::MaxHistoryPage,
        ArgReader::Optional, lim::MaxHistoryPage));
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const qint64 me = request.userId();
    Result<SessionRecord> s = sessionOf(me, id);
    if (!s) {
        request.fail(s.error());
        return;
    }
    const SessionRecord::Side& mine = s->sideOf(me);
    if (mine.device != request.connection().deviceId()) {
        Error e = makeError(ErrorCode::NotBound,
            QStringLiteral("session %1 is not on this device; its history goes with it").arg(id));
        if (mine.device != 0) {
            e.details.insert(QStringLiteral("device"), describeDevice(mine.device).toJson());
        }
        request.fail(withSession(std::move(e), *s, me));
        return;
    }
    QList<protocol::Message> page;
    bool more = false;
    if (mine.history.kind != HistoryChoice::Kind::None) {
        ConversationQuery q;
        q.userId = me;
        q.peer = s->otherSide(me).address;
        q.beforeId = before;
        q.limit = limit + 1; // one more says whether there are more
        if (mine.history.kind == HistoryChoice::Kind::Session) {
            q.sessionId = id;
            q.upToId = protocol::MaxSafeInteger;
        } else {
            q.fromId = mine.historyFrom;
            q.upToId = mine.historyUpTo;
        }
        Result<QList<protocol::Message>> found = m_server.store().conversation(q);
        if (!found) {
            request.fail(found.error());
            return;
        }
        page = std::move(found).value();
        more = page.size() > limit;
        if (more) {
            page.removeLast();
        }
    }
    const QString members = wire::messagePageMembers(page, more);
    request.replyText(members);
}

void SessionController::composing(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 id = reader.integer(QLatin1StringView("id"), 1, protocol::MaxSafeInteger);
    const bool typing = reader.boolean(QLatin1StringView("composing"));
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const qint64 me = request.userId();
    Result<SessionRecord> s = sessionOf(me, id);
    if (!s) {
        request.fail(s.error());
        return;
    }
    if (s->state != SessionState::Active) {
        request.fail(withSession(makeError(s->state == SessionState::Ended ? ErrorCode::SessionEnded
                                                                           : ErrorCode::Conflict,
                                     QStringLiteral("session %1 is not active").arg(id)),
            *s, me));
        return;
    }
    if (s->sideOf(me).device != request.connection().deviceId()) {
        Error e = makeError(
            ErrorCode::NotBound, QStringLiteral("session %1 is not on this device").arg(id));
        e.details.insert(QStringLiteral("device"), describeDevice(s->sideOf(me).device).toJson());
        request.fail(withSession(std::move(e), *s, me));
        return;
    }
    // Only between the two bound devices: the users' other devices have nothing to show.
    const SessionRecord::Side& theirs = s->otherSide(me);
    const QJsonObject data = protocol::SessionComposingEvent { id, typing }.toJson();
    m_server.sendTransient(
        theirs.userId, protocol::event::SessionComposing, data, 0, theirs.device);
    request.reply();
}

Result<void> SessionController::checkSay(
    qint64 userId, qint64 deviceId, qint64 sessionId, const QString& to)
{
    Result<SessionRecord> s = sessionOf(userId, sessionId);
    if (!s) {
        return s.error();
    }
    if (s->state == SessionState::Ended) {
        return withSession(makeError(ErrorCode::SessionEnded,
                               QStringLiteral("session %1 has ended").arg(sessionId)),
            *s, userId);
    }
    if (s->state == SessionState::Inviting) {
        return withSession(
            makeError(ErrorCode::Conflict,
                QStringLiteral("session %1 has not been accepted yet").arg(sessionId)),
            *s, userId);
    }
    if (s->sideOf(userId).device != deviceId) {
        Error e = makeError(ErrorCode::NotBound,
            QStringLiteral("session %1 continues on another of your devices").arg(sessionId));
        e.details.insert(
            QStringLiteral("device"), describeDevice(s->sideOf(userId).device).toJson());
        return withSession(std::move(e), *s, userId);
    }
    if (s->otherSide(userId).address != to) {
        return makeError(ErrorCode::BadRequest,
            QStringLiteral("session %1 is with %2, not %3")
                .arg(sessionId)
                .arg(s->otherSide(userId).address, to));
    }
    return {};
}

// --- time ----------------------------------------------------------------------------------

void SessionController::tick(qint64 time)
{
    Store& store = m_server.store();
    const Result<QList<SessionRecord>> open = store.openSessions();
    if (!open) {
        qCWarning(lcServer) << "cannot read the open sessions:" << open.error().message;
        return;
    }
    const qint64 timeoutMs = store.settingInt(settings::SessionInviteTimeoutSeconds) * 1000;
    const qint64 graceMs = store.settingInt(settings::SessionGraceSeconds) * 1000;
    const LiveConnections& live = m_server.live();
    QHash<qint64, qint64> away;
    for (const SessionRecord& s : *open) {
        if (s.state == SessionState::Inviting && timeoutMs > 0 && time - s.createdAt >= timeoutMs) {
            if (const Result<bool> ended = finish(s, EndReason::TimedOut, 0, time); !ended) {
                qCWarning(lcServer)
                    << "session" << s.id << "timeout not stored:" << ended.error().message;
            }
            continue;
        }
        for (const SessionRecord::Side* side : { &s.inviter, &s.invitee }) {
            if (side->device == 0 || live.isOnline(side->device)) {
                continue;
            }
            const qint64 since = m_awaySince.value(side->device, time);
            away.insert(side->device, since);
            const Result<std::optional<DeviceRecord>> d = store.deviceById(side->device);
            const bool signedOut = d && (!d->has_value() || !(*d)->isSignedIn());
            if (signedOut || time - since >= graceMs) {
                qCInfo(lcServer) << "session" << s.id << "ends: device" << side->device
                                 << (signedOut ? "was signed out" : "stayed away");
                if (const Result<bool> ended = finish(s, EndReason::Gone, side->userId, time);
                    !ended) {
                    qCWarning(lcServer)
                        << "session" << s.id << "end not stored:" << ended.error().message;
                }
                break;
            }
        }
    }
    m_awaySince = std::move(away);
}

} // namespace cpm::server
