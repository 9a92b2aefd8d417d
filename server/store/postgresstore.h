// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The Store on a PostgreSQL database that several cpm-server nodes share (docs/scaling.md).
// What each operation reads and writes is SqlStore's, as for SQLite; this class connects,
// migrates, and keeps the settings current. Every write commits at once (no group commit:
// a node must not hold rows another node waits for), and the stream events it appended are
// announced with NOTIFY at that commit (pgdatabase.h).

#include "pgdatabase.h"
#include "sqlstore.h"

#include <QElapsedTimer>

#include <memory>

namespace cpm::server {

class PgListener;

class PostgresStore final : public SqlStore<PgDatabase> {
    Q_DISABLE_COPY_MOVE(PostgresStore)

public:
    PostgresStore();
    ~PostgresStore() override;

    //! Whether \a store names a PostgreSQL database (`postgresql://...`, `postgres://...`).
    static bool isConnectionString(const QString& store);
    //! \a conninfo without its password, for logs and messages.
    static QString redacted(const QString& conninfo);

    //! Connects to \a conninfo and migrates the database (one node at a time).
    Result<void> open(const QString& conninfo);
    void close() override;
    bool isOpen() const override { return m_db.isOpen(); }
    QString describe() const { return m_db.describe(); }
    Result<int> schemaVersion();
    static int latestSchemaVersion();
    //! What an operator reads when open() fails.
    static QString explainOpenFailure(const QString& conninfo, const Error& error);

    //! This node's name in the events' NOTIFY payloads.
    void setNodeId(const QByteArray& id) { m_db.setNodeId(id); }
    QByteArray nodeId() const { return m_db.nodeId(); }
    //! The connection string it was opened with (the listener opens a second session).
    QString connectionString() const { return m_conninfo; }

    void setWriteListener(std::function<void()>) override { }
    bool hasUncommittedWrites() const override { return false; }
    int uncommittedWrites() const override { return 0; }
    Result<void> commit() override { return {}; }
    void maintain() override { }
    //! Always true: another node or the admin CLI may have changed anything.
    bool changedElsewhere() override;
    //! Starts listening for other nodes' events (pglistener.h).
    void setRemoteEventListener(std::function<void(qint64 userId, qint64 seq)> listener) override;
    bool isShared() const override { return true; }
    Result<void> setPresence(qint64 userId, qint64 deviceId, bool online, qint64 now) override;
    Result<QList<std::pair<qint64, qint64>>> presenceElsewhere(qint64 now) override;
    Result<void> heartbeat(qint64 now) override;
    bool leadsUpkeep() const override { return m_leads; }
    Result<void> broadcast(const QByteArray& message) override;
    void setBroadcastListener(std::function<void(const QByteArray& message)> listener) override;
    Result<QList<qint64>> loginFailuresElsewhere(const QString& key, qint64 since) override;
    Result<void> recordLoginFailure(const QString& key, qint64 now) override;
    Result<void> clearLoginFailures(const QString& key) override;
    Result<void> pruneLoginFailures(qint64 before) override;

    //! A node whose last heartbeat is older is taken for dead: its devices are offline.
    static constexpr qint64 NodeTimeoutMs = 10000;
    //! ... and after this long its rows are removed.
    static constexpr qint64 NodeForgottenMs = 60000;

protected:
    //! Re-reads the settings at most every 5 ms (another node or the admin may set them).
    Result<void> loadSettings() override;

private:
    QString m_conninfo;
    QElapsedTimer m_settingsRead;
    //! The listener session, made for the first listener set.
    PgListener* listener();

    std::unique_ptr<PgListener> m_listener;
    std::function<void(qint64, qint64)> m_eventListener;
    std::function<void(const QByteArray&)> m_broadcastListener;
    int m_heartbeats = 0;
    //! The alive node with the least id leads the upkeep (see Store::leadsUpkeep()).
    bool m_leads = false;
};

} // namespace cpm::server
