// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Chat sessions across devices (SES-1..7, SES-9): the one place that decides. A session
// request rings on the invitee's devices, one device accepts it, either side ends it, and
// a user moves it between their own devices (push `session.transfer`, pull `session.pull`)
// with a choice of history. Every decision is a compare-and-set on the stored session
// (Store::updateSession), so of two accepts exactly one wins even across processes, and
// every change is a `session` stream event to the devices of the users it concerns.
//
// A session is bound to a device, not to a connection: tick() ends requests nobody
// answered (session.inviteTimeoutSeconds) and sessions whose bound device stayed away past
// session.graceSeconds (or was signed out).

#include "model.h"
#include "store.h"

#include <QHash>

#include <functional>
#include <optional>

namespace cpm::server {

class Operations;
class Request;
class Server;

class SessionController final {
    Q_DISABLE_COPY_MOVE(SessionController)

public:
    explicit SessionController(Server& server);

    void addOperations(Operations& operations);
    //! Timeouts and the grace period; the Server calls it every second on the node that
    //! leads the upkeep (Store::leadsUpkeep()).
    void tick(qint64 now);
    //! Instead of tick() on the other nodes: when this one leads again, a device's grace
    //! starts from when it saw the device away, not from a stale memory.
    void standBy() { m_awaySince.clear(); }
    /*!
     * Whether device \a deviceId of \a userId may say a message to \a to in session
     * \a sessionId (the `send` of a session message): it must be active and bound to that
     * device, and \a to must be the peer.
     */
    Result<void> checkSay(qint64 userId, qint64 deviceId, qint64 sessionId, const QString& to);

private:
    void invite(const Request& request);
    void accept(const Request& request);
    void decline(const Request& request);
    void cancel(const Request& request);
    void end(const Request& request);
    void transfer(const Request& request);
    void pull(const Request& request);
    void list(const Request& request);
    void get(const Request& request);
    void history(const Request& request);
    void composing(const Request& request);

    /*!
     * Ends the requested session for the asker (decline, cancel, end): \a refusal says
     * what the asker may not end (its role, an active request); then an ended one is
     * `session_ended`;
     * \a reasonFor picks the reason. Tried again on what a concurrent decision left.
     */
    void endAs(const Request& request,
        const std::function<std::optional<Error>(const SessionRecord&)>& refusal,
        const std::function<protocol::EndReason(const SessionRecord&)>& reasonFor);
    //! The session \a id if \a userId takes part in it; not_found otherwise.
    Result<SessionRecord> sessionOf(qint64 userId, qint64 id);
    //! Reads the `id` argument and the session it names; answers \a request on failure.
    std::optional<SessionRecord> requestedSession(const Request& request);
    /*!
     * Writes \a next over \a current (compare-and-set on its version) with the `session`
     * events for \a userIds, publishes them and answers \a request (when given) with
     * \a answerFor's view. False when the session changed meanwhile (nothing written).
     */
    Result<bool> decide(const SessionRecord& current, const SessionRecord& next,
        protocol::SessionChange change, const QList<qint64>& userIds, qint64 previousDevice,
        qint64 now);
    //! Ends \a session for both users.
    Result<bool> finish(
        const SessionRecord& session, protocol::EndReason reason, qint64 endedBy, qint64 now);
    //! \a userId's view of \a session.
    protocol::Session view(const SessionRecord& session, qint64 userId,
        protocol::SessionChange change, qint64 previousDevice = 0);
    protocol::SessionDevice describeDevice(qint64 deviceId);
    //! The history \a choice grants, as a message id range of the conversation.
    Result<void> grantHistory(
        SessionRecord::Side& side, const QString& peer, const protocol::HistoryChoice& choice);
    //! An error with the session's current state in `session` (session_ended, conflict...).
    Error withSession(Error error, const SessionRecord& session, qint64 userId);

    Server& m_server;
    //! Bound devices found away, and since when (ms since the epoch).
    QHash<qint64, qint64> m_awaySince;
};

} // namespace cpm::server
