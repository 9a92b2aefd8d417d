// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The server's storage seam (design.md, "Server storage"): accounts, devices, mailboxes,
// per-user event streams, profiles and operator settings. SqliteStore and PostgresStore
// implement it, both through SqlStore (sqlstore.h); openstore.h picks one. Policy (who may send, to
// whom, who sees what) is not here: that is the Registrar's and the Router's. Every call answers
// value-or-error, so "not found" (an empty optional, NotFound) is never confused with "the store
// failed".

#include "model.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace cpm::server {

struct UserRecord {
    qint64 id = 0;
    QString address;
    QByteArray passwordHash; //!< libsodium crypto_pwhash_str() output
    bool enabled = true;
    protocol::Status status;
    qint64 headSeq = 0;
    qint64 created = 0;
};

//! A device as stored: its protocol description plus what only the server knows.
struct DeviceRecord {
    protocol::Device device; //!< `online` and `current` are left false here
    qint64 userId = 0;
    QByteArray tokenHash;
    qint64 ackedSeq = 0;
    qint64 created = 0;
    qint64 signedOut = 0; //!< time of the sign-out; 0 while signed in

    qint64 id() const { return device.id; }
    bool isSignedIn() const { return signedOut == 0; }
};

//! One event of a user's stream, as stored or just appended.
struct StoredEvent {
    qint64 userId = 0;
    qint64 seq = 0;
    QString kind; //!< protocol::event::*
    qint64 messageId = 0; //!< the message it is about, 0 when none
    QJsonObject data; //!< the payload of every kind but `message`
    //! \a data as JSON text, when it was just written that way (saves rendering it again).
    QString dataJson;
    //! `message` events: the user's copy as it is now; empty when no longer stored.
    std::optional<protocol::Message> message;
    //! The event is about a message that is no longer in the user's storage.
    bool messageGone = false;
};

//! Stream events a write appended, for the caller to publish once the write is committed.
using Events = QList<StoredEvent>;

//! A chat session as stored (SES): both sides, whatever each user may see of it.
struct SessionRecord {
    struct Side {
        qint64 userId = 0;
        QString address;
        qint64 device = 0; //!< the bound device; 0 while none (the invitee before accepting)
        protocol::HistoryChoice history { protocol::HistoryChoice::Kind::Session, 0 };
        qint64 historyFrom = 0; //!< lowest message id the history covers (0: from the start)
        qint64 historyUpTo = 0; //!< highest message id it covers (0: none yet)
    };
    qint64 id = 0;
    Side inviter;
    Side invitee;
    QString subject;
    protocol::SessionState state = protocol::SessionState::Inviting;
    protocol::EndReason reason = protocol::EndReason::None;
    qint64 endedBy = 0; //!< a user id; 0 for none (a timeout)
    qint64 createdAt = 0;
    qint64 startedAt = 0;
    qint64 endedAt = 0;
    QList<qint64> invitedDevices; //!< the invitee's devices it rang on
    qint64 version = 0; //!< bumped by every change

    bool isOpen() const { return state != protocol::SessionState::Ended; }
    bool involves(qint64 userId) const
    {
        return inviter.userId == userId || invitee.userId == userId;
    }
    Side& sideOf(qint64 userId) { return inviter.userId == userId ? inviter : invitee; }
    const Side& sideOf(qint64 userId) const { return inviter.userId == userId ? inviter : invitee; }
    const Side& otherSide(qint64 userId) const
    {
        return inviter.userId == userId ? invitee : inviter;
    }
};

//! The `session` events a session change appends: the payload for each user to be told,
//! rendered from the record as written (its id is known only then).
using SessionEventRenderer
    = std::function<QList<std::pair<qint64, QJsonObject>>(const SessionRecord& written)>;

//! A page of one user's conversation with a peer, newest first (session.history).
struct ConversationQuery {
    qint64 userId = 0;
    QString peer;
    qint64 sessionId = 0; //!< only messages of this session; 0: any
    qint64 fromId = 0; //!< lowest message id (inclusive); 0: from the start
    qint64 upToId = 0; //!< highest message id (inclusive)
    qint64 beforeId = 0; //!< only ids below this; 0: no bound
    int limit = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual void close() = 0;
    virtual bool isOpen() const = 0;

    // --- durability -----------------------------------------------------------------------
    // A store may keep writes open until commit() (SqliteStore's group commit). Until then
    // nobody may be told of them: the Server holds every answer and event meanwhile.

