// SPDX-License-Identifier: GPL-3.0-or-later
#include "localstore.h"

#include "logging.h"
#include "protocol.h"
#include "secretbox.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

namespace cpm {

namespace {
constexpr char BodyContext[] = "cpm/body";
constexpr char SubjectContext[] = "cpm/subject";
// Schema 7: what names people and says what they are up to is sealed too (GST-4).
constexpr char ContactNameContext[] = "cpm/contact-name";
constexpr char StatusTextContext[] = "cpm/status-text";
constexpr char DeviceNameContext[] = "cpm/device-name";
constexpr int SealedNamesVersion = 7;
// Schema 8: addresses too. A message's sender and recipient and a contact's address are
// sealed; what the queries look up and join on (a conversation's peer, a contact's key)
// is a blind index of the address (SecretBox::index).
constexpr char SenderContext[] = "cpm/sender";
constexpr char RecipientContext[] = "cpm/recipient";
constexpr char AddressContext[] = "cpm/address";
constexpr char AddressIndexContext[] = "cpm/address-index";
constexpr int SealedAddressesVersion = 8;
// And the settings of this device (a missed session request names its peer).
constexpr char DeviceSettingContext[] = "cpm/device-setting";
constexpr char AttachmentsContext[] = "cpm/attachments";
constexpr char SourcesContext[] = "cpm/attachment-sources";
const QString DeviceSettingPrefix = QStringLiteral("device-setting/");
const QString SyncPositionKey = QStringLiteral("sync/position");

// Migration N takes the schema from version N-1 to N. Never edit a released one:
// add the next. Each runs in one transaction with its user_version bump.
const QList<QStringList>& migrations()
{
    static const QList<QStringList> all {
        // 1: the base schema
        {
            QStringLiteral("CREATE TABLE messages ("
                           " local_id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " server_id INTEGER UNIQUE,"
                           " client_id TEXT,"
                           " sender TEXT NOT NULL,"
                           " recipient TEXT NOT NULL,"
                           " peer TEXT NOT NULL,"
                           " folder TEXT NOT NULL,"
                           " time INTEGER NOT NULL,"
                           " subject BLOB,"
                           " body BLOB,"
                           " partial INTEGER NOT NULL DEFAULT 0,"
                           " read INTEGER NOT NULL DEFAULT 0,"
                           " status TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX messages_by_peer ON messages (peer, time, local_id)"),
            QStringLiteral("CREATE INDEX messages_by_client_id ON messages (client_id)"),
            QStringLiteral(
                "CREATE TABLE outbox ("
                " local_id INTEGER PRIMARY KEY REFERENCES messages (local_id) ON DELETE CASCADE,"
                " client_id TEXT NOT NULL UNIQUE,"
                " created INTEGER NOT NULL,"
                " attempts INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE tombstones (server_id INTEGER PRIMARY KEY, deleted "
                           "INTEGER NOT NULL)"),
            QStringLiteral(
                "CREATE TABLE contacts (address TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("CREATE TABLE prefs (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE kv (key TEXT PRIMARY KEY, value)"),
        },
        // 2: reads waiting to reach the server, unread index, device cache, status
        {
            QStringLiteral(
                "ALTER TABLE messages ADD COLUMN read_pending INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("CREATE INDEX messages_unread ON messages (peer) WHERE folder = 'inbox' "
                           "AND read = 0"),
            QStringLiteral("CREATE TABLE devices ("
                           " id INTEGER PRIMARY KEY,"
                           " instance_id TEXT NOT NULL DEFAULT '',"
                           " name TEXT NOT NULL DEFAULT '',"
                           " kind TEXT NOT NULL DEFAULT '',"
                           " capabilities TEXT NOT NULL DEFAULT '',"
                           " delivery TEXT NOT NULL DEFAULT 'full',"
                           " notify_sessions INTEGER NOT NULL DEFAULT 1,"
                           " online INTEGER NOT NULL DEFAULT 0,"
                           " last_seen INTEGER NOT NULL DEFAULT 0,"
                           " current INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE user_status ("
                           " id INTEGER PRIMARY KEY CHECK (id = 1),"
                           " status TEXT NOT NULL,"
                           " text TEXT NOT NULL)"),
        },
        // 3: one summary row per conversation, so the conversation list and the unread
        // count cost the same with a thousand messages or a million. Triggers keep it in
        // step with `messages` inside the very statement (and so the transaction) that
        // changes a message: sync, outbox, reads and deletes of any kind alike.
        {
            // last_time, last_local_id: the newest message, ordered as messages_by_peer
            // orders them; unread: incoming messages not read yet.
            QStringLiteral("CREATE TABLE conversations ("
                           " peer TEXT PRIMARY KEY,"
                           " last_time INTEGER NOT NULL,"
                           " last_local_id INTEGER NOT NULL,"
                           " unread INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE INDEX conversations_by_time ON conversations (last_time, "
                           "last_local_id)"),
            QStringLiteral(
                "INSERT INTO conversations (peer, last_time, last_local_id, unread)"
                " SELECT p.peer, n.time, n.local_id,"
                "  (SELECT COUNT(*) FROM messages u WHERE u.peer = p.peer AND u.folder = 'inbox'"
                "   AND u.read = 0)"
                " FROM (SELECT DISTINCT peer FROM messages) p JOIN messages n ON n.local_id ="
                "  (SELECT local_id FROM messages x WHERE x.peer = p.peer"
                "   ORDER BY time DESC, local_id DESC LIMIT 1)"),
            QStringLiteral(
                "CREATE TRIGGER conversations_on_insert AFTER INSERT ON messages BEGIN"
                " INSERT INTO conversations (peer, last_time, last_local_id, unread)"
                "  VALUES (NEW.peer, NEW.time, NEW.local_id, NEW.folder = 'inbox' AND NEW.read = 0)"
                "  ON CONFLICT (peer) DO UPDATE SET unread = unread + excluded.unread;"
                " UPDATE conversations SET last_time = NEW.time, last_local_id = NEW.local_id"
                "  WHERE peer = NEW.peer AND (NEW.time, NEW.local_id) > (last_time, last_local_id);"
                " END"),
            // The newest message left is one index step away on messages_by_peer.
            QStringLiteral("CREATE TRIGGER conversations_on_delete AFTER DELETE ON messages BEGIN"
                           " DELETE FROM conversations WHERE peer = OLD.peer"
                           "  AND NOT EXISTS (SELECT 1 FROM messages WHERE peer = OLD.peer);"
                           " UPDATE conversations SET unread = unread - 1"
                           "  WHERE peer = OLD.peer AND OLD.folder = 'inbox' AND OLD.read = 0;"
                           " UPDATE conversations SET (last_time, last_local_id) ="
                           "  (SELECT time, local_id FROM messages WHERE peer = OLD.peer"
                           "   ORDER BY time DESC, local_id DESC LIMIT 1)"
                           "  WHERE peer = OLD.peer AND last_local_id = OLD.local_id;"
                           " END"),
            // Reads change the count; a sent message takes the server's time, which may
            // reorder it. peer and folder never change today, but if they ever do the
            // summary follows.
            QStringLiteral(
                "CREATE TRIGGER conversations_on_update AFTER UPDATE OF peer, folder, read, time"
                " ON messages BEGIN"
                " UPDATE conversations SET unread = unread - 1"
                "  WHERE peer = OLD.peer AND OLD.folder = 'inbox' AND OLD.read = 0;"
                " INSERT INTO conversations (peer, last_time, last_local_id, unread)"
                "  VALUES (NEW.peer, NEW.time, NEW.local_id, 0) ON CONFLICT (peer) DO NOTHING;"
                " UPDATE conversations SET unread = unread + 1"
                "  WHERE peer = NEW.peer AND NEW.folder = 'inbox' AND NEW.read = 0;"
                " DELETE FROM conversations WHERE peer = OLD.peer AND OLD.peer IS NOT NEW.peer"
                "  AND NOT EXISTS (SELECT 1 FROM messages WHERE peer = OLD.peer);"
                " UPDATE conversations SET (last_time, last_local_id) ="
                "  (SELECT time, local_id FROM messages m WHERE m.peer = conversations.peer"
                "   ORDER BY time DESC, local_id DESC LIMIT 1)"
                "  WHERE peer IN (OLD.peer, NEW.peer)"
                "  AND (OLD.time IS NOT NEW.time OR OLD.peer IS NOT NEW.peer);"
                " END"),
        },
        // 4: what the writer of an outgoing message needs to see: when it was written (a
        // message written offline gets the server's time once sent), and why the server
        // refused it for good (an error code name, cleared by a retry).
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN written INTEGER"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN failure TEXT"),
        },
        // 5: the chat session a message was said in (SES-5); 0 for none. An outbox message
        // keeps it, so a retry goes to the same session.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN session INTEGER NOT NULL DEFAULT 0"),
        },
        // 6: a guest device's end of life (GST-1), so the device list can mark it; 0 for
        // the user's own devices.
        {
            QStringLiteral(
                "ALTER TABLE devices ADD COLUMN guest_expires INTEGER NOT NULL DEFAULT 0"),
        },
        // 7: contact names, the status text and device names are sealed like message
        // bodies (LocalStore::sealNames() converts what earlier schemas kept in plain text;
        // the columns keep their types: SQLite stores the blobs all the same).
        {},
        // 8: addresses are sealed, and looked up by a blind index (LocalStore::
        // sealAddresses() converts; `peer` and `contacts.address` hold the index, and the
        // conversation summary follows the peers through its update trigger).
        {
            QStringLiteral("ALTER TABLE contacts ADD COLUMN sealed_address BLOB"),
        },
        // 9: attachments (MSG-1). A message's list of Attachment objects is sealed like its
        // body; an outgoing one also keeps the local files it uploads from, until sent. The
        // bytes of attachments and their thumbnails are sealed files in the profile's
        // attachments/ directory, one row each here (its id is random: it tells nothing).
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN attachments BLOB"),
            QStringLiteral("ALTER TABLE outbox ADD COLUMN sources BLOB"),
            QStringLiteral("CREATE TABLE files ("
                           " attachment_id TEXT NOT NULL,"
                           " kind TEXT NOT NULL CHECK (kind IN ('content', 'thumbnail')),"
                           " complete INTEGER NOT NULL DEFAULT 0,"
                           " bytes INTEGER NOT NULL DEFAULT 0,"
                           " last_used INTEGER NOT NULL DEFAULT 0,"
                           " PRIMARY KEY (attachment_id, kind))"),
        },
        // 10: a message's route (MSG-7, MSG-8): kept for an absent recipient, or delivered
        // by e-mail/SMS.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN route TEXT NOT NULL DEFAULT 'cpm'"),
        },
    };
    return all;
}

