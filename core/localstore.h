// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One profile's SQLite database: messages (subject and body encrypted at rest, and
// contact names, status text and device names since schema 7, addresses since schema 8,
// looked up by a blind index), the
// outbox, local-delete tombstones, contacts, status, preferences, the device cache and
// the sync position. Applying a sync batch is one transaction together with its position.
// Every call answers value-or-error: a failure of the database (busy, full, damaged,
// read-only: Error::fromSqlite) is never read as "none" or "empty".

#include "frame.h"
#include "types.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <optional>

namespace cpm {

class SecretBox;

//! What applying events or a local action changed, so the Client can tell its views.
struct StoreChanges {
    struct Added {
        qint64 id;
        QString peer;
        bool unreadIncoming;
    };
    struct Sent {
        qint64 pendingId;
        qint64 id;
        QString clientId;
    };
    QList<Added> added;
    QList<qint64> changed;
    QList<qint64> removed;
    QList<Sent> sent;
    QList<qint64> readElsewhere; //!< incoming messages another device opened
    bool contacts = false;
    bool status = false;
    bool prefs = false;
    bool devices = false;
    bool unread = false; //!< the unread count may have changed
    QList<protocol::Session> sessions; //!< `session` events, in stream order

    void markChanged(qint64 id)
    {
        if (!changed.contains(id)) {
            changed.append(id);
        }
    }
};

//! An outbox entry ready to be sent.
struct OutboxEntry {
    qint64 pendingId = 0; //!< negative
    QString clientId;
    QString to;
    QString subject;
    QString body;
    qint64 session = 0; //!< the chat session it is said in; 0 for none
    //! Its attachments; one with an empty id is still to be uploaded from the file of the
    //! same index in sources.
    QList<protocol::Attachment> attachments;
    QStringList sources; //!< local paths, one per attachment
};

//! A file of this profile that holds an attachment's bytes or its thumbnail (sealed).
struct LocalFile {
    enum class Kind { Content, Thumbnail };
    QString attachmentId;
    Kind kind = Kind::Content;
    bool complete = false;
    qint64 bytes = 0; //!< on disk
    qint64 lastUsed = 0; //!< ms since the epoch
};

//! What `profile.get` answers, ready to replace the local copy.
struct ProfileSnapshot {
    QList<Contact> contacts;
    UserStatus status;
    QMap<QString, QString> prefs;
};

class LocalStore final {
public:
    //! The schema version this build migrates to (see migrations in localstore.cpp).
    static constexpr int SchemaVersion = 10;
    static constexpr const char* FileName = "cpm.sqlite";

    //! Values are encrypted with \a box, which must outlive the store.
    explicit LocalStore(const SecretBox* box);
    ~LocalStore();
    LocalStore(const LocalStore&) = delete;
    LocalStore& operator=(const LocalStore&) = delete;

    //! The \a path open() takes for a database held in memory only (a guest's).
    static constexpr const char* InMemory = ":memory:";

    /*!
     * Opens (creating and migrating) the database at \a path and checks it: a file that
     * is not a database, or fails SQLite's quick_check, is StoreCorrupt (the Client sets
     * it aside). \a targetVersion lets tests build an older schema.
     */
    Result<void> open(const QString& path, int targetVersion = SchemaVersion);
    void close();
    bool isOpen() const;
    Result<int> schemaVersion() const;
    QString path() const { return m_path; }
    //! The database connection, for tests that inspect it (or fill it).
    QSqlDatabase database() const { return m_db; }

    // Key-value settings of the profile (sync position, ...).
    Result<QVariant> value(const QString& key, const QVariant& fallback = {}) const;
    Result<void> setValue(const QString& key, const QVariant& value);
    Result<qint64> syncPosition() const;
    //! A setting of this device alone (never sent), sealed at rest; null when unset.
    Result<QString> deviceSetting(const QString& key) const;
    Result<void> setDeviceSetting(const QString& key, const QString& value);

    //! Applies stream events in order and stores \a next as the position, atomically.
    //! A malformed event is skipped (logged): one bad event must not block the stream.
    Result<void> applyEvents(
        const QList<protocol::Frame>& events, qint64 next, StoreChanges* changes);
    //! A presence event: updates the device cache.
    Result<void> applyPresence(const protocol::PresenceEvent& presence, StoreChanges* changes);

