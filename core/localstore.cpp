// SPDX-License-Identifier: GPL-3.0-or-later
#include "localstore.h"

#include "argreader.h"
#include "logging.h"
#include "protocol.h"
#include "secretbox.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <atomic>

namespace cpm {

namespace {
constexpr char BodyContext[] = "cpm/body";
constexpr char SubjectContext[] = "cpm/subject";
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
    };
    return all;
}

const QString MessageColumns = QStringLiteral("local_id, server_id, client_id, sender, recipient, "
                                              "folder, time, subject, body, partial, read, status");

Message::Status statusFromName(const QString& name)
{
    if (name == QLatin1StringView("pending")) {
        return Message::Status::Pending;
    }
    if (name == protocol::report::Delivered) {
        return Message::Status::Delivered;
    }
    if (name == protocol::report::Displayed) {
        return Message::Status::Displayed;
    }
    if (name == protocol::report::Expired) {
        return Message::Status::Expired;
    }
    if (name == QLatin1StringView("failed")) {
        return Message::Status::Failed;
    }
    return Message::Status::Sent;
}

// Reports may arrive in any order; a state never goes back (displayed stays displayed).
int statusRank(const QString& name)
{
    if (name == protocol::report::Delivered) {
        return 2;
    }
    if (name == protocol::report::Displayed) {
        return 3;
    }
    if (name == protocol::report::Expired) {
        return 2; // only replaces "sent": a message already delivered did not expire
    }
    if (name == protocol::report::Sent) {
        return 1;
    }
    return 0;
}

// Binds the message id of the public API: server id, or -local id while pending.
QString idCondition(qint64 id)
{
    // A pending id names the message only while it is pending.
    return id > 0 ? QStringLiteral("server_id = :id")
                  : QStringLiteral("(local_id = :id AND server_id IS NULL)");
}
qint64 idValue(qint64 id) { return id > 0 ? id : -id; }

Device deviceFromJson(const QJsonObject& o)
{
    Device d;
    d.id = o.value(QLatin1StringView("id")).toInteger();
    d.instanceId = o.value(QLatin1StringView("instanceId")).toString();
    d.name = o.value(QLatin1StringView("name")).toString();
    d.kind = o.value(QLatin1StringView("kind")).toString();
    for (const QJsonValue& c : o.value(QLatin1StringView("capabilities")).toArray()) {
        d.capabilities.append(c.toString());
    }
    d.delivery = o.value(QLatin1StringView("delivery")).toString(QStringLiteral("full"));
    d.notifySessions = o.value(QLatin1StringView("notifySessions")).toBool(true);
    d.online = o.value(QLatin1StringView("online")).toBool();
    d.lastSeen = o.value(QLatin1StringView("lastSeen")).toInteger();
    d.current = o.value(QLatin1StringView("current")).toBool();
    return d;
}

int connectionCounter()
{
    static std::atomic<int> counter { 0 };
    return ++counter;
}
} // namespace

