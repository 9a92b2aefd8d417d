// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// PostgresStore's connection: one PostgreSQL session through libpq, with the same shape as
// SqliteDatabase so that SqlStore's statements run on either. Statements are written with
// `?` parameters; each is prepared once per session (keyed, like SQLite's, by the address of
// its SQL literal) with `$n` in their place. Every write is its own transaction. A stream
// event a write appends is announced at its commit with NOTIFY (channel cpm_events), which is
// how the other nodes of the database learn of it (pglistener.h). Not thread-safe.

#include "result.h"

#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QString>

#include <vector>

struct pg_conn;
struct pg_result;

namespace cpm::server {

class PgDatabase final {
    Q_DISABLE_COPY_MOVE(PgDatabase)

public:
    //! The NOTIFY channel of committed stream events. Payload: "<node> <user>:<seq> ...".
    static constexpr const char* EventsChannel = "cpm_events";
    //! The NOTIFY channel of what nodes tell each other and store nowhere (presence, typing).
    //! Payload: "<node> <message>".
    static constexpr const char* BroadcastChannel = "cpm_broadcast";
    //! NOTIFY payloads must stay below 8,000 bytes; a commit's events are split to fit.
    static constexpr int MaxPayloadBytes = 7900;

    PgDatabase();
    ~PgDatabase();

    //! Connects to \a conninfo (a `postgresql://` URI or key=value pairs, libpq's syntax).
    Result<void> open(const QString& conninfo);
    void close();
    bool isOpen() const { return m_conn != nullptr; }
    pg_conn* handle() const { return m_conn; }
    //! Where the connection goes, for logs: host, port and database, never the password.
    QString describe() const;

    //! This node's name in NOTIFY payloads, so that it can tell its own from others'.
    void setNodeId(const QByteArray& id) { m_nodeId = id; }
    QByteArray nodeId() const { return m_nodeId; }

    //! Runs \a sql (one or more statements, no parameters): schema and settings.
    Result<void> exec(const QString& sql);

    //! A stream event was written: announced to the other nodes when its write commits.
    void eventAppended(qint64 userId, qint64 seq);

    //! Sends the server's notices on \a connection ("… already exists, skipping", a
    //! shutdown's farewell) to the log (cpm.server.store, debug) instead of stderr.
    static void logNotices(pg_conn* connection);
    //! The storage code for a failed statement from its SQLSTATE (Error codes, error.h).
    static ErrorCode codeFromSqlState(const QByteArray& sqlState);

    class Query final {
        Q_DISABLE_COPY_MOVE(Query)

    public:
        Query(PgDatabase& db, const char* sql);
        ~Query();

        template <typename... Values> Query& bind(const Values&... values)
        {
            (bindOne(values), ...);
            return *this;
        }
        //! Runs the statement on the first call; then steps to the next row.
        bool next();
        Result<void> exec();
        bool ok() const { return m_error.isNull(); }
        const Error& error() const { return m_error; }

        qint64 int64(int column) const;
        bool boolean(int column) const { return int64(column) != 0; }
        bool isNull(int column) const;
        QString text(int column) const;
        QByteArray blob(int column) const;
        QByteArray utf8(int column) const;
        //! Rows the statement inserted, updated or deleted.
        qint64 changes() const;
        //! The statement failed because a row with its unique key exists already.
        bool violatedUniqueKey() const { return m_sqlState == "23505"; }

    private:
        void bindOne(qint64 value);
        void bindOne(int value) { bindOne(qint64(value)); }
        void bindOne(bool value) { bindOne(qint64(value ? 1 : 0)); }
        // A null QString binds as '', as in SqliteDatabase: text columns are NOT NULL.
        void bindOne(const QString& value);
        void bindOne(QLatin1StringView value);
        void bindOne(const QByteArray& value);
        void bindOne(std::nullptr_t);
        void run();

        PgDatabase& m_db;
        const char* m_sql;
        std::vector<QByteArray> m_values;
        std::vector<unsigned int> m_types; // Oid
        std::vector<int> m_formats;
        std::vector<bool> m_nulls;
        pg_result* m_result = nullptr;
        int m_row = -1;
        bool m_ran = false;
        Error m_error;
        QByteArray m_sqlState; // of the failure
    };

    //! BEGIN ... COMMIT, with the events' NOTIFY inside; rolls back unless committed.
    class Transaction final {
        Q_DISABLE_COPY_MOVE(Transaction)

    public:
        explicit Transaction(PgDatabase& db);
        ~Transaction();
        const Error& error() const { return m_error; }
        bool isActive() const { return m_active; }
        Result<void> commit();

    private:
        PgDatabase& m_db;
        Error m_error;
        bool m_active = false;
    };

private:
    //! The connection, reset first when it was lost and no transaction is open.
    Result<pg_conn*> connection(const QString& what);
    Error resultError(pg_result* result, const QString& what) const;
    //! The name of the prepared statement for \a sql, preparing it with \a types.
    Result<QByteArray> prepared(const char* sql, const std::vector<unsigned int>& types);
    Result<void> notifyAppended();

    pg_conn* m_conn = nullptr;
    QString m_conninfo;
    QHash<const char*, QByteArray> m_statements;
    int m_statementCount = 0;
    bool m_inTransaction = false;
    QMap<qint64, qint64> m_appended; // user -> highest seq written, until the commit
    QByteArray m_nodeId;
};

//! `?` placeholders as PostgreSQL's `$1`, `$2`, ... (none inside quotes); \a count is how many.
QByteArray pgNumberedParameters(const char* sql, int* count = nullptr);

} // namespace cpm::server
