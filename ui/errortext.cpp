// SPDX-License-Identifier: GPL-3.0-or-later
#include "errortext.h"

#include "protocol.h"

namespace cpm::ui {

namespace er = protocol::error;

QString ErrorText::forSignIn(const protocol::Error& error, const QUrl& server)
{
    const QString& code = error.code;
    if (code == er::AuthFailed) {
        return tr("The address or the password is wrong. Check both and try again.");
    }
    if (code == er::Throttled) {
        const int minutes = std::max(1, (error.retryAfterSeconds + 59) / 60);
        return tr("Too many failed attempts for this address. Try again in %1 min.").arg(minutes);
    }
    if (code == er::AccountDisabled) {
        return tr("This account has been disabled by the operator.");
    }
    if (code == er::DeviceSignedOut) {
        return tr("This device was signed out from another device. Sign in again.");
    }
    if (code == er::VersionUnsupported) {
        return tr("The server at %1 speaks a protocol version this application does not "
                  "support. Update the application or the server.")
            .arg(server.toDisplayString());
    }
    if (code == QLatin1StringView("offline") || code == QLatin1StringView("timeout")
        || code == QLatin1StringView("disconnected") || code == QLatin1StringView("network")) {
        return tr("Cannot reach the server at %1. Check the server address and that the "
                  "server is running, then try again.")
            .arg(server.toDisplayString());
    }
    return forAction(error);
}

QString ErrorText::forAction(const protocol::Error& error)
{
    const QString& code = error.code;
    if (code == er::QuotaExceeded) {
        return tr("You have reached today's message limit set by your operator.");
    }
    if (code == er::NoSuchUser) {
        return tr("There is no user with that address.");
    }
    if (code == er::NotFound) {
        return tr("That item no longer exists.");
    }
    if (code == er::TooLarge) {
        return tr("The message is too long.");
    }
    if (code == QLatin1StringView("offline") || code == QLatin1StringView("disconnected")) {
        return tr("You are offline. The action will work once the connection is back.");
    }
    if (code == QLatin1StringView("timeout")) {
        return tr("The server did not answer in time. Try again.");
    }
    return tr("Something went wrong (%1). Try again; if it keeps happening, copy the "
              "diagnostics and report it.")
        .arg(code);
}

} // namespace cpm::ui
