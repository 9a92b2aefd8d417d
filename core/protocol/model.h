// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The protocol's objects and event payloads (docs/protocol.md, "Objects" and "Stream
// events"), defined once with their one codec. The server renders them, the client core
// reads them, cpm-cli prints them: none of them spells a field name on its own.
//
// fromJson() is strict about types and limits (a peer's frame is untrusted) and ignores
// fields it does not know, so a newer peer can add some.

#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cpm::protocol {

//! Whose copy of a message: received (`inbox`) or written by this user (`sent`).
enum class Folder { Inbox, Sent };
QLatin1StringView folderName(Folder folder);
std::optional<Folder> folderFromName(QStringView name);

//! A message's delivery state as its sender sees it (MSG-5, MSG-7): `status` on the wire.
//! It only moves forward, sent → delivered → displayed; expired replaces sent only.
enum class MessageState { Sent, Delivered, Displayed, Expired };
QLatin1StringView stateName(MessageState state);
std::optional<MessageState> stateFromName(QStringView name);
//! Whether a copy in state \a current takes the reported state \a next.
bool stateAdvances(MessageState current, MessageState next);

/*!
 * How a message reaches (or reached) its recipient (MSG-7, MSG-8): `route` on the wire,
 * absent for `cpm`. `deferred`: the recipient is not available on CPM and the server keeps
 * it until she is (or until a legacy delivery succeeds); `email`, `sms`: the interworking
 * function delivered it through that legacy network.
 */
enum class Route { Cpm, Deferred, Email, Sms };
QLatin1StringView routeName(Route route);
std::optional<Route> routeFromName(QStringView name);

/*!
 * An Attachment object (MSG-1): a file in its uploader's network storage. In a Message it
 * comes without `state` and `time` (empty and 0 here).
 */
struct Attachment {
    QString id; //!< 32 lower-case hex digits
    QString name;
    QString type; //!< `type/subtype`, lower case
    qint64 size = 0;
    QString sha256; //!< 64 lower-case hex digits
    QString state; //!< one of attachmentState::*; empty in a Message
    qint64 time = 0; //!< when the upload was begun; 0 in a Message

    //! The object as a Message carries it (no `state`, no `time`).
    Attachment inMessage() const;
    QJsonObject toJson() const;
    static Result<Attachment> fromJson(const QJsonObject& object);
    bool isImage() const { return type.startsWith(QLatin1StringView("image/")); }
    bool operator==(const Attachment& other) const = default;
};

namespace attachmentState {
inline constexpr QLatin1StringView Uploading { "uploading" };
inline constexpr QLatin1StringView Complete { "complete" };
inline constexpr QLatin1StringView Deleted { "deleted" };
} // namespace attachmentState

//! Whether \a id has an attachment id's form (32 lower-case hex digits).
bool isAttachmentId(QStringView id);
//! Whether \a hex is a SHA-256 as the protocol writes it (64 lower-case hex digits).
bool isSha256Hex(QStringView hex);
//! Whether \a type is a media type as attachments take it (`type/subtype`, RFC 6838's
//! letters, 3–127 characters); case is not checked (the server lowers it).
bool isMediaType(QStringView type);
//! The `attachments` of a Message (an empty array is none).
QJsonArray attachmentsToJson(const QList<Attachment>& attachments);
Result<QList<Attachment>> attachmentsFromJson(const QJsonValue& value);

//! A Message object: one user's copy, with that user's state of it.
struct Message {
    qint64 id = 0;
    QString clientId;
    QString from;
    QString to;
    QString subject; //!< empty when none
    QString body; //!< null when partial
    qint64 time = 0; //!< ms since the epoch, UTC
    Folder folder = Folder::Inbox;
    bool read = false;
    MessageState status = MessageState::Sent;
    bool partial = false; //!< only a notification: sender and subject, no body
    qint64 session = 0; //!< the chat session it was said in (SES-5); 0 for none
    //! Its attachments (MSG-1), in the sender's order; none on a partial copy.
    QList<Attachment> attachments;
    Route route = Route::Cpm; //!< MSG-7/MSG-8; the same on both copies

    //! The same message as a `notification` device sees it: without its body and
    //! attachments.
    Message withoutBody() const;
    QJsonObject toJson() const;
    static Result<Message> fromJson(const QJsonObject& object);
    bool operator==(const Message& other) const = default;
};

