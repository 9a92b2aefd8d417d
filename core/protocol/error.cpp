// SPDX-License-Identifier: GPL-3.0-or-later
#include "error.h"

#include <QFileInfo>
#include <QStorageInfo>

#include <sqlite3.h>

namespace cpm {

namespace {
struct Name {
    ErrorCode code;
    QLatin1StringView name;
};

// In ErrorCode's order (name() indexes it); checked below, at compile time.
constexpr Name Names[] = {
    { ErrorCode::None, QLatin1StringView("") },
    { ErrorCode::BadFrame, QLatin1StringView("bad_frame") },
    { ErrorCode::FrameTooLarge, QLatin1StringView("frame_too_large") },
    { ErrorCode::BadRequest, QLatin1StringView("bad_request") },
    { ErrorCode::UnknownOp, QLatin1StringView("unknown_op") },
    { ErrorCode::VersionUnsupported, QLatin1StringView("version_unsupported") },
    { ErrorCode::NotNegotiated, QLatin1StringView("not_negotiated") },
    { ErrorCode::AlreadyNegotiated, QLatin1StringView("already_negotiated") },
    { ErrorCode::Unauthenticated, QLatin1StringView("unauthenticated") },
    { ErrorCode::AlreadyAuthenticated, QLatin1StringView("already_authenticated") },
    { ErrorCode::AuthFailed, QLatin1StringView("auth_failed") },
    { ErrorCode::Throttled, QLatin1StringView("throttled") },
    { ErrorCode::AccountDisabled, QLatin1StringView("account_disabled") },
    { ErrorCode::DeviceSignedOut, QLatin1StringView("device_signed_out") },
    { ErrorCode::QuotaExceeded, QLatin1StringView("quota_exceeded") },
    { ErrorCode::LimitReached, QLatin1StringView("limit_reached") },
    { ErrorCode::NoSuchUser, QLatin1StringView("no_such_user") },
    { ErrorCode::NotFound, QLatin1StringView("not_found") },
    { ErrorCode::TooLarge, QLatin1StringView("too_large") },
    { ErrorCode::Conflict, QLatin1StringView("conflict") },
    { ErrorCode::AlreadyAnswered, QLatin1StringView("already_answered") },
    { ErrorCode::SessionEnded, QLatin1StringView("session_ended") },
    { ErrorCode::NotBound, QLatin1StringView("not_bound") },
    { ErrorCode::DeviceOffline, QLatin1StringView("device_offline") },
    { ErrorCode::GuestDisabled, QLatin1StringView("guest_disabled") },
    { ErrorCode::GuestNotAllowed, QLatin1StringView("guest_not_allowed") },
    { ErrorCode::Forbidden, QLatin1StringView("forbidden") },
    { ErrorCode::OverQuota, QLatin1StringView("over_quota") },
    { ErrorCode::HashMismatch, QLatin1StringView("hash_mismatch") },
    { ErrorCode::Unavailable, QLatin1StringView("unavailable") },
    { ErrorCode::StorageFull, QLatin1StringView("storage_full") },
    { ErrorCode::Internal, QLatin1StringView("internal") },
    { ErrorCode::Offline, QLatin1StringView("offline") },
    { ErrorCode::Unreachable, QLatin1StringView("unreachable") },
    { ErrorCode::Timeout, QLatin1StringView("timeout") },
    { ErrorCode::Disconnected, QLatin1StringView("disconnected") },
    { ErrorCode::Cancelled, QLatin1StringView("cancelled") },
    { ErrorCode::NoAccount, QLatin1StringView("no_account") },
    // Both profile problems share the name cpm-cli has always printed; the message and
    // the enum tell them apart.
    { ErrorCode::ProfileBusy, QLatin1StringView("profile") },
    { ErrorCode::ProfileUnusable, QLatin1StringView("profile") },
    { ErrorCode::StoreBusy, QLatin1StringView("store_busy") },
    { ErrorCode::DiskFull, QLatin1StringView("disk_full") },
    { ErrorCode::StoreCorrupt, QLatin1StringView("store_corrupt") },
    { ErrorCode::StoreReadOnly, QLatin1StringView("store_read_only") },
    { ErrorCode::StoreFailed, QLatin1StringView("store_failed") },
    { ErrorCode::Usage, QLatin1StringView("usage") },
    { ErrorCode::TlsUntrusted, QLatin1StringView("tls_untrusted") },
    { ErrorCode::TlsExpired, QLatin1StringView("tls_expired") },
    { ErrorCode::TlsWrongHost, QLatin1StringView("tls_wrong_host") },
    { ErrorCode::TlsFailed, QLatin1StringView("tls_failed") },
    { ErrorCode::Insecure, QLatin1StringView("insecure") },
    { ErrorCode::HostNotFound, QLatin1StringView("host_not_found") },
    { ErrorCode::ConnectionRefused, QLatin1StringView("connection_refused") },
    { ErrorCode::NotCpmServer, QLatin1StringView("not_cpm_server") },
    { ErrorCode::Unknown, QLatin1StringView("unknown") },
};
static_assert(std::size(Names) == size_t(ErrorCode::Unknown) + 1);
constexpr bool namesInOrder()
{
    for (size_t i = 0; i < std::size(Names); ++i) {
        if (Names[i].code != ErrorCode(i)) {
            return false;
        }
    }
    return true;
}
static_assert(namesInOrder(), "Names must list every ErrorCode in the enum's order");
} // namespace

QDebug operator<<(QDebug debug, ErrorCode code)
{
    const QDebugStateSaver saver(debug);
    return debug.noquote() << Error::name(code);
}

QLatin1StringView Error::name(ErrorCode code)
{
    const auto index = size_t(code);
    return index < std::size(Names) ? Names[index].name : QLatin1StringView("unknown");
}

ErrorCode Error::codeFromName(QStringView name)
{
    if (name.isEmpty()) {
        return ErrorCode::Unknown;
    }
    for (const Name& n : Names) {
        if (n.name == name) {
            // "profile" names two codes; the first (busy) is the one a name alone means.
            return n.code;
        }
    }
    return ErrorCode::Unknown;
}

bool Error::isWireCode(ErrorCode code)
{
    return code >= ErrorCode::BadFrame && code <= ErrorCode::Internal;
}

QString Error::name() const
{
    if (code == ErrorCode::Unknown && !unknownName.isEmpty()) {
        return unknownName;
    }
    return QString(name(code));
}

bool Error::isStorage() const
{
    return code >= ErrorCode::StoreBusy && code <= ErrorCode::StoreFailed;
}

Error Error::toWire() const
{
    if (isNull() || isWire()) {
        return *this;
    }
    switch (code) {
    case ErrorCode::StoreBusy:
        return makeError(
            ErrorCode::Unavailable, QStringLiteral("the server is busy; try again shortly"), 1);
    case ErrorCode::DiskFull:
        return makeError(ErrorCode::StorageFull,
            QStringLiteral("the server's storage is full; changes are refused until the "
                           "operator makes room, reading still works"));
    default:
        break;
    }
    return makeError(ErrorCode::Internal, QStringLiteral("the server failed; try again"));
}

QJsonObject Error::toJson() const
{
    QJsonObject o = details;
    o.insert(QStringLiteral("code"), name());
    o.insert(QStringLiteral("message"), message);
    if (retryAfterSeconds >= 0) {
        o.insert(QStringLiteral("retryAfter"), retryAfterSeconds);
    }
    return o;
}

Error Error::fromJson(const QJsonObject& object)
{
    Error e;
    const QString name = object.value(QLatin1StringView("code")).toString();
    e.code = codeFromName(name);
    if (e.code == ErrorCode::Unknown) {
        e.unknownName = name;
    }
    e.message = object.value(QLatin1StringView("message")).toString();
    e.details = object;
    e.details.remove(QLatin1StringView("code"));
    e.details.remove(QLatin1StringView("message"));
    e.details.remove(QLatin1StringView("retryAfter"));
    // retryAfter is a small count of seconds; anything else is ignored rather than trusted.
    const QJsonValue retry = object.value(QLatin1StringView("retryAfter"));
    if (retry.isDouble() && retry.toDouble() >= 0 && retry.toDouble() <= 86400) {
        e.retryAfterSeconds = int(retry.toDouble());
    }
    return e;
}

ErrorCode Error::fromSqlite(int resultCode)
{
    switch (resultCode & 0xff) { // the primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ErrorCode::StoreBusy;
    case SQLITE_FULL:
        return ErrorCode::DiskFull;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ErrorCode::StoreCorrupt;
    case SQLITE_READONLY:
        return ErrorCode::StoreReadOnly;
    default:
        // SQLITE_CONSTRAINT too: a store that expects one (a key taken meanwhile) looks and
        // answers the wire code itself; any other is a bug, not the client's conflict.
        break;
    }
    return ErrorCode::StoreFailed;
}

ErrorCode Error::fromSqlite(int resultCode, const QString& databasePath)
{
    // Less than this left is a full disk for a database: a commit needs a few pages more.
    constexpr qint64 NearlyFullBytes = 1024 * 1024;
    const ErrorCode code = fromSqlite(resultCode);
    if (code == ErrorCode::StoreFailed && (resultCode & 0xff) == SQLITE_IOERR
        && !databasePath.isEmpty()) {
        const QStorageInfo storage(QFileInfo(databasePath).absolutePath());
        if (storage.isValid() && storage.bytesAvailable() < NearlyFullBytes) {
            return ErrorCode::DiskFull;
        }
    }
    return code;
}

} // namespace cpm