const QString MessageColumns = QStringLiteral("local_id, server_id, client_id, sender, recipient, "
                                              "folder, time, subject, body, partial, read, status, "
                                              "written, failure, session, attachments, route");

Message::Status statusFromName(const QString& name)
{
    if (name == QLatin1StringView("pending")) {
        return Message::Status::Pending;
    }
    if (name == QLatin1StringView("failed")) {
        return Message::Status::Failed;
    }
    return Message::statusOf(protocol::stateFromName(name).value_or(protocol::MessageState::Sent));
}

QString kindName(LocalFile::Kind kind)
{
    return kind == LocalFile::Kind::Thumbnail ? QStringLiteral("thumbnail")
                                              : QStringLiteral("content");
}

// Binds the message id of the public API: server id, or -local id while pending.
QString idCondition(qint64 id)
{
    // A pending id names the message only while it is pending.
    return id > 0 ? QStringLiteral("server_id = :id")
                  : QStringLiteral("(local_id = :id AND server_id IS NULL)");
}
qint64 idValue(qint64 id) { return id > 0 ? id : -id; }

int connectionCounter()
{
    static std::atomic<int> counter { 0 };
    return ++counter;
}

// The storage code of a failed QtSql call on the database at \a path: QSQLITE reports
// SQLite's result code.
Error sqlError(const QSqlError& error, const QString& what, const QString& path)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return makeError(ok ? Error::fromSqlite(code, path) : ErrorCode::StoreFailed,
        QStringLiteral("%1: %2").arg(what, error.text()));
}

// A small RAII transaction: rolls back unless committed. Statements of our own rather than
// QSqlDatabase::transaction()/commit(): those drop SQLite's result code, and a commit that
// fails for a full disk must say so.
class Transaction {
public:
    explicit Transaction(QSqlDatabase& db)
        : m_db(db)
    {
        if (const Result<void> begun = run(QStringLiteral("BEGIN")); !begun) {
            m_error = begun.error();
            qCWarning(lcStore) << m_error.message;
            return;
        }
        m_open = true;
    }
    ~Transaction()
    {
        if (m_open) {
            [[maybe_unused]] const Result<void> rolledBack = run(QStringLiteral("ROLLBACK"));
        }
    }
    Q_DISABLE_COPY_MOVE(Transaction)

    bool isOpen() const { return m_open; }
    const Error& error() const { return m_error; }
    Result<void> commit()
    {
        if (!m_open) {
            return m_error.isNull()
                ? makeError(ErrorCode::StoreFailed, QStringLiteral("no transaction"))
                : m_error;
        }
        m_open = false;
        if (const Result<void> committed = run(QStringLiteral("COMMIT")); !committed) {
            qCWarning(lcStore) << committed.error().message;
            // SQLite may have rolled back already (a full disk); then this fails quietly.
            QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
            return committed;
        }
        return {};
    }

private:
    Result<void> run(const QString& sql)
    {
        QSqlQuery q(m_db);
        if (!q.exec(sql)) {
            return sqlError(q.lastError(), sql, m_db.databaseName());
        }
        return {};
    }

    QSqlDatabase& m_db;
    bool m_open = false;
    Error m_error;
};

// What every write that changes several rows looks like: a transaction around \a work.
template <typename Work> Result<void> inTransaction(QSqlDatabase& db, Work work)
{
    Transaction tx(db);
    if (!tx.isOpen()) {
        return tx.error();
    }
    if (const Result<void> done = work(); !done) {
        return done;
    }
    return tx.commit();
}

template <typename T> Result<T> failed(const Error& error) { return Result<T>(error); }
} // namespace

LocalStore::LocalStore(const SecretBox* box)
    : m_box(box)
{
}

LocalStore::~LocalStore() { close(); }

Error LocalStore::failure(const QSqlQuery& query, const QString& what) const
{
    const Error e = sqlError(query.lastError(), what, m_path);
    qCWarning(lcStore) << e.message;
    return e;
}

Result<void> LocalStore::run(QSqlQuery& query, const QString& what) const
{
    if (!query.exec()) {
        return failure(query, what);
    }
    return {};
}

Result<void> LocalStore::open(const QString& path, int targetVersion)
{
    close();
    m_path = path;
    m_connectionName = QStringLiteral("cpm-store-%1").arg(connectionCounter());
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    // Another process holding the database (which the profile lock rules out) or a slow
    // disk: wait a little, then say "busy" rather than hang.
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
    if (!m_db.open()) {
        const Error e
            = sqlError(m_db.lastError(), QStringLiteral("cannot open %1").arg(path), path);
        close();
        return e;
    }
    // WAL keeps readers (the GUI thread's models) unblocked while a sync batch is written;
    // FULL makes a commit durable before we ack it to the server; secure_delete overwrites
    // what a delete or a wipe removes. The first statement reads the file: one that is not
    // a database fails here (SQLITE_NOTADB: StoreCorrupt).
    // temp_store: sorts and temporary tables never go to a file of their own (a guest's
    // database, held in memory, must not spill to disk, GST-4).
    for (const char* pragma :
        { "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
            "PRAGMA secure_delete = ON", "PRAGMA temp_store = MEMORY" }) {
        if (const Result<void> done = exec(QString::fromLatin1(pragma)); !done) {
            close();
            return done;
        }
    }
    // A damaged page would otherwise only show up later, as a failed read in the window.
    {
        QSqlQuery check(m_db);
        QStringList problems;
        if (!check.exec(QStringLiteral("PRAGMA quick_check"))) {
            const Error e = failure(check, QStringLiteral("cannot check %1").arg(path));
            close();
            return e;
        }
        while (check.next()) {
            if (check.value(0).toString() != QLatin1StringView("ok")) {
                problems.append(check.value(0).toString());
            }
        }
        if (!problems.isEmpty()) {
            close();
            return makeError(ErrorCode::StoreCorrupt,
                QStringLiteral("%1 is damaged: %2")
                    .arg(path, problems.join(QStringLiteral("; ")).left(300)));
        }
    }
    if (const Result<void> migrated = migrate(targetVersion); !migrated) {
        close();
        return migrated;
    }
    return {};
}

