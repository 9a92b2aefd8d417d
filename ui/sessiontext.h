// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The words the chat-session widgets share (SES-1..7, SES-9): who the peer is called,
// when a session started and why it ended, so the banner, the session bar, the dialogs and
// the notifications say the same thing the same way.

#include "types.h"

#include <QCoreApplication>

namespace cpm {
class Client;
}

namespace cpm::ui {

class SessionText final {
    Q_DECLARE_TR_FUNCTIONS(SessionText)

public:
    //! The contact's name for \a address, else the address.
    static QString peerName(const Client& client, const QString& address);
    //! A server time (ms since the epoch) as the clock shows it ("14:05").
    static QString clock(qint64 ms);
    //! "Bob wants to chat now — Pictures" (without a subject: no dash).
    static QString request(const Client& client, const Session& session);
    //! Why \a session ended, as a sentence: "Session ended by Bob", "Session declined by
    //! Bob", "Session request timed out", "Session ended: Bob's device went away", …
    static QString ended(const Client& client, const Session& session);
};

} // namespace cpm::ui
