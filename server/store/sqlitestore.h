// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The Store on one SQLite file in the data directory (WAL). How it stays fast under load —
// group commit, checkpoints on their own thread, the hot statements on SQLite's C API — is
// described in docs/architecture.md ("Data flow") and lives in its own files: the connection
// and group commit in sqlitedatabase, checkpoints in sqlitecheckpointer, the schema in
// sqlitemigrations. What each operation reads and writes is SqlStore's (sqlstore.cpp),
// shared with the PostgreSQL store; this class opens the file and makes writes durable.

#include "sqlitedatabase.h"
#include "sqlstore.h"

#include <memory>

namespace cpm::server {

class SqliteCheckpointer;

class SqliteStore : public SqlStore<SqliteDatabase> {
    Q_DISABLE_COPY_MOVE(SqliteStore)

public:
    static constexpr const char* FileName = "cpm.sqlite";

    enum class Mode {
        //! The serving process: group commit, checkpoints on their own thread.
        Serving,
        //! One command (the admin CLI) or a test: every write is its own transaction.
        Direct,
    };

    SqliteStore();
    ~SqliteStore() override;

    /*!
     * Opens (creating when missing, mode 0700) \a dataDir and its database, checks the file
     * (`quick_check`: a damaged store refuses to open, StoreCorrupt), and migrates it.
     */
    Result<void> open(const QString& dataDir, Mode mode = Mode::Direct);
    void close() override;
    bool isOpen() const override { return m_db.isOpen(); }
    QString databasePath() const { return m_db.path(); }
    //! The schema version of the open database.
    Result<int> schemaVersion();
    static int latestSchemaVersion();
    //! What an operator reads when open() fails: what is wrong with \a dataDir, and what to do.
    static QString explainOpenFailure(const QString& dataDir, const Error& error);

    void setWriteListener(std::function<void()> listener) override;
    bool hasUncommittedWrites() const override { return m_db.hasPendingBatch(); }
    int uncommittedWrites() const override { return m_db.batchSize(); }
    Result<void> commit() override;
    void maintain() override;
    bool changedElsewhere() override;

protected:
    Result<void> loadSettings() override;

private:
    QString m_dataDir;
    qint64 m_dataVersion = -1;
    qint64 m_changesVersion = -1;
    //! PRAGMA data_version was read in the open batch (nobody else can commit meanwhile).
    bool m_settingsCheckedInBatch = false;
    std::unique_ptr<SqliteCheckpointer> m_checkpointer;
};

} // namespace cpm::server