void LocalStore::close()
{
    if (m_connectionName.isEmpty()) {
        return;
    }
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

bool LocalStore::isOpen() const { return m_db.isOpen(); }

Result<int> LocalStore::schemaVersion() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        return failure(q, QStringLiteral("cannot read the schema version"));
    }
    return q.value(0).toInt();
}

Result<void> LocalStore::exec(const QString& sql) const
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        return failure(q, sql.left(60));
    }
    return {};
}

Result<void> LocalStore::migrate(int targetVersion)
{
    const Result<int> current = schemaVersion();
    if (!current) {
        return current.error();
    }
    if (*current > SchemaVersion) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("the profile database is from a newer version (schema %1)")
                .arg(*current));
    }
    // A write now rather than at the first sync: a read-only file (or medium) is found here.
    if (const Result<void> writable
        = exec(QStringLiteral("PRAGMA user_version = %1").arg(*current));
        !writable) {
        return writable;
    }
    const auto& all = migrations();
    for (int version = *current + 1; version <= std::min<int>(targetVersion, int(all.size()));
         ++version) {
        const Result<void> migrated = inTransaction(m_db, [&]() -> Result<void> {
            for (const QString& sql : all.at(version - 1)) {
                if (const Result<void> done = exec(sql); !done) {
                    return done;
                }
            }
            if (version == SealedNamesVersion) {
                if (const Result<void> done = sealNames(); !done) {
                    return done;
                }
            }
            if (version == SealedAddressesVersion) {
                if (const Result<void> done = sealAddresses(); !done) {
                    return done;
                }
            }
            return exec(QStringLiteral("PRAGMA user_version = %1").arg(version));
        });
        if (!migrated) {
            return makeError(migrated.error().code,
                QStringLiteral("cannot migrate the profile database to schema %1: %2")
                    .arg(version)
                    .arg(migrated.error().message));
        }
        qCInfo(lcStore) << "profile database migrated to schema" << version;
    }
    return {};
}

Result<void> LocalStore::sealNames()
{
    struct Column {
        const char* select;
        const char* update;
        const char* context;
    };
    static const Column columns[] = {
        { "SELECT address, name FROM contacts", "UPDATE contacts SET name = ? WHERE address = ?",
            ContactNameContext },
        { "SELECT id, text FROM user_status", "UPDATE user_status SET text = ? WHERE id = ?",
            StatusTextContext },
        { "SELECT id, name FROM devices", "UPDATE devices SET name = ? WHERE id = ?",
            DeviceNameContext },
    };
    for (const Column& column : columns) {
        QSqlQuery read(m_db);
        read.setForwardOnly(true);
        if (!read.exec(QString::fromLatin1(column.select))) {
            return failure(read, QStringLiteral("cannot read names to seal"));
        }
        QList<std::pair<QVariant, QString>> rows;
        while (read.next()) {
            rows.append({ read.value(0), read.value(1).toString() });
        }
        for (const auto& [key, plain] : std::as_const(rows)) {
            QSqlQuery write(m_db);
            write.prepare(QString::fromLatin1(column.update));
            write.addBindValue(seal(plain, column.context));
            write.addBindValue(key);
            if (const Result<void> done = run(write, QStringLiteral("cannot seal a name")); !done) {
                return done;
            }
        }
    }
    return {};
}

Result<void> LocalStore::sealAddresses()
{
    // The summary's update trigger would move every message to its new peer one by one
    // (seconds for 100,000 messages): it is set aside, the summary's own peers are
    // rewritten in one go, and the trigger comes back as it was, in the same transaction.
    QSqlQuery trigger(m_db);
    if (!trigger.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                                     "name = 'conversations_on_update'"))
        || !trigger.next()) {
        return failure(trigger, QStringLiteral("cannot read the summary trigger"));
    }
    const QString triggerSql = trigger.value(0).toString();
    trigger.finish();
    if (const Result<void> done = exec(QStringLiteral("DROP TRIGGER conversations_on_update"));
        !done) {
        return done;
    }
    QSqlQuery read(m_db);
    read.setForwardOnly(true);
    if (!read.exec(QStringLiteral("SELECT local_id, sender, recipient, peer FROM messages"))) {
        return failure(read, QStringLiteral("cannot read addresses to seal"));
    }
    struct Row {
        qint64 localId;
        QString sender, recipient, peer;
    };
    QList<Row> rows;
    while (read.next()) {
        rows.append({ read.value(0).toLongLong(), read.value(1).toString(),
            read.value(2).toString(), read.value(3).toString() });
    }
    read.finish();
    QSqlQuery write(m_db);
    write.prepare(QStringLiteral(
        "UPDATE messages SET sender = ?, recipient = ?, peer = ? WHERE local_id = ?"));
    QHash<QString, QByteArray> indexes;
    for (const Row& row : std::as_const(rows)) {
        auto index = indexes.find(row.peer);
        if (index == indexes.end()) {
            index = indexes.insert(row.peer, addressIndex(row.peer));
        }
        write.bindValue(0, seal(row.sender, SenderContext));
        write.bindValue(1, seal(row.recipient, RecipientContext));
        write.bindValue(2, *index);
        write.bindValue(3, row.localId);
        if (const Result<void> done = run(write, QStringLiteral("cannot seal an address")); !done) {
            return done;
        }
    }
    QSqlQuery peers(m_db);
    peers.prepare(QStringLiteral("UPDATE conversations SET peer = ? WHERE peer = ?"));
    for (auto it = indexes.cbegin(); it != indexes.cend(); ++it) {
        peers.bindValue(0, it.value());
        peers.bindValue(1, it.key());
        if (const Result<void> done = run(peers, QStringLiteral("cannot seal a peer")); !done) {
            return done;
        }
    }
    if (const Result<void> done = exec(triggerSql); !done) {
        return done;
    }
    QSqlQuery settings(m_db);
    settings.setForwardOnly(true);
    if (!settings.exec(QStringLiteral("SELECT key, value FROM kv WHERE key LIKE '%1%'")
                           .arg(DeviceSettingPrefix))) {
        return failure(settings, QStringLiteral("cannot read settings to seal"));
    }
    QList<std::pair<QString, QString>> plainSettings;
    while (settings.next()) {
        plainSettings.append({ settings.value(0).toString(), settings.value(1).toString() });
    }
    QSqlQuery setting(m_db);
    setting.prepare(QStringLiteral("UPDATE kv SET value = ? WHERE key = ?"));
    for (const auto& [key, plain] : std::as_const(plainSettings)) {
        setting.bindValue(0, seal(plain, DeviceSettingContext));
        setting.bindValue(1, key);
        if (const Result<void> done = run(setting, QStringLiteral("cannot seal a setting"));
            !done) {
            return done;
        }
    }
    QSqlQuery contacts(m_db);
    contacts.setForwardOnly(true);
    if (!contacts.exec(QStringLiteral("SELECT address FROM contacts"))) {
        return failure(contacts, QStringLiteral("cannot read contacts to seal"));
    }
    QStringList addresses;
    while (contacts.next()) {
        addresses.append(contacts.value(0).toString());
    }
    QSqlQuery contact(m_db);
    contact.prepare(
        QStringLiteral("UPDATE contacts SET address = ?, sealed_address = ? WHERE address = ?"));
    for (const QString& address : std::as_const(addresses)) {
        contact.bindValue(0, addressIndex(address));
        contact.bindValue(1, seal(address, AddressContext));
        contact.bindValue(2, address);
        if (const Result<void> done = run(contact, QStringLiteral("cannot seal an address"));
            !done) {
            return done;
        }
    }
    return {};
}

QByteArray LocalStore::addressIndex(const QString& address) const
{
    return m_box->index(address.toLower().toUtf8(), QByteArrayView(AddressIndexContext));
}

Result<QVariant> LocalStore::value(const QString& key, const QVariant& fallback) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT value FROM kv WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec()) {
        return failure(q, QStringLiteral("cannot read %1").arg(key));
    }
    return q.next() ? q.value(0) : fallback;
}