//! A Device object (DEV-1..3). `online` and `current` depend on who asks and when.
struct Device {
    qint64 id = 0;
    QString instanceId;
    QString name;
    QString kind; //!< one of kind::All
    QStringList capabilities; //!< from text, file, image, audio, video
    QString delivery = QStringLiteral("full"); //!< one of delivery::*
    bool notifySessions = true;
    bool online = false;
    qint64 lastSeen = 0;
    bool current = false;
    //! A guest device (GST-1): signed in on someone else's machine for a bounded time.
    bool guest = false;
    qint64 expires = 0; //!< a guest device's end of life, ms since the epoch; 0 for others

    QJsonObject toJson() const;
    static Result<Device> fromJson(const QJsonObject& object);
    bool operator==(const Device& other) const = default;
};

struct Contact {
    QString address;
    QString name;

    QJsonObject toJson() const;
    static Result<Contact> fromJson(const QJsonObject& object);
    bool operator==(const Contact& other) const = default;
};

//! The user's presence status (CON-1): also the `status` event's payload.
struct Status {
    QString status = QStringLiteral("available"); //!< one of status::All
    QString text; //!< at most 256 characters

    QJsonObject toJson() const;
    static Result<Status> fromJson(const QJsonObject& object);
    bool operator==(const Status& other) const = default;
};

//! Another user's status as shared with the asker (who is in that user's contacts):
//! an entry of `status.peers` and the `peer.status` event. A null \a status (the event
//! only) means that user no longer shares it.
struct PeerStatus {
    QString address;
    std::optional<Status> status;

    QJsonObject toJson() const;
    static Result<PeerStatus> fromJson(const QJsonObject& object);
    bool operator==(const PeerStatus& other) const = default;
};

/*!
 * One conversion of a message for a legacy network and how it went (MSG-8), as
 * `legacy.deliveries` lists them: of messages the user sent or received. The recipient's
 * legacy address is given to the recipient only.
 */
struct LegacyDelivery {
    qint64 messageId = 0;
    bool outgoing = false; //!< a message this user sent (else one she received)
    QString network; //!< email, sms
    QString address; //!< the recipient's address there; empty for the sender
    QString state; //!< pending, sent, failed, cancelled
    int attempts = 0;
    QString lastError; //!< what the last failed attempt gave; empty when none failed
    qint64 created = 0; //!< ms since the epoch
    qint64 finished = 0; //!< 0 while pending

    QJsonObject toJson() const;
    static Result<LegacyDelivery> fromJson(const QJsonObject& object);
    bool operator==(const LegacyDelivery& other) const = default;
};

// --- chat sessions (SES) -----------------------------------------------------------------

//! A session's life: inviting → active (bound to one device on each side) → ended.
enum class SessionState { Inviting, Active, Ended };
QLatin1StringView sessionStateName(SessionState state);
std::optional<SessionState> sessionStateFromName(QStringView name);

//! Why a session ended.
enum class EndReason {
    None, //!< not ended
    Declined, //!< the invitee declined (`endedBy`)
    Cancelled, //!< the inviter withdrew the invitation (`endedBy`)
    TimedOut, //!< nobody answered in time
    Ended, //!< one side ended it (`endedBy`)
    Gone, //!< the device of one side (`endedBy`) stayed away past the grace period
};
QLatin1StringView endReasonName(EndReason reason);
std::optional<EndReason> endReasonFromName(QStringView name);

//! What a `session` event reports.
enum class SessionChange {
    Invited,
    Accepted,
    Declined,
    Cancelled,
    TimedOut,
    Ended,
    Gone,
    Transferred, //!< moved by its bound device to another (push, SES-6)
    Pulled, //!< taken over by another device (SES-7)
};
QLatin1StringView sessionChangeName(SessionChange change);
std::optional<SessionChange> sessionChangeFromName(QStringView name);

//! A device as a session names it: `{"id": 12, "name": "Bob's tablet"}`.
struct SessionDevice {
    qint64 id = 0;
    QString name;

    QJsonObject toJson() const;
    static Result<SessionDevice> fromJson(const QJsonObject& object);
    bool operator==(const SessionDevice& other) const = default;
};

//! The history a device takes a session over with (SES-6, SES-7): spelled `none`,
//! `session`, `last:N` or `all` on the wire.
struct HistoryChoice {
    enum class Kind { None, Session, Last, All };
    Kind kind = Kind::None;
    int count = 0; //!< Last: how many of the newest messages

    QString toString() const;
    static std::optional<HistoryChoice> fromString(QStringView text);
    bool operator==(const HistoryChoice& other) const = default;
};