QString Message::statusName(Status status)
{
    switch (status) {
    case Status::Pending:
        return QStringLiteral("pending");
    case Status::Sent:
        return QStringLiteral("sent");
    case Status::Delivered:
        return QStringLiteral("delivered");
    case Status::Displayed:
        return QStringLiteral("displayed");
    case Status::Expired:
        return QStringLiteral("expired");
    case Status::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

// A small RAII transaction: rolls back unless committed.
class Transaction {
public:
    explicit Transaction(QSqlDatabase& db)
        : m_db(db)
        , m_open(db.transaction())
    {
        if (!m_open) {
            qCWarning(lcStore) << "cannot begin a transaction:" << db.lastError().text();
        }
    }
    ~Transaction()
    {
        if (m_open) {
            m_db.rollback();
        }
    }
    bool isOpen() const { return m_open; }
    bool commit()
    {
        if (!m_open) {
            return false;
        }
        m_open = false;
        if (!m_db.commit()) {
            qCWarning(lcStore) << "commit failed:" << m_db.lastError().text();
            m_db.rollback();
            return false;
        }
        return true;
    }

private:
    QSqlDatabase& m_db;
    bool m_open;
};

LocalStore::LocalStore(const SecretBox* box)
    : m_box(box)
{
}

LocalStore::~LocalStore() { close(); }

bool LocalStore::open(const QString& path, QString* error, int targetVersion)
{
    close();
    m_path = path;
    m_connectionName = QStringLiteral("cpm-store-%1").arg(connectionCounter());
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        if (error) {
            *error = QStringLiteral("cannot open %1: %2").arg(path, m_db.lastError().text());
        }
        close();
        return false;
    }
    // WAL keeps readers (the GUI thread's models) unblocked while a sync batch is written;
    // FULL makes a commit durable before we ack it to the server; secure_delete overwrites
    // what a delete or a wipe removes.
    for (const char* pragma : { "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
             "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON" }) {
        exec(QString::fromLatin1(pragma));
    }
    if (!migrate(targetVersion, error)) {
        close();
        return false;
    }
    return true;
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

int LocalStore::schemaVersion() const
{
    QSqlQuery q(m_db);
    return q.exec(QStringLiteral("PRAGMA user_version")) && q.next() ? q.value(0).toInt() : -1;
}

bool LocalStore::exec(const QString& sql) const
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        qCWarning(lcStore) << "statement failed:" << sql.left(60) << q.lastError().text();
        return false;
    }
    return true;
}

bool LocalStore::migrate(int targetVersion, QString* error)
{
    const int current = schemaVersion();
    if (current > SchemaVersion) {
        if (error) {
            *error = QStringLiteral("the profile database is from a newer version (schema %1)")
                         .arg(current);
        }
        return false;
    }
    const auto& all = migrations();
    for (int version = current + 1; version <= std::min<int>(targetVersion, int(all.size()));
         ++version) {
        Transaction tx(m_db);
        bool ok = tx.isOpen();
        for (const QString& sql : all.at(version - 1)) {
            ok = ok && exec(sql);
        }
        ok = ok && exec(QStringLiteral("PRAGMA user_version = %1").arg(version)) && tx.commit();
        if (!ok) {
            if (error) {
                *error = QStringLiteral("cannot migrate the profile database to schema %1")
                             .arg(version);
            }
            return false;
        }
        qCInfo(lcStore) << "profile database migrated to schema" << version;
    }
    return true;
}

QVariant LocalStore::value(const QString& key, const QVariant& fallback) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT value FROM kv WHERE key = ?"));
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0) : fallback;
}

bool LocalStore::setValue(const QString& key, const QVariant& value)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO kv (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(value);
    if (!q.exec()) {
        qCWarning(lcStore) << "cannot store" << key << q.lastError().text();
        return false;
    }
    return true;
}

qint64 LocalStore::syncPosition() const { return value(SyncPositionKey, 0).toLongLong(); }

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
    m.from = q.value(3).toString();
    m.to = q.value(4).toString();
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
    return m;
}

// --- events ----------------------------------------------------------------------------

bool LocalStore::applyEvents(
    const QList<protocol::Frame>& events, qint64 next, StoreChanges* changes)
{
    StoreChanges local;
    Transaction tx(m_db);
    if (!tx.isOpen()) {
        return false;
    }
    for (const protocol::Frame& event : events) {
        if (!applyEvent(event, &local)) {
            return false; // rolls back the whole batch, position included
        }
    }
    if (next > syncPosition() && !setValue(SyncPositionKey, next)) {
        return false;
    }
    if (!tx.commit()) {
        return false;
    }
    if (changes) {
        *changes = std::move(local);
    }
    return true;
}

