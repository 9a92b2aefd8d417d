// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// PostgresStore's schema: the same numbered migrations as SQLite's (sqlitemigrations.h),
// migration N in one transaction. Never edit a released migration; append a new one to both.

#include "result.h"

namespace cpm::server {

class PgDatabase;

namespace pgmigrations {

//! The newest schema version this build knows (the same number as SQLite's).
int latestVersion();
//! The schema version of the database (0 for a new one).
Result<int> schemaVersion(PgDatabase& db);
//! Brings the database to \a target, one node at a time (an advisory lock); refuses a
//! database newer than latestVersion().
Result<void> migrate(PgDatabase& db, int target = latestVersion());

} // namespace pgmigrations
} // namespace cpm::server