/*!
 * A Session object: one user's view of a chat session. It names this user's side only:
 * which of the peer's devices is bound, or where the peer moved it, is the peer's business.
 */
struct Session {
    qint64 id = 0;
    QString peer; //!< the other user's address
    bool inviter = false; //!< `role`: "inviter" or "invitee"
    QString subject;
    SessionState state = SessionState::Inviting;
    EndReason reason = EndReason::None;
    QString endedBy; //!< the address of who declined, cancelled or ended, or whose device went
    qint64 createdAt = 0;
    qint64 startedAt = 0; //!< when it was accepted; 0 before
    qint64 endedAt = 0;
    //! This user's device the session is bound to (the inviter's at once, the invitee's
    //! from the accept); empty while nobody of this side holds it.
    std::optional<SessionDevice> boundDevice;
    //! The invitee's devices the request rang on (empty in the inviter's view).
    QList<SessionDevice> invitedDevices;
    //! What the event that carried this object reports.
    SessionChange change = SessionChange::Invited;
    //! Transferred/Pulled: the device it was bound to before.
    std::optional<SessionDevice> previousDevice;
    //! The history the bound device may read with `session.history`.
    HistoryChoice history;

    bool isOpen() const { return state != SessionState::Ended; }
    QJsonObject toJson() const;
    static Result<Session> fromJson(const QJsonObject& object);
    bool operator==(const Session& other) const = default;
};

// --- stream and transient event payloads (`data`) ---------------------------------------

//! `message`
struct MessageEvent {
    Message message;
    QJsonObject toJson() const;
    static Result<MessageEvent> fromJson(const QJsonObject& object);
};

//! `flags`: a device of the user opened the message.
struct FlagsEvent {
    qint64 messageId = 0;
    bool read = true;
    QJsonObject toJson() const;
    static Result<FlagsEvent> fromJson(const QJsonObject& object);
};

//! `deleted`: deleted everywhere by the user, or expired undelivered.
struct DeletedEvent {
    enum class Reason { User, Expired };
    qint64 messageId = 0;
    Reason reason = Reason::User;
    QJsonObject toJson() const;
    static Result<DeletedEvent> fromJson(const QJsonObject& object);
};

//! `report`: to the sender, the new state of one of their messages.
struct ReportEvent {
    qint64 messageId = 0;
    MessageState status = MessageState::Delivered;
    QString by; //!< the recipient's address
    qint64 time = 0;
    //! The message's route from now on (MSG-8); absent: unchanged.
    std::optional<Route> route;
    QJsonObject toJson() const;
    static Result<ReportEvent> fromJson(const QJsonObject& object);
};

//! `contact`
struct ContactEvent {
    Contact contact;
    bool removed = false;
    QJsonObject toJson() const;
    static Result<ContactEvent> fromJson(const QJsonObject& object);
};

//! `pref`
struct PrefEvent {
    QString key;
    QString value;
    QJsonObject toJson() const;
    static Result<PrefEvent> fromJson(const QJsonObject& object);
};

//! `device`: registered, changed, or (`removed`) signed out.
struct DeviceEvent {
    Device device;
    bool removed = false;
    QJsonObject toJson() const;
    static Result<DeviceEvent> fromJson(const QJsonObject& object);
};

//! `presence` (transient): another device of the user connected or disconnected.
struct PresenceEvent {
    qint64 deviceId = 0;
    bool online = false;
    qint64 lastSeen = 0;
    QJsonObject toJson() const;
    static Result<PresenceEvent> fromJson(const QJsonObject& object);
};

//! `session.composing` (transient): the peer's bound device is typing in the session, or
//! stopped.
struct SessionComposingEvent {
    qint64 sessionId = 0;
    bool composing = false;
    QJsonObject toJson() const;
    static Result<SessionComposingEvent> fromJson(const QJsonObject& object);
};

//! `signedOut` (transient): this device was signed out; the close with 4001 follows.
struct SignedOutEvent {
    QString reason;
    QJsonObject toJson() const;
    static Result<SignedOutEvent> fromJson(const QJsonObject& object);
};

//! What a contact or a preference adds to the `profile.get` answer: its JSON text as the
//! answer writes it, escapes included, and a comma. limits::MaxProfileBytes counts these.
qsizetype profileBytes(const Contact& contact);
qsizetype profileBytes(const QString& prefKey, const QString& prefValue);

} // namespace cpm::protocol
