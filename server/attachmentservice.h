// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A user's network storage of attachments (MSG-1): resumable uploads in chunks, ranged
// downloads for whoever has a message that references the file, and "my files". The rows
// are the Store's; the bytes are one file per attachment under the data directory, which
// this component alone reads and writes.

#include "result.h"
#include "sha256.h"

#include <QFile>
#include <QHash>
#include <QString>

#include <memory>

namespace cpm::server {

class ClientConnection;
class Operations;
class Request;
class Server;

class AttachmentService final {
public:
    explicit AttachmentService(Server& server);
    ~AttachmentService();
    Q_DISABLE_COPY_MOVE(AttachmentService)

    void addOperations(Operations& operations);
    //! Keeps the bytes under \a directory (created when missing).
    Result<void> setDirectory(const QString& directory);
    QString directory() const { return m_dir; }
    //! Where the bytes of the complete attachment \a id are.
    QString filePathOf(const QString& id) const { return pathOf(id); }
    //! Discards unfinished uploads that had no chunk for attachments.uploadTtlSeconds.
    void expireUploads(qint64 now);
    /*!
     * Removes the files of the attachments directory that the store does not account for:
     * a `.part` of no upload under way, a file of no complete attachment (left by a crash
     * between the store's commit and the file's removal, or before `attachment.begin`
     * was committed). A whole file of an upload the store still has as uploading (the
     * process died between the rename and the commit) becomes its `.part` again. Files
     * whose name is not an attachment id's are left alone. On a shared store (several
     * nodes, one directory) files written in the last hour are left alone too: they may be
     * another node's work in progress. Run once when the server starts, before it serves;
     * returns how many it removed.
     */
    Result<int> removeOrphans();
    //! Lets go of what \a connection's uploads held open.
    void connectionClosed(const ClientConnection* connection);

private:
    //! An upload being written: its file open for appending and the hash of what it holds,
    //! so a chunk costs a write and a hash update, not a reopen and a rehash.
    struct Upload {
        qint64 ownerId = 0;
        qint64 size = 0;
        QString sha256;
        qint64 offset = 0; //!< bytes held
        QFile file;
        protocol::Sha256 hash;
        const ClientConnection* connection = nullptr;
    };

    void begin(const Request& request);
    void put(const Request& request);
    void get(const Request& request);
    void list(const Request& request);
    void remove(const Request& request);

    //! The open upload \a id of \a ownerId, opened (and its held bytes hashed) if need be.
    Result<Upload*> openUpload(const QString& id, qint64 ownerId);
    //! The file's bytes are all there and hash right: made durable and complete.
    Result<void> complete(const QString& id, Upload& upload);
    //! Removes the bytes of \a id (partial and complete) and forgets its open upload.
    void discardFiles(const QString& id);
    QString pathOf(const QString& id) const;
    QString partPathOf(const QString& id) const;

    Server& m_server;
    QString m_dir;
    QHash<QString, std::shared_ptr<Upload>> m_uploads;
    qint64 m_lastExpiry = 0;
};

} // namespace cpm::server
