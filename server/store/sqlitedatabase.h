// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// SqliteStore's connection: one SQLite database through SQLite's C API, its prepared
// statements, write transactions and group commit, and the "full" state a failed write for
// lack of space leaves behind. Not thread-safe: one instance per thread.

#include "result.h"

#include <QHash>
#include <QString>

#include <functional>

struct sqlite3;
struct sqlite3_stmt;

namespace cpm::server {

class SqliteDatabase final {
    Q_DISABLE_COPY_MOVE(SqliteDatabase)

public:
    SqliteDatabase();
    ~SqliteDatabase();

    /*!
     * Opens (creating when \a create) the database file at \a path in WAL mode with
     * synchronous=NORMAL: a commit is in the WAL before anyone is answered, which survives
     * the process being killed. \a busyTimeoutMs is how long a write waits for another
     * process's lock (the admin CLI's).
     */
    Result<void> open(const QString& path, bool create, int busyTimeoutMs);
    void close();
    bool isOpen() const { return m_db != nullptr; }
    QString path() const { return m_path; }
    sqlite3* handle() const { return m_db; }

    //! Runs \a sql (one or more statements, no parameters): schema and pragmas.
    Result<void> exec(const QString& sql);
    //! SQLite's `PRAGMA quick_check`: empty when the file is sound, else what it found.
    Result<QString> quickCheck();
    //! The error of the last failed call on this connection, classified (Error::fromSqlite).
    Error lastError(const QString& what) const;

    /*!
     * A statement prepared once and kept (keyed by the address of its SQL literal, which is
     * stable), reset when this goes out of scope: a SELECT left active would keep a read
     * transaction open and pin an old snapshot.
     */
    class Query final {
        Q_DISABLE_COPY_MOVE(Query)

    public:
        Query(SqliteDatabase& db, const char* sql);
        ~Query();

        //! Binds \a values to the parameters, in order.
        template <typename... Values> Query& bind(const Values&... values)
        {
            int i = 1;
            (bindOne(i++, values), ...);
            return *this;
        }
        //! Steps to the next row: true when there is one; ok() tells the end from a failure.
        bool next();
        //! Runs a statement that returns no rows (or only its first).
        Result<void> exec();
        bool ok() const { return m_error.isNull(); }
        const Error& error() const { return m_error; }

        qint64 int64(int column) const;
        bool boolean(int column) const { return int64(column) != 0; }
        bool isNull(int column) const;
        QString text(int column) const;
        QByteArray blob(int column) const;
        //! A TEXT column's UTF-8 bytes as they are stored (no conversion).
        QByteArray utf8(int column) const;
        //! Rows the last INSERT/UPDATE/DELETE changed.
        qint64 changes() const;
        qint64 lastInsertId() const;
        //! The statement failed because a row with its unique key exists already.
        bool violatedUniqueKey() const { return m_uniqueViolated; }

    private:
        void bindOne(int i, qint64 value);
        void bindOne(int i, int value) { bindOne(i, qint64(value)); }
        void bindOne(int i, bool value) { bindOne(i, qint64(value ? 1 : 0)); }
        // A null QString binds as '': text columns are NOT NULL, and an absent optional
        // field (a subject, a device without capabilities) means "empty".
        void bindOne(int i, const QString& value);
        void bindOne(int i, QLatin1StringView value);
        void bindOne(int i, const QByteArray& value);
        void bindOne(int i, std::nullptr_t);
        void fail(int rc);

        SqliteDatabase& m_db;
        sqlite3_stmt* m_stmt;
        Error m_error;
        bool m_uniqueViolated = false;
    };

    /*!
     * A write. Alone: BEGIN IMMEDIATE ... COMMIT (IMMEDIATE takes the write lock up front: a
     * deferred transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT when
     * the admin CLI wrote meanwhile). With group commit: a savepoint in the batch's
     * transaction, so a failing write rolls back only itself. Rolls back unless committed.
     */
    class Transaction final {
        Q_DISABLE_COPY_MOVE(Transaction)

    public:
        explicit Transaction(SqliteDatabase& db);
        ~Transaction();
        //! Why the write could not begin (busy, full, ...); null when it did.
        const Error& error() const { return m_error; }
        bool isActive() const { return m_active; }
        Result<void> commit();

    private:
        SqliteDatabase& m_db;
        Error m_error;
        bool m_active = false;
    };

    //! A stream event was written (SqlStore's hook; PostgreSQL announces it to other nodes).
    //! One process owns a SQLite file, so nobody else needs telling.
    void eventAppended(qint64 /*userId*/, qint64 /*seq*/) { }

    // --- group commit (the serving process) -----------------------------------------------
    /*!
     * Turns on group commit: the first write after a commit opens a transaction (BEGIN
     * IMMEDIATE) and calls \a batchStarted, so the caller can schedule commitBatch(); every
     * write runs in a savepoint inside it.
     */
    void setGroupCommit(std::function<void()> batchStarted);
    bool hasPendingBatch() const { return m_batchOpen; }
    //! How many writes (successful or rolled back) the open batch holds.
    int batchSize() const { return m_batchWrites; }
    /*!
     * Commits the open batch (ok when there is none). On failure none of its writes is
     * stored, and the caller must not report any of them as done.
     */
    Result<void> commitBatch();

    // --- a full disk ----------------------------------------------------------------------
    /*!
     * After a write failed for lack of space, every write is refused at once with DiskFull
     * (reads go on) until checkSpace() finds room again: retrying each write would only
     * fail it slowly and take its batch with it.
     */
    bool isFull() const { return m_full; }
    //! Leaves the full state when the file system has room again. Cheap; call now and then.
    void checkSpace();

private:
    sqlite3_stmt* statement(const char* sql);
    Result<void> run(const char* sql);
    Result<void> beginWrite();
    Result<void> endWrite(bool commit);
    void noteFailure(const Error& error);

    sqlite3* m_db = nullptr;
    QString m_path;
    QHash<const char*, sqlite3_stmt*> m_statements;
    bool m_groupCommit = false;
    std::function<void()> m_batchStarted;
    bool m_batchOpen = false;
    //! A failed write could not be rolled back alone: the whole batch must fail.
    bool m_batchBroken = false;
    int m_batchWrites = 0;
    bool m_full = false;
};

} // namespace cpm::server
