// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Turns a protocol or connection error into a sentence a person understands, with what
// to do next. The code, not the server's English message, decides the wording.

#include "frame.h"

#include <QCoreApplication>
#include <QUrl>

namespace cpm::ui {

class ErrorText final {
    Q_DECLARE_TR_FUNCTIONS(ErrorText)

public:
    static QString forSignIn(const protocol::Error& error, const QUrl& server);
    static QString forAction(const protocol::Error& error);
};

} // namespace cpm::ui
