// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The operator's settings (QA-3): names, defaults and meaning. They live in the store's
// `settings` table so `cpm-server settings set` works on a running server.

#include "protocol.h"

#include <QLatin1StringView>
#include <QString>

namespace cpm::server::settings {

inline constexpr QLatin1StringView LoginMaxFailures { "login.maxFailures" };
inline constexpr QLatin1StringView LoginWindowSeconds { "login.windowSeconds" };
inline constexpr QLatin1StringView LoginMaxFailuresPerSource { "login.maxFailuresPerSource" };
inline constexpr QLatin1StringView QuotaDailyMessages { "quota.dailyMessages" };
inline constexpr QLatin1StringView DevicesMaxPerUser { "devices.maxPerUser" };
inline constexpr QLatin1StringView DeferredMaxAgeSeconds { "deferred.maxAgeSeconds" };
inline constexpr QLatin1StringView DeferredMaxCount { "deferred.maxCount" };
inline constexpr QLatin1StringView NetMaxConnections { "net.maxConnections" };
inline constexpr QLatin1StringView NetMaxConnectionsPerSource { "net.maxConnectionsPerSource" };
inline constexpr QLatin1StringView NetHandshakeTimeoutSeconds { "net.handshakeTimeoutSeconds" };
inline constexpr QLatin1StringView NetHelloTimeoutSeconds { "net.helloTimeoutSeconds" };
inline constexpr QLatin1StringView NetSignInTimeoutSeconds { "net.signInTimeoutSeconds" };
inline constexpr QLatin1StringView NetIdleTimeoutSeconds { "net.idleTimeoutSeconds" };
inline constexpr QLatin1StringView NetStalledOutputSeconds { "net.stalledOutputSeconds" };
inline constexpr QLatin1StringView SessionInviteTimeoutSeconds { "session.inviteTimeoutSeconds" };
inline constexpr QLatin1StringView SessionGraceSeconds { "session.graceSeconds" };
inline constexpr QLatin1StringView GuestEnabled { "guest.enabled" };
inline constexpr QLatin1StringView GuestLifetimeSeconds { "guest.lifetimeSeconds" };
inline constexpr QLatin1StringView GuestIdleSeconds { "guest.idleSeconds" };
inline constexpr QLatin1StringView AttachmentsMaxFileBytes { "attachments.maxFileBytes" };
inline constexpr QLatin1StringView AttachmentsQuotaBytes { "attachments.quotaBytes" };
inline constexpr QLatin1StringView AttachmentsAutoFetchBytes { "attachments.autoFetchBytes" };
inline constexpr QLatin1StringView AttachmentsUploadTtlSeconds { "attachments.uploadTtlSeconds" };
inline constexpr QLatin1StringView InterworkingEnabled { "interworking.enabled" };
inline constexpr QLatin1StringView InterworkingEmail { "interworking.email" };
inline constexpr QLatin1StringView InterworkingSms { "interworking.sms" };
inline constexpr QLatin1StringView InterworkingMaxAttempts { "interworking.maxAttempts" };
inline constexpr QLatin1StringView InterworkingRetrySeconds { "interworking.retrySeconds" };

//! One known setting. All current settings are integers from 0 to maxValue; the maxima keep
//! every use (seconds made milliseconds, counts made int) far from overflowing.
struct Definition {
    QLatin1StringView key;
    qint64 defaultValue;
    qint64 maxValue;
    QLatin1StringView description;
};

inline constexpr qint64 YearSeconds = 366LL * 24 * 3600;
inline constexpr qint64 DaySeconds = 24 * 3600;

inline constexpr Definition All[] = {
    { LoginMaxFailures, 5, 1000000,
        QLatin1StringView("wrong passwords per CPM address before 'throttled' (0 = never)") },
    { LoginMaxFailuresPerSource, 20, 1000000,
        QLatin1StringView("failed sign-ins (password or token) per network address before "
                          "'throttled' (0 = never)") },
    { LoginWindowSeconds, 300, YearSeconds,
        QLatin1StringView("window of the failed sign-in count, seconds") },
    { QuotaDailyMessages, 10000, 1000000000,
        QLatin1StringView("messages a user may send per UTC day (0 = unlimited)") },
    { DevicesMaxPerUser, protocol::limits::MaxDevices, protocol::limits::MaxDevices,
        QLatin1StringView("devices a user may have signed in at once (0 = the most, 100)") },
    { DeferredMaxAgeSeconds, 604800, 10 * YearSeconds,
        QLatin1StringView("age after which an undelivered message expires (0 = never)") },
    { DeferredMaxCount, 1000, 1000000000,
        QLatin1StringView("undelivered messages kept per recipient (0 = unlimited)") },
    { NetMaxConnections, 0, 1000000,
        QLatin1StringView("connections open at once (0 = the process's file limit less 64)") },
    { NetMaxConnectionsPerSource, 100, 1000000,
        QLatin1StringView("connections open at once from one network address (0 = no cap)") },
    { NetHandshakeTimeoutSeconds, 10, DaySeconds,
        QLatin1StringView("seconds from TCP connect to the WebSocket upgrade (0 = no limit)") },
    { NetHelloTimeoutSeconds, 10, DaySeconds,
        QLatin1StringView("seconds from the upgrade to 'hello' (0 = no limit)") },
    { NetSignInTimeoutSeconds, 60, DaySeconds,
        QLatin1StringView("seconds from 'hello' to a completed sign-in (0 = no limit)") },
    { NetIdleTimeoutSeconds, 120, DaySeconds,
        QLatin1StringView("seconds a signed-in connection may send no frame (0 = no limit)") },
    { NetStalledOutputSeconds, 30, DaySeconds,
        QLatin1StringView("seconds a connection may leave its output backlog unread (0 = no "
                          "limit)") },
    { SessionInviteTimeoutSeconds, 60, DaySeconds,
        QLatin1StringView(
            "seconds a session request rings before it ends unanswered (0 = never)") },
    { SessionGraceSeconds, 120, DaySeconds,
        QLatin1StringView("seconds a session's device may stay away before the session ends "
                          "for the peer") },
    { GuestEnabled, 1, 1,
        QLatin1StringView("1: users may sign in as a guest on someone else's device; 0: never") },
    { GuestLifetimeSeconds, 43200, DaySeconds * 30,
        QLatin1StringView("seconds a guest device lives at most before it is signed out") },
    { GuestIdleSeconds, 3600, DaySeconds * 30,
        QLatin1StringView("seconds a guest device may stay disconnected before it is signed out "
                          "(0 = no idle limit)") },
    { AttachmentsMaxFileBytes, 256LL << 20, 1LL << 40,
        QLatin1StringView("largest attachment in bytes a user may upload (0 = none at all)") },
    { AttachmentsQuotaBytes, 2LL << 30, 1LL << 50,
        QLatin1StringView("bytes of network storage (uploaded attachments) per user") },
    { AttachmentsAutoFetchBytes, 10LL << 20, 1LL << 40,
        QLatin1StringView("pictures up to this size are fetched by devices as they arrive; "
                          "larger ones on demand (told to clients at 'hello')") },
    { AttachmentsUploadTtlSeconds, DaySeconds, YearSeconds,
        QLatin1StringView("seconds an unfinished upload is kept after its last chunk (0 = until "
                          "deleted)") },
    { InterworkingEnabled, 0, 1,
        QLatin1StringView("1: messages for users away from CPM may go to e-mail/SMS as their "
                          "preference 'whenAway' says; 0: never (MSG-8)") },
    { InterworkingEmail, 1, 1,
        QLatin1StringView("1: e-mail is one of the legacy services (needs --smtp)") },
    { InterworkingSms, 1, 1,
        QLatin1StringView("1: SMS is one of the legacy services (needs --sms-gateway)") },
    { InterworkingMaxAttempts, 8, 1000,
        QLatin1StringView("attempts per e-mail/SMS delivery before it fails for good (the "
                          "message stays stored for CPM)") },
    { InterworkingRetrySeconds, 5, DaySeconds,
        QLatin1StringView("seconds before the first retry of a failed e-mail/SMS delivery; "
                          "doubled for each further one, at most an hour") },
};

//! The definition of \a key, or nullptr for an unknown key.
template <typename View> const Definition* find(View key)
{
    for (const Definition& d : All) {
        if (key == d.key) {
            return &d;
        }
    }
    return nullptr;
}

} // namespace cpm::server::settings
