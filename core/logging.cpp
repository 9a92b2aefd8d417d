// SPDX-License-Identifier: GPL-3.0-or-later
#include "logging.h"

namespace cpm {
Q_LOGGING_CATEGORY(lcConnection, "cpm.connection", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "cpm.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcKeystore, "cpm.keystore", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "cpm.client", QtInfoMsg)
} // namespace cpm
