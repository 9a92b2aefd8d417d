// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One profile's SQLite database: messages (subject and body encrypted at rest), the
// outbox, local-delete tombstones, contacts, status, preferences, the device cache and
// the sync position. Applying a sync batch is one transaction together with its position.

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
};

class LocalStore final {
public:
    //! The schema version this build migrates to (see migrations in localstore.cpp).
    static constexpr int SchemaVersion = 3;
    static constexpr const char* FileName = "cpm.sqlite";

    //! Values are encrypted with \a box, which must outlive the store.
    explicit LocalStore(const SecretBox* box);
    ~LocalStore();
    LocalStore(const LocalStore&) = delete;
    LocalStore& operator=(const LocalStore&) = delete;

    //! Opens (creating and migrating) the database at \a path. \a targetVersion lets
    //! tests build an older schema.
    bool open(const QString& path, QString* error = nullptr, int targetVersion = SchemaVersion);
    void close();
    bool isOpen() const;
    int schemaVersion() const;
    QString path() const { return m_path; }
    //! The database connection, for tests that inspect it.
    QSqlDatabase database() const { return m_db; }

    // Key-value settings of the profile (sync position, ...).
    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    bool setValue(const QString& key, const QVariant& value);
    qint64 syncPosition() const;

    //! Applies stream events in order and stores \a next as the position, atomically.
    bool applyEvents(const QList<protocol::Frame>& events, qint64 next, StoreChanges* changes);
    //! A presence event: updates the device cache.
    bool applyPresence(const QJsonObject& data, StoreChanges* changes);

    // --- Messages ---
    std::optional<Message> message(qint64 id) const;
    QList<Message> messages(
        const QString& peer, int limit, qint64 beforeTime = 0, qint64 beforeLocalId = 0) const;
    QList<Conversation> conversations() const;
    int unreadCount() const;
    //! Stores a message from the server (a fetch answer, ...) as if it came in an event.
    bool storeMessage(const QJsonObject& message, StoreChanges* changes);
    //! Marks an incoming message read here; remembers to tell the server. False if
    //! there is no such unread message.
    bool markRead(qint64 id, StoreChanges* changes);
    QList<qint64> pendingReads() const;
    void clearPendingRead(qint64 id);
    //! Removes a message here and keeps a tombstone so no sync brings it back (MSG-6).
    bool deleteLocally(qint64 id, StoreChanges* changes);
    //! Removes a message (deleted everywhere); no tombstone needed.
    bool remove(qint64 id, StoreChanges* changes);
    bool hasTombstone(qint64 serverId) const;

    // --- Outbox ---
    //! Writes a new outgoing message to the outbox; returns its pending id (negative).
    qint64 enqueue(const QString& clientId, const QString& from, const QString& to,
        const QString& subject, const QString& body, qint64 time);
    QList<OutboxEntry> outbox() const;
    int outboxSize() const;
    //! The server accepted \a clientId as \a serverId: the pending message becomes the
    //! sentbox copy and leaves the outbox.
    bool markSent(const QString& clientId, qint64 serverId, qint64 time, StoreChanges* changes);
    //! The server refused \a clientId for good.
    bool markFailed(const QString& clientId, StoreChanges* changes);

    // --- Devices, contacts, status, prefs ---
    QList<Device> devices() const;
    bool replaceDevices(const QJsonArray& devices, StoreChanges* changes);
    bool upsertDevice(const QJsonObject& device, StoreChanges* changes);
    QList<Contact> contacts() const;
    UserStatus status() const;
    QVariantMap prefs() const;
    //! Replaces contacts, status and prefs with a `profile.get` answer.
    bool replaceProfile(const QJsonObject& profile, StoreChanges* changes);

private:
    bool migrate(int targetVersion, QString* error);
    bool exec(const QString& sql) const;
    bool applyEvent(const protocol::Frame& event, StoreChanges* changes);
    bool applyMessage(const QJsonObject& json, StoreChanges* changes);
    bool applyContact(const QJsonObject& data, StoreChanges* changes);
    bool applyStatus(const QJsonObject& data, StoreChanges* changes);
    bool applyPref(const QJsonObject& data, StoreChanges* changes);
    bool applyDeviceEvent(const QJsonObject& data, StoreChanges* changes);
    QByteArray seal(const QString& text, const char* context) const;
    QString unseal(const QVariant& sealed, const char* context) const;
    Message messageFromQuery(const QSqlQuery& query) const;

    const SecretBox* m_box;
    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_path;
};

} // namespace cpm