    //! \a listener runs when a write leaves something for commit() to make durable.
    virtual void setWriteListener(std::function<void()> listener) = 0;
    virtual bool hasUncommittedWrites() const = 0;
    //! How many writes wait for commit().
    virtual int uncommittedWrites() const = 0;
    //! Makes every write so far durable. On failure none of them is stored.
    virtual Result<void> commit() = 0;
    //! Upkeep between batches (the server calls it after a commit's frames are out).
    virtual void maintain() = 0;
    //! True when another process (the admin CLI) changed the store since the last call.
    virtual bool changedElsewhere() = 0;

    // --- several nodes ------------------------------------------------------------------------
    /*!
     * A store several server nodes share (PostgreSQL) calls \a listener from the event loop
     * when another node committed stream events: with the user and the highest seq, or with
     * user 0 when some may have gone unheard (every live device should catch up from the
     * stream). A store only one process uses never calls it.
     */
    virtual void setRemoteEventListener(std::function<void(qint64 userId, qint64 seq)> listener)
    {
        Q_UNUSED(listener)
    }
    //! Whether other nodes share this store (what follows then does something).
    virtual bool isShared() const { return false; }
    //! This node's device \a deviceId of \a userId came online or went offline here.
    virtual Result<void> setPresence(qint64 userId, qint64 deviceId, bool online, qint64 now)
    {
        Q_UNUSED(userId)
        Q_UNUSED(deviceId)
        Q_UNUSED(online)
        Q_UNUSED(now)
        return {};
    }
    //! The devices (user id, device id) online on the other live nodes now.
    virtual Result<QList<std::pair<qint64, qint64>>> presenceElsewhere(qint64 now)
    {
        Q_UNUSED(now)
        return QList<std::pair<qint64, qint64>> {};
    }
    //! This node is alive (called every tick); a node silent for long is forgotten, with
    //! the devices it had online.
    virtual Result<void> heartbeat(qint64 now)
    {
        Q_UNUSED(now)
        return {};
    }
    /*!
     * Whether this node does the upkeep that concerns every user (expiry of deferred
     * messages, of guests and of uploads; session timeouts), as of the last heartbeat():
     * one node of those alive. It may be two for a moment while the nodes change, which
     * costs nothing: every step of the upkeep is a compare-and-set. Always true for a
     * store that one process owns.
     */
    virtual bool leadsUpkeep() const { return true; }
    //! Sends \a message (JSON, < 7,900 bytes) to the other nodes' broadcast listeners.
    virtual Result<void> broadcast(const QByteArray& message)
    {
        Q_UNUSED(message)
        return {};
    }
    virtual void setBroadcastListener(std::function<void(const QByteArray& message)> listener)
    {
        Q_UNUSED(listener)
    }
    //! Failed sign-ins, counted across nodes (LoginThrottle::Shared): the times of the other
    //! nodes' failures of \a key after \a since.
    virtual Result<QList<qint64>> loginFailuresElsewhere(const QString& key, qint64 since)
    {
        Q_UNUSED(key)
        Q_UNUSED(since)
        return QList<qint64> {};
    }
    virtual Result<void> recordLoginFailure(const QString& key, qint64 now)
    {
        Q_UNUSED(key)
        Q_UNUSED(now)
        return {};
    }
    //! Forgets every node's failures of \a key (a successful sign-in).
    virtual Result<void> clearLoginFailures(const QString& key)
    {
        Q_UNUSED(key)
        return {};
    }
    //! Forgets failures at or before \a before.
    virtual Result<void> pruneLoginFailures(qint64 before)
    {
        Q_UNUSED(before)
        return {};
    }

    // --- operator settings ------------------------------------------------------------------
    //! An integer setting: its default (operatorsettings.h) when unset or malformed, the
    //! last value read when the store cannot be read now.
    virtual qint64 settingInt(QLatin1StringView key) = 0;
    virtual Result<void> setSetting(const QString& key, const QString& value) = 0;
    //! Every stored setting (the admin's `settings list` adds the defaults).
    virtual Result<QMap<QString, QString>> settings() = 0;

