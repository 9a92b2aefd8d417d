// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The Store on one SQLite file in the data directory (WAL). How it stays fast under load —
// group commit, checkpoints on their own thread, the hot statements on SQLite's C API — is
// described in docs/architecture.md ("Data flow") and lives in its own files: the connection
// and group commit in sqlitedatabase, checkpoints in sqlitecheckpointer, the schema in
// sqlitemigrations. This file is what each operation reads and writes.

#include "sqlitedatabase.h"
#include "store.h"

#include <memory>

namespace cpm::server {

class SqliteCheckpointer;

class SqliteStore : public Store {
    Q_DISABLE_COPY_MOVE(SqliteStore)

public:
    static constexpr const char* FileName = "cpm.sqlite";

    enum class Mode {
        //! The serving process: group commit, checkpoints on their own thread.
        Serving,
        //! One command (the admin CLI) or a test: every write is its own transaction.
        Direct,
    };

    SqliteStore();
    ~SqliteStore() override;

    /*!
     * Opens (creating when missing, mode 0700) \a dataDir and its database, checks the file
     * (`quick_check`: a damaged store refuses to open, StoreCorrupt), and migrates it.
     */
    Result<void> open(const QString& dataDir, Mode mode = Mode::Direct);
    void close() override;
    bool isOpen() const override { return m_db.isOpen(); }
    QString databasePath() const { return m_db.path(); }
    //! The schema version of the open database.
    Result<int> schemaVersion();
    static int latestSchemaVersion();
    //! What an operator reads when open() fails: what is wrong with \a dataDir, and what to do.
    static QString explainOpenFailure(const QString& dataDir, const Error& error);

    void setWriteListener(std::function<void()> listener) override;
    bool hasUncommittedWrites() const override { return m_db.hasPendingBatch(); }
    int uncommittedWrites() const override { return m_db.batchSize(); }
    Result<void> commit() override;
    void maintain() override;
    bool changedElsewhere() override;

    qint64 settingInt(QLatin1StringView key) override;
    Result<void> setSetting(const QString& key, const QString& value) override;
    //! Every stored setting (the admin's `settings list` adds the defaults).
    Result<QMap<QString, QString>> settings();

    Result<CreateUser> createUser(
        const QString& address, const QByteArray& passwordHash, qint64 now) override;
    Result<std::optional<UserRecord>> userByAddress(const QString& address) override;
    Result<std::optional<qint64>> userIdByAddress(const QString& address) override;
    Result<std::optional<UserRecord>> userById(qint64 id) override;
    Result<bool> setUserEnabled(const QString& address, bool enabled) override;
    Result<QList<UserRecord>> users() override;
    Result<QList<qint64>> disabledUserIds() override;

    Result<DeviceRecord> registerDevice(
        qint64 userId, const NewDevice& device, qint64 now, Events* events) override;
    Result<std::optional<DeviceRecord>> deviceById(qint64 deviceId) override;
    Result<QList<DeviceRecord>> devices(qint64 userId, bool includeSignedOut = false) override;
    Result<std::optional<DeviceRecord>> updateDevice(qint64 userId, qint64 deviceId,
        const DeviceChange& change, qint64 now, Events* events) override;
    Result<SignOut> signOutDevice(
        qint64 userId, qint64 deviceId, qint64 now, Events* events) override;
    Result<void> touchDevice(qint64 deviceId, qint64 now) override;

    Result<QList<StoredEvent>> eventsAfter(qint64 userId, qint64 since, int limit) override;
    Result<qint64> ack(qint64 userId, qint64 deviceId, qint64 seq, bool delivers, qint64 now,
        Events* events) override;

    Result<std::optional<SenderState>> senderState(
        qint64 userId, const QString& clientId, qint64 day) override;
    Result<StoredMessage> storeMessage(const NewMessage& message, Events* events) override;
    Result<void> setLegacyRegistration(
        qint64 userId, QStringView network, bool registered, qint64 now) override;
    Result<QStringList> legacyRegistrations(qint64 userId) override;
    Result<QList<LegacyDelivery>> dueLegacyDeliveries(qint64 now, int limit) override;
    Result<QList<LegacyDelivery>> legacyDeliveries(qint64 userId, int limit) override;
    Result<void> finishLegacyAttempt(qint64 deliveryId, bool delivered, const QString& error,
        qint64 nextAttempt, qint64 now, Events* events) override;
    Result<void> postponeLegacyDeliveries(
        const QList<qint64>& deliveryIds, qint64 nextAttempt) override;
    Result<std::optional<protocol::Message>> message(qint64 userId, qint64 messageId) override;
    Result<Change> markRead(qint64 userId, qint64 messageId, qint64 now, Events* events) override;
    Result<Change> deleteMessage(
        qint64 userId, qint64 messageId, qint64 now, Events* events) override;
    Result<int> expirePending(
        qint64 createdBefore, qint64 maxCount, qint64 now, Events* events) override;
    Result<QList<qint64>> pendingMessageIds(qint64 userId) override;

