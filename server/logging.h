// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Every logging category of the server, in one place so QT_LOGGING_RULES can be written
// from one list. Never log passwords, tokens or message bodies: addresses and ids only.

#include <QLoggingCategory>

namespace cpm::server {
Q_DECLARE_LOGGING_CATEGORY(lcServer) // cpm.server
Q_DECLARE_LOGGING_CATEGORY(lcStore) // cpm.server.store
Q_DECLARE_LOGGING_CATEGORY(lcNet) // cpm.server.net
Q_DECLARE_LOGGING_CATEGORY(lcAuth) // cpm.server.auth
Q_DECLARE_LOGGING_CATEGORY(lcAdmin) // cpm.server.admin
} // namespace cpm::server