bool LocalStore::applyEvent(const protocol::Frame& event, StoreChanges* changes)
{
    const QJsonObject& data = event.data;
    if (event.event == protocol::event::Message) {
        return applyMessage(data.value(QLatin1StringView("message")).toObject(), changes);
    }
    if (event.event == protocol::event::Flags) {
        const qint64 id = data.value(QLatin1StringView("messageId")).toInteger();
        if (id <= 0 || !data.value(QLatin1StringView("read")).toBool()) {
            return true;
        }
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral(
            "UPDATE messages SET read = 1, read_pending = 0 WHERE server_id = ? AND read = 0"));
        q.addBindValue(id);
        if (!q.exec()) {
            return false;
        }
        if (q.numRowsAffected() > 0) {
            changes->markChanged(id);
            changes->readElsewhere.append(id);
            changes->unread = true;
        }
        return true;
    }
    if (event.event == protocol::event::Deleted) {
        const qint64 id = data.value(QLatin1StringView("messageId")).toInteger();
        return id <= 0 || remove(id, changes);
    }
    if (event.event == protocol::event::Report) {
        const qint64 id = data.value(QLatin1StringView("messageId")).toInteger();
        const QString status = data.value(QLatin1StringView("status")).toString();
        const int rank = statusRank(status);
        if (id <= 0 || rank < 2) {
            return true;
        }
        QSqlQuery q(m_db);
        q.prepare(
            QStringLiteral("SELECT status FROM messages WHERE server_id = ? AND folder = 'sent'"));
        q.addBindValue(id);
        if (!q.exec()) {
            return false;
        }
        if (!q.next()) {
            return true;
        }
        const QString current = q.value(0).toString();
        const bool advances = status == protocol::report::Expired
            ? current == protocol::report::Sent
            : rank > statusRank(current);
        if (!advances) {
            return true;
        }
        QSqlQuery u(m_db);
        u.prepare(QStringLiteral("UPDATE messages SET status = ? WHERE server_id = ?"));
        u.addBindValue(status);
        u.addBindValue(id);
        if (!u.exec()) {
            return false;
        }
        changes->markChanged(id);
        return true;
    }
    if (event.event == protocol::event::Contact) {
        return applyContact(data, changes);
    }
    if (event.event == protocol::event::Status) {
        return applyStatus(data, changes);
    }
    if (event.event == protocol::event::Pref) {
        return applyPref(data, changes);
    }
    if (event.event == protocol::event::Device) {
        return applyDeviceEvent(data, changes);
    }
    // An event of a later protocol version: skipping it is what the position promises.
    qCDebug(lcStore) << "skipping unknown event" << event.event;
    return true;
}