Result<void> LocalStore::setValue(const QString& key, const QVariant& value)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO kv (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(value);
    return run(q, QStringLiteral("cannot store %1").arg(key));
}

Result<QString> LocalStore::deviceSetting(const QString& key) const
{
    const Result<QVariant> v = value(DeviceSettingPrefix + key);
    if (!v) {
        return v.error();
    }
    return v->isNull() ? QString() : unseal(*v, DeviceSettingContext);
}

Result<void> LocalStore::setDeviceSetting(const QString& key, const QString& value)
{
    return setValue(DeviceSettingPrefix + key, seal(value, DeviceSettingContext));
}

Result<qint64> LocalStore::syncPosition() const
{
    const Result<QVariant> v = value(SyncPositionKey, 0);
    if (!v) {
        return v.error();
    }
    return v->toLongLong();
}

QByteArray LocalStore::seal(const QString& text, const char* context) const
{
    return m_box->seal(text.toUtf8(), QByteArrayView(context));
}

QString LocalStore::unseal(const QVariant& sealed, const char* context) const
{
    if (sealed.isNull()) {
        return {};
    }
    const auto plain = m_box->open(sealed.toByteArray(), QByteArrayView(context));
    if (!plain) {
        qCWarning(lcStore) << "a stored value does not decrypt (wrong key or tampered)";
        return {};
    }
    QString text = QString::fromUtf8(*plain);
    if (text.isNull()) {
        text = QStringLiteral(""); // an empty but present value stays non-null
    }
    return text;
}

Message LocalStore::messageFromQuery(const QSqlQuery& q) const
{
    Message m;
    m.localId = q.value(0).toLongLong();
    m.id = q.value(1).isNull() ? -m.localId : q.value(1).toLongLong();
    m.clientId = q.value(2).toString();
    m.from = unseal(q.value(3), SenderContext);
    m.to = unseal(q.value(4), RecipientContext);
    m.outgoing = q.value(5).toString() == QLatin1StringView("sent");
    m.time = q.value(6).toLongLong();
    m.subject = unseal(q.value(7), SubjectContext);
    if (m.subject.isNull()) {
        m.subject = QStringLiteral("");
    }
    m.body = unseal(q.value(8), BodyContext);
    m.partial = q.value(9).toBool();
    m.read = q.value(10).toBool();
    m.status = statusFromName(q.value(11).toString());
    m.written = q.value(12).toLongLong();
    m.failure = q.value(13).toString();
    m.session = q.value(14).toLongLong();
    m.attachments = unsealAttachments(q.value(15));
    m.route = protocol::routeFromName(q.value(16).toString()).value_or(protocol::Route::Cpm);
    return m;
}

QByteArray LocalStore::sealAttachments(const QList<protocol::Attachment>& attachments) const
{
    if (attachments.isEmpty()) {
        return {};
    }
    QJsonArray list;
    for (const protocol::Attachment& a : attachments) {
        list.append(a.toJson());
    }
    return seal(
        QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)), AttachmentsContext);
}

QList<protocol::Attachment> LocalStore::unsealAttachments(const QVariant& sealed) const
{
    const QString json = unseal(sealed, AttachmentsContext);
    if (json.isEmpty()) {
        return {};
    }
    // Written by this store; an outgoing one not uploaded yet has no id, so no strict codec.
    QList<protocol::Attachment> out;
    for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array()) {
        const QJsonObject o = v.toObject();
        protocol::Attachment a;
        a.id = o.value(QLatin1StringView("id")).toString();
        a.name = o.value(QLatin1StringView("name")).toString();
        a.type = o.value(QLatin1StringView("type")).toString();
        a.size = o.value(QLatin1StringView("size")).toInteger();
        a.sha256 = o.value(QLatin1StringView("sha256")).toString();
        out.append(a);
    }
    return out;
}

// --- events ----------------------------------------------------------------------------

Result<void> LocalStore::applyEvents(
    const QList<protocol::Frame>& events, qint64 next, StoreChanges* changes)
{
    StoreChanges local;
    const Result<void> applied = inTransaction(m_db, [&]() -> Result<void> {
        for (const protocol::Frame& event : events) {
            if (const Result<void> done = applyEvent(event, &local); !done) {
                return done; // rolls back the whole batch, position included
            }
        }
        const Result<qint64> position = syncPosition();
        if (!position) {
            return position.error();
        }
        return next > *position ? setValue(SyncPositionKey, next) : Result<void>();
    });
    if (applied && changes) {
        *changes = std::move(local);
    }
    return applied;
}

namespace {
// One malformed event must not block the stream behind it: it is skipped, and said so.
template <typename T> std::optional<T> parse(const protocol::Frame& event)
{
    Result<T> parsed = T::fromJson(event.data);
    if (!parsed) {
        qCWarning(lcStore) << "skipping a malformed" << event.event
                           << "event:" << parsed.error().message;
        return std::nullopt;
    }
    return std::move(parsed).value();
}
} // namespace

Result<void> LocalStore::applyEvent(const protocol::Frame& event, StoreChanges* changes)
{
    namespace ev = protocol::event;
    if (event.event == ev::Message) {
        const std::optional<protocol::MessageEvent> e = parse<protocol::MessageEvent>(event);
        return e ? applyMessage(e->message, changes) : Result<void>();
    }
    if (event.event == ev::Flags) {
        const std::optional<protocol::FlagsEvent> e = parse<protocol::FlagsEvent>(event);
        if (!e || !e->read) {
            return {};
        }
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral(
            "UPDATE messages SET read = 1, read_pending = 0 WHERE server_id = ? AND read = 0"));
        q.addBindValue(e->messageId);
        if (const Result<void> done = run(q, QStringLiteral("cannot mark read")); !done) {
            return done;
        }
        if (q.numRowsAffected() > 0) {
            changes->markChanged(e->messageId);
            changes->readElsewhere.append(e->messageId);
            changes->unread = true;
        }
        return {};
    }
    if (event.event == ev::Deleted) {
        const std::optional<protocol::DeletedEvent> e = parse<protocol::DeletedEvent>(event);
        return e ? remove(e->messageId, changes) : Result<void>();
    }
    if (event.event == ev::Report) {
        const std::optional<protocol::ReportEvent> e = parse<protocol::ReportEvent>(event);
        return e ? applyReport(*e, changes) : Result<void>();
    }
    if (event.event == ev::Contact) {
        const std::optional<protocol::ContactEvent> e = parse<protocol::ContactEvent>(event);
        return e ? applyContact(*e, changes) : Result<void>();
    }
    if (event.event == ev::Status) {
        const std::optional<UserStatus> e = parse<UserStatus>(event);
        return e ? applyStatus(*e, changes) : Result<void>();
    }
    if (event.event == ev::Pref) {
        const std::optional<protocol::PrefEvent> e = parse<protocol::PrefEvent>(event);
        return e ? applyPref(*e, changes) : Result<void>();
    }
    if (event.event == ev::Device) {
        const std::optional<protocol::DeviceEvent> e = parse<protocol::DeviceEvent>(event);
        if (!e) {
            return {};
        }
        if (e->removed) {
            QSqlQuery q(m_db);
            q.prepare(QStringLiteral("DELETE FROM devices WHERE id = ?"));
            q.addBindValue(e->device.id);
            changes->devices = true;
            return run(q, QStringLiteral("cannot remove a device"));
        }
        return upsertDevice(e->device, changes);
    }
    if (event.event == ev::Session) {
        // Not stored here: the SessionManager keeps what the device needs of it.
        if (const std::optional<protocol::Session> e = parse<protocol::Session>(event)) {
            changes->sessions.append(*e);
        }
        return {};
    }
    // An event of a later protocol version: skipping it is what the position promises.
    qCDebug(lcStore) << "skipping unknown event" << event.event;
    return {};
}

