// SPDX-License-Identifier: GPL-3.0-or-later
#include "logging.h"

namespace cpm::server {
Q_LOGGING_CATEGORY(lcServer, "cpm.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "cpm.server.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNet, "cpm.server.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "cpm.server.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAdmin, "cpm.server.admin", QtInfoMsg)
} // namespace cpm::server
