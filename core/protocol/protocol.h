// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Constants of CPM protocol v1, the contract described in docs/protocol.md.
// Codes and names here are stable: clients match on them, so never rename one.

#include <QLatin1StringView>
#include <QString>

namespace cpm::protocol {

inline constexpr int Version = 1;

//! Integers on the wire stay within what a JSON number (a double) holds exactly: 2^53 - 1.
inline constexpr qint64 MaxSafeInteger = 9007199254740991LL;

//! Hard limits a peer enforces on what it receives.
namespace limits {
//! Both ways, UTF-8. Large enough that the largest message a client may send, even with
//! every character escaped six-fold (a body of 65,536 U+0001), fits in its `send` frame
//! and in the `message` event the server makes of it: no event can ever be too large to
//! deliver (tst_wirejson proves it for the worst case).
inline constexpr qsizetype MaxFrameBytes = 512 * 1024;
inline constexpr qsizetype MaxBodyBytes = 64 * 1024;
inline constexpr qsizetype MaxSubjectChars = 256;
inline constexpr qsizetype MaxAddressChars = 254;
inline constexpr qsizetype MaxNameChars = 64;
inline constexpr qsizetype MaxClientIdChars = 64;
inline constexpr qsizetype MaxPasswordBytes = 1024;
inline constexpr qsizetype MaxPrefKeyChars = 64;
inline constexpr qsizetype MaxPrefValueChars = 4096;
inline constexpr qsizetype MaxStatusTextChars = 256;
//! Signed-in devices per user: a `register` of one more answers `limit_reached`. Their
//! `devices.list` answer, largest names included, stays far under MaxFrameBytes.
inline constexpr int MaxDevices = 100;
//! Addresses in one `status.peers`: with the longest addresses and status texts the answer
//! stays under the frame limit.
inline constexpr int MaxStatusPeers = 200;
//! A user's contacts and preferences together, counted as their JSON text in the
//! `profile.get` answer (a comma each): a `contacts.add` or `prefs.set` that would take
//! them past it answers `limit_reached`. With the envelope and the largest status the
//! answer stays under MaxFrameBytes (tst_wirejson proves it for the worst case).
inline constexpr qsizetype MaxProfileBytes = 448 * 1024;
//! Events per `sync` answer at most; an answer also stops before MaxFrameBytes.
inline constexpr int SyncBatch = 500;
//! Sessions a user may have open (inviting or active) at once: one more `session.invite`
//! answers `limit_reached`.
inline constexpr int MaxOpenSessions = 20;
//! Messages per `session.history` answer at most; an answer also stops before
//! MaxFrameBytes.
inline constexpr int MaxHistoryPage = 500;
//! `recent`: at most this many messages, and this many by default.
inline constexpr int MaxRecent = 500;
inline constexpr int DefaultRecent = 100;
//! The most messages a `last:N` history choice may name.
inline constexpr int MaxHistoryLast = 100000;
//! Attachments (MSG-1): the payload of one binary frame (a chunk), the JSON header before
//! it, and what an attachment's name and type may hold.
inline constexpr qsizetype MaxChunkBytes = 256 * 1024;
inline constexpr qsizetype MaxBinaryHeaderBytes = 16 * 1024;
inline constexpr qsizetype MaxAttachmentNameChars = 255;
inline constexpr qsizetype MaxAttachmentTypeChars = 127;
//! Attachments one message may reference.
inline constexpr int MaxAttachmentsPerMessage = 10;
//! Protocol errors a connection may cause before the server closes it.
inline constexpr int MaxProtocolErrors = 20;
} // namespace limits

//! WebSocket close codes the server uses (4000–4999 is the application range).
namespace close {
inline constexpr int SignedOut = 4001;
inline constexpr int ProtocolAbuse = 4002;
inline constexpr int ServerShutdown = 4003;
//! The connection did not make progress in time (upgrade, hello, sign-in, idle) or did not
//! read what it was sent: reconnect, and send a ping at least every 60 s.
inline constexpr int TimedOut = 4004;
} // namespace close

//! Request operations.
namespace op {
inline constexpr QLatin1StringView Hello { "hello" };
inline constexpr QLatin1StringView Register { "register" };
inline constexpr QLatin1StringView Login { "login" };
inline constexpr QLatin1StringView Whoami { "whoami" };
inline constexpr QLatin1StringView Ping { "ping" };
inline constexpr QLatin1StringView Sync { "sync" };
inline constexpr QLatin1StringView Ack { "ack" };
inline constexpr QLatin1StringView Send { "send" };
inline constexpr QLatin1StringView Fetch { "fetch" };
inline constexpr QLatin1StringView Read { "read" };
inline constexpr QLatin1StringView Delete { "delete" };
inline constexpr QLatin1StringView Recent { "recent" };
inline constexpr QLatin1StringView DevicesList { "devices.list" };
inline constexpr QLatin1StringView DevicesRename { "devices.rename" };
inline constexpr QLatin1StringView DevicesSignOut { "devices.signOut" };
inline constexpr QLatin1StringView DevicesSetDelivery { "devices.setDelivery" };
inline constexpr QLatin1StringView ProfileGet { "profile.get" };
inline constexpr QLatin1StringView ContactsAdd { "contacts.add" };
inline constexpr QLatin1StringView ContactsRemove { "contacts.remove" };
inline constexpr QLatin1StringView StatusSet { "status.set" };
inline constexpr QLatin1StringView PrefsSet { "prefs.set" };
inline constexpr QLatin1StringView StatusPeers { "status.peers" };
inline constexpr QLatin1StringView SessionInvite { "session.invite" };
inline constexpr QLatin1StringView SessionAccept { "session.accept" };
inline constexpr QLatin1StringView SessionDecline { "session.decline" };
inline constexpr QLatin1StringView SessionCancel { "session.cancel" };
inline constexpr QLatin1StringView SessionEnd { "session.end" };
inline constexpr QLatin1StringView SessionTransfer { "session.transfer" };
inline constexpr QLatin1StringView SessionPull { "session.pull" };
inline constexpr QLatin1StringView SessionList { "session.list" };
inline constexpr QLatin1StringView SessionGet { "session.get" };
inline constexpr QLatin1StringView SessionHistory { "session.history" };
inline constexpr QLatin1StringView SessionComposing { "session.composing" };
inline constexpr QLatin1StringView AttachmentBegin { "attachment.begin" };
inline constexpr QLatin1StringView AttachmentPut { "attachment.put" };
inline constexpr QLatin1StringView AttachmentGet { "attachment.get" };
inline constexpr QLatin1StringView FilesList { "files.list" };
inline constexpr QLatin1StringView FilesDelete { "files.delete" };
inline constexpr QLatin1StringView LegacyDeliveries { "legacy.deliveries" };
} // namespace op

//! Event names. Stream events carry a per-user `seq`; transient ones do not.
namespace event {
inline constexpr QLatin1StringView Message { "message" };
inline constexpr QLatin1StringView Flags { "flags" };
inline constexpr QLatin1StringView Deleted { "deleted" };
inline constexpr QLatin1StringView Report { "report" };
inline constexpr QLatin1StringView Contact { "contact" };
inline constexpr QLatin1StringView Status { "status" };
inline constexpr QLatin1StringView Pref { "pref" };
inline constexpr QLatin1StringView Device { "device" };
inline constexpr QLatin1StringView Session { "session" };
// transient
inline constexpr QLatin1StringView Presence { "presence" };
inline constexpr QLatin1StringView SignedOut { "signedOut" };
inline constexpr QLatin1StringView PeerStatus { "peer.status" };
inline constexpr QLatin1StringView SessionComposing { "session.composing" };
} // namespace event

//! Device kinds (DEV-1) and delivery preferences (DEV-3) as spelled on the wire.
namespace kind {
inline constexpr QLatin1StringView All[]
    = { QLatin1StringView("laptop"), QLatin1StringView("mobile"), QLatin1StringView("fixed"),
          QLatin1StringView("tablet"), QLatin1StringView("desktop") };
}
namespace delivery {
inline constexpr QLatin1StringView Full { "full" };
inline constexpr QLatin1StringView Notification { "notification" };
inline constexpr QLatin1StringView None { "none" };
inline constexpr QLatin1StringView All[] = { Full, Notification, None };
} // namespace delivery
//! What a device can show (DEV-1): a device lists some of these at `register`.
namespace capability {
inline constexpr QLatin1StringView All[] = { QLatin1StringView("text"), QLatin1StringView("file"),
    QLatin1StringView("image"), QLatin1StringView("audio"), QLatin1StringView("video") };
}
//! User preferences the server itself reads.
namespace pref {
//! `allow` (the default) or `deny`: whether this user may sign in as a guest (GST-1).
inline constexpr QLatin1StringView GuestSignIn { "guestSignIn" };
//! What the server does with messages while this user has no device connected (MSG-7,
//! MSG-8): `keep` (the default: kept until a device is back), `legacy` (also sent to her
//! legacy address when she is registered in a legacy network; on her return the message
//! arrives marked as delivered there, without a new notification) or `both` (the same,
//! and notified again on her return).
inline constexpr QLatin1StringView WhenAway { "whenAway" };
inline constexpr QLatin1StringView WhenAwayKeep { "keep" };
inline constexpr QLatin1StringView WhenAwayLegacy { "legacy" };
inline constexpr QLatin1StringView WhenAwayBoth { "both" };
//! The user's e-mail address in the legacy world (MSG-8); empty for none.
inline constexpr QLatin1StringView LegacyEmail { "legacyEmail" };
//! The user's phone number for SMS, `+` and 6–15 digits (E.164); empty for none.
inline constexpr QLatin1StringView LegacyPhone { "legacyPhone" };
} // namespace pref
namespace status {
inline constexpr QLatin1StringView All[] = { QLatin1StringView("available"),
    QLatin1StringView("busy"), QLatin1StringView("away"), QLatin1StringView("custom") };
}
//! A message's delivery state as the sender sees it (MSG-5), and the report kinds.
namespace report {
inline constexpr QLatin1StringView Sent { "sent" };
inline constexpr QLatin1StringView Delivered { "delivered" };
inline constexpr QLatin1StringView Displayed { "displayed" };
inline constexpr QLatin1StringView Expired { "expired" };
} // namespace report

bool isValidAddress(const QString& address);
bool isValidKind(const QString& kind);
bool isValidDelivery(const QString& delivery);
bool isValidStatus(const QString& status);
bool isValidClientId(const QString& clientId);

} // namespace cpm::protocol
