// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Every logging category of the client core, in one place so QT_LOGGING_RULES can be
// written from one list. Never log tokens, passwords, keys or message bodies.

#include <QLoggingCategory>

namespace cpm {
Q_DECLARE_LOGGING_CATEGORY(lcConnection) // cpm.connection
Q_DECLARE_LOGGING_CATEGORY(lcStore) // cpm.store
Q_DECLARE_LOGGING_CATEGORY(lcKeystore) // cpm.keystore
Q_DECLARE_LOGGING_CATEGORY(lcClient) // cpm.client
} // namespace cpm
