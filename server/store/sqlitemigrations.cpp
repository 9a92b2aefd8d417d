// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlitemigrations.h"

#include "logging.h"
#include "sqlitedatabase.h"

#include <QStringList>

namespace cpm::server::sqlitemigrations {

namespace {
const QList<QStringList>& migrations()
{
    static const QList<QStringList> list = {
        // 1: everything of protocol v1.
        {
            QStringLiteral("CREATE TABLE users ("
                           " id INTEGER PRIMARY KEY,"
                           " address TEXT NOT NULL UNIQUE,"
                           " pwhash TEXT NOT NULL,"
                           " enabled INTEGER NOT NULL DEFAULT 1,"
                           " status TEXT NOT NULL DEFAULT 'available',"
                           " status_text TEXT NOT NULL DEFAULT '',"
                           " head_seq INTEGER NOT NULL DEFAULT 0,"
                           " quota_day INTEGER NOT NULL DEFAULT 0,"
                           " quota_count INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE devices ("
                           " id INTEGER PRIMARY KEY,"
                           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
                           " instance_id TEXT NOT NULL,"
                           " name TEXT NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " capabilities TEXT NOT NULL DEFAULT '',"
                           " token_hash BLOB,"
                           " delivery TEXT NOT NULL DEFAULT 'full',"
                           " notify_sessions INTEGER NOT NULL DEFAULT 1,"
                           " acked_seq INTEGER NOT NULL DEFAULT 0,"
                           " last_seen INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL,"
                           " signed_out INTEGER,"
                           " UNIQUE (user_id, instance_id))"),
            // sender_seq: the sentbox event's seq, so a duplicate submit answers the same.
            QStringLiteral("CREATE TABLE messages ("
                           " id INTEGER PRIMARY KEY,"
                           " sender_id INTEGER NOT NULL REFERENCES users(id),"
                           " client_id TEXT NOT NULL,"
                           " from_addr TEXT NOT NULL,"
                           " to_addr TEXT NOT NULL,"
                           " subject TEXT NOT NULL DEFAULT '',"
                           " body TEXT NOT NULL,"
                           " created INTEGER NOT NULL,"
                           " sender_seq INTEGER NOT NULL,"
                           " UNIQUE (sender_id, client_id))"),
            QStringLiteral("CREATE TABLE mailbox ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " message_id INTEGER NOT NULL REFERENCES messages(id),"
                           " folder TEXT NOT NULL CHECK (folder IN ('inbox', 'sent')),"
                           " read INTEGER NOT NULL DEFAULT 0,"
                           " status TEXT NOT NULL DEFAULT 'sent',"
                           " event_seq INTEGER NOT NULL,"
                           " created INTEGER NOT NULL,"
                           " delivered_at INTEGER,"
                           " displayed_at INTEGER,"
                           " PRIMARY KEY (user_id, message_id)) WITHOUT ROWID"),
            // Pending = an inbox copy no device has acknowledged: what ack and expiry scan.
            QStringLiteral("CREATE INDEX mailbox_pending ON mailbox(user_id, event_seq)"
                           " WHERE folder = 'inbox' AND delivered_at IS NULL"),
            QStringLiteral("CREATE INDEX mailbox_pending_age ON mailbox(created)"
                           " WHERE folder = 'inbox' AND delivered_at IS NULL"),
            QStringLiteral("CREATE INDEX mailbox_message ON mailbox(message_id)"),
            QStringLiteral("CREATE TABLE events ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " seq INTEGER NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " message_id INTEGER,"
                           " payload TEXT NOT NULL DEFAULT '{}',"
                           " created INTEGER NOT NULL,"
                           " PRIMARY KEY (user_id, seq)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE contacts ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " address TEXT NOT NULL,"
                           " name TEXT NOT NULL DEFAULT '',"
                           " PRIMARY KEY (user_id, address)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE prefs ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " key TEXT NOT NULL,"
                           " value TEXT NOT NULL,"
                           " PRIMARY KEY (user_id, key)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE settings ("
                           " key TEXT PRIMARY KEY,"
                           " value TEXT NOT NULL) WITHOUT ROWID"),
        },
        // 2: message ids are never used again. Without AUTOINCREMENT SQLite gave a new
        // message the id of the newest one if that had been deleted by both parties, and
        // devices then applied the old message's flags, reports and tombstones to it.
        // Rebuilt as SQLite's "making other kinds of table schema changes" says (foreign
        // keys are off while migrating; checked before the commit).
        {
            QStringLiteral("CREATE TABLE messages_new ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " sender_id INTEGER NOT NULL REFERENCES users(id),"
                           " client_id TEXT NOT NULL,"
                           " from_addr TEXT NOT NULL,"
                           " to_addr TEXT NOT NULL,"
                           " subject TEXT NOT NULL DEFAULT '',"
                           " body TEXT NOT NULL,"
                           " created INTEGER NOT NULL,"
                           " sender_seq INTEGER NOT NULL,"
                           " UNIQUE (sender_id, client_id))"),
            QStringLiteral("INSERT INTO messages_new (id, sender_id, client_id, from_addr, to_addr,"
                           " subject, body, created, sender_seq)"
                           " SELECT id, sender_id, client_id, from_addr, to_addr, subject, body,"
                           " created, sender_seq FROM messages"),
            // Ids the events still name, of messages already gone, are not handed out again.
            QStringLiteral("DELETE FROM sqlite_sequence WHERE name = 'messages_new'"),
            QStringLiteral(
                "INSERT INTO sqlite_sequence (name, seq)"
                " SELECT 'messages_new', MAX(COALESCE((SELECT MAX(id) FROM messages), 0),"
                " COALESCE((SELECT MAX(message_id) FROM events), 0))"),
            QStringLiteral("DROP TABLE messages"),
            QStringLiteral("ALTER TABLE messages_new RENAME TO messages"),
        },
        // 3: chat sessions (SES). A session names the device bound on each side and, per
        // side, the history its bound device may read; `version` makes every decision a
        // compare-and-set, so two writers can never both accept or both move one.
        {
            QStringLiteral("CREATE TABLE sessions ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " inviter_id INTEGER NOT NULL REFERENCES users(id),"
                           " invitee_id INTEGER NOT NULL REFERENCES users(id),"
                           " subject TEXT NOT NULL DEFAULT '',"
                           " state TEXT NOT NULL CHECK (state IN ('inviting', 'active', 'ended')),"
                           " reason TEXT NOT NULL DEFAULT '',"
                           " ended_by INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL,"
                           " started INTEGER NOT NULL DEFAULT 0,"
                           " ended INTEGER NOT NULL DEFAULT 0,"
                           " inviter_device INTEGER NOT NULL DEFAULT 0,"
                           " invitee_device INTEGER NOT NULL DEFAULT 0,"
                           " invited_devices TEXT NOT NULL DEFAULT '',"
                           " inviter_history TEXT NOT NULL DEFAULT 'session',"
                           " inviter_history_from INTEGER NOT NULL DEFAULT 0,"
                           " inviter_history_upto INTEGER NOT NULL DEFAULT 0,"
                           " invitee_history TEXT NOT NULL DEFAULT 'session',"
                           " invitee_history_from INTEGER NOT NULL DEFAULT 0,"
                           " invitee_history_upto INTEGER NOT NULL DEFAULT 0,"
                           " version INTEGER NOT NULL DEFAULT 1)"),
            QStringLiteral("CREATE INDEX sessions_open ON sessions(state) WHERE state != 'ended'"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN session_id INTEGER"),
            QStringLiteral("CREATE INDEX messages_session ON messages(session_id)"
                           " WHERE session_id IS NOT NULL"),
        },
        // 4: guest devices (GST-1): signed in for a bounded time, forgotten when they end.
        {
            QStringLiteral("ALTER TABLE devices ADD COLUMN guest INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE devices ADD COLUMN expires INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("CREATE INDEX devices_guest ON devices(expires) WHERE guest = 1"),
        },
        // 5: attachments (MSG-1). The bytes are files in the data directory; a row says whose
        // they are and how far the upload came. A message keeps its attachments' objects as
        // it was sent (messages.attachments, JSON) and one row each in message_attachments,
        // which is what the right to fetch is checked against.
        {
            QStringLiteral("CREATE TABLE attachments ("
                           " id TEXT PRIMARY KEY,"
                           " owner_id INTEGER NOT NULL REFERENCES users(id),"
                           " name TEXT NOT NULL,"
                           " type TEXT NOT NULL,"
                           " size INTEGER NOT NULL,"
                           " sha256 TEXT NOT NULL,"
                           " state TEXT NOT NULL"
                           "  CHECK (state IN ('uploading', 'complete', 'deleted')),"
                           " created INTEGER NOT NULL) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX attachments_owner ON attachments(owner_id, created)"
                           " WHERE state <> 'deleted'"),
            QStringLiteral("CREATE INDEX attachments_uploading ON attachments(created)"
                           " WHERE state = 'uploading'"),
            QStringLiteral("CREATE TABLE message_attachments ("
                           " attachment_id TEXT NOT NULL,"
                           " message_id INTEGER NOT NULL REFERENCES messages(id),"
                           " PRIMARY KEY (attachment_id, message_id)) WITHOUT ROWID"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN attachments TEXT"),
        },
        // 6: interworking (MSG-7, MSG-8). A message's route; the stand-in for the HSS/HLR
        // (which legacy network a user is registered in now); one row per conversion of a
        // message for a legacy network, with what each attempt gave.
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN route TEXT NOT NULL DEFAULT 'cpm'"),
            QStringLiteral("CREATE TABLE legacy_registrations ("
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " network TEXT NOT NULL CHECK (network IN ('email', 'sms')),"
                           " since INTEGER NOT NULL,"
                           " PRIMARY KEY (user_id, network)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE legacy_deliveries ("
                           " id INTEGER PRIMARY KEY,"
                           " message_id INTEGER NOT NULL REFERENCES messages(id),"
                           " recipient_id INTEGER NOT NULL REFERENCES users(id),"
                           " network TEXT NOT NULL CHECK (network IN ('email', 'sms')),"
                           " address TEXT NOT NULL,"
                           " state TEXT NOT NULL DEFAULT 'pending'"
                           "  CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),"
                           " attempts INTEGER NOT NULL DEFAULT 0,"
                           " next_attempt INTEGER NOT NULL,"
                           " last_error TEXT NOT NULL DEFAULT '',"
                           " created INTEGER NOT NULL,"
                           " finished INTEGER)"),
            QStringLiteral("CREATE INDEX legacy_due ON legacy_deliveries(next_attempt)"
                           " WHERE state = 'pending'"),
            QStringLiteral("CREATE INDEX legacy_recipient ON legacy_deliveries(recipient_id)"
                           " WHERE state = 'pending'"),
            QStringLiteral("CREATE INDEX legacy_message ON legacy_deliveries(message_id)"),
        },
        // 7: nothing here. PostgreSQL's migration 7 keeps which nodes are alive and which
        // devices are online on each; one process owns a SQLite file and keeps that in memory.
        // Numbered alike so that a schema version means the same on both.
        {},
        // 8: device ids are never used again, as migration 2 made message ids. Without
        // AUTOINCREMENT a device registered after the newest one was forgotten (a guest's
        // sign-out) got its id, and sessions and `device` events still naming the old
        // device then meant the new one. The sequence starts past every id a row, a session
        // or an event payload (`device`, `boundDevice`, `previousDevice`, `invitedDevices`)
        // ever named.
        {
            QStringLiteral("CREATE TABLE devices_new ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
                           " instance_id TEXT NOT NULL,"
                           " name TEXT NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " capabilities TEXT NOT NULL DEFAULT '',"
                           " token_hash BLOB,"
                           " delivery TEXT NOT NULL DEFAULT 'full',"
                           " notify_sessions INTEGER NOT NULL DEFAULT 1,"
                           " acked_seq INTEGER NOT NULL DEFAULT 0,"
                           " last_seen INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL,"
                           " signed_out INTEGER,"
                           " guest INTEGER NOT NULL DEFAULT 0,"
                           " expires INTEGER NOT NULL DEFAULT 0,"
                           " UNIQUE (user_id, instance_id))"),
            QStringLiteral("INSERT INTO devices_new (id, user_id, instance_id, name, kind,"
                           " capabilities, token_hash, delivery, notify_sessions, acked_seq,"
                           " last_seen, created, signed_out, guest, expires)"
                           " SELECT id, user_id, instance_id, name, kind, capabilities,"
                           " token_hash, delivery, notify_sessions, acked_seq, last_seen, created,"
                           " signed_out, guest, expires FROM devices"),
            QStringLiteral("DELETE FROM sqlite_sequence WHERE name = 'devices_new'"),
            // In event payloads every nested "id" of a `device` or `session` event counts
            // (session ids among them): skipping a few ids costs nothing, reusing one does.
            QStringLiteral(
                "INSERT INTO sqlite_sequence (name, seq)"
                " SELECT 'devices_new', MAX("
                " COALESCE((SELECT MAX(id) FROM devices), 0),"
                " COALESCE((SELECT MAX(inviter_device) FROM sessions), 0),"
                " COALESCE((SELECT MAX(invitee_device) FROM sessions), 0),"
                " COALESCE((SELECT MAX(t.value) FROM events AS e, json_tree(e.payload) AS t"
                "  WHERE e.kind IN ('device', 'session') AND json_valid(e.payload)"
                "  AND t.key = 'id' AND t.type = 'integer' AND t.path <> '$'), 0))"),
            QStringLiteral("DROP TABLE devices"),
            QStringLiteral("ALTER TABLE devices_new RENAME TO devices"),
            QStringLiteral("CREATE INDEX devices_guest ON devices(expires) WHERE guest = 1"),
        },
    };
    return list;
}

Result<void> migrateTo(SqliteDatabase& db, int from, int target);

} // namespace

int latestVersion() { return static_cast<int>(migrations().size()); }

Result<int> schemaVersion(SqliteDatabase& db)
{
    {
        SqliteDatabase::Query q(db,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
        if (!q.next()) {
            return q.ok() ? Result<int>(0) : Result<int>(q.error());
        }
        if (q.int64(0) == 0) {
            return 0; // a new file
        }
    }
    SqliteDatabase::Query q(db, "SELECT version FROM schema_version");
    if (q.next()) {
        return int(q.int64(0));
    }
    return q.ok() ? Result<int>(0) : Result<int>(q.error());
}

Result<void> migrate(SqliteDatabase& db, int target)
{
    if (const Result<void> created = db.exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
        !created) {
        return created;
    }
    const int latest = latestVersion();
    Result<int> version = schemaVersion(db);
    if (!version) {
        return version.error();
    }
    if (*version > latest) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("the database has schema version %1, newer than this server's %2; "
                           "run a newer cpm-server")
                .arg(*version)
                .arg(latest));
    }
    if (*version >= target) {
        return {};
    }
    // A migration may rebuild a table others refer to; foreign keys cannot be switched
    // inside a transaction, so they are off for the whole run and checked per migration.
    if (const Result<void> off = db.exec(QStringLiteral("PRAGMA foreign_keys=OFF")); !off) {
        return off;
    }
    const Result<void> migrated = migrateTo(db, *version, target);
    if (const Result<void> on = db.exec(QStringLiteral("PRAGMA foreign_keys=ON")); !on) {
        return on;
    }
    return migrated;
}

namespace {
Result<void> migrateTo(SqliteDatabase& db, int from, int target)
{
    Result<int> version = from;
    while (*version < target) {
        SqliteDatabase::Transaction tx(db);
        if (!tx.isActive()) {
            return tx.error();
        }
        // Read again under the lock: another process may have migrated meanwhile.
        version = schemaVersion(db);
        if (!version) {
            return version.error();
        }
        if (*version >= target) {
            break;
        }
        for (const QString& sql : migrations().at(*version)) {
            if (const Result<void> done = db.exec(sql); !done) {
                return makeError(done.error().code,
                    QStringLiteral("migration %1 failed: %2")
                        .arg(*version + 1)
                        .arg(done.error().message));
            }
        }
        const Result<void> stamped = db.exec(*version == 0
                ? QStringLiteral("INSERT INTO schema_version (version) VALUES (1)")
                : QStringLiteral("UPDATE schema_version SET version = %1").arg(*version + 1));
        if (!stamped) {
            return stamped;
        }
        {
            SqliteDatabase::Query check(db, "PRAGMA foreign_key_check");
            if (check.next()) {
                return makeError(ErrorCode::StoreFailed,
                    QStringLiteral("migration %1 left a row of %2 pointing nowhere")
                        .arg(*version + 1)
                        .arg(check.text(0)));
            }
            if (!check.ok()) {
                return check.error();
            }
        }
        if (const Result<void> committed = tx.commit(); !committed) {
            return committed;
        }
        qCInfo(lcStore) << "migrated the database to schema version" << *version + 1;
        version = *version + 1;
    }
    return {};
}
} // namespace

} // namespace cpm::server::sqlitemigrations