    // --- users ------------------------------------------------------------------------------
    enum class CreateUser { Created, Exists };
    virtual Result<CreateUser> createUser(
        const QString& address, const QByteArray& passwordHash, qint64 now)
        = 0;
    virtual Result<std::optional<UserRecord>> userByAddress(const QString& address) = 0;
    //! Just the id of the user with \a address (the hot path's recipient lookup).
    virtual Result<std::optional<qint64>> userIdByAddress(const QString& address) = 0;
    virtual Result<std::optional<UserRecord>> userById(qint64 id) = 0;
    //! False when there is no such user.
    virtual Result<bool> setUserEnabled(const QString& address, bool enabled) = 0;
    virtual Result<QList<UserRecord>> users() = 0;
    virtual Result<QList<qint64>> disabledUserIds() = 0;

    // --- devices ----------------------------------------------------------------------------
    struct NewDevice {
        QString instanceId;
        QString name;
        QString kind;
        QStringList capabilities;
        QByteArray tokenHash;
        QString delivery; //!< for a new device; empty: the default (full)
        std::optional<bool> notifySessions; //!< likewise; default true
        bool guest = false; //!< a guest device (GST-1)
        qint64 expires = 0; //!< a guest device's end of life (ms since the epoch)
    };
    //! Creates the device, or re-registers (new token, signed in again) a known instance id.
    virtual Result<DeviceRecord> registerDevice(
        qint64 userId, const NewDevice& device, qint64 now, Events* events)
        = 0;
    //! Any device by id, signed out or not.
    virtual Result<std::optional<DeviceRecord>> deviceById(qint64 deviceId) = 0;
    //! The user's signed-in devices, or all of them.
    virtual Result<QList<DeviceRecord>> devices(qint64 userId, bool includeSignedOut = false) = 0;
    struct DeviceChange {
        std::optional<QString> name;
        std::optional<QString> delivery;
        std::optional<bool> notifySessions;
    };
    //! Empty when the device is not the user's or is signed out.
    virtual Result<std::optional<DeviceRecord>> updateDevice(
        qint64 userId, qint64 deviceId, const DeviceChange& change, qint64 now, Events* events)
        = 0;
    enum class SignOut { Done, AlreadySignedOut, NotFound };
    virtual Result<SignOut> signOutDevice(
        qint64 userId, qint64 deviceId, qint64 now, Events* events)
        = 0;
    virtual Result<void> touchDevice(qint64 deviceId, qint64 now) = 0;
    /*!
     * Removes the device altogether (a guest device at its end, GST-4): its token, its
     * position and its settings are gone; the user's devices get a `device` event with
     * `removed`. NotFound when it is not the user's.
     */
    virtual Result<SignOut> forgetDevice(qint64 userId, qint64 deviceId, qint64 now, Events* events)
        = 0;
    //! Every guest device, soonest to expire first.
    virtual Result<QList<DeviceRecord>> guestDevices() = 0;

    // --- event stream -----------------------------------------------------------------------
    //! Up to \a limit stream events after \a since, oldest first, with message state joined.
    virtual Result<QList<StoredEvent>> eventsAfter(qint64 userId, qint64 since, int limit) = 0;
    /*!
     * Stores the device's acknowledged position (never moving it back, never past the
     * head) and, when \a delivers, marks the user's pending incoming messages it covers
     * delivered, with a `report` to each sender. Returns the stored position.
     */
    virtual Result<qint64> ack(
        qint64 userId, qint64 deviceId, qint64 seq, bool delivers, qint64 now, Events* events)
        = 0;

    // --- messages ---------------------------------------------------------------------------
    //! What the Router needs to decide on a submission (one read).
    struct SenderState {
        qint64 id = 0;
        QString address;
        bool enabled = false;
        qint64 sentOnDay = 0; //!< messages sent on the day asked for
        //! The message this sender stored earlier under the same clientId, if any.
        struct Previous {
            qint64 messageId = 0;
            QString to;
            QString subject;
            QString body;
            qint64 time = 0;
            qint64 senderSeq = 0;
            QStringList attachmentIds; //!< in the message's order
        };
        std::optional<Previous> previous;
    };
    virtual Result<std::optional<SenderState>> senderState(
        qint64 userId, const QString& clientId, qint64 day)
        = 0;
    struct NewMessage {
        qint64 senderId = 0;
        QString senderAddress;
        qint64 recipientId = 0;
        QString recipientAddress;
        QString clientId;
        QString subject;
        QString body;
        qint64 now = 0;
        qint64 day = 0; //!< counted toward the sender's daily quota of this day
        qint64 session = 0; //!< the chat session it is said in; 0 for none
        //! Complete attachments of the sender's storage, in order (MSG-1).
        QList<protocol::Attachment> attachments;
        //! Deferred when the recipient is not available on CPM (MSG-7, MSG-8).
        protocol::Route route = protocol::Route::Cpm;
        //! A conversion for a legacy network to queue with it ("email"/"sms"; none: empty).
        QString legacyNetwork;
        QString legacyAddress; //!< the recipient's address in that network
    };
    struct StoredMessage {
        qint64 messageId = 0;
        qint64 senderSeq = 0; //!< the sentbox copy's position in the sender's stream
        qint64 time = 0;
    };
    /*!
     * Stores a message the Router accepted: the message, the recipient's inbox copy and
     * event, the sender's sentbox copy and event, in one write. A clientId the sender used
     * before is Conflict (the Router looks for it first; this only guards a race).
     */
    virtual Result<StoredMessage> storeMessage(const NewMessage& message, Events* events) = 0;