    // --- Messages ---
    Result<std::optional<Message>> message(qint64 id) const;
    Result<QList<Message>> messages(
        const QString& peer, int limit, qint64 beforeTime = 0, qint64 beforeLocalId = 0) const;
    Result<QList<Conversation>> conversations() const;
    Result<int> unreadCount() const;
    //! Stores a message from the server (a fetch answer, ...) as if it came in an event.
    Result<void> storeMessage(const protocol::Message& message, StoreChanges* changes);
    //! Marks an incoming message read here; remembers to tell the server. False if
    //! there is no such unread message.
    Result<bool> markRead(qint64 id, StoreChanges* changes);
    Result<QList<qint64>> pendingReads() const;
    Result<void> clearPendingRead(qint64 id);
    //! Removes a message here and keeps a tombstone so no sync brings it back (MSG-6).
    Result<void> deleteLocally(qint64 id, StoreChanges* changes);
    //! Removes a message (deleted everywhere); no tombstone needed.
    Result<void> remove(qint64 id, StoreChanges* changes);
    Result<bool> hasTombstone(qint64 serverId) const;

    // --- Outbox ---
    //! Writes a new outgoing message to the outbox; returns its pending id (negative).
    Result<qint64> enqueue(const QString& clientId, const QString& from, const QString& to,
        const QString& subject, const QString& body, qint64 time, qint64 session = 0,
        const QList<protocol::Attachment>& attachments = {}, const QStringList& sources = {});
    //! The outbox message \a pendingId's attachment \a index was uploaded as \a uploaded.
    Result<void> setOutboxAttachment(qint64 pendingId, qsizetype index,
        const protocol::Attachment& uploaded, StoreChanges* changes);
    Result<QList<OutboxEntry>> outbox() const;
    Result<int> outboxSize() const;
    //! The server accepted \a clientId as \a serverId: the pending message becomes the
    //! sentbox copy and leaves the outbox.
    Result<void> markSent(
        const QString& clientId, qint64 serverId, qint64 time, StoreChanges* changes);
    //! The server refused \a clientId for good, saying \a reason (an error code name).
    Result<void> markFailed(const QString& clientId, const QString& reason, StoreChanges* changes);
    //! Puts the failed message \a pendingId (negative) back in the outbox, same client id:
    //! the server never stored it, so it cannot arrive twice. False when it is not failed.
    Result<bool> requeue(qint64 pendingId, StoreChanges* changes);

    // --- Local copies of attachments (MSG-1) ---
    Result<std::optional<LocalFile>> localFile(
        const QString& attachmentId, LocalFile::Kind kind) const;
    //! Records (or updates) a local file, used now.
    Result<void> setLocalFile(const LocalFile& file);
    Result<void> touchLocalFile(const QString& attachmentId, LocalFile::Kind kind, qint64 now);
    Result<void> removeLocalFile(const QString& attachmentId, LocalFile::Kind kind);
    //! Every local file, least recently used first (what a full cache gives up first).
    Result<QList<LocalFile>> localFiles() const;

    // --- Devices, contacts, status, prefs ---
    Result<QList<Device>> devices() const;
    Result<void> replaceDevices(const QList<Device>& devices, StoreChanges* changes);
    Result<void> upsertDevice(const Device& device, StoreChanges* changes);
    Result<QList<Contact>> contacts() const;
    Result<UserStatus> status() const;
    Result<QVariantMap> prefs() const;
    //! Replaces contacts, status and prefs with a `profile.get` answer.
    Result<void> replaceProfile(const ProfileSnapshot& profile, StoreChanges* changes);

private:
    Result<void> migrate(int targetVersion);
    //! Schema 7: seals the contact names, status text and device names kept in plain text.
    Result<void> sealNames();
    //! Schema 8: seals addresses and keys lookups by their blind index.
    Result<void> sealAddresses();
    //! What `peer` and `contacts.address` hold for \a address (SecretBox::index).
    QByteArray addressIndex(const QString& address) const;
    Result<void> exec(const QString& sql) const;
    Error failure(const QSqlQuery& query, const QString& what) const;
    Result<void> run(QSqlQuery& query, const QString& what) const;
    //! Runs \a update (the message's new state), then takes message \a localId out of the
    //! outbox; inside the caller's transaction.
    Result<void> leaveOutbox(QSqlQuery& update, qint64 localId, const QString& what);
    Result<void> applyEvent(const protocol::Frame& event, StoreChanges* changes);
    Result<void> applyMessage(const protocol::Message& message, StoreChanges* changes);
    Result<void> applyContact(const protocol::ContactEvent& event, StoreChanges* changes);
    Result<void> applyStatus(const UserStatus& status, StoreChanges* changes);
    Result<void> applyPref(const protocol::PrefEvent& pref, StoreChanges* changes);
    Result<void> applyReport(const protocol::ReportEvent& report, StoreChanges* changes);
    QByteArray seal(const QString& text, const char* context) const;
    QString unseal(const QVariant& sealed, const char* context) const;
    Message messageFromQuery(const QSqlQuery& query) const;
    QByteArray sealAttachments(const QList<protocol::Attachment>& attachments) const;
    QList<protocol::Attachment> unsealAttachments(const QVariant& sealed) const;

    const SecretBox* m_box;
    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_path;
};

} // namespace cpm
