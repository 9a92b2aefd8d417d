// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The client side of chat sessions (SES-1..7, SES-9): what the server said about the
// user's sessions (from `session` stream events and `session.list`), the requests that
// change them, and the history a session brings when it moves to this device. The server
// decides; this only keeps its word and asks.

#include "types.h"

#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QSet>

#include <functional>
#include <optional>

namespace cpm {

class SessionManager final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionManager)

public:
    //! A request's outcome: on success a null Error and the session after the change; on
    //! failure the error and, when the server sent it (already_answered, session_ended,
    //! not_bound, conflict), the session as it is now (else id 0).
    using SessionCallback = std::function<void(const Error& error, const Session& session)>;
    using Callback = std::function<void(const Error& error)>;

    //! What the manager needs of its Client (implemented inside Client).
    class Backend {
    public:
        virtual ~Backend() = default;
        //! \a housekeeping: asked by the manager itself, again when next online, so a
        //! connection closed before the answer is no error worth reporting.
        virtual void request(QLatin1StringView op, const QJsonObject& args,
            std::function<void(const QJsonObject& result, const Error& error)> done,
            bool housekeeping = false)
            = 0;
        virtual qint64 currentDeviceId() const = 0;
        //! Queues a message of session \a sessionId in the outbox (like Client::send).
        virtual Result<QString> queueSessionMessage(
            const QString& to, const QString& body, qint64 sessionId)
            = 0;
        //! Stores messages a session's history brought, without notifying them.
        virtual Result<void> addHistory(const QList<protocol::Message>& messages) = 0;
        virtual Result<QString> deviceSetting(const QString& key) const = 0;
        virtual Result<void> setDeviceSetting(const QString& key, const QString& value) = 0;
    };

    explicit SessionManager(Backend& backend, QObject* parent = nullptr);
    ~SessionManager() override;

    // --- what is known -----------------------------------------------------------------------
    //! The user's open sessions (inviting or active), whichever device they are on, oldest
    //! first.
    QList<Session> openSessions() const;
    //! A session this device knows of (open, or ended since the app started).
    std::optional<Session> session(qint64 id) const;
    //! The open session with \a peer, if any (there is at most one).
    std::optional<Session> openSessionWith(const QString& peer) const;
    //! Requests ringing on this device (SES-2), oldest first.
    QList<Session> ringing() const;
    //! Active sessions bound to this device.
    QList<Session> here() const;
    //! Active sessions bound to another device of the user (SES-7's list).
    QList<Session> elsewhere() const;
    bool isHere(qint64 sessionId) const;
    //! Requests this device was rung for (or would have been) that nobody answered:
    //! timed out or cancelled, newest last; kept across restarts until dismissed.
    QList<Session> missed() const;
    void dismissMissed(const QString& peer);
    bool isPeerComposing(qint64 sessionId) const;
    //! Whether the history of \a sessionId is still being loaded here.
    bool isLoadingHistory(qint64 sessionId) const;

    // --- requests -------------------------------------------------------------------------------
    void invite(const QString& to, const QString& subject, SessionCallback done = {});
    void accept(qint64 id, SessionCallback done = {});
    void decline(qint64 id, SessionCallback done = {});
    void cancel(qint64 id, SessionCallback done = {});
    void end(qint64 id, SessionCallback done = {});
    //! Moves the session from this device to \a deviceId (SES-6).
    void transfer(qint64 id, qint64 deviceId, const protocol::HistoryChoice& history,
        SessionCallback done = {});
    //! Takes the session over from another device of the user (SES-7).
    void pull(qint64 id, const protocol::HistoryChoice& history, SessionCallback done = {});
    //! Asks the server for one session, in whatever state (`session.get`).
    void fetch(qint64 id, SessionCallback done = {});
    //! Asks the server for the open sessions again (`session.list`).
    void refresh(Callback done = {}, bool housekeeping = false);
    //! Says \a text in the session (it must be active and here): queued in the outbox like
    //! any message; returns its clientId.
    Result<QString> say(qint64 id, const QString& text);
    //! Tells the peer's device whether this one is typing in the session (best effort).
    void setComposing(qint64 id, bool composing);

    // --- fed by the Client -------------------------------------------------------------------
    //! `session` stream events, in order. \a ringAllowed is false while a fresh profile
    //! replays old history: nothing rings then (the list asked for once online does).
    void applyEvents(const QList<Session>& sessions, bool ringAllowed);
    void applyComposing(const protocol::SessionComposingEvent& event);
    //! The connection is up and caught up.
    void online();
    //! The connection dropped: composing indicators go.
    void offline();
    //! The profile was wiped: everything goes.
    void clear();

Q_SIGNALS:
    //! Any session changed or the set changed.
    void sessionsChanged();
    void sessionUpdated(const cpm::Session& session);
    //! A request started ringing on this device.
    void incomingRequest(const cpm::Session& session);
    //! A request stopped ringing here: answered (on which device: `boundDevice`),
    //! declined, cancelled or timed out.
    void requestEnded(const cpm::Session& session);
    //! A session moved to this device (transfer from another, or a pull from here).
    void arrivedHere(const cpm::Session& session);
    //! A session left this device for another of the user's (`boundDevice`).
    void continuedElsewhere(const cpm::Session& session);
    //! A session this device was part of ended.
    void sessionEnded(const cpm::Session& session);
    void historyProgress(qint64 sessionId, int received, bool more);
    void historyLoaded(qint64 sessionId, int received);
    void historyFailed(qint64 sessionId, const cpm::Error& error);
    void peerComposingChanged(qint64 sessionId, bool composing);
    void missedChanged();

private:
    void call(QLatin1StringView op, const QJsonObject& args, SessionCallback done);
    //! Takes \a session in as the latest word on it; returns whether it was taken.
    bool merge(const Session& session);
    //! Rings, withdraws and moves after \a sessions changed.
    void settle(const QList<qint64>& ids, bool ringAllowed);
    bool ringsHere(const Session& session) const;
    bool boundHere(const Session& session) const;
    void fetchHistory(qint64 id, qint64 before, int received);
    void addMissed(const Session& session);
    void loadMissed();
    void saveMissed();

    Backend& m_backend;
    QMap<qint64, Session> m_sessions;
    QSet<qint64> m_ringing;
    QSet<qint64> m_here;
    QSet<qint64> m_composing;
    QSet<qint64> m_loadingHistory;
    QList<Session> m_missed;
    bool m_missedLoaded = false;
};

} // namespace cpm
