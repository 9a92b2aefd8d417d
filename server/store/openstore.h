// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Which store a server or an admin command uses: the SQLite file in the data directory (the
// default, one node), or a PostgreSQL database that several nodes share (`--store
// postgresql://...`, docs/scaling.md). The data directory holds the attachments either way.

#include "store.h"

#include <QString>

#include <memory>

namespace cpm::server {

struct StoreLocation {
    QString dataDir;
    //! "sqlite" (or empty): the data directory's SQLite file; else a PostgreSQL URI.
    QString store;

    bool isPostgres() const;
    //! Where it is, for logs and messages (a PostgreSQL URI without its password).
    QString describe() const;
};

enum class StoreUse {
    Serving, //!< the server: group commit for SQLite, NOTIFY's node id for PostgreSQL
    Command, //!< one admin command or a test
};

//! Whether \a store is a valid --store value; when not, \a why says what would be.
bool isValidStoreOption(const QString& store, QString* why);

//! Opens (creating and migrating when needed) the store at \a where.
Result<std::unique_ptr<Store>> openStore(const StoreLocation& where, StoreUse use);
//! What an operator reads when openStore() fails: what is wrong, and what to do.
QString explainOpenFailure(const StoreLocation& where, const Error& error);

} // namespace cpm::server
