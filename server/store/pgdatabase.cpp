// SPDX-License-Identifier: GPL-3.0-or-later
#include "pgdatabase.h"

#include "logging.h"

#include <cstdlib>
#include <libpq-fe.h>

namespace cpm::server {

namespace {
// Type OIDs of pg_type (catalog/pg_type_d.h, stable across releases).
constexpr Oid ByteaOid = 17;
constexpr Oid Int8Oid = 20;
constexpr Oid TextOid = 25;

//! The server's NOTICEs ("... already exists, skipping") go to the log, not to stderr.
void logNotice(void*, const char* message)
{
    qCDebug(lcStore).noquote() << "PostgreSQL:" << QString::fromUtf8(message).trimmed();
}
} // namespace

QByteArray pgNumberedParameters(const char* sql, int* count)
{
    QByteArray out;
    int n = 0;
    char quote = 0;
    for (const char* p = sql; *p; ++p) {
        const char c = *p;
        if (quote) {
            out.append(c);
            if (c == quote) {
                quote = 0; // a doubled quote closes and reopens: same result
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            out.append(c);
        } else if (c == '?') {
            out.append('$').append(QByteArray::number(++n));
        } else {
            out.append(c);
        }
    }
    if (count) {
        *count = n;
    }
    return out;
}

PgDatabase::PgDatabase() = default;

PgDatabase::~PgDatabase() { close(); }

void PgDatabase::logNotices(pg_conn* connection)
{
    PQsetNoticeProcessor(connection, &logNotice, nullptr);
}

ErrorCode PgDatabase::codeFromSqlState(const QByteArray& state)
{
    // A broken constraint (class 23) is StoreFailed, as Error::fromSqlite has it: a store
    // that expects one (a key taken meanwhile) asks violatedUniqueKey() and answers itself.
    if (state == "53100") {
        return ErrorCode::DiskFull;
    }
    if (state == "25006") {
        return ErrorCode::StoreReadOnly; // a standby, or default_transaction_read_only
    }
    if (state == "XX001" || state == "XX002") {
        return ErrorCode::StoreCorrupt;
    }
    // Worth a retry in a moment: a lost or refused connection, a database restarting or
    // shutting down, two writers in a deadlock (one is chosen to fail), a lock timeout,
    // resources short for now.
    if (state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
        || state.startsWith("57") || state == "55P03") {
        return ErrorCode::StoreBusy;
    }
    return ErrorCode::StoreFailed;
}

Result<void> PgDatabase::open(const QString& conninfo)
{
    close();
    m_conninfo = conninfo;
    m_conn = PQconnectdb(conninfo.toUtf8().constData());
    if (!m_conn) {
        return makeError(ErrorCode::StoreFailed, QStringLiteral("cannot connect: out of memory"));
    }
    if (PQstatus(m_conn) != CONNECTION_OK) {
        const Error e = makeError(ErrorCode::StoreBusy,
            QStringLiteral("cannot connect to PostgreSQL: %1")
                .arg(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()));
        close();
        return e;
    }
    logNotices(m_conn);
    if (PQsetClientEncoding(m_conn, "UTF8") != 0) {
        const Error e = makeError(ErrorCode::StoreFailed,
            QStringLiteral("PostgreSQL does not take UTF-8: %1")
                .arg(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()));
        close();
        return e;
    }
    return {};
}

void PgDatabase::close()
{
    if (m_conn) {
        PQfinish(m_conn);
        m_conn = nullptr;
    }
    m_statements.clear();
    m_inTransaction = false;
    m_appended.clear();
}

QString PgDatabase::describe() const
{
    if (!m_conn) {
        return QStringLiteral("(not connected)");
    }
    const QString host = QString::fromUtf8(PQhost(m_conn));
    return QStringLiteral("database %1 on %2 port %3")
        .arg(QString::fromUtf8(PQdb(m_conn)),
            host.startsWith(u'/') ? QStringLiteral("socket directory ") + host : host,
            QString::fromUtf8(PQport(m_conn)));
}

Result<pg_conn*> PgDatabase::connection(const QString& what)
{
    if (!m_conn) {
        return makeError(
            ErrorCode::StoreFailed, what + QStringLiteral(": the database is not open"));
    }
    if (PQstatus(m_conn) == CONNECTION_OK) {
        return m_conn;
    }
    if (m_inTransaction) {
        // What the transaction did so far is gone with the session: it fails as a whole.
        return makeError(ErrorCode::StoreBusy,
            QStringLiteral("%1: the connection to PostgreSQL was lost").arg(what));
    }
    // Prepared statements belong to the session: prepare them again on the new one.
    PQreset(m_conn);
    m_statements.clear();
    if (PQstatus(m_conn) != CONNECTION_OK) {
        return makeError(ErrorCode::StoreBusy,
            QStringLiteral("%1: PostgreSQL cannot be reached: %2")
                .arg(what, QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()));
    }
    PQsetClientEncoding(m_conn, "UTF8");
    qCInfo(lcStore) << "reconnected to PostgreSQL";
    return m_conn;
}

Error PgDatabase::resultError(pg_result* result, const QString& what) const
{
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const QString message = result && *PQresultErrorMessage(result)
        ? QString::fromUtf8(PQresultErrorMessage(result)).trimmed()
        : QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
    // No SQLSTATE: the server never answered (the connection broke).
    const ErrorCode code = state ? codeFromSqlState(state) : ErrorCode::StoreBusy;
    return makeError(code, QStringLiteral("%1: %2").arg(what, message));
}

Result<void> PgDatabase::exec(const QString& sql)
{
    const Result<pg_conn*> conn = connection(sql.left(80));
    if (!conn) {
        return conn.error();
    }
    pg_result* result = PQexec(*conn, sql.toUtf8().constData());
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    Result<void> out;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        out = resultError(result, sql.left(80));
    }
    PQclear(result);
    return out;
}

Result<QByteArray> PgDatabase::prepared(const char* sql, const std::vector<unsigned int>& types)
{
    if (const auto it = m_statements.constFind(sql); it != m_statements.constEnd()) {
        return it.value();
    }
    const QByteArray name = "s" + QByteArray::number(++m_statementCount);
    const QByteArray text = pgNumberedParameters(sql);
    pg_result* result = PQprepare(
        m_conn, name.constData(), text.constData(), static_cast<int>(types.size()), types.data());
    const bool ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
    const Error e = ok ? Error() : resultError(result, QString::fromUtf8(sql).left(80));
    PQclear(result);
    if (!ok) {
        return e;
    }
    m_statements.insert(sql, name);
    return name;
}

void PgDatabase::eventAppended(qint64 userId, qint64 seq)
{
    qint64& highest = m_appended[userId];
    highest = std::max(highest, seq);
    if (!m_inTransaction) {
        // A write on its own is committed already.
        if (const Result<void> told = notifyAppended(); !told) {
            qCWarning(lcStore) << "other nodes were not told of an event:" << told.error().message;
        }
    }
}

Result<void> PgDatabase::notifyAppended()
{
    const QMap<qint64, qint64> appended = std::exchange(m_appended, {});
    QByteArray payload;
    const auto send = [this, &payload]() -> Result<void> {
        Query q(*this, "SELECT pg_notify(?, ?)");
        q.bind(QLatin1StringView(EventsChannel), QString::fromLatin1(payload));
        payload.clear();
        return q.exec();
    };
    for (auto it = appended.cbegin(); it != appended.cend(); ++it) {
        const QByteArray entry
            = QByteArray::number(it.key()) + ':' + QByteArray::number(it.value());
        if (!payload.isEmpty() && payload.size() + 1 + entry.size() > MaxPayloadBytes) {
            if (const Result<void> sent = send(); !sent) {
                return sent;
            }
        }
        if (payload.isEmpty()) {
            payload = m_nodeId;
        }
        payload.append(' ').append(entry);
    }
    return payload.isEmpty() ? Result<void>() : send();
}

// --- Query -----------------------------------------------------------------------------

PgDatabase::Query::Query(PgDatabase& db, const char* sql)
    : m_db(db)
    , m_sql(sql)
{
}

PgDatabase::Query::~Query() { PQclear(m_result); }

void PgDatabase::Query::bindOne(qint64 value)
{
    m_values.push_back(QByteArray::number(value));
    m_types.push_back(Int8Oid);
    m_formats.push_back(0);
    m_nulls.push_back(false);
}

void PgDatabase::Query::bindOne(const QString& value)
{
    m_values.push_back(value.toUtf8());
    m_types.push_back(TextOid);
    m_formats.push_back(0);
    m_nulls.push_back(false);
}

void PgDatabase::Query::bindOne(QLatin1StringView value)
{
    m_values.push_back(QByteArray(value.data(), value.size()));
    m_types.push_back(TextOid);
    m_formats.push_back(0);
    m_nulls.push_back(false);
}

void PgDatabase::Query::bindOne(const QByteArray& value)
{
    m_values.push_back(value);
    m_types.push_back(ByteaOid);
    m_formats.push_back(1); // binary: the bytes as they are
    m_nulls.push_back(value.isNull());
}

void PgDatabase::Query::bindOne(std::nullptr_t)
{
    m_values.push_back({});
    m_types.push_back(0); // the server infers it
    m_formats.push_back(0);
    m_nulls.push_back(true);
}

void PgDatabase::Query::run()
{
    m_ran = true;
    const QString what = QString::fromUtf8(m_sql).left(80);
    const Result<pg_conn*> conn = m_db.connection(what);
    if (!conn) {
        m_error = conn.error();
        return;
    }
    const Result<QByteArray> name = m_db.prepared(m_sql, m_types);
    if (!name) {
        m_error = name.error();
        return;
    }
    const int n = static_cast<int>(m_values.size());
    std::vector<const char*> values(n);
    std::vector<int> lengths(n);
    for (int i = 0; i < n; ++i) {
        values[i] = m_nulls[i] ? nullptr : m_values[i].constData();
        lengths[i] = static_cast<int>(m_values[i].size());
    }
    m_result = PQexecPrepared(
        *conn, name->constData(), n, values.data(), lengths.data(), m_formats.data(), 0);
    const ExecStatusType status = m_result ? PQresultStatus(m_result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        m_error = m_db.resultError(m_result, what);
        if (const char* state
            = m_result ? PQresultErrorField(m_result, PG_DIAG_SQLSTATE) : nullptr) {
            m_sqlState = state;
        }
        if (m_error.code == ErrorCode::StoreFailed) {
            qCWarning(lcStore).noquote() << m_error.message;
        }
        PQclear(m_result);
        m_result = nullptr;
    }
}

bool PgDatabase::Query::next()
{
    if (!m_ran) {
        run();
    }
    if (!m_result) {
        return false;
    }
    return ++m_row < PQntuples(m_result);
}

Result<void> PgDatabase::Query::exec()
{
    if (!m_ran) {
        run();
    }
    return m_error.isNull() ? Result<void>() : Result<void>(m_error);
}

qint64 PgDatabase::Query::int64(int column) const
{
    const char* value = PQgetvalue(m_result, m_row, column);
    // A boolean expression (EXISTS, a comparison) reads as 1 or 0, as in SQLite.
    if (value[0] == 't' && value[1] == 0) {
        return 1;
    }
    if (value[0] == 'f' && value[1] == 0) {
        return 0;
    }
    return std::strtoll(value, nullptr, 10);
}

bool PgDatabase::Query::isNull(int column) const
{
    return PQgetisnull(m_result, m_row, column) != 0;
}

QString PgDatabase::Query::text(int column) const
{
    return QString::fromUtf8(
        PQgetvalue(m_result, m_row, column), PQgetlength(m_result, m_row, column));
}

QByteArray PgDatabase::Query::blob(int column) const
{
    if (isNull(column)) {
        return {};
    }
    // bytea in text form: \x and two hex digits a byte.
    const QByteArray text = utf8(column);
    return text.startsWith("\\x") ? QByteArray::fromHex(text.mid(2)) : text;
}

QByteArray PgDatabase::Query::utf8(int column) const
{
    return QByteArray(PQgetvalue(m_result, m_row, column), PQgetlength(m_result, m_row, column));
}

qint64 PgDatabase::Query::changes() const
{
    return m_result ? std::strtoll(PQcmdTuples(m_result), nullptr, 10) : 0;
}

// --- Transaction -----------------------------------------------------------------------

PgDatabase::Transaction::Transaction(PgDatabase& db)
    : m_db(db)
{
    if (db.m_inTransaction) {
        m_error = makeError(ErrorCode::Internal, QStringLiteral("a write inside a write"));
        return;
    }
    const Result<void> begun = db.exec(QStringLiteral("BEGIN"));
    m_active = begun.ok();
    m_error = begun.error();
    db.m_inTransaction = m_active;
    db.m_appended.clear();
}

PgDatabase::Transaction::~Transaction()
{
    if (m_active) {
        m_db.m_appended.clear();
        [[maybe_unused]] const Result<void> rolledBack = m_db.exec(QStringLiteral("ROLLBACK"));
        m_db.m_inTransaction = false;
    }
}

Result<void> PgDatabase::Transaction::commit()
{
    if (!m_active) {
        return m_error.isNull()
            ? makeError(ErrorCode::StoreFailed, QStringLiteral("no write to commit"))
            : m_error;
    }
    // NOTIFY is transactional: the other nodes hear of the events when, and only when, the
    // rows are there to read.
    if (const Result<void> told = m_db.notifyAppended(); !told) {
        return told; // the destructor rolls back
    }
    m_active = false;
    // Still inside the transaction: a session lost meanwhile is an error here, never
    // replaced by a new one (where COMMIT would "succeed" with nothing to commit).
    const Result<pg_conn*> conn = m_db.connection(QStringLiteral("COMMIT"));
    m_db.m_inTransaction = false;
    if (!conn) {
        return conn.error();
    }
    pg_result* result = PQexec(*conn, "COMMIT");
    const bool ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
    // A transaction a failed statement aborted answers COMMIT with "ROLLBACK": not stored.
    const bool rolledBack = ok && qstrcmp(PQcmdStatus(result), "COMMIT") != 0;
    Result<void> out;
    if (!ok) {
        out = m_db.resultError(result, QStringLiteral("COMMIT"));
    } else if (rolledBack) {
        out = makeError(ErrorCode::StoreFailed,
            QStringLiteral("COMMIT: the transaction had failed and was rolled back"));
    }
    PQclear(result);
    return out;
}

} // namespace cpm::server
