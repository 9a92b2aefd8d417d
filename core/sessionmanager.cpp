// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessionmanager.h"

#include "logging.h"
#include "protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>

namespace cpm {

namespace {
constexpr QLatin1StringView MissedKey { "sessions.missed" };
//! Missed requests kept at most (the oldest go first).
constexpr int MaxMissed = 50;

using protocol::EndReason;
using protocol::SessionChange;
using protocol::SessionState;

Session sessionFromError(const Error& error)
{
    const QJsonValue v = error.details.value(QLatin1StringView("session"));
    if (v.isObject()) {
        if (Result<Session> s = Session::fromJson(v.toObject())) {
            return *s;
        }
    }
    return {};
}
} // namespace

SessionManager::SessionManager(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
{
}

SessionManager::~SessionManager() = default;

// --- what is known -----------------------------------------------------------------------------

QList<Session> SessionManager::openSessions() const
{
    QList<Session> out;
    for (const Session& s : m_sessions) {
        if (s.isOpen()) {
            out.append(s);
        }
    }
    return out;
}

std::optional<Session> SessionManager::session(qint64 id) const
{
    const auto it = m_sessions.constFind(id);
    return it == m_sessions.cend() ? std::nullopt : std::optional(*it);
}

std::optional<Session> SessionManager::openSessionWith(const QString& peer) const
{
    for (const Session& s : m_sessions) {
        if (s.isOpen() && s.peer.compare(peer, Qt::CaseInsensitive) == 0) {
            return s;
        }
    }
    return std::nullopt;
}

QList<Session> SessionManager::ringing() const
{
    QList<Session> out;
    for (const Session& s : m_sessions) {
        if (m_ringing.contains(s.id)) {
            out.append(s);
        }
    }
    return out;
}

QList<Session> SessionManager::here() const
{
    QList<Session> out;
    for (const Session& s : m_sessions) {
        if (s.state == SessionState::Active && boundHere(s)) {
            out.append(s);
        }
    }
    return out;
}

QList<Session> SessionManager::elsewhere() const
{
    QList<Session> out;
    for (const Session& s : m_sessions) {
        if (s.state == SessionState::Active && s.boundDevice && !boundHere(s)) {
            out.append(s);
        }
    }
    return out;
}

bool SessionManager::isHere(qint64 sessionId) const
{
    const auto it = m_sessions.constFind(sessionId);
    return it != m_sessions.cend() && it->state == SessionState::Active && boundHere(*it);
}

bool SessionManager::isPeerComposing(qint64 sessionId) const
{
    return m_composing.contains(sessionId);
}

bool SessionManager::isLoadingHistory(qint64 sessionId) const
{
    return m_loadingHistory.contains(sessionId);
}

bool SessionManager::boundHere(const Session& s) const
{
    return s.boundDevice && s.boundDevice->id == m_backend.currentDeviceId();
}

bool SessionManager::ringsHere(const Session& s) const
{
    if (s.inviter || s.state != SessionState::Inviting) {
        return false;
    }
    const qint64 me = m_backend.currentDeviceId();
    return std::any_of(s.invitedDevices.cbegin(), s.invitedDevices.cend(),
        [me](const protocol::SessionDevice& d) { return d.id == me; });
}

// --- requests ----------------------------------------------------------------------------------

void SessionManager::call(QLatin1StringView op, const QJsonObject& args, SessionCallback done)
{
    QPointer<SessionManager> guard(this);
    m_backend.request(op, args,
        [this, guard, done = std::move(done)](const QJsonObject& result, const Error& error) {
            if (!guard) {
                return;
            }
            if (!error.isNull()) {
                // The server's word on the session travels with most refusals: keep it.
                const Session now = sessionFromError(error);
                if (now.id != 0 && merge(now)) {
                    settle({ now.id }, true);
                }
                if (done) {
                    done(error, now);
                }
                return;
            }
            Result<Session> s
                = Session::fromJson(result.value(QLatin1StringView("session")).toObject());
            if (!s) {
                const Error bad = makeError(ErrorCode::Internal,
                    QStringLiteral("malformed session in the answer: %1").arg(s.error().message));
                if (done) {
                    done(bad, {});
                }
                return;
            }
            if (merge(*s)) {
                settle({ s->id }, true);
            }
            if (done) {
                done({}, *s);
            }
        });
}

void SessionManager::invite(const QString& to, const QString& subject, SessionCallback done)
{
    QJsonObject args { { QStringLiteral("to"), to.trimmed().toLower() } };
    if (!subject.isEmpty()) {
        args.insert(QStringLiteral("subject"), subject);
    }
    call(protocol::op::SessionInvite, args, std::move(done));
}

void SessionManager::accept(qint64 id, SessionCallback done)
{
    call(protocol::op::SessionAccept, { { QStringLiteral("id"), id } }, std::move(done));
}

void SessionManager::decline(qint64 id, SessionCallback done)
{
    call(protocol::op::SessionDecline, { { QStringLiteral("id"), id } }, std::move(done));
}

void SessionManager::cancel(qint64 id, SessionCallback done)
{
    call(protocol::op::SessionCancel, { { QStringLiteral("id"), id } }, std::move(done));
}

void SessionManager::end(qint64 id, SessionCallback done)
{
    call(protocol::op::SessionEnd, { { QStringLiteral("id"), id } }, std::move(done));
}

void SessionManager::transfer(
    qint64 id, qint64 deviceId, const protocol::HistoryChoice& history, SessionCallback done)
{
    call(protocol::op::SessionTransfer,
        { { QStringLiteral("id"), id }, { QStringLiteral("device"), deviceId },
            { QStringLiteral("history"), history.toString() } },
        std::move(done));
}

void SessionManager::pull(qint64 id, const protocol::HistoryChoice& history, SessionCallback done)
{
    call(protocol::op::SessionPull,
        { { QStringLiteral("id"), id }, { QStringLiteral("history"), history.toString() } },
        std::move(done));
}

void SessionManager::fetch(qint64 id, SessionCallback done)
{
    call(protocol::op::SessionGet, { { QStringLiteral("id"), id } }, std::move(done));
}

void SessionManager::refresh(Callback done, bool housekeeping)
{
    QPointer<SessionManager> guard(this);
    m_backend.request(
        protocol::op::SessionList, {},
        [this, guard, done = std::move(done)](const QJsonObject& result, const Error& error) {
            if (!guard) {
                return;
            }
            if (!error.isNull()) {
                if (done) {
                    done(error);
                }
                return;
            }
            QList<qint64> ids;
            const QJsonArray list = result.value(QLatin1StringView("sessions")).toArray();
            for (const QJsonValue& v : list) {
                if (Result<Session> s = Session::fromJson(v.toObject())) {
                    // Settled even when nothing changed: a fresh profile's first sync
                    // took it in without ringing, and this is where it rings.
                    merge(*s);
                    ids.append(s->id);
                }
            }
            // An open session the list leaves out has ended: its event is in the stream.
            settle(ids, true);
            if (done) {
                done({});
            }
        },
        housekeeping);
}

Result<QString> SessionManager::say(qint64 id, const QString& text)
{
    const std::optional<Session> s = session(id);
    if (!s) {
        return makeError(ErrorCode::NotFound, QStringLiteral("no session %1 here").arg(id));
    }
    // Refused here as the server would refuse it: with the session as it is now and, when
    // it is on another device, which one (docs/protocol.md, "Errors").
    auto refuse = [&s](ErrorCode code, const QString& message) {
        Error e = makeError(code, message);
        if (code == ErrorCode::NotBound && s->boundDevice) {
            e.details.insert(QStringLiteral("device"), s->boundDevice->toJson());
        }
        e.details.insert(QStringLiteral("session"), s->toJson());
        return e;
    };
    if (s->state == SessionState::Ended) {
        return refuse(ErrorCode::SessionEnded, QStringLiteral("session %1 has ended").arg(id));
    }
    if (s->state != SessionState::Active) {
        return refuse(
            ErrorCode::Conflict, QStringLiteral("session %1 has not been accepted yet").arg(id));
    }
    if (!boundHere(*s)) {
        return refuse(ErrorCode::NotBound,
            QStringLiteral("session %1 continues on %2")
                .arg(id)
                .arg(s->boundDevice ? s->boundDevice->name : QString()));
    }
    return m_backend.queueSessionMessage(s->peer, text, id);
}

void SessionManager::setComposing(qint64 id, bool composing)
{
    if (!isHere(id)) {
        return;
    }
    m_backend.request(
        protocol::op::SessionComposing,
        { { QStringLiteral("id"), id }, { QStringLiteral("composing"), composing } },
        [](const QJsonObject&, const Error& error) {
            if (!error.isNull()) {
                qCDebug(lcClient) << "composing not told:" << error.name();
            }
        },
        true);
}

// --- fed by the Client -------------------------------------------------------------------------

bool SessionManager::merge(const Session& s)
{
    const auto it = m_sessions.find(s.id);
    if (it != m_sessions.end()) {
        // Ended is final: an older word (a list answer overtaken by the end) is not taken.
        if (!it->isOpen() && s.isOpen()) {
            return false;
        }
        if (*it == s) {
            return false;
        }
        *it = s;
    } else {
        m_sessions.insert(s.id, s);
    }
    return true;
}

void SessionManager::applyEvents(const QList<Session>& sessions, bool ringAllowed)
{
    QList<qint64> ids;
    for (const Session& s : sessions) {
        if (merge(s)) {
            if (!ids.contains(s.id)) {
                ids.append(s.id);
            }
            if (s.state == SessionState::Ended) {
                addMissed(s);
            }
        }
    }
    settle(ids, ringAllowed);
}

void SessionManager::settle(const QList<qint64>& ids, bool ringAllowed)
{
    if (ids.isEmpty()) {
        return;
    }
    for (qint64 id : ids) {
        const Session s = m_sessions.value(id);
        // Ringing (SES-2, SES-3, SES-4).
        const bool rings = ringsHere(s);
        if (rings && !m_ringing.contains(id) && ringAllowed) {
            m_ringing.insert(id);
            Q_EMIT incomingRequest(s);
        } else if (!rings && m_ringing.remove(id)) {
            Q_EMIT requestEnded(s);
        }
        // Where it is (SES-6, SES-7).
        const bool wasHere = m_here.contains(id);
        const bool nowHere = s.state == SessionState::Active && boundHere(s);
        const bool moved
            = s.change == SessionChange::Transferred || s.change == SessionChange::Pulled;
        const bool grantsHistory = s.history.kind != protocol::HistoryChoice::Kind::None;
        if (nowHere && !wasHere) {
            m_here.insert(id);
            if (moved) {
                Q_EMIT arrivedHere(s);
                if (grantsHistory) {
                    fetchHistory(id, 0, 0);
                }
            }
        } else if (nowHere && moved && s.previousDevice && s.previousDevice->id == s.boundDevice->id
            && grantsHistory && !m_loadingHistory.contains(id)) {
            // Pulled again by the device it was on, for another history: it grants more.
            fetchHistory(id, 0, 0);
        } else if (!nowHere && wasHere) {
            m_here.remove(id);
            if (m_composing.remove(id)) {
                Q_EMIT peerComposingChanged(id, false);
            }
            if (s.state == SessionState::Active) {
                Q_EMIT continuedElsewhere(s);
            }
        }
        if (s.state == SessionState::Ended && (wasHere || boundHere(s))) {
            Q_EMIT sessionEnded(s);
        }
        Q_EMIT sessionUpdated(s);
    }
    Q_EMIT sessionsChanged();
}

void SessionManager::applyComposing(const protocol::SessionComposingEvent& event)
{
    if (!isHere(event.sessionId)) {
        return;
    }
    const bool changed = event.composing ? !m_composing.contains(event.sessionId)
                                         : m_composing.contains(event.sessionId);
    if (event.composing) {
        m_composing.insert(event.sessionId);
    } else {
        m_composing.remove(event.sessionId);
    }
    if (changed) {
        Q_EMIT peerComposingChanged(event.sessionId, event.composing);
    }
}

void SessionManager::online()
{
    refresh({}, true);
    // A move that reached this device while its history was loading: go on with it.
    for (const Session& s : here()) {
        if ((s.change == SessionChange::Transferred || s.change == SessionChange::Pulled)
            && m_loadingHistory.contains(s.id)) {
            m_loadingHistory.remove(s.id);
            fetchHistory(s.id, 0, 0);
        }
    }
}

void SessionManager::offline()
{
    const QSet<qint64> composing = std::exchange(m_composing, {});
    for (qint64 id : composing) {
        Q_EMIT peerComposingChanged(id, false);
    }
}

void SessionManager::clear()
{
    m_sessions.clear();
    m_ringing.clear();
    m_here.clear();
    m_composing.clear();
    m_loadingHistory.clear();
    m_missed.clear();
    m_missedLoaded = false;
    Q_EMIT sessionsChanged();
    Q_EMIT missedChanged();
}

// --- history -----------------------------------------------------------------------------------

void SessionManager::fetchHistory(qint64 id, qint64 before, int received)
{
    m_loadingHistory.insert(id);
    QJsonObject args { { QStringLiteral("id"), id } };
    if (before > 0) {
        args.insert(QStringLiteral("before"), before);
    }
    QPointer<SessionManager> guard(this);
    m_backend.request(
        protocol::op::SessionHistory, args,
        [this, guard, id, received](const QJsonObject& result, const Error& error) {
            if (!guard || !m_loadingHistory.contains(id)) {
                return;
            }
            if (!error.isNull()) {
                const bool dropped = error.code == ErrorCode::Offline
                    || error.code == ErrorCode::Disconnected || error.code == ErrorCode::Timeout;
                if (!dropped) {
                    // Moved on or ended meanwhile: what came is kept, the rest is not ours.
                    m_loadingHistory.remove(id);
                }
                Q_EMIT historyFailed(id, error);
                return;
            }
            QList<protocol::Message> page;
            const QJsonArray list = result.value(QLatin1StringView("messages")).toArray();
            for (const QJsonValue& v : list) {
                if (Result<protocol::Message> m = protocol::Message::fromJson(v.toObject())) {
                    page.append(*m);
                }
            }
            if (const Result<void> stored = m_backend.addHistory(page); !stored) {
                m_loadingHistory.remove(id);
                Q_EMIT historyFailed(id, stored.error());
                return;
            }
            const int total = received + int(page.size());
            const bool more = result.value(QLatin1StringView("more")).toBool() && !page.isEmpty();
            Q_EMIT historyProgress(id, total, more);
            if (more) {
                fetchHistory(id, page.first().id, total);
                return;
            }
            m_loadingHistory.remove(id);
            Q_EMIT historyLoaded(id, total);
        },
        true);
}

// --- missed requests ---------------------------------------------------------------------------

QList<Session> SessionManager::missed() const
{
    const_cast<SessionManager*>(this)->loadMissed();
    return m_missed;
}

void SessionManager::addMissed(const Session& s)
{
    if (s.inviter || (s.reason != EndReason::TimedOut && s.reason != EndReason::Cancelled)) {
        return;
    }
    const qint64 me = m_backend.currentDeviceId();
    const bool invitedHere = std::any_of(s.invitedDevices.cbegin(), s.invitedDevices.cend(),
        [me](const protocol::SessionDevice& d) { return d.id == me; });
    if (!invitedHere) {
        return;
    }
    loadMissed();
    for (const Session& m : std::as_const(m_missed)) {
        if (m.id == s.id) {
            return;
        }
    }
    m_missed.append(s);
    while (m_missed.size() > MaxMissed) {
        m_missed.removeFirst();
    }
    saveMissed();
    Q_EMIT missedChanged();
}

void SessionManager::dismissMissed(const QString& peer)
{
    loadMissed();
    const qsizetype removed = m_missed.removeIf(
        [&peer](const Session& s) { return s.peer.compare(peer, Qt::CaseInsensitive) == 0; });
    if (removed > 0) {
        saveMissed();
        Q_EMIT missedChanged();
    }
}

void SessionManager::loadMissed()
{
    if (m_missedLoaded) {
        return;
    }
    m_missedLoaded = true;
    const Result<QString> text = m_backend.deviceSetting(MissedKey);
    if (!text || text->isEmpty()) {
        return;
    }
    const QJsonArray list = QJsonDocument::fromJson(text->toUtf8()).array();
    for (const QJsonValue& v : list) {
        if (Result<Session> s = Session::fromJson(v.toObject())) {
            m_missed.append(*s);
        }
    }
}

void SessionManager::saveMissed()
{
    QJsonArray list;
    for (const Session& s : std::as_const(m_missed)) {
        list.append(s.toJson());
    }
    const Result<void> saved = m_backend.setDeviceSetting(
        MissedKey, QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)));
    if (!saved) {
        qCWarning(lcClient) << "missed session requests not kept:" << saved.error().message;
    }
}

} // namespace cpm