bool LocalStore::applyMessage(const QJsonObject& json, StoreChanges* changes)
{
    protocol::ArgReader r(json);
    const qint64 id = r.integer(QLatin1StringView("id"), 1, std::numeric_limits<qint64>::max());
    const QString clientId = r.string(QLatin1StringView("clientId"),
        protocol::limits::MaxClientIdChars, protocol::ArgReader::Optional);
    const QString from = r.string(QLatin1StringView("from"), protocol::limits::MaxAddressChars);
    const QString to = r.string(QLatin1StringView("to"), protocol::limits::MaxAddressChars);
    const QString subject = r.string(QLatin1StringView("subject"),
        protocol::limits::MaxSubjectChars, protocol::ArgReader::Optional);
    const QString body = r.text(
        QLatin1StringView("body"), protocol::limits::MaxBodyBytes, protocol::ArgReader::Optional);
    const bool hasBody = json.value(QLatin1StringView("body")).isString();
    const qint64 time = r.integer(QLatin1StringView("time"), 0, std::numeric_limits<qint64>::max());
    const QString folder = r.string(QLatin1StringView("folder"), 16);
    const bool read = r.boolean(QLatin1StringView("read"), protocol::ArgReader::Optional);
    const bool partial
        = r.boolean(QLatin1StringView("partial"), protocol::ArgReader::Optional) || !hasBody;
    QString status = r.string(QLatin1StringView("status"), 16, protocol::ArgReader::Optional);
    if (!r.ok() || (folder != QLatin1StringView("inbox") && folder != QLatin1StringView("sent"))) {
        // One bad message must not block the stream behind it.
        qCWarning(lcStore) << "skipping a malformed message:" << r.error().message;
        return true;
    }
    if (statusRank(status) == 0) {
        status = QString(protocol::report::Sent);
    }
    if (hasTombstone(id)) {
        return true; // deleted on this device only (MSG-6)
    }
    const bool outgoing = folder == QLatin1StringView("sent");
    const QString peer = outgoing ? to : from;

    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "SELECT local_id, body IS NULL, read, status FROM messages WHERE server_id = ?"));
    q.addBindValue(id);
    if (!q.exec()) {
        return false;
    }
    if (q.next()) {
        // Known: bring in what is new (a body after a fetch, read, a later status).
        const qint64 localId = q.value(0).toLongLong();
        const bool bodyMissing = q.value(1).toBool();
        const bool wasRead = q.value(2).toBool();
        const QString oldStatus = q.value(3).toString();
        const bool addBody = bodyMissing && hasBody;
        const bool markRead = read && !wasRead;
        const bool newStatus = outgoing && statusRank(status) > statusRank(oldStatus);
        if (!addBody && !markRead && !newStatus) {
            return true;
        }
        QSqlQuery u(m_db);
        u.prepare(
            QStringLiteral("UPDATE messages SET body = CASE WHEN :addBody THEN :body ELSE body END,"
                           " partial = CASE WHEN :addBody THEN 0 ELSE partial END,"
                           " read = read OR :read, status = :status WHERE local_id = :localId"));
        u.bindValue(QStringLiteral(":addBody"), addBody);
        u.bindValue(QStringLiteral(":body"), addBody ? seal(body, BodyContext) : QByteArray());
        u.bindValue(QStringLiteral(":read"), read);
        u.bindValue(QStringLiteral(":status"), newStatus ? status : oldStatus);
        u.bindValue(QStringLiteral(":localId"), localId);
        if (!u.exec()) {
            qCWarning(lcStore) << "cannot update message:" << u.lastError().text();
            return false;
        }
        changes->markChanged(id);
        changes->unread = changes->unread || markRead;
        return true;
    }

    if (outgoing && !clientId.isEmpty()) {
        // Our own outbox message coming back as the sentbox copy (possibly before the
        // answer to `send`): it is the same message, so update it in place.
        QSqlQuery p(m_db);
        p.prepare(
            QStringLiteral("SELECT local_id FROM messages WHERE client_id = ? AND folder = 'sent' "
                           "AND server_id IS NULL AND recipient = ?"));
        p.addBindValue(clientId);
        p.addBindValue(to);
        if (!p.exec()) {
            return false;
        }
        if (p.next()) {
            const qint64 localId = p.value(0).toLongLong();
            QSqlQuery u(m_db);
            u.prepare(QStringLiteral(
                "UPDATE messages SET server_id = ?, time = ?, status = ? WHERE local_id = ?"));
            u.addBindValue(id);
            u.addBindValue(time);
            u.addBindValue(status);
            u.addBindValue(localId);
            QSqlQuery o(m_db);
            o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
            o.addBindValue(localId);
            if (!u.exec() || !o.exec()) {
                return false;
            }
            changes->sent.append({ -localId, id, clientId });
            return true;
        }
    }

    QSqlQuery ins(m_db);
    ins.prepare(QStringLiteral(
        "INSERT INTO messages (server_id, client_id, sender, recipient, peer, folder,"
        " time, subject, body, partial, read, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    ins.addBindValue(id);
    ins.addBindValue(clientId.isEmpty() ? QVariant() : QVariant(clientId));
    ins.addBindValue(from);
    ins.addBindValue(to);
    ins.addBindValue(peer);
    ins.addBindValue(folder);
    ins.addBindValue(time);
    ins.addBindValue(subject.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                       : QVariant(seal(subject, SubjectContext)));
    ins.addBindValue(
        hasBody ? QVariant(seal(body, BodyContext)) : QVariant(QMetaType(QMetaType::QByteArray)));
    ins.addBindValue(partial);
    ins.addBindValue(read);
    ins.addBindValue(status);
    if (!ins.exec()) {
        qCWarning(lcStore) << "cannot insert message:" << ins.lastError().text();
        return false;
    }
    const bool unreadIncoming = !outgoing && !read;
    changes->added.append({ id, peer, unreadIncoming });
    changes->unread = changes->unread || unreadIncoming;
    return true;
}

bool LocalStore::applyContact(const QJsonObject& data, StoreChanges* changes)
{
    const QString address = data.value(QLatin1StringView("address")).toString();
    if (address.isEmpty() || address.size() > protocol::limits::MaxAddressChars) {
        return true;
    }
    QSqlQuery q(m_db);
    if (data.value(QLatin1StringView("removed")).toBool()) {
        q.prepare(QStringLiteral("DELETE FROM contacts WHERE address = ?"));
        q.addBindValue(address);
    } else {
        q.prepare(QStringLiteral("INSERT INTO contacts (address, name) VALUES (?, ?) "
                                 "ON CONFLICT (address) DO UPDATE SET name = excluded.name"));
        q.addBindValue(address);
        q.addBindValue(
            data.value(QLatin1StringView("name")).toString().left(protocol::limits::MaxNameChars));
    }
    changes->contacts = true;
    return q.exec();
}

bool LocalStore::applyStatus(const QJsonObject& data, StoreChanges* changes)
{
    const QString status = data.value(QLatin1StringView("status")).toString();
    if (!protocol::isValidStatus(status)) {
        return true;
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "INSERT INTO user_status (id, status, text) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, text = excluded.text"));
    q.addBindValue(status);
    q.addBindValue(data.value(QLatin1StringView("text")).toString().left(256));
    changes->status = true;
    return q.exec();
}

