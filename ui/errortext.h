// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Every error a person reads, in one place: turns an Error into a sentence a person
// understands, with what to do next. The code, not the English message (which is for
// logs and diagnostics), decides the wording.

#include "error.h"

#include <QCoreApplication>
#include <QUrl>

namespace cpm::ui {

class ErrorText final {
    Q_DECLARE_TR_FUNCTIONS(ErrorText)

public:
    //! For the sign-in window: \a server is the address the user typed.
    static QString forSignIn(const Error& error, const QUrl& server);
    //! For anything the user did in a window (send, rename, delete, ...).
    static QString forAction(const Error& error);
    //! When the profile in \a profileDir cannot be opened at start.
    static QString forStartup(const Error& error, const QString& profileDir);
    //! The notice after a damaged local database was set aside (Client::recoveredStore).
    static QString storeRecovered();
};

} // namespace cpm::ui