Result<void> LocalStore::applyReport(const protocol::ReportEvent& report, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(
        QStringLiteral("SELECT status FROM messages WHERE server_id = ? AND folder = 'sent'"));
    q.addBindValue(report.messageId);
    if (const Result<void> done = run(q, QStringLiteral("cannot read a message")); !done) {
        return done;
    }
    if (!q.next()) {
        return {};
    }
    // Reports may arrive in any order; a state never goes back (displayed stays displayed).
    const std::optional<protocol::MessageState> current
        = protocol::stateFromName(q.value(0).toString());
    if (current && !protocol::stateAdvances(*current, report.status)) {
        return {};
    }
    QSqlQuery u(m_db);
    u.prepare(QStringLiteral("UPDATE messages SET status = ?, route = COALESCE(?, route)"
                             " WHERE server_id = ?"));
    u.addBindValue(QString(protocol::stateName(report.status)));
    u.addBindValue(report.route ? QVariant(QString(protocol::routeName(*report.route)))
                                : QVariant(QMetaType(QMetaType::QString)));
    u.addBindValue(report.messageId);
    if (const Result<void> done = run(u, QStringLiteral("cannot update a message")); !done) {
        return done;
    }
    changes->markChanged(report.messageId);
    return {};
}

Result<void> LocalStore::applyMessage(const protocol::Message& m, StoreChanges* changes)
{
    const Result<bool> deletedHere = hasTombstone(m.id);
    if (!deletedHere) {
        return deletedHere.error();
    }
    if (*deletedHere) {
        return {}; // deleted on this device only (MSG-6)
    }
    const bool outgoing = m.folder == protocol::Folder::Sent;
    const QString peer = outgoing ? m.to : m.from;
    const QString status = QString(protocol::stateName(m.status));
    const bool hasBody = !m.partial;

    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "SELECT local_id, body IS NULL, read, status, route FROM messages WHERE server_id = ?"));
    q.addBindValue(m.id);
    if (const Result<void> done = run(q, QStringLiteral("cannot read a message")); !done) {
        return done;
    }
    if (q.next()) {
        // Known: bring in what is new (a body after a fetch, read, a later status).
        const qint64 localId = q.value(0).toLongLong();
        const bool bodyMissing = q.value(1).toBool();
        const bool wasRead = q.value(2).toBool();
        const QString oldStatus = q.value(3).toString();
        const bool addBody = bodyMissing && hasBody;
        const bool markRead = m.read && !wasRead;
        const std::optional<protocol::MessageState> old = protocol::stateFromName(oldStatus);
        const bool newStatus = outgoing && (!old || protocol::stateAdvances(*old, m.status));
        const QString route = protocol::routeName(m.route);
        const bool newRoute = q.value(4).toString() != route;
        if (!addBody && !markRead && !newStatus && !newRoute) {
            return {};
        }
        QSqlQuery u(m_db);
        u.prepare(
            QStringLiteral("UPDATE messages SET body = CASE WHEN :addBody THEN :body ELSE body END,"
                           " attachments = CASE WHEN :addBody THEN :attachments"
                           "  ELSE attachments END,"
                           " partial = CASE WHEN :addBody THEN 0 ELSE partial END,"
                           " read = read OR :read, status = :status, route = :route"
                           " WHERE local_id = :localId"));
        u.bindValue(QStringLiteral(":addBody"), addBody);
        u.bindValue(QStringLiteral(":body"), addBody ? seal(m.body, BodyContext) : QByteArray());
        u.bindValue(QStringLiteral(":attachments"),
            addBody && !m.attachments.isEmpty() ? QVariant(sealAttachments(m.attachments))
                                                : QVariant(QMetaType(QMetaType::QByteArray)));
        u.bindValue(QStringLiteral(":read"), m.read);
        u.bindValue(QStringLiteral(":status"), newStatus ? status : oldStatus);
        u.bindValue(QStringLiteral(":route"), route);
        u.bindValue(QStringLiteral(":localId"), localId);
        if (const Result<void> done = run(u, QStringLiteral("cannot update a message")); !done) {
            return done;
        }
        changes->markChanged(m.id);
        changes->unread = changes->unread || markRead;
        return {};
    }

    if (outgoing && !m.clientId.isEmpty()) {
        // Our own outbox message coming back as the sentbox copy (possibly before the
        // answer to `send`): it is the same message, so update it in place.
        QSqlQuery p(m_db);
        p.prepare(
            QStringLiteral("SELECT local_id FROM messages WHERE client_id = ? AND folder = 'sent' "
                           "AND server_id IS NULL AND peer = ?"));
        p.addBindValue(m.clientId);
        p.addBindValue(addressIndex(m.to));
        if (const Result<void> done = run(p, QStringLiteral("cannot read the outbox")); !done) {
            return done;
        }
        if (p.next()) {
            const qint64 localId = p.value(0).toLongLong();
            QSqlQuery u(m_db);
            u.prepare(
                QStringLiteral("UPDATE messages SET server_id = ?, time = ?, status = ?, route = ?"
                               " WHERE local_id = ?"));
            u.addBindValue(m.id);
            u.addBindValue(m.time);
            u.addBindValue(status);
            u.addBindValue(QString(protocol::routeName(m.route)));
            u.addBindValue(localId);
            QSqlQuery o(m_db);
            o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
            o.addBindValue(localId);
            if (const Result<void> done = run(u, QStringLiteral("cannot complete a sent message"));
                !done) {
                return done;
            }
            if (const Result<void> done = run(o, QStringLiteral("cannot clear the outbox"));
                !done) {
                return done;
            }
            changes->sent.append({ -localId, m.id, m.clientId });
            return {};
        }
    }

    QSqlQuery ins(m_db);
    ins.prepare(QStringLiteral(
        "INSERT INTO messages (server_id, client_id, sender, recipient, peer, folder,"
        " time, subject, body, partial, read, status, attachments, route)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    ins.addBindValue(m.id);
    ins.addBindValue(m.clientId.isEmpty() ? QVariant() : QVariant(m.clientId));
    ins.addBindValue(seal(m.from, SenderContext));
    ins.addBindValue(seal(m.to, RecipientContext));
    ins.addBindValue(addressIndex(peer));
    ins.addBindValue(QString(protocol::folderName(m.folder)));
    ins.addBindValue(m.time);
    ins.addBindValue(m.subject.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                         : QVariant(seal(m.subject, SubjectContext)));
    ins.addBindValue(
        hasBody ? QVariant(seal(m.body, BodyContext)) : QVariant(QMetaType(QMetaType::QByteArray)));
    ins.addBindValue(!hasBody);
    ins.addBindValue(m.read);
    ins.addBindValue(status);
    ins.addBindValue(m.attachments.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                             : QVariant(sealAttachments(m.attachments)));
    ins.addBindValue(QString(protocol::routeName(m.route)));
    if (const Result<void> done = run(ins, QStringLiteral("cannot insert a message")); !done) {
        return done;
    }
    if (m.session != 0) {
        QSqlQuery u(m_db);
        u.prepare(QStringLiteral("UPDATE messages SET session = ? WHERE local_id = ?"));
        u.addBindValue(m.session);
        u.addBindValue(ins.lastInsertId());
        if (const Result<void> done = run(u, QStringLiteral("cannot insert a message")); !done) {
            return done;
        }
    }
    const bool unreadIncoming = !outgoing && !m.read;
    changes->added.append({ m.id, peer, unreadIncoming });
    changes->unread = changes->unread || unreadIncoming;
    return {};
}

Result<void> LocalStore::applyContact(const protocol::ContactEvent& event, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    if (event.removed) {
        q.prepare(QStringLiteral("DELETE FROM contacts WHERE address = ?"));
        q.addBindValue(addressIndex(event.contact.address));
    } else {
        q.prepare(QStringLiteral("INSERT INTO contacts (address, sealed_address, name) "
                                 "VALUES (?, ?, ?) ON CONFLICT (address) DO UPDATE SET "
                                 "sealed_address = excluded.sealed_address, name = excluded.name"));
        q.addBindValue(addressIndex(event.contact.address));
        q.addBindValue(seal(event.contact.address, AddressContext));
        q.addBindValue(seal(event.contact.name, ContactNameContext));
    }
    changes->contacts = true;
    return run(q, QStringLiteral("cannot store a contact"));
}

Result<void> LocalStore::applyStatus(const UserStatus& status, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "INSERT INTO user_status (id, status, text) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, text = excluded.text"));
    q.addBindValue(status.status);
    q.addBindValue(seal(status.text, StatusTextContext));
    changes->status = true;
    return run(q, QStringLiteral("cannot store the status"));
}