bool LocalStore::applyPref(const QJsonObject& data, StoreChanges* changes)
{
    const QString key = data.value(QLatin1StringView("key")).toString();
    if (key.isEmpty() || key.size() > 64) {
        return true;
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO prefs (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(data.value(QLatin1StringView("value"))
                       .toString()
                       .left(protocol::limits::MaxPrefValueChars));
    changes->prefs = true;
    return q.exec();
}

bool LocalStore::applyDeviceEvent(const QJsonObject& data, StoreChanges* changes)
{
    const QJsonObject device = data.value(QLatin1StringView("device")).toObject();
    if (data.value(QLatin1StringView("removed")).toBool()) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("DELETE FROM devices WHERE id = ?"));
        q.addBindValue(device.value(QLatin1StringView("id")).toInteger());
        changes->devices = true;
        return q.exec();
    }
    return upsertDevice(device, changes);
}

bool LocalStore::applyPresence(const QJsonObject& data, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "UPDATE devices SET online = ?, last_seen = MAX(last_seen, ?) WHERE id = ?"));
    q.addBindValue(data.value(QLatin1StringView("online")).toBool());
    q.addBindValue(data.value(QLatin1StringView("lastSeen")).toInteger());
    q.addBindValue(data.value(QLatin1StringView("deviceId")).toInteger());
    if (!q.exec()) {
        return false;
    }
    changes->devices = changes->devices || q.numRowsAffected() > 0;
    return true;
}

// --- messages --------------------------------------------------------------------------

std::optional<Message> LocalStore::message(qint64 id) const
{
    if (id == 0) {
        return std::nullopt;
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT ") + MessageColumns + QStringLiteral(" FROM messages WHERE ")
        + idCondition(id));
    q.bindValue(QStringLiteral(":id"), idValue(id));
    if (!q.exec() || !q.next()) {
        return std::nullopt;
    }
    return messageFromQuery(q);
}

QList<Message> LocalStore::messages(
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
    q.bindValue(QStringLiteral(":peer"), peer);
    if (beforeTime > 0) {
        q.bindValue(QStringLiteral(":time"), beforeTime);
        q.bindValue(QStringLiteral(":time2"), beforeTime);
        q.bindValue(QStringLiteral(":localId"), beforeLocalId);
    }
    q.bindValue(QStringLiteral(":limit"), std::max(limit, 0));
    QList<Message> out;
    if (!q.exec()) {
        qCWarning(lcStore) << "cannot read messages:" << q.lastError().text();
        return out;
    }
    while (q.next()) {
        out.prepend(messageFromQuery(q));
    }
    return out;
}

