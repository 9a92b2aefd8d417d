// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The protocol's objects and event payloads (docs/protocol.md, "Objects" and "Stream
// events"), defined once with their one codec. The server renders them, the client core
// reads them, cpm-cli prints them: none of them spells a field name on its own.
//
// fromJson() is strict about types and limits (a peer's frame is untrusted) and ignores
// fields it does not know, so a newer peer can add some.

#include "result.h"

#include <QJsonObject>
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

    //! The same message as a `notification` device sees it: without its body.
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