Result<void> LocalStore::applyPref(const protocol::PrefEvent& pref, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO prefs (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(pref.key);
    q.addBindValue(pref.value);
    changes->prefs = true;
    return run(q, QStringLiteral("cannot store a preference"));
}

Result<void> LocalStore::applyPresence(
    const protocol::PresenceEvent& presence, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "UPDATE devices SET online = ?, last_seen = MAX(last_seen, ?) WHERE id = ?"));
    q.addBindValue(presence.online);
    q.addBindValue(presence.lastSeen);
    q.addBindValue(presence.deviceId);
    if (const Result<void> done = run(q, QStringLiteral("cannot store presence")); !done) {
        return done;
    }
    changes->devices = changes->devices || q.numRowsAffected() > 0;
    return {};
}

// --- messages --------------------------------------------------------------------------

Result<std::optional<Message>> LocalStore::message(qint64 id) const
{
    if (id == 0) {
        return std::optional<Message>();
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT ") + MessageColumns + QStringLiteral(" FROM messages WHERE ")
        + idCondition(id));
    q.bindValue(QStringLiteral(":id"), idValue(id));
    if (!q.exec()) {
        return failure(q, QStringLiteral("cannot read a message"));
    }
    if (!q.next()) {
        return std::optional<Message>();
    }
    return std::optional(messageFromQuery(q));
}

Result<QList<Message>> LocalStore::messages(
    const QString& peer, int limit, qint64 beforeTime, qint64 beforeLocalId) const
{
    QSqlQuery q(m_db);
    // Keyset paging on the (peer, time, local_id) index: a page costs the same at any depth.
    QString sql = QStringLiteral("SELECT ") + MessageColumns
        + QStringLiteral(" FROM messages WHERE peer = :peer");
    if (beforeTime > 0) {
        sql += QStringLiteral(" AND (time < :time OR (time = :time2 AND local_id < :localId))");
    }
    sql += QStringLiteral(" ORDER BY time DESC, local_id DESC LIMIT :limit");
    q.prepare(sql);
    q.bindValue(QStringLiteral(":peer"), addressIndex(peer));
    if (beforeTime > 0) {
        q.bindValue(QStringLiteral(":time"), beforeTime);
        q.bindValue(QStringLiteral(":time2"), beforeTime);
        q.bindValue(QStringLiteral(":localId"), beforeLocalId);
    }
    q.bindValue(QStringLiteral(":limit"), std::max(limit, 0));
    if (!q.exec()) {
        return failure(q, QStringLiteral("cannot read messages"));
    }
    QList<Message> out;
    while (q.next()) {
        out.prepend(messageFromQuery(q));
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read messages"));
    }
    return out;
}

Result<QList<Conversation>> LocalStore::conversations() const
{
    QSqlQuery q(m_db);
    // The summary table (schema 3) has a row per peer; only the 500-odd previews are
    // read from `messages`, by primary key, and decrypted.
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT m.folder, c.last_time, c.unread, m.subject, m.body, k.name, m.partial,"
            " m.sender, m.recipient"
            " FROM conversations c LEFT JOIN messages m ON m.local_id = c.last_local_id"
            " LEFT JOIN contacts k ON k.address = c.peer"
            " ORDER BY c.last_time DESC, c.last_local_id DESC"))) {
        return failure(q, QStringLiteral("cannot read conversations"));
    }
    QList<Conversation> out;
    while (q.next()) {
        Conversation c;
        // The peer is who the newest message is from, or to.
        c.peerAddress = q.value(0).toString() == QLatin1StringView("sent")
            ? unseal(q.value(8), RecipientContext)
            : unseal(q.value(7), SenderContext);
        c.lastMessageTime = q.value(1).toLongLong();
        c.unreadCount = q.value(2).toInt();
        c.peerName = q.value(5).isNull() ? QString() : unseal(q.value(5), ContactNameContext);
        c.lastMessagePartial = q.value(6).toBool();
        const QString body = unseal(q.value(4), BodyContext);
        if (body.isNull()) {
            c.lastMessageText = unseal(q.value(3), SubjectContext);
            if (c.lastMessageText.isNull()) {
                c.lastMessageText = QStringLiteral("");
            }
        } else {
            c.lastMessageText = body.left(200);
        }
        out.append(c);
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read conversations"));
    }
    return out;
}

Result<int> LocalStore::unreadCount() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT COALESCE(SUM(unread), 0) FROM conversations"))
        || !q.next()) {
        return failure(q, QStringLiteral("cannot count unread messages"));
    }
    return q.value(0).toInt();
}

Result<void> LocalStore::storeMessage(const protocol::Message& message, StoreChanges* changes)
{
    return inTransaction(m_db, [&] { return applyMessage(message, changes); });
}

Result<bool> LocalStore::markRead(qint64 id, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE messages SET read = 1, read_pending = 1 WHERE folder = "
                             "'inbox' AND read = 0 AND ")
        + idCondition(id));
    q.bindValue(QStringLiteral(":id"), idValue(id));
    if (const Result<void> done = run(q, QStringLiteral("cannot mark read")); !done) {
        return done.error();
    }
    if (q.numRowsAffected() == 0) {
        return false;
    }
    changes->markChanged(id);
    changes->unread = true;
    return true;
}

Result<QList<qint64>> LocalStore::pendingReads() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral(
            "SELECT server_id FROM messages WHERE read_pending = 1 AND server_id IS NOT NULL"))) {
        return failure(q, QStringLiteral("cannot read pending reads"));
    }
    QList<qint64> out;
    while (q.next()) {
        out.append(q.value(0).toLongLong());
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read pending reads"));
    }
    return out;
}

Result<void> LocalStore::clearPendingRead(qint64 id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE messages SET read_pending = 0 WHERE server_id = ?"));
    q.addBindValue(id);
    return run(q, QStringLiteral("cannot clear a pending read"));
}

Result<void> LocalStore::deleteLocally(qint64 id, StoreChanges* changes)
{
    return inTransaction(m_db, [&]() -> Result<void> {
        if (id > 0) {
            QSqlQuery t(m_db);
            t.prepare(QStringLiteral(
                "INSERT OR REPLACE INTO tombstones (server_id, deleted) VALUES (?, ?)"));
            t.addBindValue(id);
            t.addBindValue(QDateTime::currentMSecsSinceEpoch());
            if (const Result<void> done = run(t, QStringLiteral("cannot keep a tombstone"));
                !done) {
                return done;
            }
        }
        return remove(id, changes);
    });
}

Result<void> LocalStore::remove(qint64 id, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT local_id, folder = 'inbox' AND read = 0 FROM messages WHERE ")
        + idCondition(id));
    q.bindValue(QStringLiteral(":id"), idValue(id));
    if (const Result<void> done = run(q, QStringLiteral("cannot read a message")); !done) {
        return done;
    }
    if (!q.next()) {
        return {};
    }
    const qint64 localId = q.value(0).toLongLong();
    const bool wasUnread = q.value(1).toBool();
    QSqlQuery o(m_db);
    o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
    o.addBindValue(localId);
    QSqlQuery d(m_db);
    d.prepare(QStringLiteral("DELETE FROM messages WHERE local_id = ?"));
    d.addBindValue(localId);
    if (const Result<void> done = run(o, QStringLiteral("cannot clear the outbox")); !done) {
        return done;
    }
    if (const Result<void> done = run(d, QStringLiteral("cannot delete a message")); !done) {
        return done;
    }
    changes->removed.append(id);
    changes->unread = changes->unread || wasUnread;
    return {};
}

Result<bool> LocalStore::hasTombstone(qint64 serverId) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT 1 FROM tombstones WHERE server_id = ?"));
    q.addBindValue(serverId);
    if (!q.exec()) {
        return failure(q, QStringLiteral("cannot read tombstones"));
    }
    return q.next();
}

// --- outbox ----------------------------------------------------------------------------

