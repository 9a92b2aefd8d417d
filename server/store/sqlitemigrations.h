// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// SqliteStore's schema, as numbered migrations: migration N brings the schema from version
// N-1 to N, each in one transaction, so a crash leaves the schema at N-1 or N. Never edit
// a released migration: append a new one, since existing data directories ran the old.

#include "result.h"

namespace cpm::server {

class SqliteDatabase;

namespace sqlitemigrations {

//! The newest schema version this build knows.
int latestVersion();
//! The schema version of the open database (0 for a new file).
Result<int> schemaVersion(SqliteDatabase& db);
//! Brings the database to \a target (latestVersion() unless a test wants an older schema to
//! migrate from); refuses a database newer than latestVersion().
Result<void> migrate(SqliteDatabase& db, int target = latestVersion());

} // namespace sqlitemigrations
} // namespace cpm::server
