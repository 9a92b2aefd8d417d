// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The server's storage: accounts, devices, messages, per-user event streams, profiles and
// operator settings. This is the only class that speaks SQL, so a PostgreSQL
// implementation can replace it behind the same interface.

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace cpm::server {

struct UserRecord {
    qint64 id = 0;
    QString address;
    QByteArray passwordHash; //!< libsodium crypto_pwhash_str() output
    bool enabled = true;
    QString status;
    QString statusText;
    qint64 headSeq = 0;
    qint64 created = 0;
};

struct DeviceRecord {
    qint64 id = 0;
    qint64 userId = 0;
    QString instanceId;
    QString name;
    QString kind;
    QStringList capabilities;
    QByteArray tokenHash;
    QString delivery;
    bool notifySessions = true;
    qint64 ackedSeq = 0;
    qint64 lastSeen = 0;
    qint64 created = 0;
    qint64 signedOut = 0; //!< time of the remote sign-out; 0 while signed in

    bool isSignedIn() const { return signedOut == 0; }
};

//! One user's copy of a message: the shared content plus that user's mailbox state.
struct MessageView {
    qint64 id = 0;
    QString clientId;
    QString from;
    QString to;
    QString subject;
    QString body;
    qint64 time = 0;
    QString folder; //!< "inbox" or "sent"
    bool read = false;
    QString status; //!< protocol::report::*
};

//! One event of a user's stream, as stored or just appended.
struct StoredEvent {
    qint64 userId = 0;
    qint64 seq = 0;
    QString kind; //!< protocol::event::*
    qint64 messageId = 0; //!< the message it is about, 0 when none
    QJsonObject data; //!< the payload of every kind but `message`
    //! \a data as JSON text, when it was just written that way (saves rendering it again).
    QString dataJson;
    //! `message` events: the user's copy as it is now; empty when it is no longer stored.
    std::optional<MessageView> message;
    //! The event is about a message that is no longer in the user's storage.
    bool messageGone = false;
};

struct Contact {
    QString address;
    QString name;
};

/*!
 * SQLite storage in one file (WAL, synchronous=NORMAL: a commit is in the WAL before we
 * answer, which survives the process being killed). Not thread-safe: one instance per
 * thread. Every write that produces stream events appends them to \a events so the caller
 * can push them to live connections after the commit.
 *
 * By default every write is its own transaction. The serving process turns on group commit
 * (setGroupCommit()): then writes share one transaction until commitBatch(), each inside a
 * savepoint of its own, and the caller must not let anyone hear of a write before that
 * commit. See docs/architecture.md, "Data flow".
 */
class ServerStore final {
    Q_DISABLE_COPY_MOVE(ServerStore)

public:
    ServerStore();
    ~ServerStore();

    //! Opens (creating when missing) \a dataDir/cpm.sqlite and migrates its schema.
    bool open(const QString& dataDir, QString* error = nullptr);
    void close();
    bool isOpen() const;
    //! The schema version of the open database (the number of applied migrations).
    int schemaVersion();
    //! The newest schema version this build knows.
    static int latestSchemaVersion();

    // --- group commit and checkpoints (the serving process) ------------------------------
    /*!
     * Turns on group commit. The first write after a commit opens a transaction (BEGIN
     * IMMEDIATE) and calls \a batchStarted, so the caller can schedule commitBatch(); every
     * write runs in a savepoint inside it, so a failing write rolls back only itself.
     */
    void setGroupCommit(std::function<void()> batchStarted);
    //! Writes are waiting for commitBatch().
    bool hasPendingBatch() const { return m_batchOpen; }
    //! How many writes (successful or rolled back) the open batch holds.
    int batchSize() const { return m_batchWrites; }
    /*!
     * Commits the open batch (true when there is none). False when it failed: then none of
     * its writes is stored, and the caller must not report any of them as done.
     */
    bool commitBatch();
    /*!
     * Moves WAL checkpoints to a thread with its own connection (wal_autocheckpoint=0 here),
     * so a commit never pays for a checkpoint's page copies and fsyncs. Stopped by close().
     */
    bool startBackgroundCheckpoints(QString* error = nullptr);
    /*!
     * Between two batches: when the WAL has grown large, checkpoints its tail here so the
     * next write starts it over (see Checkpointer in serverstore.cpp). Usually does nothing.
     */
    void maintainWal();

    // --- operator settings -----------------------------------------------------------
    //! The stored value of \a key, or empty when unset. Sees other processes' changes.
    std::optional<QString> setting(const QString& key);
    //! An integer setting, its default (operatorsettings.h) when unset or malformed.
    qint64 settingInt(QLatin1StringView key);
    bool setSetting(const QString& key, const QString& value);
    QMap<QString, QString> settings();

    // --- users ---------------------------------------------------------------------------
    enum class CreateUser { Created, Exists, Failed };
    CreateUser createUser(const QString& address, const QByteArray& passwordHash, qint64 now);
    std::optional<UserRecord> userByAddress(const QString& address);
    std::optional<UserRecord> userById(qint64 id);
    //! False when there is no such user.
    bool setUserEnabled(const QString& address, bool enabled);
    QList<UserRecord> users();
    //! Ids of disabled users (so a running server can close their connections).
    QList<qint64> disabledUserIds();
    //! True when another connection (e.g. the admin CLI) committed since the last call.
    bool hasExternalChanges();

    // --- devices -------------------------------------------------------------------------
    struct NewDevice {
        QString instanceId;
        QString name;
        QString kind;
        QStringList capabilities;
        QByteArray tokenHash;
    };
    //! Creates the device, or re-registers (new token, signed in again) a known instance id.
    std::optional<DeviceRecord> registerDevice(
        qint64 userId, const NewDevice& device, qint64 now, QList<StoredEvent>* events);
    //! Any device by id, signed out or not.
    std::optional<DeviceRecord> deviceById(qint64 deviceId);
    //! The user's signed-in devices, or all of them.
    QList<DeviceRecord> devices(qint64 userId, bool includeSignedOut = false);
    struct DeviceChange {
        std::optional<QString> name;
        std::optional<QString> delivery;
        std::optional<bool> notifySessions;
    };
    //! Empty when the device is not the user's or is signed out.
    std::optional<DeviceRecord> updateDevice(
        qint64 userId, qint64 deviceId, const DeviceChange& change, QList<StoredEvent>* events);
    enum class SignOut { Done, AlreadySignedOut, NotFound, Failed };
    SignOut signOutDevice(qint64 userId, qint64 deviceId, qint64 now, QList<StoredEvent>* events);
    void touchDevice(qint64 deviceId, qint64 now);

    // --- event stream --------------------------------------------------------------------
    //! Up to \a limit stream events after \a since, oldest first, with message state joined.
    std::optional<QList<StoredEvent>> eventsAfter(qint64 userId, qint64 since, int limit);
    /*!
     * Stores the device's acknowledged position (never moving it back, never past the
     * head) and, when \a reached (the device's delivery preference lets incoming messages
     * reach it), marks the user's pending inbox messages the position covers delivered,
     * with a `report` to each sender. Returns the stored position, or -1 on failure.
     */
    qint64 ack(qint64 userId, qint64 deviceId, qint64 seq, bool reached, qint64 now,
        QList<StoredEvent>* events);

    // --- messages ------------------------------------------------------------------------
    struct Submit {
        qint64 senderId = 0;
        QString clientId;
        QString to;
        QString subject;
        QString body;
        qint64 dailyQuota = 0; //!< 0 = unlimited
        qint64 now = 0;
    };
    struct SubmitResult {
        enum class Outcome {
            Stored,
            Duplicate,
            Conflict,
            Disabled,
            QuotaExceeded,
            NoSuchUser,
            SelfSend,
            Failed
        };
        Outcome outcome = Outcome::Failed;
        qint64 messageId = 0;
        qint64 seq = 0; //!< of the sentbox copy in the sender's stream
        qint64 time = 0;
    };
    /*!
     * Idempotent submit by (sender, clientId). In one transaction: the rights check
     * (account enabled, daily quota), the message, the recipient's inbox copy and event,
     * the sender's sentbox copy and event.
     */
    SubmitResult submitMessage(const Submit& submit, QList<StoredEvent>* events);
    //! The user's copy of a message, or empty when it is not in the user's storage.
    std::optional<MessageView> message(qint64 userId, qint64 messageId);
    enum class Change { Done, Unchanged, NotFound, Failed };
    //! Marks read; a first read of an incoming message reports `displayed` to the sender.
    Change markRead(qint64 userId, qint64 messageId, qint64 now, QList<StoredEvent>* events);
    //! Removes the user's copy (the other party keeps theirs).
    Change deleteMessage(qint64 userId, qint64 messageId, QList<StoredEvent>* events);
    /*!
     * Expires pending (undelivered) inbox copies created before \a createdBefore (0: none
     * by age) and, per recipient, those beyond the newest \a maxCount (0: no count limit).
     * Returns how many expired, or -1 on failure.
     */
    int expirePending(
        qint64 createdBefore, qint64 maxCount, qint64 now, QList<StoredEvent>* events);
    //! Pending inbox messages of one user, oldest first (for tests and the admin).
    QList<qint64> pendingMessageIds(qint64 userId);

    // --- profile -------------------------------------------------------------------------
    QList<Contact> contacts(qint64 userId);
    bool addContact(qint64 userId, const Contact& contact, QList<StoredEvent>* events);
    //! Change::Unchanged when the address was not a contact.
    Change removeContact(qint64 userId, const QString& address, QList<StoredEvent>* events);
    bool setStatus(
        qint64 userId, const QString& status, const QString& text, QList<StoredEvent>* events);
    bool setPref(
        qint64 userId, const QString& key, const QString& value, QList<StoredEvent>* events);
    QMap<QString, QString> prefs(qint64 userId);

private:
    class Transaction;
    class Checkpointer;
    class Query;

    //! The hot path's statements, prepared once on the raw handle (see Query).
    sqlite3_stmt* statement(const char* sql);
    bool beginWrite();
    bool endWrite(bool commit);

    QSqlQuery& prepared(const char* sql);
    bool exec(QSqlQuery& query);
    bool execSql(const QString& sql);
    bool execPrepared(const char* sql);
    bool migrate(QString* error);
    std::optional<qint64> appendEvent(qint64 userId, QLatin1StringView kind, qint64 messageId,
        const QJsonObject& data, qint64 now, QList<StoredEvent>* events);
    bool insertEvent(qint64 userId, qint64 seq, QLatin1StringView kind, qint64 messageId,
        const QString& payload, qint64 now);
    bool setReport(qint64 senderId, qint64 messageId, QLatin1StringView status,
        const QStringList& replaceable, const QString& by, qint64 now, QList<StoredEvent>* events,
        bool* reported);
    bool markDelivered(
        const UserRecord& user, qint64 position, qint64 now, QList<StoredEvent>* events);
    bool dropUnreferencedMessage(qint64 messageId);
    bool expireOne(qint64 userId, qint64 messageId, qint64 now, QList<StoredEvent>* events);
    std::optional<DeviceRecord> deviceOf(qint64 userId, qint64 deviceId);
    void loadSettings();

    QString m_connectionName;
    QSqlDatabase m_db;
    // Prepared statements, reused: keyed by the SQL literal's address, which is stable.
    QHash<const char*, QSqlQuery> m_queries;
    //! The same connection as m_db, through SQLite's C API, and its statements.
    sqlite3* m_handle = nullptr;
    QHash<const char*, sqlite3_stmt*> m_statements;
    QMap<QString, QString> m_settings;
    qint64 m_dataVersion = -1;
    qint64 m_changesVersion = -1;
    QString m_path;
    // Group commit: see setGroupCommit().
    bool m_groupCommit = false;
    std::function<void()> m_batchStarted;
    bool m_batchOpen = false;
    //! A failed write could not be rolled back alone: the whole batch must fail.
    bool m_batchBroken = false;
    int m_batchWrites = 0;
    //! PRAGMA data_version was read in the open batch (nobody else can commit meanwhile).
    bool m_settingsCheckedInBatch = false;
    std::unique_ptr<Checkpointer> m_checkpointer;
};

} // namespace cpm::server