QList<Conversation> LocalStore::conversations() const
{
    QList<Conversation> out;
    QSqlQuery q(m_db);
    // The summary table (schema 3) has a row per peer; only the 500-odd previews are
    // read from `messages`, by primary key, and decrypted.
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT c.peer, c.last_time, c.unread, m.subject, m.body, k.name"
            " FROM conversations c LEFT JOIN messages m ON m.local_id = c.last_local_id"
            " LEFT JOIN contacts k ON k.address = c.peer"
            " ORDER BY c.last_time DESC, c.last_local_id DESC"))) {
        qCWarning(lcStore) << "cannot read conversations:" << q.lastError().text();
        return out;
    }
    while (q.next()) {
        Conversation c;
        c.peerAddress = q.value(0).toString();
        c.lastMessageTime = q.value(1).toLongLong();
        c.unreadCount = q.value(2).toInt();
        c.peerName = q.value(5).toString();
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
    return out;
}

int LocalStore::unreadCount() const
{
    QSqlQuery q(m_db);
    return q.exec(QStringLiteral("SELECT COALESCE(SUM(unread), 0) FROM conversations")) && q.next()
        ? q.value(0).toInt()
        : 0;
}

bool LocalStore::storeMessage(const QJsonObject& message, StoreChanges* changes)
{
    Transaction tx(m_db);
    return tx.isOpen() && applyMessage(message, changes) && tx.commit();
}

bool LocalStore::markRead(qint64 id, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE messages SET read = 1, read_pending = 1 WHERE folder = "
                             "'inbox' AND read = 0 AND ")
        + idCondition(id));
    q.bindValue(QStringLiteral(":id"), idValue(id));
    if (!q.exec() || q.numRowsAffected() == 0) {
        return false;
    }
    changes->markChanged(id);
    changes->unread = true;
    return true;
}

QList<qint64> LocalStore::pendingReads() const
{
    QList<qint64> out;
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral(
            "SELECT server_id FROM messages WHERE read_pending = 1 AND server_id IS NOT NULL"))) {
        while (q.next()) {
            out.append(q.value(0).toLongLong());
        }
    }
    return out;
}

void LocalStore::clearPendingRead(qint64 id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE messages SET read_pending = 0 WHERE server_id = ?"));
    q.addBindValue(id);
    q.exec();
}

bool LocalStore::deleteLocally(qint64 id, StoreChanges* changes)
{
    Transaction tx(m_db);
    if (!tx.isOpen()) {
        return false;
    }
    if (id > 0) {
        QSqlQuery t(m_db);
        t.prepare(
            QStringLiteral("INSERT OR REPLACE INTO tombstones (server_id, deleted) VALUES (?, ?)"));
        t.addBindValue(id);
        t.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!t.exec()) {
            return false;
        }
    }
    return remove(id, changes) && tx.commit();
}

bool LocalStore::remove(qint64 id, StoreChanges* changes)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT local_id, folder = 'inbox' AND read = 0 FROM messages WHERE ")
        + idCondition(id));
    q.bindValue(QStringLiteral(":id"), idValue(id));
    if (!q.exec()) {
        return false;
    }
    if (!q.next()) {
        return true;
    }
    const qint64 localId = q.value(0).toLongLong();
    const bool wasUnread = q.value(1).toBool();
    QSqlQuery o(m_db);
    o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
    o.addBindValue(localId);
    QSqlQuery d(m_db);
    d.prepare(QStringLiteral("DELETE FROM messages WHERE local_id = ?"));
    d.addBindValue(localId);
    if (!o.exec() || !d.exec()) {
        return false;
    }
    changes->removed.append(id);
    changes->unread = changes->unread || wasUnread;
    return true;
}

bool LocalStore::hasTombstone(qint64 serverId) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT 1 FROM tombstones WHERE server_id = ?"));
    q.addBindValue(serverId);
    return q.exec() && q.next();
}

// --- outbox ----------------------------------------------------------------------------

