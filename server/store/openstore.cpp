// SPDX-License-Identifier: GPL-3.0-or-later
#include "openstore.h"

#include "postgresstore.h"
#include "sqlitestore.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QSysInfo>

namespace cpm::server {

bool StoreLocation::isPostgres() const { return PostgresStore::isConnectionString(store); }

QString StoreLocation::describe() const
{
    return isPostgres() ? PostgresStore::redacted(store) : dataDir;
}

bool isValidStoreOption(const QString& store, QString* why)
{
    if (store.isEmpty() || store == QLatin1StringView("sqlite")
        || PostgresStore::isConnectionString(store)) {
        return true;
    }
    if (why) {
        *why = QStringLiteral("--store takes 'sqlite' or a PostgreSQL URI "
                              "(postgresql://user@host:port/database), not '%1'")
                   .arg(PostgresStore::redacted(store));
    }
    return false;
}

Result<std::unique_ptr<Store>> openStore(const StoreLocation& where, StoreUse use)
{
    if (where.isPostgres()) {
        auto store = std::make_unique<PostgresStore>();
        // Its own NOTIFYs come back to a node too; the id tells them apart. Unique per
        // process run, so a restarted node is a new one.
        store->setNodeId(QSysInfo::machineHostName().toUtf8() + '/'
            + QByteArray::number(QCoreApplication::applicationPid()) + '/'
            + QByteArray::number(QRandomGenerator::system()->generate(), 36));
        if (const Result<void> opened = store->open(where.store); !opened) {
            return opened.error();
        }
        if (use == StoreUse::Serving) {
            // Alive from the start: the devices this node will have are online for others.
            if (const Result<void> alive = store->heartbeat(0); !alive) {
                return alive.error();
            }
        }
        return std::unique_ptr<Store>(std::move(store));
    }
    auto store = std::make_unique<SqliteStore>();
    const Result<void> opened = store->open(where.dataDir,
        use == StoreUse::Serving ? SqliteStore::Mode::Serving : SqliteStore::Mode::Direct);
    if (!opened) {
        return opened.error();
    }
    return std::unique_ptr<Store>(std::move(store));
}

QString explainOpenFailure(const StoreLocation& where, const Error& error)
{
    return where.isPostgres() ? PostgresStore::explainOpenFailure(where.store, error)
                              : SqliteStore::explainOpenFailure(where.dataDir, error);
}

} // namespace cpm::server