    Result<QList<protocol::Contact>> contacts(qint64 userId) override;
    Result<void> addContact(
        qint64 userId, const protocol::Contact& contact, qint64 now, Events* events) override;
    Result<Change> removeContact(
        qint64 userId, const QString& address, qint64 now, Events* events) override;
    Result<void> setStatus(
        qint64 userId, const protocol::Status& status, qint64 now, Events* events) override;
    Result<void> setPref(qint64 userId, const QString& key, const QString& value, qint64 now,
        Events* events) override;
    Result<QMap<QString, QString>> prefs(qint64 userId) override;

    Result<SignOut> forgetDevice(
        qint64 userId, qint64 deviceId, qint64 now, Events* events) override;
    Result<QList<DeviceRecord>> guestDevices() override;
    Result<SessionRecord> createSession(const SessionRecord& session,
        const SessionEventRenderer& render, qint64 now, Events* events) override;
    Result<bool> updateSession(SessionRecord next, qint64 expectedVersion,
        const SessionEventRenderer& render, qint64 now, Events* events) override;
    Result<std::optional<SessionRecord>> session(qint64 id) override;
    Result<QList<SessionRecord>> openSessions(qint64 userId = 0) override;
    Result<std::pair<qint64, qint64>> conversationBounds(
        qint64 userId, const QString& peer, int n) override;
    Result<QList<protocol::Message>> conversation(const ConversationQuery& query) override;
    Result<QList<protocol::Message>> recentMessages(qint64 userId, int limit) override;

    Result<void> createAttachment(qint64 ownerId, const protocol::Attachment& attachment) override;
    Result<std::optional<std::pair<qint64, protocol::Attachment>>> attachment(
        const QString& id) override;
    Result<std::optional<protocol::Attachment>> findAttachment(qint64 ownerId, const QString& name,
        const QString& type, qint64 size, const QString& sha256) override;
    Result<void> setAttachmentState(const QString& id, QLatin1StringView state) override;
    Result<QList<protocol::Attachment>> files(qint64 ownerId) override;
    Result<qint64> storageUsed(qint64 ownerId) override;
    Result<bool> mayFetch(qint64 userId, const QString& id) override;
    Result<QList<protocol::Attachment>> uploadsBegunBefore(qint64 before, int limit) override;

protected:
    using Query = SqliteDatabase::Query;
    using Transaction = SqliteDatabase::Transaction;
    SqliteDatabase& database() { return m_db; }

private:
    //! The messages of a query selecting CPM_PAGE_COLUMNS (sqlitestore.cpp).
    static Result<QList<protocol::Message>> readPage(Query& q);
    //! A message's `attachments` column (JSON, NULL when none) at \a column.
    static QList<protocol::Attachment> attachmentsOf(Query& q, int column);
    Result<qint64> appendEvent(qint64 userId, QLatin1StringView kind, qint64 messageId,
        const QJsonObject& data, qint64 now, Events* events);
    Result<void> insertEvent(qint64 userId, qint64 seq, QLatin1StringView kind, qint64 messageId,
        const QString& payload, qint64 now);
    //! Moves the sender's copy to \a status when it is in one of \a from; reports it once
    //! (with \a route, the message's new route, if any).
    Result<void> setReport(qint64 senderId, qint64 messageId, protocol::MessageState status,
        std::initializer_list<protocol::MessageState> from, const QString& by, qint64 now,
        Events* events, std::optional<protocol::Route> route = std::nullopt);
    Result<void> markDelivered(
        const QString& address, qint64 userId, qint64 position, qint64 now, Events* events);
    Result<void> dropUnreferencedMessage(qint64 messageId);
    //! Whether a message of \a senderId has \a clientId: why an insert of one was refused.
    bool clientIdTaken(qint64 senderId, const QString& clientId);
    Result<void> expireOne(qint64 userId, qint64 messageId, qint64 now, Events* events);
    Result<std::optional<DeviceRecord>> deviceOf(qint64 userId, qint64 deviceId);
    Result<void> loadSettings();
    Result<void> appendSessionEvents(const SessionRecord& written,
        const SessionEventRenderer& render, qint64 now, Events* events);

    SqliteDatabase m_db;
    QString m_dataDir;
    QMap<QString, QString> m_settings;
    qint64 m_dataVersion = -1;
    qint64 m_changesVersion = -1;
    //! PRAGMA data_version was read in the open batch (nobody else can commit meanwhile).
    bool m_settingsCheckedInBatch = false;
    std::unique_ptr<SqliteCheckpointer> m_checkpointer;
};

} // namespace cpm::server