qint64 LocalStore::enqueue(const QString& clientId, const QString& from, const QString& to,
    const QString& subject, const QString& body, qint64 time)
{
    Transaction tx(m_db);
    if (!tx.isOpen()) {
        return 0;
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "INSERT INTO messages (client_id, sender, recipient, peer, folder, time, subject, body,"
        " partial, read, status) VALUES (?, ?, ?, ?, 'sent', ?, ?, ?, 0, 1, 'pending')"));
    q.addBindValue(clientId);
    q.addBindValue(from);
    q.addBindValue(to);
    q.addBindValue(to);
    q.addBindValue(time);
    q.addBindValue(subject.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                     : QVariant(seal(subject, SubjectContext)));
    q.addBindValue(seal(body, BodyContext));
    if (!q.exec()) {
        qCWarning(lcStore) << "cannot queue a message:" << q.lastError().text();
        return 0;
    }
    const qint64 localId = q.lastInsertId().toLongLong();
    QSqlQuery o(m_db);
    o.prepare(QStringLiteral("INSERT INTO outbox (local_id, client_id, created) VALUES (?, ?, ?)"));
    o.addBindValue(localId);
    o.addBindValue(clientId);
    o.addBindValue(time);
    if (!o.exec() || !tx.commit()) {
        return 0;
    }
    return -localId;
}

QList<OutboxEntry> LocalStore::outbox() const
{
    QList<OutboxEntry> out;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral(
            "SELECT m.local_id, o.client_id, m.recipient, m.subject, m.body FROM outbox o"
            " JOIN messages m ON m.local_id = o.local_id ORDER BY o.local_id"))) {
        return out;
    }
    while (q.next()) {
        OutboxEntry e;
        e.pendingId = -q.value(0).toLongLong();
        e.clientId = q.value(1).toString();
        e.to = q.value(2).toString();
        e.subject = unseal(q.value(3), SubjectContext);
        e.body = unseal(q.value(4), BodyContext);
        out.append(e);
    }
    return out;
}

int LocalStore::outboxSize() const
{
    QSqlQuery q(m_db);
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM outbox")) && q.next() ? q.value(0).toInt()
                                                                             : 0;
}

bool LocalStore::markSent(
    const QString& clientId, qint64 serverId, qint64 time, StoreChanges* changes)
{
    Transaction tx(m_db);
    if (!tx.isOpen()) {
        return false;
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT local_id FROM messages WHERE client_id = ? AND folder = "
                             "'sent' AND server_id IS NULL"));
    q.addBindValue(clientId);
    if (!q.exec()) {
        return false;
    }
    if (!q.next()) {
        return true; // the sentbox copy came first and already took its place
    }
    const qint64 localId = q.value(0).toLongLong();
    QSqlQuery u(m_db);
    u.prepare(QStringLiteral(
        "UPDATE messages SET server_id = ?, time = ?, status = 'sent' WHERE local_id = ?"));
    u.addBindValue(serverId);
    u.addBindValue(time);
    u.addBindValue(localId);
    QSqlQuery o(m_db);
    o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
    o.addBindValue(localId);
    if (!u.exec() || !o.exec()) {
        qCWarning(lcStore) << "cannot complete a sent message:" << u.lastError().text();
        return false;
    }
    changes->sent.append({ -localId, serverId, clientId });
    return tx.commit();
}

bool LocalStore::markFailed(const QString& clientId, StoreChanges* changes)
{
    Transaction tx(m_db);
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT local_id FROM outbox WHERE client_id = ?"));
    q.addBindValue(clientId);
    if (!tx.isOpen() || !q.exec() || !q.next()) {
        return false;
    }
    const qint64 localId = q.value(0).toLongLong();
    QSqlQuery u(m_db);
    u.prepare(QStringLiteral("UPDATE messages SET status = 'failed' WHERE local_id = ?"));
    u.addBindValue(localId);
    QSqlQuery o(m_db);
    o.prepare(QStringLiteral("DELETE FROM outbox WHERE local_id = ?"));
    o.addBindValue(localId);
    if (!u.exec() || !o.exec()) {
        return false;
    }
    changes->markChanged(-localId);
    return tx.commit();
}