    // --- Interworking (MSG-7, MSG-8) -------------------------------------------------------
    //! The stand-in for the HSS/HLR: whether the user is registered in a legacy network.
    virtual Result<void> setLegacyRegistration(
        qint64 userId, QStringView network, bool registered, qint64 now)
        = 0;
    //! The legacy networks ("email", "sms") the user is registered in now.
    virtual Result<QStringList> legacyRegistrations(qint64 userId) = 0;
    //! One conversion of a message for a legacy network and how it went.
    struct LegacyDelivery {
        qint64 id = 0;
        qint64 messageId = 0;
        qint64 recipientId = 0;
        QString network; //!< email, sms
        QString address; //!< the recipient's address there
        QString state; //!< pending, sent, failed, cancelled
        int attempts = 0;
        qint64 nextAttempt = 0;
        QString lastError;
        qint64 created = 0;
        qint64 finished = 0; //!< 0 while pending
        protocol::Message message; //!< the recipient's copy (dueLegacyDeliveries only)
    };
    //! Pending deliveries whose next attempt is due at \a now, oldest first, with their
    //! messages; at most \a limit.
    virtual Result<QList<LegacyDelivery>> dueLegacyDeliveries(qint64 now, int limit) = 0;
    //! Deliveries of \a userId's messages (as recipient or sender), newest first; all users'
    //! when \a userId is 0.
    virtual Result<QList<LegacyDelivery>> legacyDeliveries(qint64 userId, int limit) = 0;
    /*!
     * Records an attempt. Delivered: the delivery is `sent`, the message's route becomes
     * its network, and the sender's copy still `sent` becomes `delivered` with a `report`
     * (route included) in \a events; \a error is then ignored (the last failure's stays).
     * Otherwise the delivery stays pending until \a nextAttempt (0: failed for good) with
     * \a error kept. Nothing happens to a delivery
     * no longer pending (the recipient came back to CPM meanwhile).
     */
    virtual Result<void> finishLegacyAttempt(qint64 deliveryId, bool delivered,
        const QString& error, qint64 nextAttempt, qint64 now, Events* events)
        = 0;
    /*!
     * Moves the next attempt of the pending deliveries \a deliveryIds to \a nextAttempt
     * without counting an attempt: their recipient is connected to CPM, so her device's
     * acknowledgement may call them off, and they must not hold up the ones behind them.
     */
    virtual Result<void> postponeLegacyDeliveries(
        const QList<qint64>& deliveryIds, qint64 nextAttempt)
        = 0;
    /*!
     * Takes the pending delivery \a deliveryId due at \a now for this node's attempt: its
     * next attempt moves to \a leaseUntil (when another node may take it over, had this one
     * died). False when another node took it first. Only needed where nodes share a store.
     */
    virtual Result<bool> claimLegacyDelivery(qint64 deliveryId, qint64 now, qint64 leaseUntil) = 0;
    //! The user's copy of a message, or empty when it is not in the user's storage.
    virtual Result<std::optional<protocol::Message>> message(qint64 userId, qint64 messageId) = 0;
    enum class Change { Done, Unchanged, NotFound };
    //! Marks read; a first read of an incoming message reports `displayed` to the sender.
    virtual Result<Change> markRead(qint64 userId, qint64 messageId, qint64 now, Events* events)
        = 0;
    //! Removes the user's copy (the other party keeps theirs).
    virtual Result<Change> deleteMessage(
        qint64 userId, qint64 messageId, qint64 now, Events* events)
        = 0;
    /*!
     * Expires pending (undelivered) inbox copies created before \a createdBefore (0: none
     * by age) and, per recipient, those beyond the newest \a maxCount (0: no count limit),
     * a bounded number per call. Returns how many expired.
     */
    virtual Result<int> expirePending(
        qint64 createdBefore, qint64 maxCount, qint64 now, Events* events)
        = 0;
    //! Pending inbox messages of one user, oldest first (for tests and the admin).
    virtual Result<QList<qint64>> pendingMessageIds(qint64 userId) = 0;

