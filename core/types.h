// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Plain value types the client core hands to the UI, the CLI and tests. They carry no
// behaviour and no Qt object identity, so they can be copied freely between layers.

#include "error.h"
#include "model.h"
#include "result.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariantMap>

namespace cpm {
Q_NAMESPACE

//! Where a device's connection to its server stands.
enum class ConnectionState {
    Disconnected, //!< not connected (yet, or waiting to reconnect)
    Connecting, //!< opening the socket, negotiating and signing in
    Syncing, //!< signed in, catching up with the event stream
    Online, //!< caught up; new events arrive live
    SignedOut, //!< this device was signed out remotely; local data has been wiped
};
Q_ENUM_NS(ConnectionState)

//! One message as stored on this device.
struct Message {
    //! The delivery state the sender sees (MSG-5), plus the local outbox states.
    enum class Status { Pending, Sent, Delivered, Displayed, Expired, Failed };

    //! The server's message id once it has one; a negative number while the message
    //! waits in the outbox. Client::messageSent() tells when it changes.
    qint64 id = 0;
    qint64 localId = 0; //!< the local store's row id; stable, used as paging cursor
    QString clientId;
    QString from;
    QString to;
    QString subject;
    QString body; //!< null (isNull()) when this device was only notified (partial)
    qint64 time = 0; //!< ms since the epoch, UTC (server time once sent)
    bool outgoing = false; //!< folder "sent": written by this user (on any device)
    Status status = Status::Sent;
    bool read = false;
    bool partial = false;
    qint64 written = 0; //!< when this device queued it (outgoing from here), else 0
    QString failure; //!< why the server refused it for good: an error code name (failed)
    qint64 session = 0; //!< the chat session it was said in (SES-5); 0 for none
    //! Its attachments (MSG-1), in the sender's order. While an outgoing message waits for
    //! its uploads, an attachment not uploaded yet has an empty id.
    QList<protocol::Attachment> attachments;
    //! How it reaches (or reached) the recipient (MSG-7, MSG-8): kept for her, or delivered
    //! by e-mail/SMS by the server's interworking function.
    protocol::Route route = protocol::Route::Cpm;

    //! The other party of the conversation this message belongs to.
    QString peer() const { return outgoing ? to : from; }
    bool isPending() const { return status == Status::Pending; }
    static QString statusName(Status status);
    static Status statusOf(protocol::MessageState state);
    /*!
     * The Message object of the protocol for this message (docs/protocol.md), with the
     * local states pending and failed as `sent`: what cpm-cli prints, with its own status.
     */
    protocol::Message toWire() const;
};

//! One conversation: every message exchanged with one peer.
struct Conversation {
    QString peerAddress;
    QString peerName; //!< the contact's name, or empty
    QString lastMessageText; //!< subject or the start of the body of the newest message
    qint64 lastMessageTime = 0;
    int unreadCount = 0;
    bool lastMessagePartial = false; //!< the newest message is known only by notification

    bool operator==(const Conversation& other) const = default;
};

//! One of the user's devices (DEV-1..3), as the server last described it.
using Device = protocol::Device;
using Contact = protocol::Contact;
//! A chat session as this user sees it (SES): docs/protocol.md, "Chat sessions".
using Session = protocol::Session;
//! The user's presence status (CON-1).
using UserStatus = protocol::Status;

//! A snapshot for the diagnostics view (QA-2).
struct Diagnostics {
    ConnectionState state = ConnectionState::Disconnected;
    QUrl serverUrl; //!< the node in use (or tried next)
    QList<QUrl> serverUrls; //!< all nodes of the profile, in the order they are tried
    QString serverVersion; //!< from `hello`, empty before the first connection
    QString address;
    qint64 deviceId = 0;
    QString deviceName;
    QString instanceId;
    qint64 syncPosition = 0;
    qint64 serverHead = 0;
    int outboxSize = 0;
    QString keyStorage; //!< "keyring" or "key file"
    QString profileDir; //!< a guest's: its directory (empty once wiped)
    bool guest = false; //!< a guest sign-in on someone else's machine (GST-1)
    QList<Error> lastErrors; //!< newest last
    //! Set when the local database was found damaged at start and set aside (see Client).
    QString recoveredStore;

    //! The same as a map with the field names above as keys (state as its name).
    QVariantMap toVariantMap() const;
};

} // namespace cpm

Q_DECLARE_METATYPE(cpm::Message)
Q_DECLARE_METATYPE(cpm::Device)