Result<qint64> LocalStore::enqueue(const QString& clientId, const QString& from, const QString& to,
    const QString& subject, const QString& body, qint64 time, qint64 session,
    const QList<protocol::Attachment>& attachments, const QStringList& sources)
{
    Q_ASSERT(attachments.size() == sources.size());
    qint64 localId = 0;
    const Result<void> queued = inTransaction(m_db, [&]() -> Result<void> {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral(
            "INSERT INTO messages (client_id, sender, recipient, peer, folder, time, subject, body,"
            " partial, read, status, written, session, attachments) VALUES (?, ?, ?, ?, 'sent', ?,"
            " ?, ?, 0, 1, 'pending', ?, ?, ?)"));
        q.addBindValue(clientId);
        q.addBindValue(seal(from, SenderContext));
        q.addBindValue(seal(to, RecipientContext));
        q.addBindValue(addressIndex(to));
        q.addBindValue(time);
        q.addBindValue(subject.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                         : QVariant(seal(subject, SubjectContext)));
        q.addBindValue(seal(body, BodyContext));
        q.addBindValue(time);
        q.addBindValue(session);
        q.addBindValue(attachments.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                             : QVariant(sealAttachments(attachments)));
        if (const Result<void> done = run(q, QStringLiteral("cannot queue a message")); !done) {
            return done;
        }
        localId = q.lastInsertId().toLongLong();
        QSqlQuery o(m_db);
        o.prepare(QStringLiteral(
            "INSERT INTO outbox (local_id, client_id, created, sources) VALUES (?, ?, ?, ?)"));
        o.addBindValue(localId);
        o.addBindValue(clientId);
        o.addBindValue(time);
        o.addBindValue(sources.isEmpty()
                ? QVariant(QMetaType(QMetaType::QByteArray))
                : QVariant(seal(QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(sources))
                                                      .toJson(QJsonDocument::Compact)),
                    SourcesContext)));
        return run(o, QStringLiteral("cannot queue a message"));
    });
    if (!queued) {
        return queued.error();
    }
    return -localId;
}

Result<void> LocalStore::setOutboxAttachment(
    qint64 pendingId, qsizetype index, const protocol::Attachment& uploaded, StoreChanges* changes)
{
    return inTransaction(m_db, [&]() -> Result<void> {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral(
            "SELECT attachments FROM messages WHERE local_id = ? AND server_id IS NULL"));
        q.addBindValue(-pendingId);
        if (const Result<void> done = run(q, QStringLiteral("cannot read the outbox")); !done) {
            return done;
        }
        if (!q.next()) {
            return {}; // sent or deleted meanwhile
        }
        QList<protocol::Attachment> list = unsealAttachments(q.value(0));
        if (index < 0 || index >= list.size()) {
            return {};
        }
        list[index] = uploaded.inMessage();
        QSqlQuery u(m_db);
        u.prepare(QStringLiteral("UPDATE messages SET attachments = ? WHERE local_id = ?"));
        u.addBindValue(sealAttachments(list));
        u.addBindValue(-pendingId);
        changes->markChanged(pendingId);
        return run(u, QStringLiteral("cannot update the outbox"));
    });
}

Result<std::optional<LocalFile>> LocalStore::localFile(
    const QString& attachmentId, LocalFile::Kind kind) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT complete, bytes, last_used FROM files"
                             " WHERE attachment_id = ? AND kind = ?"));
    q.addBindValue(attachmentId);
    q.addBindValue(kindName(kind));
    if (const Result<void> done = run(q, QStringLiteral("cannot read a file's record")); !done) {
        return done.error();
    }
    if (!q.next()) {
        return std::optional<LocalFile>();
    }
    return std::optional(LocalFile { attachmentId, kind, q.value(0).toBool(),
        q.value(1).toLongLong(), q.value(2).toLongLong() });
}

Result<void> LocalStore::setLocalFile(const LocalFile& f)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "INSERT INTO files (attachment_id, kind, complete, bytes, last_used) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (attachment_id, kind) DO UPDATE SET complete = excluded.complete,"
        " bytes = excluded.bytes, last_used = excluded.last_used"));
    q.addBindValue(f.attachmentId);
    q.addBindValue(kindName(f.kind));
    q.addBindValue(f.complete);
    q.addBindValue(f.bytes);
    q.addBindValue(f.lastUsed);
    return run(q, QStringLiteral("cannot record a file"));
}

Result<void> LocalStore::touchLocalFile(
    const QString& attachmentId, LocalFile::Kind kind, qint64 now)
{
    QSqlQuery q(m_db);
    q.prepare(
        QStringLiteral("UPDATE files SET last_used = ? WHERE attachment_id = ? AND kind = ?"));
    q.addBindValue(now);
    q.addBindValue(attachmentId);
    q.addBindValue(kindName(kind));
    return run(q, QStringLiteral("cannot record a file"));
}

Result<void> LocalStore::removeLocalFile(const QString& attachmentId, LocalFile::Kind kind)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM files WHERE attachment_id = ? AND kind = ?"));
    q.addBindValue(attachmentId);
    q.addBindValue(kindName(kind));
    return run(q, QStringLiteral("cannot forget a file"));
}

Result<QList<LocalFile>> LocalStore::localFiles() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT attachment_id, kind, complete, bytes, last_used FROM files"
                               " ORDER BY last_used, attachment_id"))) {
        return failure(q, QStringLiteral("cannot read the files' records"));
    }
    QList<LocalFile> out;
    while (q.next()) {
        out.append({ q.value(0).toString(),
            q.value(1).toString() == QLatin1StringView("thumbnail") ? LocalFile::Kind::Thumbnail
                                                                    : LocalFile::Kind::Content,
            q.value(2).toBool(), q.value(3).toLongLong(), q.value(4).toLongLong() });
    }
    return out;
}

Result<QList<OutboxEntry>> LocalStore::outbox() const
{
    QSqlQuery q(m_db);
    if (!q.exec(
            QStringLiteral("SELECT m.local_id, o.client_id, m.recipient, m.subject, m.body, "
                           "m.session, m.attachments, o.sources FROM outbox o"
                           " JOIN messages m ON m.local_id = o.local_id ORDER BY o.local_id"))) {
        return failure(q, QStringLiteral("cannot read the outbox"));
    }
    QList<OutboxEntry> out;
    while (q.next()) {
        OutboxEntry e;
        e.pendingId = -q.value(0).toLongLong();
        e.clientId = q.value(1).toString();
        e.to = unseal(q.value(2), RecipientContext);
        e.subject = unseal(q.value(3), SubjectContext);
        e.body = unseal(q.value(4), BodyContext);
        e.session = q.value(5).toLongLong();
        e.attachments = unsealAttachments(q.value(6));
        for (const QJsonValue& v :
            QJsonDocument::fromJson(unseal(q.value(7), SourcesContext).toUtf8()).array()) {
            e.sources.append(v.toString());
        }
        if (e.sources.size() != e.attachments.size()) {
            e.sources.resize(e.attachments.size());
        }
        out.append(e);
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read the outbox"));
    }
    return out;
}

Result<int> LocalStore::outboxSize() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM outbox")) || !q.next()) {
        return failure(q, QStringLiteral("cannot count the outbox"));
    }
    return q.value(0).toInt();
}

Result<void> LocalStore::markSent(
    const QString& clientId, qint64 serverId, qint64 time, StoreChanges* changes)
{
    return inTransaction(m_db, [&]() -> Result<void> {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT local_id FROM messages WHERE client_id = ? AND folder = "
                                 "'sent' AND server_id IS NULL"));
        q.addBindValue(clientId);
        if (const Result<void> done = run(q, QStringLiteral("cannot read the outbox")); !done) {
            return done;
        }
        if (!q.next()) {
            return {}; // the sentbox copy came first and already took its place
        }
        const qint64 localId = q.value(0).toLongLong();
        QSqlQuery u(m_db);
        u.prepare(QStringLiteral(
            "UPDATE messages SET server_id = ?, time = ?, status = 'sent' WHERE local_id = ?"));
        u.addBindValue(serverId);
        u.addBindValue(time);
        u.addBindValue(localId);
        if (const Result<void> done
            = leaveOutbox(u, localId, QStringLiteral("cannot complete a sent message"));
            !done) {
            return done;
        }
        changes->sent.append({ -localId, serverId, clientId });
        return {};
    });
}