    // --- profile ----------------------------------------------------------------------------
    virtual Result<QList<protocol::Contact>> contacts(qint64 userId) = 0;
    virtual Result<void> addContact(
        qint64 userId, const protocol::Contact& contact, qint64 now, Events* events)
        = 0;
    //! Unchanged when the address was not a contact.
    virtual Result<Change> removeContact(
        qint64 userId, const QString& address, qint64 now, Events* events)
        = 0;
    virtual Result<void> setStatus(
        qint64 userId, const protocol::Status& status, qint64 now, Events* events)
        = 0;
    virtual Result<void> setPref(
        qint64 userId, const QString& key, const QString& value, qint64 now, Events* events)
        = 0;
    virtual Result<QMap<QString, QString>> prefs(qint64 userId) = 0;

    // --- chat sessions (SES) ------------------------------------------------------------------
    //! Stores a new session (its id and version 1 set here) and appends its events.
    virtual Result<SessionRecord> createSession(const SessionRecord& session,
        const SessionEventRenderer& render, qint64 now, Events* events)
        = 0;
    /*!
     * Replaces the session with \a next if it is still at \a expectedVersion (a
     * compare-and-set: of two writers deciding on the same version one wins), bumping its
     * version, and appends the events \a render makes. False, with nothing written, when
     * the session changed meanwhile.
     */
    virtual Result<bool> updateSession(SessionRecord next, qint64 expectedVersion,
        const SessionEventRenderer& render, qint64 now, Events* events)
        = 0;
    virtual Result<std::optional<SessionRecord>> session(qint64 id) = 0;
    //! Sessions not ended, of \a userId or (0) of everyone, oldest first.
    virtual Result<QList<SessionRecord>> openSessions(qint64 userId = 0) = 0;
    //! The ids of the newest message of the conversation and of its \a n-th newest
    //! (0 when there are fewer), in \a userId's storage.
    virtual Result<std::pair<qint64, qint64>> conversationBounds(
        qint64 userId, const QString& peer, int n)
        = 0;
    virtual Result<QList<protocol::Message>> conversation(const ConversationQuery& query) = 0;
    //! \a userId's newest \a limit messages, received and sent, any peer: newest first.
    virtual Result<QList<protocol::Message>> recentMessages(qint64 userId, int limit) = 0;

    // --- attachments (MSG-1) ------------------------------------------------------------------
    // What a user's network storage holds; the bytes are files the AttachmentService keeps.
    //! Stores a new attachment (its id, state and time set by the caller).
    virtual Result<void> createAttachment(qint64 ownerId, const protocol::Attachment& attachment)
        = 0;
    //! Any attachment by id, deleted ones included, with its owner.
    virtual Result<std::optional<std::pair<qint64, protocol::Attachment>>> attachment(
        const QString& id)
        = 0;
    //! The owner's upload (not deleted) with these four, if any: the one to resume.
    virtual Result<std::optional<protocol::Attachment>> findAttachment(qint64 ownerId,
        const QString& name, const QString& type, qint64 size, const QString& sha256)
        = 0;
    virtual Result<void> setAttachmentState(const QString& id, QLatin1StringView state) = 0;
    //! The owner's attachments not deleted, newest first, and the bytes they count.
    virtual Result<QList<protocol::Attachment>> files(qint64 ownerId) = 0;
    virtual Result<qint64> storageUsed(qint64 ownerId) = 0;
    //! Whether \a userId may fetch \a id: a complete attachment of their own storage or
    //! referenced by a message in their storage.
    virtual Result<bool> mayFetch(qint64 userId, const QString& id) = 0;
    //! Unfinished uploads begun before \a before, oldest first, at most \a limit.
    virtual Result<QList<protocol::Attachment>> uploadsBegunBefore(qint64 before, int limit) = 0;
};

} // namespace cpm::server