// --- devices, contacts, status, prefs --------------------------------------------------

QList<Device> LocalStore::devices() const
{
    QList<Device> out;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral(
            "SELECT id, instance_id, name, kind, capabilities, delivery, notify_sessions,"
            " online, last_seen, current FROM devices ORDER BY current DESC, name, id"))) {
        return out;
    }
    while (q.next()) {
        Device d;
        d.id = q.value(0).toLongLong();
        d.instanceId = q.value(1).toString();
        d.name = q.value(2).toString();
        d.kind = q.value(3).toString();
        d.capabilities = q.value(4).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        d.delivery = q.value(5).toString();
        d.notifySessions = q.value(6).toBool();
        d.online = q.value(7).toBool();
        d.lastSeen = q.value(8).toLongLong();
        d.current = q.value(9).toBool();
        out.append(d);
    }
    return out;
}

bool LocalStore::upsertDevice(const QJsonObject& json, StoreChanges* changes)
{
    const Device d = deviceFromJson(json);
    if (d.id <= 0) {
        return true;
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
    q.addBindValue(d.id);
    q.addBindValue(d.instanceId);
    q.addBindValue(d.name.left(protocol::limits::MaxNameChars));
    q.addBindValue(d.kind);
    q.addBindValue(d.capabilities.join(QLatin1Char(',')));
    q.addBindValue(d.delivery);
    q.addBindValue(d.notifySessions);
    q.addBindValue(d.online);
    q.addBindValue(d.lastSeen);
    q.addBindValue(d.current);
    changes->devices = true;
    return q.exec();
}

bool LocalStore::replaceDevices(const QJsonArray& devices, StoreChanges* changes)
{
    Transaction tx(m_db);
    if (!tx.isOpen() || !exec(QStringLiteral("DELETE FROM devices"))) {
        return false;
    }
    for (const QJsonValue& d : devices) {
        if (!upsertDevice(d.toObject(), changes)) {
            return false;
        }
    }
    changes->devices = true;
    return tx.commit();
}

QList<Contact> LocalStore::contacts() const
{
    QList<Contact> out;
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral(
            "SELECT address, name FROM contacts ORDER BY name COLLATE NOCASE, address"))) {
        while (q.next()) {
            out.append({ q.value(0).toString(), q.value(1).toString() });
        }
    }
    return out;
}

UserStatus LocalStore::status() const
{
    UserStatus s;
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("SELECT status, text FROM user_status WHERE id = 1")) && q.next()) {
        s.status = q.value(0).toString();
        s.text = q.value(1).toString();
    }
    return s;
}

QVariantMap LocalStore::prefs() const
{
    QVariantMap out;
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("SELECT key, value FROM prefs"))) {
        while (q.next()) {
            out.insert(q.value(0).toString(), q.value(1).toString());
        }
    }
    return out;
}

bool LocalStore::replaceProfile(const QJsonObject& profile, StoreChanges* changes)
{
    Transaction tx(m_db);
    if (!tx.isOpen() || !exec(QStringLiteral("DELETE FROM contacts"))
        || !exec(QStringLiteral("DELETE FROM prefs"))) {
        return false;
    }
    for (const QJsonValue& c : profile.value(QLatin1StringView("contacts")).toArray()) {
        if (!applyContact(c.toObject(), changes)) {
            return false;
        }
    }
    const QJsonObject prefs = profile.value(QLatin1StringView("prefs")).toObject();
    for (auto it = prefs.begin(); it != prefs.end(); ++it) {
        if (!applyPref(
                { { QStringLiteral("key"), it.key() }, { QStringLiteral("value"), it.value() } },
                changes)) {
            return false;
        }
    }
    if (profile.contains(QLatin1StringView("status"))
        && !applyStatus(profile.value(QLatin1StringView("status")).toObject(), changes)) {
        return false;
    }
    changes->contacts = changes->prefs = true;
    return tx.commit();
}

} // namespace cpm
