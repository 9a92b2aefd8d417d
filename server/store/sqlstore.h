// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The Store in SQL, once for both databases: what each operation reads and writes, written
// in the SQL that SQLite and PostgreSQL both run (`?` parameters, ON CONFLICT, RETURNING).
// \a Db is the connection (SqliteDatabase, PgDatabase): prepared statements as Db::Query,
// writes as Db::Transaction. What differs — opening, the schema's migrations, when writes
// become durable, how a change by another process is noticed — is the subclasses' part
// (SqliteStore, PostgresStore).

#include "store.h"

namespace cpm::server {

template <typename Db> class SqlStore : public Store {
    Q_DISABLE_COPY_MOVE(SqlStore)

public:
    SqlStore() = default;

    qint64 settingInt(QLatin1StringView key) override;
    Result<void> setSetting(const QString& key, const QString& value) override;
    Result<QMap<QString, QString>> settings() override;

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
    Result<bool> claimLegacyDelivery(qint64 deliveryId, qint64 now, qint64 leaseUntil) override;
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
    using Query = typename Db::Query;
    using Transaction = typename Db::Transaction;
    Db& database() { return m_db; }

    //! Brings m_settings up to date with the store (each database knows when it must).
    virtual Result<void> loadSettings() = 0;

    Db m_db;
    QMap<QString, QString> m_settings;

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
    Result<void> expireOne(qint64 userId, qint64 messageId, qint64 now, Events* events);
    Result<std::optional<DeviceRecord>> deviceOf(qint64 userId, qint64 deviceId);
    Result<void> appendSessionEvents(const SessionRecord& written,
        const SessionEventRenderer& render, qint64 now, Events* events);
};

} // namespace cpm::server
