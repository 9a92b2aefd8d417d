// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Attachments as a device sees them (MSG-1): the uploads an outgoing message waits for,
// fetching a message's attachments into this device's sealed copies (by request, or by
// itself for pictures on a `full` device), saving them elsewhere, thumbnails made once,
// and the user's network storage ("my files"). It drives a Transfers over the Client's
// connection and keeps copies in an AttachmentCache; Client owns it (Client::attachments()).

#include "localstore.h"
#include "transfers.h"
#include "types.h"

#include <QHash>
#include <QIODevice>
#include <QObject>

#include <functional>
#include <memory>

namespace cpm {

class AttachmentCache;
class Connection;
class SecretBox;

class AttachmentManager final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AttachmentManager)

public:
    using Callback = std::function<void(const Error& error)>;
    using FilesCallback = std::function<void(const Error& error,
        const QList<protocol::Attachment>& files, qint64 usedBytes, qint64 quotaBytes)>;

    //! What the manager needs of its Client (implemented inside Client).
    class Backend {
    public:
        virtual ~Backend() = default;
        //! The open local store, or null.
        virtual LocalStore* localStore() const = 0;
        virtual const SecretBox* secretBox() const = 0;
        //! Where the sealed copies live (the profile's, or a guest's vault).
        virtual QString attachmentsDirectory() const = 0;
        //! An outgoing message's uploads are done (or one failed for good): send it now.
        virtual void uploadsSettled() = 0;
        //! An upload of an outbox message failed for good.
        virtual void uploadFailed(const QString& clientId, const Error& error) = 0;
        //! This device's delivery preference (full, notification, none).
        virtual QString ownDelivery() const = 0;
        virtual void recordError(const Error& error) = 0;
    };

    AttachmentManager(Connection* connection, Backend& backend, QObject* parent = nullptr);
    ~AttachmentManager() override;

    //! The store opened (copies are readable from now on) or closed (all transfers stop).
    void storeOpened();
    void storeClosed();

    // --- outgoing -------------------------------------------------------------------------
    /*!
     * Starts the uploads \a entry still needs (once each); true when every attachment of
     * it has its id, i.e. it may be sent. After a restart the server resumes an upload
     * it holds part of.
     */
    bool prepare(const OutboxEntry& entry);

    // --- incoming -------------------------------------------------------------------------
    //! Fetches attachment \a attachmentId of message \a messageId into this device's
    //! sealed copy; \a done once it is here (at once when it is), or with why not.
    void fetch(qint64 messageId, const QString& attachmentId, Callback done = {});
    //! Downloads it to \a path, decrypted (a partial download at PATH.part resumes).
    void download(
        qint64 messageId, const QString& attachmentId, const QString& path, Callback done = {});
    enum Moment { Arrived, Opened };
    /*!
     * Fetches the pictures of \a message up to the server's `autoFetchBytes`: when it has
     * just arrived, on a device whose delivery is `full`; when it was just opened (its
     * body fetched on a `notification` device), whatever the delivery. Anything else
     * waits to be asked for.
     */
    void autoFetch(const Message& message, Moment moment = Arrived);
    //! Whether this device holds the whole attachment.
    bool has(const QString& attachmentId) const;
    //! The attachment's bytes (a seekable device), when has() it.
    Result<std::unique_ptr<QIODevice>> open(const QString& attachmentId);
    //! Writes the attachment, decrypted, to \a path (Save as).
    Result<void> save(const QString& attachmentId, const QString& path);
    //! A thumbnail stored with storeThumbnail(); empty when none was.
    Result<QByteArray> thumbnail(const QString& attachmentId);
    Result<void> storeThumbnail(const QString& attachmentId, const QByteArray& encoded);
    //! The most bytes of copies kept (least recently used ones go first).
    void setCacheLimit(qint64 bytes);

    // --- my files -------------------------------------------------------------------------
    void listFiles(FilesCallback done);
    void deleteFile(const QString& attachmentId, Callback done = {});
    //! Downloads \a file, one of listFiles()' (the user's own storage: no message needed),
    //! decrypted to \a path, like download() (a partial download at PATH.part resumes).
    void downloadOwn(const protocol::Attachment& file, const QString& path, Callback done = {});

    // --- transfers ------------------------------------------------------------------------
    QList<TransferInfo> transfers() const;
    std::optional<TransferInfo> transfer(qint64 transferId) const;
    //! The download of \a attachmentId in progress (or waiting), if any.
    std::optional<TransferInfo> downloadOf(const QString& attachmentId) const;
    //! The upload of the \a index-th attachment of outbox message \a pendingId (negative),
    //! if it is under way or waiting.
    std::optional<TransferInfo> uploadOf(qint64 pendingId, qsizetype index) const;
    void pause(qint64 transferId);
    void resume(qint64 transferId);
    void cancel(qint64 transferId);

Q_SIGNALS:
    //! A transfer moved on (progress or state); see transfer().
    void transferChanged(qint64 transferId);
    //! The whole attachment is now on this device.
    void attachmentReady(const QString& attachmentId);
    //! Fetching it failed (or was cancelled).
    void attachmentFailed(const QString& attachmentId, const cpm::Error& error);

private:
    struct Upload {
        QString clientId;
        qint64 pendingId = 0;
        qsizetype index = 0;
    };
    struct Download {
        QString attachmentId;
        QList<Callback> waiting;
        bool toCache = true;
    };
    void onFinished(qint64 transferId, const QJsonObject& attachment, const Error& error);
    //! The attachment \a attachmentId as message \a messageId lists it.
    Result<protocol::Attachment> find(qint64 messageId, const QString& attachmentId) const;
    void startDownload(const protocol::Attachment& a, std::unique_ptr<DownloadSink> sink,
        bool toCache, Callback done);

    Connection* m_connection;
    Backend& m_backend;
    Transfers* m_transfers;
    std::unique_ptr<AttachmentCache> m_cache;
    qint64 m_cacheLimit;
    QHash<qint64, Upload> m_uploads; //!< by transfer id
    QHash<qint64, Download> m_downloads; //!< by transfer id
};

} // namespace cpm