Result<bool> LocalStore::requeue(qint64 pendingId, StoreChanges* changes)
{
    bool requeued = false;
    const Result<void> done = inTransaction(m_db, [&]() -> Result<void> {
        QSqlQuery u(m_db);
        u.prepare(QStringLiteral("UPDATE messages SET status = 'pending', failure = NULL"
                                 " WHERE local_id = ? AND status = 'failed' AND server_id IS NULL"
                                 " RETURNING client_id"));
        u.addBindValue(-pendingId);
        if (const Result<void> ran = run(u, QStringLiteral("cannot send a message again")); !ran) {
            return ran;
        }
        if (!u.next()) {
            return {};
        }
        QSqlQuery o(m_db);
        o.prepare(
            QStringLiteral("INSERT INTO outbox (local_id, client_id, created) VALUES (?, ?, ?)"));
        o.addBindValue(-pendingId);
        o.addBindValue(u.value(0).toString());
        o.addBindValue(QDateTime::currentMSecsSinceEpoch());
        u.finish();
        if (const Result<void> ran = run(o, QStringLiteral("cannot send a message again")); !ran) {
            return ran;
        }
        requeued = true;
        changes->markChanged(pendingId);
        return {};
    });
    if (!done) {
        return done.error();
    }
    return requeued;
}

Result<void> LocalStore::leaveOutbox(QSqlQuery& update, qint64 localId, const QString& what)
{
    if (const Result<void> done = run(update, what); !done) {
        return done;
    }
    QSqlQuery o(m_db);
    o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
    o.addBindValue(localId);
    return run(o, QStringLiteral("cannot clear the outbox"));
}

Result<void> LocalStore::markFailed(
    const QString& clientId, const QString& reason, StoreChanges* changes)
{
    return inTransaction(m_db, [&]() -> Result<void> {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT local_id FROM outbox WHERE client_id = ?"));
        q.addBindValue(clientId);
        if (const Result<void> done = run(q, QStringLiteral("cannot read the outbox")); !done) {
            return done;
        }
        if (!q.next()) {
            return {};
        }
        const qint64 localId = q.value(0).toLongLong();
        QSqlQuery u(m_db);
        u.prepare(QStringLiteral(
            "UPDATE messages SET status = 'failed', failure = ? WHERE local_id = ?"));
        u.addBindValue(reason);
        u.addBindValue(localId);
        if (const Result<void> done
            = leaveOutbox(u, localId, QStringLiteral("cannot mark a message failed"));
            !done) {
            return done;
        }
        changes->markChanged(-localId);
        return {};
    });
}

// --- devices, contacts, status, prefs --------------------------------------------------

Result<QList<Device>> LocalStore::devices() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral(
            "SELECT id, instance_id, name, kind, capabilities, delivery, notify_sessions,"
            " online, last_seen, current, guest_expires FROM devices"
            " ORDER BY current DESC, id"))) {
        return failure(q, QStringLiteral("cannot read devices"));
    }
    QList<Device> out;
    while (q.next()) {
        Device d;
        d.id = q.value(0).toLongLong();
        d.instanceId = q.value(1).toString();
        d.name = unseal(q.value(2), DeviceNameContext);
        d.kind = q.value(3).toString();
        d.capabilities = q.value(4).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        d.delivery = q.value(5).toString();
        d.notifySessions = q.value(6).toBool();
        d.online = q.value(7).toBool();
        d.lastSeen = q.value(8).toLongLong();
        d.current = q.value(9).toBool();
        d.expires = q.value(10).toLongLong();
        d.guest = d.expires > 0;
        out.append(d);
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read devices"));
    }
    // This device first, then by name (sealed: sorted here, not by SQLite).
    std::stable_sort(out.begin(), out.end(), [](const Device& a, const Device& b) {
        if (a.current != b.current) {
            return a.current;
        }
        return a.name < b.name;
    });
    return out;
}

Result<void> LocalStore::upsertDevice(const Device& d, StoreChanges* changes)
{
    if (d.id <= 0) {
        return {};
    }
    QSqlQuery q(m_db);
    // `current` is relative to who asked: a device event about us from elsewhere says
    // false, so keep what we know.
    q.prepare(QStringLiteral(
        "INSERT INTO devices (id, instance_id, name, kind, capabilities, delivery, "
        "notify_sessions, online,"
        " last_seen, current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " instance_id = excluded.instance_id, name = excluded.name, kind = excluded.kind,"
        " capabilities = excluded.capabilities, delivery = excluded.delivery,"
        " notify_sessions = excluded.notify_sessions, online = excluded.online,"
        " last_seen = excluded.last_seen, current = current OR excluded.current"));
    // A field a device event left out (a device registered without capabilities, say) is
    // stored as "", never as NULL, which the columns refuse.
    const auto text
        = [](const QString& value) { return value.isNull() ? QStringLiteral("") : value; };
    q.addBindValue(d.id);
    q.addBindValue(text(d.instanceId));
    q.addBindValue(seal(text(d.name), DeviceNameContext));
    q.addBindValue(text(d.kind));
    q.addBindValue(text(d.capabilities.join(QLatin1Char(','))));
    q.addBindValue(text(d.delivery));
    q.addBindValue(d.notifySessions);
    q.addBindValue(d.online);
    q.addBindValue(d.lastSeen);
    q.addBindValue(d.current);
    changes->devices = true;
    if (const Result<void> done = run(q, QStringLiteral("cannot store a device")); !done) {
        return done;
    }
    if (!d.guest) {
        return {};
    }
    QSqlQuery g(m_db);
    g.prepare(QStringLiteral("UPDATE devices SET guest_expires = ? WHERE id = ?"));
    g.addBindValue(std::max<qint64>(d.expires, 1));
    g.addBindValue(d.id);
    return run(g, QStringLiteral("cannot store a device"));
}

Result<void> LocalStore::replaceDevices(const QList<Device>& devices, StoreChanges* changes)
{
    return inTransaction(m_db, [&]() -> Result<void> {
        if (const Result<void> cleared = exec(QStringLiteral("DELETE FROM devices")); !cleared) {
            return cleared;
        }
        for (const Device& d : devices) {
            if (const Result<void> done = upsertDevice(d, changes); !done) {
                return done;
            }
        }
        changes->devices = true;
        return {};
    });
}

Result<QList<Contact>> LocalStore::contacts() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT sealed_address, name FROM contacts"))) {
        return failure(q, QStringLiteral("cannot read contacts"));
    }
    QList<Contact> out;
    while (q.next()) {
        out.append({ unseal(q.value(0), AddressContext), unseal(q.value(1), ContactNameContext) });
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read contacts"));
    }
    // By name, case aside, then address (the names are sealed: sorted here).
    std::sort(out.begin(), out.end(), [](const Contact& a, const Contact& b) {
        if (const int c = a.name.compare(b.name, Qt::CaseInsensitive); c != 0) {
            return c < 0;
        }
        return a.address < b.address;
    });
    return out;
}

Result<UserStatus> LocalStore::status() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT status, text FROM user_status WHERE id = 1"))) {
        return failure(q, QStringLiteral("cannot read the status"));
    }
    UserStatus s;
    if (q.next()) {
        s.status = q.value(0).toString();
        s.text = unseal(q.value(1), StatusTextContext);
    }
    return s;
}

Result<QVariantMap> LocalStore::prefs() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT key, value FROM prefs"))) {
        return failure(q, QStringLiteral("cannot read preferences"));
    }
    QVariantMap out;
    while (q.next()) {
        out.insert(q.value(0).toString(), q.value(1).toString());
    }
    if (q.lastError().isValid()) { // a step failed: not the end of the rows
        return failure(q, QStringLiteral("cannot read preferences"));
    }
    return out;
}

Result<void> LocalStore::replaceProfile(const ProfileSnapshot& profile, StoreChanges* changes)
{
    return inTransaction(m_db, [&]() -> Result<void> {
        for (const char* sql : { "DELETE FROM contacts", "DELETE FROM prefs" }) {
            if (const Result<void> done = exec(QString::fromLatin1(sql)); !done) {
                return done;
            }
        }
        for (const Contact& c : profile.contacts) {
            if (const Result<void> done = applyContact({ c, false }, changes); !done) {
                return done;
            }
        }
        for (auto it = profile.prefs.cbegin(); it != profile.prefs.cend(); ++it) {
            if (const Result<void> done = applyPref({ it.key(), it.value() }, changes); !done) {
                return done;
            }
        }
        if (const Result<void> done = applyStatus(profile.status, changes); !done) {
            return done;
        }
        changes->contacts = changes->prefs = true;
        return {};
    });
}

} // namespace cpm
