// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The one error type of CPM: what a server answers, what a client meets on its own (no
// network, another process on the profile, a busy, full or broken local store) and what a
// store reports, as a code and an English text for logs. Code names are stable strings
// (docs/protocol.md "Errors", docs/cli.md): clients and scripts match on them, so never
// rename one. What a person reads is chosen from the code by the UI (ui/errortext.cpp).

#include <QDebug>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QMetaType>
#include <QString>

namespace cpm {

enum class ErrorCode : quint8 {
    None,

    // Answered by the server (docs/protocol.md, "Errors").
    BadFrame,
    FrameTooLarge,
    BadRequest,
    UnknownOp,
    VersionUnsupported,
    NotNegotiated,
    AlreadyNegotiated,
    Unauthenticated,
    AlreadyAuthenticated,
    AuthFailed,
    Throttled,
    AccountDisabled,
    DeviceSignedOut,
    QuotaExceeded,
    LimitReached, //!< the user's devices, or contacts and preferences, are at their maximum
    NoSuchUser,
    NotFound,
    TooLarge,
    Conflict,
    //! session.accept: another device of the user answered first (`device` names it)
    AlreadyAnswered,
    //! the session ended meanwhile (`session` is its final state)
    SessionEnded,
    //! only the device a session is bound to may do that
    NotBound,
    //! the device named is signed in but not connected now
    DeviceOffline,
    //! guest sign-in: the operator does not allow guest devices
    GuestDisabled,
    //! guest sign-in: the user's own preference (`guestSignIn`) does not allow it
    GuestNotAllowed,
    //! a guest device may not do that (sign out other devices, change guest permission)
    Forbidden,
    //! attachment.begin: the upload would take the user's network storage over the quota
    OverQuota,
    //! attachment.put: the complete upload does not hash to its sha256; it was discarded
    HashMismatch,
    Unavailable, //!< the server's storage is busy: retry after `retryAfter` seconds
    StorageFull, //!< the server's storage is full: writes are refused, reads still work
    Internal,

    // Met on this side; never sent on the wire (a server turns its own into the codes
    // above: Error::toWire()).
    Offline, //!< not connected: the request was not sent
    Unreachable, //!< the server could not be reached
    Timeout, //!< no answer in time
    Disconnected, //!< the connection dropped before the answer came
    Cancelled, //!< replaced by a newer request of the same kind
    NoAccount, //!< the profile holds no registered device
    ProfileBusy, //!< another process has the profile open
    ProfileUnusable, //!< the profile directory cannot be created, read or written
    StoreBusy, //!< the local database is locked by someone else for too long
    DiskFull, //!< the disk (or the database's size limit) is full
    StoreCorrupt, //!< the database file is damaged or not a database
    StoreReadOnly, //!< the database cannot be written (read-only file or medium)
    StoreFailed, //!< any other storage failure (I/O error, ...)
    Usage, //!< cpm-cli: a malformed command line
    TlsUntrusted, //!< the server's certificate is not signed by a trusted authority
    TlsExpired, //!< the server's certificate has expired (or is not valid yet)
    TlsWrongHost, //!< the server's certificate is for another host name
    TlsFailed, //!< any other TLS failure (no common protocol, a bad CA file, ...)
    Insecure, //!< a password would cross the network unencrypted (ws:// to another host)
    HostNotFound, //!< the server's host name does not resolve
    ConnectionRefused, //!< nothing listens at the server's address and port
    NotCpmServer, //!< something answers there, but does not take a CPM WebSocket connection

    //! A code this build does not know (from a newer peer); Error::unknownName keeps it.
    Unknown,
};

struct Error {
    ErrorCode code = ErrorCode::None;
    QString message; //!< English, for logs and developers; never shown as is to users
    int retryAfterSeconds = -1; //!< set with `throttled` and `unavailable`
    QString unknownName; //!< the peer's code name when code is Unknown
    //! Members of the wire error object besides code, message and retryAfter (e.g. the
    //! `device` of already_answered), kept as they came.
    QJsonObject details;

    bool isNull() const { return code == ErrorCode::None; }
    //! The stable name of code (`auth_failed`, `offline`, ...).
    QString name() const;
    //! True for codes a server may answer with (the first group of ErrorCode).
    bool isWire() const { return isWireCode(code); }
    //! A storage failure of this side (StoreBusy ... StoreFailed).
    bool isStorage() const;
    /*!
     * What a server answers for this error: wire codes as they are; a busy store becomes
     * `unavailable` (retry in a second), a full one `storage_full`, any other local code
     * `internal` with a generic message (the details stay in the server's log).
     */
    Error toWire() const;

    //! `{"code": ..., "message": ..., "retryAfter": ...}`
    QJsonObject toJson() const;
    //! Reads an error object; a missing or unknown code is kept as Unknown (never None).
    static Error fromJson(const QJsonObject& object);

    static QLatin1StringView name(ErrorCode code);
    //! The code named \a name; Unknown when there is none.
    static ErrorCode codeFromName(QStringView name);
    static bool isWireCode(ErrorCode code);
    /*!
     * The storage code for a failed SQLite call, from its (extended) result code: busy or
     * locked, full, corrupt or not a database, read-only; a broken constraint is Conflict;
     * StoreFailed for anything else.
     * Both the client's store and the server's SQLite store classify through this.
     */
    static ErrorCode fromSqlite(int resultCode);
    /*!
     * The same for a failure on the database at \a databasePath: an I/O error there while
     * its file system has (nearly) no room left is DiskFull too, since SQLite reports a full
     * disk as SQLITE_FULL only where the write itself said so (the WAL index, for one,
     * fails as an I/O error).
     */
    static ErrorCode fromSqlite(int resultCode, const QString& databasePath);
};

//! Logs the code's name.
QDebug operator<<(QDebug debug, ErrorCode code);

inline Error makeError(ErrorCode code, const QString& message, int retryAfterSeconds = -1)
{
    return Error { code, message, retryAfterSeconds, {}, {} };
}

} // namespace cpm

Q_DECLARE_METATYPE(cpm::Error)
