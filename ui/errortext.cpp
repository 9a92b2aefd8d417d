// SPDX-License-Identifier: GPL-3.0-or-later
#include "errortext.h"

namespace cpm::ui {

QString ErrorText::forSignIn(const Error& error, const QUrl& server)
{
    switch (error.code) {
    case ErrorCode::AuthFailed:
        return tr("The address or the password is wrong. Check both and try again.");
    case ErrorCode::Throttled: {
        // Seconds: the server is checking many sign-ins right now. Minutes: too many wrong
        // passwords for this address, or failed sign-ins from this network.
        if (error.retryAfterSeconds >= 0 && error.retryAfterSeconds < 60) {
            return tr("The server is busy with other sign-ins. Try again in a few seconds.");
        }
        const int minutes = std::max(1, (error.retryAfterSeconds + 59) / 60);
        return tr("Too many failed sign-ins for this address or from this network. Try again "
                  "in %1 min.")
            .arg(minutes);
    }
    case ErrorCode::AccountDisabled:
        return tr("This account has been disabled by the operator.");
    case ErrorCode::DeviceSignedOut:
        return tr("This device was signed out from another device. Sign in again.");
    case ErrorCode::GuestDisabled:
        return tr("This server does not allow signing in as a guest. Sign in normally, or "
                  "ask the operator.");
    case ErrorCode::GuestNotAllowed:
        return tr("Your account does not allow guest sign-in. Allow it in the settings on "
                  "one of your own devices, then try again.");
    case ErrorCode::LimitReached:
        return tr("This account has the most devices signed in that the server allows. Sign "
                  "out a device you no longer use (Devices), then try again.");
    case ErrorCode::VersionUnsupported:
        return tr("The server at %1 speaks a protocol version this application does not "
                  "support. Update the application or the server.")
            .arg(server.toDisplayString());
    case ErrorCode::HostNotFound:
        return tr("There is no computer named %1. Check the server address for a typing "
                  "mistake, and that this computer is connected to the network.")
            .arg(server.host());
    case ErrorCode::ConnectionRefused:
        return tr("Nothing answers at %1, port %2: the CPM server is not running there, or "
                  "the port is wrong. Check the port in the server address, and ask the "
                  "operator whether the server is up.")
            .arg(server.host())
            .arg(server.port(server.scheme() == QLatin1StringView("wss") ? 443 : 80));
    case ErrorCode::NotCpmServer:
        return tr("Something answers at %1, but it is not a CPM server. Check the server "
                  "address and port: another program (a web server, for one) runs there.")
            .arg(server.toDisplayString());
    case ErrorCode::Unreachable:
    case ErrorCode::Offline:
    case ErrorCode::Timeout:
    case ErrorCode::Disconnected:
        return tr("Cannot reach the server at %1. Check the server address and that the "
                  "server is running, then try again.")
            .arg(server.toDisplayString());
    case ErrorCode::TlsUntrusted:
        return tr("The server at %1 presented a certificate this computer does not trust. If "
                  "your operator runs its own certificate authority, choose its certificate "
                  "as the trusted CA file. Otherwise do not sign in: someone may be "
                  "impersonating the server.")
            .arg(server.toDisplayString());
    case ErrorCode::TlsExpired:
        return tr("The certificate of the server at %1 has expired or is not valid yet. Check "
                  "this computer's date and time; if they are right, tell the operator.")
            .arg(server.toDisplayString());
    case ErrorCode::TlsWrongHost:
        return tr("The server at %1 presented a certificate for another name. Check the server "
                  "address; if it is right, tell the operator.")
            .arg(server.toDisplayString());
    case ErrorCode::TlsFailed:
        return tr("A secure connection to %1 could not be set up. Check the trusted CA file "
                  "and the server address.")
            .arg(server.toDisplayString());
    case ErrorCode::Insecure:
        return tr("%1 is not encrypted: your password would cross the network in the clear. "
                  "Use a wss:// address, or allow an unencrypted connection if you trust "
                  "this network.")
            .arg(server.toDisplayString());
    default:
        break;
    }
    return forAction(error);
}

QString ErrorText::forAction(const Error& error)
{
    switch (error.code) {
    case ErrorCode::QuotaExceeded:
        return tr("You have reached today's message limit set by your operator.");
    case ErrorCode::LimitReached:
        return tr("Your contacts and settings have reached the size your server allows. "
                  "Remove contacts you no longer need, then try again.");
    case ErrorCode::NoSuchUser:
        return tr("There is no user with that address.");
    case ErrorCode::NotFound:
        return tr("That item no longer exists.");
    case ErrorCode::TooLarge:
        return tr("The message or file is larger than your server allows.");
    case ErrorCode::OverQuota:
        return tr("Your storage on the server is full. Delete files you no longer need in "
                  "My files, then try again.");
    case ErrorCode::HashMismatch:
        return tr("The file changed while it was being sent. Send it again.");
    case ErrorCode::BadRequest:
        return tr("That cannot be done as entered. Check the address and the text.");
    case ErrorCode::Conflict:
        return tr("This changed elsewhere at the same time. Try again.");
    case ErrorCode::AccountDisabled:
        return tr("This account has been disabled by the operator.");
    case ErrorCode::Throttled:
    case ErrorCode::Unavailable:
        return tr("The server is busy right now. Try again in a moment.");
    case ErrorCode::StorageFull:
        return tr("The server's storage is full. You can still read; new messages and changes "
                  "wait until the operator makes room.");
    case ErrorCode::Offline:
    case ErrorCode::Disconnected:
    case ErrorCode::Unreachable:
    case ErrorCode::HostNotFound:
    case ErrorCode::ConnectionRefused:
    case ErrorCode::NotCpmServer:
        return tr("You are offline. The action will work once the connection is back.");
    case ErrorCode::Timeout:
        return tr("The server did not answer in time. Try again.");
    case ErrorCode::DiskFull:
        return tr("The disk of this computer is full. Free some space: until then new "
                  "messages cannot be stored on this device.");
    case ErrorCode::StoreCorrupt:
        return tr("The messages stored on this device are damaged. Restart the application: "
                  "it sets the damaged copy aside and downloads your messages again.");
    case ErrorCode::StoreReadOnly:
        return tr("The messages stored on this device cannot be changed: the profile folder "
                  "or its disk is read-only.");
    case ErrorCode::StoreBusy:
        return tr("The messages stored on this device are busy. Try again in a moment.");
    case ErrorCode::StoreFailed:
        return tr("The messages stored on this device could not be read or written. Check "
                  "the disk; if it keeps happening, copy the diagnostics and report it.");
    case ErrorCode::ProfileBusy:
        return tr("This profile is already open in another window. Use that window, or close "
                  "it first.");
    case ErrorCode::ProfileUnusable:
        return tr("The profile folder cannot be used. Check that it exists and can be written.");
    case ErrorCode::NoAccount:
    case ErrorCode::DeviceSignedOut:
        return tr("This device is not signed in.");
    case ErrorCode::Cancelled:
        return tr("Cancelled.");
    case ErrorCode::TlsUntrusted:
    case ErrorCode::TlsExpired:
    case ErrorCode::TlsWrongHost:
    case ErrorCode::TlsFailed:
        return tr("The server's identity could not be verified, so the connection was not "
                  "made. Sign in again to see why.");
    case ErrorCode::Insecure:
        return tr("The connection is not encrypted, so the password was not sent.");
    case ErrorCode::AlreadyAnswered:
        return tr("This chat session request was already answered on another of your "
                  "devices.");
    case ErrorCode::SessionEnded:
        return tr("This chat session has ended. Start a new one to talk now.");
    case ErrorCode::NotBound:
        return tr("This chat session continues on another of your devices. Use “Continue "
                  "here” to take it over.");
    case ErrorCode::DeviceOffline:
        return tr("That device is not connected. A chat session can only move to a device "
                  "that is online; open the app there and try again.");
    case ErrorCode::Forbidden:
        return tr("A guest sign-in cannot do that. Use one of your own devices.");
    default:
        break;
    }
    return tr("Something went wrong (%1). Try again; if it keeps happening, copy the "
              "diagnostics and report it.")
        .arg(error.name());
}

QString ErrorText::forStartup(const Error& error, const QString& profileDir)
{
    return tr("The profile in %1 cannot be opened. %2").arg(profileDir, forAction(error));
}

QString ErrorText::storeRecovered()
{
    return tr("The messages stored on this device were damaged and have been set aside. "
              "They are being downloaded again; messages not yet sent from this device are "
              "lost.");
}

} // namespace cpm::ui
